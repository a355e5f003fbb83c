import Foundation

/// A dense, row-major, n-dimensional array of `Float` that can take part in reverse-mode differentiation.
///
/// `Tensor` is a value type: its scalars live in a copy-on-write `[Float]`, so copies are cheap until written.
/// A tensor that requires gradients carries a reference to the ``TapeNode`` that produced it; nodes hold their
/// inputs, never their outputs, so a graph is freed as soon as the last tensor referring to it is dropped.
///
/// ```swift
/// var rng = RandomGenerator(seed: 42)
/// let w = Tensor.normal([3, 2], using: &rng).requiringGradient()
/// let x = Tensor([[1, 2, 3]])
/// let loss = x.matmul(w).tanh().sum()
/// let [dw] = gradients(of: loss, wrt: [w])
/// ```
public struct Tensor: @unchecked Sendable {
    /// The extent of each axis; `[]` for a scalar.
    public let shape: [Int]
    /// The scalars in row-major order; `scalars.count == shape.reduce(1, *)`.
    public let scalars: [Float]
    /// The node that recorded this tensor on the tape, or `nil` when it does not require gradients.
    @usableFromInline internal let node: TapeNode?

    /// Creates a tensor from row-major scalars and a shape. Precondition: the counts agree.
    @inlinable
    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor(shape:scalars:): negative extent in shape \(shape)")
        precondition(
            shape.reduce(1, *) == scalars.count,
            "Tensor(shape:scalars:): shape \(shape) needs \(shape.reduce(1, *)) scalars, got \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
        self.node = nil
    }

    @inlinable
    internal init(shape: [Int], scalars: [Float], node: TapeNode?) {
        self.shape = shape
        self.scalars = scalars
        self.node = node
    }

    /// A rank-0 tensor holding `value`.
    @inlinable
    public init(_ value: Float) { self.init(shape: [], scalars: [value]) }

    /// A rank-1 tensor holding `scalars`.
    @inlinable
    public init(_ scalars: [Float]) { self.init(shape: [scalars.count], scalars: scalars) }

    /// A rank-2 tensor from rows of equal length.
    @inlinable
    public init(_ rows: [[Float]]) {
        let columns = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == columns }, "Tensor([[Float]]): rows differ in length")
        self.init(shape: [rows.count, columns], scalars: rows.flatMap { $0 })
    }

    /// A rank-3 tensor from nested arrays of equal extents.
    @inlinable
    public init(_ matrices: [[[Float]]]) {
        let rows = matrices.first?.count ?? 0
        let columns = matrices.first?.first?.count ?? 0
        precondition(
            matrices.allSatisfy { $0.count == rows && $0.allSatisfy { $0.count == columns } },
            "Tensor([[[Float]]]): ragged nested arrays")
        self.init(shape: [matrices.count, rows, columns], scalars: matrices.flatMap { $0.flatMap { $0 } })
    }

    /// Number of axes.
    @inlinable public var rank: Int { shape.count }
    /// Number of scalars.
    @inlinable public var count: Int { scalars.count }

    /// The single value of a tensor with one scalar (any rank).
    @inlinable
    public var item: Float {
        precondition(scalars.count == 1, "Tensor.item: tensor of shape \(shape) has \(scalars.count) scalars")
        return scalars[0]
    }

    /// Whether gradients flow to this tensor (it is a gradient leaf or was computed from one while recording).
    @inlinable public var requiresGradient: Bool { node != nil }

    /// A copy of this tensor that is a fresh leaf of the tape: gradients can be taken with respect to it.
    public func requiringGradient() -> Tensor {
        Tensor(shape: shape, scalars: scalars, node: TapeNode(leafShape: shape))
    }

    /// The same values with the tape cut: no gradient flows through the result (stop-gradient).
    @inlinable
    public func detached() -> Tensor { Tensor(shape: shape, scalars: scalars, node: nil) }

    /// Same as ``detached()``, named as in PyTorch.
    @inlinable
    public func detach() -> Tensor { detached() }

    /// Row-major strides of `shape`, in scalars.
    @inlinable
    public static func strides(of shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = running
            running *= shape[axis]
        }
        return strides
    }

    /// Turns a possibly negative axis into `0..<rank`, stopping with a message naming `op` when out of range.
    @inlinable
    public func normalizedAxis(_ axis: Int, op: String) -> Int {
        let normalized = axis < 0 ? axis + rank : axis
        precondition(
            normalized >= 0 && normalized < Swift.max(rank, 1),
            "\(op): axis \(axis) out of range for shape \(shape)")
        return normalized
    }

    /// The scalar at a multi-index (for tests and inspection; not a hot path).
    public subscript(_ indices: Int...) -> Float {
        precondition(indices.count == rank, "Tensor subscript: \(indices.count) indices for shape \(shape)")
        var offset = 0
        let strides = Tensor.strides(of: shape)
        for (axis, index) in indices.enumerated() {
            precondition(index >= 0 && index < shape[axis], "Tensor subscript: index \(indices) out of shape \(shape)")
            offset += index * strides[axis]
        }
        return scalars[offset]
    }
}

extension Tensor: CustomStringConvertible {
    /// A compact rendering: shape and up to the first 16 scalars.
    public var description: String {
        let shown = scalars.prefix(16).map { String(format: "%.4g", Double($0)) }.joined(separator: ", ")
        let more = scalars.count > 16 ? ", …" : ""
        return "Tensor(shape: \(shape), [\(shown)\(more)]\(requiresGradient ? ", requiresGradient" : ""))"
    }
}

extension Tensor: Equatable {
    /// Tensors are equal when shapes and scalars are equal; the tape is ignored.
    public static func == (lhs: Tensor, rhs: Tensor) -> Bool {
        lhs.shape == rhs.shape && lhs.scalars == rhs.scalars
    }
}
