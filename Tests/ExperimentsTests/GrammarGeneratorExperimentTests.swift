import Autodiff
import Foundation
import Grammar
import MontagueSupport
import NeuralNet
import Testing
import TextGeneration

@testable import Experiments

/// Generators trained on a weighted grammar's sample and measured by the grammar (tiny, debug-fast settings).
@Suite("Grammar generator experiments")
struct GrammarGeneratorExperimentTests {
    static func arithmetic() throws -> ProbabilisticGrammar {
        try ProbabilisticGrammar.load(path: shippedGrammarsDirectory + "/weighted-arithmetic.mont")
    }

    static func tiny(_ method: GrammarGeneratorMethod, reward: GrammarGeneratorReward = .discriminator)
        -> GrammarGeneratorSettings
    {
        GrammarGeneratorSettings(
            method: method, reward: reward, trainingSamples: 40, evaluationSamples: 20, maximumLength: 9,
            embeddingSize: 4, hiddenSize: 8, latentSize: 2, batchSize: 16, pretrainEpochs: 1, rounds: 1,
            discriminatorPretrainRounds: 0, rolloutCount: 1, evaluationInterval: 1, seed: 3)
    }

    @Test func vocabularyEncodesAndDecodesUpToTheEndToken() throws {
        // The grammar's terminals, whether or not the sentences use them ("*" and "3" do not occur).
        let vocabulary = try GrammarVocabulary(grammar: Self.arithmetic(), sentences: [["(", "1", "+", "2", ")"]])
        #expect(vocabulary.tokens.prefix(3) == ["<s>", "</s>", "<unk>"])
        #expect(Set(vocabulary.tokens.dropFirst(3)) == ["(", ")", "+", "*", "0", "1", "2", "3"])
        let ids = vocabulary.encode(["(", "1", "+", "2", ")", "seven"])
        #expect(ids.last == GrammarVocabulary.unknown)
        #expect(vocabulary.decode(Array(ids.dropLast()) + [GrammarVocabulary.end, ids[1]]) == "( 1 + 2 )")
        #expect(vocabulary.decode([GrammarVocabulary.start, ids[1]]) == "<s> 1")
    }

    @Test func grammarRewardIsValidityOrGeometricMeanProbability() throws {
        let grammar = try Self.arithmetic()
        let vocabulary = GrammarVocabulary(words: ["(", ")", "+", "*", "0", "1", "2", "3"])
        let validity = GrammarSequenceReward(grammar: grammar, vocabulary: vocabulary, kind: .validity)
        let probability = GrammarSequenceReward(grammar: grammar, vocabulary: vocabulary, kind: .probability)
        let sum = vocabulary.encode(["(", "1", "+", "2", ")"]) + [GrammarVocabulary.end]
        let broken = vocabulary.encode(["(", "1", "+", "2"]) + [GrammarVocabulary.end]
        #expect(validity.rewards(for: [sum, broken, [GrammarVocabulary.end]]) == [1, 0, 0])
        let values = probability.rewards(for: [sum, broken])
        #expect(abs(values[0] - exp(log(0.002) / 5)) < 1e-9)
        #expect(values[1] == 0)
    }

    @Test func scheduledSamplingWithGoldProbabilityOneIsTeacherForcing() {
        var initialization = RandomGenerator(seed: 5)
        let model = LanguageModel(vocabularySize: 6, embeddingSize: 3, hiddenSize: 4, using: &initialization)
        let sequences = [[0, 3, 4, 5, 1], [0, 5, 1], [0, 4, 4, 1]]
        var random = RandomGenerator(seed: 1)
        let scheduled = GrammarGeneratorExperiment.scheduledSamplingLoss(
            model, batch: sequences, goldProbability: 1, using: &random)
        let teacherForced = model.loss(LanguageModelBatch(sequences: sequences))
        #expect(abs(scheduled.item - teacherForced.item) < 1e-5)
        var other = RandomGenerator(seed: 1)
        let free = GrammarGeneratorExperiment.scheduledSamplingLoss(
            model, batch: sequences, goldProbability: 0, using: &other)
        #expect(free.item.isFinite && abs(free.item - teacherForced.item) > 1e-6)
    }

    @Test(arguments: [
        (GrammarGeneratorMethod.mle, GrammarGeneratorReward.discriminator),
        (.scheduledSampling, .discriminator), (.sentenceVAE, .discriminator), (.seqgan, .grammarValidity),
    ])
    func runsMeasureEveryRoundAndAreDeterministic(method: GrammarGeneratorMethod, reward: GrammarGeneratorReward)
        throws
    {
        let settings = Self.tiny(method, reward: reward)
        var observed = 0
        let run = try GrammarGeneratorExperiment.run(try Self.arithmetic(), settings: settings) { _ in observed += 1 }
        #expect(run.measurements.map(\.round) == [0, 1, 2])
        #expect(observed == 3)
        #expect(run.finalSamples.count == 20)
        #expect(run.trainingReport.validity == 1)
        for m in run.measurements {
            #expect((0...1).contains(m.oracle.validity) && (0...1).contains(m.oracle.coverage))
            #expect(m.metrics["validity"] == m.oracle.validity)
        }
        if method == .seqgan { #expect(run.measurements.last?.stage == "adversarial") }
        #expect(run.measurements.last?.training["mean_reward"] != nil || method != .seqgan)
        let again = try GrammarGeneratorExperiment.run(try Self.arithmetic(), settings: settings)
        #expect(again.measurements == run.measurements)
    }

    @Test func invalidSettingsAreInputErrors() throws {
        var settings = Self.tiny(.gumbel, reward: .grammarValidity)
        #expect(throws: InputError.self) { try settings.validate() }
        settings = Self.tiny(.mle)
        settings.evaluationSamples = 1
        #expect(throws: InputError.self) { try settings.validate() }
        settings = Self.tiny(.mle)
        settings.maximumLength = 0
        #expect(throws: InputError.self) {
            try GrammarGeneratorExperiment.run(try Self.arithmetic(), settings: settings)
        }
    }
}
