import Autodiff
import Foundation
import MontagueSupport
import NeuralNet
import Testing
import _MontagueTestSupport

@testable import TextGeneration

@Suite("train lm: GRU and Transformer models, time limits, accumulation, token batches, scheduled sampling")
struct LanguageModelArchitectureTests {
    static let lines = ["the food was great .", "the staff was rude .", "my meal was cold .", "this place is nice ."]

    /// A workspace with `train.txt` (the four lines, repeated) and `valid.txt` (the four lines once).
    static func workspace() throws -> URL {
        let url = try TestData.temporaryDirectory("lm-arch")
        try (0..<8).map { lines[$0 % 4] }.joined(separator: "\n").write(
            to: url.appendingPathComponent("train.txt"), atomically: true, encoding: .utf8)
        try lines.joined(separator: "\n").write(
            to: url.appendingPathComponent("valid.txt"), atomically: true, encoding: .utf8)
        return url
    }

    static let transformer = LanguageModelRecipe(
        layerCount: 1, batchSize: 8, learningRate: 0.02, steps: 60, evaluationInterval: 30, seed: 1,
        architecture: .transformer,
        transformer: Seq2SeqTransformerSettings(modelSize: 16, headCount: 2, feedForwardSize: 32))

    @Test("A Transformer language model memorizes a text; its directory reloads to the same perplexity")
    func transformerMemorizesAndReloads() throws {
        let root = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: root) }
        let train = root.appendingPathComponent("train.txt").path
        let valid = root.appendingPathComponent("valid.txt").path
        let output = ModelDirectory(url: root.appendingPathComponent("tlm"))
        let summary = try LanguageModelRun.train(Self.transformer, trainPath: train, validPath: valid, output: output)
        #expect(summary.steps == 60 && summary.stop == nil)
        let perplexity = try #require(summary.validationPerplexity)
        // Four equally likely first words, then nearly determined continuations: far below the vocabulary (15).
        #expect(perplexity < 2.5, "perplexity \(perplexity)")
        let loaded = try TrainedLanguageModel.load(from: output)
        #expect(loaded.model is TransformerLanguageModel)
        #expect(loaded.perplexity(of: try loaded.sentences(inFile: valid)) == perplexity)
        var generator = RandomGenerator(seed: 4)
        let samples = loaded.sample(count: 6, selection: .greedy, maximumLength: 10, using: &generator)
        #expect(samples.allSatisfy { Self.lines.contains($0.joined(separator: " ")) }, "\(samples)")
    }

    @Test("A GRU language model trains, saves and reloads to the same perplexity")
    func gruRoundTrip() throws {
        let root = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: root) }
        let valid = root.appendingPathComponent("valid.txt").path
        let recipe = LanguageModelRecipe(
            embeddingSize: 8, hiddenSize: 12, batchSize: 8, learningRate: 0.03, steps: 40, evaluationInterval: 20,
            seed: 2, architecture: .gru)
        let output = ModelDirectory(url: root.appendingPathComponent("gru"))
        let summary = try LanguageModelRun.train(
            recipe, trainPath: root.appendingPathComponent("train.txt").path, validPath: valid, output: output)
        let loaded = try TrainedLanguageModel.load(from: output)
        #expect(loaded.model is GRULanguageModel)
        #expect(loaded.model.namedParameters.contains { $0.name.hasPrefix("gru.layer0") })
        #expect(loaded.perplexity(of: try loaded.sentences(inFile: valid)) == summary.validationPerplexity)
        #expect((summary.validationPerplexity ?? .infinity) < 4)

        // A damaged vocabulary is an error located at its file, when loading and when continuing the run.
        let vocabulary = output.file(TrainedLanguageModel.vocabularyFile)
        try Data("{\"tokens\": 3".utf8).write(to: vocabulary)
        for attempt in [
            { _ = try TrainedLanguageModel.load(from: output) },
            {
                _ = try LanguageModelRun.train(
                    recipe, trainPath: root.appendingPathComponent("train.txt").path, validPath: valid, output: output)
            },
        ] {
            let error = try #require(throws: ModelDirectoryError.self) { try attempt() }
            #expect(
                error.location?.file == vocabulary.path && error.message.hasPrefix("cannot read the vocabulary"),
                "\(error)")
        }
    }

    @Test("A session stopped by its time limit or on request resumes to the same weights as a straight run")
    func stopAndResume() throws {
        let root = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: root) }
        let train = root.appendingPathComponent("train.txt").path
        var recipe = Self.transformer
        recipe.steps = 12
        recipe.evaluationInterval = 5
        recipe.dropout = 0.1
        recipe.batchSize = 3
        let straight = ModelDirectory(url: root.appendingPathComponent("straight"))
        _ = try LanguageModelRun.train(recipe, trainPath: train, validPath: nil, output: straight)
        let stopped = ModelDirectory(url: root.appendingPathComponent("stopped"))
        // A budget already spent stops before the first step, with the state saved.
        let first = try LanguageModelRun.train(
            recipe, trainPath: train, validPath: nil, output: stopped, timeLimit: 1e-9)
        #expect(first.stop == .timeLimit && first.steps == 0)
        #expect(FileManager.default.fileExists(atPath: stopped.trainingStateURL.path))
        // A stop request after 7 steps (between checkpoints) saves the state after step 7.
        var calls = 0
        let second = try LanguageModelRun.train(
            recipe, trainPath: train, validPath: nil, output: stopped,
            shouldStop: {
                calls += 1
                return calls > 7
            })
        #expect(second.stop == .interrupted && second.steps == 7)
        let third = try LanguageModelRun.train(recipe, trainPath: train, validPath: nil, output: stopped)
        #expect(third.stop == nil && third.steps == 12)
        let a = try TrainedLanguageModel.load(from: straight)
        let b = try TrainedLanguageModel.load(from: stopped)
        #expect(a.model.parameterValues.map(\.scalars) == b.model.parameterValues.map(\.scalars))
    }

    @Test("A sentence-VAE session stopped on request resumes to the same weights as a straight run")
    func sentenceVAEStopAndResume() throws {
        let root = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: root) }
        let train = root.appendingPathComponent("train.txt").path
        let recipe = SentenceVAERecipe(
            embeddingSize: 4, hiddenSize: 6, latentSize: 2,
            objective: SentenceVAEObjective(annealing: .linear(steps: 4), wordDropout: 0.2, freeBits: 0),
            batchSize: 3, learningRate: 0.02, steps: 8, evaluationInterval: 5, importanceSamples: 2, seed: 2)
        let straight = ModelDirectory(url: root.appendingPathComponent("straight"))
        _ = try SentenceVAERun.train(recipe, trainPath: train, validPath: nil, output: straight)
        let stopped = ModelDirectory(url: root.appendingPathComponent("stopped"))
        var calls = 0
        let first = try SentenceVAERun.train(
            recipe, trainPath: train, validPath: nil, output: stopped,
            shouldStop: {
                calls += 1
                return calls > 3
            })
        #expect(first.stop == .interrupted && first.steps == 3)
        let limited = try SentenceVAERun.train(
            recipe, trainPath: train, validPath: nil, output: stopped, timeLimit: 1e-9)
        #expect(limited.stop == .timeLimit && limited.steps == 3)
        let last = try SentenceVAERun.train(recipe, trainPath: train, validPath: nil, output: stopped)
        #expect(last.stop == nil && last.steps == 8)
        let a = try TrainedSentenceVAE.load(from: straight)
        let b = try TrainedSentenceVAE.load(from: stopped)
        #expect(a.model.parameterValues.map(\.scalars) == b.model.parameterValues.map(\.scalars))
    }

    @Test("Accumulation, token batches and scheduled sampling train end to end and are recorded in the recipe")
    func trainingOptions() throws {
        let root = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: root) }
        let train = root.appendingPathComponent("train.txt").path
        var recipe = LanguageModelRecipe(
            embeddingSize: 6, hiddenSize: 8, batchSize: 2, learningRate: 0.03, steps: 6, evaluationInterval: 3,
            seed: 5, accumulationSteps: 2, batchTokens: 12,
            scheduledSampling: .linear(start: 1, slope: 0.2, minimum: 0.2), samplingChoice: .sample)
        let output = ModelDirectory(url: root.appendingPathComponent("options"))
        let summary = try LanguageModelRun.train(recipe, trainPath: train, validPath: nil, output: output)
        #expect(summary.steps == 6 && (summary.trainingLoss ?? .nan).isFinite)
        let stored = try output.readManifest().hyperparameters(as: LanguageModelRecipe.self)
        #expect(stored == recipe)
        recipe.accumulationSteps = 0
        #expect(throws: InputError.self) { try recipe.validate() }
        recipe.accumulationSteps = 1
        recipe.batchTokens = 0
        #expect(throws: InputError.self) { try recipe.validate() }
        // Token batches of at most 12 padded tokens over 6-token inputs: 2 sentences each, 4 batches.
        var configuration = LanguageModelTraining.Configuration(vocabularySize: 10)
        configuration.batchTokens = 12
        let ids = (0..<8).map { _ in [0, 1, 2, 3, 4, 5, 6] }
        #expect(LanguageModelTraining.batchIndices(of: ids, configuration: configuration).map(\.count) == [2, 2, 2, 2])
    }

    @Test("Recipes written before the architecture settings existed still decode, as LSTM models")
    func olderRecipesDecode() throws {
        let old = """
            {"tokenization":"whitespace","lowercase":false,"minimumCount":1,"maximumLength":50,"embeddingSize":64,
             "hiddenSize":128,"layerCount":1,"dropout":0,"batchSize":32,"learningRate":0.002,"maxGradientNorm":5,
             "steps":1000,"evaluationInterval":200,"seed":0}
            """
        let recipe = try JSONDecoder().decode(LanguageModelRecipe.self, from: Data(old.utf8))
        #expect(recipe == LanguageModelRecipe())
        #expect(recipe.makeModel(vocabularySize: 9) is LanguageModel)
    }

    @Test("Mutated recipes decode and validate, or throw; never trap (seeded mutation fuzz)")
    func recipeFuzz() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let seeds = [
            LanguageModelRecipe(), Self.transformer,
            LanguageModelRecipe(architecture: .gru, batchTokens: 100, scheduledSampling: .inverseSigmoid(k: 10)),
        ].map { try? encoder.encode($0) }.compactMap { $0 }
        #expect(seeds.count == 3)
        var generator = RandomGenerator(seed: 42)
        let alphabet = Array("{}[]:,\"-0123456789.eaxz ".utf8)
        var decoded = 0
        for round in 0..<600 {
            var bytes = Array(seeds[round % seeds.count])
            for _ in 0..<(1 + generator.nextInt(below: 4)) {
                let position = generator.nextInt(below: bytes.count)
                switch generator.nextInt(below: 3) {
                case 0: bytes[position] = alphabet[generator.nextInt(below: alphabet.count)]
                case 1: bytes.remove(at: position)
                default: bytes.insert(alphabet[generator.nextInt(below: alphabet.count)], at: position)
                }
            }
            guard let recipe = try? JSONDecoder().decode(LanguageModelRecipe.self, from: Data(bytes)) else { continue }
            decoded += 1
            _ = try? recipe.validate()
        }
        #expect(decoded > 0)
    }
}

@Suite("Self-critical baseline (Rennie et al. 2017)")
struct SelfCriticalBaselineTests {
    @Test("Subtracts the greedy sequence's reward: equal to no baseline on shifted rewards; needs the reward")
    func subtractsTheGreedyReward() {
        var generator = RandomGenerator(seed: 3)
        let model = LanguageModel(vocabularySize: 5, embeddingSize: 3, hiddenSize: 4, using: &generator)
        let sequences = [[1, 2, 3], [4, 4, 1], [2, 0, 3]]
        let rewards: [[Double]] = [[0.2, 0.5, 0.9], [0.1, 0.1, 0.3], [0.7, 0.6, 0.8]]
        var selfCritical = SequencePolicyGradient(baseline: .selfCritical)
        let a = selfCritical.loss(
            of: model, sequences: sequences, tokenRewards: rewards, startToken: 0, greedyReward: 0.4)
        var plain = SequencePolicyGradient(baseline: .none)
        let shifted = rewards.map { $0.map { $0 - 0.4 } }
        let b = plain.loss(of: model, sequences: sequences, tokenRewards: shifted, startToken: 0)
        #expect(abs(a.item - b.item) < 1e-6)
        let unshifted = plain.loss(of: model, sequences: sequences, tokenRewards: rewards, startToken: 0)
        #expect(abs(a.item - unshifted.item) > 1e-4)
    }
}

@Suite("SeqGAN's code setup: N(0, 0.1²) generator, rollouts with the current generator")
struct SeqGANCodeSetupTests {
    @Test("The generator is drawn from N(0, σ²), biases included; rollout rate 0 keeps the rollout equal to it")
    func initializationAndRollout() {
        var configuration = TinySeqGAN.configuration()
        configuration.generatorInitialStandardDeviation = 0.1
        configuration.rolloutUpdateRate = 0
        let oracle = TinySeqGAN.oracle()
        let trainer = SeqGANTrainer(configuration, realSequences: TinySeqGAN.data(oracle), oracle: oracle)
        let values = trainer.generator.parameterValues.flatMap(\.scalars)
        let mean = values.reduce(0, +) / Float(values.count)
        let deviation = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(values.count)).squareRoot()
        #expect(abs(deviation - 0.1) < 0.01, "σ = \(deviation) over \(values.count) values")
        #expect(trainer.generator.output.bias?.value.scalars.allSatisfy { $0 != 0 } == true)
        while trainer.nextStage != .adversarial { trainer.runRound() }
        trainer.runRound()
        #expect(
            trainer.rollout.parameterValues.map(\.scalars) == trainer.generator.parameterValues.map(\.scalars))
        // The paper's schedule follows the code.
        let paper = SeqGANConfiguration.paper(method: .seqgan)
        #expect(paper.generatorInitialStandardDeviation == 0.1 && paper.rolloutUpdateRate == 0)
        var bad = configuration
        bad.generatorInitialStandardDeviation = 0
        #expect(throws: InputError.self) { try bad.validate() }
    }
}
