import Foundation

// Sampling from categorical distributions given by logits, and the differentiable log-probability of the samples
// (the score function of REINFORCE / policy gradient: Williams, "Simple Statistical Gradient-Following Algorithms
// for Connectionist Reinforcement Learning", 1992).

/// One class index per row of `logits` (`[N, C]`, or any rank with classes on the last axis; `[C]` gives one
/// sample), drawn from `softmax(logits / temperature)` by inverting the cumulative distribution with one uniform
/// draw per row (computed in `Double`, max-shifted, so large logits are safe). As `torch.multinomial(softmax(x), 1)`.
public func sampleCategorical(
    logits: Tensor, temperature: Float = 1, using generator: inout RandomGenerator
) -> [Int] {
    precondition(
        logits.rank >= 1 && logits.shape[logits.rank - 1] > 0,
        "sampleCategorical: logits need rank ≥ 1 and at least one class, got shape \(logits.shape)")
    precondition(temperature > 0, "sampleCategorical: temperature \(temperature) must be > 0 (logits \(logits.shape))")
    let classes = logits.shape[logits.rank - 1]
    let rows = logits.count / classes
    let inverseTemperature = 1 / Double(temperature)
    var samples = [Int](repeating: 0, count: rows)
    var weights = [Double](repeating: 0, count: classes)
    logits.scalars.withUnsafeBufferPointer { px in
        for row in 0..<rows {
            let base = row * classes
            var maximum = -Double.infinity
            for c in 0..<classes { maximum = Swift.max(maximum, Double(px[base + c])) }
            precondition(
                maximum.isFinite,
                "sampleCategorical: row \(row) of logits \(logits.shape) has no finite maximum")
            var total = 0.0
            for c in 0..<classes {
                weights[c] = Foundation.exp((Double(px[base + c]) - maximum) * inverseTemperature)
                total += weights[c]
            }
            let threshold = generator.nextUnitDouble() * total
            var running = 0.0
            var chosen = -1
            for c in 0..<classes where weights[c] > 0 {
                chosen = c  // the last class with mass, should rounding leave the threshold unreached
                running += weights[c]
                if threshold < running { break }
            }
            samples[row] = chosen
        }
    }
    return samples
}

/// `log softmax(logits)[row, samples[row]]` for each row: the log-probability of the sampled classes, shape `[N]` for
/// `[N, C]` logits (the leading axes of `logits` in general). Differentiable to any order in `logits` (a constant
/// one-hot selection of ``Tensor/logSoftmax(axis:)``); for tempered sampling pass `logits / temperature`.
public func logProbability(of samples: [Int], logits: Tensor) -> Tensor {
    precondition(logits.rank >= 1, "logProbability: logits need rank ≥ 1, got shape \(logits.shape)")
    let classes = logits.shape[logits.rank - 1]
    let rows = logits.count / Swift.max(classes, 1)
    let selection = Tensor(
        shape: logits.shape,
        scalars: ClassDistribution.scalars(
            indices: samples, outer: rows, classes: classes, inner: 1,
            op: "logProbability", shape: logits.shape))
    return (selection * logits.logSoftmax(axis: -1)).sum(axis: -1)
}
