import CBLAS

extension Tensor {
    /// The affine map of a fully connected layer, `x·Wᵀ + b`, as one op: the bias is written into the output rows
    /// and one `cblas_sgemm` accumulates the product onto them (BLAS `β = 1`, as PyTorch's `addmm` does for
    /// `torch.nn.functional.linear`), so no separate broadcast addition, tape node or buffer is needed.
    ///
    /// - Parameters:
    ///   - x: `[m, k]`.
    ///   - weight: `W`, `[n, k]` (PyTorch's `nn.Linear` layout; used transposed in place).
    ///   - bias: `b`, `[n]` (added to every row), or `[m, n]` (one row per row of `x`: a precomputed input projection
    ///     to which a recurrent cell adds `h·W_hhᵀ`).
    /// - Returns: `[m, n]`. Backward: `dx = G·W`, `dW = Gᵀ·x`, `db = Σ_rows G`, written with differentiable ops so
    ///   the result differentiates again.
    public static func affine(_ x: Tensor, weight: Tensor, bias: Tensor) -> Tensor {
        precondition(
            x.rank == 2 && weight.rank == 2 && x.shape[1] == weight.shape[1],
            "affine: needs x [m, k] and weight [n, k], got \(x.shape) and \(weight.shape)")
        precondition(
            bias.shape == [weight.shape[0]] || bias.shape == [x.shape[0], weight.shape[0]],
            "affine: bias shape \(bias.shape) is neither [n] nor [m, n] for x \(x.shape) and weight \(weight.shape)")
        let (m, k, n) = (x.shape[0], x.shape[1], weight.shape[0])
        let scalars = [Float](unsafeUninitializedCapacity: m * n) { out, initialized in
            initialized = m * n
            BufferCache.adviseHugePages(out)
            guard let output = out.baseAddress, m * n > 0 else { return }
            bias.scalars.withUnsafeBufferPointer { b in
                guard let b = b.baseAddress else { return }
                if bias.rank == 2 {
                    output.update(from: b, count: m &* n)
                } else {
                    for row in 0..<m { (output + row &* n).update(from: b, count: n) }
                }
            }
            guard k > 0 else { return }
            x.scalars.withUnsafeBufferPointer { px in
                weight.scalars.withUnsafeBufferPointer { pw in
                    cblas_sgemm(
                        CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k), 1,
                        px.baseAddress, Int32(k), pw.baseAddress, Int32(k), 1, output, Int32(n))
                }
            }
        }
        return recorded("affine", shape: [m, n], scalars: scalars, inputs: [x, weight, bias]) { g, inputs, _ in
            let (x, weight, bias) = (inputs[0], inputs[1], inputs[2])
            return [
                x.isGradientNeeded ? gemm(g, weight, transposeA: false, transposeB: false) : nil,
                weight.isGradientNeeded ? gemm(g, x, transposeA: true, transposeB: false) : nil,
                bias.isGradientNeeded ? g.sumToShape(bias.shape) : nil,
            ]
        }
    }
}
