/// NumPy broadcasting rules: shapes are aligned at their trailing axes; an axis of extent 1 (or a missing one)
/// stretches to match the other.
public enum Broadcasting {
    /// The broadcast shape of `a` and `b`, or `nil` when they are incompatible.
    @inlinable
    public static func shape(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = Swift.max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            if da == db || db == 1 {
                result[i] = da
            } else if da == 1 {
                result[i] = db
            } else {
                return nil
            }
        }
        return result
    }

    /// Strides for reading a tensor of `shape` as if it had `target` shape (0 on stretched axes).
    @inlinable
    public static func strides(reading shape: [Int], as target: [Int]) -> [Int] {
        let offset = target.count - shape.count
        let natural = Tensor.strides(of: shape)
        var result = [Int](repeating: 0, count: target.count)
        for i in 0..<shape.count where shape[i] != 1 || target[i + offset] == 1 {
            result[i + offset] = shape[i] == 1 ? 0 : natural[i]
        }
        return result
    }
}

/// Raw kernels on unsafe buffers. They never record; differentiable ops call them and record a backward rule.
public enum Kernels {
    /// Applies `body(a, b)` elementwise with broadcasting into a new array of `outputShape`.
    @inlinable @inline(__always)
    public static func binary(
        _ a: Tensor, _ b: Tensor, outputShape: [Int], _ body: (Float, Float) -> Float
    ) -> [Float] {
        let count = outputShape.reduce(1, *)
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            initialized = count
            a.scalars.withUnsafeBufferPointer { pa in
                b.scalars.withUnsafeBufferPointer { pb in
                    if a.shape == b.shape && a.count == count {
                        for i in 0..<count { out[i] = body(pa[i], pb[i]) }
                    } else if pb.count == 1 && pa.count == count {
                        let y = pb[0]
                        for i in 0..<count { out[i] = body(pa[i], y) }
                    } else if pa.count == 1 && pb.count == count {
                        let x = pa[0]
                        for i in 0..<count { out[i] = body(x, pb[i]) }
                    } else {
                        broadcastLoop(
                            pa, Broadcasting.strides(reading: a.shape, as: outputShape),
                            pb, Broadcasting.strides(reading: b.shape, as: outputShape),
                            out, outputShape, body)
                    }
                }
            }
        }
    }

    @inlinable @inline(__always)
    static func broadcastLoop(
        _ pa: UnsafeBufferPointer<Float>, _ sa: [Int], _ pb: UnsafeBufferPointer<Float>, _ sb: [Int],
        _ out: UnsafeMutableBufferPointer<Float>, _ shape: [Int], _ body: (Float, Float) -> Float
    ) {
        let rank = shape.count
        guard rank > 0, out.count > 0 else {
            if out.count == 1 { out[0] = body(pa[0], pb[0]) }
            return
        }
        let inner = shape[rank - 1]
        let ia = sa[rank - 1]
        let ib = sb[rank - 1]
        let outer = out.count / inner
        var index = [Int](repeating: 0, count: rank)
        var offsetA = 0
        var offsetB = 0
        for row in 0..<outer {
            let base = row * inner
            if ia == 1 && ib == 1 {
                for j in 0..<inner { out[base + j] = body(pa[offsetA + j], pb[offsetB + j]) }
            } else if ia == 0 && ib == 1 {
                let x = pa[offsetA]
                for j in 0..<inner { out[base + j] = body(x, pb[offsetB + j]) }
            } else if ia == 1 && ib == 0 {
                let y = pb[offsetB]
                for j in 0..<inner { out[base + j] = body(pa[offsetA + j], y) }
            } else {
                for j in 0..<inner { out[base + j] = body(pa[offsetA + j * ia], pb[offsetB + j * ib]) }
            }
            // Advance the multi-index over the outer axes.
            var axis = rank - 2
            while axis >= 0 {
                index[axis] += 1
                offsetA += sa[axis]
                offsetB += sb[axis]
                if index[axis] < shape[axis] { break }
                offsetA -= sa[axis] * shape[axis]
                offsetB -= sb[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }

    /// Applies `body` to every scalar.
    @inlinable @inline(__always)
    public static func unary(_ x: [Float], _ body: (Float) -> Float) -> [Float] {
        let count = x.count
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            x.withUnsafeBufferPointer { px in
                for i in 0..<count { out[i] = body(px[i]) }
            }
            initialized = count
        }
    }

    /// Applies `body(x, y)` to two arrays of the same length.
    @inlinable @inline(__always)
    public static func zip(_ x: [Float], _ y: [Float], _ body: (Float, Float) -> Float) -> [Float] {
        precondition(x.count == y.count, "Kernels.zip: \(x.count) vs \(y.count) scalars")
        let count = x.count
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            x.withUnsafeBufferPointer { px in
                y.withUnsafeBufferPointer { py in
                    for i in 0..<count { out[i] = body(px[i], py[i]) }
                }
            }
            initialized = count
        }
    }

    /// Applies `body(x, y, z)` to three arrays of the same length.
    @inlinable @inline(__always)
    public static func zip3(_ x: [Float], _ y: [Float], _ z: [Float], _ body: (Float, Float, Float) -> Float)
        -> [Float]
    {
        precondition(x.count == y.count && y.count == z.count, "Kernels.zip3: lengths differ")
        let count = x.count
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            x.withUnsafeBufferPointer { px in
                y.withUnsafeBufferPointer { py in
                    z.withUnsafeBufferPointer { pz in
                        for i in 0..<count { out[i] = body(px[i], py[i], pz[i]) }
                    }
                }
            }
            initialized = count
        }
    }

    /// Reduces axis 1 of `x` viewed as `[outer, extent, inner]` with `combine`, starting from `initial`.
    @inlinable @inline(__always)
    public static func reduce(
        _ x: [Float], outer: Int, extent: Int, inner: Int, initial: Float, _ combine: (Float, Float) -> Float
    ) -> [Float] {
        let count = outer * inner
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            for i in 0..<count { out[i] = initial }
            x.withUnsafeBufferPointer { px in
                for o in 0..<outer {
                    let outBase = o * inner
                    for k in 0..<extent {
                        let inBase = (o * extent + k) * inner
                        for i in 0..<inner { out[outBase + i] = combine(out[outBase + i], px[inBase + i]) }
                    }
                }
            }
            initialized = count
        }
    }

    /// Sums axis 1 of `x` viewed as `[outer, extent, inner]`; specialized so the compiler vectorizes it.
    ///
    /// Large sums are split over ``parallelFor(_:cost:_:)`` by output element (rows when `inner` is 1, column
    /// blocks otherwise): each output is summed by one thread in the same order, whatever the thread count.
    @inlinable
    public static func sum(_ x: [Float], outer: Int, extent: Int, inner: Int) -> [Float] {
        let count = outer * inner
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            initialized = count
            x.withUnsafeBufferPointer { px in
                guard let source = px.baseAddress, let target = out.baseAddress else { return }
                if inner == 1 {
                    parallelFor(outer, cost: extent) { rows in
                        for o in rows { target[o] = sumContiguous(source + o * extent, extent) }
                    }
                    return
                }
                // Split by output rows when there are several, else by column blocks of the single row.
                let (blocks, rows) = outer > 1 ? (outer, 1) : (inner, outer)
                parallelFor(blocks, cost: count / blocks * extent) { range in
                    let (rowRange, columns) = outer > 1 ? (range, 0..<inner) : (0..<rows, range)
                    for o in rowRange {
                        let row = target + o * inner
                        for i in columns { row[i] = 0 }
                        for k in 0..<extent {
                            let input = source + (o * extent + k) * inner
                            for i in columns { row[i] += input[i] }
                        }
                    }
                }
            }
        }
    }

    /// The largest of `count` contiguous floats (−∞ when `count` is 0), eight lanes at a time. NaNs are passed over,
    /// as by the scalar chain `m = Swift.max(m, x)` from −∞. Used by the fused cross-entropy.
    ///
    /// - Important: `pointer` must address `count` initialized floats for the call.
    @inlinable @inline(__always)
    public static func maximumContiguous(_ pointer: UnsafePointer<Float>, _ count: Int) -> Float {
        var lanes = SIMD8<Float>(repeating: -.infinity)
        var index = 0
        let raw = UnsafeRawPointer(pointer)
        while index &+ 8 <= count {
            let values = raw.loadUnaligned(fromByteOffset: index &* 4, as: SIMD8<Float>.self)
            lanes.replace(with: values, where: values .> lanes)
            index &+= 8
        }
        var result = lanes.max()
        while index < count {
            result = Swift.max(result, pointer[index])
            index &+= 1
        }
        return result
    }

    /// The sum of `count` contiguous floats with 16-wide SIMD accumulators.
    ///
    /// - Important: A kernel for code that already holds a tensor's storage (`withUnsafeBufferPointer`); `pointer`
    ///   must address `count` initialized floats for the call. `Tensor.sum()` is the safe form.
    @inlinable @inline(__always)
    public static func sumContiguous(_ pointer: UnsafePointer<Float>, _ count: Int) -> Float {
        var accumulator = SIMD16<Float>(repeating: 0)
        var index = 0
        let raw = UnsafeRawPointer(pointer)
        while index + 16 <= count {
            accumulator += raw.loadUnaligned(fromByteOffset: index * 4, as: SIMD16<Float>.self)
            index += 16
        }
        var total = accumulator.sum()
        while index < count {
            total += pointer[index]
            index += 1
        }
        return total
    }

    /// Writes the `columns × rows` transpose of a row-major `rows × columns` matrix, in cache-sized blocks.
    @inlinable
    public static func transpose(
        _ source: UnsafePointer<Float>, _ target: UnsafeMutablePointer<Float>, rows: Int, columns: Int
    ) {
        let block = 16
        var i0 = 0
        while i0 < rows {
            let i1 = i0 + block < rows ? i0 + block : rows
            var j0 = 0
            while j0 < columns {
                let j1 = j0 + block < columns ? j0 + block : columns
                var i = i0
                while i < i1 {
                    let sourceRow = source + i * columns
                    var j = j0
                    while j < j1 {
                        target[j * rows + i] = sourceRow[j]
                        j += 1
                    }
                    i += 1
                }
                j0 = j1
            }
            i0 = i1
        }
    }

    /// Copies `x` of `shape` into the axis order `permutation` (output axis i is input axis permutation[i]).
    public static func permute(_ x: [Float], shape: [Int], permutation: [Int]) -> [Float] {
        let rank = shape.count
        let count = x.count
        let inStrides = Tensor.strides(of: shape)
        let outShape = permutation.map { shape[$0] }
        let readStrides = permutation.map { inStrides[$0] }
        if rank == 2 && permutation == [1, 0] {
            let rows = shape[0]
            let columns = shape[1]
            return [Float](unsafeUninitializedCapacity: count) { out, initialized in
                x.withUnsafeBufferPointer { px in
                    guard let source = px.baseAddress, let target = out.baseAddress else { return }
                    transpose(source, target, rows: rows, columns: columns)
                }
                initialized = count
            }
        }
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            initialized = count
            guard count > 0 else { return }
            x.withUnsafeBufferPointer { px in
                let inner = outShape[rank - 1]
                let innerStride = readStrides[rank - 1]
                var index = [Int](repeating: 0, count: rank)
                var offset = 0
                var position = 0
                while position < count {
                    for j in 0..<inner { out[position + j] = px[offset + j * innerStride] }
                    position += inner
                    var axis = rank - 2
                    while axis >= 0 {
                        index[axis] += 1
                        offset += readStrides[axis]
                        if index[axis] < outShape[axis] { break }
                        offset -= readStrides[axis] * outShape[axis]
                        index[axis] = 0
                        axis -= 1
                    }
                }
            }
        }
    }
}
