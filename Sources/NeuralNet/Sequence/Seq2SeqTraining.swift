import Autodiff
import Foundation

/// How a ``Seq2SeqModel`` is trained and evaluated.
public struct Seq2SeqTrainingConfiguration: Sendable, Equatable {
    /// Passes over the training pairs.
    public var epochs: Int
    /// Pairs per gradient step.
    public var batchSize: Int
    /// Adam's learning rate (Kingma & Ba 2015); with a schedule, its peak.
    public var learningRate: Float
    /// How the learning rate changes over the steps (constant by default).
    public var learningRateSchedule: LearningRateScheduleKind = .constant
    /// Steps of linear warm-up of ``learningRateSchedule`` (unused by the constant schedule).
    public var warmupSteps: Int = 0
    /// Clip the gradients' global norm to this (Pascanu et al. 2013), or `nil` for no clipping.
    public var gradientClipNorm: Float?
    /// Teacher forcing or a scheduled-sampling decay of ε over gradient steps (Bengio et al. 2015).
    public var sampling: ScheduledSampling
    /// Which own prediction scheduled sampling feeds back.
    public var samplingChoice: ScheduledSamplingChoice
    /// Whether a coin of scheduled sampling decides one target position (Bengio et al. 2015) or a whole training
    /// sequence (Lake & Baroni 2018).
    public var teacherForcingMode: TeacherForcingMode
    /// Seed of shuffling, dropout and sampling (the model's initialization has its own seed).
    public var seed: UInt64
    /// Longest decoded sequence at evaluation.
    public var maxDecodeLength: Int
    /// Beam width at evaluation (1 = greedy decoding).
    public var beamWidth: Int
    /// Length normalization exponent α of beam search.
    public var lengthPenalty: Float
    /// Report the running loss every this many steps.
    public var reportEvery: Int
    /// Stop training after the step during which this many seconds of the current session have passed (`nil`: no
    /// limit); a resumed run gets the whole budget again, as in language-model training. A safety net for shared
    /// machines: the number of steps then depends on the machine's speed.
    public var timeLimit: Double?

    /// A configuration; the defaults are teacher forcing with Adam at 1e-3, batches of 32, clipping at 5.
    public init(
        epochs: Int = 10, batchSize: Int = 32, learningRate: Float = 1e-3, gradientClipNorm: Float? = 5,
        sampling: ScheduledSampling = .teacherForcing, samplingChoice: ScheduledSamplingChoice = .argmax,
        teacherForcingMode: TeacherForcingMode = .token, seed: UInt64 = 0, maxDecodeLength: Int = 60,
        beamWidth: Int = 1, lengthPenalty: Float = 0,
        reportEvery: Int = 100, timeLimit: Double? = nil
    ) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.gradientClipNorm = gradientClipNorm
        self.sampling = sampling
        self.samplingChoice = samplingChoice
        self.teacherForcingMode = teacherForcingMode
        self.seed = seed
        self.maxDecodeLength = maxDecodeLength
        self.beamWidth = beamWidth
        self.lengthPenalty = lengthPenalty
        self.reportEvery = reportEvery
        self.timeLimit = timeLimit
    }
}

/// Source/target pairs as token indices (without `<bos>`/`<eos>`).
public struct Seq2SeqEncodedPairs: Sendable, Equatable {
    /// Source token indices per pair.
    public var sources: [[Int]]
    /// Target token indices per pair.
    public var targets: [[Int]]

    /// Pairs encoded with the given vocabularies.
    public init(_ examples: [Seq2SeqExample], source: SequenceVocabulary, target: SequenceVocabulary) {
        sources = examples.map { source.encode($0.source) }
        targets = examples.map { target.encode($0.target) }
    }

    /// Pairs from indices.
    public init(sources: [[Int]], targets: [[Int]]) {
        precondition(
            sources.count == targets.count, "Seq2SeqEncodedPairs: \(sources.count) sources, \(targets.count) targets")
        self.sources = sources
        self.targets = targets
    }

    /// Number of pairs.
    public var count: Int { sources.count }
}

/// Something that happened during training (``Seq2SeqExperiment/run(train:valid:test:settings:options:report:)``
/// or ``Seq2SeqTrainer/train(_:on:configuration:optimizer:startEpoch:afterEpoch:report:)``).
public struct Seq2SeqTrainingProgress: Sendable, Equatable {
    /// 0-based epoch, as in ``TrainingLoop``'s progress line and metrics records.
    public let epoch: Int
    /// Gradient steps taken so far.
    public let step: Int
    /// Mean per-token training loss over the steps since the last report.
    public let loss: Float
    /// ε of scheduled sampling at this step.
    public let goldProbability: Float
    /// Whether this report closes an epoch (its loss is then the epoch's mean).
    public let endOfEpoch: Bool
    /// Seconds since training started.
    public let seconds: Double
}

/// Mini-batch training of a ``Seq2SeqModel`` with Adam, and exact-match evaluation.
public enum Seq2SeqTrainer {
    /// Trains `model` in place on `pairs` (stopping early at `timeLimit`, if set); `startEpoch` and the
    /// `afterEpoch` argument count epochs from 1, the reported progress from 0. Each epoch shuffles the pairs, groups pools of 20 batches by target
    /// length (less padding), and visits the batches in random order. Calls `report` every `reportEvery` steps and
    /// at the end of each epoch, and `afterEpoch(epoch, optimizer)` after each epoch (e.g. to save a checkpoint).
    /// Returns the number of gradient steps taken.
    @discardableResult
    public static func train<Cell>(
        _ model: Seq2SeqModel<Cell>, on pairs: Seq2SeqEncodedPairs, configuration: Seq2SeqTrainingConfiguration,
        optimizer: Adam? = nil, startEpoch: Int = 1, afterEpoch: (Int, Adam) throws -> Void = { _, _ in },
        report: (Seq2SeqTrainingProgress) -> Void = { _ in }
    ) rethrows -> Int {
        let c = configuration
        precondition(
            c.epochs >= 0 && c.batchSize > 0 && c.reportEvery > 0 && pairs.count > 0,
            "Seq2SeqTrainer.train: invalid configuration \(c) for \(pairs.count) pairs")
        let adam = optimizer ?? Adam(model.parameters, learningRate: c.learningRate)
        var generator = RandomGenerator(seed: c.seed)
        let start = Date()
        var step = adam.stepCount
        // Skip the shuffles of epochs already done, so a resumed run sees the same batches.
        for _ in 1..<max(1, startEpoch) {
            _ = batches(count: pairs.count, targets: pairs.targets, size: c.batchSize, using: &generator)
        }
        for epoch in stride(from: max(1, startEpoch), through: c.epochs, by: 1) {
            var windowLoss: Float = 0
            var windowSteps = 0
            var epochLoss: Float = 0
            var epochSteps = 0
            for batch in batches(count: pairs.count, targets: pairs.targets, size: c.batchSize, using: &generator) {
                let epsilon = c.sampling.goldProbability(atStep: step)
                let value = trainStep(
                    model, sources: batch.map { pairs.sources[$0] }, targets: batch.map { pairs.targets[$0] },
                    goldProbability: epsilon, configuration: c, optimizer: adam, using: &generator)
                step += 1
                windowLoss += value
                windowSteps += 1
                epochLoss += value
                epochSteps += 1
                if step % c.reportEvery == 0 {
                    report(
                        Seq2SeqTrainingProgress(
                            epoch: epoch - 1, step: step, loss: windowLoss / Float(windowSteps),
                            goldProbability: epsilon,
                            endOfEpoch: false, seconds: Date().timeIntervalSince(start)))
                    windowLoss = 0
                    windowSteps = 0
                }
                if let limit = c.timeLimit, Date().timeIntervalSince(start) >= limit { break }
            }
            report(
                Seq2SeqTrainingProgress(
                    epoch: epoch - 1, step: step, loss: epochLoss / Float(max(1, epochSteps)),
                    goldProbability: c.sampling.goldProbability(atStep: step), endOfEpoch: true,
                    seconds: Date().timeIntervalSince(start)))
            try afterEpoch(epoch, adam)
            if let limit = c.timeLimit, Date().timeIntervalSince(start) >= limit { break }
        }
        return step
    }

    /// One gradient step on one batch: the loss at `goldProbability` (ε), gradients, optional global-norm
    /// clipping, an optimizer step. Returns the batch's mean per-token loss.
    public static func trainStep<Cell>(
        _ model: Seq2SeqModel<Cell>, sources: [[Int]], targets: [[Int]], goldProbability: Float,
        configuration: Seq2SeqTrainingConfiguration, optimizer: any Optimizer, using generator: inout RandomGenerator
    ) -> Float {
        Seq2SeqTransducerTraining.trainStep(
            model, sources: sources, targets: targets, goldProbability: goldProbability, configuration: configuration,
            optimizer: optimizer, using: &generator)
    }

    /// The batches of `epoch` (0-based) for a run seeded by `seed`: a function of the seed and the epoch only (so
    /// a resumed run sees the same batches), shuffled with ``TrainingStep/epochOrder(count:epoch:seed:)``, pools
    /// of 20 batches sorted by target length, then the batches shuffled.
    public static func epochBatches(targets: [[Int]], size: Int, epoch: Int, seed: UInt64) -> [[Int]] {
        let order = TrainingStep.epochOrder(count: targets.count, epoch: epoch, seed: seed)
        let batchOrder = TrainingStep.epochOrder(
            count: (targets.count + size - 1) / size, epoch: epoch, seed: seed ^ 0x5EED_5EED)
        let sorted = pooledBatches(order, targets: targets, size: size)
        return batchOrder.map { sorted[$0] }
    }

    /// `order` cut into pools of 20 batches, each pool sorted by target length and cut into batches.
    static func pooledBatches(_ order: [Int], targets: [[Int]], size: Int) -> [[Int]] {
        var result: [[Int]] = []
        let pool = size * 20
        for poolStart in stride(from: 0, to: order.count, by: pool) {
            let sorted = order[poolStart..<min(order.count, poolStart + pool)].sorted {
                (targets[$0].count, $0) < (targets[$1].count, $1)
            }
            for batchStart in stride(from: 0, to: sorted.count, by: size) {
                result.append(Array(sorted[batchStart..<min(sorted.count, batchStart + size)]))
            }
        }
        return result
    }

    /// Batches of pair indices for one epoch: shuffled, pools of 20 batches sorted by target length, then the
    /// batches shuffled.
    static func batches(count: Int, targets: [[Int]], size: Int, using generator: inout RandomGenerator) -> [[Int]] {
        var order = Array(0..<count)
        order.shuffle(using: &generator)
        var result = pooledBatches(order, targets: targets, size: size)
        result.shuffle(using: &generator)
        return result
    }

    /// The decoded target of every source: greedy in batches of `batchSize` when `beamWidth` is 1, else the best
    /// beam-search hypothesis of each source (``Seq2SeqTransducerTraining/predict(_:sources:maxLength:beamWidth:lengthPenalty:batchSize:)``).
    public static func predict<Cell>(
        _ model: Seq2SeqModel<Cell>, sources: [[Int]], maxLength: Int, beamWidth: Int = 1, lengthPenalty: Float = 0,
        batchSize: Int = 128
    ) -> [[Int]] {
        Seq2SeqTransducerTraining.predict(
            model, sources: sources, maxLength: maxLength, beamWidth: beamWidth, lengthPenalty: lengthPenalty,
            batchSize: batchSize)
    }

    /// Fraction of pairs whose decoded target equals the reference exactly (the metric of Lake & Baroni 2018),
    /// and the predictions.
    public static func exactMatchAccuracy<Cell>(
        _ model: Seq2SeqModel<Cell>, on pairs: Seq2SeqEncodedPairs, maxLength: Int, beamWidth: Int = 1,
        lengthPenalty: Float = 0
    ) -> (accuracy: Double, predictions: [[Int]]) {
        Seq2SeqTransducerTraining.exactMatchAccuracy(
            model, on: pairs, maxLength: maxLength, beamWidth: beamWidth, lengthPenalty: lengthPenalty)
    }
}
