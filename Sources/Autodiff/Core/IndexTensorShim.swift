// MERGE NOTE: another branch adds Sources/Autodiff/Core/IndexTensor.swift with this exact API. This shim exists only
// so the shape and indexing ops build on their own branch; delete one of the two files when merging.

/// A dense, row-major, n-dimensional array of integer indices: the index argument of gather, scatter-add,
/// index-select (embedding lookup), one-hot and cross-entropy targets.
///
/// Indices are plain `Int`s and never take part in differentiation.
public struct IndexTensor: Equatable, Sendable {
    /// The extent of each axis; `[]` for a single index.
    public let shape: [Int]
    /// The indices in row-major order; `indices.count == shape.reduce(1, *)`.
    public let indices: [Int]

    /// Creates an index tensor from row-major indices and a shape. Precondition: the counts agree.
    public init(shape: [Int], indices: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "IndexTensor(shape:indices:): negative extent in shape \(shape)")
        precondition(
            shape.reduce(1, *) == indices.count,
            "IndexTensor(shape:indices:): shape \(shape) needs \(shape.reduce(1, *)) indices, got \(indices.count)")
        self.shape = shape
        self.indices = indices
    }

    /// A rank-1 index tensor holding `indices`.
    public init(_ indices: [Int]) { self.init(shape: [indices.count], indices: indices) }

    /// Number of indices.
    public var count: Int { indices.count }

    /// The index stored at a multi-index (for tests and inspection; not a hot path).
    public subscript(_ i: Int...) -> Int {
        precondition(i.count == shape.count, "IndexTensor subscript: \(i.count) indices for shape \(shape)")
        var offset = 0
        var running = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            precondition(i[axis] >= 0 && i[axis] < shape[axis], "IndexTensor subscript: \(i) out of shape \(shape)")
            offset += i[axis] * running
            running *= shape[axis]
        }
        return indices[offset]
    }
}
