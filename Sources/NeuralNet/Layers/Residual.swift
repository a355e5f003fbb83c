/// A residual block (He et al. 2016): `h = x + f(x)`, with `f` any
/// module whose output has the input's shape (for several layers, a ``Sequential``: `z = f(…f(h)…)`).
///
/// Parameters are the body's, prefixed `body.`.
public struct Residual<Body: Module>: Module {
    /// The function `f` added to the identity.
    public let body: Body

    /// A block around `body`.
    public init(_ body: Body) { self.body = body }

    /// `body.…`.
    public var namedParameters: [(name: String, parameter: Parameter)] { prefixed("body", body) }

    /// `input + body(input)`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        let residual = body(input)
        precondition(
            residual.shape == input.shape,
            "Residual: body maps \(input.shape) to \(residual.shape); shapes must agree")
        return input + residual
    }
}
