import Foundation

/// Cross-entropy between logits and class indices, with PyTorch's `torch.nn.functional.cross_entropy` semantics
/// (no class weights): `ignore_index`, `label_smoothing`, `reduction`, and inputs `[N, C]`, `[N, C, d₁, …]` or `[C]`.
///
/// Per position with target `t` (not ignored) and smoothing `ε`, the target distribution is
/// ```
/// qₖ = (1 − ε)·[k = t] + ε / C
/// ℓ = −Σₖ qₖ · logSoftmax(logits)ₖ
/// ```
/// `.mean` divides the sum by the number of non-ignored positions (NaN when every position is ignored, as in
/// PyTorch); `.none` returns `[N, d₁, …]` (or a scalar for `[C]` logits) with 0 at ignored positions.
///
/// The distribution `q` is a constant tensor and `logSoftmax` is differentiable to any order, so the loss is too.
///
/// - Parameters:
///   - logits: unnormalized scores, classes on axis 1 (axis 0 for rank 1).
///   - targets: one class index per position, in the row-major order of `[N, d₁, …]`.
///   - ignoreIndex: positions whose target equals it contribute nothing (PyTorch's `ignore_index`).
///   - labelSmoothing: `ε` in `[0, 1]`.
///   - reduction: `.mean` (default), `.sum` or `.none`.
public func crossEntropy(
    logits: Tensor, targets: [Int], ignoreIndex: Int? = nil, labelSmoothing: Float = 0,
    reduction: LossReduction = .mean
) -> Tensor {
    precondition(
        logits.rank >= 1,
        "crossEntropy: logits need rank ≥ 1 ([N, C, …] or [C]), got shape \(logits.shape)")
    precondition(
        (0...1).contains(labelSmoothing),
        "crossEntropy: labelSmoothing \(labelSmoothing) not in [0, 1] (logits \(logits.shape))")
    if logits.rank == 1 {
        let batched = crossEntropy(
            logits: logits.reshaped([1, logits.shape[0]]), targets: targets, ignoreIndex: ignoreIndex,
            labelSmoothing: labelSmoothing, reduction: reduction)
        return reduction == .none ? batched.reshaped([]) : batched
    }
    let batch = logits.shape[0]
    let inner = logits.shape[2...].reduce(1, *)
    precondition(
        targets.count == batch * inner,
        "crossEntropy: \(targets.count) targets for logits of shape \(logits.shape) "
            + "(needs N·d₁·… = \(batch * inner))")
    let losses = Tensor.crossEntropyLosses(
        logits: logits, targets: targets, ignoreIndex: ignoreIndex, labelSmoothing: labelSmoothing)
    switch reduction {
    case .none:
        return losses
    case .sum:
        return losses.sum()
    case .mean:
        let counted =
            ignoreIndex.map { ignored in targets.reduce(0) { $0 + ($1 == ignored ? 0 : 1) } }
            ?? targets.count
        return losses.sum() / Float(counted)
    }
}

extension Tensor {
    /// Per-position cross-entropy `[N, d…]` of logits `[N, C, d…]`: one fused op.
    ///
    /// Forward, one pass per row: `ℓ = logsumexp(x) − Σ_c q_c·x_c` with the (smoothed) target distribution `q`,
    /// never materializing `log_softmax`. Backward: `∂ℓ/∂x = (softmax(x) − q)·g`. When nothing is recorded the rule
    /// runs as one raw pass from the saved log-sum-exp values; in create-graph mode it is written with
    /// ``softmax(axis:)`` so it differentiates again.
    static func crossEntropyLosses(logits: Tensor, targets: [Int], ignoreIndex: Int?, labelSmoothing: Float) -> Tensor {
        let batch = logits.shape[0]
        let classes = logits.shape[1]
        let inner = logits.shape[2...].reduce(1, *)
        precondition(classes > 0, "crossEntropy: logits \(logits.shape) have no classes")
        let lossShape = [batch] + Array(logits.shape[2...])
        let logitsShape = logits.shape
        let offValue = labelSmoothing / Float(classes)
        let onValue = 1 - labelSmoothing + offValue
        for target in targets where target != ignoreIndex {
            precondition(
                target >= 0 && target < classes,
                "crossEntropy: class index \(target) out of range 0..<\(classes) for logits \(logitsShape)")
        }
        let positions = batch * inner
        var logSumExps = [Float](repeating: 0, count: positions)
        var losses = [Float](repeating: 0, count: positions)
        // Rows split over threads; each row's max, log-sum-exp and loss are taken by one thread (deterministic).
        logits.scalars.withUnsafeBufferPointer { x in
            logSumExps.withUnsafeMutableBufferPointer { logSumExps in
                losses.withUnsafeMutableBufferPointer { losses in
                    Kernels.parallelFor(positions, cost: classes) { range in
                        let rowBase = UnsafeMutablePointer<Float>.allocate(capacity: classes)
                        defer { rowBase.deallocate() }
                        for position in range {
                            let (o, i) = position.quotientAndRemainder(dividingBy: inner)
                            let base = o * classes * inner + i
                            var maximum = -Float.infinity
                            if inner == 1, let row = x.baseAddress.map({ $0 + base }) {
                                // Classes contiguous (logits [N, C]): SIMD maximum and an exponential map the
                                // compiler vectorizes (the strided loops below do not).
                                maximum = Kernels.maximumContiguous(row, classes)
                                for c in 0..<classes {
                                    rowBase[c] = Kernels.exponentialInRange(Swift.max(row[c] - maximum, -87))
                                }
                            } else {
                                for c in 0..<classes { maximum = Swift.max(maximum, x[base + c * inner]) }
                                // e^(x − max) into a row buffer (a vectorizable map), then a SIMD sum.
                                for c in 0..<classes {
                                    rowBase[c] = Kernels.exponentialInRange(
                                        Swift.max(x[base + c * inner] - maximum, -87))
                                }
                            }
                            let logSumExp = maximum + Foundation.log(Kernels.sumContiguous(rowBase, classes))
                            logSumExps[position] = logSumExp
                            let target = targets[position]
                            if target == ignoreIndex { continue }
                            var picked = onValue * x[base + target * inner]
                            if offValue != 0 {
                                var rowSum: Float = 0
                                for c in 0..<classes { rowSum += x[base + c * inner] }
                                picked += offValue * (rowSum - x[base + target * inner])
                            }
                            losses[position] = logSumExp - picked
                        }
                    }
                }
            }
        }
        let savedLogSumExps = logSumExps
        return recorded("crossEntropy", shape: lossShape, scalars: losses, inputs: [logits]) { g, inputs, _ in
            let logits = inputs[0]
            if GradientMode.isRecording && (g.requiresGradient || logits.requiresGradient) {
                let distribution = Tensor(
                    shape: logitsShape,
                    scalars: ClassDistribution.scalars(
                        indices: targets, outer: batch, classes: classes, inner: inner, onValue: onValue,
                        offValue: offValue, ignoreIndex: ignoreIndex, op: "crossEntropy", shape: logitsShape))
                let mask = Tensor(shape: lossShape, scalars: targets.map { $0 == ignoreIndex ? 0 : 1 })
                return [(logits.softmax(axis: 1) - distribution) * (g * mask).unsqueezed(axis: 1)]
            }
            let count = logits.count
            let scalars = [Float](unsafeUninitializedCapacity: count) { out, initialized in
                initialized = count
                BufferCache.adviseHugePages(out)
                logits.scalars.withUnsafeBufferPointer { x in
                    g.scalars.withUnsafeBufferPointer { gradient in
                        Kernels.parallelFor(batch * inner, cost: classes) { range in
                            for position in range {
                                let (o, i) = position.quotientAndRemainder(dividingBy: inner)
                                let base = o * classes * inner + i
                                let target = targets[position]
                                if target == ignoreIndex {
                                    for c in 0..<classes { out[base + c * inner] = 0 }
                                    continue
                                }
                                let scale = gradient[position]
                                let shift = savedLogSumExps[position]
                                if inner == 1, let row = x.baseAddress.map({ $0 + base }),
                                    let outRow = out.baseAddress.map({ $0 + base })
                                {
                                    for c in 0..<classes {
                                        let probability = Kernels.exponentialInRange(
                                            Swift.min(Swift.max(row[c] - shift, -87), 0))
                                        outRow[c] = scale * (probability - offValue)
                                    }
                                    outRow[target] -= scale * (onValue - offValue)
                                    continue
                                }
                                for c in 0..<classes {
                                    let probability = Kernels.exponentialInRange(
                                        Swift.min(Swift.max(x[base + c * inner] - shift, -87), 0))
                                    out[base + c * inner] = scale * (probability - offValue)
                                }
                                out[base + target * inner] -= scale * (onValue - offValue)
                            }
                        }
                    }
                }
            }
            return [Tensor(shape: logitsShape, scalars: scalars)]
        }
    }
}
