/// Sums and means over axes. (Other reductions — variance, max, logsumexp — build on these in their own files.)
extension Tensor {
    /// Normalizes `axes` (negative counts from the end), sorted and without duplicates.
    @inlinable
    public func normalizedAxes(_ axes: [Int], op: String) -> [Int] {
        Array(Set(axes.map { normalizedAxis($0, op: op) })).sorted()
    }

    /// The shape after reducing `axes`: extents become 1 with `keepingDimensions`, else the axes are dropped.
    @inlinable
    public func reducedShape(_ axes: [Int], keepingDimensions: Bool) -> [Int] {
        var result: [Int] = []
        for (axis, extent) in shape.enumerated() {
            if axes.contains(axis) {
                if keepingDimensions { result.append(1) }
            } else {
                result.append(extent)
            }
        }
        return result
    }

    /// The sum of all scalars, as a rank-0 tensor.
    @inlinable
    public func sum() -> Tensor { sum(alongAxes: Array(0..<rank)) }

    /// Sums over `axes`; with `keepingDimensions` the reduced axes stay with extent 1.
    @inlinable
    public func sum(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
        let axes = normalizedAxes(axes, op: "sum")
        let outShape = reducedShape(axes, keepingDimensions: keepingDimensions)
        let keptShape = reducedShape(axes, keepingDimensions: true)
        return Tensor.recorded(
            "sum", shape: outShape, scalars: Tensor.sumRaw(scalars, shape: shape, axes: axes),
            inputs: [self]
        ) { g, inputs, _ in
            [g.reshaped(keptShape).expanded(to: inputs[0].shape)]
        }
    }

    /// Sums over one axis.
    @inlinable
    public func sum(axis: Int, keepingDimensions: Bool = false) -> Tensor {
        sum(alongAxes: [axis], keepingDimensions: keepingDimensions)
    }

    /// The mean of all scalars.
    @inlinable
    public func mean() -> Tensor { sum() / Float(Swift.max(count, 1)) }

    /// The mean over `axes`.
    @inlinable
    public func mean(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
        let axes = normalizedAxes(axes, op: "mean")
        let n = axes.reduce(1) { $0 * shape[$1] }
        return sum(alongAxes: axes, keepingDimensions: keepingDimensions) / Float(Swift.max(n, 1))
    }

    /// The mean over one axis.
    @inlinable
    public func mean(axis: Int, keepingDimensions: Bool = false) -> Tensor {
        mean(alongAxes: [axis], keepingDimensions: keepingDimensions)
    }
}
