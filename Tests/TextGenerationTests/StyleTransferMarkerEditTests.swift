import Foundation
import Testing

@testable import TextGeneration

@Suite("Marker editing scored by the classifier and a trigram model")
struct StyleTransferMarkerEditTests {
    /// Negative and positive restaurant sentences whose style is one adjective.
    static let corpus = StyleCorpus(
        styles: ["neg", "pos"],
        sentences: [
            (0..<40).map {
                ["the", ["soup", "bread", "tea", "staff"][$0 % 4], "was", ["awful", "rude"][$0 % 2], "."]
            },
            (0..<40).map {
                ["the", ["soup", "bread", "tea", "staff"][$0 % 4], "was", ["great", "delicious"][$0 % 2], "."]
            },
        ])

    /// A lexicon "classifier": the log-probability of the target style from counting each style's words.
    static func lexiconScore(_ sentences: [[String]], _ target: Int) -> [Double] {
        let words: [Set<String>] = [["awful", "rude"], ["great", "delicious"]]
        return sentences.map { sentence in
            let own = sentence.filter { words[target].contains($0) }.count
            let other = sentence.filter { words[1 - target].contains($0) }.count
            let logit = 3.0 * Double(own - other)
            return -Foundation.log(1 + Foundation.exp(-logit))
        }
    }

    @Test("The trigram model prefers seen word orders and is normalized over the next word")
    func trigramModel() {
        let model = StyleTrigramModel(sentences: Self.corpus.sentences[1])
        let seen = model.meanLogProbability(["the", "soup", "was", "great", "."])
        let scrambled = model.meanLogProbability(["great", "was", ".", "the", "soup"])
        #expect(seen > scrambled + 1)
        #expect(seen < 0)
        // After any prefix the probabilities of every known word, the end token and one unseen word sum to 1.
        let words = Array(Set(Self.corpus.sentences[1].joined())) + ["</s>", "zzz-unseen"]
        for prefix in [[], ["the"], ["the", "soup"], ["the", "soup", "was"], ["zzz", "soup"], ["the", "qqq"]] {
            let total = words.reduce(0.0) { $0 + exp(model.nextWordLogProbability(prefix: prefix, word: $1)) }
            #expect(abs(total - 1) < 1e-9, "\(prefix): \(total)")
        }
        // Every positive "the soup was" continues with "great" (trigram estimate 1), "the bread was" with "delicious".
        let great = exp(model.nextWordLogProbability(prefix: ["the", "soup", "was"], word: "great"))
        let delicious = exp(model.nextWordLogProbability(prefix: ["the", "soup", "was"], word: "delicious"))
        #expect(great > 0.6 && great < 1, "\(great)")
        #expect(delicious < 0.4 && delicious > 0, "\(delicious)")
    }

    @Test("Candidates: deletion first, retrieved and frequent markers, no repeats; ranked retrieval")
    func candidates() {
        let markers = AttributeMarkers(corpus: Self.corpus, maximumOrder: 1, smoothing: 1, threshold: 5)
        let system = MarkerEditTransfer(
            corpus: Self.corpus, markers: markers, settings: MarkerEditSettings(retrieved: 3, frequentMarkers: 5),
            styleLogProbability: Self.lexiconScore)
        let list = system.candidates(content: ["the", "soup", "was", "."], target: 1)
        #expect(list.first == [])
        #expect(Set(list).count == list.count)
        #expect(list.contains(["great"]) && list.contains(["delicious"]))
        #expect(!list.contains(["awful"]))
        let retrieval = ContentRetrieval(documents: [["a", "b"], ["a", "c", "d"], ["x"], ["a", "b", "c"]])
        let top = retrieval.top(for: ["a", "b", "c"], count: 3)
        #expect(top.first == retrieval.best(for: ["a", "b", "c"]))
        #expect(top.count == 3 && !top.contains(2))
        #expect(retrieval.top(for: ["q"], count: 2).isEmpty)
        #expect(MarkerEditSettings(retrieved: 0, frequentMarkers: 0).problem != nil)
        #expect(MarkerEditSettings(languageModelWeight: -1).problem != nil)
        #expect(MarkerEditSettings().problem == nil)
    }

    @Test("A negative marker is replaced by a positive one and the content kept; no marker → one inserted")
    func transfers() {
        let markers = AttributeMarkers(corpus: Self.corpus, maximumOrder: 1, smoothing: 1, threshold: 5)
        let system = MarkerEditTransfer(
            corpus: Self.corpus, markers: markers,
            settings: MarkerEditSettings(insertionPenalty: 0.1, styleScorer: .classifier),
            styleLogProbability: Self.lexiconScore)
        let output = system.transfer(["the", "tea", "was", "awful", "."], from: 0, to: 1)
        #expect(output.count == 5, "\(output)")
        #expect(Array(output.prefix(3)) == ["the", "tea", "was"] && output.last == ".", "\(output)")
        #expect(["great", "delicious"].contains(output[3]), "\(output)")
        let back = system.transfer(["the", "bread", "was", "delicious", "."], from: 1, to: 0)
        #expect(["awful", "rude"].contains(back[3]) && back[1] == "bread", "\(back)")
        let inserted = system.transfer(["the", "bread", "was", "."], from: 0, to: 1)
        #expect(inserted.count == 5 && inserted.last == "." && ["great", "delicious"].contains(inserted[3]))
        #expect(system.transfer([], from: 0, to: 1) == [])
        #expect(system.transfer(["the", "tea"], from: 1, to: 1) == ["the", "tea"])
        // With a classifier that never prefers any edit and a heavy insertion penalty, deletion wins.
        let neutral = MarkerEditTransfer(
            corpus: Self.corpus, markers: markers,
            settings: MarkerEditSettings(languageModelWeight: 0, insertionPenalty: 5, styleScorer: .classifier),
            styleLogProbability: { sentences, _ in sentences.map { _ in 0 } })
        #expect(neutral.transfer(["the", "tea", "was", "awful", "."], from: 0, to: 1) == ["the", "tea", "was", "."])
    }

    @Test("The language-model style scorer: a naive-Bayes posterior that flips the style without the classifier")
    func languageModelScorer() throws {
        let markers = AttributeMarkers(corpus: Self.corpus, maximumOrder: 1, smoothing: 1, threshold: 5)
        let system = MarkerEditTransfer(
            corpus: Self.corpus, markers: markers, settings: MarkerEditSettings(styleScorer: .languageModels),
            styleLogProbability: { sentences, _ in
                sentences.map { _ in
                    Issue.record("classifier called")
                    return 0
                }
            })
        let sentences = [["the", "tea", "was", "great", "."], ["the", "tea", "was", "awful", "."], ["the", "tea"]]
        let positive = system.languageModelStyleLogProbabilities(sentences, target: 1)
        let negative = system.languageModelStyleLogProbabilities(sentences, target: 0)
        for index in sentences.indices {
            // Two styles: the posteriors are a distribution.
            #expect(abs(Foundation.exp(positive[index]) + Foundation.exp(negative[index]) - 1) < 1e-12)
        }
        #expect(positive[0] > -0.01 && negative[1] > -0.01)
        #expect(abs(positive[2] - Foundation.log(0.5)) < 0.2)
        let output = system.transfer(["the", "tea", "was", "awful", "."], from: 0, to: 1)
        #expect(Array(output.prefix(3)) == ["the", "tea", "was"] && ["great", "delicious"].contains(output[3]))
        // Settings written before the choice existed decode as the classifier scorer.
        let old =
            #"{"retrieved":10,"frequentMarkers":50,"maximumMarkerLength":2,"languageModelWeight":1,"insertionPenalty":0.1}"#
        let decoded = try JSONDecoder().decode(MarkerEditSettings.self, from: Data(old.utf8))
        #expect(decoded.styleScorer == nil && decoded.insertionPenalty == 0.1)
        #expect(MarkerEditSettings().styleScorer == .languageModels)
    }
    @Test("Minimal edits: one span edited when that flips the style, more only as the flip margin asks")
    func minimalEdits() {
        let markers = AttributeMarkers(corpus: Self.corpus, maximumOrder: 1, smoothing: 1, threshold: 5)
        func system(_ search: MarkerEditSearch, margin: Double? = nil, edits: Int? = nil) -> MarkerEditTransfer {
            MarkerEditTransfer(
                corpus: Self.corpus, markers: markers,
                settings: MarkerEditSettings(
                    insertionPenalty: 0.1, styleScorer: .classifier, search: search, flipMargin: margin,
                    maximumEdits: edits),
                styleLogProbability: Self.lexiconScore)
        }
        let source = ["the", "soup", "was", "awful", "and", "the", "tea", "was", "rude", "."]
        let negative: Set<String> = ["awful", "rude"]
        let positive: Set<String> = ["great", "delicious"]
        // Left to right edits both markers.
        let all = system(.leftToRight).transfer(source, from: 0, to: 1)
        #expect(all.filter { negative.contains($0) }.isEmpty, "\(all)")
        // Margin 0: one replacement balances the lexicon score (P = ½), so one span is edited and the other kept.
        let one = system(.minimal).transfer(source, from: 0, to: 1)
        #expect(one.filter { negative.contains($0) }.count == 1, "\(one)")
        #expect(one.filter { positive.contains($0) }.count == 1, "\(one)")
        #expect(one.count == source.count && one.last == ".", "\(one)")
        // Margin 2 needs P(target) ≥ σ(2): no single edit reaches it, two do.
        let two = system(.minimal, margin: 2).transfer(source, from: 0, to: 1)
        #expect(two.filter { negative.contains($0) }.isEmpty && two.contains { positive.contains($0) }, "\(two)")
        #expect(Array(two.prefix(3)) == ["the", "soup", "was"], "\(two)")
        // At most one edit: the search gives up after the first level with its best candidate (one marker kept).
        let capped = system(.minimal, margin: 2, edits: 1).transfer(source, from: 0, to: 1)
        #expect(capped.filter { negative.contains($0) }.count == 1, "\(capped)")
        // A single marker: the same as left to right.
        let single = system(.minimal).transfer(["the", "tea", "was", "awful", "."], from: 0, to: 1)
        #expect(positive.contains(single[3]) && single.count == 5, "\(single)")
        #expect(MarkerEditSettings(flipMargin: -1).problem != nil)
        #expect(MarkerEditSettings(maximumEdits: 0).problem != nil)
        #expect(MarkerEditSettings(search: .minimal, flipMargin: 1, maximumEdits: 2).problem == nil)
    }
    @Test("Negation edits: \"not\" before a span or its negation dropped, each counted as one changed word")
    func negationEdits() {
        #expect(MarkerEditTransfer.changedWords(["great"], ["not", "great"]) == 1)
        #expect(MarkerEditTransfer.changedWords(["not", "good"], ["good"]) == 1)
        #expect(MarkerEditTransfer.changedWords(["awful"], ["great"]) == 2)
        #expect(MarkerEditTransfer.changedWords(["very", "good", "food"], ["very", "bad", "food"]) == 2)
        #expect(MarkerEditTransfer.changedWords(["a"], []) == 1)
        let markers = AttributeMarkers(corpus: Self.corpus, maximumOrder: 1, smoothing: 1, threshold: 5)
        // A scorer for which "not" is the surest negative word; otherwise the lexicon's.
        let score: ([[String]], Int) -> [Double] = { sentences, target in
            zip(sentences, Self.lexiconScore(sentences, target)).map { sentence, lexicon in
                sentence.contains("not") ? (target == 0 ? 0 : -10) : lexicon
            }
        }
        func system(negation: Bool?) -> MarkerEditTransfer {
            MarkerEditTransfer(
                corpus: Self.corpus, markers: markers,
                settings: MarkerEditSettings(
                    languageModelWeight: 0, insertionPenalty: 0.1, styleScorer: .classifier, search: .minimal,
                    negation: negation),
                styleLogProbability: score)
        }
        let source = ["the", "tea", "was", "great", "."]
        #expect(system(negation: true).transfer(source, from: 1, to: 0) == ["the", "tea", "was", "not", "great", "."])
        let plain = system(negation: nil).transfer(source, from: 1, to: 0)
        #expect(!plain.contains("not") && ["awful", "rude"].contains(plain[3]), "\(plain)")
    }
}
