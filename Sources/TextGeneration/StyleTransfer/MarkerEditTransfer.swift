import Corpus
import Foundation
import MontagueSupport
import NeuralNet

/// What judges a candidate edit's style in `--method marker-edit`.
public enum MarkerEditStyleScorer: String, Codable, Sendable, CaseIterable {
    /// The model directory's TextCNN, which `evaluate` also reports: the search then optimises the evaluation
    /// classifier, whose accuracy must be read beside an independent judge's.
    case classifier
    /// The styles' trigram language models as a naive-Bayes classifier with equal priors:
    /// `log p(target | c) = log p_target(c) − log Σₛ p_s(c)`. The TextCNN stays an independent measure.
    case languageModels = "language-models"
}

/// How `--method marker-edit` chooses which of the source's marker spans to edit.
public enum MarkerEditSearch: String, Codable, Sendable, CaseIterable {
    /// Every marker span is edited, left to right, each by the best-scoring candidate given the choices before it.
    case leftToRight = "left-to-right"
    /// The fewest edits that flip the style: a beam search over which spans to edit (in any order), one more span
    /// per level, stopping at the first level where a candidate reaches the target style by the style scorer with
    /// the flip margin; the other spans keep the source's words. After the minimal-edit principle of Li et al. 2018
    /// (content is what the edit leaves) and of the edit-based transfer of Wu et al. 2019 ("Mask and Infill").
    case minimal
}

/// The settings of `--method marker-edit` (stored in the model directory's recipe).
public struct MarkerEditSettings: Codable, Equatable, Sendable {
    /// Target-style sentences retrieved per source whose markers become candidate replacements.
    public var retrieved: Int
    /// The most frequent markers of the target style (up to ``maximumMarkerLength`` words) added as candidates.
    public var frequentMarkers: Int
    /// Longest frequent marker, in words.
    public var maximumMarkerLength: Int
    /// Weight of the target style's n-gram language model (mean log-probability per token) in a candidate's score.
    public var languageModelWeight: Double
    /// Score subtracted per word a candidate replacement inserts (a content-preservation prior).
    public var insertionPenalty: Double
    /// What scores a candidate's style; nil (directories written before the choice existed): the classifier.
    public var styleScorer: MarkerEditStyleScorer?
    /// Which spans are edited; nil (directories written before the choice existed): ``MarkerEditSearch/leftToRight``.
    public var search: MarkerEditSearch?
    /// ``MarkerEditSearch/minimal``: a candidate counts as flipped when the style scorer gives the target a
    /// probability of at least σ(margin) (margin 0: one half; larger margins ask for a clearer flip).
    public var flipMargin: Double?
    /// ``MarkerEditSearch/minimal``: most spans edited before the search gives up and returns its best-scoring
    /// candidate.
    public var maximumEdits: Int?
    /// ``MarkerEditSearch/minimal``: each span may also be negated — "not" put before it, or its leading negation
    /// ("not", "n't", "never", "no") dropped — as in the negation rules of lexicon-based sentiment editing
    /// (Polanyi & Zaenen 2006, "Contextual valence shifters"); nil: no.
    public var negation: Bool?

    /// States kept per level of the minimal-edit search.
    public static let beamWidth = 4

    /// Defaults: 10 retrieved sentences, 50 frequent markers of up to 2 words, LM weight 1, insertion penalty 0.5
    /// and the language models as style scorer (the setting chosen on held-out Yelp training sentences, see
    /// docs/experiments.md).
    public init(
        retrieved: Int = 10, frequentMarkers: Int = 50, maximumMarkerLength: Int = 2, languageModelWeight: Double = 1,
        insertionPenalty: Double = 0.5, styleScorer: MarkerEditStyleScorer? = .languageModels,
        search: MarkerEditSearch? = .leftToRight, flipMargin: Double? = nil, maximumEdits: Int? = nil,
        negation: Bool? = nil
    ) {
        self.retrieved = retrieved
        self.frequentMarkers = frequentMarkers
        self.maximumMarkerLength = maximumMarkerLength
        self.languageModelWeight = languageModelWeight
        self.insertionPenalty = insertionPenalty
        self.styleScorer = styleScorer
        self.search = search
        self.flipMargin = flipMargin
        self.maximumEdits = maximumEdits
        self.negation = negation
    }

    /// The setting `montague train style-transfer --method marker-edit` uses by default: the minimal-edit search
    /// (``MarkerEditSearch/minimal``) with flip margin 5, insertion penalty 1, at most 3 edited spans and negation
    /// edits, the language models as style scorer — the best GM of accuracy and source-BLEU among the settings swept
    /// on held-out Yelp training sentences (not dev), see docs/experiments.md. The plain initializer keeps the
    /// left-to-right search of Li et al. (2018)'s marker replacement.
    public static let minimalEdits = MarkerEditSettings(
        insertionPenalty: 1, styleScorer: .languageModels, search: .minimal, flipMargin: 5, maximumEdits: 3,
        negation: true)

    /// The flip margin in force (0 when unset).
    public var effectiveFlipMargin: Double { flipMargin ?? 0 }
    /// The most edited spans in force (3 when unset).
    public var effectiveMaximumEdits: Int { maximumEdits ?? 3 }

    /// The first invalid setting, or nil.
    public var problem: String? {
        if retrieved < 0 || frequentMarkers < 0 { return "marker-edit: candidate counts must be ≥ 0" }
        if retrieved + frequentMarkers < 1 { return "marker-edit needs at least one candidate source" }
        if maximumMarkerLength < 1 { return "marker-edit: the longest frequent marker must be ≥ 1 word" }
        if !(languageModelWeight >= 0 && languageModelWeight.isFinite) {
            return "marker-edit: the language-model weight must be ≥ 0"
        }
        if !(insertionPenalty >= 0 && insertionPenalty.isFinite) {
            return "marker-edit: the insertion penalty must be ≥ 0"
        }
        if let flipMargin, !(flipMargin >= 0 && flipMargin.isFinite) {
            return "marker-edit: the flip margin must be ≥ 0"
        }
        if let maximumEdits, maximumEdits < 1 { return "marker-edit: the most edited spans must be ≥ 1" }
        return nil
    }
}

/// An interpolated trigram language model over one style's sentences: maximum-likelihood trigram and bigram
/// estimates interpolated with the next lower order (Jelinek & Mercer 1980), down to an add-one unigram estimate
/// that keeps one share for an unseen word; an order whose context was never seen defers to the lower one. A cheap
/// fluency score for candidate edits.
public struct StyleTrigramModel: Sendable {
    private var ids: [String: Int32] = [:]
    private var unigrams: [Int32] = []
    private var bigrams: [Int64: Int32] = [:]
    private var trigrams: [Int64: Int32] = [:]
    private var total = 0
    /// The weight of the trigram estimate against the interpolated bigram one.
    public static let trigramWeight = 0.6
    /// The weight of the bigram estimate against the unigram one.
    public static let bigramWeight = 0.75
    private static let base: Int64 = 1 << 21
    private static let unknown = Int32(-1)

    /// Counts the n-grams of `sentences` (with a beginning and an end token).
    public init(sentences: [[String]]) {
        ids["<s>"] = 0
        ids["</s>"] = 1
        unigrams = [0, 0]
        for sentence in sentences {
            let tokens = [Int32(0)] + sentence.map { intern($0) } + [1]
            // <s> counted as a context only (it is never predicted).
            unigrams[0] += 1
            for position in 1..<tokens.count {
                let token = tokens[position]
                unigrams[Int(token)] += 1
                total += 1
                bigrams[Self.key(tokens[position - 1], token), default: 0] += 1
                if position > 1 {
                    trigrams[Self.key(tokens[position - 2], tokens[position - 1], token), default: 0] += 1
                }
            }
        }
    }

    private mutating func intern(_ word: String) -> Int32 {
        if let id = ids[word] { return id }
        let id = Int32(unigrams.count)
        ids[word] = id
        unigrams.append(0)
        return id
    }

    // Exact below 2²¹ distinct words; beyond, the wrapping arithmetic only merges some counts.
    private static func key(_ a: Int32, _ b: Int32) -> Int64 { Int64(a) &* base &+ Int64(b) }
    private static func key(_ a: Int32, _ b: Int32, _ c: Int32) -> Int64 {
        (Int64(a) &* base &+ Int64(b)) &* base &+ Int64(c)
    }

    /// p(token | history previous); `history` nil at the sentence's first word.
    private func probability(_ token: Int32, previous: Int32, history: Int32?) -> Double {
        // Predictable: every known word but <s>, and one unseen word.
        let predictable = Double(unigrams.count)
        let unigramCount = token >= 0 ? Double(unigrams[Int(token)]) : 0
        var probability = (unigramCount + 1) / (Double(total) + predictable)
        guard previous >= 0, unigrams[Int(previous)] > 0 || previous == 0 else { return probability }
        let context = Double(previous == 0 ? unigrams[0] : unigrams[Int(previous)])
        guard context > 0 else { return probability }
        let pair = token >= 0 ? Double(bigrams[Self.key(previous, token)] ?? 0) : 0
        probability = Self.bigramWeight * pair / context + (1 - Self.bigramWeight) * probability
        guard let history, history >= 0, let contextPair = bigrams[Self.key(history, previous)], contextPair > 0,
            previous != 1
        else { return probability }
        let triple = token >= 0 ? Double(trigrams[Self.key(history, previous, token)] ?? 0) : 0
        return Self.trigramWeight * triple / Double(contextPair) + (1 - Self.trigramWeight) * probability
    }

    /// The natural-log probability of `word` (`"</s>"` for the end) after the words `prefix` of a sentence.
    public func nextWordLogProbability(prefix: [String], word: String) -> Double {
        let tokens = [Int32(0)] + prefix.map { ids[$0] ?? Self.unknown }
        let token = word == "<s>" ? Self.unknown : ids[word] ?? Self.unknown
        let history = tokens.count > 1 ? tokens[tokens.count - 2] : nil
        return Foundation.log(probability(token, previous: tokens[tokens.count - 1], history: history))
    }

    /// The natural-log probability of `sentence`, its end token included.
    public func logProbability(_ sentence: [String]) -> Double {
        meanLogProbability(sentence) * Double(sentence.count + 1)
    }

    /// The mean natural-log probability per predicted token of `sentence`, its end token included.
    public func meanLogProbability(_ sentence: [String]) -> Double {
        let tokens = [Int32(0)] + sentence.map { $0 == "<s>" ? Self.unknown : ids[$0] ?? Self.unknown } + [1]
        var sum = 0.0
        for position in 1..<tokens.count {
            let history = position > 1 ? tokens[position - 2] : nil
            sum += Foundation.log(probability(tokens[position], previous: tokens[position - 1], history: history))
        }
        return sum / Double(tokens.count - 1)
    }
}

/// Marker editing guided by the target style's classifier and language model, in the spirit of Li et al. 2018's
/// delete-retrieve-generate ("Delete, retrieve, generate: a simple approach to sentiment and style transfer") with
/// the neural generator replaced by a search over candidate edits: the source's attribute markers
/// (``AttributeMarkers``) are replaced one at a time, left to right, by the candidate that scores best, where the
/// candidates are the markers of the `retrieved` most similar target-style sentences (``ContentRetrieval``), the
/// `frequentMarkers` most frequent target markers, and deletion; a sentence without markers gets one inserted
/// before its final punctuation (or nothing). A candidate sentence `c` scores
///
/// ```
/// log P_cls(target | c) + λ_LM · mean log p_LM(c) − β · |inserted words|
/// ```
///
/// with p_LM the target style's trigram model (``StyleTrigramModel``) and P_cls the style classifier the model
/// directory trains for evaluation (a TextCNN, Kim 2014) or, with ``MarkerEditStyleScorer/languageModels``, the
/// styles' trigram models as a naive-Bayes classifier. With the TextCNN the edit search optimises the evaluation
/// classifier, so its accuracy must be cross-checked with an independent one (`evaluate --judge`). With
/// ``MarkerEditSearch/minimal`` only as many spans are edited as flip the style, the others keep the source's
/// words (a beam search over which spans to edit).
public struct MarkerEditTransfer {
    /// The style names.
    public let styles: [String]
    /// The marker lexicon.
    public let markers: AttributeMarkers
    /// The settings.
    public let settings: MarkerEditSettings
    /// Per style, its training sentences' markers by frequency (most frequent first, ties by text).
    public let frequent: [[[String]]]
    private let pools: [[[String]]]
    private let indexes: [ContentRetrieval]
    private let languageModels: [StyleTrigramModel]
    private let styleScores: ([[String]], Int) -> [Double]

    /// Builds the system from the training sentences of each style.
    ///
    /// - Parameter styleLogProbability: the classifier's log-probability of style `target` for each sentence.
    public init(
        corpus: StyleCorpus, markers: AttributeMarkers, settings: MarkerEditSettings,
        styleLogProbability: @escaping (_ sentences: [[String]], _ target: Int) -> [Double]
    ) {
        precondition(settings.problem == nil, "MarkerEditTransfer: invalid settings")
        styles = corpus.styles
        self.markers = markers
        self.settings = settings
        pools = corpus.sentences
        styleScores = styleLogProbability
        var indexes: [ContentRetrieval] = []
        var frequent: [[[String]]] = []
        for (style, sentences) in corpus.sentences.enumerated() {
            var counts: [String: Int] = [:]
            var contents: [[String]] = []
            for sentence in sentences {
                let spans = markers.spans(in: sentence, style: style)
                for span in spans where span.range.count <= settings.maximumMarkerLength {
                    counts[span.text, default: 0] += 1
                }
                contents.append(TemplateTransfer.remove(spans, from: sentence))
            }
            indexes.append(ContentRetrieval(documents: contents))
            frequent.append(
                counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                    .prefix(settings.frequentMarkers).map { $0.key.split(separator: " ").map(String.init) })
        }
        self.indexes = indexes
        self.frequent = frequent
        languageModels = corpus.sentences.map { StyleTrigramModel(sentences: $0) }
    }

    /// The candidate replacements for a source of content `content` into `target`: deletion (the empty marker) first,
    /// then the retrieved sentences' markers, then the frequent ones, without repeats.
    public func candidates(content: [String], target: Int) -> [[String]] {
        var seen: Set<[String]> = [[]]
        var list: [[String]] = [[]]
        for document in indexes[target].top(for: content, count: settings.retrieved) {
            for span in markers.spans(in: pools[target][document], style: target) {
                let words = span.text.split(separator: " ").map(String.init)
                if seen.insert(words).inserted { list.append(words) }
            }
        }
        for words in frequent[target] where seen.insert(words).inserted { list.append(words) }
        return list
    }

    /// The styles' language models' posterior log-probability of `target` for each sentence (equal priors).
    public func languageModelStyleLogProbabilities(_ sentences: [[String]], target: Int) -> [Double] {
        sentences.map { sentence in
            let logProbabilities = languageModels.map { $0.logProbability(sentence) }
            let largest = logProbabilities.max() ?? 0
            let total = logProbabilities.reduce(0) { $0 + Foundation.exp($1 - largest) }
            return logProbabilities[target] - largest - Foundation.log(total)
        }
    }

    /// The score of candidate sentences for `target` (see the type's documentation); `inserted` words per candidate.
    func scores(_ sentences: [[String]], inserted: [Int], target: Int) -> [Double] {
        let style =
            settings.styleScorer == .languageModels
            ? languageModelStyleLogProbabilities(sentences, target: target) : styleScores(sentences, target)
        return sentences.indices.map { index in
            style[index] + settings.languageModelWeight * languageModels[target].meanLogProbability(sentences[index])
                - settings.insertionPenalty * Double(inserted[index])
        }
    }

    /// Transfers `sentence` of style index `source` to style index `target`.
    public func transfer(_ sentence: [String], from source: Int, to target: Int) -> [String] {
        precondition(
            styles.indices.contains(source) && styles.indices.contains(target),
            "MarkerEditTransfer: style out of range")
        guard source != target, !sentence.isEmpty else { return sentence }
        let spans = markers.spans(in: sentence, style: source)
        let content = TemplateTransfer.remove(spans, from: sentence)
        let fillers = candidates(content: content.isEmpty ? sentence : content, target: target)
        if spans.isEmpty {
            let insertAt =
                sentence.last.map { [".", "!", "?"].contains($0) } == true ? sentence.count - 1 : sentence.count
            let options = fillers.map { filler in
                Array(sentence[..<insertAt]) + filler + Array(sentence[insertAt...])
            }
            return best(options, inserted: fillers.map(\.count), target: target)
        }
        if settings.search == .minimal {
            return minimalEdit(sentence, spans: spans, fillers: fillers, target: target)
        }
        // Left to right: span j takes the best filler given the choices before it, later spans deleted meanwhile.
        var chosen: [[String]] = []
        for _ in spans {
            let options = fillers.map { filler in
                assemble(sentence, spans: spans, fillers: chosen + [filler])
            }
            let inserted = fillers.map { filler in chosen.reduce(filler.count) { $0 + $1.count } }
            let scored = scores(options, inserted: inserted, target: target)
            let pick = scored.indices.max { scored[$0] < scored[$1] || (scored[$0] == scored[$1] && $0 > $1) } ?? 0
            chosen.append(fillers[pick])
        }
        return assemble(sentence, spans: spans, fillers: chosen)
    }

    /// ``MarkerEditSearch/minimal``: level d of a beam search holds the edits of d spans (each span either kept or
    /// replaced by one of `fillers`); the first level with a flipped candidate (the style scorer's target
    /// probability at least σ(margin)) returns its best-scoring flipped candidate, where a candidate scores
    /// `log P(target | c) + λ_LM · mean log p_LM(c) − β · |changed words|` (deleted plus inserted). When no level
    /// up to the most edited spans flips, the best-scoring candidate seen is returned.
    func minimalEdit(
        _ sentence: [String], spans: [AttributeMarkers.Span], fillers: [[String]], target: Int
    ) -> [String] {
        let threshold = -Foundation.log(1 + Foundation.exp(-settings.effectiveFlipMargin))
        let keep = -1
        // Each span's options: the shared fillers, then (with negation) the span negated or its negation dropped.
        let options: [[[String]]] = spans.map { span in
            let words = Array(sentence[span.range])
            guard settings.negation == true else { return fillers }
            var own = fillers
            if let first = words.first, Self.negations.contains(first) {
                own.append(Array(words.dropFirst()))
            } else {
                own.append(["not"] + words)
            }
            return own
        }
        func build(_ assignment: [Int]) -> (sentence: [String], changed: Int) {
            var output: [String] = []
            var changed = 0
            var position = 0
            for (index, span) in spans.enumerated() {
                output += sentence[position..<span.range.lowerBound]
                if assignment[index] == keep {
                    output += sentence[span.range]
                } else {
                    let filler = options[index][assignment[index]]
                    output += filler
                    changed += Self.changedWords(Array(sentence[span.range]), filler)
                }
                position = span.range.upperBound
            }
            output += sentence[position...]
            return (output, changed)
        }
        var beam: [[Int]] = [Array(repeating: keep, count: spans.count)]
        var seen: Set<[Int]> = Set(beam)
        var best: (sentence: [String], score: Double)?
        for _ in 0..<min(spans.count, settings.effectiveMaximumEdits) {
            var states: [[Int]] = []
            for state in beam {
                for index in spans.indices where state[index] == keep {
                    for filler in options[index].indices {
                        var next = state
                        next[index] = filler
                        if seen.insert(next).inserted { states.append(next) }
                    }
                }
            }
            guard !states.isEmpty else { break }
            let built = states.map(build)
            let sentences = built.map(\.sentence)
            let style =
                settings.styleScorer == .languageModels
                ? languageModelStyleLogProbabilities(sentences, target: target) : styleScores(sentences, target)
            let scored = sentences.indices.map { index in
                style[index] + settings.languageModelWeight
                    * languageModels[target].meanLogProbability(sentences[index])
                    - settings.insertionPenalty * Double(built[index].changed)
            }
            // The best flipped candidate of this level (ties: the first), else the level's best go on.
            var pick: Int?
            for index in scored.indices where style[index] >= threshold {
                if pick.map({ scored[index] > scored[$0] }) ?? true { pick = index }
            }
            if let pick { return sentences[pick] }
            let order = scored.indices.sorted { scored[$0] != scored[$1] ? scored[$0] > scored[$1] : $0 < $1 }
            if let top = order.first, best.map({ scored[top] > $0.score }) ?? true {
                best = (sentences[top], scored[top])
            }
            beam = order.prefix(MarkerEditSettings.beamWidth).map { states[$0] }
        }
        return best?.sentence ?? sentence
    }

    /// The negation words ``MarkerEditSettings/negation`` drops from the start of a span.
    public static let negations: Set<String> = ["not", "n't", "never", "no"]

    /// Words deleted plus words inserted when `span` becomes `filler`, not counting a common prefix or suffix.
    static func changedWords(_ span: [String], _ filler: [String]) -> Int {
        var prefix = 0
        while prefix < min(span.count, filler.count) && span[prefix] == filler[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < min(span.count, filler.count) - prefix
            && span[span.count - 1 - suffix] == filler[filler.count - 1 - suffix]
        {
            suffix += 1
        }
        return span.count + filler.count - 2 * (prefix + suffix)
    }

    /// The best-scoring of `options` (ties: the first).
    private func best(_ options: [[String]], inserted: [Int], target: Int) -> [String] {
        let scored = scores(options, inserted: inserted, target: target)
        let pick = scored.indices.max { scored[$0] < scored[$1] || (scored[$0] == scored[$1] && $0 > $1) } ?? 0
        return options[pick]
    }

    /// `sentence` with span i replaced by `fillers[i]` and the spans past the fillers deleted.
    func assemble(_ sentence: [String], spans: [AttributeMarkers.Span], fillers: [[String]]) -> [String] {
        var output: [String] = []
        var position = 0
        for (index, span) in spans.enumerated() {
            output += sentence[position..<span.range.lowerBound]
            if index < fillers.count { output += fillers[index] }
            position = span.range.upperBound
        }
        output += sentence[position...]
        return output
    }
}

extension MarkerEditTransfer: StyleTransferSystem {
    /// Each sentence transferred on its own.
    public func transfer(_ sentences: [[String]], from sources: [Int], to target: Int) -> [[String]] {
        zip(sentences, sources).map { transfer($0, from: $1, to: target) }
    }
}

extension TrainedStyleTransfer {
    /// The `marker-edit` system of a model directory: its marker lexicon and training pools, scored by its classifier.
    ///
    /// - Throws: ``ModelDirectoryError`` when the directory has no classifier or settings, or a file is unreadable.
    static func loadMarkerEditSystem(
        from directory: ModelDirectory, recipe: StyleTransferRecipe, classifier: StyleClassifier?
    ) throws -> MarkerEditTransfer {
        guard let classifier, let settings = recipe.markerEdit, settings.problem == nil else {
            throw ModelDirectoryError(
                path: directory.manifestURL.path, "marker-edit needs valid settings and the style classifier")
        }
        let lexiconURL = directory.file(StyleTransferRun.markersFile)
        guard let data = FileManager.default.contents(atPath: lexiconURL.path),
            let lexicon = try? JSONDecoder().decode(MarkerLexicon.self, from: data), lexicon.styles == recipe.styles
        else { throw ModelDirectoryError(path: lexiconURL.path, "missing or malformed marker lexicon") }
        let pools = try recipe.styles.map { style in
            let file = try TextScoring.TextFile(contentsOf: directory.file(StyleTransferRun.poolFile(style)).path)
            return file.lines.map { $0.split(separator: " ").map(String.init) }
        }
        let markers = AttributeMarkers(
            maximumOrder: recipe.markerOrder, smoothing: recipe.markerSmoothing, threshold: recipe.markerThreshold,
            markers: lexicon.markers)
        return MarkerEditTransfer(
            corpus: StyleCorpus(styles: recipe.styles, sentences: pools), markers: markers, settings: settings
        ) { sentences, target in
            var scores: [Double] = []
            scores.reserveCapacity(sentences.count)
            for start in stride(from: 0, to: sentences.count, by: 256) {
                let batch = sentences[start..<min(start + 256, sentences.count)].map { $0.isEmpty ? ["<unk>"] : $0 }
                for row in classifier.probabilities(batch) {
                    scores.append(Foundation.log(Double(max(row[target], 1e-9))))
                }
            }
            return scores
        }
    }
}
