import Autodiff
import Foundation

/// The recurrent cell of a ``Seq2SeqExperiment``.
public enum Seq2SeqCellKind: String, Sendable, Equatable, CaseIterable {
    /// ``GRUCell``.
    case gru
    /// ``LSTMCell``.
    case lstm
    /// ``RNNCell`` (Elman, tanh).
    case rnn
}

/// Train a ``Seq2SeqModel`` on source/target pairs and measure exact-match accuracy on held-out pairs: the
/// library entry point of `montague train seq2seq` (SCAN, Lake & Baroni 2018).
public enum Seq2SeqExperiment {
    /// The model and training choices of one run.
    public struct Settings: Sendable, Equatable {
        /// The recurrent cell.
        public var cell: Seq2SeqCellKind
        /// Embedding size.
        public var embeddingSize: Int
        /// Hidden size.
        public var hiddenSize: Int
        /// Layers of encoder and decoder.
        public var layerCount: Int
        /// Bidirectional encoder.
        public var bidirectional: Bool
        /// Attention score.
        public var attention: Seq2SeqAttentionKind
        /// Where attention enters the decoder.
        public var attentionStyle: Seq2SeqAttentionStyle
        /// Dropout in training.
        public var dropout: Float
        /// Seed of the parameter initialization.
        public var modelSeed: UInt64
        /// Training and evaluation.
        public var training: Seq2SeqTrainingConfiguration

        /// Settings; the defaults are a 1-layer GRU with 64 hidden units and Luong dot attention.
        public init(
            cell: Seq2SeqCellKind = .gru, embeddingSize: Int = 32, hiddenSize: Int = 64, layerCount: Int = 1,
            bidirectional: Bool = false, attention: Seq2SeqAttentionKind = .dot,
            attentionStyle: Seq2SeqAttentionStyle = .luong, dropout: Float = 0, modelSeed: UInt64 = 0,
            training: Seq2SeqTrainingConfiguration = Seq2SeqTrainingConfiguration()
        ) {
            self.cell = cell
            self.embeddingSize = embeddingSize
            self.hiddenSize = hiddenSize
            self.layerCount = layerCount
            self.bidirectional = bidirectional
            self.attention = attention
            self.attentionStyle = attentionStyle
            self.dropout = dropout
            self.modelSeed = modelSeed
            self.training = training
        }
    }

    /// What a run reports as it goes.
    public enum Event: Sendable, Equatable {
        /// Vocabularies built and model created.
        case started(sourceVocabulary: Int, targetVocabulary: Int, parameters: Int, trainPairs: Int, testPairs: Int)
        /// Training progress.
        case progress(Seq2SeqTrainingProgress)
        /// A checkpoint was written after `epoch`.
        case checkpointSaved(epoch: Int, path: String)
        /// Training resumed from a checkpoint written after `epoch`.
        case resumed(epoch: Int, path: String)
        /// Exact-match accuracy on the test pairs.
        case evaluated(accuracy: Double, correct: Int, total: Int, seconds: Double)
    }

    /// The outcome of a run.
    public struct Result: Sendable, Equatable {
        /// Exact-match accuracy on the test pairs.
        public let testAccuracy: Double
        /// Number of test pairs decoded exactly.
        public let correct: Int
        /// Number of test pairs.
        public let total: Int
        /// Gradient steps taken.
        public let steps: Int
        /// Seconds spent training.
        public let trainingSeconds: Double
        /// Seconds spent decoding the test pairs.
        public let evaluationSeconds: Double
        /// Up to five test pairs decoded wrongly: source, reference and prediction as space-separated tokens.
        public let errors: [(source: String, reference: String, prediction: String)]

        /// Equal when every field is.
        public static func == (a: Result, b: Result) -> Bool {
            a.testAccuracy == b.testAccuracy && a.correct == b.correct && a.total == b.total && a.steps == b.steps
                && a.trainingSeconds == b.trainingSeconds && a.evaluationSeconds == b.evaluationSeconds
                && a.errors.elementsEqual(b.errors) { $0 == $1 }
        }
    }

    /// Builds vocabularies from `train`, trains a model with `settings`, and decodes `test`. With `checkpointDirectory`,
    /// writes `seq2seq.safetensors` there (parameters, Adam state, epoch) after every epoch and resumes from it when
    /// it exists.
    public static func run(
        train: [Seq2SeqExample], test: [Seq2SeqExample], settings: Settings, checkpointDirectory: URL? = nil,
        report: (Event) -> Void = { _ in }
    ) throws -> Result {
        switch settings.cell {
        case .gru: try run(GRUCell.self, train: train, test: test, settings, checkpointDirectory, report)
        case .lstm: try run(LSTMCell.self, train: train, test: test, settings, checkpointDirectory, report)
        case .rnn: try run(RNNCell.self, train: train, test: test, settings, checkpointDirectory, report)
        }
    }

    private static func run<Cell: Seq2SeqCell>(
        _: Cell.Type, train: [Seq2SeqExample], test: [Seq2SeqExample], _ settings: Settings,
        _ checkpointDirectory: URL?, _ report: (Event) -> Void
    ) throws -> Result {
        let sourceVocabulary = SequenceVocabulary(train.flatMap(\.source))
        let targetVocabulary = SequenceVocabulary(train.flatMap(\.target))
        let configuration = Seq2SeqConfiguration(
            sourceVocabularySize: sourceVocabulary.count, targetVocabularySize: targetVocabulary.count,
            embeddingSize: settings.embeddingSize, hiddenSize: settings.hiddenSize, layerCount: settings.layerCount,
            bidirectional: settings.bidirectional, attention: settings.attention,
            attentionStyle: settings.attentionStyle, dropout: settings.dropout)
        var generator = RandomGenerator(seed: settings.modelSeed)
        let model = Seq2SeqModel<Cell>(configuration, using: &generator)
        let trainPairs = Seq2SeqEncodedPairs(train, source: sourceVocabulary, target: targetVocabulary)
        let testPairs = Seq2SeqEncodedPairs(test, source: sourceVocabulary, target: targetVocabulary)
        report(
            .started(
                sourceVocabulary: sourceVocabulary.count, targetVocabulary: targetVocabulary.count,
                parameters: model.parameterCount, trainPairs: train.count, testPairs: test.count))

        let checkpoint = checkpointDirectory?.appendingPathComponent("seq2seq.safetensors")
        let optimizer = Adam(model.parameters, learningRate: settings.training.learningRate)
        var startEpoch = 1
        if let checkpoint, FileManager.default.fileExists(atPath: checkpoint.path) {
            let metadata = try Checkpoint.load(into: model, optimizer: optimizer, from: checkpoint)
            let epoch = Int(metadata["epoch"] ?? "") ?? 0
            startEpoch = epoch + 1
            report(.resumed(epoch: epoch, path: checkpoint.path))
        }
        let trainingStart = Date()
        let steps = try Seq2SeqTrainer.train(
            model, on: trainPairs, configuration: settings.training, optimizer: optimizer, startEpoch: startEpoch,
            afterEpoch: { epoch, adam in
                guard let checkpoint, let checkpointDirectory else { return }
                try FileManager.default.createDirectory(at: checkpointDirectory, withIntermediateDirectories: true)
                try Checkpoint.save(model: model, optimizer: adam, metadata: ["epoch": String(epoch)], to: checkpoint)
                report(.checkpointSaved(epoch: epoch, path: checkpoint.path))
            }, report: { report(.progress($0)) })
        let trainingSeconds = Date().timeIntervalSince(trainingStart)

        let evaluationStart = Date()
        let (accuracy, predictions) = Seq2SeqTrainer.exactMatchAccuracy(
            model, on: testPairs, maxLength: settings.training.maxDecodeLength,
            beamWidth: settings.training.beamWidth, lengthPenalty: settings.training.lengthPenalty)
        let evaluationSeconds = Date().timeIntervalSince(evaluationStart)
        let correct = zip(predictions, testPairs.targets).filter { $0 == $1 }.count
        report(.evaluated(accuracy: accuracy, correct: correct, total: test.count, seconds: evaluationSeconds))
        let errors = zip(test, predictions).filter { targetVocabulary.encode($0.target) != $1 }.prefix(5).map {
            (
                source: $0.source.joined(separator: " "), reference: $0.target.joined(separator: " "),
                prediction: targetVocabulary.decode($1).joined(separator: " ")
            )
        }
        return Result(
            testAccuracy: accuracy, correct: correct, total: test.count, steps: steps,
            trainingSeconds: trainingSeconds, evaluationSeconds: evaluationSeconds, errors: Array(errors))
    }
}
