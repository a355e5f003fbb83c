import Foundation

/// `exp` and `log`, the two transcendental ops the core's own rules use. (The rest of the elementwise math lives in
/// its own files.)
extension Tensor {
    /// A differentiable elementwise op: `forward` on raw scalars, `backward(g, x, y)` in tensor ops.
    @inlinable
    public func elementwise(
        _ op: String, _ forward: (Float) -> Float,
        backward: @escaping @Sendable (_ gradient: Tensor, _ input: Tensor, _ output: Tensor) -> Tensor
    ) -> Tensor {
        Tensor.recorded(op, shape: shape, scalars: Kernels.unary(scalars, forward), inputs: [self]) {
            g, inputs, output in [backward(g, inputs[0], output)]
        }
    }

    /// eˣ (vectorized kernel, ``Kernels/exp(_:)``); d/dx = eˣ (the output).
    @inlinable
    public func exp() -> Tensor {
        Tensor.recorded("exp", shape: shape, scalars: Kernels.exp(scalars), inputs: [self]) { g, _, y in [g * y] }
    }

    /// Natural logarithm; d/dx = 1/x.
    @inlinable
    public func log() -> Tensor { elementwise("log", { Foundation.log($0) }, backward: { g, x, _ in g / x }) }
}
