import Autodiff
import NeuralNet
import Testing

@Suite("Transformer greedy decoding from per-row start tokens")
struct TransformerGreedyStartTests {
    static func model(seed: UInt64) -> TransformerSeq2SeqModel {
        var generator = RandomGenerator(seed: seed)
        return TransformerSeq2SeqModel(
            TransformerSeq2SeqConfiguration(
                sourceVocabularySize: 9, targetVocabularySize: 11, modelSize: 8, headCount: 2, feedForwardSize: 12,
                encoderLayerCount: 1, decoderLayerCount: 2, dropout: 0),
            using: &generator)
    }

    @Test("<bos> starts and nothing excluded: the plain greedy decoding; excluded tokens are never chosen")
    func startTokensAndExclusions() {
        let model = Self.model(seed: 21)
        let sources = [[3, 4, 5], [6], [7, 8, 3, 4]]
        let plain = model.greedyDecode(sources, maxLength: 6)
        let same = model.greedyDecode(
            sources, maxLength: 6, startTokens: Array(repeating: SequenceVocabulary.beginning, count: 3),
            excluding: [])
        #expect(plain.map(\.tokens) == same.map(\.tokens))
        #expect(plain.map(\.logProbability) == same.map(\.logProbability))

        // Excluding every token the plain decoding chose (but <eos>) forces other choices.
        let chosen = Set(plain.flatMap(\.tokens)).subtracting([SequenceVocabulary.end])
        let excluded = Array(chosen) + [SequenceVocabulary.padding, 9, 10]
        let restricted = model.greedyDecode(sources, maxLength: 6, startTokens: nil, excluding: excluded)
        #expect(restricted.allSatisfy { $0.tokens.allSatisfy { !excluded.contains($0) } })
        #expect(restricted.allSatisfy { $0.tokens.count <= 6 && $0.logProbability.isFinite })
    }

    @Test("Each row's first input is its start token: the first step's logits equal a full pass over [start]")
    func startTokenIsTheFirstInput() {
        let model = Self.model(seed: 22)
        let sources = [[3, 4], [5, 6, 7]]
        let starts = [9, 10]
        let decoded = model.greedyDecode(sources, maxLength: 1, startTokens: starts, excluding: [])
        var none: RandomGenerator? = nil
        let logits = model.logits(
            encoding: model.encode(sources), targetInputs: starts.map { [$0] }, dropoutUsing: &none
        ).logSoftmax(axis: -1).scalars
        for row in 0..<2 {
            let values = Array(logits[(row * 11)..<((row + 1) * 11)])
            let best = values.indices.max { values[$0] < values[$1] } ?? 0
            let token = decoded[row].tokens.first ?? SequenceVocabulary.end
            #expect(token == best)
            #expect(abs(decoded[row].logProbability - values[best]) < 1e-4)
        }
        // Other start tokens give another first distribution (the condition is read).
        let other = model.greedyDecode(sources, maxLength: 1, startTokens: [10, 9], excluding: [])
        #expect(other.map(\.logProbability) != decoded.map(\.logProbability))
    }
}
