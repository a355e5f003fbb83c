import NeuralNet

/// The structured latent codes of InfoGAN (Chen et al., "InfoGAN: Interpretable Representation Learning by
/// Information Maximizing Generative Adversarial Nets", NeurIPS 2016): one categorical code with `categories`
/// values (one-hot) and `continuousCount` codes uniform on [−1, 1], appended to the generator's noise.
///
/// The generator and the auxiliary head `Q(c | x)` minimize `λ L_I`, the negative variational lower bound on the
/// mutual information `I(c; G(z, c))` up to the code entropy:
/// ```
/// L_I = E[−log Q(c_cat | x̃)] + ½ E[‖c_cont − μ_Q(x̃)‖²]      (unit-variance Gaussian for continuous codes)
/// ```
public struct InfoGANCodes: Codable, Sendable, Equatable {
    /// Values of the categorical code (0 for none).
    public var categories: Int
    /// Number of continuous codes.
    public var continuousCount: Int

    /// The code layout.
    public init(categories: Int, continuousCount: Int) {
        precondition(categories >= 0 && continuousCount >= 0, "InfoGANCodes: negative sizes")
        self.categories = categories
        self.continuousCount = continuousCount
    }

    /// Width of the code vector appended to the noise (and of Q's output).
    public var width: Int { categories + continuousCount }

    /// A batch of codes: the `[N, width]` vector (one-hot then continuous) and the categorical labels.
    public func sample(count: Int, using generator: inout RandomGenerator) -> (codes: Tensor, labels: [Int]) {
        var scalars = [Float](repeating: 0, count: count * width)
        var labels = [Int](repeating: 0, count: count)
        for row in 0..<count {
            if categories > 0 {
                labels[row] = generator.nextInt(below: categories)
                scalars[row * width + labels[row]] = 1
            }
            for index in 0..<continuousCount {
                scalars[row * width + categories + index] = generator.nextUnitFloat() * 2 - 1
            }
        }
        return (Tensor(shape: [count, width], scalars: scalars), labels)
    }

    /// Codes with a given category for every row and zero continuous codes (for predicting or plotting by class).
    public func codes(category: Int, count: Int) -> Tensor {
        precondition(category >= 0 && category < Swift.max(categories, 1), "InfoGANCodes.codes: category \(category)")
        var scalars = [Float](repeating: 0, count: count * width)
        if categories > 0 { for row in 0..<count { scalars[row * width + category] = 1 } }
        return Tensor(shape: [count, width], scalars: scalars)
    }

    /// Width of Q's output: the categorical logits, a mean per continuous code, and with `learnedVariance` a log
    /// standard deviation per continuous code.
    public func qOutputWidth(learnedVariance: Bool) -> Int {
        categories + continuousCount * (learnedVariance ? 2 : 1)
    }

    /// `L_I` for Q's raw output `[N, width]` (categorical logits then continuous means) and the sampled codes.
    public func mutualInformationLoss(qOutput: Tensor, codes: Tensor, labels: [Int]) -> Tensor {
        mutualInformationLoss(qOutput: qOutput, codes: codes, labels: labels, weights: .init())
    }

    /// How the terms of ``mutualInformationLoss(qOutput:codes:labels:weights:)`` are weighted and read.
    public struct LossWeights: Sendable, Equatable {
        /// λ of the categorical code's term.
        public var categorical: Float
        /// λ of the continuous codes' term (Chen et al. 2016 take it smaller than the categorical one when the
        /// continuous term would otherwise dominate the adversarial loss).
        public var continuous: Float
        /// Q also predicts a log standard deviation per continuous code, and the term is the full Gaussian negative
        /// log-likelihood `½((c − μ)/σ)² + log σ` (up to ½ log 2π) instead of the unit-variance `½(c − μ)²`.
        public var learnedVariance: Bool

        /// Weights 1 and 1, unit variance: the plain `L_I`.
        public init(categorical: Float = 1, continuous: Float = 1, learnedVariance: Bool = false) {
            self.categorical = categorical
            self.continuous = continuous
            self.learnedVariance = learnedVariance
        }
    }

    /// `λ_cat E[−log Q(c_cat | x̃)] + λ_cont E[−log Q(c_cont | x̃)]` for Q's raw output (categorical logits,
    /// continuous means, then with a learned variance the log standard deviations; ``qOutputWidth(learnedVariance:)``
    /// columns) and the sampled codes.
    public func mutualInformationLoss(qOutput: Tensor, codes: Tensor, labels: [Int], weights: LossWeights) -> Tensor {
        var loss = Tensor(0)
        if categories > 0 && weights.categorical != 0 {
            loss =
                loss + crossEntropy(logits: qOutput.slice(axis: 1, range: 0..<categories), targets: labels)
                * weights.categorical
        }
        if continuousCount > 0 && weights.continuous != 0 {
            let predicted = qOutput.slice(axis: 1, range: categories..<width)
            let target = codes.slice(axis: 1, range: categories..<width)
            let term: Tensor
            if weights.learnedVariance {
                let logScale = qOutput.slice(axis: 1, range: width..<(width + continuousCount))
                let standardized = (predicted - target) * (-logScale).exp()
                term = (standardized.squared() * 0.5 + logScale).sum(axis: 1).mean()
            } else {
                term = (predicted - target).squared().sum(axis: 1).mean() * 0.5
            }
            loss = loss + term * weights.continuous
        }
        return loss
    }

    /// For Q's categorical logits `[N, K]` on real data: the mean entropy of Q's prediction per sample and the entropy
    /// of the batch's mean prediction — the two terms of Springenberg's CatGAN ("Unsupervised and Semi-supervised
    /// Learning with Categorical Generative Adversarial Networks", ICLR 2016), whose discriminator wants each real
    /// sample assigned confidently (low conditional entropy) and the assignments spread over all categories (high
    /// marginal entropy). Added to InfoGAN's critic as `w · (conditional − marginal)`, it makes the code values
    /// partition the real data, so two code values cannot settle on the same cluster while another has none.
    public static func realCodeEntropies(logits: Tensor) -> (conditional: Tensor, marginal: Tensor) {
        let logProbabilities = logits.logSoftmax(axis: 1)
        let probabilities = logProbabilities.exp()
        let conditional = -(probabilities * logProbabilities).sum(axis: 1).mean()
        let marginalProbabilities = probabilities.mean(axis: 0)
        let marginal = -(marginalProbabilities * (marginalProbabilities + 1e-8).log()).sum()
        return (conditional, marginal)
    }
}
