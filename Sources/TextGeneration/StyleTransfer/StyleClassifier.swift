import Autodiff
import Corpus
import Foundation
import MontagueSupport
import NeuralNet

/// The style classifier of style-transfer evaluation: a ``TextCNN`` over a word vocabulary, trained on the style
/// corpora (target-style accuracy is the fraction of transferred sentences it assigns to the target style).
public struct StyleClassifier {
    /// Sizes and training options, stored in the model directory.
    public struct Settings: Codable, Equatable, Sendable {
        /// The network.
        public var network: TextCNN.Configuration
        /// Training.
        public var training: TextClassifierTraining.Options
        /// Tokens seen fewer times become `<unk>`.
        public var minimumCount: Int
    }

    /// Weights file in the model directory.
    public static let weightsFile = "classifier.safetensors"
    /// Vocabulary file in the model directory.
    public static let vocabularyFile = "classifier-vocabulary.json"

    /// The network.
    public let network: TextCNN
    /// Its vocabulary.
    public let vocabulary: Vocabulary
    /// Its settings.
    public let settings: Settings

    /// Trains a classifier on `corpus` (label = style index), keeping the epoch with the best accuracy on
    /// `validation`. With `wordVectors` (word2vec or GloVe text format) the embedding width is their dimension and
    /// every vocabulary entry they hold starts from its vector, as in Kim 2014's pretrained-vector TextCNN.
    public static func train(
        corpus: StyleCorpus, validation: StyleCorpus, embeddingSize: Int = 128, epochs: Int = 2, minimumCount: Int = 2,
        seed: UInt64, wordVectors: WordVectors? = nil, showsProgress: Bool = false,
        progress: ((TextClassifierTraining.EpochRecord) -> Void)? = nil
    ) throws -> StyleClassifier {
        let vocabulary = Vocabulary(tokens: corpus.sentences.joined().joined(), minimumCount: minimumCount)
        let network = TextCNN.Configuration(
            vocabularySize: vocabulary.count, classCount: corpus.styles.count,
            embeddingSize: wordVectors?.dimension ?? embeddingSize,
            paddingIndex: vocabulary.paddingIndex)
        let settings = Settings(
            network: network, training: .init(epochs: epochs, batchSize: 50, learningRate: 1e-3, seed: seed),
            minimumCount: minimumCount)
        var generator = RandomGenerator(seed: seed)
        let model = TextCNN(network, using: &generator)
        if let wordVectors { _ = try wordVectors.initialize(model.embedding.weight, tokens: vocabulary.tokens) }
        func encode(_ corpus: StyleCorpus) -> ([[Int]], [Int]) {
            var sequences: [[Int]] = []
            var labels: [Int] = []
            for (style, sentences) in corpus.sentences.enumerated() {
                for sentence in sentences {
                    sequences.append(vocabulary.encode(sentence))
                    labels.append(style)
                }
            }
            return (sequences, labels)
        }
        let (trainSequences, trainLabels) = encode(corpus)
        let (validSequences, validLabels) = encode(validation)
        TextClassifierTraining.train(
            model, sequences: trainSequences, labels: trainLabels,
            validation: validSequences.isEmpty ? nil : (validSequences, validLabels), options: settings.training,
            progress: progress)
        return StyleClassifier(network: model, vocabulary: vocabulary, settings: settings)
    }

    /// Writes the weights and vocabulary into `directory` (the settings go into the caller's manifest).
    public func save(to directory: ModelDirectory) throws {
        try Checkpoint.save(model: network, to: directory.file(Self.weightsFile))
        try vocabulary.save(to: directory.file(Self.vocabularyFile).path)
    }

    /// Loads a classifier saved by ``save(to:)`` with its settings.
    public static func load(from directory: ModelDirectory, settings: Settings) throws -> StyleClassifier {
        let vocabulary = try directory.readVocabulary(vocabularyFile, what: "classifier vocabulary")
        let shape = settings.network
        let sizes = [shape.embeddingSize] + shape.filterWidths + shape.filterCounts
        guard shape.vocabularySize == vocabulary.count, shape.classCount >= 2, shape.classCount <= 1 << 16,
            sizes.allSatisfy({ (1...(1 << 14)).contains($0) }), shape.filterWidths.count == shape.filterCounts.count,
            !shape.filterWidths.isEmpty, (0..<1).contains(shape.dropout),
            shape.paddingIndex.map({ (0..<vocabulary.count).contains($0) }) ?? true
        else {
            throw ModelDirectoryError(
                path: directory.manifestURL.path, "the classifier's settings do not fit its vocabulary or are invalid")
        }
        var generator = RandomGenerator(seed: 0)
        let network = TextCNN(settings.network, using: &generator)
        try Checkpoint.load(into: network, from: directory.file(weightsFile))
        return StyleClassifier(network: network, vocabulary: vocabulary, settings: settings)
    }

    /// The probability of each style for each sentence (rows of `styles` probabilities).
    public func probabilities(_ sentences: [[String]]) -> [[Float]] {
        network.probabilities(sentences.map { vocabulary.encode($0) })
    }

    /// The predicted style index of each sentence.
    public func predict(_ sentences: [[String]]) -> [Int] {
        network.predict(sentences.map { vocabulary.encode($0) })
    }
}
