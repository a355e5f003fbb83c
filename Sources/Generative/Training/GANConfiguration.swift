import NeuralNet

/// How the generator's last layer maps to data space.
public enum GeneratorOutput: String, Codable, Sendable, CaseIterable {
    /// No activation (real-valued points).
    case identity
    /// The logistic function (grey levels in [0, 1], e.g. digits).
    case sigmoid
}

/// Everything that defines a GAN run of ``GANTrainer``: sizes, method, its options, optimization and seed. Stored
/// in the model directory's manifest, so a run can be resumed and its samples redrawn.
public struct GANConfiguration: Codable, Sendable, Equatable {
    /// The training method.
    public var method: GANMethod
    /// Data dimensions (2 for the toys, 64 for digits).
    public var dataSize: Int
    /// Noise dimensions (the latent size for VAE-GAN and BiGAN).
    public var noiseSize = 8
    /// Width of every hidden layer.
    public var hiddenSize = 128
    /// Hidden layers of the generator, critic and encoders.
    public var hiddenLayers = 3
    /// Width of the generator's hidden layers when it differs from ``hiddenSize`` (nil: the same). PacGAN's 2-D
    /// experiments (Lin et al. 2018) pair a generator of 4 hidden layers of 400 units with a critic of 3 maxout
    /// layers of 200.
    public var generatorHiddenSize: Int?
    /// Hidden layers of the generator when they differ from ``hiddenLayers`` (nil: the same).
    public var generatorHiddenLayers: Int?
    /// The generator's output activation.
    public var output = GeneratorOutput.identity
    /// Discriminator (critic) updates per generator update (Goodfellow et al. 2014, Algorithm 1's k).
    public var discriminatorSteps = 1
    /// Samples per batch.
    public var batchSize = 256
    /// Adam step size of every optimizer.
    public var learningRate: Float = 1e-4
    /// Adam β₁.
    public var beta1: Float = 0.5
    /// Adam β₂.
    public var beta2: Float = 0.999
    /// PacGAN packing (Lin et al., "PacGAN: The power of two samples in generative adversarial networks", NeurIPS
    /// 2018): the critic sees this many samples concatenated (1: no packing). Plain-critic methods only.
    public var packing = 1
    /// LSGAN codes (fake, real, generator target).
    public var leastSquaresCodes: [Float] = [0, 1, 1]
    /// WGAN's clipping bound.
    public var clippingBound: Float = 0.01
    /// WGAN-GP's λ.
    public var penaltyWeight: Float = 10
    /// WGAN-GP's penalty form.
    public var penaltyForm = WGANGradientPenalty.Form.twoSided
    /// EBGAN's margin.
    public var energyMargin: Float = 1
    /// EBGAN's pull-away weight.
    public var pullAwayWeight: Float = 0.1
    /// InfoGAN's codes.
    public var infoCodes = InfoGANCodes(categories: 10, continuousCount: 2)
    /// InfoGAN's λ.
    public var infoWeight: Float = 1
    /// VAE-GAN's weight γ of the reconstruction error against the adversarial terms.
    public var reconstructionWeight: Float = 1
    /// VAE-GAN's three-class discriminator (real, reconstructed, generated) instead of real/fake.
    public var threeClassDiscriminator = false
    /// The seed of initialization, batches and noise.
    public var seed: UInt64 = 0
    /// Adam step size of the critic's optimizer when it differs from ``learningRate`` (the generator's); nil: the
    /// same (two time-scale updates, Heusel et al. 2017).
    public var criticLearningRate: Float?
    /// Maxout pieces per hidden unit of a plain or InfoGAN critic (1: LeakyReLU units); Goodfellow et al. (2014)
    /// and PacGAN's 2-D experiments use maxout discriminators (5 pieces in PacGAN).
    public var criticMaxoutPieces = 1
    /// Dropout probability on the critic's hidden layers during training (Goodfellow et al. 2014 trained their
    /// discriminators with dropout); 0: none.
    public var criticDropout: Float = 0
    /// Batch normalization after every hidden layer of the generator (DCGAN, Radford et al. 2016; InfoGAN, Chen et
    /// al. 2016). Training uses batch statistics; samples drawn outside training use population statistics
    /// recomputed from the generator's own noise (``GANTrainer/recalibrateBatchNorm()``).
    public var generatorBatchNorm = false
    /// The target of real samples in the discriminator's logistic loss (`gan`, `nsgan`, `infogan`): 1 is the plain
    /// loss; 0.9 is one-sided label smoothing (Salimans et al., "Improved Techniques for Training GANs", NeurIPS
    /// 2016, §3.4), which keeps the discriminator from growing overconfident on real data.
    public var realLabel: Float = 1
    /// The critic's last layer also sees the minibatch standard deviation of its hidden features (Karras et al.
    /// 2018; a form of Salimans et al.'s 2016 minibatch discrimination), so it can reject a collapsed generator.
    /// Plain and InfoGAN critics.
    public var criticMinibatchFeature = false
    /// InfoGAN: `Q` as a head of its own, one hidden layer of this many LeakyReLU units on the critic's last hidden
    /// features (Chen et al. 2016 give `Q` one fully connected layer of 128 on the shared discriminator body); nil:
    /// `Q`'s outputs are extra outputs of the critic's last layer.
    public var qHiddenSize: Int?
    /// InfoGAN: λ of the continuous codes' term when it differs from ``infoWeight`` (which then weights the
    /// categorical code only); nil: ``infoWeight`` for both.
    public var continuousInfoWeight: Float?
    /// InfoGAN: `Q` predicts a standard deviation per continuous code too, and the continuous term is the Gaussian
    /// negative log-likelihood with it (Chen et al. 2016 treat the continuous codes' `Q` as a factored Gaussian).
    public var learnedCodeVariance = false
    /// InfoGAN: weight of the mode-seeking term of Mao et al. ("Mode Seeking Generative Adversarial Networks for
    /// Diverse Image Synthesis", CVPR 2019) in the generator's loss: with two noise draws `z₁`, `z₂` under the same
    /// codes, the generator minimizes `w / (mean|G(z₁, c) − G(z₂, c)| / mean|z₁ − z₂| + 10⁻⁵)`, so it cannot ignore
    /// its noise within a code value. 0: off.
    public var modeSeekingWeight: Float = 0
    /// Linear decay of every optimizer's step size, as a factor schedule (γ₀ = 1 when planned) multiplying each optimizer's
    /// configured rate: constant until generator step ``LinearDecaySchedule/start``, then falling linearly to zero at
    /// ``LinearDecaySchedule/end`` (the schedule of Isola et al.'s and Zhu et al.'s pix2pix/CycleGAN training); nil:
    /// constant step sizes. Stored in manifests as `{"start", "end"}` (and `initialLearningRate`, the factor at
    /// `start`: 1, or the factor a run resumed with a changed step budget was continuing from;
    /// ``GANTrainer/replanSchedules(endingAt:)``).
    public var learningRateDecay: LinearDecaySchedule?
    /// The networks: fully connected, or convolutional critic and up-convolutional generator on square one-channel
    /// images (``NetworkArchitecture/conv``: critic convolutions of 32 and 64 channels, generator convolutions from
    /// 64 through 32 to 1 channel; the fully connected layers of ``hiddenSize`` and ``generatorHiddenSizes`` in
    /// between; ``NetworkArchitecture/convCritic``: the convolutional critic only). Convolutional networks serve the
    /// plain-critic methods without packing and InfoGAN.
    public var network = NetworkArchitecture.mlp
    /// γ of the zero-centred gradient penalty on real data, `γ/2 · E_P[‖∇ₓV(x)‖²]` added to the critic's loss (R1:
    /// Mescheder, Geiger & Nowozin, "Which Training Methods for GANs do actually Converge?", ICML 2018), for the
    /// plain-critic methods; 0: off. It bounds the slope of the critic's raw output `V` around the data, which the
    /// KL f-GAN's unbounded output activation otherwise leaves free.
    public var realGradientPenalty: Float = 0
    /// WGAN-GP's penalty (``penaltyWeight``, ``penaltyForm``, at interpolates of real and generated samples;
    /// Gulrajani et al. 2017) on the critic of any plain-critic method, not only `wgan-gp`. It bounds the slope of
    /// the critic's raw output between the samples, which keeps the KL f-GAN's critic (identity activation,
    /// `f*(t) = exp(t − 1)`) from growing without bound on real data that the generator has not reached.
    public var interpolatePenalty = false
    /// InfoGAN: weight `w` of the real-data code entropy term in the critic's loss, `w · (E_P[H(Q(c | x))] −
    /// H(E_P[Q(c | x)]))` over the categorical code (CatGAN's two entropies, Springenberg 2016;
    /// ``InfoGANCodes/realCodeEntropies(logits:)``): `Q` must assign real samples confidently and evenly to the code
    /// values. 0: off.
    public var realCodeEntropyWeight: Float = 0
    /// f-GAN: the generator minimizes the variational bound itself, `−E_Q[f*(g_f(V))]` (Nowozin et al. 2016, eq. 6),
    /// instead of the alternative `−E_Q[g_f(V)]` of their §3.2 (``FGANObjective/saddlePoint``).
    public var saddlePointGenerator = false
    /// Standard deviation σ of instance noise (Sønderby et al., "Amortised MAP Inference for Image
    /// Super-resolution", ICLR 2017, §3.2; Arjovsky & Bottou, "Towards Principled Methods for Training Generative
    /// Adversarial Networks", ICLR 2017): Gaussian noise added to every sample the plain critic sees, real and
    /// generated, in the critic's and the generator's updates. The noised distributions `P ∗ N(0, σ²)` and
    /// `Q ∗ N(0, σ²)` have the same support, so the KL f-GAN's optimal critic `1 + log(p/q)` is finite everywhere, and
    /// they are equal only when `P = Q`. 0: off (runs draw exactly as without the option).
    public var instanceNoise: Float = 0
    /// A factor schedule (γ₀ = 1) on ``instanceNoise`` by generator step, e.g. annealing it linearly to zero; nil:
    /// constant.
    public var instanceNoiseDecay: LinearDecaySchedule?
    /// Standard deviation σ of the generator's Gaussian noise `z ~ N(0, σ²I)` (1: the standard normal). ClusterGAN
    /// (Mukherjee et al., "ClusterGAN: Latent Space Clustering in Generative Adversarial Networks", AAAI 2019, §3.1)
    /// draws its noise with σ = 0.1 beside a one-hot code so that the code, not the noise, decides which cluster a
    /// sample falls in.
    public var noiseStandardDeviation: Float = 1
    /// InfoGAN: labelled real examples per class that tie categorical code value `k` to class `k` (semi-supervised
    /// InfoGAN: Spurr, Aksan & Hilliges, "Guiding InfoGAN with Semi-Supervision", ECML PKDD 2017): the critic's loss
    /// gains `λ ·` the cross-entropy of `Q`'s categorical logits on a batch of these examples and their labels
    /// (``infoWeight`` as λ). The examples are chosen once per run, seeded; the data must be labelled with classes
    /// below ``InfoGANCodes/categories``. 0: unsupervised.
    public var supervisedExamplesPerClass = 0

    /// The critic's convolution channels under ``NetworkArchitecture/conv``.
    public static let criticConvolutionChannels = [32, 64]
    /// The generator's convolution channels (before the single output channel) under ``NetworkArchitecture/conv``.
    public static let generatorConvolutionChannels = [64, 32]

    /// The side of the square images of ``dataSize`` pixels, when it is a whole number.
    public var imageSide: Int? {
        let side = Int(Double(dataSize).squareRoot().rounded())
        return side * side == dataSize ? side : nil
    }

    /// A configuration with the defaults above for `method` on data of `dataSize` dimensions.
    public init(method: GANMethod, dataSize: Int) {
        self.method = method
        self.dataSize = dataSize
    }

    /// Decodes a configuration; keys missing from older manifests take the defaults above.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            method: try container.decode(GANMethod.self, forKey: .method),
            dataSize: try container.decode(Int.self, forKey: .dataSize))
        func read<T: Decodable>(_ key: CodingKeys, into value: inout T) throws {
            if let decoded = try container.decodeIfPresent(T.self, forKey: key) { value = decoded }
        }
        try read(.noiseSize, into: &noiseSize)
        try read(.hiddenSize, into: &hiddenSize)
        try read(.hiddenLayers, into: &hiddenLayers)
        try read(.output, into: &output)
        try read(.discriminatorSteps, into: &discriminatorSteps)
        try read(.batchSize, into: &batchSize)
        try read(.learningRate, into: &learningRate)
        try read(.beta1, into: &beta1)
        try read(.beta2, into: &beta2)
        try read(.packing, into: &packing)
        try read(.leastSquaresCodes, into: &leastSquaresCodes)
        try read(.clippingBound, into: &clippingBound)
        try read(.penaltyWeight, into: &penaltyWeight)
        try read(.penaltyForm, into: &penaltyForm)
        try read(.energyMargin, into: &energyMargin)
        try read(.pullAwayWeight, into: &pullAwayWeight)
        try read(.infoCodes, into: &infoCodes)
        try read(.infoWeight, into: &infoWeight)
        try read(.reconstructionWeight, into: &reconstructionWeight)
        try read(.threeClassDiscriminator, into: &threeClassDiscriminator)
        try read(.seed, into: &seed)
        criticLearningRate = try container.decodeIfPresent(Float.self, forKey: .criticLearningRate)
        try read(.criticMaxoutPieces, into: &criticMaxoutPieces)
        try read(.criticDropout, into: &criticDropout)
        try read(.generatorBatchNorm, into: &generatorBatchNorm)
        try read(.realLabel, into: &realLabel)
        try read(.criticMinibatchFeature, into: &criticMinibatchFeature)
        generatorHiddenSize = try container.decodeIfPresent(Int.self, forKey: .generatorHiddenSize)
        generatorHiddenLayers = try container.decodeIfPresent(Int.self, forKey: .generatorHiddenLayers)
        qHiddenSize = try container.decodeIfPresent(Int.self, forKey: .qHiddenSize)
        continuousInfoWeight = try container.decodeIfPresent(Float.self, forKey: .continuousInfoWeight)
        try read(.learnedCodeVariance, into: &learnedCodeVariance)
        try read(.modeSeekingWeight, into: &modeSeekingWeight)
        learningRateDecay = try container.decodeIfPresent(LinearDecaySchedule.self, forKey: .learningRateDecay)
        try read(.network, into: &network)
        try read(.realGradientPenalty, into: &realGradientPenalty)
        try read(.interpolatePenalty, into: &interpolatePenalty)
        try read(.realCodeEntropyWeight, into: &realCodeEntropyWeight)
        try read(.saddlePointGenerator, into: &saddlePointGenerator)
        try read(.instanceNoise, into: &instanceNoise)
        instanceNoiseDecay = try container.decodeIfPresent(LinearDecaySchedule.self, forKey: .instanceNoiseDecay)
        try read(.noiseStandardDeviation, into: &noiseStandardDeviation)
        try read(.supervisedExamplesPerClass, into: &supervisedExamplesPerClass)
    }

    /// Whether the InfoGAN information term uses the weighted form (a separate continuous λ or a learned variance);
    /// otherwise `λ · L_I` exactly as before these options existed.
    var usesWeightedInformationTerm: Bool { continuousInfoWeight != nil || learnedCodeVariance }

    /// The generator's hidden widths: ``generatorHiddenLayers`` (or ``hiddenLayers``) layers of
    /// ``generatorHiddenSize`` (or ``hiddenSize``) units.
    public var generatorHiddenSizes: [Int] {
        [Int](repeating: generatorHiddenSize ?? hiddenSize, count: generatorHiddenLayers ?? hiddenLayers)
    }

    /// Checks the values; returns the first problem, or nil.
    public func problem() -> String? {
        if dataSize <= 0 { return "data size must be positive" }
        if noiseSize <= 0 || hiddenSize <= 0 || hiddenLayers < 1 { return "network sizes must be positive" }
        if (generatorHiddenSize ?? 1) <= 0 || (generatorHiddenLayers ?? 1) < 1 {
            return "the generator's network sizes must be positive"
        }
        if discriminatorSteps < 1 { return "discriminator steps must be ≥ 1" }
        if batchSize < 2 { return "batch size must be ≥ 2" }
        if !(learningRate > 0) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) {
            return "learning rate must be positive and Adam's betas in [0, 1)"
        }
        if packing < 1 || batchSize % packing != 0 { return "packing must be ≥ 1 and divide the batch size" }
        if packing > 1 && !method.usesPlainCritic { return "packing applies to gan, nsgan, fgan, lsgan, wgan, wgan-gp" }
        if leastSquaresCodes.count != 3 { return "LSGAN needs three codes a,b,c" }
        if !(clippingBound > 0) || !(penaltyWeight >= 0) || !(energyMargin > 0) || !(pullAwayWeight >= 0) {
            return "clipping bound and margin must be positive, weights ≥ 0"
        }
        if method == .info && infoCodes.width == 0 { return "InfoGAN needs at least one code" }
        if let criticLearningRate, !(criticLearningRate > 0) { return "the critic's learning rate must be positive" }
        if criticMaxoutPieces < 1 { return "maxout pieces must be ≥ 1" }
        if !(criticDropout >= 0 && criticDropout < 1) { return "critic dropout must be in [0, 1)" }
        if !(realLabel > 0.5 && realLabel <= 1) { return "the real label must be in (0.5, 1]" }
        if realLabel != 1 && !method.usesLogisticCritic {
            return "label smoothing applies to gan, nsgan and infogan"
        }
        if (criticMaxoutPieces > 1 || criticDropout > 0 || criticMinibatchFeature)
            && !(method.usesPlainCritic || method == .info)
        {
            return "maxout, critic dropout and the minibatch feature apply to gan, nsgan, fgan, lsgan, wgan, wgan-gp "
                + "and infogan"
        }
        if (qHiddenSize ?? 1) < 1 { return "Q's hidden width must be positive" }
        if !(infoWeight >= 0) || !((continuousInfoWeight ?? 0) >= 0) || !(modeSeekingWeight >= 0)
            || !infoWeight.isFinite || !(continuousInfoWeight ?? 0).isFinite || !modeSeekingWeight.isFinite
        {
            return "InfoGAN's weights must be finite and ≥ 0"
        }
        if method != .info
            && (qHiddenSize != nil || continuousInfoWeight != nil || learnedCodeVariance || modeSeekingWeight > 0)
        {
            return "Q's head, the continuous λ, the learned code variance and the mode-seeking term apply to infogan"
        }
        if let learningRateDecay, !learningRateDecay.isValid {
            return "the learning-rate decay must start at a step ≥ 0 before it ends"
        }
        if !(realGradientPenalty >= 0 && realGradientPenalty.isFinite) {
            return "the real-data gradient penalty must be finite and ≥ 0"
        }
        if !(instanceNoise >= 0 && instanceNoise.isFinite) { return "instance noise must be finite and ≥ 0" }
        if let instanceNoiseDecay, !instanceNoiseDecay.isValid {
            return "the instance noise's decay must start at a step ≥ 0 before it ends"
        }
        if !(realCodeEntropyWeight >= 0 && realCodeEntropyWeight.isFinite) {
            return "the real-data code entropy weight must be finite and ≥ 0"
        }
        if realCodeEntropyWeight > 0 && !(method == .info && infoCodes.categories > 0) {
            return "the real-data code entropy term needs infogan with a categorical code"
        }
        if saddlePointGenerator && !method.isFGAN {
            return "the saddle-point generator loss applies to fgan"
        }
        if instanceNoise > 0 && !method.usesPlainCritic {
            return "instance noise applies to gan, nsgan, fgan, lsgan, wgan and wgan-gp"
        }
        if (realGradientPenalty > 0 || interpolatePenalty) && !method.usesPlainCritic {
            return "the gradient penalties apply to gan, nsgan, fgan, lsgan, wgan and wgan-gp"
        }
        if network != .mlp {
            guard let side = imageSide, side % 4 == 0 else {
                return "convolutional networks need square images whose side is divisible by 4"
            }
            if !(method.usesPlainCritic || method == .info) || packing != 1 {
                return "convolutional networks apply to gan, nsgan, fgan, lsgan, wgan, wgan-gp and infogan, unpacked"
            }
        }
        if !(noiseStandardDeviation > 0 && noiseStandardDeviation.isFinite) {
            return "the noise's standard deviation must be finite and > 0"
        }
        if supervisedExamplesPerClass < 0 { return "supervised examples per class must be ≥ 0" }
        if supervisedExamplesPerClass > 0 && !(method == .info && infoCodes.categories > 0) {
            return "supervised code examples need infogan with a categorical code"
        }
        if learnedCodeVariance && infoCodes.continuousCount == 0 {
            return "a learned code variance needs continuous codes"
        }
        return nil
    }
}

/// A decay of a resumed GAN run re-planned for a changed step budget (``GANTrainer/replanSchedules(endingAt:)``).
public struct GANScheduleReplan: Sendable, Equatable {
    /// Which decay.
    public enum Kind: String, Sendable, Equatable {
        /// ``GANConfiguration/learningRateDecay``, the factor on every optimizer's step size.
        case learningRate = "learning rate"
        /// ``GANConfiguration/instanceNoiseDecay``, the factor on the instance noise's σ.
        case instanceNoise = "instance noise"
    }

    /// Which decay.
    public var kind: Kind
    /// The generator step the run resumed at (the next step to take).
    public var step: Int
    /// The decay as stored.
    public var previous: LinearDecaySchedule
    /// The decay from now on.
    public var replanned: LinearDecaySchedule

    /// The factor at ``step`` before and after: equal while the decay was under way (continuous).
    public var factors: (previous: Float, replanned: Float) {
        (previous.learningRate(atStep: step), replanned.learningRate(atStep: step))
    }
}
