import Autodiff

/// Batch normalization over the channel axis 1 (Ioffe & Szegedy 2015), with PyTorch's `BatchNorm1d` /
/// `BatchNorm2d` semantics:
///
/// ```
/// y = (x − μ) / √(σ² + ε) · γ + β        per channel, μ and σ² over all axes but 1
/// ```
/// In training μ, σ² are the batch statistics (biased σ² for normalising) and the running statistics are updated
/// `running ← (1 − momentum)·running + momentum·batch`, with the *unbiased* batch variance — statistics
/// collected during the entire training. In inference the running statistics are used.
/// The alternative, the means and variances of the whole training data through the final model (the population
/// statistics of Ioffe & Szegedy's inference network, their Algorithm 2), is
/// ``recalibrate(over:unbiased:)`` (given this layer's inputs) or ``recalibrate(_:unbiased:running:)`` (layer by
/// layer through a whole model): it replaces the running statistics by the exact full-data statistics.
/// Parameters `weight` (γ, ones) and `bias` (β, zeros) when `affine`. A reference type: the running statistics
/// and the `isTraining` flag change in place.
///
/// ```swift
/// var generator = RandomGenerator(seed: 0)
/// let norm = BatchNorm1d(featureCount: 4)
/// let model = Sequential([Linear(inputSize: 3, outputSize: 4, using: &generator), norm, Tanh()])
/// let batches = (0..<5).map { _ in Tensor.normal([8, 3], using: &generator) }
/// for batch in batches { _ = model(batch) }        // training: batch statistics, running averages updated
/// BatchNorm.recalibrate([norm]) {                   // option 1: exact statistics of the final model
///     for batch in batches { _ = model(batch) }
/// }
/// norm.isTraining = false                             // inference with the recalibrated statistics
/// print(model(Tensor.normal([1, 3], using: &generator)))
/// ```
public class BatchNorm: Module, @unchecked Sendable {
    /// Number of channels (size of axis 1).
    public let featureCount: Int
    /// Added to the variance for stability.
    public let epsilon: Float
    /// Weight of the new batch in the running statistics.
    public let momentum: Float
    /// γ, shape `[featureCount]`, or `nil` when not affine.
    public let weight: Parameter?
    /// β, shape `[featureCount]`, or `nil` when not affine.
    public let bias: Parameter?
    /// Running mean, shape `[featureCount]` (starts at 0).
    public private(set) var runningMean: Tensor
    /// Running variance, shape `[featureCount]` (starts at 1): the moving average of unbiased batch variances, or
    /// what the last recalibration set.
    public private(set) var runningVariance: Tensor
    /// Batch statistics (training) or running statistics (inference).
    public var isTraining: Bool = true
    /// Ranks accepted: `[2, 3]` for 1-D, `[4]` for 2-D.
    let acceptedRanks: [Int]
    let name: String
    /// While ``recalibrate(_:unbiased:running:)`` collects this layer's statistics: everything it has seen.
    private var collecting: ChannelStatistics?

    init(name: String, acceptedRanks: [Int], featureCount: Int, epsilon: Float, momentum: Float, affine: Bool) {
        precondition(featureCount > 0, "\(name): featureCount \(featureCount) must be positive")
        self.name = name
        self.acceptedRanks = acceptedRanks
        self.featureCount = featureCount
        self.epsilon = epsilon
        self.momentum = momentum
        weight = affine ? Parameter(Tensor.ones([featureCount])) : nil
        bias = affine ? Parameter(Tensor.zeros([featureCount])) : nil
        runningMean = Tensor.zeros([featureCount])
        runningVariance = Tensor.ones([featureCount])
    }

    /// `weight` and `bias` when affine.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        guard let weight, let bias else { return [] }
        return [(name: "weight", parameter: weight), (name: "bias", parameter: bias)]
    }

    /// The normalized input (same shape).
    public func callAsFunction(_ input: Tensor) -> Tensor {
        precondition(
            acceptedRanks.contains(input.rank) && input.shape[1] == featureCount,
            "\(name): input shape \(input.shape) needs rank in \(acceptedRanks) with \(featureCount) channels on axis 1"
        )
        collecting?.add(input)
        if isTraining {
            let reduced = input.count / featureCount
            precondition(reduced > 1, "\(name): training needs more than one value per channel, got \(input.shape)")
            // One op: statistics, normalization and γ, β in three passes forward and two backward (see
            // `Tensor.batchNormalized`), instead of eight broadcasting element-wise ops.
            let (output, batchMean, variance) = Tensor.batchNormalized(
                input, weight: weight?.value, bias: bias?.value, epsilon: epsilon)
            let unbiased = variance.map { $0 * Float(reduced) / Float(reduced - 1) }
            runningMean = Tensor(
                shape: [featureCount],
                scalars: zip(runningMean.scalars, batchMean).map { (1 - momentum) * $0 + momentum * $1 })
            runningVariance = Tensor(
                shape: [featureCount],
                scalars: zip(runningVariance.scalars, unbiased).map { (1 - momentum) * $0 + momentum * $1 })
            return output
        }
        var statisticsShape = [Int](repeating: 1, count: input.rank)
        statisticsShape[1] = featureCount
        let mean = runningMean.reshaped(statisticsShape)
        let scale = (runningVariance + epsilon).sqrt().reshaped(statisticsShape)
        let normalized = (input - mean) / scale
        guard let weight, let bias else { return normalized }
        return normalized * weight.value.reshaped(statisticsShape) + bias.value.reshaped(statisticsShape)
    }

    /// Full-data recalibration (Ioffe & Szegedy 2015, Algorithm 2): sets the running statistics to the exact mean
    /// and variance per channel over all values of `inputs` (this layer's inputs, batch by batch, e.g. the whole
    /// training set through the final model). The variance is the population variance `(1/n) Σ (x − μ)²` (the one
    /// that normalises the full data as one batch), or `(1/(n − 1)) Σ (x − μ)²` with `unbiased`.
    ///
    /// Accumulated in `Double`: a two-pass mean and squared deviation within each batch, merged across batches with
    /// Chan, Golub & LeVeque's pairwise update, so the result does not depend on how the data is split.
    public func recalibrate(over inputs: some Sequence<Tensor>, unbiased: Bool = false) {
        var statistics = ChannelStatistics(featureCount: featureCount)
        for input in inputs {
            precondition(
                acceptedRanks.contains(input.rank) && input.shape[1] == featureCount,
                "\(name).recalibrate: input shape \(input.shape) needs rank in \(acceptedRanks) with "
                    + "\(featureCount) channels on axis 1")
            statistics.add(input)
        }
        setRunningStatistics(statistics, unbiased: unbiased)
    }

    /// Full-data recalibration (Ioffe & Szegedy 2015, Algorithm 2) for a whole model: recalibrates `layers` one
    /// after the other, in the order given (list them in forward order), each from the inputs it receives while
    /// `running` runs the model over the training data — with the layers before it already recalibrated and every
    /// layer in inference mode, so each layer sees exactly what it will see at test time. `running` is called once
    /// per layer; the layers' `isTraining` flags are restored afterwards. See ``recalibrate(over:unbiased:)`` for the
    /// statistics.
    public static func recalibrate(_ layers: [BatchNorm], unbiased: Bool = false, running: () -> Void) {
        let modes = layers.map(\.isTraining)
        for layer in layers { layer.isTraining = false }
        for layer in layers {
            layer.collecting = ChannelStatistics(featureCount: layer.featureCount)
            withoutGradients { running() }
            let statistics = layer.collecting
            layer.collecting = nil
            if let statistics { layer.setRunningStatistics(statistics, unbiased: unbiased) }
        }
        for (layer, mode) in zip(layers, modes) { layer.isTraining = mode }
    }

    private func setRunningStatistics(_ statistics: ChannelStatistics, unbiased: Bool) {
        let count = statistics.count
        precondition(
            count > (unbiased ? 1 : 0),
            "\(name).recalibrate: saw \(count) values per channel; needs at least \(unbiased ? 2 : 1)")
        runningMean = Tensor(shape: [featureCount], scalars: statistics.mean.map { Float($0) })
        let divisor = Double(unbiased ? count - 1 : count)
        runningVariance = Tensor(
            shape: [featureCount], scalars: statistics.squaredDeviations.map { Float($0 / divisor) })
    }
}

/// Per-channel count, mean and sum of squared deviations of `[N, C, …]` tensors seen so far, in `Double`.
private struct ChannelStatistics {
    var count = 0
    var mean: [Double]
    var squaredDeviations: [Double]

    init(featureCount: Int) {
        mean = [Double](repeating: 0, count: featureCount)
        squaredDeviations = [Double](repeating: 0, count: featureCount)
    }

    /// Merges the statistics of `input` (two passes over its values, then Chan et al.'s pairwise combination).
    mutating func add(_ input: Tensor) {
        let channels = mean.count
        let inner = input.shape.dropFirst(2).reduce(1, *)
        let outer = input.shape[0]
        let batchCount = outer * inner
        guard batchCount > 0 else { return }
        var batchMean = [Double](repeating: 0, count: channels)
        var batchDeviations = [Double](repeating: 0, count: channels)
        input.scalars.withUnsafeBufferPointer { x in
            for n in 0..<outer {
                for c in 0..<channels {
                    let base = (n * channels + c) * inner
                    var sum = 0.0
                    for k in 0..<inner { sum += Double(x[base + k]) }
                    batchMean[c] += sum
                }
            }
            for c in 0..<channels { batchMean[c] /= Double(batchCount) }
            for n in 0..<outer {
                for c in 0..<channels {
                    let base = (n * channels + c) * inner
                    var sum = 0.0
                    for k in 0..<inner {
                        let d = Double(x[base + k]) - batchMean[c]
                        sum += d * d
                    }
                    batchDeviations[c] += sum
                }
            }
        }
        let total = Double(count + batchCount)
        for c in 0..<channels {
            let delta = batchMean[c] - mean[c]
            squaredDeviations[c] += batchDeviations[c] + delta * delta * Double(count) * Double(batchCount) / total
            mean[c] += delta * Double(batchCount) / total
        }
        count += batchCount
    }
}

/// Batch normalization of `[N, C]` or `[N, C, L]` inputs (`torch.nn.BatchNorm1d`); see ``BatchNorm``.
public final class BatchNorm1d: BatchNorm, @unchecked Sendable {
    /// A layer with PyTorch's defaults (ε = 1e-5, momentum = 0.1, affine).
    public init(featureCount: Int, epsilon: Float = 1e-5, momentum: Float = 0.1, affine: Bool = true) {
        super.init(
            name: "BatchNorm1d", acceptedRanks: [2, 3], featureCount: featureCount, epsilon: epsilon,
            momentum: momentum, affine: affine)
    }
}

/// Batch normalization of `[N, C, H, W]` inputs (`torch.nn.BatchNorm2d`); see ``BatchNorm``.
public final class BatchNorm2d: BatchNorm, @unchecked Sendable {
    /// A layer with PyTorch's defaults (ε = 1e-5, momentum = 0.1, affine).
    public init(featureCount: Int, epsilon: Float = 1e-5, momentum: Float = 0.1, affine: Bool = true) {
        super.init(
            name: "BatchNorm2d", acceptedRanks: [4], featureCount: featureCount, epsilon: epsilon,
            momentum: momentum, affine: affine)
    }
}
