import Autodiff
import Corpus
import Foundation
import MontagueSupport
import NeuralNet

/// A classifier that scores transferred sentences independently of the model that produced them: it reads text
/// (not the model's token ids) and names a style for each sentence.
///
/// Target-style accuracy measured only by the classifier that was also a training reward (as in dual reinforcement
/// learning, Luo et al. 2019) rewards fooling that one classifier; the style-transfer literature scores systems by a
/// classifier that is not the reward (Li et al. 2018 use a separately trained one), so `montague evaluate --judge DIR`
/// reports a second accuracy by a judge.
public protocol StyleJudge {
    /// The style names, indexed as ``predict(_:)``'s results.
    var styles: [String] { get }
    /// One line saying what the judge is (printed with its accuracy).
    var summary: String { get }
    /// The style index of each sentence (plain text, one sentence per element).
    func predict(_ texts: [String]) -> [Int]
}

/// A bag-of-n-grams logistic-regression style classifier — a model family different from the TextCNN (Kim 2014) that
/// `train style-transfer` uses as its evaluator and reward: binary presence features of the word n-grams up to
/// ``Settings/maximumOrder`` (with sentence-boundary markers) seen at least ``Settings/minimumCount`` times, a
/// multinomial logistic regression on them (the linear baseline of sentiment classification; Wang & Manning 2012
/// use the same features), trained by AdaGrad (Duchi, Hazan & Singer 2011) with L2 regularization, in an order
/// shuffled by its own seed.
public struct NgramStyleJudge: StyleJudge, Sendable {
    /// How the judge reads text and is trained; stored in its model directory.
    public struct Settings: Codable, Equatable, Sendable {
        /// The longest n-gram used as a feature.
        public var maximumOrder: Int
        /// N-grams seen fewer times in the training corpora are not features.
        public var minimumCount: Int
        /// Passes over the training sentences.
        public var epochs: Int
        /// AdaGrad's step size.
        public var learningRate: Double
        /// L2 penalty on the weights (per update, scaled by the step size).
        public var l2: Double
        /// Seed of the shuffling order.
        public var seed: UInt64
        /// How lines are split into words.
        public var tokenization: TextTokenization
        /// Whether text is lowercased before tokenizing.
        public var lowercase: Bool

        /// Unigrams and bigrams seen twice, 3 epochs, step 0.2, L2 10⁻⁶, whitespace tokens.
        public init(
            maximumOrder: Int = 2, minimumCount: Int = 2, epochs: Int = 3, learningRate: Double = 0.2,
            l2: Double = 1e-6, seed: UInt64 = 0, tokenization: TextTokenization = .whitespace, lowercase: Bool = false
        ) {
            self.maximumOrder = maximumOrder
            self.minimumCount = minimumCount
            self.epochs = epochs
            self.learningRate = learningRate
            self.l2 = l2
            self.seed = seed
            self.tokenization = tokenization
            self.lowercase = lowercase
        }

        /// The first invalid setting, or nil.
        public var problem: String? {
            if !(1...5).contains(maximumOrder) { return "the judge's n-gram order must be 1 to 5" }
            if minimumCount < 1 { return "the judge's minimum count must be ≥ 1" }
            if epochs < 1 { return "the judge needs at least one epoch" }
            if !(learningRate > 0 && learningRate.isFinite) { return "the judge's learning rate must be positive" }
            if !(l2 >= 0 && l2.isFinite) { return "the judge's L2 penalty must be ≥ 0" }
            return nil
        }
    }

    /// What the model directory's manifest stores.
    public struct Recipe: Codable, Equatable, Sendable {
        /// Style names.
        public var styles: [String]
        /// Settings.
        public var settings: Settings
        /// Number of n-gram features.
        public var featureCount: Int
    }

    /// The manifest kind of a judge directory (`montague train style-judge`).
    public static let kind = "style-judge"
    /// The feature list's file (one n-gram a line, words separated by spaces; line k is feature k).
    public static let featuresFile = "judge-ngrams.txt"

    /// Style names.
    public let styles: [String]
    /// Settings.
    public let settings: Settings
    /// N-gram → feature index.
    let features: [String: Int]
    /// The n-grams by feature index.
    let ngrams: [String]
    /// `weights[feature * classes + class]`.
    var weights: [Float]
    /// Per class.
    var bias: [Float]

    /// One line for reports.
    public var summary: String {
        "bag-of-\(settings.maximumOrder)-grams logistic regression, \(ngrams.count) features, seed \(settings.seed)"
    }

    /// The distinct n-grams (orders 1 … `order`) of a token sequence, boundary markers included for n ≥ 2.
    static func ngrams(of tokens: [String], order: Int) -> Set<String> {
        var result = Set(tokens)
        guard order >= 2 else { return result }
        let padded = ["<s>"] + tokens + ["</s>"]
        for n in 2...order where padded.count >= n {
            for start in 0...(padded.count - n) { result.insert(padded[start..<(start + n)].joined(separator: " ")) }
        }
        return result
    }

    /// The tokens of a line as this judge reads them.
    func tokens(_ text: String) -> [String] { settings.tokenization.tokens(text, lowercase: settings.lowercase) }

    /// The sorted feature indices of a token sequence.
    func featureIndices(_ tokens: [String]) -> [Int] {
        Self.ngrams(of: tokens, order: settings.maximumOrder).compactMap { features[$0] }.sorted()
    }

    /// Trains a judge on `corpus` (sentences already tokenized as `settings` reads text; label = style index).
    ///
    /// - Precondition: `settings.problem == nil`, at least two styles.
    public static func train(corpus: StyleCorpus, settings: Settings) -> NgramStyleJudge {
        precondition(settings.problem == nil && corpus.styles.count >= 2, "NgramStyleJudge: invalid settings")
        var counts: [String: Int] = [:]
        for sentences in corpus.sentences {
            for sentence in sentences {
                for ngram in ngrams(of: sentence, order: settings.maximumOrder) { counts[ngram, default: 0] += 1 }
            }
        }
        let kept = counts.filter { $0.value >= settings.minimumCount }.keys.sorted()
        let features = Dictionary(uniqueKeysWithValues: kept.enumerated().map { ($1, $0) })
        let classes = corpus.styles.count
        var judge = NgramStyleJudge(
            styles: corpus.styles, settings: settings, features: features, ngrams: kept,
            weights: Array(repeating: 0, count: kept.count * classes), bias: Array(repeating: 0, count: classes))
        var examples: [(features: [Int], label: Int)] = []
        for (style, sentences) in corpus.sentences.enumerated() {
            for sentence in sentences { examples.append((judge.featureIndices(sentence), style)) }
        }
        judge.fit(examples)
        return judge
    }

    /// The number of n-gram features.
    public var featureCount: Int { ngrams.count }

    /// What ``train(files:settings:validationFraction:output:)`` did.
    public struct RunSummary: Sendable {
        /// The trained judge.
        public var judge: NgramStyleJudge
        /// Training sentences per style.
        public var trainingSentences: [Int]
        /// Accuracy on the held-out sentences (nil when none were held out).
        public var validationAccuracy: Double?
    }

    /// Reads one plain-text file per style, holds out `validationFraction` of each (at most 1,000 sentences, chosen
    /// by the settings' seed), trains, measures the held-out accuracy and writes the judge into `output`.
    ///
    /// - Throws: ``InputError`` for invalid settings, unreadable or empty files, fewer than two styles, or an output
    ///   directory that holds another kind of model; errors writing the directory.
    public static func train(
        files: [(style: String, path: String)], settings: Settings, validationFraction: Double,
        output: ModelDirectory
    ) throws -> RunSummary {
        if let problem = settings.problem { throw InputError(problem) }
        guard (0..<1).contains(validationFraction) else { throw InputError("the held-out fraction must be in [0, 1)") }
        if output.exists {
            let existing = try output.readManifest()
            guard existing.kind == kind else {
                throw InputError(
                    "holds a '\(existing.kind)' model; give a new directory for the judge",
                    at: SourceLocation(file: output.url.path))
            }
        }
        let corpus = try StyleCorpus.load(
            files: files, tokenization: settings.tokenization, lowercase: settings.lowercase)
        let (training, validation) =
            validationFraction > 0
            ? corpus.split(validationFraction: validationFraction, maximumValidation: 1000, seed: settings.seed)
            : (corpus, StyleCorpus(styles: corpus.styles, sentences: corpus.styles.map { _ in [] }))
        guard training.sentences.allSatisfy({ !$0.isEmpty }) else {
            throw InputError("every style needs training sentences after the held-out split")
        }
        let judge = train(corpus: training, settings: settings)
        var correct = 0
        var total = 0
        for (style, sentences) in validation.sentences.enumerated() {
            correct += judge.predict(tokens: sentences).filter { $0 == style }.count
            total += sentences.count
        }
        let accuracy = total > 0 ? Double(correct) / Double(total) : nil
        var fingerprints: [String: String] = [:]
        for (style, path) in files { fingerprints["\(style)=\(path)"] = PlainTextCorpus.fingerprint(of: path) }
        try judge.save(
            to: output, metrics: accuracy.map { ["valid_accuracy": $0] } ?? [:], dataFingerprints: fingerprints)
        return RunSummary(
            judge: judge, trainingSentences: training.sentences.map(\.count), validationAccuracy: accuracy)
    }

    /// AdaGrad on the softmax cross-entropy, one example at a time, in a seeded order per epoch.
    private mutating func fit(_ examples: [(features: [Int], label: Int)]) {
        let classes = styles.count
        var squared = [Double](repeating: 0, count: weights.count)
        var biasSquared = [Double](repeating: 0, count: classes)
        var generator = SplitMix64(seed: settings.seed ^ 0x1D6E_5EED)
        var order = Array(examples.indices)
        let rate = settings.learningRate
        let l2 = settings.l2
        var scores = [Double](repeating: 0, count: classes)
        var learned = weights
        var bias = self.bias
        for _ in 0..<settings.epochs {
            generator.shuffle(&order)
            learned.withUnsafeMutableBufferPointer { w in
                squared.withUnsafeMutableBufferPointer { g in
                    for index in order {
                        let (active, label) = examples[index]
                        for c in 0..<classes {
                            var score = Double(bias[c])
                            for f in active { score += Double(w[f * classes + c]) }
                            scores[c] = score
                        }
                        let top = scores.max() ?? 0
                        var total = 0.0
                        for c in 0..<classes {
                            scores[c] = Foundation.exp(scores[c] - top)
                            total += scores[c]
                        }
                        for c in 0..<classes {
                            // d(−log p_label)/d score_c = p_c − [c = label]
                            let gradient = scores[c] / total - (c == label ? 1 : 0)
                            biasSquared[c] += gradient * gradient
                            bias[c] -= Float(rate * gradient / (biasSquared[c].squareRoot() + 1e-8))
                            for f in active {
                                let slot = f * classes + c
                                let full = gradient + l2 * Double(w[slot])
                                g[slot] += full * full
                                w[slot] -= Float(rate * full / (g[slot].squareRoot() + 1e-8))
                            }
                        }
                    }
                }
            }
        }
        weights = learned
        self.bias = bias
    }

    /// The class scores (unnormalized log-probabilities) of each token sequence.
    func scores(_ sentences: [[String]]) -> [[Double]] {
        let classes = styles.count
        return sentences.map { sentence in
            let active = featureIndices(sentence)
            return (0..<classes).map { c in
                active.reduce(Double(bias[c])) { $0 + Double(weights[$1 * classes + c]) }
            }
        }
    }

    /// The most likely style of each token sequence (ties: the first style).
    public func predict(tokens sentences: [[String]]) -> [Int] {
        scores(sentences).map { row in row.indices.max { row[$0] < row[$1] || (row[$0] == row[$1] && $0 > $1) } ?? 0 }
    }

    /// The most likely style of each line.
    public func predict(_ texts: [String]) -> [Int] { predict(tokens: texts.map(tokens)) }

    /// Writes the judge into `directory`: manifest, n-gram list and weights (`weights.safetensors`: `weights`
    /// `[features, styles]`, `bias` `[styles]`).
    public func save(to directory: ModelDirectory, metrics: [String: Double] = [:], dataFingerprints: [String: String])
        throws
    {
        try directory.create()
        try AtomicFile.write(ngrams.map { $0 + "\n" }.joined(), to: directory.file(Self.featuresFile))
        try SafetensorsFile.write(
            tensors: [
                "weights": Tensor(shape: [ngrams.count, styles.count], scalars: weights),
                "bias": Tensor(shape: [styles.count], scalars: bias),
            ], metadata: [:], to: directory.weightsURL)
        try directory.writeManifest(
            ModelManifest(
                kind: Self.kind,
                hyperparameters: Recipe(styles: styles, settings: settings, featureCount: ngrams.count),
                dataFingerprints: dataFingerprints, metrics: metrics,
                files: [
                    Self.featuresFile: "the judge's n-gram features, one a line",
                    ModelDirectory.weightsName: "the logistic regression's weights and biases",
                ]))
    }

    /// Loads a judge saved by ``save(to:metrics:dataFingerprints:)``.
    ///
    /// - Throws: ``ModelDirectoryError`` naming the file that is missing, malformed or inconsistent.
    public static func load(from directory: ModelDirectory) throws -> NgramStyleJudge {
        let manifest = try directory.readManifest(expecting: kind)
        let recipe: Recipe
        do {
            recipe = try manifest.hyperparameters(as: Recipe.self)
        } catch {
            throw ModelDirectoryError(path: directory.manifestURL.path, "malformed hyperparameters: \(error)")
        }
        guard recipe.styles.count >= 2, Set(recipe.styles).count == recipe.styles.count, recipe.settings.problem == nil,
            recipe.featureCount >= 0
        else { throw ModelDirectoryError(path: directory.manifestURL.path, "malformed judge settings or styles") }
        let featuresPath = directory.file(featuresFile).path
        let ngrams = try TextScoring.TextFile(contentsOf: featuresPath).lines
        guard ngrams.count == recipe.featureCount, Set(ngrams).count == ngrams.count else {
            throw ModelDirectoryError(
                path: featuresPath, "expected \(recipe.featureCount) distinct n-grams, found \(ngrams.count)")
        }
        let file: SafetensorsFile
        do {
            file = try SafetensorsFile(contentsOf: directory.weightsURL)
        } catch {
            throw ModelDirectoryError(path: directory.weightsURL.path, "cannot read the judge's weights: \(error)")
        }
        let classes = recipe.styles.count
        guard let weights = try? file.tensor(named: "weights"), let bias = try? file.tensor(named: "bias"),
            weights.shape == [ngrams.count, classes], bias.shape == [classes],
            (weights.scalars + bias.scalars).allSatisfy(\.isFinite)
        else {
            throw ModelDirectoryError(
                path: directory.weightsURL.path, "expected finite 'weights' [\(ngrams.count), \(classes)] and 'bias'")
        }
        return NgramStyleJudge(
            styles: recipe.styles, settings: recipe.settings,
            features: Dictionary(uniqueKeysWithValues: ngrams.enumerated().map { ($1, $0) }), ngrams: ngrams,
            weights: weights.scalars, bias: bias.scalars)
    }
}

/// Another style-transfer model's TextCNN classifier used as a judge: it reads text as that model's corpora were
/// read (its tokenization, lowercasing and subword tokenizer).
public struct TextCNNStyleJudge: StyleJudge {
    /// The source model's evaluator.
    public let source: StyleEvaluatorSource
    /// Its subword tokenizer, when it was trained on subwords.
    let subwords: SubwordTokenizer?

    /// The source's styles.
    public var styles: [String] { source.recipe.styles }

    /// One line for reports.
    public var summary: String { "TextCNN classifier of \(source.directory.url.path)" }

    /// Reads the classifier of a style-transfer model directory.
    ///
    /// - Throws: ``ModelDirectoryError`` when it has no classifier or cannot be read.
    public init(directory: ModelDirectory) throws {
        source = try StyleEvaluatorSource.load(from: directory)
        subwords = try source.recipe.subwords.map { _ in
            try SubwordTokenizer.load(from: directory.file(StyleTransferRun.tokenizerFile))
        }
    }

    /// The classifier's style for each line.
    public func predict(_ texts: [String]) -> [Int] {
        let recipe = source.recipe
        let tokens = texts.map { line in
            let text = recipe.lowercase ? line.lowercased() : line
            let pieces = subwords.map { $0.encodeToPieces(text) } ?? recipe.tokenization.tokens(text, lowercase: false)
            return Array(pieces.prefix(recipe.maximumLength))
        }
        return source.classifier.predict(tokens)
    }
}

/// Loading a judge for `montague evaluate --judge DIR`.
public enum StyleJudges {
    /// The judge in `directory`: an n-gram judge (`train style-judge`) or a style-transfer model's classifier.
    ///
    /// - Throws: ``ModelDirectoryError`` when the directory is missing, of another kind, or unreadable.
    public static func load(from directory: ModelDirectory) throws -> any StyleJudge {
        let manifest = try directory.readManifest()
        switch manifest.kind {
        case NgramStyleJudge.kind: return try NgramStyleJudge.load(from: directory)
        case StyleTransferRun.kind: return try TextCNNStyleJudge(directory: directory)
        default:
            throw ModelDirectoryError(
                path: directory.manifestURL.path,
                "a '\(manifest.kind)' model is not a style judge (give a '\(NgramStyleJudge.kind)' or "
                    + "'\(StyleTransferRun.kind)' directory)")
        }
    }

    /// For each of `styles` (a model's), the judge's index of the same style name.
    ///
    /// - Throws: ``InputError`` when the judge does not know one of the styles.
    public static func mapping(of judge: any StyleJudge, to styles: [String]) throws -> [Int] {
        try styles.map { style in
            guard let index = judge.styles.firstIndex(of: style) else {
                throw InputError(
                    "the judge knows the styles \(judge.styles.joined(separator: ", ")), not '\(style)' (the model's "
                        + "styles are \(styles.joined(separator: ", ")))")
            }
            return index
        }
    }
}
