import CBLAS

// Several 1-D convolutions of one sequence batch, each followed by ReLU and max-over-time pooling, as one op: the
// feature extractor of Kim 2014's sentence CNN ("Convolutional neural networks for sentence classification") and of
// SeqGAN's discriminator (Yu et al. 2017).
//
// For a batch `x [B, L, E]` (tokens × embedding, row-major) the window of width `w` starting at position `t` is the
// contiguous run `x[b, t..<t+w, :]` of `w·E` scalars, so the patch matrix of one width is a row copy per window
// (no im2col transpose), and the whole bank of that width is one GEMM `[B·T, w·E] × [w·E, F]` (T = L − w + 1). The
// backward pass uses the pooling's sparsity: only the arg-max position of each (sequence, filter) pair receives a
// gradient, so `dW`, `db` and `dx` are `B·F` scaled row additions of length `w·E` instead of two more dense
// convolutions.

extension Tensor {
    /// `concat_i( max_t relu(conv1d(x, W_i) + b_i) )`: ReLU features of several 1-D convolutions pooled by the
    /// maximum over time (Kim 2014; SeqGAN's discriminator, Yu et al. 2017), as one tape node.
    ///
    /// - Parameters:
    ///   - input: `x`, `[B, L, E]` — sequences of `L` positions with `E` channels each (the embedding output, *not*
    ///     transposed to PyTorch's `[B, E, L]`). `L` must be at least the widest kernel.
    ///   - weights: `W_i`, `[F_i, E, w_i]` each (PyTorch's `Conv1d` layout).
    ///   - biases: `b_i`, `[F_i]` each.
    /// - Returns: `[B, Σ F_i]`, the banks side by side in the order given. Values equal those of
    ///   `conv1d(xᵀ, W_i, b_i).relu().max(axis: 2)` concatenated, up to the order of the products' additions.
    ///   Backward: the gradient of each pooled feature goes to its first arg-max position (the unfused ops split it
    ///   evenly between tied maxima, which differ only where positive pre-activations tie exactly). In create-graph
    ///   mode the backward pass is the unfused composition's, so the op differentiates to any order.
    public static func convolutionMaxPool1D(_ input: Tensor, weights: [Tensor], biases: [Tensor]) -> Tensor {
        precondition(input.rank == 3, "convolutionMaxPool1D: input must be [B, L, E], got \(input.shape)")
        precondition(
            !weights.isEmpty && weights.count == biases.count,
            "convolutionMaxPool1D: needs one bias per weight, got \(weights.count) weights and \(biases.count) biases")
        let (batch, length, channels) = (input.shape[0], input.shape[1], input.shape[2])
        for (weight, bias) in zip(weights, biases) {
            precondition(
                weight.rank == 3 && weight.shape[1] == channels && weight.shape[2] >= 1
                    && weight.shape[2] <= length && bias.shape == [weight.shape[0]],
                "convolutionMaxPool1D: weight \(weight.shape) / bias \(bias.shape) do not fit input \(input.shape)")
        }
        let banks = weights.map { (filters: $0.shape[0], width: $0.shape[2]) }
        let featureCount = banks.reduce(0) { $0 + $1.filters }
        // The kernels in [F, w, E] layout (window order), one per bank.
        let windowed = weights.map {
            windowLayout($0.scalars, filters: $0.shape[0], channels: channels, width: $0.shape[2])
        }
        var positions = [Int32](repeating: 0, count: batch * featureCount)
        var output = [Float](repeating: 0, count: batch * featureCount)
        input.scalars.withUnsafeBufferPointer { xb in
            guard let x = xb.baseAddress else { return }
            var offset = 0
            for (bankIndex, bank) in banks.enumerated() {
                let (filters, width) = bank
                let steps = length - width + 1
                let patch = width * channels
                let rows = batch * steps
                let patches = [Float](unsafeUninitializedCapacity: rows * patch) { out, initialized in
                    initialized = rows * patch
                    guard let base = out.baseAddress else { return }
                    for b in 0..<batch {
                        for t in 0..<steps {
                            (base + (b &* steps &+ t) &* patch).update(
                                from: x + (b &* length &+ t) &* channels, count: patch)
                        }
                    }
                }
                var products = [Float](unsafeUninitializedCapacity: rows * filters) { out, initialized in
                    initialized = rows * filters
                    windowed[bankIndex].withUnsafeBufferPointer { wb in
                        patches.withUnsafeBufferPointer { pb in
                            MatrixProductLog.sgemm(
                                transposeA: false, transposeB: true, m: rows, n: filters, k: patch, alpha: 1,
                                a: pb.baseAddress, lda: patch, b: wb.baseAddress, ldb: patch, beta: 0,
                                c: out.baseAddress, ldc: filters)
                        }
                    }
                }
                biases[bankIndex].scalars.withUnsafeBufferPointer { bias in
                    products.withUnsafeMutableBufferPointer { yb in
                        output.withUnsafeMutableBufferPointer { ob in
                            positions.withUnsafeMutableBufferPointer { pb in
                                guard let y = yb.baseAddress, let o = ob.baseAddress, let p = pb.baseAddress else {
                                    return
                                }
                                for b in 0..<batch {
                                    let outRow = o + (b &* featureCount &+ offset)
                                    let positionRow = p + (b &* featureCount &+ offset)
                                    let first = y + b &* steps &* filters
                                    for f in 0..<filters {
                                        outRow[f] = first[f]
                                        positionRow[f] = 0
                                    }
                                    for t in 1..<Swift.max(steps, 1) {
                                        let row = first + t &* filters
                                        for f in 0..<filters where row[f] > outRow[f] {
                                            outRow[f] = row[f]
                                            positionRow[f] = Int32(t)
                                        }
                                    }
                                    for f in 0..<filters { outRow[f] = Swift.max(outRow[f] + bias[f], 0) }
                                }
                            }
                        }
                    }
                }
                offset += filters
            }
        }
        let inputs = [input] + weights + biases
        let argmax = positions
        return recorded("convolutionMaxPool1D", shape: [batch, featureCount], scalars: output, inputs: inputs) {
            g, inputs, y in
            let input = inputs[0]
            let weights = Array(inputs[1...banks.count])
            let biases = Array(inputs[(banks.count + 1)...])
            if GradientMode.isRecording && g.requiresGradient {
                // Create-graph mode: the unfused composition's backward pass, recorded.
                return compositeGradients(g, input: input, weights: weights, biases: biases)
            }
            return sparseBackward(
                g.scalars, output: y.scalars, positions: argmax, input: input, weights: weights, biases: biases,
                windowed: windowed, banks: banks)
        }
    }

    /// `W [F, E, w]` → `[F, w, E]` (`windowed[f, k, e] = W[f, e, k]`); `inverse` maps back.
    static func windowLayout(_ weight: [Float], filters: Int, channels: Int, width: Int, inverse: Bool = false)
        -> [Float]
    {
        let count = filters * channels * width
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            initialized = count
            weight.withUnsafeBufferPointer { source in
                guard let s = source.baseAddress, let d = out.baseAddress else { return }
                for f in 0..<filters {
                    let base = f &* channels &* width
                    for e in 0..<channels {
                        for k in 0..<width {
                            let pytorch = base &+ e &* width &+ k
                            let windowed = base &+ k &* channels &+ e
                            if inverse { d[pytorch] = s[windowed] } else { d[windowed] = s[pytorch] }
                        }
                    }
                }
            }
        }
    }

    /// First-order backward pass: only arg-max positions of active features receive gradient.
    private static func sparseBackward(
        _ g: [Float], output y: [Float], positions: [Int32], input: Tensor, weights: [Tensor], biases: [Tensor],
        windowed: [[Float]], banks: [(filters: Int, width: Int)]
    ) -> [Tensor?] {
        let (batch, length, channels) = (input.shape[0], input.shape[1], input.shape[2])
        let featureCount = banks.reduce(0) { $0 + $1.filters }
        let needsInput = input.isGradientNeeded
        var inputGradient = [Float](repeating: 0, count: needsInput ? input.count : 0)
        var weightGradients: [Tensor?] = []
        var biasGradients: [Tensor?] = []
        // The masked output gradient: g where the feature is active (relu > 0), else 0.
        let masked = zip(g, y).map { $1 > 0 ? $0 : 0 }
        var offset = 0
        input.scalars.withUnsafeBufferPointer { xb in
            masked.withUnsafeBufferPointer { gb in
                positions.withUnsafeBufferPointer { pb in
                    guard let x = xb.baseAddress, let gm = gb.baseAddress, let p = pb.baseAddress else { return }
                    for (bankIndex, bank) in banks.enumerated() {
                        let (filters, width) = bank
                        let patch = width * channels
                        let weightNeeded = weights[bankIndex].isGradientNeeded
                        let biasNeeded = biases[bankIndex].isGradientNeeded
                        if weightNeeded {
                            var windowedGradient = [Float](repeating: 0, count: filters * patch)
                            windowedGradient.withUnsafeMutableBufferPointer { db in
                                guard let d = db.baseAddress else { return }
                                for f in 0..<filters {
                                    let row = d + f &* patch
                                    for b in 0..<batch {
                                        let index = b &* featureCount &+ offset &+ f
                                        let scale = gm[index]
                                        if scale == 0 { continue }
                                        let window = x + (b &* length &+ Int(p[index])) &* channels
                                        for i in 0..<patch { row[i] += scale * window[i] }
                                    }
                                }
                            }
                            weightGradients.append(
                                Tensor(
                                    shape: weights[bankIndex].shape,
                                    scalars: windowLayout(
                                        windowedGradient, filters: filters, channels: channels, width: width,
                                        inverse: true)))
                        } else {
                            weightGradients.append(nil)
                        }
                        if biasNeeded {
                            var sums = [Float](repeating: 0, count: filters)
                            for b in 0..<batch {
                                for f in 0..<filters { sums[f] += gm[b &* featureCount &+ offset &+ f] }
                            }
                            biasGradients.append(Tensor(shape: [filters], scalars: sums))
                        } else {
                            biasGradients.append(nil)
                        }
                        if needsInput {
                            windowed[bankIndex].withUnsafeBufferPointer { wb in
                                inputGradient.withUnsafeMutableBufferPointer { ib in
                                    guard let w = wb.baseAddress, let dx = ib.baseAddress else { return }
                                    for b in 0..<batch {
                                        for f in 0..<filters {
                                            let index = b &* featureCount &+ offset &+ f
                                            let scale = gm[index]
                                            if scale == 0 { continue }
                                            let window = dx + (b &* length &+ Int(p[index])) &* channels
                                            let kernel = w + f &* patch
                                            for i in 0..<patch { window[i] += scale * kernel[i] }
                                        }
                                    }
                                }
                            }
                        }
                        offset += filters
                    }
                }
            }
        }
        let inputResult = needsInput ? Tensor(shape: input.shape, scalars: inputGradient) : nil
        return [inputResult] + weightGradients + biasGradients
    }

    /// The gradients of the unfused composition `conv1d → relu → max over time → concatenate`, recorded, for
    /// create-graph mode.
    private static func compositeGradients(_ g: Tensor, input: Tensor, weights: [Tensor], biases: [Tensor])
        -> [Tensor?]
    {
        let all = [input] + weights + biases
        let targets = all.filter(\.isGradientNeeded)
        guard !targets.isEmpty else { return all.map { _ in nil } }
        let composite = unfusedConvolutionMaxPool1D(input, weights: weights, biases: biases)
        let results = gradients(of: composite, wrt: targets, seed: g, createGraph: true)
        var next = 0
        return all.map { tensor in
            guard tensor.isGradientNeeded else { return nil }
            defer { next += 1 }
            return results[next]
        }
    }

    /// ``convolutionMaxPool1D(_:weights:biases:)`` as separate differentiable ops (conv1d, ReLU, max, concatenate).
    public static func unfusedConvolutionMaxPool1D(_ input: Tensor, weights: [Tensor], biases: [Tensor]) -> Tensor {
        let channelsFirst = input.transposed(1, 2)
        let pooled = zip(weights, biases).map { weight, bias in
            conv1d(channelsFirst, weight: weight, bias: bias).relu().max(axis: 2)
        }
        return pooled.count == 1 ? pooled[0] : Tensor.concatenate(pooled, axis: 1)
    }
}
