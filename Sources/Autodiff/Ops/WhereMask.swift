/// Elementwise selection by a condition (NumPy / PyTorch `where`) and filling by a mask (PyTorch `masked_fill`).
/// Conditions and masks are constant `Float` tensors: any nonzero scalar counts as true (use 0 and 1).
extension Tensor {
    /// `condition ? a : b` elementwise, with NumPy broadcasting of all three to a common shape.
    ///
    /// Backward: `∂/∂a = (g ⊙ c).sumToShape(a.shape)`, `∂/∂b = (g ⊙ (1 − c)).sumToShape(b.shape)`, where `c` is
    /// the condition as 0/1; the condition itself takes no gradient.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        guard let ab = Broadcasting.shape(a.shape, b.shape), let shape = Broadcasting.shape(condition.shape, ab) else {
            preconditionFailure(
                "where: condition \(condition.shape), a \(a.shape) and b \(b.shape) do not broadcast together")
        }
        let scalars = Kernels.zip3(
            Kernels.broadcastScalars(condition, to: shape), Kernels.broadcastScalars(a, to: shape),
            Kernels.broadcastScalars(b, to: shape)
        ) { c, x, y in c != 0 ? x : y }
        let chosen = Tensor(shape: condition.shape, scalars: Kernels.unary(condition.scalars) { $0 != 0 ? 1 : 0 })
        return recorded("where", shape: shape, scalars: scalars, inputs: [a, b]) { g, inputs, _ in
            [
                inputs[0].requiresGradient ? (g * chosen).sumToShape(inputs[0].shape) : nil,
                inputs[1].requiresGradient ? (g * (1 - chosen)).sumToShape(inputs[1].shape) : nil,
            ]
        }
    }

    /// `self` with `value` wherever `mask` is nonzero (PyTorch `masked_fill`); `mask` must broadcast to `shape`.
    ///
    /// Attention uses it to set disallowed scores to a large negative value. Backward: `g ⊙ (1 − mask)`.
    public func maskedFill(_ mask: Tensor, with value: Float) -> Tensor {
        precondition(
            Broadcasting.shape(mask.shape, shape) == shape,
            "maskedFill: mask shape \(mask.shape) does not broadcast to shape \(shape)")
        let scalars = Kernels.zip(Kernels.broadcastScalars(mask, to: shape), self.scalars) { m, x in
            m != 0 ? value : x
        }
        let kept = Tensor(shape: mask.shape, scalars: Kernels.unary(mask.scalars) { $0 != 0 ? 0 : 1 })
        return Tensor.recorded("maskedFill", shape: shape, scalars: scalars, inputs: [self]) { g, _, _ in
            [g * kept]
        }
    }
}
