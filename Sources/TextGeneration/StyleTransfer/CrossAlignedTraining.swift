import Autodiff
import Corpus
import Foundation
import MontagueSupport
import NeuralNet

/// Trains a ``CrossAlignedAutoencoder`` as Shen et al. 2017 do: every step takes a batch with the same number of
/// sentences of each style, updates each style's discriminator on real (teacher-forced) against transferred
/// (soft-decoded) hidden-state sequences, and updates encoder and decoder on `L_rec + ρ·L_adv` — with the
/// adversarial term only while every discriminator's loss is below a threshold (Shen et al.'s 1.2), else on `L_rec`
/// alone.
///
/// Batches follow Shen et al.'s code: the smaller styles are oversampled to the size of the largest, each style is
/// sorted by length and cut into equal chunks, batch `i` joins chunk `i` of every style (so a batch's sentences have
/// similar lengths); the batch order is reshuffled every epoch from the seed. The run is resumable: the current
/// parameters, both optimizers, the random generator and the counters go into the model directory's training
/// state, and `weights.safetensors` holds the parameters with the best validation score (or the latest ones).
public enum CrossAlignedTraining {
    /// Optimization settings, stored in the model directory.
    public struct Options: Codable, Equatable, Sendable {
        /// Sentences per batch (split evenly between the styles).
        public var batchSize: Int
        /// Adam's learning rate (both optimizers; Shen et al.: 5·10⁻⁴ with β₁ = 0.5).
        public var learningRate: Float
        /// Weight ρ of the adversarial loss (Shen et al.: 1).
        public var adversarialWeight: Float
        /// The adversarial term is used only while every discriminator's loss is below this (Shen et al.: 1.2).
        public var discriminatorThreshold: Float
        /// Global gradient-norm clip of the encoder–decoder update (0: none).
        public var maxGradientNorm: Float
        /// Total optimizer steps (a resumed run may raise it).
        public var steps: Int
        /// Steps between validations and checkpoints.
        public var evaluationInterval: Int
        /// Seed of initialization, batches and dropout.
        public var seed: UInt64
        /// Steps at the start in which the generator minimizes reconstruction alone — autoencoder pre-training
        /// before the adversarial and cycle terms start (nil: 0).
        public var pretrainingSteps: Int?

        /// Options with Shen et al.'s settings.
        public init(
            batchSize: Int = 64, learningRate: Float = 5e-4, adversarialWeight: Float = 1,
            discriminatorThreshold: Float = 1.2, maxGradientNorm: Float = 30, steps: Int = 10_000,
            evaluationInterval: Int = 500, seed: UInt64 = 0
        ) {
            self.batchSize = batchSize
            self.learningRate = learningRate
            self.adversarialWeight = adversarialWeight
            self.discriminatorThreshold = discriminatorThreshold
            self.maxGradientNorm = maxGradientNorm
            self.steps = steps
            self.evaluationInterval = evaluationInterval
            self.seed = seed
        }

        /// The first invalid setting, or nil.
        public var problem: String? {
            if batchSize < 2 { return "batch size must be at least 2" }
            if !(learningRate > 0 && learningRate.isFinite) { return "learning rate must be positive" }
            if !(adversarialWeight >= 0 && adversarialWeight.isFinite) { return "the adversarial weight must be ≥ 0" }
            if !(discriminatorThreshold > 0) { return "the discriminator threshold must be positive" }
            if !(maxGradientNorm >= 0) { return "the gradient clip must be ≥ 0" }
            if steps < 0 { return "steps must be ≥ 0" }
            if evaluationInterval <= 0 { return "the evaluation interval must be positive" }
            if let pretrainingSteps, pretrainingSteps < 0 { return "pre-training steps must be ≥ 0" }
            return nil
        }
    }

    /// Denoising and back-translation (Lample, Subramanian, Smith, Denoyer, Ranzato & Boureau 2019, "Multiple-
    /// attribute text rewriting"), the non-adversarial training of the same encoder–decoder: each step minimizes
    ///
    /// ```
    /// L = L_dae + λ·L_bt
    /// L_dae = −log p(x | E(noise(x), s), s)                      (words dropped, local shuffle)
    /// L_bt  = −log p(x | E(y', t), s),  y' = greedy transfer of x to t by the current model (no gradient)
    /// ```
    public struct BackTranslation: Sendable, Equatable {
        /// Probability of dropping each input word in `noise`.
        public var wordDropout: Float
        /// Largest displacement of a word by the local shuffle in `noise` (0: none).
        public var shuffleDistance: Int
        /// λ.
        public var weight: Float

        /// Lample et al.'s noise (p = 0.1, k = 3) and λ = 1.
        public init(wordDropout: Float = 0.1, shuffleDistance: Int = 3, weight: Float = 1) {
            self.wordDropout = wordDropout
            self.shuffleDistance = shuffleDistance
            self.weight = weight
        }
    }

    /// Lample et al.'s noise: every word dropped with probability `wordDropout` (at least one kept), then the words
    /// permuted by sorting positions `i + U(0, k + 1)`, so no word moves more than `k` places.
    static func noise(_ sentence: [Int], settings: BackTranslation, using generator: inout RandomGenerator) -> [Int] {
        var kept = sentence.filter { _ in generator.nextUnitFloat() >= settings.wordDropout }
        if kept.isEmpty, let first = sentence.first { kept = [first] }
        guard settings.shuffleDistance > 0, kept.count > 1 else { return kept }
        let keys = kept.indices.map { Double($0) + generator.nextUnitDouble() * Double(settings.shuffleDistance + 1) }
        return kept.indices.sorted { keys[$0] < keys[$1] }.map { kept[$0] }
    }

    /// A random other style for each style of `sources` (with two styles, the other one).
    static func otherStyles(of sources: [Int], styleCount: Int, using generator: inout RandomGenerator) -> [Int] {
        sources.map { source in
            if styleCount == 2 { return 1 - source }
            return (source + 1 + generator.nextInt(below: styleCount - 1)) % styleCount
        }
    }

    /// One back-translation update of the GRU or the Transformer: the gradients of `losses.total` with respect to
    /// the optimizer's parameters, averaged over the replicas (weighted by the replica's `sentences`), clipped to
    /// the options' global norm and applied; returns the step's metrics (averaged over the replicas).
    static func backTranslationStep(
        _ losses: (total: Tensor, denoising: Tensor, backTranslation: Tensor), optimizer: Adam, sentences: Int,
        options: Options, synchronizer: (any GradientSynchronizer)?
    ) throws -> [String: Double] {
        var grads = gradients(of: losses.total, wrt: optimizer.parameters.map(\.value))
        var parts = [
            "denoising": Double(losses.denoising.item), "back_translation": Double(losses.backTranslation.item),
        ]
        if let synchronizer {
            grads = try averaged(grads, [], sentences: sentences, synchronizer: synchronizer).0
            parts = try synchronizer.averageMetrics(parts, weight: Double(sentences))
        }
        if options.maxGradientNorm > 0 { grads = clipByGlobalNorm(grads, maxNorm: options.maxGradientNorm).clipped }
        optimizer.step(grads)
        return ["denoising": parts["denoising"] ?? .nan, "back_translation": parts["back_translation"] ?? .nan]
    }

    /// The loss of one back-translation step.
    static func backTranslationLoss(
        model: CrossAlignedAutoencoder, batch: [(ids: [Int], style: Int)], vocabulary: Vocabulary,
        settings: BackTranslation, using generator: inout RandomGenerator
    ) -> (total: Tensor, denoising: Tensor, backTranslation: Tensor) {
        let styleCount = model.configuration.styleCount
        let sentences = batch.map { $0.ids.isEmpty ? [vocabulary.unknownIndex] : $0.ids }
        let sources = batch.map(\.style)
        let targets = otherStyles(of: sources, styleCount: styleCount, using: &generator)
        let noised = sentences.map { noise($0, settings: settings, using: &generator) }
        let longest = sentences.map(\.count).max() ?? 1
        let transferred = model.transfer(
            sentences, from: sources, to: targets, vocabulary: vocabulary, maximumLength: longest + 5
        ).map { $0.isEmpty ? [vocabulary.unknownIndex] : $0 }
        var dropout: RandomGenerator? = generator
        func reconstruction(from inputs: [[Int]], styles: [Int]) -> Tensor {
            let (content, memory) = model.encodeSource(inputs, styles: styles, dropoutUsing: &dropout)
            let teacher = model.teacherForced(
                sentences, initial: model.initialState(content: content, styles: sources), memory: memory,
                vocabulary: vocabulary, dropoutUsing: &dropout)
            return crossEntropy(
                logits: teacher.logits, targets: teacher.targets, ignoreIndex: vocabulary.paddingIndex,
                reduction: .sum) / Float(batch.count)
        }
        let denoising = reconstruction(from: noised, styles: sources)
        let backTranslation = reconstruction(from: transferred, styles: targets)
        if let dropout { generator = dropout }
        return (denoising + backTranslation * settings.weight, denoising, backTranslation)
    }

    /// The progress line of a back-translation run (GRU or Transformer) after `step` with these averages.
    static func backTranslationProgress(step: Int, averages: [String: Double]) -> String {
        String(
            format: "step %d: denoising %.3f, back-translation %.3f", step, averages["denoising"] ?? .nan,
            averages["back_translation"] ?? .nan)
    }

    /// How a run ended.
    public struct Summary: Sendable {
        /// Steps done in total, over all sessions.
        public var steps: Int
        /// The last training metrics (`reconstruction`, `adversarial`, `discriminator`).
        public var lastMetrics: [String: Double]
        /// The best validation score seen (higher is better), if validation scores were given.
        public var bestScore: Double?
        /// Whether the wall-clock budget stopped the run before its step budget.
        public var stoppedByTimeLimit: Bool
    }

    /// Batches of (sentence ids, style) with the same count of each style.
    static func batches(_ sentences: [[[Int]]], batchSize: Int, seed: UInt64) -> [[(ids: [Int], style: Int)]] {
        let styleCount = sentences.count
        let perStyle = max(1, batchSize / styleCount)
        let largest = sentences.map(\.count).max() ?? 0
        var generator = SplitMix64(seed: seed ^ 0x5EED_BA7C)
        let sorted: [[[Int]]] = sentences.map { list in
            guard !list.isEmpty else { return [] }
            var chosen = list
            while chosen.count < largest { chosen.append(list[Int(generator.next() % UInt64(list.count))]) }
            // Stable sort by length keeps the order deterministic.
            return chosen.enumerated().sorted { ($0.element.count, $0.offset) < ($1.element.count, $1.offset) }
                .map(\.element)
        }
        var result: [[(ids: [Int], style: Int)]] = []
        for start in stride(from: 0, to: largest, by: perStyle) {
            var batch: [(ids: [Int], style: Int)] = []
            for (style, list) in sorted.enumerated() {
                for index in start..<min(start + perStyle, list.count) { batch.append((list[index], style)) }
            }
            result.append(batch)
        }
        return result
    }

    /// The batch order of `epoch`.
    static func order(count: Int, epoch: Int, seed: UInt64) -> [Int] {
        var generator = SplitMix64(seed: seed &+ UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15)
        var order = Array(0..<count)
        generator.shuffle(&order)
        return order
    }

    /// The losses of one batch: reconstruction (summed over tokens, averaged over sentences), per-style
    /// discriminator losses and the generator's adversarial losses.
    struct StepLosses {
        var reconstruction: Tensor
        var discriminator: [Tensor]
        var adversarial: [Tensor]
    }

    /// The forward pass of one batch.
    static func losses(
        model: CrossAlignedAutoencoder, batch: [(ids: [Int], style: Int)], vocabulary: Vocabulary,
        using generator: inout RandomGenerator
    ) -> StepLosses {
        let styleCount = model.configuration.styleCount
        let sentences = batch.map { $0.ids.isEmpty ? [vocabulary.unknownIndex] : $0.ids }
        let sources = batch.map(\.style)
        let targets = otherStyles(of: sources, styleCount: styleCount, using: &generator)
        var dropout: RandomGenerator? = generator
        let (content, memory) = model.encodeSource(sentences, styles: sources, dropoutUsing: &dropout)
        let original = model.initialState(content: content, styles: sources)
        let transferred = model.initialState(content: content, styles: targets)
        let teacher = model.teacherForced(
            sentences, initial: original, memory: memory, vocabulary: vocabulary, dropoutUsing: &dropout)
        let reconstruction =
            crossEntropy(
                logits: teacher.logits, targets: teacher.targets, ignoreIndex: vocabulary.paddingIndex,
                reduction: .sum) / Float(batch.count)
        let soft = model.softDecode(
            initial: transferred, steps: teacher.hiddenStates.shape[2] - 1, memory: memory, vocabulary: vocabulary,
            dropoutUsing: &dropout)
        if let dropout { generator = dropout }
        var discriminatorLosses: [Tensor] = []
        var adversarialLosses: [Tensor] = []
        for style in 0..<styleCount {
            let realRows = sources.indices.filter { sources[$0] == style }
            let fakeRows = targets.indices.filter { targets[$0] == style }
            guard !realRows.isEmpty, !fakeRows.isEmpty else { continue }
            let real = model.discriminators[style](
                teacher.hiddenStates.indexSelect(
                    axis: 0, indices: IndexTensor(shape: [realRows.count], indices: realRows)))
            let fake = model.discriminators[style](
                soft.indexSelect(axis: 0, indices: IndexTensor(shape: [fakeRows.count], indices: fakeRows)))
            let ones = Tensor(shape: [fakeRows.count], scalars: Array(repeating: 1, count: fakeRows.count))
            discriminatorLosses.append(
                binaryCrossEntropyWithLogits(
                    logits: real,
                    targets: Tensor(shape: [realRows.count], scalars: Array(repeating: 1, count: realRows.count)))
                    + binaryCrossEntropyWithLogits(logits: fake, targets: Tensor.zeros([fakeRows.count])))
            adversarialLosses.append(binaryCrossEntropyWithLogits(logits: fake, targets: ones))
        }
        return StepLosses(
            reconstruction: reconstruction, discriminator: discriminatorLosses, adversarial: adversarialLosses)
    }

    /// The losses of one training step as ``run(model:sentences:vocabulary:options:backTranslation:directory:
    /// timeLimit:metricsURL:validate:log:)`` computes them (for benchmarks): the generator's loss with the adversarial
    /// term always on, and the discriminators' (nil with back-translation).
    public static func stepLoss(
        model: CrossAlignedAutoencoder, batch: [(ids: [Int], style: Int)], vocabulary: Vocabulary,
        backTranslation: BackTranslation?, adversarialWeight: Float, using generator: inout RandomGenerator
    ) -> (generator: Tensor, discriminator: Tensor?) {
        if let backTranslation {
            let losses = backTranslationLoss(
                model: model, batch: batch, vocabulary: vocabulary, settings: backTranslation, using: &generator)
            return (losses.total, nil)
        }
        let losses = losses(model: model, batch: batch, vocabulary: vocabulary, using: &generator)
        let discriminator = losses.discriminator.dropFirst().reduce(losses.discriminator[0], +)
        let adversarial = losses.adversarial.dropFirst().reduce(losses.adversarial[0], +)
        return (losses.reconstruction + adversarial * adversarialWeight, discriminator)
    }

    /// Trains `model` on `sentences` (ids per style, without `<s>`/`</s>`), continuing the run saved in
    /// `directory`'s training state when there is one.
    ///
    /// - Parameters:
    ///   - validate: called every `evaluationInterval` steps and at the end; returns metrics, of which `score`
    ///     (higher is better) selects the weights kept in `weights.safetensors`. Without a `score`, the latest
    ///     weights are kept.
    ///   - timeLimit: seconds of this session after which the run saves and stops.
    ///   - metrics: a JSON Lines log (`train` records every 10 steps, `eval` records), kept through the resumed step.
    ///   - synchronizer: data-parallel training (e.g. `Distributed`'s `DataParallelSynchronizer` under `mpirun`):
    ///     `batchSize` is per replica; each replica trains on its part of every style's sentences of each global
    ///     batch, the generator's and the discriminators' gradients are averaged over the replicas (weighted by
    ///     sentences, one exchange per step), the discriminator losses that decide whether the adversarial term is
    ///     on are the replicas' mean, replica 0's state starts every replica, replica 0's clock ends a time limit for
    ///     all, and replica 0 alone validates and writes the directory and metrics. Random draws inside the losses
    ///     come from the shared generator, so they are not those of one process with the whole batch.
    /// - Throws: ``ModelDirectoryError`` / `CheckpointError` for an unreadable training state; file errors.
    public static func run(
        model: CrossAlignedAutoencoder, sentences: [[[Int]]], vocabulary: Vocabulary, options: Options,
        backTranslation: BackTranslation? = nil, directory: ModelDirectory, timeLimit: Double? = nil,
        metricsURL: URL? = nil,
        validate: ((CrossAlignedAutoencoder) throws -> [String: Double])? = nil, log: ((String) -> Void)? = nil,
        synchronizer: (any GradientSynchronizer)? = nil, shouldStop: () -> Bool = { false }
    ) throws -> Summary {
        precondition(options.problem == nil, "CrossAlignedTraining: \(options.problem ?? "")")
        precondition(
            sentences.count == model.configuration.styleCount && sentences.allSatisfy({ !$0.isEmpty }),
            "CrossAlignedTraining: one non-empty sentence list per style")
        let generatorOptimizer = Adam(
            model.generatorNamedParameters.map(\.parameter), learningRate: options.learningRate, beta1: 0.5)
        let discriminatorParameters = model.discriminatorNamedParameters.map(\.parameter)
        let discriminatorOptimizer = Adam(discriminatorParameters, learningRate: options.learningRate, beta1: 0.5)
        let batches = Self.replicaBatches(
            sentences, batchSize: options.batchSize, seed: options.seed, shard: synchronizer?.shard ?? .whole)
        let driver = StyleTrainingDriver(
            model: model,
            optimizers: [("generator", generatorOptimizer), ("discriminator", discriminatorOptimizer)],
            options: options, stepsPerEpoch: batches.count, directory: directory, timeLimit: timeLimit,
            metricsURL: metricsURL, validate: validate.map { validate in { try validate(model) } }, log: log,
            progressLine: { step, averages in
                backTranslation != nil
                    ? backTranslationProgress(step: step, averages: averages)
                    : String(
                        format: "step %d: reconstruction %.3f, adversarial %.3f, discriminator %.3f, aligned %.2f",
                        step, averages["reconstruction"] ?? .nan, averages["adversarial"] ?? .nan,
                        averages["discriminator"] ?? .nan, averages["aligned"] ?? .nan)
            }, synchronizer: synchronizer)
        let synchronizer = driver.synchronizer  // nil for one replica
        return try driver.run(shouldStop: shouldStop) { context in
            let batch = batches[
                order(count: batches.count, epoch: context.epoch, seed: options.seed)[
                    context.index % batches.count]]
            if let backTranslation {
                let losses = Self.backTranslationLoss(
                    model: model, batch: batch, vocabulary: vocabulary, settings: backTranslation,
                    using: &context.generator)
                return try backTranslationStep(
                    losses, optimizer: generatorOptimizer, sentences: batch.count, options: options,
                    synchronizer: synchronizer)
            }
            let losses = Self.losses(model: model, batch: batch, vocabulary: vocabulary, using: &context.generator)
            let discriminatorTotal = losses.discriminator.dropFirst().reduce(losses.discriminator[0], +)
            let adversarialTotal = losses.adversarial.dropFirst().reduce(losses.adversarial[0], +)
            var discriminatorValues = losses.discriminator.map { Double($0.item) }
            var reconstructionValue = Double(losses.reconstruction.item)
            var adversarialValue = Double(adversarialTotal.item) / Double(losses.adversarial.count)
            if let synchronizer {  // the replicas' mean losses decide whether the adversarial term is on
                var local = ["reconstruction": reconstructionValue, "adversarial": adversarialValue]
                for (index, value) in discriminatorValues.enumerated() { local["discriminator\(index)"] = value }
                let mean = try synchronizer.averageMetrics(local, weight: Double(batch.count))
                discriminatorValues = discriminatorValues.indices.map { mean["discriminator\($0)"] ?? .nan }
                reconstructionValue = mean["reconstruction"] ?? .nan
                adversarialValue = mean["adversarial"] ?? .nan
            }
            let aligned =
                options.adversarialWeight > 0 && context.index >= (options.pretrainingSteps ?? 0)
                && discriminatorValues.allSatisfy { $0 < Double(options.discriminatorThreshold) }
            let generatorLoss =
                aligned ? losses.reconstruction + adversarialTotal * options.adversarialWeight : losses.reconstruction
            var discriminatorGradients = gradients(
                of: discriminatorTotal, wrt: discriminatorParameters.map(\.value))
            var generatorGradients = gradients(
                of: generatorLoss, wrt: generatorOptimizer.parameters.map(\.value))
            (generatorGradients, discriminatorGradients) = try averaged(
                generatorGradients, discriminatorGradients, sentences: batch.count, synchronizer: synchronizer)
            if options.maxGradientNorm > 0 {
                generatorGradients = clipByGlobalNorm(generatorGradients, maxNorm: options.maxGradientNorm).clipped
            }
            generatorOptimizer.step(generatorGradients)
            discriminatorOptimizer.step(discriminatorGradients)
            return [
                "reconstruction": reconstructionValue, "adversarial": adversarialValue,
                "discriminator": discriminatorValues.reduce(0, +) / Double(discriminatorValues.count),
                "aligned": aligned ? 1 : 0,
            ]
        }
    }
}

/// Greedy transfer with a trained ``CrossAlignedAutoencoder`` and its vocabulary.
public struct CrossAlignedTransfer {
    /// The network.
    public let model: CrossAlignedAutoencoder
    /// Its vocabulary.
    public let vocabulary: Vocabulary
    /// Longest output, in tokens.
    public let maximumLength: Int

    /// A transfer system.
    public init(model: CrossAlignedAutoencoder, vocabulary: Vocabulary, maximumLength: Int) {
        self.model = model
        self.vocabulary = vocabulary
        self.maximumLength = maximumLength
    }

    /// Transfers `sentences` of styles `sources` to `target`, in batches of sentences of similar length.
    public func transfer(_ sentences: [[String]], from sources: [Int], to target: Int, batchSize: Int = 128)
        -> [[String]]
    {
        BatchedGreedyTransfer(vocabulary: vocabulary, maximumLength: maximumLength, batchSize: batchSize)(sentences) {
            ids, rows, limit in
            model.transfer(
                ids, from: rows.map { sources[$0] }, to: Array(repeating: target, count: rows.count),
                vocabulary: vocabulary, maximumLength: limit)
        }
    }
}
