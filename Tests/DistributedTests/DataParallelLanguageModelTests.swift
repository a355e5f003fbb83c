import Autodiff
import Foundation
import NeuralNet
import Testing

/// `mpirun -np 2 montague train lm` end to end: the same model as one process with twice the batch, the same after
/// resuming, one model directory, and a clear failure when the corpus is missing.
@Suite(
    "montague train lm under mpirun", .serialized,
    .enabled(
        if: RankProgram.skipReason == nil,
        "mpirun not found on PATH: install Open MPI (make setup) to run the 2-rank tests"))
struct DataParallelLanguageModelTests {
    /// 24 short sentences over 10 words, the same on every run.
    static func corpus(in directory: URL) throws -> URL {
        let words = ["the", "cat", "dog", "sat", "on", "mat", "a", "big", "red", "ran"]
        var generator = RandomGenerator(seed: 3)
        let lines = (0..<24).map { _ in
            (0..<(3 + generator.nextInt(below: 5))).map { _ in words[generator.nextInt(below: words.count)] }
                .joined(separator: " ")
        }
        let url = directory.appendingPathComponent("train.txt")
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    static func weights(_ directory: URL) throws -> [String: Tensor] {
        try SafetensorsFile(contentsOf: directory.appendingPathComponent("weights.safetensors")).tensors()
    }

    static func largestDifference(_ a: [String: Tensor], _ b: [String: Tensor]) -> Float {
        a.keys.map { key in
            zip(a[key]?.scalars ?? [], b[key]?.scalars ?? [.infinity]).map { abs($0 - $1) }.max() ?? .infinity
        }.max() ?? .infinity
    }

    @Test("2 ranks × batch 4 give the model of 1 process × batch 8, also after resuming; another rank count resumes")
    func equivalence() throws {
        let program = try RankProgram.locate()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("montague-mpi-lm-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let train = try Self.corpus(in: directory).path
        let one = directory.appendingPathComponent("one")
        let two = directory.appendingPathComponent("two")
        func arguments(_ output: URL, batch: Int, steps: Int) -> [String] {
            [
                "train", "lm", "--train", train, "--steps", "\(steps)", "--batch-size", "\(batch)", "--hidden", "8",
                "--embedding", "4", "--eval-every", "2", "--output", output.path,
                "--metrics", output.path + ".jsonl",
            ]
        }
        for steps in [3, 5] {  // 3 steps, then resumed to 5
            let single = try program.run(
                arguments(one, batch: 8, steps: steps), ranks: nil, executable: program.montague)
            let parallel = try program.run(
                arguments(two, batch: 4, steps: steps), ranks: 2, executable: program.montague)
            #expect(single.status == 0, "\(single.standardError)")
            #expect(parallel.status == 0, "\(parallel.standardError)")
            #expect(parallel.standardOutput.components(separatedBy: "data-parallel training on 2 ranks").count == 2)
            #expect(parallel.standardOutput.components(separatedBy: "trained \(steps) steps").count == 2)
            let difference = Self.largestDifference(try Self.weights(one), try Self.weights(two))
            #expect(difference < 1e-5, "largest weight difference after \(steps) steps: \(difference)")
        }
        // A run trained by one process continues on two ranks (rank 0 reads the state and broadcasts it).
        let continued = try program.run(
            arguments(one, batch: 8, steps: 7), ranks: 2, executable: program.montague)
        #expect(continued.status == 0, "\(continued.standardError)")
        #expect(continued.standardOutput.contains("trained 7 steps"))
        let log = try String(contentsOf: URL(fileURLWithPath: two.path + ".jsonl"), encoding: .utf8)
        #expect(log.split(separator: "\n").filter { $0.contains("\"step\":5") }.count == 1, "one writer: \(log)")
    }

    @Test("a missing corpus ends every rank with the file's error and status 2")
    func missingCorpus() throws {
        let program = try RankProgram.locate()
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("montague-mpi-none-\(UUID())")
        defer { try? FileManager.default.removeItem(at: output) }
        let result = try program.run(
            ["train", "lm", "--train", "/nonexistent/corpus.txt", "--output", output.path], ranks: 2, timeout: 60,
            executable: program.montague)
        #expect(!result.timedOut)
        #expect(result.status == 2)
        #expect(result.standardError.contains("of 2: /nonexistent/corpus.txt: error:"), "\(result.standardError)")
    }
}
