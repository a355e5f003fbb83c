import Foundation
import Testing

/// `montague train gan` / `train vae` end to end on a toy, with `predict`, `evaluate`, `--resume` and bad flags.
@Suite("montague train gan / train vae")
struct GenerativeCommandTests {
    func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("montague-generative-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    let small = ["--hidden", "8", "--layers", "1", "--batch-size", "16", "--toy-count", "200", "--log-every", "2"]

    @Test func ganTrainsPredictsEvaluatesAndResumes() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = directory.appendingPathComponent("gan").path
        let montague = try MontagueExecutable.locate()
        let trained = try montague.run(
            ["train", "gan", "--data", "ring8", "--method", "wgan-gp", "--steps", "4", "--output", model] + small)
        #expect(trained.status == 0, "stderr: \(trained.standardError)")
        #expect(trained.standardOutput.contains("modes ") && trained.standardOutput.contains("/8"))
        let manifest = try String(contentsOfFile: model + "/manifest.json", encoding: .utf8)
        #expect(manifest.contains("\"kind\" : \"gan\"") && manifest.contains("\"method\" : \"wgan-gp\""))

        let samples = directory.appendingPathComponent("samples.csv").path
        let predicted = try montague.run(["predict", model, "--n", "25", "--output", samples, "--seed", "3"])
        #expect(predicted.status == 0, "stderr: \(predicted.standardError)")
        let csv = try String(contentsOfFile: samples, encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 25)
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("samples.svg").path))
        let again = try montague.run(["predict", model, "--n", "25", "--seed", "3"])
        #expect(again.standardOutput == csv)

        let evaluated = try montague.run(["evaluate", model, "--json"])
        #expect(evaluated.status == 0, "stderr: \(evaluated.standardError)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(evaluated.standardOutput.utf8)) as? [String: Double])
        #expect(object["mode_count"] == 8 && object["modes"] != nil && object["high_quality"] != nil)

        let resumed = try montague.run(
            ["train", "gan", "--data", "ring8", "--steps", "6", "--output", model, "--resume"] + small)
        #expect(resumed.status == 0, "stderr: \(resumed.standardError)")
        #expect(resumed.standardOutput.contains("trained 6 steps"))
        #expect(!resumed.standardOutput.contains("step 2 "))  // continued from step 4
    }

    /// Every method of `train gan`, as `--method` names it, trains from the command line and writes its directory.
    @Test(arguments: [
        "gan", "nsgan", "fgan:kl", "fgan:reverse-kl", "fgan:pearson", "fgan:hellinger", "fgan:js", "fgan:gan",
        "lsgan", "wgan", "wgan-gp", "ebgan", "infogan", "vae-gan", "bigan",
    ])
    func everyMethodTrainsFromTheCommandLine(_ method: String) throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = directory.appendingPathComponent("m").path
        let result = try MontagueExecutable.locate().run(
            ["train", "gan", "--data", "ring8", "--method", method, "--steps", "2", "--quiet", "--output", model]
                + small)
        #expect(result.status == 0, "\(method): \(result.standardError)")
        let manifest = try String(contentsOfFile: model + "/manifest.json", encoding: .utf8)
        #expect(manifest.contains("\"method\" : \"\(method)\""), "\(method)")
    }

    @Test func aResumedRunWithMoreStepsReplansItsDecayAndSaysSo() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = directory.appendingPathComponent("gan").path
        let montague = try MontagueExecutable.locate()
        let decayed = ["train", "gan", "--data", "ring8", "--lr-decay-start", "2", "--output", model] + small
        let trained = try montague.run(decayed + ["--steps", "4"])
        #expect(trained.status == 0, "stderr: \(trained.standardError)")
        #expect(!trained.standardOutput.contains("note:"))
        let resumed = try montague.run(decayed + ["--steps", "8", "--resume"])
        #expect(resumed.status == 0, "stderr: \(resumed.standardError)")
        #expect(
            resumed.standardOutput.contains(
                "note: the learning rate decay was planned to end at step 4 and now ends at step 8 (--steps)"),
            "\(resumed.standardOutput)")
        let manifest = try String(contentsOfFile: model + "/manifest.json", encoding: .utf8)
        #expect(manifest.contains("\"train.schedule_steps\" : 8"), "\(manifest)")
        // The same budget again: nothing to re-plan.
        let again = try montague.run(decayed + ["--steps", "8", "--resume"])
        #expect(again.status == 0 && !again.standardOutput.contains("note:"), "\(again.standardOutput)")
    }

    @Test func theSharedNetworkSizeFlagsKeepEachCommandsDefaults() throws {
        let montague = try MontagueExecutable.locate()
        let gan = try montague.run(["train", "gan", "--help"])
        let vae = try montague.run(["train", "vae", "--help"])
        #expect(gan.status == 0 && vae.status == 0)
        for help in [gan.standardOutput, vae.standardOutput] {
            #expect(help.contains("--hidden <hidden>") && help.contains("Width of the hidden layers. (default: 128)"))
        }
        #expect(gan.standardOutput.contains("Hidden layers per network. (default: 3)"), "\(gan.standardOutput)")
        #expect(vae.standardOutput.contains("Hidden layers of encoder and decoder. (default: 1)"))
    }

    @Test func vaeTrainsAndReportsHeldOutBounds() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = directory.appendingPathComponent("vae").path
        let montague = try MontagueExecutable.locate()
        let trained = try montague.run(
            ["train", "vae", "--data", "grid25", "--steps", "4", "--output", model, "--iw-samples", "3"] + small)
        #expect(trained.status == 0, "stderr: \(trained.standardError)")
        #expect(trained.standardOutput.contains("iw_bound") && trained.standardOutput.contains("em_log_likelihood"))
        let evaluated = try montague.run(["evaluate", model])
        #expect(evaluated.status == 0 && evaluated.standardOutput.contains("elbo: "))
    }

    @Test(arguments: [
        ["train", "gan", "--data", "ring8", "--method", "fgan:nope", "--output", "x"],
        ["train", "gan", "--data", "ring8", "--output", "x", "--steps", "0"],
        ["train", "gan", "--data", "ring8", "--output", "x", "--lsgan-codes", "1,2"],
        ["train", "gan", "--data", "ring8", "--output", "x", "--packing", "3"],
        ["train", "gan", "--data", "/nonexistent/points.csv", "--output", "x"],
        ["train", "gan", "--data", "digits:", "--output", "x"],
        ["train", "gan", "--data", "ring8", "--output", "x", "--real-label", "0.5"],
        ["train", "gan", "--data", "ring8", "--output", "x", "--real-label", "1.1"],
        ["train", "gan", "--data", "ring8", "--output", "x", "--real-label", "nan"],
        ["train", "gan", "--data", "ring8", "--output", "x", "--generator-layers", "0"],
        ["train", "gan", "--data", "ring8", "--output", "x", "--generator-hidden", "0"],
        ["train", "gan", "--data", "ring8", "--output", "x", "--beta1", "1.5"],
        ["train", "gan", "--data", "ring8", "--output", "x", "--beta1", "-0.1"],
        ["train", "vae", "--data", "ring8", "--output", "x", "--likelihood", "poisson"],
        ["train", "vae", "--data", "ring8", "--output", "x", "--latent", "0"],
    ])
    func badFlagsExitWithStatusTwo(_ arguments: [String]) throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let args = arguments.map { $0 == "x" ? directory.appendingPathComponent("x").path : $0 }
        let result = try MontagueExecutable.locate().run(args)
        #expect(result.status == 2, "\(arguments): \(result.standardError)")
        #expect(!result.standardError.isEmpty)
    }

    @Test func aDivergingRunStopsWithALocatedError() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = directory.appendingPathComponent("kl").path
        let result = try MontagueExecutable.locate().run(
            ["train", "gan", "--data", "ring8", "--method", "fgan:kl", "--lr", "5", "--steps", "50", "--output", model]
                + small)
        #expect(result.status == 2)
        #expect(result.standardError.contains("\(model): error: training diverged at step"))
    }

    @Test func aMalformedPointsFileIsReportedWithItsLocation() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("points.csv")
        try "1,2\n3,x\n".write(to: file, atomically: true, encoding: .utf8)
        let result = try MontagueExecutable.locate().run(
            ["train", "gan", "--data", file.path, "--output", directory.appendingPathComponent("m").path])
        #expect(result.status == 2)
        #expect(result.standardError.contains("points.csv:2:3: error:"))
    }
}
