import Foundation

/// Reductions beyond sum and mean: variance, standard deviation, max, min and log-sum-exp, over any set of axes
/// (negative axes count from the end; `keepingDimensions` keeps reduced axes with extent 1), each beside its
/// backward rule. The whole-tensor forms reduce every axis to a rank-0 tensor.
extension Tensor {
    // MARK: - Variance and standard deviation

    /// The variance over `axes`: Σ(x − x̄)²/(n − δ) with δ = 1 when `unbiased`, else 0.
    ///
    /// The default is the population variance (δ = 0), as NumPy's `var` (`ddof=0`) — note that PyTorch's `var`
    /// defaults to the unbiased estimator. With `unbiased` and n = 1 the result is NaN, as in PyTorch.
    /// Backward: ∂/∂x = 2(x − x̄)/(n − δ)·g, written with `mean` so it differentiates again.
    public func variance(alongAxes axes: [Int], keepingDimensions: Bool = false, unbiased: Bool = false) -> Tensor {
        let axes = normalizedAxes(axes, op: "variance")
        let n = axes.reduce(1) { $0 * shape[$1] }
        let divisor = Float(n - (unbiased ? 1 : 0))
        let kept = reducedShape(axes, keepingDimensions: true)
        let inverseCount = 1 / Float(Swift.max(n, 1))
        let sums = Tensor.sumRaw(scalars, shape: shape, axes: axes)
        let means = Tensor(shape: kept, scalars: sums.map { $0 * inverseCount })
        let squares = Kernels.binary(self, means, outputShape: shape) { x, mean in (x - mean) * (x - mean) }
        let squareSums = Tensor.sumRaw(squares, shape: shape, axes: axes)
        return Tensor.recorded(
            "variance", shape: reducedShape(axes, keepingDimensions: keepingDimensions),
            scalars: squareSums.map { $0 / divisor }, inputs: [self]
        ) { g, inputs, _ in
            let x = inputs[0]
            return [(x - x.mean(alongAxes: axes, keepingDimensions: true)) * (g.reshaped(kept) * (2 / divisor))]
        }
    }

    /// The variance over one axis (population by default; see ``variance(alongAxes:keepingDimensions:unbiased:)``).
    public func variance(axis: Int, keepingDimensions: Bool = false, unbiased: Bool = false) -> Tensor {
        variance(alongAxes: [axis], keepingDimensions: keepingDimensions, unbiased: unbiased)
    }

    /// The variance of all scalars (population by default).
    public func variance(unbiased: Bool = false) -> Tensor {
        variance(alongAxes: Array(0..<rank), unbiased: unbiased)
    }

    /// The standard deviation √variance over `axes` (population by default, as NumPy's `std`).
    /// Its gradient is infinite or NaN where the variance is 0, as in PyTorch.
    public func standardDeviation(alongAxes axes: [Int], keepingDimensions: Bool = false, unbiased: Bool = false)
        -> Tensor
    {
        variance(alongAxes: axes, keepingDimensions: keepingDimensions, unbiased: unbiased).sqrt()
    }

    /// The standard deviation over one axis (population by default).
    public func standardDeviation(axis: Int, keepingDimensions: Bool = false, unbiased: Bool = false) -> Tensor {
        standardDeviation(alongAxes: [axis], keepingDimensions: keepingDimensions, unbiased: unbiased)
    }

    /// The standard deviation of all scalars (population by default).
    public func standardDeviation(unbiased: Bool = false) -> Tensor {
        standardDeviation(alongAxes: Array(0..<rank), unbiased: unbiased)
    }

    // MARK: - Max and min

    /// The largest scalar over `axes` (NaN propagates). Every reduced extent must be positive.
    ///
    /// The gradient goes to the maximal entries; when several entries tie for the maximum it is split evenly among
    /// them (as PyTorch's `amax` and TensorFlow's `reduce_max`), so the rule is symmetric in the tied entries.
    public func max(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
        extremum("max", axes: axes, keepingDimensions: keepingDimensions, initial: -.infinity) { best, x in
            best > x || best.isNaN ? best : x
        }
    }

    /// The largest scalar over one axis; see ``max(alongAxes:keepingDimensions:)``.
    public func max(axis: Int, keepingDimensions: Bool = false) -> Tensor {
        max(alongAxes: [axis], keepingDimensions: keepingDimensions)
    }

    /// The largest scalar, as a rank-0 tensor; ties split the gradient evenly.
    public func max() -> Tensor { max(alongAxes: Array(0..<rank)) }

    /// The smallest scalar over `axes` (NaN propagates); ties split the gradient evenly (as PyTorch's `amin`).
    public func min(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
        extremum("min", axes: axes, keepingDimensions: keepingDimensions, initial: .infinity) { best, x in
            best < x || best.isNaN ? best : x
        }
    }

    /// The smallest scalar over one axis; see ``min(alongAxes:keepingDimensions:)``.
    public func min(axis: Int, keepingDimensions: Bool = false) -> Tensor {
        min(alongAxes: [axis], keepingDimensions: keepingDimensions)
    }

    /// The smallest scalar, as a rank-0 tensor; ties split the gradient evenly.
    public func min() -> Tensor { min(alongAxes: Array(0..<rank)) }

    /// Max or min: reduce with `combine`; backward sends g to the entries equal to the result, split evenly.
    private func extremum(
        _ op: String, axes: [Int], keepingDimensions: Bool, initial: Float, _ combine: (Float, Float) -> Float
    ) -> Tensor {
        let axes = normalizedAxes(axes, op: op)
        for axis in axes {
            precondition(shape[axis] > 0, "\(op): cannot reduce the empty axis \(axis) of shape \(shape)")
        }
        let kept = reducedShape(axes, keepingDimensions: true)
        let values = Tensor.reduceRaw(scalars, shape: shape, axes: axes, initial: initial, combine)
        return Tensor.recorded(
            op, shape: reducedShape(axes, keepingDimensions: keepingDimensions), scalars: values,
            inputs: [self]
        ) { g, inputs, output in
            let x = inputs[0]
            // Constant weights: 1/(number of ties) at the entries equal to the extremum, 0 elsewhere.
            let hits = Kernels.binary(x, Tensor(shape: kept, scalars: output.scalars), outputShape: x.shape) {
                $0 == $1 ? 1 : 0
            }
            let counts = Tensor(shape: kept, scalars: Tensor.sumRaw(hits, shape: x.shape, axes: axes))
            let weights = Kernels.binary(Tensor(shape: x.shape, scalars: hits), counts, outputShape: x.shape) {
                $0 == 0 ? 0 : $0 / $1
            }
            return [g.reshaped(kept) * Tensor(shape: x.shape, scalars: weights)]
        }
    }

    // MARK: - Log-sum-exp

    /// log Σ exp(x) over `axes`, computed stably as m + log Σ exp(x − m) with m the maximum (so
    /// `logSumExp([1000, 1000]) = 1000 + log 2`, and rows of −∞ give −∞). Every reduced extent must be positive.
    /// Backward: ∂/∂x = g·exp(x − y) (the softmax), written with the output so it differentiates again.
    public func logSumExp(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
        let axes = normalizedAxes(axes, op: "logSumExp")
        for axis in axes {
            precondition(shape[axis] > 0, "logSumExp: cannot reduce the empty axis \(axis) of shape \(shape)")
        }
        let kept = reducedShape(axes, keepingDimensions: true)
        // Shift by the maximum; an infinite maximum (all −∞, or +∞ present) shifts by 0 so no ∞ − ∞ arises.
        let shifts = Tensor.reduceRaw(scalars, shape: shape, axes: axes, initial: -.infinity) { best, x in
            best > x || best.isNaN ? best : x
        }.map { $0.isFinite ? $0 : 0 }
        let shifted = Kernels.binary(self, Tensor(shape: kept, scalars: shifts), outputShape: shape, -)
        let exponentials = Kernels.exp(shifted)
        let sums = Tensor.sumRaw(exponentials, shape: shape, axes: axes)
        let values = Kernels.zip(sums, shifts) { Foundation.log($0) + $1 }
        return Tensor.recorded(
            "logSumExp", shape: reducedShape(axes, keepingDimensions: keepingDimensions),
            scalars: values, inputs: [self]
        ) { g, inputs, output in
            let x = inputs[0]
            return [g.reshaped(kept) * (x - output.reshaped(kept)).exp()]
        }
    }

    /// log Σ exp(x) over one axis; see ``logSumExp(alongAxes:keepingDimensions:)``.
    public func logSumExp(axis: Int, keepingDimensions: Bool = false) -> Tensor {
        logSumExp(alongAxes: [axis], keepingDimensions: keepingDimensions)
    }

    /// log Σ exp(x) over all scalars, as a rank-0 tensor.
    public func logSumExp() -> Tensor { logSumExp(alongAxes: Array(0..<rank)) }

    /// Raw reduction over `axes` with `combine` (associative), one axis at a time; the result has the reduced count.
    @inlinable
    static func reduceRaw(
        _ scalars: [Float], shape: [Int], axes: [Int], initial: Float, _ combine: (Float, Float) -> Float
    ) -> [Float] {
        var current = scalars
        var currentShape = shape
        for axis in axes.sorted(by: >) {
            let outer = currentShape[..<axis].reduce(1, *)
            let inner = currentShape[(axis + 1)...].reduce(1, *)
            let extent = currentShape[axis]
            if inner == 1 {
                current = reduceRows(current, rows: outer, length: extent, initial: initial, combine)
            } else {
                current = Kernels.reduce(current, outer: outer, extent: extent, inner: inner, initial: initial, combine)
            }
            currentShape[axis] = 1
        }
        return current
    }

    /// Reduces each contiguous row (the last axis) into a register accumulator: several times faster than the
    /// general `[outer, extent, inner]` kernel when `inner` is 1 (softmax / logSumExp over classes).
    @inlinable
    static func reduceRows(
        _ x: [Float], rows: Int, length: Int, initial: Float, _ combine: (Float, Float) -> Float
    ) -> [Float] {
        [Float](unsafeUninitializedCapacity: rows) { out, initialized in
            x.withUnsafeBufferPointer { px in
                for row in 0..<rows {
                    let base = row * length
                    var accumulator = initial
                    for k in 0..<length { accumulator = combine(accumulator, px[base + k]) }
                    out[row] = accumulator
                }
            }
            initialized = rows
        }
    }
}
