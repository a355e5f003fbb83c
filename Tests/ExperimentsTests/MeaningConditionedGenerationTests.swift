import Autodiff
import Foundation
import Grammar
import MontagueSupport
import NeuralNet
import Testing
import TextGeneration

@testable import Experiments

/// Meaning-conditioned generation judged by the grammar, and the conditional language model.
@Suite("Meaning-conditioned generation")
struct MeaningConditionedGenerationTests {
    static func arithmetic() throws -> ProbabilisticGrammar {
        try ProbabilisticGrammar.load(path: shippedGrammarsDirectory + "/weighted-arithmetic.mont")
    }

    @Test func theConditionChangesTheModelsDistribution() {
        var generator = RandomGenerator(seed: 3)
        let model = ConditionalLanguageModel(
            conditionCount: 2, vocabularySize: 5, embeddingSize: 3, hiddenSize: 4, using: &generator)
        let sequences = [[0, 3, 4, 1], [0, 3, 4, 1]]
        let first = model.loss(sequences: sequences, conditions: [0, 0]).item
        let second = model.loss(sequences: sequences, conditions: [1, 1]).item
        #expect(first.isFinite && second.isFinite && abs(first - second) > 1e-6)
        #expect(model.namedParameters.last?.name == "condition.weight")
        var a = RandomGenerator(seed: 9)
        var b = RandomGenerator(seed: 9)
        let x = model.sample(conditions: [0, 1, 1], startToken: 0, length: 4, using: &a)
        #expect(x.count == 3 && x.allSatisfy { $0.count == 4 })
        #expect(x == model.sample(conditions: [0, 1, 1], startToken: 0, length: 4, using: &b))
    }

    @Test func conditionalLanguageModelLearnsToFollowItsLabel() {
        // Two labels, two sentences: after training, each label's greedy-ish samples are its own sentence.
        var generator = RandomGenerator(seed: 1)
        let model = ConditionalLanguageModel(
            conditionCount: 2, vocabularySize: 5, embeddingSize: 4, hiddenSize: 8, using: &generator)
        let adam = Adam(model.parameters, learningRate: 0.05)
        let sequences = [[0, 2, 3, 1], [0, 4, 1]]
        for _ in 0..<60 {
            let loss = model.loss(sequences: sequences, conditions: [0, 1])
            adam.step(gradients(of: loss, wrt: model.parameterValues))
        }
        let samples = model.sample(conditions: [0, 1], startToken: 0, length: 3, temperature: 0.1, using: &generator)
        #expect(samples[0] == [2, 3, 1])
        #expect(samples[1].prefix(2) == [4, 1])
    }

    @Test(arguments: MeaningConditionedMethod.allCases)
    func runsMeasureAccuracyDecidedByTheGrammar(method: MeaningConditionedMethod) throws {
        let settings = MeaningConditionedSettings(
            method: method, trainingSamples: 60, evaluationConditions: 20, maximumLength: 9, embeddingSize: 4,
            hiddenSize: 8, batchSize: 16, epochs: 2, evaluationInterval: 1, seed: 2)
        let run = try MeaningConditionedGeneration.run(try Self.arithmetic(), settings: settings)
        #expect(run.measurements.map(\.epoch) == [0, 1, 2])
        #expect(run.knownConditionFraction > 0.5)
        let oracle = GrammarOracle(grammar: try Self.arithmetic())
        let final = try #require(run.measurements.last)
        let recomputed = oracle.meaningAccuracy(run.finalOutputs.map { ($0.sentence, $0.meaning) })
        #expect(abs(final.accuracy - recomputed) < 1e-12)
        #expect(final.accuracy <= final.validity)
        let again = try MeaningConditionedGeneration.run(try Self.arithmetic(), settings: settings)
        #expect(again.measurements == run.measurements)
    }
}
