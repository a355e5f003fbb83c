import Foundation
import MontagueSupport
import NeuralNet
import Sampling

/// What a `vae` model directory's manifest stores.
public struct VAERunRecord: Codable, Sendable, Equatable {
    /// The trainer's configuration.
    public var configuration: VAETrainingConfiguration
    /// The data; a seeded tenth is held out for evaluation.
    public var data: DataSource

    /// A record.
    public init(configuration: VAETrainingConfiguration, data: DataSource) {
        self.configuration = configuration
        self.data = data
    }

    /// The training and held-out parts (90/10, split with the configuration's seed).
    public func splitData() throws -> (train: PointSet, heldOut: PointSet) {
        try data.load(seed: configuration.seed).split(heldOutFraction: 0.1, seed: configuration.seed)
    }
}

/// Training, loading, sampling and evaluating VAEs stored as model directories (kind `vae`): the library side of
/// `montague train vae`, `montague predict DIR` and `montague evaluate DIR`.
public enum VAERun {
    /// The manifest kind.
    public static let kind = "vae"

    /// Trains on 90% of the data (or continues the run in `directory`) until the budget is spent, saving at every
    /// checkpoint interval and at the end.
    public static func train(
        configuration: VAETrainingConfiguration, data source: DataSource, directory: ModelDirectory,
        budget: TrainingBudget, resume: Bool, metricsPath: String? = nil,
        progress: (Int, [String: Double]) -> Void = { _, _ in }
    ) throws -> VAETrainer {
        var record = VAERunRecord(configuration: configuration, data: source)
        let resuming = resume && directory.exists
        if resuming { record = try directory.readManifest(expecting: kind).hyperparameters(as: VAERunRecord.self) }
        if let problem = record.configuration.problem() { throw InputError(problem) }
        let (train, _) = try record.splitData()
        guard train.dimension == record.configuration.model.dataSize else {
            throw DataSetError(
                path: record.data.description,
                "points have \(train.dimension) values, the model expects \(record.configuration.model.dataSize)")
        }
        try directory.create()
        let trainer = VAETrainer(configuration: record.configuration, data: train)
        if resuming {
            try directory.loadWeights(into: trainer.model)
            if let state = try directory.loadTrainingState() { try trainer.restore(state) }
        }
        let logger = try metricsPath.map {
            try MetricsLogger(url: URL(fileURLWithPath: $0), keepingRecordsThrough: resuming ? trainer.stepCount : nil)
        }
        let start = ProcessInfo.processInfo.systemUptime
        var last: [String: Double] = [:]
        func save() throws {
            try directory.saveWeights(of: trainer.model)
            try directory.saveTrainingState(trainer.trainingState())
            try directory.writeManifest(
                try ModelManifest(
                    kind: kind, hyperparameters: record, dataFingerprints: record.data.fingerprint,
                    metrics: last.merging(["step": Double(trainer.stepCount)]) { $1 }))
        }
        while !budget.isExhausted(step: trainer.stepCount, start: start) {
            last = trainer.step()
            let step = trainer.stepCount
            if let diverged = TrainingDivergedError(firstNonFiniteOf: last, directory: directory, step: step) {
                throw diverged
            }
            if step % budget.logInterval == 0 {
                progress(step, last)
                try logger?.log(
                    MetricsRecord(
                        phase: "train", step: step, epoch: 0, wallTime: ProcessInfo.processInfo.systemUptime - start,
                        metrics: last))
            }
            if step % budget.checkpointInterval == 0 { try save() }
        }
        try save()
        return trainer
    }

    /// Rebuilds the trainer of a `vae` directory (weights loaded) and the held-out data.
    public static func load(_ directory: ModelDirectory) throws
        -> (trainer: VAETrainer, record: VAERunRecord, heldOut: PointSet)
    {
        let record = try directory.readManifest(expecting: kind).hyperparameters(as: VAERunRecord.self)
        if let problem = record.configuration.problem() {
            throw ModelDirectoryError(path: directory.manifestURL.path, "invalid configuration: \(problem)")
        }
        let (train, heldOut) = try record.splitData()
        guard train.dimension == record.configuration.model.dataSize else {
            throw DataSetError(path: record.data.description, "points no longer match the model's data size")
        }
        let trainer = VAETrainer(configuration: record.configuration, data: train)
        try directory.loadWeights(into: trainer.model)
        return (trainer, record, heldOut)
    }

    /// Held-out `elbo`, `iw_bound` (with `samples` draws), `iw_nll` (its negation); for real-valued data also
    /// `em_log_likelihood` of a Gaussian mixture fitted by EM on the same training part (`components`
    /// components: a toy's mode count, else 8).
    public static func evaluate(
        _ trainer: VAETrainer, record: VAERunRecord, heldOut: PointSet, samples: Int = 100, seed: UInt64
    ) throws -> [String: Double] {
        let evaluation = VAEEvaluation.evaluate(trainer.model, on: heldOut, samples: samples, seed: seed)
        var metrics = [
            "elbo": evaluation.elbo, "iw_bound": evaluation.importanceWeightedBound,
            "iw_nll": -evaluation.importanceWeightedBound, "iw_samples": Double(samples),
        ]
        if record.configuration.model.likelihood == .gaussian && heldOut.dimension <= 16 {
            let components = record.data.toy.map { Swift.max($0.modes.count, 1) } ?? 8
            let rows = { (set: PointSet) in (0..<set.count).map { set.point($0).map(Double.init) } }
            let fit = try GaussianMixtureEM(components: components, maximumIterations: 500)
                .fit(rows(trainer.data), initialization: .kMeansPlusPlus(seed: seed))
            metrics["em_log_likelihood"] = try fit.model.meanLogLikelihood(points: rows(heldOut))
        }
        return metrics
    }

    /// `count` samples (decoder means) as CSV and an SVG plot (scatter for 2-D with a toy's modes marked, image grid
    /// for digits).
    public static func sampleFiles(_ trainer: VAETrainer, record: VAERunRecord, count: Int, seed: UInt64)
        -> (csv: String, svg: String?)
    {
        var generator = RandomGenerator(seed: seed)
        let samples = withoutGradients { PointSet(trainer.model.sample(count: count, using: &generator)) }
        return (
            samples.csv(),
            SamplePlots.svg(
                samples: samples, data: trainer.data, title: "VAE on \(record.data)",
                modes: record.data.toy?.modes ?? [])
        )
    }
}
