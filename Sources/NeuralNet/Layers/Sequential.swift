/// Layers applied one after another (`torch.nn.Sequential`): `y = fₙ(…f₂(f₁(x)))`.
///
/// Parameters are named by position, `0.weight`, `1.bias`, … as in PyTorch.
public struct Sequential: Module {
    /// The layers in order.
    public let layers: [any Module]

    /// A chain of `layers`.
    public init(_ layers: [any Module]) { self.layers = layers }

    /// `{index}.{name}` for every layer's parameters.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        layers.enumerated().flatMap { index, layer in prefixed("\(index)", layer) }
    }

    /// The composition applied to `input`.
    public func callAsFunction(_ input: Tensor) -> Tensor { layers.reduce(input) { $1($0) } }
}
