/// Removing and inserting axes of extent 1 (NumPy `squeeze` / `expand_dims`, PyTorch `squeeze` / `unsqueeze`).
/// They are reshapes, so their backward rule is the reshape back.
extension Tensor {
    /// Removes `axis` (negative counts from the end), which must have extent 1.
    public func squeezed(axis: Int) -> Tensor {
        precondition(rank >= 1, "squeeze: a scalar has no axis to remove")
        let axis = normalizedAxis(axis, op: "squeeze")
        precondition(shape[axis] == 1, "squeeze: axis \(axis) of shape \(shape) has extent \(shape[axis]), not 1")
        var newShape = shape
        newShape.remove(at: axis)
        return reshaped(newShape)
    }

    /// Removes every axis of extent 1 (`[1, 3, 1, 2]` → `[3, 2]`; all-ones shapes become a scalar).
    public func squeezed() -> Tensor { reshaped(shape.filter { $0 != 1 }) }

    /// Inserts an axis of extent 1 so that it becomes axis `axis` of the result; `axis` ranges over
    /// `-(rank + 1) ... rank`, and `-1` appends a trailing axis (PyTorch `unsqueeze`).
    public func unsqueezed(axis: Int) -> Tensor {
        let normalized = axis < 0 ? axis + rank + 1 : axis
        precondition(
            normalized >= 0 && normalized <= rank,
            "unsqueeze: axis \(axis) out of range -\(rank + 1)...\(rank) for shape \(shape)")
        var newShape = shape
        newShape.insert(1, at: normalized)
        return reshaped(newShape)
    }
}
