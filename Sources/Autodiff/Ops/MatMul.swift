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
                        cblas_sgemm(
                            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans,
                            transposeB ? CblasTrans : CblasNoTrans,
                            Int32(m), Int32(n), Int32(k), 1,
                            baseA + index * ar * ac, Int32(ac),
                            baseB + index * br * bc, Int32(bc),
                            0, baseC + index * m * n, Int32(n))
                    }
                }
            }
        }
        return recorded("matmul", shape: outShape, scalars: scalars, inputs: [a, b]) { g, inputs, _ in
            let (a, b) = (inputs[0], inputs[1])
            var gradA: Tensor? = nil
            var gradB: Tensor? = nil
            if a.isGradientNeeded {
                gradA =
                    transposeA
                    ? gemm(b, g, transposeA: transposeB, transposeB: true)
                    : gemm(g, b, transposeA: false, transposeB: !transposeB)
            }
            if b.isGradientNeeded {
                gradB =
                    transposeB
                    ? gemm(g, a, transposeA: true, transposeB: transposeA)
                    : gemm(a, g, transposeA: !transposeA, transposeB: false)
            }
            return [gradA, gradB]
        }
    }
}
