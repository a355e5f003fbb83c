import Autodiff
import Foundation
import Testing

@testable import NeuralNet

/// Per-token (Bengio et al. 2015) against per-sequence (Lake & Baroni 2018) coins of scheduled sampling, for the
/// recurrent and the Transformer encoder–decoder.
@Suite struct TeacherForcingModeTests {
    /// Sixteen random pairs over symbols 3…7 (targets of 3–6 tokens, so an untrained model's own predictions
    /// differ from the gold tokens somewhere in almost every target).
    static let pairs: (sources: [[Int]], targets: [[Int]]) = {
        var generator = RandomGenerator(seed: 21)
        func sequence(_ lengths: ClosedRange<Int>) -> [Int] {
            let length = lengths.lowerBound + Int(generator.next() % UInt64(lengths.count))
            return (0..<length).map { _ in 3 + Int(generator.next() % 5) }
        }
        let sources = (0..<16).map { _ in sequence(2...5) }
        let targets = (0..<16).map { _ in sequence(3...6) }
        return (sources, targets)
    }()

    static var gold: [[Int]] { pairs.targets.map { [SequenceVocabulary.beginning] + $0 } }

    static func recurrent() -> Seq2SeqModel<GRUCell> {
        var generator = RandomGenerator(seed: 3)
        return Seq2SeqModel<GRUCell>(
            Seq2SeqConfiguration(
                sourceVocabularySize: 8, targetVocabularySize: 8, embeddingSize: 5, hiddenSize: 6, attention: .dot),
            using: &generator)
    }

    static func transformer() -> TransformerSeq2SeqModel {
        var generator = RandomGenerator(seed: 4)
        return TransformerSeq2SeqModel(
            TransformerSeq2SeqConfiguration(
                sourceVocabularySize: 8, targetVocabularySize: 8, modelSize: 8, headCount: 2, feedForwardSize: 8,
                encoderLayerCount: 1, decoderLayerCount: 1, dropout: 0),
            using: &generator)
    }

    /// The recurrent loss and the decoder inputs it read.
    static func recurrentRun(_ model: Seq2SeqModel<GRUCell>, epsilon: Float, mode: TeacherForcingMode, seed: UInt64)
        -> (loss: Float, inputs: [[Int]])
    {
        var generator = RandomGenerator(seed: seed)
        var inputs: [[Int]]? = []
        let loss = model.loss(
            sources: pairs.sources, targets: pairs.targets, goldProbability: epsilon, mode: mode, choice: .argmax,
            using: &generator, recordingInputs: &inputs)
        return (loss.item, inputs ?? [])
    }

    @Test(arguments: TeacherForcingMode.allCases)
    func recurrentEndpointsArePureModes(mode: TeacherForcingMode) {
        let model = Self.recurrent()
        var generator = RandomGenerator(seed: 9)
        let teacher = model.loss(sources: Self.pairs.sources, targets: Self.pairs.targets, using: &generator).item
        let forced = Self.recurrentRun(model, epsilon: 1, mode: mode, seed: 9)
        #expect(forced.loss == teacher)
        #expect(forced.inputs == Self.gold)
        // ε = 0: the decoder reads its own argmax at every position, in either mode, so the two modes agree.
        let free = Self.recurrentRun(model, epsilon: 0, mode: mode, seed: 9)
        let freeByToken = Self.recurrentRun(model, epsilon: 0, mode: .token, seed: 9)
        #expect(free.loss == freeByToken.loss)
        #expect(free.inputs == freeByToken.inputs)
        #expect(free.loss != teacher)
        #expect(zip(free.inputs, Self.gold).filter { $0 != $1 }.count >= 12)
    }

    @Test func recurrentSequenceModeDecidesWholeSequences() {
        let model = Self.recurrent()
        let gold = Self.gold
        let free = Self.recurrentRun(model, epsilon: 0, mode: .sequence, seed: 2).inputs
        let mixed = Self.recurrentRun(model, epsilon: 0.5, mode: .sequence, seed: 2).inputs
        var (forced, running) = (0, 0)
        for b in gold.indices where gold[b] != free[b] {
            // Every sequence is wholly teacher-forced or wholly free-running (the batch's rows do not interact).
            #expect(mixed[b] == gold[b] || mixed[b] == free[b], "sequence \(b): \(mixed[b])")
            if mixed[b] == gold[b] { forced += 1 } else if mixed[b] == free[b] { running += 1 }
        }
        #expect(forced > 0 && running > 0)
        // Per-token coins at the same ε mix gold and own tokens inside a sequence.
        let byToken = Self.recurrentRun(model, epsilon: 0.5, mode: .token, seed: 2).inputs
        #expect(gold.indices.contains { byToken[$0] != gold[$0] && byToken[$0] != free[$0] })
    }

    @Test func transformerSequenceModeIsFreeRunningOrTeacherForced() {
        let model = Self.transformer()
        let (sources, targets) = Self.pairs
        let gold = Self.gold
        func inputs(_ epsilon: Float, _ mode: TeacherForcingMode, seed: UInt64 = 5) -> [[Int]]? {
            var generator = RandomGenerator(seed: seed)
            return model.scheduledSamplingInputs(
                sources: sources, targets: targets, goldProbability: epsilon, mode: mode, choice: .argmax,
                using: &generator)
        }
        #expect(inputs(1, .sequence) == nil && inputs(1, .token) == nil)
        let free = inputs(0, .sequence) ?? []
        #expect(free.map(\.count) == gold.map(\.count))
        #expect(zip(free, gold).filter { $0 != $1 }.count >= 12)
        // Free running: each input after <bos> is the argmax of a full (uncached) pass over the inputs before it.
        for (b, row) in free.enumerated() {
            let logits = withoutGradients {
                var none: RandomGenerator? = nil
                return model.logits(encoding: model.encode([sources[b]]), targetInputs: [row], dropoutUsing: &none)
            }
            let argmax = logits.reshaped([row.count, 8]).argmax(axis: 1).indices
            #expect(Array(argmax.dropLast()) == Array(row.dropFirst()), "sequence \(b)")
        }
        let mixed = inputs(0.5, .sequence) ?? []
        var (forced, running) = (0, 0)
        for b in gold.indices where gold[b] != free[b] {
            #expect(mixed[b] == gold[b] || mixed[b] == free[b], "sequence \(b): \(mixed[b])")
            if mixed[b] == gold[b] { forced += 1 } else if mixed[b] == free[b] { running += 1 }
        }
        #expect(forced > 0 && running > 0)
        let byToken = inputs(0.5, .token) ?? []
        #expect(gold.indices.contains { byToken[$0] != gold[$0] && byToken[$0] != free[$0] })
        // The loss trains on exactly those inputs; ε = 1 is the teacher-forced loss in both modes.
        var first = RandomGenerator(seed: 5)
        var second = RandomGenerator(seed: 5)
        let sequenceLoss = model.loss(
            sources: sources, targets: targets, goldProbability: 0, mode: .sequence, choice: .argmax, using: &first)
        let direct = model.loss(sources: sources, decoderInputs: free, targets: targets, using: &second)
        #expect(sequenceLoss.item == direct.item)
        var third = RandomGenerator(seed: 5)
        let teacher = model.loss(sources: sources, targets: targets).item
        #expect(
            model.loss(
                sources: sources, targets: targets, goldProbability: 1, mode: .sequence, choice: .argmax,
                using: &third
            ).item == teacher)
    }

    @Test func modeIsRecordedInTheHyperparameters() throws {
        var settings = Seq2SeqExperiment.Settings()
        settings.training.sampling = .constant(0.5)
        settings.training.teacherForcingMode = .sequence
        let hyperparameters = Seq2SeqHyperparameters(settings, sourceVocabularySize: 8, targetVocabularySize: 9)
        let data = try JSONEncoder().encode(hyperparameters)
        let decoded = try JSONDecoder().decode(Seq2SeqHyperparameters.self, from: data)
        #expect(decoded.settings.training.teacherForcingMode == .sequence)
        #expect(decoded.settings.training.sampling == .constant(0.5))
        // Directories written before the mode existed train with per-token coins.
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        object["teacherForcingMode"] = nil
        let old = try JSONDecoder().decode(
            Seq2SeqHyperparameters.self, from: JSONSerialization.data(withJSONObject: object))
        #expect(old.settings.training.teacherForcingMode == .token)
    }
}
