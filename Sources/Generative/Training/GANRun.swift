import Foundation
import MontagueSupport
import NeuralNet
import Plotting

/// What a `gan` model directory's manifest stores: the run's configuration and its data source.
public struct GANRunRecord: Codable, Sendable, Equatable {
    /// The trainer's configuration.
    public var configuration: GANConfiguration
    /// The training data.
    public var data: DataSource

    /// A record.
    public init(configuration: GANConfiguration, data: DataSource) {
        self.configuration = configuration
        self.data = data
    }
}

/// Training, loading, sampling and evaluating GANs stored as model directories (kind `gan`): the library side of
/// `montague train gan`, `montague predict DIR` and `montague evaluate DIR`.
public enum GANRun {
    /// The manifest kind.
    public static let kind = "gan"

    /// Trains (or, with `resume`, continues the run stored in `directory` with its stored configuration) until the
    /// budget is spent, saving weights, training state and manifest every checkpoint interval and at the end;
    /// `progress` sees each logged step's metrics. Returns the trainer. With `synchronizer`, trains data-parallel
    /// (``GANTrainer/synchronizer``): replica 0's state is broadcast at the start, metrics are averaged over the
    /// replicas, replica 0's clock ends a time budget for all, and replica 0 alone writes `directory` and metrics.
    ///
    /// A resumed run whose step budget differs from the end of a stored decay (`--lr-decay-start`,
    /// `--instance-noise-decay-start`) re-plans the decay to end at the budget's last step
    /// (``GANTrainer/replanSchedules(endingAt:)``: continuous at the resumed step while it is under way), stores the
    /// new plan in the manifest, reports it to `scheduleReplanned` and records it in the metrics file (phase
    /// `schedule`); the manifest's metrics carry the learning-rate decay's end as `train.schedule_steps`. An
    /// unchanged budget changes nothing, so the run continues bit for bit.
    public static func train(
        configuration: GANConfiguration, data source: DataSource, directory: ModelDirectory, budget: TrainingBudget,
        resume: Bool, metricsPath: String? = nil, progress: (Int, [String: Double]) -> Void = { _, _ in },
        scheduleReplanned: (GANScheduleReplan) -> Void = { _ in },
        synchronizer: (any GradientSynchronizer)? = nil
    ) throws -> GANTrainer {
        let synchronizer = synchronizer.flatMap { $0.shard.count > 1 ? $0 : nil }
        let writes = synchronizer?.isWritingReplica ?? true
        var record = GANRunRecord(configuration: configuration, data: source)
        if resume && directory.exists {
            record = try directory.readManifest(expecting: kind).hyperparameters(as: GANRunRecord.self)
        }
        let data = try record.data.load(seed: record.configuration.seed)
        guard data.dimension == record.configuration.dataSize else {
            throw DataSetError(
                path: record.data.description,
                "points have \(data.dimension) values, the model expects \(record.configuration.dataSize)")
        }
        if let problem = record.configuration.problem() { throw InputError(problem) }
        if let problem = GANTrainer.supervisedLabelProblem(configuration: record.configuration, data: data) {
            throw DataSetError(path: record.data.description, problem)
        }
        if writes { try directory.create() }
        let trainer = GANTrainer(configuration: record.configuration, data: data)
        if resume && directory.exists && writes {
            try directory.loadWeights(into: trainer.model)
            if let state = try directory.loadTrainingState() { try trainer.restore(state) }
        }
        if let synchronizer {  // every replica starts from replica 0's weights, optimizers, generator and step
            var state = trainer.trainingState()
            state.store(model: trainer.model, as: "weights")
            state = try synchronizer.broadcastFromFirstReplica(state)
            try state.restore(model: trainer.model, from: "weights")
            try trainer.restore(state)
            trainer.synchronizer = synchronizer
        }
        let logger = try metricsPath.flatMap { writes ? $0 : nil }.map {
            try MetricsLogger(url: URL(fileURLWithPath: $0), keepingRecordsThrough: resume ? trainer.stepCount : nil)
        }
        if resume, let steps = budget.steps {
            for replan in trainer.replanSchedules(endingAt: steps) where writes {
                scheduleReplanned(replan)
                let prefix = replan.kind == .learningRate ? "lr_decay" : "instance_noise_decay"
                try logger?.log(
                    MetricsRecord(
                        phase: "schedule", step: replan.step, epoch: 0, wallTime: 0,
                        metrics: [
                            "\(prefix)_previous_end": Double(replan.previous.end),
                            "\(prefix)_end": Double(replan.replanned.end),
                            "\(prefix)_previous_factor": Double(replan.factors.previous),
                            "\(prefix)_factor": Double(replan.factors.replanned),
                        ]))
            }
            record.configuration = trainer.configuration
        }
        let start = ProcessInfo.processInfo.systemUptime
        var last: [String: Double] = [:]
        func save() throws {
            guard writes else { return }
            try directory.saveWeights(of: trainer.model)
            try directory.saveTrainingState(trainer.trainingState())
            let manifest = try ModelManifest(
                kind: kind, hyperparameters: record, dataFingerprints: record.data.fingerprint,
                metrics: last.merging(
                    ["step": Double(trainer.stepCount)].merging(
                        trainer.configuration.learningRateDecay.map { ["train.schedule_steps": Double($0.end)] } ?? [:]
                    ) { $1 }
                ) { $1 })
            try directory.writeManifest(manifest)
        }
        func exhausted() throws -> Bool {
            let exhausted = budget.isExhausted(step: trainer.stepCount, start: start)
            return try synchronizer?.firstReplicaDecides(exhausted) ?? exhausted  // replica 0's clock decides
        }
        while try !exhausted() {
            last = trainer.step()
            if let error = trainer.synchronizationError { throw error }
            if let synchronizer { last = try synchronizer.averageMetrics(last, weight: 1) }
            let step = trainer.stepCount
            if let diverged = TrainingDivergedError(firstNonFiniteOf: last, directory: directory, step: step) {
                throw diverged
            }
            if step % budget.logInterval == 0, writes {
                progress(step, last)
                try logger?.log(
                    MetricsRecord(
                        phase: "train", step: step, epoch: 0, wallTime: ProcessInfo.processInfo.systemUptime - start,
                        metrics: last))
            }
            if step % budget.checkpointInterval == 0 { try save() }
        }
        try save()
        try synchronizer?.verifyIdenticalParameters(trainer.model.parameterValues)
        return trainer
    }

    /// Rebuilds the trainer of a `gan` directory (weights loaded; data reloaded from its source).
    public static func load(_ directory: ModelDirectory) throws -> (trainer: GANTrainer, record: GANRunRecord) {
        let record = try directory.readManifest(expecting: kind).hyperparameters(as: GANRunRecord.self)
        if let problem = record.configuration.problem() {
            throw ModelDirectoryError(path: directory.manifestURL.path, "invalid configuration: \(problem)")
        }
        let data = try record.data.load(seed: record.configuration.seed)
        guard data.dimension == record.configuration.dataSize else {
            throw DataSetError(path: record.data.description, "points no longer match the model's data size")
        }
        if let problem = GANTrainer.supervisedLabelProblem(configuration: record.configuration, data: data) {
            throw DataSetError(path: record.data.description, problem)
        }
        let trainer = GANTrainer(configuration: record.configuration, data: data)
        try directory.loadWeights(into: trainer.model)
        return (trainer, record)
    }

    /// Sample-quality metrics: on toys with modes the PacGAN protocol over `count` samples (`modes`,
    /// `high_quality`, `reverse_kl`); on digits (or any labelled 64-value data) a classifier's Fréchet distance,
    /// class coverage, nearest-neighbour distances and, for InfoGAN, code-to-class accuracy and the number of distinct
    /// digits among the code values' majority classes (`info_code_distinct_classes`). With a model
    /// `directory`, the digits classifier is cached there (``DigitsSampleMetrics/classifierCacheName``) and reused
    /// by later evaluations of the same data and seed.
    public static func evaluate(
        _ trainer: GANTrainer, record: GANRunRecord, count: Int = 2500, seed: UInt64,
        directory: ModelDirectory? = nil
    ) -> [String: Double] {
        var generator = RandomGenerator(seed: seed)
        let samples = trainer.samples(count: count, using: &generator)
        if let toy = record.data.toy, !toy.modes.isEmpty {
            let coverage = ModeCoverage.measure(
                samples: samples, modes: toy.modes, standardDeviation: toy.standardDeviation)
            return [
                "modes": Double(coverage.modesCaptured), "mode_count": Double(coverage.modeCount),
                "high_quality": coverage.highQualityFraction, "reverse_kl": coverage.reverseKL,
            ]
        }
        guard trainer.data.labels != nil, trainer.data.dimension == DigitsDataset.pixels else {
            return ["samples": Double(count)]
        }
        let classifier =
            directory.map {
                DigitsSampleMetrics.classifier(
                    for: trainer.data, seed: seed, cache: $0.file(DigitsSampleMetrics.classifierCacheName)
                ).classifier
            } ?? DigitsSampleMetrics.classifier(for: trainer.data, seed: seed)
        var metrics = DigitsSampleMetrics.measure(
            samples: samples, data: trainer.data, classifier: classifier, seed: seed)
        if trainer.configuration.method == .info, trainer.configuration.infoCodes.categories > 0 {
            var codes: [Int] = []
            var predicted: [Int] = []
            for category in 0..<trainer.configuration.infoCodes.categories {
                let perCategory = trainer.samples(category: category, count: 100, using: &generator)
                codes += [Int](repeating: category, count: perCategory.count)
                predicted += classifier.predict(perCategory)
            }
            let categories = trainer.configuration.infoCodes.categories
            if categories <= DigitsDataset.classes {
                metrics["info_code_accuracy"] = SampleQuality.bestMatchingAccuracy(
                    predicted: codes, truth: predicted, clusters: categories, classes: DigitsDataset.classes)
                // Fewer distinct majority digits than code values: two code values draw the same digit.
                metrics["info_code_distinct_classes"] = Double(
                    SampleQuality.distinctMajorityClasses(predicted: codes, truth: predicted, clusters: categories))
            }
        }
        return metrics
    }

    /// `count` samples as CSV text and an SVG: a scatter over the data (with the toy's modes marked) for 2-D points,
    /// an image grid for digits. For an InfoGAN with a categorical code on digits the grid has one row per code
    /// value instead (``SamplePlots/codeGrid(rows:title:)``, ``codeGridColumns`` samples each, fresh noise and the
    /// continuous codes at zero), the figure of Chen et al. (2016) that shows what the code learned.
    public static func sampleFiles(_ trainer: GANTrainer, record: GANRunRecord, count: Int, seed: UInt64)
        -> (csv: String, svg: String?)
    {
        var generator = RandomGenerator(seed: seed)
        let samples = trainer.samples(count: count, using: &generator)
        let title = "\(record.configuration.method) on \(record.data)"
        let categories = trainer.configuration.infoCodes.categories
        if trainer.configuration.method == .info, categories > 0, samples.dimension == DigitsDataset.pixels {
            let rows = (0..<categories).map {
                trainer.samples(category: $0, count: codeGridColumns, using: &generator)
            }
            return (samples.csv(), SamplePlots.codeGrid(rows: rows, title: title))
        }
        return (
            samples.csv(),
            SamplePlots.svg(samples: samples, data: trainer.data, title: title, modes: record.data.toy?.modes ?? [])
        )
    }

    /// Samples per code value in an InfoGAN code grid.
    public static let codeGridColumns = 10
}

/// Plots of generated samples.
public enum SamplePlots {
    /// A scatter of up to 2,000 data points and the samples for 2-D data, with `modes` (a toy's mixture means, the
    /// centres the PacGAN protocol measures against) drawn on top; an image grid of up to 100 samples for 64-value
    /// data (8×8 images); nil otherwise.
    public static func svg(samples: PointSet, data: PointSet, title: String, modes: [[Double]] = []) -> String? {
        func points(_ set: PointSet, limit: Int) -> [ChartPoint] {
            (0..<Swift.min(set.count, limit)).map { i in
                ChartPoint(x: Double(set.values[2 * i]), y: Double(set.values[2 * i + 1]))
            }
        }
        if samples.dimension == 2 {
            var series = [
                ScatterSeries(name: "data", points: points(data, limit: 2000), radius: 1.5, opacity: 0.3),
                ScatterSeries(name: "samples", points: points(samples, limit: 2000), radius: 1.5, opacity: 0.5),
            ]
            let centres = modes.filter { $0.count == 2 }.map { ChartPoint(x: $0[0], y: $0[1]) }
            if !centres.isEmpty {
                series.append(ScatterSeries(name: "modes", points: centres, radius: 3, opacity: 0.9))
            }
            return ScatterChart(series: series, title: title, xLabel: "x₁", yLabel: "x₂").svg()
        }
        if samples.dimension == DigitsDataset.pixels {
            let images = (0..<Swift.min(samples.count, 100)).map { samples.point($0).map(Double.init) }
            return ImageGrid(
                images: images, imageWidth: DigitsDataset.side, imageHeight: DigitsDataset.side, columns: 10,
                title: title
            ).svg()
        }
        return nil
    }

    /// An image grid of 8×8 digit samples with one labelled row per set (`code 0`, `code 1`, …): InfoGAN's samples
    /// per categorical code value; the row width is the largest set's size. Nil unless every set holds 64-value
    /// images and at least one is non-empty.
    public static func codeGrid(rows: [PointSet], title: String) -> String? {
        let columns = rows.map(\.count).max() ?? 0
        guard columns > 0, rows.allSatisfy({ $0.dimension == DigitsDataset.pixels }) else { return nil }
        let blank = [Double](repeating: 0, count: DigitsDataset.pixels)
        let images = rows.flatMap { row in
            (0..<columns).map { $0 < row.count ? row.point($0).map(Double.init) : blank }
        }
        return ImageGrid(
            images: images, imageWidth: DigitsDataset.side, imageHeight: DigitsDataset.side, columns: columns,
            rowLabels: rows.indices.map { "code \($0)" }, title: title
        ).svg()
    }
}

/// Digits sample metrics from a classifier the tool trains on the data (features for the Fréchet distance).
public enum DigitsSampleMetrics {
    /// Passes over the data when training the metrics classifier.
    public static let classifierEpochs = 30
    /// The file a model directory caches its metrics classifier in.
    public static let classifierCacheName = "digits-classifier.safetensors"

    /// A ``DigitsClassifier`` trained on `data` (``classifierEpochs`` epochs, seeded).
    public static func classifier(for data: PointSet, seed: UInt64) -> DigitsClassifier {
        let classifier = DigitsClassifier(seed: seed)
        classifier.train(on: data, epochs: classifierEpochs, seed: seed)
        return classifier
    }

    /// The classifier for `data` and `seed`, read from the cache file at `cache` when it was trained on the same
    /// data (by ``checksum(of:)``), seed and epochs; otherwise trained afresh and written there (atomically). A cache
    /// that cannot be read or written is only a lost shortcut: the classifier is then trained, and `cached` is false.
    public static func classifier(for data: PointSet, seed: UInt64, cache: URL) -> (
        classifier: DigitsClassifier, cached: Bool
    ) {
        let key = [
            "data_checksum": checksum(of: data), "seed": String(seed), "epochs": String(classifierEpochs),
            "inputs": String(data.dimension),
        ]
        if FileManager.default.fileExists(atPath: cache.path) {
            let candidate = DigitsClassifier(inputSize: data.dimension, seed: seed)
            if let metadata = try? SafetensorsFile(contentsOf: cache).metadata,
                key.allSatisfy({ metadata[$0.key] == $0.value }),
                (try? Checkpoint.load(into: candidate, from: cache)) != nil
            {
                return (candidate, true)
            }
        }
        let trained = DigitsClassifier(inputSize: data.dimension, seed: seed)
        trained.train(on: data, epochs: classifierEpochs, seed: seed)
        try? Checkpoint.save(model: trained, metadata: key, to: cache)
        return (trained, false)
    }

    /// A 64-bit FNV-1a hash (hexadecimal) of the points' float bit patterns, their dimension and labels: the
    /// identity of a data set for the classifier cache.
    public static func checksum(of data: PointSet) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ word: UInt64) {
            for shift in stride(from: 0, to: 64, by: 8) {
                hash = (hash ^ ((word >> UInt64(shift)) & 0xFF)) &* 0x0000_0100_0000_01B3
            }
        }
        mix(UInt64(data.dimension))
        for value in data.values { mix(UInt64(value.bitPattern)) }
        for label in data.labels ?? [] { mix(UInt64(bitPattern: Int64(label))) }
        return String(hash, radix: 16)
    }

    /// `frechet_distance` (classifier features of samples vs data), `classes_covered`, `class_kl` (KL divergence of
    /// the predicted class histogram from the uniform one: 0 balanced, log 10 ≈ 2.30 one class), `nn_distance` (mean distance
    /// of samples to their nearest data image) and `nn_distance_real` (the same for a held-out fifth of the data
    /// against the rest, the reference a memorizing generator would fall far below), with a classifier trained on
    /// `data`.
    public static func measure(samples: PointSet, data: PointSet, classifier: DigitsClassifier, seed: UInt64)
        -> [String: Double]
    {
        let coverage = SampleQuality.classCoverage(
            predictions: classifier.predict(samples), classes: DigitsDataset.classes)
        let (train, heldOut) = data.split(heldOutFraction: 0.2, seed: seed)
        return [
            "frechet_distance": FrechetDistance.distance(classifier.featureRows(samples), classifier.featureRows(data)),
            "classes_covered": Double(coverage.covered),
            "class_kl": SampleQuality.klFromUniform(counts: coverage.counts),
            "nn_distance": SampleQuality.meanNearestNeighbourDistance(from: samples, to: data),
            "nn_distance_real": SampleQuality.meanNearestNeighbourDistance(from: heldOut, to: train),
        ]
    }

    /// ``measure(samples:data:classifier:seed:)`` with a classifier trained for this call.
    public static func measure(samples: PointSet, data: PointSet, seed: UInt64) -> [String: Double] {
        measure(samples: samples, data: data, classifier: classifier(for: data, seed: seed), seed: seed)
    }
}
