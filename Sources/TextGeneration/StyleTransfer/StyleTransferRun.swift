import Autodiff
import Foundation
import MontagueSupport
import NeuralNet

/// The style-transfer methods `montague train style-transfer --method` offers.
public enum StyleTransferMethod: String, Codable, CaseIterable, Sendable {
    /// Delete the source's attribute markers, retrieve the most similar target-style sentence, insert its markers
    /// (Li et al. 2018, TemplateBased).
    case template
    /// The most similar target-style sentence itself (Li et al. 2018, RetrieveOnly).
    case retrieveOnly = "retrieve-only"
}

/// Everything needed to rebuild a style-transfer model: stored as the model directory's hyperparameters.
public struct StyleTransferRecipe: Codable, Equatable, Sendable {
    /// The method.
    public var method: StyleTransferMethod
    /// Style names, in order.
    public var styles: [String]
    /// Tokenization of the input files.
    public var tokenization: TextTokenization
    /// Lowercase tokens.
    public var lowercase: Bool
    /// Longest sentence kept (tokens).
    public var maximumLength: Int
    /// Fraction of each style held out for validation.
    public var validationFraction: Double
    /// Longest attribute marker (n-gram order).
    public var markerOrder: Int
    /// Salience smoothing λ.
    public var markerSmoothing: Double
    /// Salience threshold γ.
    public var markerThreshold: Double
    /// The evaluation classifier's settings (nil: none trained).
    public var classifier: StyleClassifier.Settings?
    /// BLEU tokenizer used by `evaluate` (`none` for pre-tokenized corpora).
    public var bleuTokenizer: BLEUTokenizer
    /// Seed of the split and the classifier.
    public var seed: UInt64

    /// A recipe with Li et al.'s Yelp settings (markers up to 4-grams, λ = 1, γ = 15).
    public init(
        method: StyleTransferMethod = .template, styles: [String] = [], tokenization: TextTokenization = .whitespace,
        lowercase: Bool = false, maximumLength: Int = 50, validationFraction: Double = 0.01, markerOrder: Int = 4,
        markerSmoothing: Double = 1, markerThreshold: Double = 15, classifier: StyleClassifier.Settings? = nil,
        bleuTokenizer: BLEUTokenizer = .none, seed: UInt64 = 0
    ) {
        self.method = method
        self.styles = styles
        self.tokenization = tokenization
        self.lowercase = lowercase
        self.maximumLength = maximumLength
        self.validationFraction = validationFraction
        self.markerOrder = markerOrder
        self.markerSmoothing = markerSmoothing
        self.markerThreshold = markerThreshold
        self.classifier = classifier
        self.bleuTokenizer = bleuTokenizer
        self.seed = seed
    }
}

/// A markers file entry.
struct MarkerLexicon: Codable {
    var styles: [String]
    var markers: [[String: Double]]
}

/// Trains style-transfer models from style corpora into model directories — the library entry point of
/// `montague train style-transfer`.
public enum StyleTransferRun {
    /// The model kind written to manifests.
    public static let kind = "style-transfer"
    static let markersFile = "markers.json"
    static func poolFile(_ style: String) -> String { "train-\(style).txt" }
    static func validationFile(_ style: String) -> String { "valid-\(style).txt" }

    /// What training produced.
    public struct Summary: Sendable {
        /// Training sentences per style.
        public var trainingSentences: [Int]
        /// Held-out sentences per style.
        public var validationSentences: [Int]
        /// Marker n-grams per style.
        public var markerCounts: [Int]
        /// The classifier's held-out accuracy, if one was trained.
        public var classifierAccuracy: Double?
    }

    /// Trains per `recipe` on `files` and writes `output`: manifest, marker lexicon, retrieval pools, held-out
    /// validation sentences and the evaluation classifier.
    ///
    /// - Parameters:
    ///   - classifierEpochs: epochs of the TextCNN style classifier (0: none; `evaluate` then reports no accuracy).
    ///   - classifierEmbeddingSize: the classifier's embedding width.
    /// - Throws: ``InputError`` for bad corpora or settings, ``ModelDirectoryError`` when `output` holds a model.
    public static func train(
        _ recipe: StyleTransferRecipe, files: [(style: String, path: String)], output: ModelDirectory,
        classifierEpochs: Int = 2, classifierEmbeddingSize: Int = 128, log: ((String) -> Void)? = nil
    ) throws -> Summary {
        guard (0..<1).contains(recipe.validationFraction) else {
            throw InputError("the validation fraction must be in [0, 1)")
        }
        guard recipe.markerOrder >= 1, recipe.markerThreshold > 0, recipe.markerSmoothing > 0 else {
            throw InputError("marker order, threshold and smoothing must be positive")
        }
        guard recipe.maximumLength >= 1 else { throw InputError("maximum length must be positive") }
        guard classifierEpochs >= 0 else { throw InputError("classifier epochs must be ≥ 0") }
        let corpus = try StyleCorpus.load(
            files: files, tokenization: recipe.tokenization, lowercase: recipe.lowercase,
            maximumLength: recipe.maximumLength)
        if output.exists {
            throw ModelDirectoryError(path: output.url.path, "already holds a model; choose another --output")
        }
        try output.create()
        let (train, validation) = corpus.split(validationFraction: recipe.validationFraction, seed: recipe.seed)
        log?("styles: " + zip(corpus.styles, train.sentences).map { "\($0) \($1.count)" }.joined(separator: ", "))
        let markers = AttributeMarkers(
            corpus: train, maximumOrder: recipe.markerOrder, smoothing: recipe.markerSmoothing,
            threshold: recipe.markerThreshold)
        var finalRecipe = recipe
        finalRecipe.styles = corpus.styles
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try AtomicFile.write(
            try encoder.encode(MarkerLexicon(styles: corpus.styles, markers: markers.markers)),
            to: output.file(markersFile))
        for (style, name) in corpus.styles.enumerated() {
            try AtomicFile.write(
                train.sentences[style].map { $0.joined(separator: " ") + "\n" }.joined(),
                to: output.file(poolFile(name)))
            try AtomicFile.write(
                validation.sentences[style].map { $0.joined(separator: " ") + "\n" }.joined(),
                to: output.file(validationFile(name)))
        }
        var classifierAccuracy: Double?
        if classifierEpochs > 0 {
            log?("training the style classifier (TextCNN, \(classifierEpochs) epochs)")
            let classifier = StyleClassifier.train(
                corpus: train, validation: validation, embeddingSize: classifierEmbeddingSize, epochs: classifierEpochs,
                seed: recipe.seed, showsProgress: log != nil
            ) { record in
                log?(
                    String(
                        format: "  epoch %d: loss %.4f, held-out accuracy %.4f", record.epoch, record.loss,
                        record.validationAccuracy ?? .nan))
            }
            try classifier.save(to: output)
            finalRecipe.classifier = classifier.settings
            let held = zip(validation.sentences.indices, validation.sentences).flatMap { style, list in
                list.map { ($0, style) }
            }
            if !held.isEmpty {
                let predictions = classifier.predict(held.map(\.0))
                classifierAccuracy = Double(zip(predictions, held).filter { $0 == $1.1 }.count) / Double(held.count)
            }
        }
        var directoryFiles: [String: String] = [markersFile: "attribute markers per style with their salience"]
        for name in corpus.styles {
            directoryFiles[poolFile(name)] = "training sentences of style \(name) (the retrieval pool)"
            directoryFiles[validationFile(name)] = "held-out sentences of style \(name)"
        }
        if finalRecipe.classifier != nil {
            directoryFiles[StyleClassifier.weightsFile] = "the TextCNN style classifier's weights"
            directoryFiles[StyleClassifier.vocabularyFile] = "the classifier's vocabulary"
        }
        var metrics: [String: Double] = [:]
        if let classifierAccuracy { metrics["classifier.valid_accuracy"] = classifierAccuracy }
        var dataFingerprints: [String: String] = [:]
        for (style, path) in files { dataFingerprints["\(style)=\(path)"] = PlainTextCorpus.fingerprint(of: path) }
        try output.writeManifest(
            ModelManifest(
                kind: kind, hyperparameters: finalRecipe, dataFingerprints: dataFingerprints, metrics: metrics,
                files: directoryFiles))
        return Summary(
            trainingSentences: train.sentences.map(\.count), validationSentences: validation.sentences.map(\.count),
            markerCounts: markers.markers.map(\.count), classifierAccuracy: classifierAccuracy)
    }
}
