import Foundation
import Testing

/// `montague train seq2seq` with a Transformer, parallel-corpus formats and subword tokenizers; `corpus vocab` and
/// `corpus export` with subwords.
@Suite("montague train seq2seq: Transformer, parallel corpora, subwords")
struct Seq2SeqParallelCommandTests {
    static let sources = ["walk", "jump", "walk twice", "jump twice", "walk thrice", "jump thrice"]
    static let targets = [
        "marche", "saute", "marche marche", "saute saute", "marche marche marche",
        "saute saute saute",
    ]

    static func makeDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("montague-parallel-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    static func write(_ text: String, _ name: String, in directory: URL) throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test func transformerTrainsOnTSVResumesPredictsAndEvaluates() throws {
        let directory = try Self.makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let tsv = try Self.write(
            zip(Self.sources, Self.targets).map { "\($0)\t\($1)" }.joined(separator: "\n") + "\n", "pairs.tsv",
            in: directory)
        let output = directory.appendingPathComponent("model").path
        let arguments = [
            "train", "seq2seq", "--train", tsv, "--test", tsv, "--arch", "transformer", "--layers", "1",
            "--model-size", "16", "--heads", "2", "--feed-forward", "32", "--epochs", "40", "--batch-size", "3",
            "--lr", "0.01", "--seed", "1", "--report-every", "1000", "--output", output,
        ]
        let executable = try MontagueExecutable.locate()
        let trained = try executable.run(arguments)
        #expect(trained.status == 0, "stderr: \(trained.standardError)")
        #expect(trained.standardOutput.contains("arch: transformer  layers: 1  model size: 16  heads: 2"))
        #expect(trained.standardOutput.contains("exact match: 1.0000 (6/6)"), "\(trained.standardOutput)")
        // Resuming with more epochs continues from step 80 with the saved settings.
        let resumed = try executable.run(["train", "seq2seq", "--train", tsv, "--epochs", "41", "--output", output])
        #expect(resumed.status == 0, "stderr: \(resumed.standardError)")
        #expect(resumed.standardOutput.contains("resumed from"))
        #expect(resumed.standardOutput.contains("steps: 82"), "\(resumed.standardOutput)")

        let input = try Self.write("walk twice\njump thrice\n", "input.txt", in: directory)
        for beam in ["1", "3"] {
            let predicted = try executable.run(["predict", output, "--input", input, "--beam", beam])
            #expect(predicted.status == 0, "stderr: \(predicted.standardError)")
            #expect(predicted.standardOutput == "marche marche\nsaute saute saute\n")
        }
        let evaluated = try executable.run(["evaluate", output, "--data", tsv])
        #expect(evaluated.status == 0 && evaluated.standardOutput.contains("exact match: 1.0000 (6/6)"))
        // Copying the source shares no word with the targets.
        #expect(evaluated.standardOutput.contains("copying the source: 0.00"), "\(evaluated.standardOutput)")

        // Recurrent-only flags are refused for a Transformer, and the reverse.
        let wrong = try executable.run(["train", "seq2seq", "--train", tsv, "--arch", "transformer", "--hidden", "8"])
        #expect(wrong.status == 2 && wrong.standardError.contains("--hidden does not apply to --arch transformer"))
        let wrongHeads = try executable.run(["train", "seq2seq", "--train", tsv, "--heads", "2"])
        #expect(wrongHeads.status == 2 && wrongHeads.standardError.contains("--arch transformer"))
        let indivisible = try executable.run([
            "train", "seq2seq", "--train", tsv, "--arch", "transformer", "--model-size", "10", "--heads", "4",
        ])
        #expect(indivisible.status == 2 && indivisible.standardError.contains("not divisible"))
    }

    /// `evaluate --data` reports corpus BLEU against the targets and the sources and the BLEU of copying the
    /// source: on pairs whose target is their source, copying scores 100 and the two BLEUs of the outputs agree.
    @Test func evaluateReportsBLEUAgainstTargetsAndSources() throws {
        let directory = try Self.makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let sentences = [
            "the cat sat on the mat", "a dog ran in the park today", "she reads a long book at night",
            "we walk to the old town", "the sun shines on the sea",
        ]
        let tsv = try Self.write(
            sentences.map { "\($0)\t\($0)" }.joined(separator: "\n") + "\n", "copy.tsv", in: directory)
        let output = directory.appendingPathComponent("model").path
        let trained = try executable().run([
            "train", "seq2seq", "--train", tsv, "--hidden", "8", "--embedding", "4", "--steps", "1", "--seed", "1",
            "--max-length", "8", "--output", output,
        ])
        #expect(trained.status == 0, "stderr: \(trained.standardError)")
        let evaluated = try executable().run(["evaluate", output, "--data", tsv, "--json"])
        #expect(evaluated.status == 0, "stderr: \(evaluated.standardError)")
        let scores = try JSONSerialization.jsonObject(with: Data(evaluated.standardOutput.utf8)) as? [String: Double]
        #expect(abs((scores?[tsv + ".copy_bleu"] ?? 0) - 100) < 1e-9)
        let bleu = try #require(scores?[tsv + ".bleu"])
        #expect(bleu >= 0 && bleu < 100)
        #expect(scores?[tsv + ".source_bleu"] == bleu)
        let text = try executable().run(["evaluate", output, "--data", tsv])
        #expect(text.standardOutput.contains(String(format: "BLEU: %.2f  source-BLEU: %.2f", bleu, bleu)))
        #expect(text.standardOutput.contains("copying the source: 100.00"), "\(text.standardOutput)")
    }

    @Test func alignedFilesWithSubwordsRoundTripText() throws {
        let directory = try Self.makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = try Self.write(Self.sources.joined(separator: "\n") + "\n", "src.txt", in: directory)
        let target = try Self.write(Self.targets.joined(separator: "\n") + "\n", "tgt.txt", in: directory)
        let output = directory.appendingPathComponent("model").path
        let trained = try executable().run([
            "train", "seq2seq", "--train", source, "--train-target", target, "--tokenizer", "bpe:270",
            "--hidden", "32", "--embedding", "16", "--epochs", "50", "--batch-size", "3", "--lr", "0.02",
            "--seed", "1", "--report-every", "1000", "--output", output,
        ])
        #expect(trained.status == 0, "stderr: \(trained.standardError)")
        #expect(trained.standardOutput.contains("tokenizer: subwords"))
        #expect(FileManager.default.fileExists(atPath: output + "/tokenizer.json"))
        let manifest = try String(contentsOfFile: output + "/manifest.json", encoding: .utf8)
        #expect(manifest.contains("tokenizer.json"))
        // Predictions come back as text (pieces decoded), not as pieces.
        let input = try Self.write("walk\n", "input.txt", in: directory)
        let predicted = try executable().run(["predict", output, "--input", input, "--json"])
        #expect(predicted.status == 0, "stderr: \(predicted.standardError)")
        #expect(!predicted.standardOutput.contains("Ġ") && predicted.standardOutput.contains("\"input\":\"walk\""))
    }

    @Test func misalignedAndMalformedInputIsLocated() throws {
        let directory = try Self.makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = try Self.write("a\nb\n", "src.txt", in: directory)
        let target = try Self.write("A\nB\nC\n", "tgt.txt", in: directory)
        let misaligned = try executable().run(["train", "seq2seq", "--train", source, "--train-target", target])
        #expect(misaligned.status == 2)
        #expect(misaligned.standardError.hasPrefix("\(target):3: error: this line has no partner"))
        let tsv = try Self.write("a\tA\nb B\n", "bad.tsv", in: directory)
        let malformed = try executable().run(["train", "seq2seq", "--train", tsv])
        #expect(malformed.status == 2 && malformed.standardError.hasPrefix("\(tsv):2:4: error:"))
        let tmx = try Self.write(
            """
            <?xml version="1.0"?><tmx version="1.4"><header srclang="en"/><body>
            <tu tuid="1"><tuv xml:lang="en"><seg>walk twice</seg></tuv><tuv xml:lang="fr"><seg>marche marche</seg></tuv></tu>
            <tu tuid="2"><tuv xml:lang="en"><seg>jump</seg></tuv><tuv xml:lang="fr"><seg>saute</seg></tuv></tu>
            </body></tmx>
            """, "memory.tmx", in: directory)
        let noLanguages = try executable().run(["train", "seq2seq", "--train", tmx])
        #expect(noLanguages.status == 2 && noLanguages.standardError.contains("en, fr"))
        let fromTMX = try executable().run([
            "train", "seq2seq", "--train", tmx, "--source-language", "en", "--target-language", "fr", "--steps", "2",
            "--hidden", "8", "--embedding", "4",
        ])
        #expect(fromTMX.status == 0, "stderr: \(fromTMX.standardError)")
        #expect(fromTMX.standardOutput.contains("train pairs: 2"))
        let wrongLanguage = try executable().run([
            "train", "seq2seq", "--train", tmx, "--source-language", "en", "--target-language", "de",
        ])
        #expect(
            wrongLanguage.status == 2 && wrongLanguage.standardError.hasPrefix("\(tmx): error: no translation unit"))
    }

    @Test func corpusVocabAndExportWriteSubwordPieces() throws {
        let directory = try Self.makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let text = try Self.write(
            (Self.sources + Self.targets + ["naïve café 東京"]).joined(separator: "\n") + "\n", "c.txt", in: directory)
        let tokenizer = directory.appendingPathComponent("tok.json").path
        let vocabulary = directory.appendingPathComponent("v.json").path
        let vocab = try executable().run([
            "corpus", "vocab", text, "--format", "text", "--tokenizer", "unigram:300", "--save-tokenizer", tokenizer,
            "--output", vocabulary,
        ])
        #expect(vocab.status == 0, "stderr: \(vocab.standardError)")
        #expect(vocab.standardOutput.contains("100.00% of tokens covered"))
        #expect(FileManager.default.fileExists(atPath: tokenizer) && FileManager.default.fileExists(atPath: vocabulary))
        let exported = directory.appendingPathComponent("pieces.txt").path
        let export = try executable().run([
            "corpus", "export", text, "--format", "text", "--tokenizer", tokenizer, "--tokenize", "--to", "txt",
            "--output", exported,
        ])
        #expect(export.status == 0, "stderr: \(export.standardError)")
        let lines = try String(contentsOfFile: exported, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 13 && lines[0].hasPrefix("▁"))
        let stats = try executable().run(["corpus", "stats", text, "--format", "text", "--tokenizer", "bpe:300"])
        #expect(stats.status == 2)
        let bad = try executable().run(["corpus", "vocab", text, "--format", "text", "--tokenizer", "bpe:12"])
        #expect(bad.status == 2 && bad.standardError.contains("bpe:12"))
    }

    private func executable() throws -> MontagueExecutable { try MontagueExecutable.locate() }
}
