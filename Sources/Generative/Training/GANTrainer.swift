import Foundation
import MontagueSupport
import NeuralNet

/// Adversarial training of every ``GANMethod`` on vector data (2-D points, flattened digits), with multilayer
/// perceptrons (or, with ``GANConfiguration/network``, convolutional networks on square images).
///
/// One ``step()`` is Algorithm 1 of Goodfellow et al. (2014) generalized: `discriminatorSteps` critic updates on
/// fresh real and generated batches, then one generator update (for VAE-GAN and BiGAN also the encoder's,
/// following Larsen et al. 2016 and Donahue et al. 2017). All randomness (initialization, batches, noise,
/// interpolation weights) comes from one generator seeded by ``GANConfiguration/seed``, so a run is reproducible,
/// and ``trainingState()`` / ``restore(_:)`` resume it bit for bit.
public final class GANTrainer {
    /// The run's definition (changed after construction only by ``replanSchedules(endingAt:)``).
    public private(set) var configuration: GANConfiguration
    /// The training data.
    public let data: PointSet
    /// `G`: noise (and InfoGAN codes) to data.
    public let generator: MultilayerPerceptron
    /// The critic: plain (`1` output, or `3` for VAE-GAN's three-class option, `1 + code width` for InfoGAN, with
    /// Q's head in the extra outputs); BiGAN's sees `(x, z)`. For EBGAN, the autoencoder's encoder.
    public let critic: MultilayerPerceptron
    /// EBGAN's autoencoder decoder (nil otherwise).
    public let criticDecoder: MultilayerPerceptron?
    /// InfoGAN's `Q` as a head of its own on the critic's last hidden features (with
    /// ``GANConfiguration/qHiddenSize``); nil otherwise (then `Q`'s outputs are the critic's extra outputs).
    public let qHead: MultilayerPerceptron?
    /// VAE-GAN's (Gaussian) and BiGAN's (deterministic) encoder; nil otherwise.
    public let encoder: MultilayerPerceptron?
    /// Adam over the generator (and BiGAN's encoder).
    public let generatorOptimizer: Adam
    /// Adam over the critic (and EBGAN's decoder).
    public let criticOptimizer: Adam
    /// Adam over VAE-GAN's encoder.
    public let encoderOptimizer: Adam?
    /// Generator updates done.
    public private(set) var stepCount = 0
    /// The run's random generator.
    public private(set) var random: RandomGenerator
    /// InfoGAN with ``GANConfiguration/supervisedExamplesPerClass``: the labelled examples' indices in ``data``
    /// (empty otherwise).
    public let supervisedIndices: [Int]

    /// A new run on `data` (whose dimension must be the configuration's data size).
    public init(configuration: GANConfiguration, data: PointSet) {
        precondition(configuration.problem() == nil, "GANTrainer: \(configuration.problem() ?? "")")
        precondition(data.dimension == configuration.dataSize, "GANTrainer: data dimension ≠ configuration")
        self.configuration = configuration
        self.data = data
        supervisedIndices = Self.supervisedExamples(configuration: configuration, data: data)
        var random = RandomGenerator(seed: configuration.seed)
        let c = configuration
        let hidden = [Int](repeating: c.hiddenSize, count: c.hiddenLayers)
        let codeWidth = c.method == .info ? c.infoCodes.width : 0
        let qWidth = c.infoCodes.qOutputWidth(learnedVariance: c.learnedCodeVariance)
        // Convolutions (only with `network == .conv`) are drawn first; fully connected runs draw exactly as before.
        let side = c.imageSide ?? 1
        let decoder =
            c.network.convolutionalGenerator
            ? UpsamplingDecoder(
                side: side, channels: GANConfiguration.generatorConvolutionChannels,
                batchNorm: c.generatorBatchNorm, using: &random)
            : nil
        let criticInput =
            c.network.convolutionalCritic
            ? ConvolutionalEncoder(side: side, channels: GANConfiguration.criticConvolutionChannels, using: &random)
            : nil
        generator = MultilayerPerceptron(
            sizes: [c.noiseSize + codeWidth] + c.generatorHiddenSizes + [decoder?.inputSize ?? c.dataSize],
            activation: .relu, batchNorm: c.generatorBatchNorm, convolutionalOutput: decoder, using: &random)
        let criticInputSize = criticInput?.outputSize ?? c.dataSize
        switch c.method {
        case .energyBased:
            let code = Swift.max(c.hiddenSize / 2, 2)
            critic = MultilayerPerceptron(sizes: [c.dataSize] + hidden + [code], activation: .leakyReLU, using: &random)
            criticDecoder = MultilayerPerceptron(
                sizes: [code] + hidden + [c.dataSize], activation: .leakyReLU, using: &random)
        case .info:
            critic = MultilayerPerceptron(
                sizes: [criticInputSize] + hidden + [c.qHiddenSize == nil ? 1 + qWidth : 1], activation: .leakyReLU,
                maxoutPieces: c.criticMaxoutPieces, minibatchFeature: c.criticMinibatchFeature,
                convolutionalInput: criticInput, using: &random)
            criticDecoder = nil
        case .vaeGAN:
            critic = MultilayerPerceptron(
                sizes: [c.dataSize] + hidden + [c.threeClassDiscriminator ? 3 : 1], activation: .leakyReLU,
                using: &random)
            criticDecoder = nil
        case .bidirectional:
            critic = MultilayerPerceptron(
                sizes: [c.dataSize + c.noiseSize] + hidden + [1], activation: .leakyReLU, using: &random)
            criticDecoder = nil
        default:
            critic = MultilayerPerceptron(
                sizes: [criticInput == nil ? c.dataSize * c.packing : criticInputSize] + hidden + [1],
                activation: .leakyReLU, maxoutPieces: c.criticMaxoutPieces,
                minibatchFeature: c.criticMinibatchFeature, convolutionalInput: criticInput, using: &random)
            criticDecoder = nil
        }
        switch c.method {
        case .vaeGAN:
            encoder = MultilayerPerceptron(
                sizes: [c.dataSize] + hidden + [2 * c.noiseSize], activation: .relu, using: &random)
        case .bidirectional:
            encoder = MultilayerPerceptron(
                sizes: [c.dataSize] + hidden + [c.noiseSize], activation: .leakyReLU, using: &random)
        default: encoder = nil
        }
        // Built last, so runs without it draw their initial weights exactly as before.
        qHead =
            c.method == .info
            ? c.qHiddenSize.map {
                MultilayerPerceptron(sizes: [c.hiddenSize, $0, qWidth], activation: .leakyReLU, using: &random)
            } : nil
        let adam = { (parameters: [Parameter], learningRate: Float) in
            Adam(parameters, learningRate: learningRate, beta1: c.beta1, beta2: c.beta2)
        }
        generatorOptimizer = adam(
            generator.parameters + (c.method == .bidirectional ? encoder?.parameters ?? [] : []), c.learningRate)
        criticOptimizer = adam(
            critic.parameters + (criticDecoder?.parameters ?? []) + (qHead?.parameters ?? []),
            c.criticLearningRate ?? c.learningRate)
        encoderOptimizer = c.method == .vaeGAN ? encoder.map { adam($0.parameters, c.learningRate) } : nil
        self.random = random
    }

    /// The first ``GANConfiguration/supervisedExamplesPerClass`` examples of each class in a shuffled order of the
    /// data (a generator of its own, seeded from the run's seed, so the run's draws are unchanged), in class order.
    static func supervisedExamples(configuration c: GANConfiguration, data: PointSet) -> [Int] {
        guard c.supervisedExamplesPerClass > 0, c.method == .info else { return [] }
        precondition(supervisedLabelProblem(configuration: c, data: data) == nil, "GANTrainer: unusable labels")
        guard let labels = data.labels else { return [] }
        var order = Array(0..<data.count)
        var shuffler = RandomGenerator(seed: c.seed &+ 0x51AB_E11E_D000_0001)
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, shuffler.nextInt(below: i + 1)) }
        return (0..<c.infoCodes.categories).flatMap { k in
            order.filter { labels[$0] == k }.prefix(c.supervisedExamplesPerClass)
        }
    }

    /// Why `data` cannot supervise the codes of `configuration` (unlabelled, or a class beyond the categorical
    /// code's values), or nil.
    public static func supervisedLabelProblem(configuration c: GANConfiguration, data: PointSet) -> String? {
        guard c.supervisedExamplesPerClass > 0 else { return nil }
        guard let labels = data.labels else { return "supervised code examples need labelled data (digits)" }
        if let bad = labels.first(where: { $0 < 0 || $0 >= c.infoCodes.categories }) {
            return "class \(bad) has no categorical code value (\(c.infoCodes.categories) categories)"
        }
        return nil
    }

    /// Every network, with the prefixes used in `weights.safetensors`.
    public var model: NamedParameterGroup {
        var members: [(prefix: String, container: any ParameterContainer)] = [
            ("generator", generator), ("critic", critic),
        ]
        if let criticDecoder { members.append(("critic_decoder", criticDecoder)) }
        if let encoder { members.append(("encoder", encoder)) }
        if let qHead { members.append(("q_head", qHead)) }
        return NamedParameterGroup(members)
    }

    // MARK: - Sampling

    /// `count` noise vectors `z ~ N(0, σ²I)` (with InfoGAN codes appended) and the categorical labels of the codes.
    public func noise(count: Int) -> (input: Tensor, labels: [Int], codes: Tensor?) {
        let z = Self.noise(count, configuration, using: &random)
        guard configuration.method == .info else { return (z, [], nil) }
        let (codes, labels) = configuration.infoCodes.sample(count: count, using: &random)
        return (Tensor.concatenate([z, codes], axis: 1), labels, codes)
    }

    /// `count` rows of the generator's noise `N(0, σ²I)`, σ = ``GANConfiguration/noiseStandardDeviation``.
    static func noise(_ count: Int, _ c: GANConfiguration, using generator: inout RandomGenerator) -> Tensor {
        Tensor.normal([count, c.noiseSize], standardDeviation: c.noiseStandardDeviation, using: &generator)
    }

    /// `G` applied to an input batch, with the configured output activation.
    public func generate(_ input: Tensor) -> Tensor {
        let raw = generator(input)
        return configuration.output == .sigmoid ? raw.sigmoid() : raw
    }

    /// `count` generated samples (no gradients), drawn with `generator`.
    public func samples(count: Int, using generator: inout RandomGenerator) -> PointSet {
        withoutGradients {
            var z = Self.noise(count, configuration, using: &generator)
            if configuration.method == .info {
                z = Tensor.concatenate(
                    [z, configuration.infoCodes.sample(count: count, using: &generator).codes], axis: 1)
            }
            return PointSet(generateForInference(z))
        }
    }

    /// InfoGAN: `count` samples whose categorical code is `category` (other codes zero, fresh noise).
    public func samples(category: Int, count: Int, using generator: inout RandomGenerator) -> PointSet {
        precondition(configuration.method == .info, "GANTrainer.samples(category:): not an InfoGAN run")
        return withoutGradients {
            let z = Self.noise(count, configuration, using: &generator)
            let codes = configuration.infoCodes.codes(category: category, count: count)
            return PointSet(generateForInference(Tensor.concatenate([z, codes], axis: 1)))
        }
    }

    /// Noise inputs the population statistics of the generator's batch normalization are computed over.
    public static let batchNormCalibrationCount = 4096

    /// The step at which ``recalibrateBatchNorm()`` last ran (nil: never).
    private var calibratedStep: Int?

    /// Sets the running statistics of the generator's batch normalization to the exact statistics of its layer
    /// inputs over ``batchNormCalibrationCount`` noise inputs drawn with a generator seeded from the run's seed
    /// (Ioffe & Szegedy 2015, Algorithm 2, with the generator's own noise distribution in place of the data). The
    /// run's random generator is untouched, so training and resuming stay reproducible. Nothing to do without
    /// ``GANConfiguration/generatorBatchNorm``.
    public func recalibrateBatchNorm() {
        let layers = generator.batchNormLayers
        guard !layers.isEmpty else { return }
        var calibration = RandomGenerator(seed: configuration.seed &+ 0x9E37_79B9_7F4A_7C15)
        var input = Self.noise(Self.batchNormCalibrationCount, configuration, using: &calibration)
        if configuration.method == .info {
            let codes = configuration.infoCodes.sample(count: Self.batchNormCalibrationCount, using: &calibration)
            input = Tensor.concatenate([input, codes.codes], axis: 1)
        }
        BatchNorm.recalibrate(layers) { _ = generator(input) }
        calibratedStep = stepCount
    }

    /// `G` for sampling: with batch normalization, in inference mode with population statistics (recomputed when
    /// training has moved on since the last recalibration), so a sample does not depend on the others drawn with it.
    func generateForInference(_ input: Tensor) -> Tensor {
        let layers = generator.batchNormLayers
        guard !layers.isEmpty else { return generate(input) }
        if calibratedStep != stepCount { recalibrateBatchNorm() }
        for layer in layers { layer.isTraining = false }
        defer { for layer in layers { layer.isTraining = true } }
        return generate(input)
    }

    // MARK: - Training

    /// One generator update after ``GANConfiguration/discriminatorSteps`` critic updates; returns the losses of the
    /// last critic update and of the generator update (`d_loss`, `g_loss`, and method terms such as `penalty`,
    /// `info_loss`, `reconstruction`, `kl`).
    @discardableResult
    public func step() -> [String: Double] {
        var metrics: [String: Double] = [:]
        applyLearningRateSchedule()
        for _ in 0..<configuration.discriminatorSteps {
            metrics.merge(criticStep()) { $1 }
        }
        metrics.merge(generatorStep()) { $1 }
        stepCount += 1
        return metrics
    }

    /// Sets every optimizer's step size for the coming update: its configured rate times the factor schedule
    /// ``GANConfiguration/learningRateDecay`` (a NeuralNet ``LinearDecaySchedule``, γ₀ = 1 unless re-planned by
    /// ``replanSchedules(endingAt:)``) at this generator step.
    func applyLearningRateSchedule() {
        let c = configuration
        guard let decay = c.learningRateDecay else { return }
        let factor = decay.learningRate(atStep: stepCount)
        generatorOptimizer.learningRate = c.learningRate * factor
        criticOptimizer.learningRate = (c.criticLearningRate ?? c.learningRate) * factor
        encoderOptimizer?.learningRate = c.learningRate * factor
    }

    /// Re-plans the decays (``GANConfiguration/learningRateDecay``, ``GANConfiguration/instanceNoiseDecay``) to end
    /// at generator step `totalSteps`, for a run resumed with a changed step budget
    /// (``LinearDecaySchedule/replanned(fromStep:endingAt:)`` from ``stepCount``: continuous at the resumed step while
    /// a decay is under way). Returns the decays that changed; a budget equal to a decay's end changes nothing.
    @discardableResult
    public func replanSchedules(endingAt totalSteps: Int) -> [GANScheduleReplan] {
        var replans: [GANScheduleReplan] = []
        func replan(_ decay: inout LinearDecaySchedule?, _ kind: GANScheduleReplan.Kind) {
            guard let previous = decay else { return }
            let next = previous.replanned(fromStep: stepCount, endingAt: totalSteps)
            guard next != previous else { return }
            decay = next
            replans.append(GANScheduleReplan(kind: kind, step: stepCount, previous: previous, replanned: next))
        }
        replan(&configuration.learningRateDecay, .learningRate)
        replan(&configuration.instanceNoiseDecay, .instanceNoise)
        return replans
    }

    /// `x` plus Gaussian instance noise of standard deviation ``GANConfiguration/instanceNoise`` (times the factor of
    /// ``GANConfiguration/instanceNoiseDecay`` at this generator step), drawn from the run's generator; `x` itself
    /// without instance noise or once it has decayed to 0.
    func withInstanceNoise(_ x: Tensor) -> Tensor {
        let c = configuration
        let deviation = c.instanceNoise * (c.instanceNoiseDecay?.learningRate(atStep: stepCount) ?? 1)
        guard deviation > 0 else { return x }
        return x + Tensor.normal(x.shape, standardDeviation: deviation, using: &random)
    }

    /// Rows of `[N, D]` packed into `[N / packing, packing · D]` (PacGAN).
    func packed(_ x: Tensor) -> Tensor {
        let k = configuration.packing
        return k == 1 ? x : x.reshaped([x.shape[0] / k, x.shape[1] * k])
    }

    var plainObjective: any AdversarialObjective {
        let codes = configuration.leastSquaresCodes
        switch configuration.method {
        case .minimax: return MinimaxGANObjective(realLabel: configuration.realLabel)
        case .fGAN(let divergence):
            return FGANObjective(divergence: divergence, saddlePoint: configuration.saddlePointGenerator)
        case .leastSquares: return LeastSquaresGANObjective(a: codes[0], b: codes[1], c: codes[2])
        case .wasserstein, .wassersteinGradientPenalty: return WassersteinObjective()
        default: return NonSaturatingGANObjective(realLabel: configuration.realLabel)
        }
    }

    /// The critic during training: with ``GANConfiguration/criticDropout`` > 0, dropout masks from the run's
    /// generator on its hidden layers.
    /// With `frozen`, the critic's parameters are constants (the generator's update needs no critic gradients).
    func discriminate(_ x: Tensor, frozen: Bool = false) -> Tensor {
        guard configuration.criticDropout > 0 || frozen else { return critic(x) }
        return critic(x, hiddenDropout: configuration.criticDropout, frozen: frozen, using: &random)
    }

    func update(_ optimizer: Adam, loss: Tensor) {
        optimizer.step(averagedOverReplicas(gradients(of: loss, wrt: optimizer.parameters.map(\.value))))
    }

    // MARK: - Data parallelism

    /// Data-parallel training (e.g. `Distributed`'s `DataParallelSynchronizer` under `mpirun`): `batchSize` is per
    /// replica. Every replica draws the random numbers of the whole global batch of `batchSize × replicas` (data
    /// indices, noise and codes) from the shared generator and keeps its own rows, and every update averages the
    /// gradients over the replicas — so the replicas' generators and parameters stay identical, and a run on `N`
    /// replicas equals one process with `N ×` the batch wherever the losses are means over examples. (Draws made
    /// inside a loss — critic dropout, interpolation points of the gradient penalty, VAE-GAN's posterior samples —
    /// are per replica; batch normalization and minibatch features see the replica's rows only.) `nil`: one
    /// process. Set it before the first ``step()``; check ``synchronizationError`` after each step.
    public var synchronizer: (any GradientSynchronizer)?
    /// The first failed gradient exchange; later updates get zero gradients (stop the run: ``GANRun`` throws it).
    public private(set) var synchronizationError: (any Error)?

    private var replicas: Int { synchronizer?.shard.count ?? 1 }

    /// `batchSize` data points: this replica's rows of the global batch.
    func replicaBatch() -> Tensor {
        let size = configuration.batchSize
        guard let shard = synchronizer?.shard, shard.count > 1 else {
            return data.randomBatch(size: size, using: &random)
        }
        let indices = (0..<(size * shard.count)).map { _ in random.nextInt(below: data.count) }
        return data.batch(Array(indices[shard.part(of: indices.indices)]))
    }

    /// `batchSize` noise inputs (with InfoGAN's codes): this replica's rows of the global batch's.
    func replicaNoise() -> (input: Tensor, labels: [Int], codes: Tensor?) {
        let size = configuration.batchSize
        guard let shard = synchronizer?.shard, shard.count > 1 else { return noise(count: size) }
        let global = noise(count: size * shard.count)
        let rows = shard.part(of: 0..<(size * shard.count))
        return (
            global.input.slice(axis: 0, range: rows), global.labels.isEmpty ? [] : Array(global.labels[rows]),
            global.codes.map { $0.slice(axis: 0, range: rows) }
        )
    }

    /// The gradients averaged over the replicas (unchanged in one process); after a failed exchange, zeros.
    func averagedOverReplicas(_ gradients: [Tensor]) -> [Tensor] {
        guard let synchronizer, replicas > 1 else { return gradients }
        if synchronizationError == nil {
            do {
                return try synchronizer.averageGradients(gradients, weight: 1)
            } catch {
                synchronizationError = error
            }
        }
        return gradients.map { Tensor.zeros(like: $0) }
    }

    func criticStep() -> [String: Double] {
        let c = configuration
        let real = replicaBatch()
        var metrics: [String: Double] = [:]
        switch c.method {
        case .energyBased:
            let fake = withoutGradients { generate(replicaNoise().input) }
            let objective = EBGANObjective(margin: c.energyMargin, pullAwayWeight: c.pullAwayWeight)
            let loss = objective.discriminatorLoss(realEnergy: energy(real), fakeEnergy: energy(fake))
            update(criticOptimizer, loss: loss)
            metrics["d_loss"] = Double(loss.item)
        case .info:
            let sample = replicaNoise()
            let fake = withoutGradients { generate(sample.input) }
            // With the real-data code entropy term Q also reads the real batch (drawn only then, so runs without
            // it are unchanged).
            let realInfo: (adversarial: Tensor, q: Tensor)? = c.realCodeEntropyWeight > 0 ? infoCritic(real) : nil
            let realOutput = realInfo?.adversarial ?? discriminate(real).slice(axis: 1, range: 0..<1)
            let fakeOutput = infoCritic(fake)
            let adversarial = NonSaturatingGANObjective(realLabel: c.realLabel).discriminatorLoss(
                real: realOutput, fake: fakeOutput.adversarial)
            let info = infoLoss(fakeOutput.q, sample)
            var loss = adversarial + weightedInfoLoss(fakeOutput.q, sample, info)
            if !supervisedIndices.isEmpty, let labels = data.labels {
                // Semi-supervised InfoGAN (Spurr et al. 2017): Q names the class of labelled real examples.
                let picks = (0..<Swift.min(c.batchSize, supervisedIndices.count)).map { _ in
                    supervisedIndices[random.nextInt(below: supervisedIndices.count)]
                }
                let logits = infoCritic(data.batch(picks)).q.slice(axis: 1, range: 0..<c.infoCodes.categories)
                let supervised = crossEntropy(logits: logits, targets: picks.map { labels[$0] })
                loss = loss + supervised * c.infoWeight
                metrics["supervised_code_loss"] = Double(supervised.item)
            }
            if let realInfo {
                let entropy = InfoGANCodes.realCodeEntropies(
                    logits: realInfo.q.slice(axis: 1, range: 0..<c.infoCodes.categories))
                loss = loss + (entropy.conditional - entropy.marginal) * c.realCodeEntropyWeight
                metrics["real_code_conditional_entropy"] = Double(entropy.conditional.item)
                metrics["real_code_marginal_entropy"] = Double(entropy.marginal.item)
            }
            update(criticOptimizer, loss: loss)
            metrics["d_loss"] = Double(adversarial.item)
            metrics["info_loss"] = Double(info.item)
        case .vaeGAN:
            let posterior = withoutGradients { gaussianPosterior(real) }
            let (reconstructed, generated) = withoutGradients {
                (generate(posterior.sample(using: &random)), generate(replicaNoise().input))
            }
            let loss: Tensor
            if c.threeClassDiscriminator {
                let n = c.batchSize
                let outputs = critic(Tensor.concatenate([real, reconstructed, generated], axis: 0))
                let targets =
                    [Int](repeating: 0, count: n) + [Int](repeating: 1, count: n) + [Int](repeating: 2, count: n)
                loss = crossEntropy(logits: outputs, targets: targets)
            } else {
                loss =
                    (-critic(real)).softplus().mean() + critic(reconstructed).softplus().mean()
                    + critic(generated).softplus().mean()
            }
            update(criticOptimizer, loss: loss)
            metrics["d_loss"] = Double(loss.item)
        case .bidirectional:
            guard let encoder else { preconditionFailure("GANTrainer: BiGAN without an encoder") }
            let z = replicaNoise().input
            let (encoded, generated) = withoutGradients { (encoder(real), generate(z)) }
            let loss = NonSaturatingGANObjective().discriminatorLoss(
                real: critic(Tensor.concatenate([real, encoded], axis: 1)),
                fake: critic(Tensor.concatenate([generated, z], axis: 1)))
            update(criticOptimizer, loss: loss)
            metrics["d_loss"] = Double(loss.item)
        default:
            let fake = withoutGradients { generate(replicaNoise().input) }
            let (packedReal, packedFake) = (packed(withInstanceNoise(real)), packed(withInstanceNoise(fake)))
            var loss = plainObjective.discriminatorLoss(
                real: discriminate(packedReal), fake: discriminate(packedFake))
            metrics["d_loss"] = Double(loss.item)
            if c.method == .wassersteinGradientPenalty || c.interpolatePenalty {
                let points = WGANGradientPenalty.interpolates(real: packedReal, fake: packedFake, using: &random)
                let penalty = WGANGradientPenalty(weight: c.penaltyWeight, form: c.penaltyForm).penalty(
                    critic: { self.discriminate($0) }, at: points)
                metrics["penalty"] = Double(penalty.item)
                loss = loss + penalty
            }
            if c.realGradientPenalty > 0 {
                let penalty = RealDataGradientPenalty(weight: c.realGradientPenalty).penalty(
                    critic: { self.discriminate($0) }, at: packedReal)
                metrics["r1_penalty"] = Double(penalty.item)
                loss = loss + penalty
            }
            update(criticOptimizer, loss: loss)
            if c.method == .wasserstein { WeightClipping(bound: c.clippingBound).apply(to: critic.parameters) }
        }
        return metrics
    }

    func generatorStep() -> [String: Double] {
        let c = configuration
        var metrics: [String: Double] = [:]
        switch c.method {
        case .energyBased:
            let fake = generate(replicaNoise().input)
            let codes = critic(fake)
            let fakeEnergy = EBGANObjective.energy(input: fake, reconstruction: decodeEnergyCodes(codes))
            let loss = EBGANObjective(margin: c.energyMargin, pullAwayWeight: c.pullAwayWeight)
                .generatorLoss(fakeEnergy: fakeEnergy, fakeCodes: codes)
            update(generatorOptimizer, loss: loss)
            metrics["g_loss"] = Double(loss.item)
        case .info:
            var sample = replicaNoise()
            var noisePair: (first: Tensor, second: Tensor)?
            if c.modeSeekingWeight > 0, let codes = sample.codes {
                // Mode seeking (Mao et al. 2019): the same codes again under fresh noise, in one generator batch.
                let first = sample.input.slice(axis: 1, range: 0..<c.noiseSize)
                let noise = Self.noise(first.shape[0], c, using: &random)
                noisePair = (first, noise)
                sample = (
                    Tensor.concatenate([sample.input, Tensor.concatenate([noise, codes], axis: 1)], axis: 0),
                    sample.labels + sample.labels, Tensor.concatenate([codes, codes], axis: 0)
                )
            }
            let fake = generate(sample.input)
            let output = infoCritic(fake, frozen: true)
            let adversarial = NonSaturatingGANObjective().generatorLoss(fake: output.adversarial)
            let info = infoLoss(output.q, sample)
            var loss = adversarial + weightedInfoLoss(output.q, sample, info)
            if let noisePair {
                let half = noisePair.first.shape[0]
                let imageDistance =
                    (fake.slice(axis: 0, range: 0..<half) - fake.slice(axis: 0, range: half..<(2 * half))).abs().mean()
                let noiseDistance = (noisePair.first - noisePair.second).abs().mean().item
                let ratio = imageDistance / Swift.max(noiseDistance, 1e-12)
                loss = loss + (ratio + 1e-5).reciprocal() * c.modeSeekingWeight
                metrics["mode_seeking_ratio"] = Double(ratio.item)
            }
            update(generatorOptimizer, loss: loss)
            metrics["g_loss"] = Double(adversarial.item)
        case .vaeGAN:
            guard let encoderOptimizer else { preconditionFailure("GANTrainer: VAE-GAN without an encoder") }
            let real = replicaBatch()
            let posterior = gaussianPosterior(real)
            let reconstructed = generate(posterior.sample(using: &random))
            let generated = generate(replicaNoise().input)
            let reconstruction = (reconstructed - real).squared().sum(axis: 1).mean()
            let kl = posterior.klDivergenceFromStandardNormal().mean()
            let fool: Tensor
            if c.threeClassDiscriminator {
                let outputs = critic(Tensor.concatenate([reconstructed, generated], axis: 0))
                fool = crossEntropy(logits: outputs, targets: [Int](repeating: 0, count: 2 * c.batchSize)) * 2
            } else {
                fool = (-critic(reconstructed)).softplus().mean() + (-critic(generated)).softplus().mean()
            }
            // Separate updates (Larsen et al. 2016): the encoder sees reconstruction + KL, the decoder reconstruction + D.
            let encoderLoss = reconstruction * c.reconstructionWeight + kl
            let decoderLoss = reconstruction * c.reconstructionWeight + fool
            let encoderGradients = gradients(of: encoderLoss, wrt: encoderOptimizer.parameters.map(\.value))
            let decoderGradients = gradients(of: decoderLoss, wrt: generatorOptimizer.parameters.map(\.value))
            encoderOptimizer.step(averagedOverReplicas(encoderGradients))
            generatorOptimizer.step(averagedOverReplicas(decoderGradients))
            metrics["g_loss"] = Double(fool.item)
            metrics["reconstruction"] = Double(reconstruction.item)
            metrics["kl"] = Double(kl.item)
        case .bidirectional:
            guard let encoder else { preconditionFailure("GANTrainer: BiGAN without an encoder") }
            let real = replicaBatch()
            let z = replicaNoise().input
            let realPair = critic(Tensor.concatenate([real, encoder(real)], axis: 1))
            let fakePair = critic(Tensor.concatenate([generate(z), z], axis: 1))
            // Encoder and generator fool D with swapped labels (the non-saturating form of Donahue et al. 2017).
            let loss = realPair.softplus().mean() + (-fakePair).softplus().mean()
            update(generatorOptimizer, loss: loss)
            metrics["g_loss"] = Double(loss.item)
        default:
            let fake = withInstanceNoise(generate(replicaNoise().input))
            let loss = plainObjective.generatorLoss(fake: discriminate(packed(fake), frozen: true))
            update(generatorOptimizer, loss: loss)
            metrics["g_loss"] = Double(loss.item)
        }
        return metrics
    }

    /// EBGAN's energy of a batch: the autoencoder's mean squared reconstruction error per sample.
    public func energy(_ x: Tensor) -> Tensor {
        EBGANObjective.energy(input: x, reconstruction: decodeEnergyCodes(critic(x)))
    }

    func decodeEnergyCodes(_ codes: Tensor) -> Tensor {
        guard let criticDecoder else { preconditionFailure("GANTrainer: EBGAN without a decoder") }
        let raw = criticDecoder(codes)
        return configuration.output == .sigmoid ? raw.sigmoid() : raw
    }

    /// VAE-GAN's `q(z | x)`.
    public func gaussianPosterior(_ x: Tensor) -> DiagonalGaussian {
        guard let encoder, configuration.method == .vaeGAN else {
            preconditionFailure("GANTrainer.gaussianPosterior: not a VAE-GAN run")
        }
        let output = encoder(x)
        let latent = configuration.noiseSize
        return DiagonalGaussian(
            mean: output.slice(axis: 1, range: 0..<latent),
            logVariance: output.slice(axis: 1, range: latent..<(2 * latent)))
    }

    /// InfoGAN's Q head prediction of the categorical code for samples `x` (argmax of the logits).
    public func predictedCategories(_ x: Tensor) -> [Int] {
        precondition(configuration.method == .info && configuration.infoCodes.categories > 0, "not an InfoGAN run")
        return withoutGradients {
            let categories = configuration.infoCodes.categories
            let logits: Tensor
            if let qHead {
                var unused = RandomGenerator(seed: 0)  // no dropout: nothing is drawn
                logits = qHead(critic.outputAndFeatures(x, using: &unused).features).slice(
                    axis: 1, range: 0..<categories)
            } else {
                logits = critic(x).slice(axis: 1, range: 1..<(1 + categories))
            }
            let indices = logits.argmax(axis: 1)
            return (0..<x.shape[0]).map { indices[$0] }
        }
    }

    /// InfoGAN's critic on `x`: the adversarial logit `[N, 1]` and `Q`'s raw output (from the critic's extra outputs,
    /// or from ``qHead`` on the critic's last hidden features).
    func infoCritic(_ x: Tensor, frozen: Bool = false) -> (adversarial: Tensor, q: Tensor) {
        let c = configuration
        let qWidth = c.infoCodes.qOutputWidth(learnedVariance: c.learnedCodeVariance)
        guard let qHead else {
            let output = discriminate(x, frozen: frozen)
            return (output.slice(axis: 1, range: 0..<1), output.slice(axis: 1, range: 1..<(1 + qWidth)))
        }
        let (output, features) = critic.outputAndFeatures(
            x, hiddenDropout: c.criticDropout, frozen: frozen, using: &random)
        let q = frozen ? qHead(features, hiddenDropout: 0, frozen: true, using: &random) : qHead(features)
        return (output, q)
    }

    /// The unweighted `L_I` (the metric `info_loss`, and the training term of runs without the weighted options).
    func infoLoss(_ qOutput: Tensor, _ sample: (input: Tensor, labels: [Int], codes: Tensor?)) -> Tensor {
        guard let codes = sample.codes else { preconditionFailure("GANTrainer: InfoGAN noise without codes") }
        let c = configuration
        return c.infoCodes.mutualInformationLoss(
            qOutput: qOutput, codes: codes, labels: sample.labels,
            weights: .init(learnedVariance: c.learnedCodeVariance))
    }

    /// The information term of the losses: `λ L_I`, or with a separate continuous λ or a learned variance the
    /// weighted form of ``InfoGANCodes/mutualInformationLoss(qOutput:codes:labels:weights:)``.
    func weightedInfoLoss(
        _ qOutput: Tensor, _ sample: (input: Tensor, labels: [Int], codes: Tensor?), _ unweighted: Tensor
    ) -> Tensor {
        let c = configuration
        guard c.usesWeightedInformationTerm, let codes = sample.codes else { return unweighted * c.infoWeight }
        return c.infoCodes.mutualInformationLoss(
            qOutput: qOutput, codes: codes, labels: sample.labels,
            weights: .init(
                categorical: c.infoWeight, continuous: c.continuousInfoWeight ?? c.infoWeight,
                learnedVariance: c.learnedCodeVariance))
    }

    // MARK: - Resuming

    /// The optimizers, the random generator and the step count, for ``ModelDirectory/saveTrainingState(_:)``.
    public func trainingState() -> TrainingStateArchive {
        var state = TrainingStateArchive()
        state.store(optimizer: generatorOptimizer, as: "generator")
        state.store(optimizer: criticOptimizer, as: "critic")
        if let encoderOptimizer { state.store(optimizer: encoderOptimizer, as: "encoder") }
        state.store(generator: random, as: "train")
        state["step"] = String(stepCount)
        return state
    }

    /// Restores what ``trainingState()`` stored (the weights are loaded separately into ``model``).
    public func restore(_ state: TrainingStateArchive) throws {
        let step = try state.integer("step")
        let random = try state.generator("train")
        try state.restore(optimizer: generatorOptimizer, from: "generator")
        try state.restore(optimizer: criticOptimizer, from: "critic")
        if let encoderOptimizer { try state.restore(optimizer: encoderOptimizer, from: "encoder") }
        self.random = random
        stepCount = step
    }
}
