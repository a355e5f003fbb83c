/// One-hot encoding of class indices (PyTorch `F.one_hot`, as `Float`).
extension Tensor {
    /// A constant tensor of shape `indices.shape + [classes]` with 1 at `[…, indices[…]]` and 0 elsewhere.
    /// Indices lie in `0 ..< classes`.
    public static func oneHot(_ indices: IndexTensor, classes: Int) -> Tensor {
        precondition(classes >= 0, "oneHot: negative number of classes \(classes)")
        Kernels.checkIndices(
            indices, extent: classes, axis: indices.shape.count, dataShape: indices.shape + [classes],
            op: "oneHot")
        var scalars = [Float](repeating: 0, count: indices.count * classes)
        for (position, index) in indices.indices.enumerated() { scalars[position * classes + index] = 1 }
        return Tensor(shape: indices.shape + [classes], scalars: scalars)
    }
}
