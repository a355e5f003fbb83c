/// Elementwise comparisons giving 1 where the relation holds and 0 elsewhere, as `Float` tensors (masks), with
/// NumPy broadcasting. They are not differentiable: results are off the tape (a step function has gradient 0
/// wherever it has one). Comparisons with NaN are false (so `equal` is 0, `notEqual` is 1), as IEEE 754.
extension Tensor {
    /// 1 where `self > other`, else 0; broadcasting.
    public func greater(than other: Tensor) -> Tensor { compared(with: other, "greater") { $0 > $1 } }
    /// 1 where `self > value`, else 0.
    public func greater(than value: Float) -> Tensor { constantMap { $0 > value ? 1 : 0 } }

    /// 1 where `self < other`, else 0; broadcasting.
    public func less(than other: Tensor) -> Tensor { compared(with: other, "less") { $0 < $1 } }
    /// 1 where `self < value`, else 0.
    public func less(than value: Float) -> Tensor { constantMap { $0 < value ? 1 : 0 } }

    /// 1 where `self >= other`, else 0; broadcasting.
    public func greaterOrEqual(to other: Tensor) -> Tensor { compared(with: other, "greaterOrEqual") { $0 >= $1 } }
    /// 1 where `self >= value`, else 0.
    public func greaterOrEqual(to value: Float) -> Tensor { constantMap { $0 >= value ? 1 : 0 } }

    /// 1 where `self <= other`, else 0; broadcasting.
    public func lessOrEqual(to other: Tensor) -> Tensor { compared(with: other, "lessOrEqual") { $0 <= $1 } }
    /// 1 where `self <= value`, else 0.
    public func lessOrEqual(to value: Float) -> Tensor { constantMap { $0 <= value ? 1 : 0 } }

    /// 1 where `self == other` exactly, else 0; broadcasting.
    public func equal(to other: Tensor) -> Tensor { compared(with: other, "equal") { $0 == $1 } }
    /// 1 where `self == value` exactly, else 0.
    public func equal(to value: Float) -> Tensor { constantMap { $0 == value ? 1 : 0 } }

    /// 1 where `self != other`, else 0; broadcasting.
    public func notEqual(to other: Tensor) -> Tensor { compared(with: other, "notEqual") { $0 != $1 } }
    /// 1 where `self != value`, else 0.
    public func notEqual(to value: Float) -> Tensor { constantMap { $0 != value ? 1 : 0 } }

    private func compared(with other: Tensor, _ op: String, _ relation: (Float, Float) -> Bool) -> Tensor {
        let shape = Tensor.broadcastShape(self, other, op: op)
        let mask = Kernels.binary(self, other, outputShape: shape) { relation($0, $1) ? 1 : 0 }
        return Tensor(shape: shape, scalars: mask)
    }
}
