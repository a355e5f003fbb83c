/// A dense, row-major, n-dimensional array of integer indices: what `argmax`, `topK` return and what gather,
/// embedding lookups and classification targets take.
///
/// It never takes part in differentiation (indices have no gradient). Like ``Tensor`` it is a value type with
/// `shape` and row-major storage; `indices.count == shape.reduce(1, *)`.
///
/// ```swift
/// let targets = IndexTensor([2, 0, 1])              // shape [3]
/// let scores = Tensor([[1, 5, 2], [7, 0, 3]])
/// let best = scores.argmax(axis: 1)                 // IndexTensor(shape: [2], indices: [1, 0])
/// best[1]                                           // 0
/// ```
public struct IndexTensor: Sendable, Hashable {
    /// The extent of each axis; `[]` for a single index.
    public let shape: [Int]
    /// The indices in row-major order.
    public let indices: [Int]

    /// Creates an index tensor from row-major indices and a shape. Precondition: the counts agree.
    @inlinable
    public init(shape: [Int], indices: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "IndexTensor(shape:indices:): negative extent in shape \(shape)")
        precondition(
            shape.reduce(1, *) == indices.count,
            "IndexTensor(shape:indices:): shape \(shape) needs \(shape.reduce(1, *)) indices, got \(indices.count)")
        self.shape = shape
        self.indices = indices
    }

    /// A rank-1 index tensor.
    @inlinable
    public init(_ indices: [Int]) { self.init(shape: [indices.count], indices: indices) }

    /// A rank-2 index tensor from rows of equal length (e.g. a batch of token ids). Labelled, so that
    /// `IndexTensor([])` stays the empty rank-1 tensor.
    @inlinable
    public init(rows: [[Int]]) {
        let columns = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == columns }, "IndexTensor(rows:): rows differ in length")
        self.init(shape: [rows.count, columns], indices: rows.flatMap { $0 })
    }

    /// Number of axes.
    @inlinable public var rank: Int { shape.count }
    /// Number of indices.
    @inlinable public var count: Int { indices.count }

    /// The index at a multi-index position (one coordinate per axis; none for rank 0).
    @inlinable
    public subscript(_ position: Int...) -> Int {
        precondition(position.count == rank, "IndexTensor subscript: \(position.count) coordinates for shape \(shape)")
        var offset = 0
        var step = 1
        for axis in stride(from: rank - 1, through: 0, by: -1) {
            let coordinate = position[axis]
            precondition(
                coordinate >= 0 && coordinate < shape[axis],
                "IndexTensor subscript: position \(position) out of shape \(shape)")
            offset += coordinate * step
            step *= shape[axis]
        }
        return indices[offset]
    }

    /// The same indices with a new shape of the same count.
    @inlinable
    public func reshaped(_ newShape: [Int]) -> IndexTensor {
        precondition(
            newShape.reduce(1, *) == count,
            "IndexTensor.reshaped: cannot reshape \(shape) (\(count) indices) to \(newShape)")
        return IndexTensor(shape: newShape, indices: indices)
    }
}

extension IndexTensor: CustomStringConvertible {
    /// A compact rendering: shape and up to the first 16 indices.
    public var description: String {
        let shown = indices.prefix(16).map(String.init).joined(separator: ", ")
        return "IndexTensor(shape: \(shape), [\(shown)\(count > 16 ? ", …" : "")])"
    }
}
