import CBLAS

/// Matrix products through OpenBLAS `cblas_sgemm`.
extension Tensor {
    /// The matrix product, NumPy `matmul` semantics for rank ≥ 2: the last two axes multiply, leading (batch) axes
    /// broadcast. `[m, k] × [k, n] → [m, n]`; `[…, m, k] × [k, n]` is one GEMM over all rows.
    /// Backward: dA = G·Bᵀ, dB = Aᵀ·G (written with this op, so it differentiates again).
    @inlinable
    public func matmul(_ other: Tensor) -> Tensor { Tensor.matmul(self, other) }

    /// `op(a) · op(b)` where `op` transposes the last two axes when the flag is set. Rank ≥ 2 both.
    public static func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        precondition(
            a.rank >= 2 && b.rank >= 2,
            "matmul: needs rank ≥ 2 operands, got \(a.shape) and \(b.shape) (use reshaped to add an axis)")
        let ka = transposeA ? a.shape[a.rank - 2] : a.shape[a.rank - 1]
        let kb = transposeB ? b.shape[b.rank - 1] : b.shape[b.rank - 2]
        precondition(
            ka == kb,
            "matmul: inner extents differ for \(a.shape)\(transposeA ? "ᵀ" : "") × "
                + "\(b.shape)\(transposeB ? "ᵀ" : "")")
        if a.rank == 2 && b.rank == 2 {
            return gemm(a, b, transposeA: transposeA, transposeB: transposeB)
        }
        if b.rank == 2 && !transposeA {
            // Fold the batch axes of `a` into rows: one GEMM.
            let rows = a.shape.dropLast().reduce(1, *)
            let product = gemm(a.reshaped([rows, ka]), b, transposeA: false, transposeB: transposeB)
            return product.reshaped(Array(a.shape.dropLast()) + [product.shape[1]])
        }
        if a.rank == 2 && !transposeB {
            // One matrix times a batch (a convolution's kernel times each image's patches): every product reads the
            // same A, which is neither copied per batch entry nor has its gradient summed from per-entry copies.
            let count = b.shape.dropLast(2).reduce(1, *)
            let product = sharedLeftGemm(
                a, b.reshaped([count] + b.shape.suffix(2)), transposeA: transposeA)
            return product.reshaped(Array(b.shape.dropLast(2)) + product.shape.suffix(2))
        }
        let batchA = Array(a.shape.dropLast(2))
        let batchB = Array(b.shape.dropLast(2))
        guard let batch = Broadcasting.shape(batchA, batchB) else {
            preconditionFailure("matmul: batch axes \(batchA) and \(batchB) do not broadcast")
        }
        let batchCount = batch.reduce(1, *)
        let a3 = a.expanded(to: batch + a.shape.suffix(2)).reshaped([batchCount] + a.shape.suffix(2))
        let b3 = b.expanded(to: batch + b.shape.suffix(2)).reshaped([batchCount] + b.shape.suffix(2))
        let product = gemm(a3, b3, transposeA: transposeA, transposeB: transposeB)
        return product.reshaped(batch + product.shape.suffix(2))
    }

    /// The primitive: rank-2 operands, or rank-3 operands with the same batch extent.
    @usableFromInline
    static func gemm(_ a: Tensor, _ b: Tensor, transposeA: Bool, transposeB: Bool) -> Tensor {
        let batched = a.rank == 3
        let batch = batched ? a.shape[0] : 1
        let ar = a.shape[a.rank - 2]
        let ac = a.shape[a.rank - 1]
        let br = b.shape[b.rank - 2]
        let bc = b.shape[b.rank - 1]
        let m = transposeA ? ac : ar
        let k = transposeA ? ar : ac
        let n = transposeB ? br : bc
        let outShape = batched ? [batch, m, n] : [m, n]
        let scalars = [Float](unsafeUninitializedCapacity: batch * m * n) { out, initialized in
            initialized = batch * m * n
            BufferCache.adviseHugePages(out)
            a.scalars.withUnsafeBufferPointer { pa in
                b.scalars.withUnsafeBufferPointer { pb in
                    guard let baseA = pa.baseAddress, let baseB = pb.baseAddress, let baseC = out.baseAddress else {
                        return
                    }
                    if k == 0 {
                        for i in 0..<(batch * m * n) { out[i] = 0 }
                        return
                    }
                    for index in 0..<batch {
                        MatrixProductLog.sgemm(
                            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 1,
                            a: baseA + index * ar * ac, lda: ac, b: baseB + index * br * bc, ldb: bc,
                            beta: 0, c: baseC + index * m * n, ldc: n)
                    }
                }
            }
        }
        return recorded(
            "matmul", shape: outShape, scalars: scalars, inputs: [a, b], addsGradientsInPlace: !batched
        ) { g, inputs, _ in
            let (a, b) = (inputs[0], inputs[1])
            var gradA: Tensor? = nil
            var gradB: Tensor? = nil
            if a.isGradientNeeded {
                gradA =
                    transposeA
                    ? gemmGradient(b, g, transposeA: transposeB, transposeB: true, of: a)
                    : gemmGradient(g, b, transposeA: false, transposeB: !transposeB, of: a)
            }
            if b.isGradientNeeded {
                gradB =
                    transposeB
                    ? gemmGradient(g, a, transposeA: true, transposeB: transposeA, of: b)
                    : gemmGradient(a, g, transposeA: !transposeA, transposeB: false, of: b)
            }
            return [gradA, gradB]
        }
    }

    /// A product term of the gradient of `input` in a backward rule: `op(a)·op(b)` for rank-2 operands. In a
    /// first-order pass where `input` already has an accumulated gradient (``GradientAccumulator``), one GEMM adds
    /// the product into it (BLAS `β = 1`) and the result is `nil` (nothing more to add); otherwise the product, as
    /// ``gemm(_:_:transposeA:transposeB:)``. Saves the fresh buffer, BLAS's zeroing of it for `β = 0` and the
    /// pass's elementwise sum — for a weight used at every time step (a decoder's output layer), the bulk of the
    /// non-GEMM work of its backward pass.
    static func gemmGradient(_ a: Tensor, _ b: Tensor, transposeA: Bool, transposeB: Bool, of input: Tensor) -> Tensor?
    {
        guard let accumulator = BackwardPass.accumulator, !GradientMode.isRecording, a.rank == 2, b.rank == 2 else {
            return gemm(a, b, transposeA: transposeA, transposeB: transposeB)
        }
        let m = transposeA ? a.shape[1] : a.shape[0]
        let k = transposeA ? a.shape[0] : a.shape[1]
        let n = transposeB ? b.shape[0] : b.shape[1]
        guard input.shape == [m, n], k > 0 else { return gemm(a, b, transposeA: transposeA, transposeB: transposeB) }
        let added = a.scalars.withUnsafeBufferPointer { pa in
            b.scalars.withUnsafeBufferPointer { pb in
                accumulator.add(into: input, count: m * n) { c in
                    MatrixProductLog.sgemm(
                        transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 1,
                        a: pa.baseAddress, lda: a.shape[1], b: pb.baseAddress, ldb: b.shape[1], beta: 1, c: c, ldc: n)
                }
            }
        }
        return added ? nil : gemm(a, b, transposeA: transposeA, transposeB: transposeB)
    }

    /// `op(A)·B[i]` for every `i` of `b [N, k, n]`, with `a` rank 2 (`op(A)` `[m, k]`): `[N, m, n]`, computed as one
    /// GEMM of A with the entries side by side (`[k, N·n]`), so A is neither copied nor packed per entry. Backward: `dB[i] = op(A)ᵀ·G[i]` (this op again) and `dA = Σᵢ G[i]·B[i]ᵀ` (transposed
    /// when `transposeA`), accumulated by the GEMMs into one buffer in first-order mode and written with
    /// differentiable ops (a batched product and a sum) while recording a graph.
    static func sharedLeftGemm(_ a: Tensor, _ b: Tensor, transposeA: Bool) -> Tensor {
        let (count, k, n) = (b.shape[0], b.shape[1], b.shape[2])
        let m = transposeA ? a.shape[1] : a.shape[0]
        let scalars = [Float](unsafeUninitializedCapacity: count * m * n) { out, initialized in
            initialized = count * m * n
            a.scalars.withUnsafeBufferPointer { pa in
                b.scalars.withUnsafeBufferPointer { pb in
                    guard let baseA = pa.baseAddress, let baseB = pb.baseAddress, let baseC = out.baseAddress else {
                        return
                    }
                    if k == 0 {
                        baseC.update(repeating: 0, count: count * m * n)
                        return
                    }
                    if count == 1 {
                        MatrixProductLog.sgemm(
                            transposeA: transposeA, transposeB: false, m: m, n: n, k: k, alpha: 1,
                            a: baseA, lda: a.shape[1], b: baseB, ldb: n, beta: 0, c: baseC, ldc: n)
                        return
                    }
                    // One GEMM op(A)·[B[0] B[1] …] over all entries side by side (`[k, N·n]`), so A is packed once
                    // and not once per entry, then its column blocks are moved to their entries.
                    let columns = sideBySide(baseB, count: count, rows: k, columns: n)
                    let wide = [Float](unsafeUninitializedCapacity: m * count * n) { pw, written in
                        written = m * count * n
                        columns.withUnsafeBufferPointer { pc in
                            MatrixProductLog.sgemm(
                                transposeA: transposeA, transposeB: false, m: m, n: count * n, k: k, alpha: 1,
                                a: baseA, lda: a.shape[1], b: pc.baseAddress, ldb: count * n, beta: 0,
                                c: pw.baseAddress, ldc: count * n)
                        }
                    }
                    wide.withUnsafeBufferPointer { pw in
                        guard let wideBase = pw.baseAddress else { return }
                        for index in 0..<count {
                            for row in 0..<m {
                                (baseC + (index * m + row) * n).update(
                                    from: wideBase + row * count * n + index * n, count: n)
                            }
                        }
                    }
                }
            }
        }
        return recorded("matmul", shape: [count, m, n], scalars: scalars, inputs: [a, b]) { g, inputs, _ in
            let (a, b) = (inputs[0], inputs[1])
            var gradA: Tensor? = nil
            if a.isGradientNeeded {
                if GradientMode.isRecording && (g.requiresGradient || b.requiresGradient) {
                    let perEntry =
                        transposeA
                        ? gemm(b, g, transposeA: false, transposeB: true)  // B[i]·G[i]ᵀ: [N, k, m]
                        : gemm(g, b, transposeA: false, transposeB: true)  // G[i]·B[i]ᵀ: [N, m, k]
                    gradA = perEntry.sumToShape([1] + a.shape).reshaped(a.shape)
                } else {
                    gradA = summedOverBatch(g, b, transposeA: transposeA, shape: a.shape)
                }
            }
            let gradB = b.isGradientNeeded ? sharedLeftGemm(a, g, transposeA: !transposeA) : nil
            return [gradA, gradB]
        }
    }

    /// `Σᵢ G[i]·B[i]ᵀ` (`[m, k]`), or `Σᵢ B[i]·G[i]ᵀ` (`[k, m]`) when `transposeA`, for `g [N, m, n]` and
    /// `b [N, k, n]`: one GEMM of the entries side by side (`[m, N·n]·[k, N·n]ᵀ`, the sum over entries folded into
    /// the inner dimension). A raw kernel: its result is not differentiable.
    static func summedOverBatch(_ g: Tensor, _ b: Tensor, transposeA: Bool, shape: [Int]) -> Tensor {
        let (count, m, n) = (g.shape[0], g.shape[1], g.shape[2])
        let k = b.shape[1]
        let scalars = [Float](unsafeUninitializedCapacity: m * k) { out, initialized in
            initialized = m * k
            guard let baseC = out.baseAddress else { return }
            if count == 0 || n == 0 {
                baseC.update(repeating: 0, count: m * k)
                return
            }
            g.scalars.withUnsafeBufferPointer { pg in
                b.scalars.withUnsafeBufferPointer { pb in
                    guard let baseG = pg.baseAddress, let baseB = pb.baseAddress else { return }
                    let wideG = count == 1 ? [] : sideBySide(baseG, count: count, rows: m, columns: n)
                    let wideB = count == 1 ? [] : sideBySide(baseB, count: count, rows: k, columns: n)
                    wideG.withUnsafeBufferPointer { pwg in
                        wideB.withUnsafeBufferPointer { pwb in
                            let gi = count == 1 ? baseG : pwg.baseAddress
                            let bi = count == 1 ? baseB : pwb.baseAddress
                            MatrixProductLog.sgemm(
                                transposeA: false, transposeB: true, m: transposeA ? k : m, n: transposeA ? m : k,
                                k: count * n, alpha: 1, a: transposeA ? bi : gi, lda: count * n,
                                b: transposeA ? gi : bi, ldb: count * n, beta: 0, c: baseC, ldc: transposeA ? m : k)
                        }
                    }
                }
            }
        }
        return Tensor(shape: shape, scalars: scalars)
    }

    /// The `count` row-major `[rows, columns]` matrices at `base` placed side by side: `[rows, count·columns]`.
    static func sideBySide(_ base: UnsafePointer<Float>, count: Int, rows: Int, columns: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: count * rows * columns) { out, initialized in
            initialized = count * rows * columns
            guard let target = out.baseAddress else { return }
            for index in 0..<count {
                for row in 0..<rows {
                    (target + row * count * columns + index * columns).update(
                        from: base + (index * rows + row) * columns, count: columns)
                }
            }
        }
    }
}
