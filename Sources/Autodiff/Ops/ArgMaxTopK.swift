/// Positions of extrema: `argmax`/`argmin` (integer-valued, not differentiable) and `topK` (values differentiable,
/// indices as an ``IndexTensor``).
extension Tensor {
    // MARK: - argmax / argmin

    /// The index of the largest scalar along `axis`, NumPy `argmax`: on ties the first index; a NaN counts as the
    /// largest (the first NaN wins). The result has the shape without `axis` (or with extent 1 there when
    /// `keepingDimensions`). Precondition: the axis is not empty.
    public func argmax(axis: Int, keepingDimensions: Bool = false) -> IndexTensor {
        argExtremum("argmax", axis: axis, keepingDimensions: keepingDimensions) { candidate, best in
            candidate > best || (candidate.isNaN && !best.isNaN)
        }
    }

    /// The index of the smallest scalar along `axis`, NumPy `argmin`: on ties the first index; a NaN wins.
    public func argmin(axis: Int, keepingDimensions: Bool = false) -> IndexTensor {
        argExtremum("argmin", axis: axis, keepingDimensions: keepingDimensions) { candidate, best in
            candidate < best || (candidate.isNaN && !best.isNaN)
        }
    }

    /// The row-major (flat) index of the largest scalar, NumPy `argmax()` without an axis; first on ties.
    public func argmax() -> Int { flattened().argmax(axis: 0).indices[0] }

    /// The row-major (flat) index of the smallest scalar, NumPy `argmin()` without an axis; first on ties.
    public func argmin() -> Int { flattened().argmin(axis: 0).indices[0] }

    private func argExtremum(
        _ op: String, axis: Int, keepingDimensions: Bool, _ better: (_ candidate: Float, _ best: Float) -> Bool
    ) -> IndexTensor {
        precondition(rank > 0, "\(op): needs rank ≥ 1, got a scalar")
        let axis = normalizedAxis(axis, op: op)
        let extent = shape[axis]
        precondition(extent > 0, "\(op): axis \(axis) of shape \(shape) is empty")
        let outer = shape[..<axis].reduce(1, *)
        let inner = shape[(axis + 1)...].reduce(1, *)
        var result = [Int](repeating: 0, count: outer * inner)
        var best = [Float](repeating: 0, count: inner)
        scalars.withUnsafeBufferPointer { x in
            result.withUnsafeMutableBufferPointer { result in
                best.withUnsafeMutableBufferPointer { best in
                    for o in 0..<outer {
                        let base = o * extent * inner
                        for i in 0..<inner { best[i] = x[base + i] }
                        for k in 1..<extent {
                            let row = base + k * inner
                            for i in 0..<inner where better(x[row + i], best[i]) {
                                best[i] = x[row + i]
                                result[o * inner + i] = k
                            }
                        }
                    }
                }
            }
        }
        var resultShape = shape
        if keepingDimensions { resultShape[axis] = 1 } else { resultShape.remove(at: axis) }
        return IndexTensor(shape: resultShape, indices: result)
    }

    // MARK: - topK

    /// The `k` largest (or, with `largest: false`, smallest) entries along `axis`, sorted (best first), and their
    /// indices along that axis, like PyTorch `topk(k, dim, largest, sorted=True)`. Ties keep the lower index first;
    /// NaN counts as larger than every number (as PyTorch). Both results have the shape of `self` with extent `k`
    /// at `axis`. The values are differentiable: the gradient flows back to the chosen positions.
    public func topK(_ k: Int, axis: Int = -1, largest: Bool = true) -> (values: Tensor, indices: IndexTensor) {
        precondition(rank > 0, "topK: needs rank ≥ 1, got a scalar")
        let axis = normalizedAxis(axis, op: "topK")
        let extent = shape[axis]
        precondition(k >= 0 && k <= extent, "topK: k = \(k) out of range for axis \(axis) of shape \(shape)")
        let outer = shape[..<axis].reduce(1, *)
        let inner = shape[(axis + 1)...].reduce(1, *)
        var resultShape = shape
        resultShape[axis] = k
        let resultCount = outer * k * inner
        var chosen = [Int](repeating: 0, count: resultCount)
        var values = [Float](repeating: 0, count: resultCount)
        // Strict order "a comes before b"; NaN is the largest value. Ties are broken by index below.
        let precedes: (Float, Float) -> Bool =
            largest
            ? { a, b in a > b || (a.isNaN && !b.isNaN) }
            : { a, b in a < b || (b.isNaN && !a.isNaN) }
        var slice = [Float](repeating: 0, count: extent)
        var order = [Int]()
        order.reserveCapacity(extent)
        scalars.withUnsafeBufferPointer { x in
            for o in 0..<outer {
                for i in 0..<inner {
                    for e in 0..<extent { slice[e] = x[(o * extent + e) * inner + i] }
                    Tensor.selectTop(k, of: slice, into: &order, precedes: precedes)
                    for j in 0..<k {
                        let position = (o * k + j) * inner + i
                        chosen[position] = order[j]
                        values[position] = slice[order[j]]
                    }
                }
            }
        }
        let indices = IndexTensor(shape: resultShape, indices: chosen)
        let result = Tensor.recorded("topK", shape: resultShape, scalars: values, inputs: [self]) { g, _, _ in
            [g.scatteredAlongAxis(indices, axis: axis, extent: extent)]
        }
        return (result, indices)
    }

    /// Fills `order` with the indices of the `k` first elements of `slice` under `precedes` (ties: lower index
    /// first). Small `k`: one pass with an insertion buffer; otherwise a full sort.
    private static func selectTop(
        _ k: Int, of slice: [Float], into order: inout [Int], precedes: (Float, Float) -> Bool
    ) {
        order.removeAll(keepingCapacity: true)
        guard k > 0 else { return }
        if k <= 16 {
            for index in slice.indices {
                let value = slice[index]
                if order.count == k {
                    // Later indices lose ties, so a candidate must strictly precede the current last one.
                    guard let last = order.last, precedes(value, slice[last]) else { continue }
                    order.removeLast()
                }
                var insertAt = order.count
                while insertAt > 0 && precedes(value, slice[order[insertAt - 1]]) { insertAt -= 1 }
                order.insert(index, at: insertAt)
            }
        } else {
            order.append(contentsOf: slice.indices)
            order.sort { a, b in
                precedes(slice[a], slice[b]) || (!precedes(slice[b], slice[a]) && a < b)
            }
            order.removeLast(order.count - k)
        }
    }

    // MARK: - Selection along an axis and its adjoint (used by topK's backward; linear, so higher order works)

    /// Picks `self[…, indices[…, j, …], …]` along `axis`: the result has the shape of `indices`, which must match
    /// `self` on every other axis. Backward: ``scatteredAlongAxis(_:axis:extent:)``.
    func selectedAlongAxis(_ indices: IndexTensor, axis: Int) -> Tensor {
        let extent = shape[axis]
        let picked = indices.shape[axis]
        precondition(
            indices.rank == rank && (0..<rank).allSatisfy { $0 == axis || indices.shape[$0] == shape[$0] },
            "selectedAlongAxis: indices of shape \(indices.shape) do not fit \(shape) at axis \(axis)")
        let outer = shape[..<axis].reduce(1, *)
        let inner = shape[(axis + 1)...].reduce(1, *)
        var result = [Float](repeating: 0, count: indices.count)
        scalars.withUnsafeBufferPointer { x in
            for o in 0..<outer {
                for j in 0..<picked {
                    for i in 0..<inner {
                        let position = (o * picked + j) * inner + i
                        result[position] = x[(o * extent + indices.indices[position]) * inner + i]
                    }
                }
            }
        }
        return Tensor.recorded("selectAlongAxis", shape: indices.shape, scalars: result, inputs: [self]) {
            g, _, _ in [g.scatteredAlongAxis(indices, axis: axis, extent: extent)]
        }
    }

    /// The adjoint of ``selectedAlongAxis(_:axis:)``: zeros with `extent` at `axis`, and each scalar of `self`
    /// added at the position `indices` names. Backward: ``selectedAlongAxis(_:axis:)``.
    func scatteredAlongAxis(_ indices: IndexTensor, axis: Int, extent: Int) -> Tensor {
        precondition(
            indices.shape == shape,
            "scatteredAlongAxis: indices of shape \(indices.shape) differ from values of shape \(shape)")
        let picked = shape[axis]
        var resultShape = shape
        resultShape[axis] = extent
        let outer = shape[..<axis].reduce(1, *)
        let inner = shape[(axis + 1)...].reduce(1, *)
        var result = [Float](repeating: 0, count: outer * extent * inner)
        scalars.withUnsafeBufferPointer { g in
            for o in 0..<outer {
                for j in 0..<picked {
                    for i in 0..<inner {
                        let position = (o * picked + j) * inner + i
                        result[(o * extent + indices.indices[position]) * inner + i] += g[position]
                    }
                }
            }
        }
        return Tensor.recorded("scatterAlongAxis", shape: resultShape, scalars: result, inputs: [self]) {
            g, _, _ in [g.selectedAlongAxis(indices, axis: axis)]
        }
    }
}
