import Foundation
import NeuralNet
import Testing
import TextGeneration

@Suite("LanguageModelTraining: the loop, batches, validation, resume")
struct LanguageModelTrainingTests {
    /// Sequences of a simple grammar over 6 tokens: 0 (a|b)+ 5, with a = 1 2 and b = 3 4.
    static let sequences: [[Int]] = [
        [0, 1, 2, 5], [0, 3, 4, 5], [0, 1, 2, 3, 4, 5], [0, 3, 4, 1, 2, 5], [0, 1, 2, 1, 2, 5], [0, 3, 4, 3, 4, 5],
    ]

    private func configuration(total: Int, checkpoint: URL? = nil) -> LanguageModelTraining.Configuration {
        LanguageModelTraining.Configuration(
            vocabularySize: 6, embeddingSize: 4, hiddenSize: 8, layerCount: 2, dropout: 0.1, initializationSeed: 3,
            batchSize: 2, learningRate: 0.03,
            loop: TrainingConfiguration(totalSteps: total, seed: 4, evaluationInterval: 6, checkpointURL: checkpoint))
    }

    private let quiet = ProgressReporter(totalSteps: nil, isEnabled: false)

    @Test func trainingLowersValidationPerplexityAndLogsMetrics() throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("montague-lmt-\(UUID()).jsonl")
        defer { try? FileManager.default.removeItem(at: log) }
        let untrained = try LanguageModelTraining.run(
            configuration(total: 0), training: Self.sequences, progress: quiet)
        let before = untrained.model.perplexity(on: Self.sequences)
        let result = try LanguageModelTraining.run(
            configuration(total: 30), training: Self.sequences, validation: Self.sequences, metricsURL: log,
            progress: quiet)
        #expect(result.summary.steps == 30)
        let after = try #require(result.summary.lastEvaluation?["perplexity"])
        #expect(after < 0.6 * before)
        let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 30 + 5)  // every step, evaluations at 6, 12, 18, 24, 30
        #expect(lines[0].contains("gradient_norm") && lines[0].contains(#""epoch":0"#))
        #expect(lines.last?.contains(#""phase":"eval""#) == true && lines.last?.contains("perplexity") == true)
    }

    @Test func resumedRunEqualsTheUninterruptedRunBitForBit() throws {
        let checkpoint = FileManager.default.temporaryDirectory.appendingPathComponent("montague-lmt-\(UUID())")
        defer { try? FileManager.default.removeItem(at: checkpoint) }
        let straight = try LanguageModelTraining.run(configuration(total: 8), training: Self.sequences, progress: quiet)
        _ = try LanguageModelTraining.run(
            configuration(total: 5, checkpoint: checkpoint), training: Self.sequences, progress: quiet)
        let resumed = try LanguageModelTraining.run(
            configuration(total: 8), training: Self.sequences, resumeFrom: checkpoint, progress: quiet)
        let bits = { (model: LanguageModel) in model.parameterValues.flatMap { $0.scalars.map(\.bitPattern) } }
        #expect(resumed.summary.steps == 8)
        #expect(bits(resumed.model) == bits(straight.model))
    }

    @Test func sampledSoftmaxTrainingLearns() throws {
        var sampled = configuration(total: 30)
        sampled.sampledSoftmaxCount = 4
        sampled.dropout = 0
        let before = try LanguageModelTraining.run(
            configuration(total: 0), training: Self.sequences, progress: quiet
        ).model.perplexity(on: Self.sequences)
        let result = try LanguageModelTraining.run(
            sampled, training: Self.sequences, validation: Self.sequences, progress: quiet)
        #expect(try #require(result.summary.lastEvaluation?["perplexity"]) < 0.7 * before)
    }

    @Test func documentationExampleRuns() throws {
        let sequences = [[0, 1, 2, 3], [0, 2, 1, 3], [0, 1, 1, 3]]
        var configuration = LanguageModelTraining.Configuration(vocabularySize: 4)
        configuration.loop = TrainingConfiguration(totalSteps: 20, seed: 1)
        let result = try LanguageModelTraining.run(configuration, training: sequences, progress: quiet)
        #expect(try #require(result.summary.lastMetrics["loss"]) < log(4.0))
    }
}
