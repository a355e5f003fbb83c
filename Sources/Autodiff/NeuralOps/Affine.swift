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
    ///   the result differentiates again; in a first-order pass the products are added straight into gradients
    ///   already accumulated for `x` or `W` (``gemmGradient(_:_:transposeA:transposeB:of:)``).
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
                    MatrixProductLog.sgemm(
                        transposeA: false, transposeB: true, m: m, n: n, k: k, alpha: 1,
                        a: px.baseAddress, lda: k, b: pw.baseAddress, ldb: k, beta: 1, c: output, ldc: n)
                }
            }
        }
        return recorded(
            "affine", shape: [m, n], scalars: scalars, inputs: [x, weight, bias], addsGradientsInPlace: true
        ) { g, inputs, _ in
            let (x, weight, bias) = (inputs[0], inputs[1], inputs[2])
            return [
                x.isGradientNeeded ? gemmGradient(g, weight, transposeA: false, transposeB: false, of: x) : nil,
                weight.isGradientNeeded ? gemmGradient(g, x, transposeA: true, transposeB: false, of: weight) : nil,
                bias.isGradientNeeded ? g.sumToShape(bias.shape) : nil,
            ]
        }
    }
}

extension Tensor {
    /// `relu(x·Wᵀ + b)` as one tape node, made by ``relu()`` when its input is the result of
    /// ``affine(_:weight:bias:)``: the node takes the affine map's inputs (`x`, `W`, `b`) directly, so the backward
    /// pass masks the output gradient and sums the bias gradient in one pass over `[m, n]` and then runs the two
    /// GEMMs, instead of a ReLU backward pass, a separate bias reduction and one more buffer and node. Values equal
    /// those of the two ops in sequence (the same forward kernel on the same pre-activations); gradients equal up
    /// to the order of the bias sum's additions. The pre-activation tensor stays an ordinary `affine` result, so
    /// code that also uses it elsewhere gets its gradients through its own node.
    @usableFromInline
    static func affineReLU(preActivation: Tensor, x: Tensor, weight: Tensor, bias: Tensor) -> Tensor {
        let scalars = Kernels.unary(preActivation.scalars) { Swift.max($0, 0) }
        let shape = preActivation.shape
        return recorded(
            "affineReLU", shape: shape, scalars: scalars, inputs: [x, weight, bias], addsGradientsInPlace: true
        ) { g, inputs, y in
            let (x, weight, bias) = (inputs[0], inputs[1], inputs[2])
            let masked: Tensor
            var biasGradient: Tensor?
            if GradientMode.isRecording && g.requiresGradient {
                masked = g * y.constantMap { $0 > 0 ? 1 : 0 }
                biasGradient = bias.isGradientNeeded ? masked.sumToShape(bias.shape) : nil
            } else {
                let sumsColumns = bias.isGradientNeeded && bias.rank == 1
                (masked, biasGradient) = reluBackwardWithColumnSums(g, output: y, sumColumns: sumsColumns)
                if bias.isGradientNeeded && !sumsColumns { biasGradient = masked }  // a per-row bias [m, n]
            }
            return [
                x.isGradientNeeded ? gemmGradient(masked, weight, transposeA: false, transposeB: false, of: x) : nil,
                weight.isGradientNeeded
                    ? gemmGradient(masked, x, transposeA: true, transposeB: false, of: weight) : nil,
                biasGradient,
            ]
        }
    }

    /// `G ⊙ [y > 0]` for `[m, n]` tensors and, with `sumColumns`, its column sums (`[n]`, added row after row), in
    /// one pass over raw row pointers, eight lanes at a time with a select (a branch per element would mispredict
    /// on half of them).
    static func reluBackwardWithColumnSums(_ g: Tensor, output y: Tensor, sumColumns: Bool) -> (Tensor, Tensor?) {
        typealias Lanes = SIMD8<Float>
        let (m, n) = (y.shape[0], y.shape[1])
        var sums = [Float](repeating: 0, count: sumColumns ? n : 0)
        let masked = [Float](unsafeUninitializedCapacity: m * n) { out, initialized in
            initialized = m * n
            g.scalars.withUnsafeBufferPointer { gb in
                y.scalars.withUnsafeBufferPointer { yb in
                    sums.withUnsafeMutableBufferPointer { sb in
                        guard let gp = gb.baseAddress, let yp = yb.baseAddress, let op = out.baseAddress else { return }
                        // (An empty array's buffer may still have a base address: test the flag, not it.)
                        let sp = sumColumns ? sb.baseAddress : nil
                        let zero = Lanes(repeating: 0)
                        for row in 0..<m {
                            let (gr, yr, outRow) = (gp + row &* n, yp + row &* n, op + row &* n)
                            var j = 0
                            while j &+ Lanes.scalarCount <= n {
                                let yv = UnsafeRawPointer(yr + j).loadUnaligned(as: Lanes.self)
                                let gv = UnsafeRawPointer(gr + j).loadUnaligned(as: Lanes.self)
                                let value = zero.replacing(with: gv, where: yv .> zero)
                                UnsafeMutableRawPointer(outRow + j).storeBytes(of: value, as: Lanes.self)
                                if let sp {
                                    let total = UnsafeRawPointer(sp + j).loadUnaligned(as: Lanes.self) + value
                                    UnsafeMutableRawPointer(sp + j).storeBytes(of: total, as: Lanes.self)
                                }
                                j &+= Lanes.scalarCount
                            }
                            while j < n {
                                let value: Float = yr[j] > 0 ? gr[j] : 0
                                outRow[j] = value
                                if let sp { sp[j] += value }
                                j &+= 1
                            }
                        }
                    }
                }
            }
        }
        return (
            Tensor(shape: [m, n], scalars: masked), sumColumns ? Tensor(shape: [n], scalars: sums) : nil
        )
    }
}
