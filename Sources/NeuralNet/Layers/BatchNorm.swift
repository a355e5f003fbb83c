import Autodiff

/// Batch normalization over the channel axis 1 (Ioffe & Szegedy 2015; §6 of the design notes, "Batch
/// Normalization"), with PyTorch's `BatchNorm1d` / `BatchNorm2d` semantics:
///
/// ```
/// y = (x − μ) / √(σ² + ε) · γ + β        per channel, μ and σ² over all axes but 1
/// ```
/// In training μ, σ² are the batch statistics (biased σ² for normalising) and the running statistics are updated
/// `running ← (1 − momentum)·running + momentum·batch`, with the *unbiased* batch variance — this is option 2 of §6,
/// statistics "collected during the entire training". In inference the running statistics are used.
/// Parameters `weight` (γ, ones) and `bias` (β, zeros) when `affine`. A reference type: the running statistics
/// and the `training` flag change in place.
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
    /// Running unbiased variance, shape `[featureCount]` (starts at 1).
    public private(set) var runningVariance: Tensor
    /// Batch statistics (training) or running statistics (inference).
    public var training: Bool = true
    /// Ranks accepted: `[2, 3]` for 1-D, `[4]` for 2-D.
    let acceptedRanks: [Int]
    let name: String

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
        let axes = [0] + Array(2..<input.rank)
        var statisticsShape = [Int](repeating: 1, count: input.rank)
        statisticsShape[1] = featureCount
        let normalized: Tensor
        if training {
            let reduced = input.count / featureCount
            precondition(reduced > 1, "\(name): training needs more than one value per channel, got \(input.shape)")
            let mean = input.mean(alongAxes: axes, keepingDimensions: true)
            let centered = input - mean
            let variance = (centered * centered).mean(alongAxes: axes, keepingDimensions: true)
            normalized = centered / (variance + epsilon).sqrt()
            let unbiased = variance.detached().scalars.map { $0 * Float(reduced) / Float(reduced - 1) }
            let batchMean = mean.detached().scalars
            runningMean = Tensor(
                shape: [featureCount],
                scalars: zip(runningMean.scalars, batchMean).map { (1 - momentum) * $0 + momentum * $1 })
            runningVariance = Tensor(
                shape: [featureCount],
                scalars: zip(runningVariance.scalars, unbiased).map { (1 - momentum) * $0 + momentum * $1 })
        } else {
            let mean = runningMean.reshaped(statisticsShape)
            let scale = (runningVariance + epsilon).sqrt().reshaped(statisticsShape)
            normalized = (input - mean) / scale
        }
        guard let weight, let bias else { return normalized }
        return normalized * weight.value.reshaped(statisticsShape) + bias.value.reshaped(statisticsShape)
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
