import Autodiff
import Foundation
import NeuralNet
import Testing

/// `mpirun -np 2 montague train seq2seq | gan | style-transfer | rl`: N ranks at per-rank batch B against one
/// process at batch N·B, one writer, and the refusals with their reasons.
@Suite(
    "montague train seq2seq, gan, style-transfer and rl under mpirun", .serialized,
    .enabled(
        if: RankProgram.skipReason == nil,
        "mpirun not found on PATH: install Open MPI (make setup) to run the 2-rank tests"))
struct DataParallelCommandsTests {
    /// A fresh directory, deleted by the caller.
    static func scratch(_ name: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("montague-mpi-\(name)-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// Runs `arguments` as one process with `singleBatch` and on 2 ranks with `singleBatch / 2` (the batch flag
    /// is `batchFlag`), checks both succeed and rank 0 alone reports, and returns the largest weight difference.
    static func compare(
        _ arguments: (URL) -> [String], batchFlag: String, singleBatch: Int, in directory: URL,
        expectSingleWriterLog: Bool = true
    ) throws -> Float {
        let program = try RankProgram.locate()
        let one = directory.appendingPathComponent("one")
        let two = directory.appendingPathComponent("two")
        let single = try program.run(
            arguments(one) + [batchFlag, "\(singleBatch)"], ranks: nil, executable: program.montague)
        let parallel = try program.run(
            arguments(two) + [batchFlag, "\(singleBatch / 2)"], ranks: 2, executable: program.montague)
        #expect(single.status == 0, "\(single.standardOutput)\n\(single.standardError)")
        #expect(parallel.status == 0, "\(parallel.standardOutput)\n\(parallel.standardError)")
        #expect(
            parallel.standardOutput.components(separatedBy: "data-parallel training on 2 ranks").count == 2,
            "rank 0 alone reports: \(parallel.standardOutput)")
        if expectSingleWriterLog {
            let log = try String(contentsOf: URL(fileURLWithPath: two.path + ".jsonl"), encoding: .utf8)
            let singleLog = try String(contentsOf: URL(fileURLWithPath: one.path + ".jsonl"), encoding: .utf8)
            #expect(
                log.split(separator: "\n").count == singleLog.split(separator: "\n").count,
                "one writer: the 2-rank log has as many records as the single process's\n\(log)")
        }
        return DataParallelLanguageModelTests.largestDifference(
            try DataParallelLanguageModelTests.weights(one), try DataParallelLanguageModelTests.weights(two))
    }

    /// Continues the single-process run of ``compare(_:batchFlag:singleBatch:in:expectSingleWriterLog:)`` on 2 ranks
    /// and the 2-rank run as one process (`arguments` now with the larger step budget): resuming works with another
    /// rank count, and both continuations still agree. Returns their largest weight difference.
    static func continueCrosswise(
        _ arguments: (URL) -> [String], batchFlag: String, singleBatch: Int, in directory: URL
    ) throws -> Float {
        let program = try RankProgram.locate()
        let one = directory.appendingPathComponent("one")
        let two = directory.appendingPathComponent("two")
        let onTwo = try program.run(
            arguments(one) + [batchFlag, "\(singleBatch / 2)"], ranks: 2, executable: program.montague)
        let alone = try program.run(
            arguments(two) + [batchFlag, "\(singleBatch)"], ranks: nil, executable: program.montague)
        #expect(onTwo.status == 0, "\(onTwo.standardOutput)\n\(onTwo.standardError)")
        #expect(alone.status == 0, "\(alone.standardOutput)\n\(alone.standardError)")
        return DataParallelLanguageModelTests.largestDifference(
            try DataParallelLanguageModelTests.weights(one), try DataParallelLanguageModelTests.weights(two))
    }

    @Test("seq2seq: 2 ranks × batch 4 give the model of 1 process × batch 8; each resumes the other")
    func seq2seq() throws {
        let directory = try Self.scratch("seq2seq")
        defer { try? FileManager.default.removeItem(at: directory) }
        let verbs = ["walk", "run", "jump", "look"]
        let actions = ["I_WALK", "I_RUN", "I_JUMP", "I_LOOK"]
        var lines: [String] = []
        for (index, verb) in verbs.enumerated() {
            for times in 1...3 {
                let modifier = ["", " twice", " thrice"][times - 1]
                lines.append(
                    "IN: \(verb)\(modifier) OUT: "
                        + Array(repeating: actions[index], count: times).joined(separator: " "))
            }
        }
        lines += [
            "IN: walk and run OUT: I_WALK I_RUN", "IN: jump and look OUT: I_JUMP I_LOOK",
            "IN: run and jump OUT: I_RUN I_JUMP", "IN: look and walk OUT: I_LOOK I_WALK",
        ]
        let train = directory.appendingPathComponent("train.txt")
        try (lines.joined(separator: "\n") + "\n").write(to: train, atomically: true, encoding: .utf8)
        func arguments(steps: Int) -> (URL) -> [String] {
            { output in
                [
                    "train", "seq2seq", "--train", train.path, "--hidden", "8", "--embedding", "4", "--steps",
                    "\(steps)", "--seed", "3", "--report-every", "1", "--valid", train.path, "--output", output.path,
                    "--metrics", output.path + ".jsonl",
                ]
            }
        }
        let difference = try Self.compare(arguments(steps: 4), batchFlag: "--batch-size", singleBatch: 8, in: directory)
        #expect(difference < 1e-5, "largest weight difference: \(difference)")
        let resumed = try Self.continueCrosswise(
            arguments(steps: 6), batchFlag: "--batch-size", singleBatch: 8, in: directory)
        #expect(resumed < 1e-5, "largest weight difference after resuming with the other rank count: \(resumed)")
    }

    @Test("gan: 2 ranks × batch 16 give the model of 1 process × batch 32 (global draws), also resumed")
    func gan() throws {
        let directory = try Self.scratch("gan")
        defer { try? FileManager.default.removeItem(at: directory) }
        func arguments(steps: Int, resume: Bool = false) -> (URL) -> [String] {
            { output in
                [
                    "train", "gan", "--data", "ring8", "--toy-count", "200", "--hidden", "8", "--layers", "1",
                    "--noise", "2", "--steps", "\(steps)", "--log-every", "1", "--seed", "5", "--output", output.path,
                    "--metrics", output.path + ".jsonl",
                ] + (resume ? ["--resume"] : [])
            }
        }
        let difference = try Self.compare(
            arguments(steps: 4), batchFlag: "--batch-size", singleBatch: 32, in: directory)
        #expect(difference < 1e-5, "largest weight difference: \(difference)")
        // A resumed GAN keeps its stored per-rank batch size, so each run continues with its own rank count.
        let resumed = try Self.compare(
            arguments(steps: 6, resume: true), batchFlag: "--batch-size", singleBatch: 32, in: directory)
        #expect(resumed < 1e-5, "largest weight difference after resuming: \(resumed)")
    }

    @Test(
        "style-transfer (cross-aligned, no dropout, equal lengths): 2 ranks × batch 4 give the model of 1 process × batch 8"
    )
    func styleTransfer() throws {
        let directory = try Self.scratch("style")
        defer { try? FileManager.default.removeItem(at: directory) }
        let words = [["good", "great", "fine", "nice"], ["bad", "awful", "poor", "sad"]]
        var generator = RandomGenerator(seed: 4)
        var styles: [String] = []
        for (style, adjectives) in words.enumerated() {
            // Sentences of one length: the soft decoding runs for the longest sentence of a rank's batch, which
            // would otherwise differ between a rank's part and the whole batch.
            let nouns = ["food", "room", "staff", "view"]
            let lines = (0..<24).map { _ in
                ["the", nouns[generator.nextInt(below: 4)], "was", adjectives[generator.nextInt(below: 4)], "today"]
                    .joined(separator: " ")
            }
            let url = directory.appendingPathComponent("style\(style).txt")
            try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
            styles += ["--style", "s\(style)=\(url.path)"]
        }
        let difference = try Self.compare(
            { output in
                ["train", "style-transfer", "--method", "cross-aligned"] + styles + [
                    "--output", output.path, "--metrics", output.path + ".jsonl", "--steps", "3",
                    "--embedding-size", "4", "--style-size", "3", "--content-size", "4", "--filter-widths", "1,2",
                    "--filter-count", "2", "--dropout", "0", "--classifier-epochs", "0", "--lm-steps", "0",
                    "--valid-fraction", "0.1",
                ]
            }, batchFlag: "--batch-size", singleBatch: 8, in: directory)
        #expect(difference < 1e-5, "largest weight difference: \(difference)")
    }

    @Test("a time limit stops every rank after the same step (rank 0's clock decides): no rank is left waiting")
    func timeLimit() throws {
        let program = try RankProgram.locate()
        let directory = try Self.scratch("time")
        defer { try? FileManager.default.removeItem(at: directory) }
        let train = directory.appendingPathComponent("train.txt")
        try "IN: walk OUT: I_WALK\nIN: run OUT: I_RUN\nIN: jump OUT: I_JUMP\nIN: look OUT: I_LOOK\n".write(
            to: train, atomically: true, encoding: .utf8)
        let runs = [
            [
                "train", "seq2seq", "--train", train.path, "--hidden", "8", "--embedding", "4", "--batch-size", "2",
                "--steps", "100000000", "--time-limit", "1s", "--output", directory.appendingPathComponent("s").path,
            ],
            [
                "train", "gan", "--data", "ring8", "--toy-count", "200", "--hidden", "8", "--layers", "1",
                "--batch-size", "8", "--steps", "100000000", "--time-limit", "1s", "--quiet",
                "--output", directory.appendingPathComponent("g").path,
            ],
        ]
        for arguments in runs {
            let result = try program.run(arguments, ranks: 2, timeout: 120, executable: program.montague)
            #expect(!result.timedOut, "\(arguments[1]) hung")
            #expect(result.status == 0, "\(result.standardOutput)\n\(result.standardError)")
        }
    }

    @Test("rl: a2c and ppo train on 2 ranks; off-policy methods and reinforce refuse several ranks, saying why")
    func reinforcementLearning() throws {
        let program = try RankProgram.locate()
        let directory = try Self.scratch("rl")
        defer { try? FileManager.default.removeItem(at: directory) }
        for method in ["a2c", "ppo"] {
            let output = directory.appendingPathComponent(method)
            let result = try program.run(
                [
                    "train", "rl", "--env", "CartPole-v1", "--method", method, "--steps", "512", "--eval-episodes", "1",
                    "--output", output.path,
                ],
                ranks: 2, executable: program.montague)
            #expect(result.status == 0, "\(result.standardOutput)\n\(result.standardError)")
            #expect(result.standardOutput.components(separatedBy: "data-parallel training on 2 ranks").count == 2)
            #expect(result.standardOutput.components(separatedBy: "saved ").count == 2, "rank 0 alone writes")
            #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("weights.safetensors").path))
        }
        for (method, reason) in [("dqn", "replay buffer"), ("reinforce", "whole episodes")] {
            let result = try program.run(
                [
                    "train", "rl", "--env", "CartPole-v1", "--method", method, "--steps", "64",
                    "--output", directory.appendingPathComponent(method).path,
                ],
                ranks: 2, timeout: 60, executable: program.montague)
            #expect(!result.timedOut)
            #expect(result.status == 2)
            #expect(
                result.standardError.contains("cannot train on several ranks") && result.standardError.contains(reason),
                "\(result.standardError)")
        }
    }
}
