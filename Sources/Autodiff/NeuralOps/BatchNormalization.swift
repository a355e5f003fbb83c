extension Tensor {
    /// Batch normalization with batch statistics over every axis but the channel axis 1 (Ioffe & Szegedy, "Batch
    /// Normalization: Accelerating Deep Network Training by Reducing Internal Covariate Shift", ICML 2015, their
    /// Algorithm 1), as one op:
    ///
    /// ```
    /// μ_c = mean of x over all axes but 1      σ²_c = mean of (x − μ_c)²  (biased)
    /// y = (x − μ_c) / √(σ²_c + ε) · γ_c + β_c
    /// ```
    ///
    /// The forward pass is three passes over `x` (mean, variance, output) on raw pointers instead of the eight
    /// broadcasting element-wise ops of the composition; the first-order backward pass is two (the per-channel sums
    /// `Σ g` and `Σ g·x̂`, then `dx = γ/σ · (g − Σg/M − x̂·Σg·x̂/M)` with `M` values per channel). Under
    /// `gradients(of:wrt:createGraph: true)` the backward pass is written with differentiable ops, so the result
    /// differentiates to any order. Values equal the composition's up to rounding.
    ///
    /// - Parameters:
    ///   - x: `[N, C]` or `[N, C, …]`, with more than one value per channel.
    ///   - weight: γ, `[C]`, or `nil` for 1.
    ///   - bias: β, `[C]`, or `nil` for 0.
    ///   - epsilon: added to the variance.
    /// - Returns: the normalized tensor (shape of `x`) and the batch mean and biased batch variance per channel
    ///   (constants, for running statistics).
    public static func batchNormalized(
        _ x: Tensor, weight: Tensor?, bias: Tensor?, epsilon: Float
    ) -> (output: Tensor, mean: [Float], variance: [Float]) {
        precondition(x.rank >= 2, "batchNormalized: needs x of rank ≥ 2 with channels on axis 1, got \(x.shape)")
        let layout = ChannelLayout(x.shape)
        precondition(
            layout.valuesPerChannel > 1,
            "batchNormalized: needs more than one value per channel, got \(x.shape)")
        for (name, tensor) in [("weight", weight), ("bias", bias)] {
            guard let tensor else { continue }
            precondition(
                tensor.shape == [layout.channels],
                "batchNormalized: \(name) shape \(tensor.shape) is not [\(layout.channels)] for x \(x.shape)")
        }
        let (mean, variance) = layout.meanAndVariance(x.scalars)
        let standardDeviations = variance.map { ($0 + epsilon).squareRoot() }
        let gamma = weight?.scalars ?? [Float](repeating: 1, count: layout.channels)
        let beta = bias?.scalars ?? [Float](repeating: 0, count: layout.channels)
        // y = (x − μ)·(γ/σ) + β.
        let scales = (0..<layout.channels).map { gamma[$0] / standardDeviations[$0] }
        let scalars = layout.channelAffine(x.scalars, scales: scales, centers: mean, shifts: beta)
        var inputs = [x]
        if let weight { inputs.append(weight) }
        if let bias { inputs.append(bias) }
        let (hasWeight, hasBias) = (weight != nil, bias != nil)
        let output = recorded("batchNormalized", shape: x.shape, scalars: scalars, inputs: inputs) { g, inputs, _ in
            let x = inputs[0]
            let weight = hasWeight ? inputs[1] : nil
            let bias = hasBias ? inputs[hasWeight ? 2 : 1] : nil
            var result: [Tensor?]
            if GradientMode.isRecording {
                result = batchNormalizationBackwardRecorded(
                    g, x: x, weight: weight, epsilon: epsilon, layout: layout)
            } else {
                result = batchNormalizationBackwardRaw(
                    g, x: x, weight: weight, mean: mean, standardDeviations: standardDeviations, layout: layout,
                    needsInputGradient: x.isGradientNeeded)
            }
            if !x.isGradientNeeded { result[0] = nil }
            if let weight, !weight.isGradientNeeded { result[1] = nil }
            if !hasWeight { result.remove(at: 1) }
            if let bias, !bias.isGradientNeeded { result[result.count - 1] = nil }
            if !hasBias { result.removeLast() }
            return result
        }
        return (output, mean, variance)
    }

    /// `[dx, dγ, dβ]` with differentiable ops (create-graph mode): the statistics are recomputed from `x` on the
    /// tape, so second derivatives through them are exact.
    private static func batchNormalizationBackwardRecorded(
        _ g: Tensor, x: Tensor, weight: Tensor?, epsilon: Float, layout: ChannelLayout
    ) -> [Tensor?] {
        let axes = [0] + Array(2..<x.rank)
        let statisticsShape = layout.statisticsShape(rank: x.rank)
        let mean = x.mean(alongAxes: axes, keepingDimensions: true)
        let centered = x - mean
        let variance = (centered * centered).mean(alongAxes: axes, keepingDimensions: true)
        let standardDeviation = (variance + epsilon).sqrt()
        let normalized = centered / standardDeviation
        let gNormalizedMean = (g * normalized).mean(alongAxes: axes, keepingDimensions: true)
        let gMean = g.mean(alongAxes: axes, keepingDimensions: true)
        var scale = 1 / standardDeviation
        if let weight { scale = scale * weight.reshaped(statisticsShape) }
        let dx = scale * (g - gMean - normalized * gNormalizedMean)
        let dWeight = (g * normalized).sum(alongAxes: axes).reshaped([layout.channels])
        let dBias = g.sum(alongAxes: axes).reshaped([layout.channels])
        return [dx, dWeight, dBias]
    }

    /// `[dx, dγ, dβ]` in two passes over raw buffers (first order).
    private static func batchNormalizationBackwardRaw(
        _ g: Tensor, x: Tensor, weight: Tensor?, mean: [Float], standardDeviations: [Float], layout: ChannelLayout,
        needsInputGradient: Bool
    ) -> [Tensor?] {
        let channels = layout.channels
        let inverse = standardDeviations.map { 1 / $0 }
        // Σ g and Σ g·x̂ per channel, x̂ = (x − μ)/σ.
        let (gSums, gNormalizedSums) = layout.gradientSums(
            g.scalars, x.scalars, centers: mean, inverseScales: inverse)
        var dx: Tensor?
        if needsInputGradient {
            let gamma = weight?.scalars ?? [Float](repeating: 1, count: channels)
            let count = Float(layout.valuesPerChannel)
            // dx = γ/σ · (g − Σg/M − x̂·Σg·x̂/M) = a·g + b·(x − μ) + c per channel.
            var a = [Float](repeating: 0, count: channels)
            var b = [Float](repeating: 0, count: channels)
            var c = [Float](repeating: 0, count: channels)
            for channel in 0..<channels {
                let s = gamma[channel] * inverse[channel]
                a[channel] = s
                b[channel] = -s * (gNormalizedSums[channel] / count) * inverse[channel]
                c[channel] = -s * (gSums[channel] / count)
            }
            dx = Tensor(
                shape: x.shape, scalars: layout.linearCombination(g.scalars, x.scalars, a: a, b: b, c: c, centers: mean)
            )
        }
        return [
            dx,
            Tensor(shape: [channels], scalars: gNormalizedSums),
            Tensor(shape: [channels], scalars: gSums),
        ]
    }
}

/// A tensor of shape `[N, C, inner…]` seen as `N · C` contiguous runs of `inner` values, the runs of channel `c`
/// at `(n·C + c)·inner`. With `inner == 1` (a `[N, C]` matrix) the loops run along rows instead, so they vectorize
/// over channels.
struct ChannelLayout: Sendable {
    let outer: Int
    let channels: Int
    let inner: Int

    init(_ shape: [Int]) {
        outer = shape[0]
        channels = shape[1]
        inner = shape.dropFirst(2).reduce(1, *)
    }

    var valuesPerChannel: Int { outer * inner }

    func statisticsShape(rank: Int) -> [Int] {
        var shape = [Int](repeating: 1, count: rank)
        shape[1] = channels
        return shape
    }

    /// Calls `body(channel, start)` for every run: `start` is the run's offset.
    @inline(__always)
    private func forEachRun(_ body: (_ channel: Int, _ start: Int) -> Void) {
        var start = 0
        for _ in 0..<outer {
            for channel in 0..<channels {
                body(channel, start)
                start &+= inner
            }
        }
    }

    /// The mean and the biased variance (two passes: the mean, then the mean squared deviation) per channel.
    func meanAndVariance(_ x: [Float]) -> (mean: [Float], variance: [Float]) {
        var sums = [Float](repeating: 0, count: channels)
        var squares = [Float](repeating: 0, count: channels)
        let count = Float(valuesPerChannel)
        x.withUnsafeBufferPointer { xb in
            guard let xp = xb.baseAddress else { return }
            sums.withUnsafeMutableBufferPointer { sb in
                guard let sp = sb.baseAddress else { return }
                if inner == 1 {
                    for row in 0..<outer {
                        let xr = xp + row &* channels
                        for c in 0..<channels { sp[c] += xr[c] }
                    }
                } else {
                    forEachRun { channel, start in
                        var total: Float = 0
                        for k in 0..<inner { total += xp[start &+ k] }
                        sp[channel] += total
                    }
                }
                for c in 0..<channels { sp[c] /= count }
                squares.withUnsafeMutableBufferPointer { qb in
                    guard let qp = qb.baseAddress else { return }
                    if inner == 1 {
                        for row in 0..<outer {
                            let xr = xp + row &* channels
                            for c in 0..<channels {
                                let d = xr[c] - sp[c]
                                qp[c] += d * d
                            }
                        }
                    } else {
                        forEachRun { channel, start in
                            let center = sp[channel]
                            var total: Float = 0
                            for k in 0..<inner {
                                let d = xp[start &+ k] - center
                                total += d * d
                            }
                            qp[channel] += total
                        }
                    }
                    for c in 0..<channels { qp[c] /= count }
                }
            }
        }
        return (sums, squares)
    }

    /// `(x − center_c)·scale_c + shift_c` for every value.
    func channelAffine(_ x: [Float], scales: [Float], centers: [Float], shifts: [Float]) -> [Float] {
        [Float](unsafeUninitializedCapacity: x.count) { out, initialized in
            initialized = x.count
            x.withUnsafeBufferPointer { xb in
                scales.withUnsafeBufferPointer { sb in
                    centers.withUnsafeBufferPointer { cb in
                        shifts.withUnsafeBufferPointer { hb in
                            guard let xp = xb.baseAddress, let op = out.baseAddress, let sp = sb.baseAddress,
                                let cp = cb.baseAddress, let hp = hb.baseAddress
                            else { return }
                            if inner == 1 {
                                for row in 0..<outer {
                                    let (xr, orow) = (xp + row &* channels, op + row &* channels)
                                    for c in 0..<channels { orow[c] = (xr[c] - cp[c]) * sp[c] + hp[c] }
                                }
                            } else {
                                forEachRun { channel, start in
                                    let (scale, center, shift) = (sp[channel], cp[channel], hp[channel])
                                    for k in 0..<inner {
                                        op[start &+ k] = (xp[start &+ k] - center) * scale + shift
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Per channel: `Σ g` and `Σ g·(x − center)·inverseScale`.
    func gradientSums(_ g: [Float], _ x: [Float], centers: [Float], inverseScales: [Float]) -> ([Float], [Float]) {
        var gSums = [Float](repeating: 0, count: channels)
        var products = [Float](repeating: 0, count: channels)
        g.withUnsafeBufferPointer { gb in
            x.withUnsafeBufferPointer { xb in
                gSums.withUnsafeMutableBufferPointer { sb in
                    products.withUnsafeMutableBufferPointer { pb in
                        guard let gp = gb.baseAddress, let xp = xb.baseAddress, let sp = sb.baseAddress,
                            let pp = pb.baseAddress
                        else { return }
                        if inner == 1 {
                            centers.withUnsafeBufferPointer { mb in
                                guard let mp = mb.baseAddress else { return }
                                for row in 0..<outer {
                                    let (gr, xr) = (gp + row &* channels, xp + row &* channels)
                                    for c in 0..<channels {
                                        sp[c] += gr[c]
                                        pp[c] += gr[c] * (xr[c] - mp[c])
                                    }
                                }
                            }
                        } else {
                            forEachRun { channel, start in
                                let center = centers[channel]
                                var (total, product): (Float, Float) = (0, 0)
                                for k in 0..<inner {
                                    let gv = gp[start &+ k]
                                    total += gv
                                    product += gv * (xp[start &+ k] - center)
                                }
                                sp[channel] += total
                                pp[channel] += product
                            }
                        }
                        for c in 0..<channels { pp[c] *= inverseScales[c] }
                    }
                }
            }
        }
        return (gSums, products)
    }

    /// `a_c·g + b_c·(x − center_c) + c_c` for every value.
    func linearCombination(
        _ g: [Float], _ x: [Float], a: [Float], b: [Float], c: [Float], centers: [Float]
    ) -> [Float] {
        [Float](unsafeUninitializedCapacity: x.count) { out, initialized in
            initialized = x.count
            g.withUnsafeBufferPointer { gb in
                x.withUnsafeBufferPointer { xb in
                    a.withUnsafeBufferPointer { ab in
                        b.withUnsafeBufferPointer { bb in
                            c.withUnsafeBufferPointer { cb in
                                centers.withUnsafeBufferPointer { mb in
                                    guard let gp = gb.baseAddress, let xp = xb.baseAddress,
                                        let op = out.baseAddress, let ap = ab.baseAddress, let bp = bb.baseAddress,
                                        let cp = cb.baseAddress, let mp = mb.baseAddress
                                    else { return }
                                    if inner == 1 {
                                        for row in 0..<outer {
                                            let offset = row &* channels
                                            let (gr, xr, orow) = (gp + offset, xp + offset, op + offset)
                                            for j in 0..<channels {
                                                orow[j] = ap[j] * gr[j] + (bp[j] * (xr[j] - mp[j]) + cp[j])
                                            }
                                        }
                                    } else {
                                        forEachRun { channel, start in
                                            let (av, bv, cv, mv) = (ap[channel], bp[channel], cp[channel], mp[channel])
                                            for k in 0..<inner {
                                                op[start &+ k] = av * gp[start &+ k] + (bv * (xp[start &+ k] - mv) + cv)
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
