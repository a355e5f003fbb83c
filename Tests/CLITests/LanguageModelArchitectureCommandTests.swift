import Foundation
import Testing

/// `montague train lm --arch gru|transformer` with the batching and time-limit options, and `montague evaluate
/// --data` of seq2seq models on TMX and aligned files.
@Suite("montague train lm architectures; evaluate seq2seq on parallel formats")
struct LanguageModelArchitectureCommandTests {
    static func makeDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("montague-lm-arch-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test func transformerLanguageModelTrainsPredictsEvaluatesAndStopsOnTime() throws {
        let directory = try Self.makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let train = directory.appendingPathComponent("train.txt")
        try (0..<12).map { ["a b c .", "a c b .", "b a c ."][$0 % 3] }.joined(separator: "\n")
            .write(to: train, atomically: true, encoding: .utf8)
        let model = directory.appendingPathComponent("tlm").path
        let montague = try MontagueExecutable.locate()
        let arguments = [
            "train", "lm", "--arch", "transformer", "--layers", "1", "--model-size", "8", "--heads", "2",
            "--feed-forward", "16", "--positions", "learned", "--batch-tokens", "12", "--accumulate", "2",
            "--scheduled-sampling", "linear:1,0.1,0.5", "--train", train.path, "--output", model, "--steps", "6",
        ]
        let stopped = try montague.run(arguments + ["--time-limit", "0.000001"])
        #expect(stopped.status == 0, "\(stopped.standardError)")
        #expect(stopped.standardOutput.contains("stopped (time limit) after step 0"), "\(stopped.standardOutput)")
        let trained = try montague.run(arguments)
        #expect(trained.status == 0, "\(trained.standardError)")
        #expect(trained.standardOutput.contains("trained 6 steps on 12 sentences"), "\(trained.standardOutput)")
        let sampled = try montague.run(["predict", model, "--n", "3", "--seed", "1", "--json"])
        #expect(sampled.status == 0, "\(sampled.standardError)")
        let sentences = try JSONSerialization.jsonObject(with: Data(sampled.standardOutput.utf8)) as? [String]
        #expect(sentences?.count == 3)
        let evaluated = try montague.run(["evaluate", model, "--data", train.path])
        #expect(evaluated.status == 0 && evaluated.standardOutput.contains("perplexity"))
        let manifest = try String(contentsOfFile: model + "/manifest.json", encoding: .utf8)
        #expect(manifest.contains("\"architecture\" : \"transformer\""))
        // Transformer-only flags need --arch transformer; bad sizes and values exit 2.
        let wrong = try montague.run(["train", "lm", "--train", train.path, "--output", model, "--heads", "2"])
        #expect(wrong.status == 2 && wrong.standardError.contains("--heads applies only to --arch transformer"))
        let indivisible = try montague.run([
            "train", "lm", "--arch", "transformer", "--model-size", "10", "--heads", "4", "--train", train.path,
            "--output", directory.appendingPathComponent("x").path,
        ])
        #expect(indivisible.status == 2 && indivisible.standardError.contains("not divisible"))
        let badSchedule = try montague.run([
            "train", "lm", "--train", train.path, "--output", model, "--scheduled-sampling", "linear:2",
        ])
        #expect(badSchedule.status == 2)
        let gru = try montague.run([
            "train", "lm", "--arch", "gru", "--hidden", "8", "--embedding", "4", "--steps", "3", "--train",
            train.path, "--output", directory.appendingPathComponent("gru").path,
        ])
        #expect(gru.status == 0, "\(gru.standardError)")
        for arch in ["gru", "transformer"] {
            let sampledModel = directory.appendingPathComponent("sampled-\(arch)").path
            let sampled = try montague.run(
                [
                    "train", "lm", "--arch", arch, "--sampled-softmax", "3", "--steps", "3", "--train", train.path,
                    "--output", sampledModel,
                ] + (arch == "gru" ? ["--hidden", "8", "--embedding", "4"] : ["--model-size", "8", "--heads", "2"]))
            #expect(sampled.status == 0, "\(arch): \(sampled.standardError)")
            let recipe = try String(contentsOfFile: sampledModel + "/manifest.json", encoding: .utf8)
            #expect(recipe.contains("\"sampledSoftmaxCount\" : 3"), "\(recipe)")
        }
        let sampledWithSchedule = try montague.run([
            "train", "lm", "--sampled-softmax", "3", "--scheduled-sampling", "constant:0.5", "--train", train.path,
            "--output", directory.appendingPathComponent("y").path,
        ])
        #expect(sampledWithSchedule.status == 2 && sampledWithSchedule.standardError.contains("--sampled-softmax"))
    }

    @Test func seq2seqEvaluatesTMXAndAlignedData() throws {
        let directory = try Self.makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        func write(_ text: String, _ name: String) throws -> String {
            let url = directory.appendingPathComponent(name)
            try text.write(to: url, atomically: true, encoding: .utf8)
            return url.path
        }
        let tmx = try write(
            """
            <?xml version="1.0"?><tmx version="1.4"><header srclang="en"/><body>
            <tu tuid="1"><tuv xml:lang="en"><seg>walk twice</seg></tuv><tuv xml:lang="fr"><seg>marche marche</seg></tuv></tu>
            <tu tuid="2"><tuv xml:lang="en"><seg>jump</seg></tuv><tuv xml:lang="fr"><seg>saute</seg></tuv></tu>
            </body></tmx>
            """, "memory.tmx")
        let source = try write("walk twice\njump\n", "src.txt")
        let target = try write("marche marche\nsaute\n", "tgt.txt")
        let model = directory.appendingPathComponent("model").path
        let montague = try MontagueExecutable.locate()
        let trained = try montague.run([
            "train", "seq2seq", "--train", tmx, "--source-language", "en", "--target-language", "fr", "--epochs",
            "60", "--hidden", "16", "--embedding", "8", "--batch-size", "2", "--lr", "0.02", "--seed", "1",
            "--report-every", "1000", "--output", model,
        ])
        #expect(trained.status == 0, "\(trained.standardError)")
        #expect(FileManager.default.fileExists(atPath: model + "/parallel-data.json"))
        let fromTMX = try montague.run(["evaluate", model, "--data", tmx, "--json"])
        #expect(fromTMX.status == 0, "\(fromTMX.standardError)")
        #expect(fromTMX.standardOutput.contains(".total\":2"), "\(fromTMX.standardOutput)")
        let aligned = try montague.run(["evaluate", model, "--data", "\(source)=\(target)"])
        #expect(aligned.status == 0, "\(aligned.standardError)")
        #expect(aligned.standardOutput.contains("(2/2)") || aligned.standardOutput.contains("/2)"))
        let misaligned = try write("marche marche\n", "short.txt")
        let bad = try montague.run(["evaluate", model, "--data", "\(source)=\(misaligned)"])
        #expect(bad.status == 2 && bad.standardError.contains("\(source):2"), "\(bad.standardError)")
    }
}
