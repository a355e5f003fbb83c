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

    /// Two-word commands whose meaning is their words' actions in order: a copy task a sequence condition can solve
    /// for meanings it never saw, and a class condition cannot even be asked.
    static let pairs = """
        grammar Pairs ;
        start S ;
        cat U : [str] ;
        cat S : [str] ;
        lexicon { "a" : U = ["A"] ; "b" : U = ["B"] ; "c" : U = ["C"] ; "d" : U = ["D"] ; }
        rules { Pair : S -> U U => U1 ++ U2 ; }
        """

    @Test func meaningTokensSplitWordsFromPunctuation() {
        #expect(MeaningConditionedGeneration.meaningTokens("I_TURN_LEFT I_WALK") == ["I_TURN_LEFT", "I_WALK"])
        #expect(
            MeaningConditionedGeneration.meaningTokens("walk(x) & dog(x)")
                == ["walk", "(", "x", ")", "&", "dog", "(", "x", ")"])
        #expect(MeaningConditionedGeneration.meaningTokens("A, B") == ["A", "B"])
    }

    @Test func sequenceConditionEncodersReadEveryToken() {
        var generator = RandomGenerator(seed: 4)
        let encoder = ConditionEncoder(.sequence(vocabularySize: 6), outputSize: 5, embeddingSize: 3, using: &generator)
        let vectors = encoder([[4, 5], [5, 4], [4]]).scalars
        #expect(vectors.count == 15)
        #expect(vectors[0..<5] != vectors[5..<10] && vectors[0..<5] != vectors[10..<15])
        #expect(encoder.namedParameters.map(\.name).first == "embedding.weight")
        let labels = ConditionEncoder(.label(count: 3), outputSize: 2, embeddingSize: 7, using: &generator)
        #expect(labels.namedParameters.map(\.name) == ["weight"])
        #expect(labels([[2], [0]]).shape == [2, 2])
        // A label-conditioned VAE keeps its parameter names; a sequence-conditioned one names the reader.
        let vae = ConditionalSentenceVAE(
            conditionCount: 3, vocabularySize: 6, embeddingSize: 3, hiddenSize: 4, latentSize: 2, conditionSize: 2,
            using: &generator)
        #expect(vae.namedParameters.map(\.name).contains("condition.weight"))
        let sequenceVAE = ConditionalSentenceVAE(
            condition: .sequence(vocabularySize: 6), vocabularySize: 6, embeddingSize: 3, hiddenSize: 4, latentSize: 2,
            conditionSize: 4, using: &generator)
        #expect(sequenceVAE.namedParameters.map(\.name).contains("condition.reader.layer0.forward.weightIH"))
        let sampled = sequenceVAE.sample(
            conditions: [[4, 5], [5]], beginToken: 0, endToken: 1, maximumLength: 3, using: &generator)
        #expect(sampled.count == 2 && sampled.allSatisfy { $0.count <= 3 })
    }

    @Test func sequenceConditionedModelLearnsToCopyItsCondition() {
        // Condition ids 4…5 name words 4…5; after training, low-temperature samples copy the condition.
        var generator = RandomGenerator(seed: 1)
        let model = SequenceConditionedLanguageModel(
            conditionVocabularySize: 6, vocabularySize: 6, embeddingSize: 6, hiddenSize: 12, using: &generator)
        #expect(model.namedParameters.first?.name == "seq2seq.sourceEmbedding.weight")
        let conditions = [[4, 5], [5, 4], [4, 4], [5, 5]]
        let adam = Adam(model.parameters, learningRate: 0.05)
        for _ in 0..<80 {
            let loss = model.loss(conditions: conditions, sentences: conditions, using: &generator)
            adam.step(gradients(of: loss, wrt: model.parameterValues))
        }
        let samples = model.sample(conditions: conditions, maximumLength: 4, temperature: 0.05, using: &generator)
        #expect(samples == conditions)
        var a = RandomGenerator(seed: 9)
        var b = RandomGenerator(seed: 9)
        #expect(
            model.sample(conditions: conditions, maximumLength: 3, using: &a)
                == model.sample(conditions: conditions, maximumLength: 3, using: &b))
    }

    @Test func theSequenceConditionReachesMeaningsHeldOutOfTraining() throws {
        let grammar = try ProbabilisticGrammar.compile(source: Self.pairs)
        let settings = MeaningConditionedSettings(
            trainingSamples: 300, evaluationConditions: 60, maximumLength: 4, embeddingSize: 8, hiddenSize: 16,
            batchSize: 16, learningRate: 0.02, epochs: 12, temperature: 0.3, evaluationInterval: 12, seed: 1,
            heldOutFraction: 0.25)
        let run = try MeaningConditionedGeneration.run(grammar, settings: settings)
        #expect(run.condition == .sequence)
        #expect(run.heldOutMeanings.count == 4)
        #expect(run.trainingPairs.allSatisfy { !run.heldOutMeanings.contains($0.meaning) })
        #expect(run.unseenConditionCount > 0 && run.finalUnseenOutputs.count == run.unseenConditionCount)
        let final = try #require(run.measurements.last)
        let unseen = try #require(final.unseenAccuracy)
        // Chance: one of the 16 two-word commands, a random one of 12 seen meanings for an unconditional LM.
        #expect(final.accuracy > 0.9)
        #expect(unseen > 0.3)
        let oracle = GrammarOracle(grammar: grammar)
        let recomputed = oracle.meaningAccuracy(run.finalUnseenOutputs.map { ($0.sentence, $0.meaning) })
        #expect(abs(unseen - recomputed) < 1e-12)
    }

    @Test(arguments: [MeaningConditionedMethod.conditionalVAE, .unconditionalLM])
    func sequenceConditionsRunForTheVAEAndTheBaseline(method: MeaningConditionedMethod) throws {
        let grammar = try ProbabilisticGrammar.compile(source: Self.pairs)
        let settings = MeaningConditionedSettings(
            method: method, trainingSamples: 40, evaluationConditions: 20, maximumLength: 4, embeddingSize: 4,
            hiddenSize: 8, batchSize: 16, epochs: 1, evaluationInterval: 1, seed: 2, latentSize: 2,
            heldOutFraction: 0.25)
        let run = try MeaningConditionedGeneration.run(grammar, settings: settings)
        #expect(run.condition == .sequence)
        let final = try #require(run.measurements.last)
        let unseen = try #require(final.unseenAccuracy)
        #expect((0...1).contains(unseen) && unseen <= (final.unseenValidity ?? 0))
    }

    @Test func classConditionsAreTheDefaultForIntegersAndCannotBeAskedForUnseenMeanings() throws {
        let settings = MeaningConditionedSettings(
            trainingSamples: 60, evaluationConditions: 20, maximumLength: 9, embeddingSize: 4, hiddenSize: 8,
            batchSize: 16, epochs: 1, evaluationInterval: 1, seed: 2)
        let run = try MeaningConditionedGeneration.run(try Self.arithmetic(), settings: settings)
        #expect(run.condition == .class && run.heldOutMeanings.isEmpty)
        #expect(run.measurements.allSatisfy { $0.unseenAccuracy == nil })
        var gan = settings
        gan.method = .conditionalGAN
        gan.condition = .sequence
        #expect(throws: InputError.self) { try MeaningConditionedGeneration.run(try Self.arithmetic(), settings: gan) }
        var fraction = settings
        fraction.heldOutFraction = 1
        #expect(throws: InputError.self) {
            try MeaningConditionedGeneration.run(try Self.arithmetic(), settings: fraction)
        }
    }
}
