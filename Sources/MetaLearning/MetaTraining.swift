import Autodiff
import Foundation
import NeuralNet

/// The meta-learning methods ``MetaTraining`` can run.
public enum MetaMethod: String, Codable, Sendable, CaseIterable {
    /// MAML with the exact second-order meta-gradient (Finn et al. 2017).
    case maml
    /// First-order MAML (Finn et al. 2017).
    case fomaml
    /// MAML with learned per-parameter inner rates (Li et al. 2017).
    case metaSGD = "meta-sgd"
    /// Reptile (Nichol et al. 2018).
    case reptile
    /// One network trained on all tasks, fine-tuned at test time (Finn et al. 2017's baseline).
    case pretrained
    /// Prototypical networks (Snell et al. 2017).
    case protonet
    /// Matching networks (Vinyals et al. 2016).
    case matching
    /// Siamese networks (Koch et al. 2015).
    case siamese
    /// The LSTM meta-optimizer with learned initialization (Ravi & Larochelle 2017).
    case lstmOptimizer = "lstm-optimizer"

    /// Whether the method classifies in one forward pass (no test-time gradient steps).
    public var isMetricBased: Bool { self == .protonet || self == .matching || self == .siamese }
}

/// The task family of a meta-training run.
public enum MetaTaskFamily: String, Codable, Sendable {
    /// Sinusoid regression (Finn et al. 2017).
    case sinusoid
    /// N-way K-shot classification of rotated digits, split by digit.
    case digits
    /// N-way K-shot classification of short texts (e.g. which character speaks a line), split by group (play).
    case text
}

/// Everything that defines a meta-training run (stored in the model directory's manifest).
public struct MetaTrainingConfiguration: Codable, Sendable, Equatable {
    /// The task family.
    public var task: MetaTaskFamily
    /// The method.
    public var method: MetaMethod
    /// K: support examples per task (sinusoid) or per class (digits).
    public var shots: Int
    /// N, classes per episode (digits).
    public var way: Int
    /// Query examples per task (sinusoid) or per class (digits).
    public var queryCount: Int
    /// Hidden layer widths of the network (the embedding network for metric methods).
    public var hiddenSizes: [Int]
    /// Output width of the embedding for metric methods.
    public var embeddingSize: Int
    /// Inner gradient steps during meta-training (MAML family, Reptile, LSTM optimizer unroll).
    public var innerSteps: Int
    /// Inner learning rate α (also the test-time fine-tuning rate).
    public var innerLearningRate: Float
    /// Meta learning rate (Adam β for MAML, Meta-SGD, the baseline, metric methods and the LSTM optimizer).
    public var metaLearningRate: Float
    /// Reptile's outer step size ε.
    public var outerStepSize: Float
    /// Tasks per meta-update.
    public var metaBatchSize: Int
    /// Hidden size of the LSTM meta-optimizer's second LSTM that reads the gradients and losses (0: gates from the
    /// current inputs only).
    public var inputLSTMHiddenSize: Int
    /// The seed of every random choice.
    public var seed: UInt64
    /// Hash buckets of the text encoder's input (text tasks; nil: 1,024).
    public var textFeatures: Int?
    /// Whether the LSTM meta-optimizer also learns the initialization θ₀ (nil: yes); otherwise every task starts
    /// from the same random θ₀, the setting of Andrychowicz et al. 2016 for comparing with SGD and Adam.
    public var learnsInitialization: Bool?
    /// How Meta-SGD's learned rates are parameterized. Nil (a run recorded before the choice existed) is the
    /// unconstrained form those runs were trained with; new configurations default to ``InnerRateParameterization/softplus``.
    public var innerRateParameterization: InnerRateParameterization?
    /// The largest learned rate in the softplus form (Meta-SGD); nil: no upper bound.
    public var maximumInnerRate: Float?

    /// The parameterization in effect (see ``innerRateParameterization``).
    public var rateParameterization: InnerRateParameterization { innerRateParameterization ?? .unconstrained }

    /// The text encoder's input width.
    public var textFeatureCount: Int { textFeatures ?? 1024 }

    /// The width of one input example for the task family.
    public var inputSize: Int {
        switch task {
        case .sinusoid: 1
        case .digits: RotatedDigitClasses.pixelCount
        case .text: textFeatureCount
        }
    }

    /// A configuration with Finn et al. 2017's sinusoid settings as defaults.
    public init(
        task: MetaTaskFamily = .sinusoid, method: MetaMethod = .maml, shots: Int = 10, way: Int = 5,
        queryCount: Int = 10, hiddenSizes: [Int] = [40, 40], embeddingSize: Int = 64, innerSteps: Int = 1,
        innerLearningRate: Float = 0.01, metaLearningRate: Float = 1e-3, outerStepSize: Float = 0.1,
        metaBatchSize: Int = 25, inputLSTMHiddenSize: Int = 0, seed: UInt64 = 0, textFeatures: Int? = nil,
        learnsInitialization: Bool? = nil, innerRateParameterization: InnerRateParameterization = .softplus,
        maximumInnerRate: Float? = nil
    ) {
        self.task = task
        self.method = method
        self.shots = shots
        self.way = way
        self.queryCount = queryCount
        self.hiddenSizes = hiddenSizes
        self.embeddingSize = embeddingSize
        self.innerSteps = innerSteps
        self.innerLearningRate = innerLearningRate
        self.metaLearningRate = metaLearningRate
        self.outerStepSize = outerStepSize
        self.metaBatchSize = metaBatchSize
        self.inputLSTMHiddenSize = inputLSTMHiddenSize
        self.seed = seed
        self.textFeatures = textFeatures
        self.learnsInitialization = learnsInitialization
        self.innerRateParameterization = innerRateParameterization
        self.maximumInnerRate = maximumInnerRate
    }

    /// Problems with the settings, as messages (empty when valid).
    public var problems: [String] {
        var result: [String] = []
        if shots < 1 { result.append("shots must be at least 1") }
        if queryCount < 1 { result.append("query count must be at least 1") }
        if task != .sinusoid && way < 2 { result.append("way must be at least 2") }
        if let textFeatures, !(1...1 << 20).contains(textFeatures) {
            result.append("text features must be in 1…1048576")
        }
        if innerSteps < 1 { result.append("inner steps must be at least 1") }
        if metaBatchSize < 1 { result.append("meta-batch size must be at least 1") }
        if inputLSTMHiddenSize < 0 { result.append("the input LSTM's hidden size must be non-negative") }
        if !(innerLearningRate > 0) || !(metaLearningRate > 0) || !(outerStepSize > 0) {
            result.append("learning rates must be positive")
        }
        if let maximumInnerRate {
            if rateParameterization != .softplus {
                result.append("a maximum inner rate needs the softplus rate parameterization")
            } else if !(maximumInnerRate >= innerLearningRate) {
                result.append("the maximum inner rate must be at least the inner learning rate")
            }
        }
        if hiddenSizes.contains(where: { $0 < 1 }) || embeddingSize < 1 {
            result.append("layer widths must be positive")
        }
        if task == .sinusoid && method.isMetricBased {
            result.append("\(method.rawValue) classifies; use a digits or text task")
        }
        return result
    }
}

/// Mean and 95% confidence half-width of per-episode values (normal approximation, 1.96 standard errors).
public struct MeanWithInterval: Codable, Sendable, Equatable {
    /// The mean.
    public var mean: Double
    /// 1.96 · s / √n.
    public var halfWidth: Double
    /// n.
    public var count: Int

    /// The summary of `values`.
    public init(_ values: [Double]) {
        count = values.count
        mean = values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
        let m = mean
        let variance =
            values.count > 1 ? values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1) : 0
        halfWidth = values.count > 0 ? 1.96 * variance.squareRoot() / Double(values.count).squareRoot() : 0
    }
}

/// Test-time performance after a number of adaptation steps.
///
/// Episodes whose query loss is not finite (the adaptation diverged) are counted in ``divergedEpisodes`` and left
/// out of ``loss`` and ``accuracy``, so one diverging episode does not turn the summary into NaN; a result with
/// every episode diverged has a loss over zero episodes.
public struct AdaptationResult: Codable, Sendable, Equatable {
    /// Gradient steps on the support set (0 for metric methods).
    public var steps: Int
    /// Query loss (MSE for regression, cross-entropy for classification) over the episodes that did not diverge.
    public var loss: MeanWithInterval
    /// Query accuracy (classification only) over the episodes that did not diverge.
    public var accuracy: MeanWithInterval?
    /// Episodes whose adapted query loss was NaN or infinite.
    public var divergedEpisodes: Int
    /// Whether `steps` exceeds the inner steps the method was meta-trained for (learned rates and learned
    /// optimizers are only trained for that many steps).
    public var beyondTrainedSteps: Bool

    /// A result.
    public init(
        steps: Int, loss: MeanWithInterval, accuracy: MeanWithInterval?, divergedEpisodes: Int = 0,
        beyondTrainedSteps: Bool = false
    ) {
        self.steps = steps
        self.loss = loss
        self.accuracy = accuracy
        self.divergedEpisodes = divergedEpisodes
        self.beyondTrainedSteps = beyondTrainedSteps
    }

    /// Whether every episode diverged.
    public var allDiverged: Bool { divergedEpisodes > 0 && loss.count == 0 }
}

/// One meta-training run: builds the network for the configured method and task family, takes meta-steps, and
/// evaluates few-shot performance on held-out tasks. The library entry point behind `montague train meta`.
public final class MetaTraining {
    /// The settings.
    public let configuration: MetaTrainingConfiguration
    /// The network (the initialization for gradient methods, the embedding for metric methods).
    public let network: FunctionalMLP
    /// The random generator of task sampling (stored for resuming).
    public var generator: RandomGenerator
    /// Meta-steps taken.
    public private(set) var stepCount = 0

    private let maml: MAML<FunctionalMLP>?
    private let reptile: Reptile<FunctionalMLP>?
    private let baseline: PretrainedBaseline<FunctionalMLP>?
    private let classifier: (any FewShotClassifier)?
    private let classifierOptimizer: Adam?
    private let lstm: LSTMMetaOptimizerTraining<FunctionalMLP>?

    /// A fresh run; the network's initialization and the task stream both come from `configuration.seed`.
    public init(configuration: MetaTrainingConfiguration) {
        precondition(configuration.problems.isEmpty, "MetaTraining: \(configuration.problems.joined(separator: "; "))")
        self.configuration = configuration
        var initialization = RandomGenerator(seed: configuration.seed)
        let inputSize = configuration.inputSize
        let outputSize: Int
        if configuration.method.isMetricBased {
            outputSize = configuration.embeddingSize
        } else {
            outputSize = configuration.task == .sinusoid ? 1 : configuration.way
        }
        network = FunctionalMLP(
            sizes: [inputSize] + configuration.hiddenSizes + [outputSize], activation: .relu, using: &initialization)
        generator = RandomGenerator(seed: configuration.seed &+ 0x9E37_79B9_7F4A_7C15)
        var maml: MAML<FunctionalMLP>? = nil
        var reptile: Reptile<FunctionalMLP>? = nil
        var baseline: PretrainedBaseline<FunctionalMLP>? = nil
        var classifier: (any FewShotClassifier)? = nil
        var lstm: LSTMMetaOptimizerTraining<FunctionalMLP>? = nil
        switch configuration.method {
        case .maml, .fomaml, .metaSGD:
            maml = MAML(
                model: network,
                configuration: MAMLConfiguration(
                    innerSteps: configuration.innerSteps, innerLearningRate: configuration.innerLearningRate,
                    order: configuration.method == .fomaml ? .first : .second,
                    learnsInnerRates: configuration.method == .metaSGD,
                    metaLearningRate: configuration.metaLearningRate,
                    rateParameterization: configuration.rateParameterization,
                    maximumInnerRate: configuration.maximumInnerRate))
        case .reptile:
            reptile = Reptile(
                model: network,
                configuration: ReptileConfiguration(
                    innerSteps: configuration.innerSteps, innerLearningRate: configuration.innerLearningRate,
                    outerStepSize: configuration.outerStepSize, annealsOuterStep: false))
        case .pretrained:
            baseline = PretrainedBaseline(model: network, learningRate: configuration.metaLearningRate)
        case .protonet:
            classifier = PrototypicalNetwork(embedding: network)
        case .matching:
            classifier = MatchingNetwork(embedding: network)
        case .siamese:
            classifier = SiameseNetwork(
                embedding: network, embeddingSize: configuration.embeddingSize, using: &initialization)
        case .lstmOptimizer:
            lstm = LSTMMetaOptimizerTraining(
                optimizer: LSTMMetaOptimizer(
                    architecture: configuration.inputLSTMHiddenSize > 0
                        ? .withInputLSTM(hiddenSize: configuration.inputLSTMHiddenSize) : .cellState,
                    using: &initialization), model: network,
                learnsInitialization: configuration.learnsInitialization ?? true, unrollSteps: configuration.innerSteps,
                truncation: configuration.innerSteps, metaLearningRate: configuration.metaLearningRate)
        }
        self.maml = maml
        self.reptile = reptile
        self.baseline = baseline
        self.classifier = classifier
        self.classifierOptimizer = classifier.map { Adam($0.parameters, learningRate: configuration.metaLearningRate) }
        self.lstm = lstm
    }

    /// Every trained tensor by stable name (the model directory's weights).
    public var namedParameters: [(name: String, parameter: Parameter)] {
        if let maml { return maml.namedParameters }
        if let classifier { return classifier.namedParameters }
        if let lstm { return lstm.namedParameters }
        return network.namedParameters
    }

    /// MAML-family meta-updates skipped because their meta-gradient was not finite (see ``MAML/metaStep(_:)``).
    public var skippedMetaSteps: Int {
        get { maml?.skippedSteps ?? 0 }
        set { maml?.skippedSteps = newValue }
    }

    /// The learned inner rates' summary (Meta-SGD), or nil.
    public var innerRateSummary: InnerRateSummary? { maml?.innerRateSummary }

    /// The learned inner rates α (Meta-SGD), one tensor per network parameter, or nil.
    public var learnedInnerRates: [Tensor]? { maml.flatMap { $0.innerRates.isEmpty ? nil : $0.learnedRates } }

    /// Sets the learned rates (Meta-SGD) to `rates`, one tensor per network parameter; in the softplus form
    /// rates at or below zero become `floor` (see ``MAML/setLearnedRates(_:floor:)``). Returns how many were
    /// raised, or nil when this run does not learn its rates.
    @discardableResult
    public func setLearnedInnerRates(_ rates: [Tensor], floor: Float = 1e-6) -> Int? {
        guard let maml, !maml.innerRates.isEmpty else { return nil }
        return maml.setLearnedRates(rates, floor: floor)
    }

    /// The optimizers whose state a resumed run needs, by name.
    public var optimizers: [(name: String, optimizer: any Optimizer)] {
        var result: [(name: String, optimizer: any Optimizer)] = []
        if let maml { result.append((name: "meta", optimizer: maml.metaOptimizer)) }
        if let baseline { result.append((name: "meta", optimizer: baseline.optimizer)) }
        if let classifierOptimizer { result.append((name: "meta", optimizer: classifierOptimizer)) }
        if let lstm { result.append((name: "meta", optimizer: lstm.metaOptimizer)) }
        return result
    }

    /// Restores the step counter and generator of a resumed run (the weights and optimizers are loaded by the
    /// caller).
    public func resume(stepCount: Int, generator: RandomGenerator) {
        self.stepCount = stepCount
        self.generator = generator
    }

    /// One meta-update on a fresh meta-batch from `sampler`; returns the method's training loss.
    @discardableResult
    public func step(sampler: some EpisodeSampler) -> Double {
        let count = configuration.method == .lstmOptimizer ? 1 : configuration.metaBatchSize
        var episodes: [Episode] = []
        for _ in 0..<count { episodes.append(sampler.sampleEpisode(using: &generator)) }
        stepCount += 1
        if let maml { return maml.metaStep(episodes) }
        if let reptile { return reptile.metaStep(episodes, outerStepSize: configuration.outerStepSize) }
        if let baseline { return baseline.step(episodes) }
        if let classifier, let classifierOptimizer {
            var total: Tensor? = nil
            for episode in episodes {
                let loss = classifier.loss(for: episode)
                total = total.map { $0 + loss } ?? loss
            }
            let mean = (total ?? Tensor(0)) / Float(episodes.count)
            classifierOptimizer.step(gradients(of: mean, wrt: classifier.parameterValues))
            return Double(mean.item)
        }
        if let lstm { return lstm.metaStep(episodes[0]) }
        return 0
    }

    /// Few-shot performance on `episodeCount` episodes from `sampler` (drawn with `seed`), after each number of
    /// test-time gradient steps in `checkpoints` (SGD at the inner rate; learned rates for Meta-SGD; the learned
    /// optimizer for the LSTM method). Metric methods report one result at 0 steps.
    public func evaluate(sampler: some EpisodeSampler, episodeCount: Int, checkpoints: [Int], seed: UInt64)
        -> [AdaptationResult]
    {
        var evaluation = RandomGenerator(seed: seed)
        let points = configuration.method.isMetricBased ? [0] : checkpoints.sorted()
        var losses = [[Double]](repeating: [], count: points.count)
        var accuracies = [[Double]](repeating: [], count: points.count)
        var diverged = [Int](repeating: 0, count: points.count)
        for _ in 0..<episodeCount {
            let episode = sampler.sampleEpisode(using: &evaluation)
            let curve: [(steps: Int, loss: Double, accuracy: Double?)]
            if let classifier {
                let logits = withoutGradients { classifier.logits(for: episode) }
                curve = [
                    (
                        steps: 0, loss: Double(withoutGradients { episode.queryTargets.loss(of: logits) }.item),
                        accuracy: episode.queryTargets.accuracy(of: logits)
                    )
                ]
            } else if let lstm {
                curve = lstm.adaptationCurve(episode, checkpoints: points)
            } else {
                let rates =
                    maml?.learnedRates ?? network.parameters.map { _ in Tensor(configuration.innerLearningRate) }
                curve = InnerLoop.adaptationCurve(
                    network, parameters: network.parameterValues, rates: rates, episode: episode, checkpoints: points)
            }
            for (index, point) in curve.enumerated() {
                guard point.loss.isFinite else {
                    diverged[index] += 1
                    continue
                }
                losses[index].append(point.loss)
                if let accuracy = point.accuracy { accuracies[index].append(accuracy) }
            }
        }
        let learnsItsSteps = configuration.method == .metaSGD || configuration.method == .lstmOptimizer
        return points.indices.map { index in
            AdaptationResult(
                steps: points[index], loss: MeanWithInterval(losses[index]),
                accuracy: accuracies[index].isEmpty ? nil : MeanWithInterval(accuracies[index]),
                divergedEpisodes: diverged[index],
                beyondTrainedSteps: learnsItsSteps && points[index] > configuration.innerSteps)
        }
    }

    /// The LSTM meta-optimizer against SGD and Adam from this run's θ₀ (the learned or fixed initialization) on
    /// `episodeCount` held-out episodes of `sampler` drawn with `seed`, each optimizer taking `steps` full-batch
    /// steps on the support set; SGD's and Adam's rates are the best of `rateGrid` on `tuningEpisodes` episodes of
    /// `tuningSampler` (meta-training tasks). Nil unless the method is the LSTM optimizer.
    public func compareOptimizers(
        sampler: some EpisodeSampler, tuningSampler: some EpisodeSampler, episodeCount: Int, tuningEpisodes: Int,
        steps: Int, seed: UInt64, rateGrid: [Float] = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3]
    ) -> OptimizerComparison? {
        guard let lstm else { return nil }
        let initialization = network.parameterValues.map { $0.detached() }
        var tuning = RandomGenerator(seed: seed &+ 0x5EED)
        let tuningSet = (0..<tuningEpisodes).map { _ in tuningSampler.sampleEpisode(using: &tuning) }
        let sgdRate = OptimizerComparison.bestRate(
            rateGrid, adam: false, model: network, initialization: initialization, episodes: tuningSet, steps: steps)
        let adamRate = OptimizerComparison.bestRate(
            rateGrid, adam: true, model: network, initialization: initialization, episodes: tuningSet, steps: steps)
        var evaluation = RandomGenerator(seed: seed)
        let episodes = (0..<episodeCount).map { _ in sampler.sampleEpisode(using: &evaluation) }
        return OptimizerComparison.run(
            [.learned(lstm.optimizer), .sgd(learningRate: sgdRate), .adam(learningRate: adamRate)], model: network,
            initialization: initialization, episodes: episodes, steps: steps)
    }

    /// Adapts to `episode`'s support set with `steps` test-time steps (none for metric methods) and returns the
    /// query outputs: predictions (regression) or logits (classification).
    public func predict(_ episode: Episode, steps: Int) -> Tensor {
        if let classifier { return withoutGradients { classifier.logits(for: episode) } }
        let shapes = network.parameters.map(\.shape)
        var theta = network.parameterValues.map { $0.detached().requiringGradient() }
        if let lstm {
            var flat = ParameterVector.flatten(theta).detached().requiringGradient()
            var state = lstm.optimizer.initialState(coordinates: flat.shape[0])
            for _ in 0..<steps {
                let loss = episode.supportTargets.loss(
                    of: network(episode.supportInputs, parameters: ParameterVector.unflatten(flat, shapes: shapes)))
                let gradient = gradients(of: loss, wrt: [flat])[0]
                let next = withoutGradients {
                    lstm.optimizer.step(theta: flat.detached(), gradient: gradient, loss: loss.item, state: state)
                }
                flat = next.theta.detached().requiringGradient()
                state = next.state.detached()
            }
            theta = ParameterVector.unflatten(flat.detached(), shapes: shapes)
        } else {
            let rates = maml?.learnedRates ?? network.parameters.map { _ in Tensor(configuration.innerLearningRate) }
            for _ in 0..<steps {
                let loss = episode.supportTargets.loss(of: network(episode.supportInputs, parameters: theta))
                let grads = gradients(of: loss, wrt: theta)
                theta = zip(zip(theta, grads), rates).map { ($0.0 - $1 * $0.1).detached().requiringGradient() }
            }
        }
        return withoutGradients { network(episode.queryInputs, parameters: theta) }
    }
}
