/// Elementwise maximum and minimum of two tensors with broadcasting, PyTorch `torch.maximum` / `torch.minimum`.
extension Tensor {
    /// The larger of `a` and `b` at each position, broadcasting (NumPy rules); NaN in either operand propagates.
    ///
    /// The gradient goes to the larger operand; at ties it is split evenly, half to each (as PyTorch's
    /// `maximum` backward), then summed back to each operand's shape.
    public static func maximum(_ a: Tensor, _ b: Tensor) -> Tensor {
        let shape = broadcastShape(a, b, op: "maximum")
        let scalars = Kernels.binary(a, b, outputShape: shape) { x, y in x > y || x.isNaN ? x : y }
        return recorded("maximum", shape: shape, scalars: scalars, inputs: [a, b]) { g, inputs, _ in
            selectionGradients(g, inputs[0], inputs[1]) { x, y in x > y ? 1 : (x == y ? 0.5 : 0) }
        }
    }

    /// The smaller of `a` and `b` at each position, broadcasting (NumPy rules); NaN in either operand propagates.
    ///
    /// The gradient goes to the smaller operand; at ties it is split evenly (as PyTorch's `minimum` backward).
    public static func minimum(_ a: Tensor, _ b: Tensor) -> Tensor {
        let shape = broadcastShape(a, b, op: "minimum")
        let scalars = Kernels.binary(a, b, outputShape: shape) { x, y in x < y || x.isNaN ? x : y }
        return recorded("minimum", shape: shape, scalars: scalars, inputs: [a, b]) { g, inputs, _ in
            selectionGradients(g, inputs[0], inputs[1]) { x, y in x < y ? 1 : (x == y ? 0.5 : 0) }
        }
    }

    /// Splits `g` between `a` (weight `share(a, b)`, a constant mask) and `b` (the rest), summed to their shapes.
    /// The masks are piecewise constant, so the rule is linear in `g` and differentiates again.
    private static func selectionGradients(
        _ g: Tensor, _ a: Tensor, _ b: Tensor, share: (Float, Float) -> Float
    ) -> [Tensor?] {
        let weightA = Tensor(shape: g.shape, scalars: Kernels.binary(a, b, outputShape: g.shape, share))
        let weightB = weightA.constantMap { 1 - $0 }
        return [
            a.requiresGradient ? (g * weightA).sumToShape(a.shape) : nil,
            b.requiresGradient ? (g * weightB).sumToShape(b.shape) : nil,
        ]
    }
}
