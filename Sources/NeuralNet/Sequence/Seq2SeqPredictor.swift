import Autodiff
import Foundation
import MontagueSupport

/// What a `seq2seq` model directory's manifest stores as hyperparameters: the architecture, the training
/// choices (so a resumed run and `montague predict` need no flags) and the decoding defaults.
public struct Seq2SeqHyperparameters: Codable, Sendable, Equatable {
    /// The network family (absent in directories written before Transformers existed: recurrent).
    public var architecture: Seq2SeqArchitecture?
    /// The Transformer's sizes and choices (Transformer models only).
    public var transformer: Seq2SeqTransformerSettings?
    /// How text became tokens (``Seq2SeqExperiment/Settings/tokenizer``; absent in older directories: whitespace).
    public var tokenizer: String?
    /// Whether text was lowercased first.
    public var lowercase: Bool?
    /// The recurrent cell.
    public var cell: Seq2SeqCellKind
    /// Token embedding size.
    public var embeddingSize: Int
    /// Hidden size of every cell.
    public var hiddenSize: Int
    /// Stacked layers.
    public var layerCount: Int
    /// Bidirectional encoder.
    public var bidirectional: Bool
    /// Attention score.
    public var attention: Seq2SeqAttentionKind
    /// Where attention enters the decoder.
    public var attentionStyle: Seq2SeqAttentionStyle
    /// Dropout in training.
    public var dropout: Float
    /// Whether the decoder copies source tokens (``Seq2SeqConfiguration/copy``; absent in directories written
    /// before copying existed and in models that do not copy).
    public var copy: Bool?
    /// Seed of the initialization.
    public var modelSeed: UInt64
    /// Source and target vocabulary sizes (reserved symbols included).
    public var sourceVocabularySize: Int, targetVocabularySize: Int
    /// Training: epochs, batch size, Adam's learning rate, clipping norm (nil: none), seed.
    public var epochs: Int, batchSize: Int, learningRate: Float, gradientClipNorm: Float?, seed: UInt64
    /// The learning-rate schedule and its warm-up steps (absent in directories written before schedules existed:
    /// constant).
    public var learningRateSchedule: LearningRateScheduleKind?, warmupSteps: Int?
    /// Scheduled sampling in `montague train seq2seq --scheduled-sampling` form, and the fed-back choice.
    public var scheduledSampling: String, samplingChoice: String
    /// What one coin of scheduled sampling decides (absent in directories written before the choice existed:
    /// one target position).
    public var teacherForcingMode: TeacherForcingMode?
    /// Decoding: longest output, beam width, length-penalty exponent.
    public var maxDecodeLength: Int, beamWidth: Int, lengthPenalty: Float

    /// The hyperparameters of `settings` with the given vocabulary sizes.
    public init(_ settings: Seq2SeqExperiment.Settings, sourceVocabularySize: Int, targetVocabularySize: Int) {
        architecture = settings.architecture
        transformer = settings.architecture == .transformer ? settings.transformer : nil
        tokenizer = settings.tokenizer
        lowercase = settings.lowercase
        cell = settings.cell
        embeddingSize = settings.embeddingSize
        hiddenSize = settings.hiddenSize
        layerCount = settings.layerCount
        bidirectional = settings.bidirectional
        attention = settings.attention
        attentionStyle = settings.attentionStyle
        dropout = settings.dropout
        copy = Seq2SeqExperiment.copies(settings) ? true : nil
        modelSeed = settings.modelSeed
        self.sourceVocabularySize = sourceVocabularySize
        self.targetVocabularySize = targetVocabularySize
        let t = settings.training
        epochs = t.epochs
        batchSize = t.batchSize
        learningRate = t.learningRate
        learningRateSchedule = t.learningRateSchedule == .constant ? nil : t.learningRateSchedule
        warmupSteps = t.learningRateSchedule == .constant ? nil : t.warmupSteps
        gradientClipNorm = t.gradientClipNorm
        seed = t.seed
        scheduledSampling = Self.text(of: t.sampling)
        samplingChoice = t.samplingChoice.rawValue
        teacherForcingMode = t.teacherForcingMode
        maxDecodeLength = t.maxDecodeLength
        beamWidth = t.beamWidth
        lengthPenalty = t.lengthPenalty
    }

    /// The run settings these hyperparameters describe (a malformed scheduled-sampling text or sampling choice
    /// falls back to teacher forcing / argmax; report interval and time limit are the defaults).
    public var settings: Seq2SeqExperiment.Settings {
        var settings = Seq2SeqExperiment.Settings(
            architecture: architecture ?? .recurrent, transformer: transformer ?? Seq2SeqTransformerSettings(),
            cell: cell, embeddingSize: embeddingSize, hiddenSize: hiddenSize, layerCount: layerCount,
            bidirectional: bidirectional, attention: attention, attentionStyle: attentionStyle, dropout: dropout,
            modelSeed: modelSeed,
            training: Seq2SeqTrainingConfiguration(
                epochs: epochs, batchSize: batchSize, learningRate: learningRate, gradientClipNorm: gradientClipNorm,
                sampling: ScheduledSampling(parsing: scheduledSampling) ?? .teacherForcing,
                samplingChoice: ScheduledSamplingChoice(rawValue: samplingChoice) ?? .argmax,
                teacherForcingMode: teacherForcingMode ?? .token, seed: seed,
                maxDecodeLength: maxDecodeLength, beamWidth: beamWidth, lengthPenalty: lengthPenalty))
        settings.training.learningRateSchedule = learningRateSchedule ?? .constant
        settings.training.warmupSteps = warmupSteps ?? 0
        settings.tokenizer = tokenizer ?? "whitespace"
        settings.lowercase = lowercase ?? false
        settings.copy = copy ?? false
        return settings
    }

    /// The recurrent model's configuration.
    public var configuration: Seq2SeqConfiguration {
        Seq2SeqConfiguration(
            sourceVocabularySize: sourceVocabularySize, targetVocabularySize: targetVocabularySize,
            embeddingSize: embeddingSize, hiddenSize: hiddenSize, layerCount: layerCount, bidirectional: bidirectional,
            attention: attention, attentionStyle: attentionStyle, dropout: dropout, copy: copy ?? false)
    }

    /// Checks the values a model is built from, before anything is allocated: positive sizes, a dropout in
    /// [0, 1), and matrices no larger than the weights file could hold (so a damaged manifest cannot ask for
    /// gigabytes).
    ///
    /// - Throws: ``ModelDirectoryError`` naming the manifest.
    public func check(path: String, weightsURL: URL) throws(ModelDirectoryError) {
        let sizes = [
            ("embeddingSize", embeddingSize), ("hiddenSize", hiddenSize), ("layerCount", layerCount),
            ("sourceVocabularySize", sourceVocabularySize), ("targetVocabularySize", targetVocabularySize),
            ("maxDecodeLength", maxDecodeLength), ("beamWidth", beamWidth),
        ]
        for (name, value) in sizes where value <= 0 {
            throw ModelDirectoryError(path: path, "hyperparameter '\(name)' must be positive, got \(value)")
        }
        if let warmupSteps, warmupSteps < 0 {
            throw ModelDirectoryError(
                path: path, "hyperparameter 'warmupSteps' must not be negative, got \(warmupSteps)")
        }
        guard (0..<1).contains(dropout) else {
            throw ModelDirectoryError(path: path, "hyperparameter 'dropout' must be in [0, 1), got \(dropout)")
        }
        if copy == true
            && (architecture == .transformer || attention == .none || sourceVocabularySize != targetVocabularySize)
        {
            throw ModelDirectoryError(
                path: path,
                "hyperparameter 'copy' needs a recurrent model with attention and equal vocabulary sizes")
        }
        let bytes = (try? FileManager.default.attributesOfItem(atPath: weightsURL.path)[.size] as? Int) ?? 0
        if architecture == .transformer {
            guard let transformer else {
                throw ModelDirectoryError(path: path, "a Transformer model without 'transformer' hyperparameters")
            }
            if let problem = transformer.problem { throw ModelDirectoryError(path: path, problem) }
            let budget = max(0, bytes / MemoryLayout<Float>.size)
            let largest = [
                transformer.modelSize.multipliedReportingOverflow(by: max(sourceVocabularySize, targetVocabularySize)),
                transformer.modelSize.multipliedReportingOverflow(by: transformer.feedForwardSize),
            ]
            for (product, overflow) in largest where overflow || product > budget || layerCount > budget {
                throw ModelDirectoryError(
                    path: path, "hyperparameters describe a larger model than \(ModelDirectory.weightsName) holds")
            }
            return
        }
        let largest = [
            hiddenSize.multipliedReportingOverflow(by: hiddenSize),
            embeddingSize.multipliedReportingOverflow(by: max(sourceVocabularySize, targetVocabularySize)),
            hiddenSize.multipliedReportingOverflow(by: targetVocabularySize),
        ]
        let budget = max(0, bytes / MemoryLayout<Float>.size)
        for (product, overflow) in largest where overflow || product > budget || layerCount > budget {
            throw ModelDirectoryError(
                path: path, "hyperparameters describe a larger model than \(ModelDirectory.weightsName) holds")
        }
    }

    /// The `--scheduled-sampling` text of a schedule (``ScheduledSampling/init(parsing:)`` reads it back).
    public static func text(of sampling: ScheduledSampling) -> String {
        switch sampling {
        case .teacherForcing: "teacher-forcing"
        case .constant(let epsilon): "constant:\(epsilon)"
        case .linear(let start, let slope, let minimum): "linear:\(start),\(slope),\(minimum)"
        case .exponential(let k, let minimum): "exponential:\(k),\(minimum)"
        case .inverseSigmoid(let k): "inverse-sigmoid:\(k)"
        }
    }
}

/// A trained seq2seq model (recurrent or Transformer) loaded from its model directory: maps token sequences to
/// token sequences (greedy or beam search) and measures exact match — the library side of `montague predict DIR` and `montague evaluate DIR`
/// for kind `seq2seq`.
///
/// ```
/// DIR/manifest.json               kind "seq2seq", ``Seq2SeqHyperparameters``, metrics at save
/// DIR/weights.safetensors         the model's parameters
/// DIR/source-vocabulary.txt       one token per line, index order (the first four are the reserved symbols)
/// DIR/target-vocabulary.txt       the same for the target side
/// DIR/tokenizer.json              the subword tokenizer, for models trained on subwords (an attachment)
/// DIR/training-state.safetensors  parameters, Adam's moments and the loop's state, to resume training
/// ```
public struct Seq2SeqPredictor {
    /// The source vocabulary's file name.
    public static let sourceVocabularyName = "source-vocabulary.txt"
    /// The target vocabulary's file name.
    public static let targetVocabularyName = "target-vocabulary.txt"

    /// The hyperparameters read from the manifest.
    public let hyperparameters: Seq2SeqHyperparameters
    /// The manifest.
    public let manifest: ModelManifest
    /// Source-side vocabulary.
    public let sourceVocabulary: SequenceVocabulary
    /// Target-side vocabulary.
    public let targetVocabulary: SequenceVocabulary
    private let decode: (_ sources: [[Int]], _ maxLength: Int, _ beam: Int, _ lengthPenalty: Float) -> [[Int]]

    /// The hyperparameters of a `seq2seq` model directory (for resuming with its settings).
    ///
    /// - Throws: ``ModelDirectoryError`` for a missing or malformed manifest or one of another kind.
    public static func hyperparameters(in directory: ModelDirectory) throws(ModelDirectoryError)
        -> Seq2SeqHyperparameters
    {
        let manifest = try directory.readManifest(expecting: Seq2SeqExperiment.kind)
        do {
            return try manifest.hyperparameters(as: Seq2SeqHyperparameters.self)
        } catch {
            throw ModelDirectoryError(path: directory.manifestURL.path, "malformed seq2seq hyperparameters")
        }
    }

    /// Loads the model directory.
    ///
    /// - Throws: ``ModelDirectoryError`` for a missing or malformed directory, manifest or vocabulary, or a model
    ///   of another kind; ``CheckpointError`` when the weights do not fit the manifest's architecture.
    public init(directory: ModelDirectory) throws {
        manifest = try directory.readManifest(expecting: Seq2SeqExperiment.kind)
        hyperparameters = try Self.hyperparameters(in: directory)
        (sourceVocabulary, targetVocabulary) = try Self.readVocabularies(directory)
        try hyperparameters.check(path: directory.manifestURL.path, weightsURL: directory.weightsURL)
        let configuration = hyperparameters.configuration
        guard configuration.sourceVocabularySize == sourceVocabulary.count,
            configuration.targetVocabularySize == targetVocabulary.count
        else {
            throw ModelDirectoryError(
                path: directory.url.path, "the vocabulary files do not match the manifest's vocabulary sizes")
        }
        if configuration.copy && sourceVocabulary != targetVocabulary {
            throw ModelDirectoryError(
                path: directory.url.path, "a copying model needs identical source and target vocabulary files")
        }
        var generator = RandomGenerator(seed: 0)
        switch (hyperparameters.architecture ?? .recurrent, hyperparameters.cell) {
        case (.transformer, _):
            let settings = hyperparameters.settings
            let model = TransformerSeq2SeqModel(
                Seq2SeqExperiment.transformerConfiguration(
                    settings, vocabularies: .init(source: sourceVocabulary, target: targetVocabulary)),
                using: &generator)
            decode = try Self.loader(model, directory)
        case (.recurrent, .gru):
            decode = try Self.loader(Seq2SeqModel<GRUCell>(configuration, using: &generator), directory)
        case (.recurrent, .lstm):
            decode = try Self.loader(Seq2SeqModel<LSTMCell>(configuration, using: &generator), directory)
        case (.recurrent, .rnn):
            decode = try Self.loader(Seq2SeqModel<RNNCell>(configuration, using: &generator), directory)
        }
    }

    private static func loader<Model: Seq2SeqTransducer>(_ model: Model, _ directory: ModelDirectory) throws
        -> ([[Int]], Int, Int, Float) -> [[Int]]
    {
        try directory.loadWeights(into: model)
        return { sources, maxLength, beam, penalty in
            withoutGradients {
                Seq2SeqTransducerTraining.predict(
                    model, sources: sources, maxLength: maxLength, beamWidth: beam, lengthPenalty: penalty)
            }
        }
    }

    /// The decoded target tokens of each source (beam width and maximum length default to the manifest's).
    public func predict(_ sources: [[String]], beamWidth: Int? = nil, maxLength: Int? = nil) -> [[String]] {
        decode(
            sources.map(sourceVocabulary.encode), maxLength ?? hyperparameters.maxDecodeLength,
            beamWidth ?? hyperparameters.beamWidth, hyperparameters.lengthPenalty
        ).map(targetVocabulary.decode)
    }

    /// Exact match of the whole decoded sequence against each pair's target (Lake & Baroni 2018's metric).
    public func exactMatch(_ pairs: [Seq2SeqExample], beamWidth: Int? = nil) -> (accuracy: Double, correct: Int) {
        let predictions = predict(pairs.map(\.source), beamWidth: beamWidth)
        let correct = zip(predictions, pairs).filter { $0 == $1.target }.count
        return (pairs.isEmpty ? 0 : Double(correct) / Double(pairs.count), correct)
    }

    /// Writes manifest, weights, vocabularies and `attachments` of `model` to `directory` (atomically, file by
    /// file).
    public static func save(
        model: some Seq2SeqTransducer, settings: Seq2SeqExperiment.Settings, source: SequenceVocabulary,
        target: SequenceVocabulary, metrics: [String: Double], dataFingerprints: [String: String],
        attachments: [Seq2SeqAttachment] = [], to directory: ModelDirectory
    ) throws {
        try directory.create()
        try directory.saveWeights(of: model)
        for attachment in attachments { try AtomicFile.write(attachment.contents, to: directory.file(attachment.name)) }
        try AtomicFile.write(source.tokens.joined(separator: "\n") + "\n", to: directory.file(sourceVocabularyName))
        try AtomicFile.write(target.tokens.joined(separator: "\n") + "\n", to: directory.file(targetVocabularyName))
        let manifest = try ModelManifest(
            kind: Seq2SeqExperiment.kind,
            hyperparameters: Seq2SeqHyperparameters(
                settings, sourceVocabularySize: source.count, targetVocabularySize: target.count),
            dataFingerprints: dataFingerprints, metrics: metrics,
            files: [
                sourceVocabularyName: "source tokens, one per line, in index order",
                targetVocabularyName: "target tokens, one per line, in index order",
            ].merging(attachments.map { ($0.name, $0.description) }) { _, new in new })
        try directory.writeManifest(manifest)
    }

    /// Reads the two vocabulary files.
    public static func readVocabularies(
        _ directory: ModelDirectory
    ) throws(ModelDirectoryError) -> (SequenceVocabulary, SequenceVocabulary) {
        func read(_ name: String) throws(ModelDirectoryError) -> SequenceVocabulary {
            let url = directory.file(name)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw ModelDirectoryError(path: url.path, "missing vocabulary file")
            }
            let tokens = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
            let vocabulary = SequenceVocabulary(tokens.dropFirst(4))
            guard tokens.count >= 4, vocabulary.tokens == tokens else {
                throw ModelDirectoryError(
                    path: url.path, "malformed vocabulary (reserved symbols first, then distinct tokens)")
            }
            return vocabulary
        }
        return (try read(sourceVocabularyName), try read(targetVocabularyName))
    }
}

/// A further file of a `seq2seq` model directory (for example the subword tokenizer its vocabularies were made
/// with), written beside the weights at every save.
public struct Seq2SeqAttachment: Sendable, Equatable {
    /// File name inside the model directory.
    public var name: String
    /// What it holds, for the manifest's file list.
    public var description: String
    /// The bytes.
    public var contents: Data

    /// An attachment.
    public init(name: String, description: String, contents: Data) {
        self.name = name
        self.description = description
        self.contents = contents
    }
}
