import Corpus
import Foundation
import MontagueSupport
import NeuralNet

/// How well a style-transfer model does: target-style accuracy by the classifier, content preservation by BLEU
/// against the inputs (source-BLEU) and against human references, and their geometric means — the measures of the
/// style-transfer literature (Shen et al. 2017; Li et al. 2018; Luo et al. 2019).
public struct StyleTransferReport: Codable, Equatable, Sendable {
    /// One transfer direction.
    public struct Direction: Codable, Equatable, Sendable {
        /// Source style.
        public var from: String
        /// Target style.
        public var to: String
        /// Sentences transferred.
        public var sentences: Int
        /// Fraction classified as the target style (nil without a classifier).
        public var accuracy: Double?
        /// Fraction the independent judge classifies as the target style (nil without `--judge`).
        public var judgeAccuracy: Double?
        /// BLEU of the outputs against their inputs (0–100).
        public var sourceBLEU: Double
        /// BLEU against the human references (0–100), when given.
        public var referenceBLEU: Double?
        /// Perplexity of the outputs under the target style's language model, when the model has them.
        public var perplexity: Double?
        /// The first few transfers, for reading.
        public var samples: [Sample]
    }

    /// An input and its transfer.
    public struct Sample: Codable, Equatable, Sendable {
        /// The input sentence.
        public var input: String
        /// The output sentence.
        public var output: String
    }

    /// Per direction.
    public var directions: [Direction]
    /// Target-style accuracy over all directions.
    public var accuracy: Double?
    /// The judge (``StyleJudge/summary``), when one was given.
    public var judge: String?
    /// Target-style accuracy by the judge over all directions.
    public var judgeAccuracy: Double?
    /// source-BLEU over all outputs together (one corpus).
    public var sourceBLEU: Double
    /// Reference BLEU over all outputs that have references.
    public var referenceBLEU: Double?
    /// Perplexity of all outputs under their target styles' language models (per token, over all directions).
    public var perplexity: Double?
    /// √(accuracy × 100 · source-BLEU).
    public var geometricMean: Double?
    /// √(accuracy × 100 · reference BLEU).
    public var referenceGeometricMean: Double?
    /// √(judge accuracy × 100 · source-BLEU).
    public var judgeGeometricMean: Double?
}

/// A trained style-transfer model loaded from its model directory.
public struct TrainedStyleTransfer {
    /// How it was trained.
    public let recipe: StyleTransferRecipe
    /// The transfer system.
    public let system: any StyleTransferSystem
    /// The evaluation classifier, if one was trained.
    public let classifier: StyleClassifier?
    /// The per-style language models (fluency), if they were trained.
    public let languageModels: StyleLanguageModels?
    /// The subword tokenizer, for models trained on subwords.
    public let subwords: SubwordTokenizer?
    /// The directory.
    public let directory: ModelDirectory

    /// Loads a directory written by ``StyleTransferRun/train(_:files:output:classifierEpochs:log:)``.
    public static func load(from directory: ModelDirectory) throws -> TrainedStyleTransfer {
        let manifest = try directory.readManifest(expecting: StyleTransferRun.kind)
        let recipe: StyleTransferRecipe
        do {
            recipe = try manifest.hyperparameters(as: StyleTransferRecipe.self)
        } catch {
            throw ModelDirectoryError(path: directory.manifestURL.path, "malformed hyperparameters: \(error)")
        }
        guard recipe.maximumLength >= 1, recipe.styles.count >= 2, Set(recipe.styles).count == recipe.styles.count
        else {
            throw ModelDirectoryError(
                path: directory.manifestURL.path, "malformed hyperparameters: styles or maximum length")
        }
        if let classifier = recipe.classifier, classifier.network.classCount != recipe.styles.count {
            throw ModelDirectoryError(
                path: directory.manifestURL.path, "the classifier's class count differs from the style count")
        }
        let classifier = try recipe.classifier.map { try StyleClassifier.load(from: directory, settings: $0) }
        let system: any StyleTransferSystem
        if recipe.method == .markerEdit {
            system = try loadMarkerEditSystem(from: directory, recipe: recipe, classifier: classifier)
        } else if recipe.method == .dualRL {
            guard let settings = recipe.crossAligned, recipe.styles.count == 2 else {
                throw ModelDirectoryError(
                    path: directory.manifestURL.path, "missing dual-rl settings or not two styles")
            }
            system = try CrossAlignedRun.loadDualRL(
                from: directory, settings: settings, maximumLength: recipe.maximumLength)
        } else if recipe.method.isNeural {
            guard let settings = recipe.crossAligned else {
                throw ModelDirectoryError(path: directory.manifestURL.path, "missing cross-aligned settings")
            }
            system = try CrossAlignedRun.load(
                from: directory, settings: settings, styleCount: recipe.styles.count,
                maximumLength: recipe.maximumLength, method: recipe.method)
        } else {
            system = try loadTemplateSystem(from: directory, recipe: recipe)
        }
        let languageModels = try recipe.languageModels.map {
            try StyleLanguageModels.load(from: directory, styles: recipe.styles, settings: $0)
        }
        let subwords = try recipe.subwords.map { _ in
            try SubwordTokenizer.load(from: directory.file(StyleTransferRun.tokenizerFile))
        }
        return TrainedStyleTransfer(
            recipe: recipe, system: system, classifier: classifier, languageModels: languageModels,
            subwords: subwords, directory: directory)
    }

    static func loadTemplateSystem(from directory: ModelDirectory, recipe: StyleTransferRecipe) throws
        -> TemplateTransfer
    {
        let lexiconURL = directory.file(StyleTransferRun.markersFile)
        guard let data = FileManager.default.contents(atPath: lexiconURL.path),
            let lexicon = try? JSONDecoder().decode(MarkerLexicon.self, from: data), lexicon.styles == recipe.styles
        else { throw ModelDirectoryError(path: lexiconURL.path, "missing or malformed marker lexicon") }
        var pools: [[[String]]] = []
        for style in recipe.styles {
            let file = try TextScoring.TextFile(contentsOf: directory.file(StyleTransferRun.poolFile(style)).path)
            pools.append(file.lines.map { $0.split(separator: " ").map(String.init) })
        }
        let markers = AttributeMarkers(
            maximumOrder: recipe.markerOrder, smoothing: recipe.markerSmoothing, threshold: recipe.markerThreshold,
            markers: lexicon.markers)
        let variant: TemplateTransfer.Variant = recipe.method == .retrieveOnly ? .retrieveOnly : .template
        return TemplateTransfer(
            corpus: StyleCorpus(styles: recipe.styles, sentences: pools), markers: markers, variant: variant)
    }

    /// The index of a style by name.
    ///
    /// - Throws: ``InputError`` naming the known styles.
    public func style(named name: String) throws -> Int {
        guard let index = recipe.styles.firstIndex(of: name) else {
            throw InputError(
                "unknown style '\(Escaping.visible(name))' (this model knows \(recipe.styles.joined(separator: ", ")))")
        }
        return index
    }

    /// Tokenizes input lines as the model's corpora were.
    public func tokenize(_ line: String) -> [String] {
        if let subwords {
            return Array(
                subwords.encodeToPieces(recipe.lowercase ? line.lowercased() : line).prefix(recipe.maximumLength))
        }
        return Array(recipe.tokenization.tokens(line, lowercase: recipe.lowercase).prefix(recipe.maximumLength))
    }

    /// A token sequence as text: words joined by spaces, or subword pieces decoded.
    public func render(_ tokens: [String]) -> String {
        subwords.map { $0.decode(pieces: tokens) } ?? tokens.joined(separator: " ")
    }

    /// The source style of each sentence: `source` when given; with two styles, the one that is not `target`;
    /// otherwise the classifier's guess.
    ///
    /// - Throws: ``InputError`` when the source cannot be decided (more than two styles and no classifier).
    public func sourceStyles(of sentences: [[String]], given source: Int?, target: Int) throws -> [Int] {
        if let source { return Array(repeating: source, count: sentences.count) }
        if recipe.styles.count == 2 { return Array(repeating: 1 - target, count: sentences.count) }
        guard let classifier else {
            throw InputError("this model has more than two styles and no classifier: say which style the inputs are")
        }
        return classifier.predict(sentences)
    }

    /// Transfers `sentences` to style index `target`.
    public func transfer(_ sentences: [[String]], from source: Int? = nil, to target: Int) throws -> [[String]] {
        let sources = try sourceStyles(of: sentences, given: source, target: target)
        return system.transfer(sentences, from: sources, to: target)
    }

    /// Transfers and scores: each input set is sentences of one style, transferred to `target` — when nil, to the
    /// other style if there are two, else to every other style in turn (one direction each) — with optional
    /// reference sets (each one reference per input sentence; they need a single target). With a `judge`, its
    /// target-style accuracy on the rendered outputs is reported beside the model's own classifier's.
    ///
    /// - Throws: ``InputError`` for references without a single target, unequal reference-set counts, or a judge
    ///   that does not know the model's styles.
    public func evaluate(
        inputs: [(style: Int, target: Int?, sentences: [[String]], references: [[[String]]])], sampleCount: Int = 5,
        judge: (any StyleJudge)? = nil
    ) throws -> StyleTransferReport {
        let judgeStyles = try judge.map { try StyleJudges.mapping(of: $0, to: recipe.styles) }
        var judgeCorrect = 0
        var judgeClassified = 0
        let bleu = BLEU(tokenizer: recipe.bleuTokenizer)
        var directions: [StyleTransferReport.Direction] = []
        var allOutputs: [String] = []
        var allSources: [String] = []
        var correct = 0
        var classified = 0
        var referencedOutputs: [String] = []
        var referenceStreams: [[String]] = []
        var logPerplexitySum = 0.0
        var perplexityTokens = 0
        let expanded = try inputs.flatMap { input in
            if input.target != nil || recipe.styles.count == 2 { return [input] }
            guard input.references.isEmpty else {
                throw InputError(
                    "with more than two styles, references need a target style (\(recipe.styles[input.style]) has "
                        + "\(recipe.styles.count - 1) possible targets)")
            }
            return recipe.styles.indices.filter { $0 != input.style }.map {
                (style: input.style, target: Optional($0), sentences: input.sentences, references: input.references)
            }
        }
        for input in expanded {
            let target = input.target ?? (1 - input.style)
            let outputs = try transfer(input.sentences, from: input.style, to: target)
            let outputText = outputs.map(render)
            let sourceText = input.sentences.map(render)
            var accuracy: Double?
            if let classifier, !outputs.isEmpty {
                let predictions = classifier.predict(outputs)
                let hits = predictions.filter { $0 == target }.count
                accuracy = Double(hits) / Double(outputs.count)
                correct += hits
                classified += outputs.count
            }
            var judgeAccuracy: Double?
            if let judge, let judgeStyles, !outputs.isEmpty {
                let hits = judge.predict(outputText).filter { $0 == judgeStyles[target] }.count
                judgeAccuracy = Double(hits) / Double(outputs.count)
                judgeCorrect += hits
                judgeClassified += outputs.count
            }
            var perplexity: Double?
            if let languageModels, let measured = languageModels.perplexity(of: outputs, style: target) {
                perplexity = measured.perplexity
                logPerplexitySum += Foundation.log(measured.perplexity) * Double(measured.tokens)
                perplexityTokens += measured.tokens
            }
            var referenceBLEU: Double?
            if !input.references.isEmpty {
                let streams = input.references.map { $0.map(render) }
                referenceBLEU = try bleu.corpusScore(hypotheses: outputText, references: streams).score
                // Pool the references: every direction must have the same number of reference sets.
                if referenceStreams.isEmpty && referencedOutputs.isEmpty {
                    referenceStreams = Array(repeating: [], count: streams.count)
                }
                guard referenceStreams.count == streams.count else {
                    throw InputError("every input set needs the same number of reference sets")
                }
                referencedOutputs += outputText
                for index in streams.indices { referenceStreams[index] += streams[index] }
            }
            directions.append(
                .init(
                    from: recipe.styles[input.style], to: recipe.styles[target], sentences: outputs.count,
                    accuracy: accuracy, judgeAccuracy: judgeAccuracy,
                    sourceBLEU: outputs.isEmpty
                        ? 0 : try bleu.corpusScore(hypotheses: outputText, references: [sourceText]).score,
                    referenceBLEU: referenceBLEU, perplexity: perplexity,
                    samples: zip(sourceText, outputText).prefix(sampleCount).map { .init(input: $0, output: $1) }))
            allOutputs += outputText
            allSources += sourceText
        }
        let sourceBLEU =
            allOutputs.isEmpty ? 0 : try bleu.corpusScore(hypotheses: allOutputs, references: [allSources]).score
        let referenceBLEU =
            referencedOutputs.isEmpty
            ? nil : try bleu.corpusScore(hypotheses: referencedOutputs, references: referenceStreams).score
        let accuracy = classified > 0 ? Double(correct) / Double(classified) : nil
        let judgeAccuracy = judgeClassified > 0 ? Double(judgeCorrect) / Double(judgeClassified) : nil
        return StyleTransferReport(
            directions: directions, accuracy: accuracy, judge: judge?.summary, judgeAccuracy: judgeAccuracy,
            sourceBLEU: sourceBLEU, referenceBLEU: referenceBLEU,
            perplexity: perplexityTokens > 0 ? Foundation.exp(logPerplexitySum / Double(perplexityTokens)) : nil,
            geometricMean: accuracy.map { ($0 * 100 * sourceBLEU).squareRoot() },
            referenceGeometricMean: accuracy.flatMap { accuracy in
                referenceBLEU.map { (accuracy * 100 * $0).squareRoot() }
            }, judgeGeometricMean: judgeAccuracy.map { ($0 * 100 * sourceBLEU).squareRoot() })
    }

    /// The held-out validation sentences of each style saved at training time.
    public func validationSentences() throws -> [[[String]]] {
        try recipe.styles.map { style in
            let file = try TextScoring.TextFile(contentsOf: directory.file(StyleTransferRun.validationFile(style)).path)
            return file.lines.map { $0.split(separator: " ").map(String.init) }
        }
    }
}

/// A trained style-transfer system: rewrites sentences of given source styles into a target style.
public protocol StyleTransferSystem {
    /// The transfers of `sentences` (style indices `sources`, one per sentence) to style index `target`.
    func transfer(_ sentences: [[String]], from sources: [Int], to target: Int) -> [[String]]
}

extension TemplateTransfer: StyleTransferSystem {
    /// Each sentence transferred on its own.
    public func transfer(_ sentences: [[String]], from sources: [Int], to target: Int) -> [[String]] {
        zip(sentences, sources).map { transfer($0, from: $1, to: target) }
    }
}

extension CrossAlignedTransfer: StyleTransferSystem {
    /// Greedy decoding in batches.
    public func transfer(_ sentences: [[String]], from sources: [Int], to target: Int) -> [[String]] {
        transfer(sentences, from: sources, to: target, batchSize: 128)
    }
}
