import Foundation
import Testing

/// The generator `experiment generate` leaves behind is an ordinary `lm` model directory, and the conditional GAN
/// and VAE run from the command line.
@Suite("montague experiment generate: model directory; experiment conditional: GAN and VAE")
struct GrammarExperimentModelTests {
    func grammar(_ name: String) -> String { GrammarExperimentCommandTests.grammars.appendingPathComponent(name).path }

    @Test func generatedModelDirectoryWorksWithPredictAndEvaluate() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("montague-genmodel-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let montague = try MontagueExecutable.locate()
        let result = try montague.run(
            [
                "experiment", "generate", grammar("weighted-arithmetic.mont"), "--method", "mle", "--eval-samples",
                "10", "--pretrain-epochs", "0", "--rounds", "2", "--output", directory.path,
            ] + GrammarExperimentCommandTests.tiny)
        #expect(result.status == 0, "stderr: \(result.standardError)")
        // The metrics log records when each measurement was taken (seconds since the start, not 0).
        let log = try String(contentsOf: directory.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        let times = log.split(separator: "\n").compactMap { line -> Double? in
            let record = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return record?["wall_time"] as? Double
        }
        #expect(times.count == 3)
        #expect(times.last.map { $0 > 0 } == true)
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 <= $1 })
        let model = directory.appendingPathComponent("model").path
        let predicted = try montague.run(["predict", model, "--n", "4", "--seed", "1"])
        #expect(predicted.status == 0, "stderr: \(predicted.standardError)")
        #expect(predicted.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).count == 5)
        // Every generated token is a terminal of the grammar (the vocabulary is the grammar's terminal list) or the
        // unknown token the generator also knows; never the directory vocabulary's padding.
        let terminals: Set<Substring> = ["(", ")", "+", "*", "0", "1", "2", "3", "<unk>"]
        #expect(
            predicted.standardOutput.split(whereSeparator: { $0 == " " || $0 == "\n" }).allSatisfy(terminals.contains))
        let data = directory.appendingPathComponent("train.txt").path
        let evaluated = try montague.run(["evaluate", model, "--data", data, "--json"])
        #expect(evaluated.status == 0, "stderr: \(evaluated.standardError)")
        #expect(evaluated.standardOutput.contains("perplexity"))
    }

    @Test func sentenceVAEIsWrittenAsASentenceVAEModelDirectory() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("montague-genvae-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let montague = try MontagueExecutable.locate()
        let result = try montague.run(
            [
                "experiment", "generate", grammar("weighted-arithmetic.mont"), "--method", "sentence-vae",
                "--latent-size", "2", "--eval-samples", "4", "--pretrain-epochs", "0", "--rounds", "1", "--output",
                directory.path,
            ] + GrammarExperimentCommandTests.tiny)
        #expect(result.status == 0, "stderr: \(result.standardError)")
        let manifest = try String(
            contentsOf: directory.appendingPathComponent("model/manifest.json"), encoding: .utf8)
        #expect(manifest.contains("\"sentence-vae\""))
        let predicted = try montague.run(["predict", directory.appendingPathComponent("model").path, "--n", "3"])
        #expect(predicted.status == 0, "stderr: \(predicted.standardError)")
        #expect(!predicted.standardOutput.contains("<pad>"))
    }

    @Test(arguments: ["conditional-gan", "conditional-vae"])
    func conditionalGANAndVAEReportAccuracy(method: String) throws {
        let result = try MontagueExecutable.locate().run(
            [
                "experiment", "conditional", grammar("weighted-arithmetic.mont"), "--method", method, "--epochs", "1",
                "--eval-conditions", "12", "--latent-size", "2", "--json",
            ] + GrammarExperimentCommandTests.tiny)
        #expect(result.status == 0, "stderr: \(result.standardError)")
        let summary = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        let final = summary?["final"] as? [String: Any]
        let accuracy = try #require(final?["accuracy"] as? Double)
        let validity = try #require(final?["validity"] as? Double)
        #expect((0...1).contains(accuracy) && accuracy <= validity)
    }
}
