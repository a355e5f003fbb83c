/// chrF and chrF++ (Popović 2015, "chrF: character n-gram F-score for automatic MT evaluation"; Popović 2017,
/// "chrF++: words helping character n-grams"), exactly as sacreBLEU 2 computes them.
///
/// Character n-grams of orders 1…``characterOrder`` (whitespace removed unless ``includeWhitespace``) and, for
/// chrF++, word n-grams of orders 1…``wordOrder`` (punctuation split off word ends) are matched between the
/// hypothesis and each reference; each sentence keeps the reference with the best F-score; corpus statistics are
/// summed, and the score is F_β of the precision and recall averaged over the orders that have n-grams on both
/// sides, on a 0–100 scale.
public struct ChrF: Sendable {
    /// Character n-gram order (6).
    public var characterOrder: Int
    /// Word n-gram order (0 for chrF, 2 for chrF++).
    public var wordOrder: Int
    /// Recall's weight β (2).
    public var beta: Int
    /// Lowercase first.
    public var lowercase: Bool
    /// Keep whitespace inside character n-grams.
    public var includeWhitespace: Bool
    /// Average F-scores over all orders with ε for empty ones (chrF++.py, NLTK and Moses) instead of sacreBLEU's
    /// effective-order averaging.
    public var epsilonSmoothing: Bool

    /// A chrF configuration; the defaults are sacreBLEU's chrF2 (``chrFPlusPlus`` gives chrF++).
    public init(
        characterOrder: Int = 6, wordOrder: Int = 0, beta: Int = 2, lowercase: Bool = false,
        includeWhitespace: Bool = false, epsilonSmoothing: Bool = false
    ) {
        precondition(characterOrder + wordOrder >= 1, "ChrF: needs at least one n-gram order")
        self.characterOrder = characterOrder
        self.wordOrder = wordOrder
        self.beta = beta
        self.lowercase = lowercase
        self.includeWhitespace = includeWhitespace
        self.epsilonSmoothing = epsilonSmoothing
    }

    /// chrF++: word bigrams beside character 6-grams.
    public static let chrFPlusPlus = ChrF(wordOrder: 2)

    /// Per order: hypothesis n-grams, reference n-grams, matches — flattened, 3 numbers per order.
    public typealias Statistics = [Int]

    private static let punctuation = Set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".unicodeScalars)

    private func ngrams(_ line: String, words interner: inout WordIDs) -> [[NGramKey: Int]] {
        let text = lowercase ? PythonText.lower(line) : line
        var characters = text.unicodeScalars.map { Int32(bitPattern: $0.value) }
        if !includeWhitespace {
            characters = text.unicodeScalars.filter { !PythonText.isWhitespace($0) }.map {
                Int32(bitPattern: $0.value)
            }
        }
        var result = characterOrder > 0 ? NGramCounts(ids: characters, maxOrder: characterOrder).orders : []
        if wordOrder > 0 {
            let words = Self.separatePunctuation(text).map { interner.id($0) }
            result += NGramCounts(ids: words, maxOrder: wordOrder).orders
        }
        return result
    }

    /// Words with one punctuation character split off the end (else the start), as chrF++.py does.
    static func separatePunctuation(_ text: String) -> [String] {
        var words: [String] = []
        for word in PythonText.split(text) {
            let scalars = Array(word.unicodeScalars)
            guard scalars.count > 1, let first = scalars.first, let last = scalars.last else {
                words.append(word)
                continue
            }
            if punctuation.contains(last) {
                words.append(String(String.UnicodeScalarView(scalars.dropLast())))
                words.append(String(last))
            } else if punctuation.contains(first) {
                words.append(String(first))
                words.append(String(String.UnicodeScalarView(scalars.dropFirst())))
            } else {
                words.append(word)
            }
        }
        return words
    }

    /// The statistics of one hypothesis against its best-matching reference.
    public func statistics(hypothesis: String, references: [String]) -> Statistics {
        var words = WordIDs()
        let hypothesisGrams = ngrams(hypothesis, words: &words)
        var best: Statistics = Array(repeating: 0, count: 3 * hypothesisGrams.count)
        var bestScore = -1.0
        for reference in references {
            let referenceGrams = ngrams(reference, words: &words)
            var statistics: Statistics = []
            statistics.reserveCapacity(3 * hypothesisGrams.count)
            for (hypothesisCounts, referenceCounts) in zip(hypothesisGrams, referenceGrams) {
                var matches = 0
                var hypothesisTotal = 0
                for (gram, count) in hypothesisCounts {
                    hypothesisTotal += count
                    if let referenceCount = referenceCounts[gram] { matches += min(count, referenceCount) }
                }
                statistics += [
                    referenceCounts.isEmpty ? 0 : hypothesisTotal, referenceCounts.values.reduce(0, +), matches,
                ]
            }
            let score = fScore(statistics)
            if score > bestScore {
                bestScore = score
                best = statistics
            }
        }
        return best
    }

    /// chrF (0–100) from (summed) statistics.
    public func fScore(_ statistics: Statistics) -> Double {
        let epsilon = 1e-16
        let factor = Double(beta * beta)
        var score = 0.0
        var averagePrecision = 0.0
        var averageRecall = 0.0
        var effectiveOrder = 0
        for order in 0..<(statistics.count / 3) {
            let hypothesisCount = Double(statistics[3 * order])
            let referenceCount = Double(statistics[3 * order + 1])
            let matches = Double(statistics[3 * order + 2])
            let precision = hypothesisCount > 0 ? matches / hypothesisCount : epsilon
            let recall = referenceCount > 0 ? matches / referenceCount : epsilon
            let denominator = factor * precision + recall
            score += denominator > 0 ? (1 + factor) * precision * recall / denominator : epsilon
            if hypothesisCount > 0 && referenceCount > 0 {
                averagePrecision += precision
                averageRecall += recall
                effectiveOrder += 1
            }
        }
        if epsilonSmoothing { return 100 * score / Double(statistics.count / 3) }
        if effectiveOrder == 0 {
            averagePrecision = 0
            averageRecall = 0
        } else {
            averagePrecision /= Double(effectiveOrder)
            averageRecall /= Double(effectiveOrder)
        }
        guard averagePrecision + averageRecall != 0 else { return 0 }
        return 100 * (1 + factor) * averagePrecision * averageRecall / (factor * averagePrecision + averageRecall)
    }

    /// Per-sentence statistics (`references[k][i]` is set k's reference for hypothesis i).
    public func sentenceStatistics(hypotheses: [String], references: [[String]]) throws(TextMetricError)
        -> [Statistics]
    {
        guard !references.isEmpty else { throw .noReferences }
        for (index, stream) in references.enumerated() where stream.count != hypotheses.count {
            throw .mismatchedLengths(stream: index, hypotheses: hypotheses.count, references: stream.count)
        }
        return hypotheses.indices.map { index in
            statistics(hypothesis: hypotheses[index], references: references.map { $0[index] })
        }
    }

    /// Corpus chrF.
    public func corpusScore(hypotheses: [String], references: [[String]]) throws(TextMetricError) -> Double {
        let sentences = try sentenceStatistics(hypotheses: hypotheses, references: references)
        var total: Statistics = Array(repeating: 0, count: 3 * (characterOrder + wordOrder))
        for sentence in sentences {
            for index in total.indices where index < sentence.count { total[index] += sentence[index] }
        }
        return fScore(total)
    }

    /// Sentence chrF.
    public func sentenceScore(hypothesis: String, references: [String]) -> Double {
        fScore(statistics(hypothesis: hypothesis, references: references))
    }
}

/// Dense ids for the words of one hypothesis and its references (ids need only be consistent within that group;
/// word and character n-grams are never compared with each other).
struct WordIDs {
    private var ids: [String: Int32] = [:]
    mutating func id(_ word: String) -> Int32 {
        if let id = ids[word] { return id }
        let id = Int32(ids.count)
        ids[word] = id
        return id
    }
}
