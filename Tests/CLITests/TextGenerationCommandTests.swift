import Foundation
import Testing

@Suite("montague train seqgan / sentence-vae, predict, evaluate")
struct TextGenerationCommandTests {
    static func scratch(_ name: String) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        return root
    }

    @Test("SeqGAN on token-id data: train, continue, sample, evaluate; bad files and flags exit 2 with a location")
    func seqGAN() throws {
        let root = try Self.scratch("seqgan-cli")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("real.txt")
        try (0..<40).map { i in (0..<4).map { String((i + $0) % 6) }.joined(separator: " ") }.joined(separator: "\n")
            .write(to: data, atomically: true, encoding: .utf8)
        let model = root.appendingPathComponent("model").path
        let montague = try MontagueExecutable.locate()
        let common = [
            "train", "seqgan", "--train", data.path, "--vocabulary", "6", "--length", "4", "--hidden", "4",
            "--embedding", "3", "--batch-size", "8", "--pretrain-epochs", "1", "--d-pretrain", "1", "--negatives",
            "8", "--filter-scale", "0.01", "--rollouts", "2", "--d-steps", "1", "--eval-samples", "16", "--output",
            model, "--quiet",
        ]
        let trained = try montague.run(common + ["--rounds", "1"])
        #expect(trained.status == 0, "\(trained.standardError)")
        #expect(trained.standardOutput.contains("completed after 3 rounds"))
        let continued = try montague.run(common + ["--rounds", "2"])
        #expect(continued.status == 0, "\(continued.standardError)")
        #expect(continued.standardOutput.contains("completed after 4 rounds"))
        let sampled = try montague.run(["predict", model, "--n", "3", "--seed", "2"])
        #expect(sampled.status == 0)
        let lines = sampled.standardOutput.split(separator: "\n")
        #expect(lines.count == 3 && lines.allSatisfy { $0.split(separator: " ").count == 4 })
        let evaluated = try montague.run(["evaluate", model, "--json"])
        #expect(evaluated.status == 0 && evaluated.standardOutput.contains("distinct_1"))
        #expect(try montague.run(["predict", model, "--top-k", "2"]).status == 2)
        let bad = root.appendingPathComponent("bad.txt")
        try "1 2 3 4\n1 2 9 4\n".write(to: bad, atomically: true, encoding: .utf8)
        let badData = try montague.run([
            "train", "seqgan", "--train", bad.path, "--vocabulary", "6", "--length", "4", "--output",
            root.appendingPathComponent("other").path,
        ])
        #expect(badData.status == 2)
        #expect(badData.standardError.contains("bad.txt:2:5: error:"), "\(badData.standardError)")
        let both = try montague.run(["train", "seqgan", "--output", model])
        #expect(both.status == 2)
        let bleuModel = root.appendingPathComponent("pg-bleu").path
        let pgBLEU = try montague.run(
            common.map { $0 == model ? bleuModel : $0 } + ["--rounds", "1", "--reward", "bleu"])
        #expect(pgBLEU.status == 0, "\(pgBLEU.standardError)")
        let manifest = try String(contentsOfFile: bleuModel + "/manifest.json", encoding: .utf8)
        #expect(manifest.contains("\"reward\":\"bleu\"") || manifest.contains("\"reward\" : \"bleu\""), "\(manifest)")
        let rewardWithMLE = try montague.run(
            common.map { $0 == model ? root.appendingPathComponent("mle").path : $0 } + [
                "--method", "mle", "--reward", "bleu",
            ])
        #expect(rewardWithMLE.status == 2 && rewardWithMLE.standardError.contains("--reward"))
        let ssModel = root.appendingPathComponent("ss").path
        let scheduled = try montague.run(
            common.map { $0 == model ? ssModel : $0 } + [
                "--rounds", "1", "--method", "scheduled-sampling", "--scheduled-sampling", "constant:0.5",
            ])
        #expect(scheduled.status == 0, "\(scheduled.standardError)")
        #expect(scheduled.standardOutput.contains("completed after 2 rounds"), "\(scheduled.standardOutput)")
        let scheduleWithSeqGAN = try montague.run(
            common.map { $0 == model ? root.appendingPathComponent("x").path : $0 } + [
                "--scheduled-sampling", "constant:0.5",
            ])
        #expect(scheduleWithSeqGAN.status == 2 && scheduleWithSeqGAN.standardError.contains("--scheduled-sampling"))
    }

    @Test("Sentence VAE: train, sample, reconstruct, interpolate, evaluate; bad flags exit 2")
    func sentenceVAE() throws {
        let root = try Self.scratch("svae-cli")
        defer { try? FileManager.default.removeItem(at: root) }
        let train = root.appendingPathComponent("train.txt")
        try (0..<12).map { ["the cat sat", "a dog ran far", "the bird flew"][$0 % 3] }.joined(separator: "\n")
            .write(to: train, atomically: true, encoding: .utf8)
        let model = root.appendingPathComponent("model").path
        let montague = try MontagueExecutable.locate()
        let trained = try montague.run([
            "train", "sentence-vae", "--train", train.path, "--output", model, "--steps", "4", "--hidden", "6",
            "--embedding", "4", "--latent", "2", "--batch-size", "4", "--iw-samples", "3",
            "--kl-annealing", "cyclical:4",
        ])
        #expect(trained.status == 0, "\(trained.standardError)")
        #expect(trained.standardOutput.contains("IW NLL"))
        let sampled = try montague.run(["predict", model, "--n", "3", "--seed", "1", "--json"])
        #expect(sampled.status == 0)
        #expect((try JSONSerialization.jsonObject(with: Data(sampled.standardOutput.utf8)) as? [String])?.count == 3)
        let pair = root.appendingPathComponent("pair.txt")
        try "the cat sat\na dog ran far\n".write(to: pair, atomically: true, encoding: .utf8)
        let reconstructed = try montague.run(["predict", model, "--input", pair.path])
        #expect(
            reconstructed.status == 0
                && reconstructed.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).count == 3)
        let interpolated = try montague.run(["predict", model, "--input", pair.path, "--n", "3", "--json"])
        #expect(interpolated.status == 0)
        #expect(
            (try JSONSerialization.jsonObject(with: Data(interpolated.standardOutput.utf8)) as? [String])?.count == 5)
        let evaluated = try montague.run(["evaluate", model, "--data", train.path, "--json"])
        #expect(evaluated.status == 0 && evaluated.standardOutput.contains("iw_nll"))
        #expect(
            try montague.run([
                "train", "sentence-vae", "--train", train.path, "--output", model, "--kl-annealing", "warm:1",
            ]).status == 2)
        #expect(try montague.run(["predict", model, "--input", pair.path, "--temperature", "0.5"]).status == 2)
    }
}
