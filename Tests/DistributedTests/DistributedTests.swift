import Autodiff
import Foundation
import NeuralNet
import Testing

@testable import Distributed

/// The Distributed module in one process: launcher detection, the single-process group, sharding arithmetic,
/// the synchronizer's identity, and the errors of a missing or foreign MPI library.
@Suite("Distributed, single process")
struct SingleProcessTests {
    @Test("no launcher variables: a single-process world whose operations are identities")
    func singleProcessWorld() throws {
        let world = try ProcessGroup.world(environment: ["PATH": "/usr/bin"])
        #expect(world.rank == 0 && world.size == 1 && world.isMainRank)
        #expect(world.backendDescription == "single process")
        var buffer: [Float] = [1, 2, 3]
        try world.allReduce(&buffer, .mean)
        try world.broadcast(&buffer, root: 0)
        try world.barrier()
        #expect(buffer == [1, 2, 3])
        #expect(try world.broadcast(bytes: [7, 8], root: 0) == [7, 8])
        #expect(try world.gather(["loss": 0.5], root: 0) == [["loss": 0.5]])
        #expect(throws: DistributedError.self) { try world.broadcast(&buffer, root: 1) }
        try world.finalize()
    }

    @Test(
        "launchers are recognized by their environment",
        arguments: [
            (["OMPI_COMM_WORLD_SIZE": "4", "OMPI_COMM_WORLD_RANK": "3"], true, 3, 4),
            (["PMIX_RANK": "1"], true, 1, nil),
            (["PMI_SIZE": "2", "PMI_RANK": "0"], true, 0, 2),
            (["HOME": "/root"], false, nil, nil),
        ] as [([String: String], Bool, Int?, Int?)])
    func launchEnvironment(environment: [String: String], launched: Bool, rank: Int?, size: Int?) {
        let launch = LaunchEnvironment(environment)
        #expect(launch.isLaunchedByMPI == launched)
        #expect(launch.announcedRank == rank)
        #expect(launch.announcedSize == size)
    }

    @Test("launcher variables with any text give a launch description, never a trap (seeded mutation fuzz)")
    func launchEnvironmentFuzz() {
        var generator = RandomGenerator(seed: 22)
        let names = ["OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMIX_SIZE", "PMI_SIZE", "PMI_RANK"]
        let pieces = ["", "0", "1", "2", "-1", "9999999999999999999999", " 2", "2x", "é", "\u{0}", "0x10", "+3"]
        for _ in 0..<500 {
            var environment: [String: String] = [:]
            for _ in 0..<generator.nextInt(below: 4) {
                var value = ""
                for _ in 0..<generator.nextInt(below: 3) { value += pieces[generator.nextInt(below: pieces.count)] }
                environment[names[generator.nextInt(below: names.count)]] = value
            }
            let launch = LaunchEnvironment(environment)
            #expect(launch.isLaunchedByMPI == !environment.isEmpty)
            // The first launcher present (Open MPI, then PMIx, then PMI) announces the size, if it is a number.
            let pairs = [
                ("OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK"), ("PMIX_SIZE", "PMIX_RANK"), ("PMI_SIZE", "PMI_RANK"),
            ]
            let announcing = pairs.first { environment[$0.0] != nil || environment[$0.1] != nil }
            let size = announcing.flatMap { environment[$0.0] }.flatMap { Int($0) }
            #expect(launch.announcedSize == size)
            let refused: Bool
            do {
                try launch.requireSingleProcess("fuzz")
                refused = false
            } catch {
                refused = true
            }
            #expect(refused == (size.map { $0 > 1 } ?? false))
        }
    }

    @Test("commands without data parallelism refuse several ranks, and accept one")
    func singleProcessOnly() throws {
        #expect(throws: DistributedError.singleProcessOnly(command: "train vae", ranks: 2)) {
            try LaunchEnvironment(["OMPI_COMM_WORLD_SIZE": "2"]).requireSingleProcess("train vae")
        }
        try LaunchEnvironment(["OMPI_COMM_WORLD_SIZE": "1"]).requireSingleProcess("train vae")
        try LaunchEnvironment([:]).requireSingleProcess("train vae")
    }

    @Test("a missing library and a library that is not Open MPI are reported, naming what was tried")
    func libraryErrors() {
        #expect(throws: DistributedError.self) {
            try OpenMPILibrary(candidates: ["/nonexistent/libmpi.so.40"])
        }
        do {
            _ = try OpenMPILibrary(candidates: ["/nonexistent/libmpi.so.40"])
        } catch {
            #expect(error.description.contains("/nonexistent/libmpi.so.40"))
            #expect(error.description.contains("MONTAGUE_MPI_LIBRARY"))
        }
        #if os(Linux)
        do {
            _ = try OpenMPILibrary(candidates: ["libc.so.6"])
            Issue.record("libc was accepted as an MPI library")
        } catch {
            #expect(error == .missingSymbol(library: "libc.so.6", symbol: "ompi_mpi_comm_world"))
        }
        #endif
    }

    @Test("shard parts cover a batch exactly once, sizes differing by at most one", arguments: [1, 2, 3, 4, 7])
    func partsCoverBatch(count: Int) {
        for size in 0..<20 {
            let batch = 5..<(5 + size)
            let parts = (0..<count).map { DataShard(index: $0, count: count).part(of: batch) }
            #expect(parts.flatMap { Array($0) } == Array(batch))
            let sizes = parts.map(\.count)
            #expect((sizes.max() ?? 0) - (sizes.min() ?? 0) <= 1)
        }
    }

    @Test("global batches: N·B examples each; a tail too small for every replica joins the batch before it")
    func globalBatches() throws {
        let two = DataShard(index: 0, count: 2)
        #expect(try two.globalBatches(exampleCount: 9, batchSizePerReplica: 2) == [0..<4, 4..<9])
        #expect(try two.globalBatches(exampleCount: 10, batchSizePerReplica: 2) == [0..<4, 4..<8, 8..<10])
        #expect(try DataShard.whole.globalBatches(exampleCount: 5, batchSizePerReplica: 2) == [0..<2, 2..<4, 4..<5])
        #expect(throws: TrainingError.tooFewExamples(examples: 1, replicas: 2)) {
            try two.globalBatches(exampleCount: 1, batchSizePerReplica: 3)
        }
    }

    @Test("the distributed sampler visits every example once per epoch over the replicas, in a seeded order")
    func samplerCoversEpoch() throws {
        for count in 1...4 {
            for exampleCount in [count, 9, 17] {
                for epoch in 0..<3 {
                    let visited = try (0..<count).flatMap {
                        try DataShard(index: $0, count: count).epochBatches(
                            exampleCount: exampleCount, batchSizePerReplica: 3, epoch: epoch, seed: 42
                        ).joined()
                    }
                    #expect(visited.sorted() == Array(0..<exampleCount))
                }
            }
        }
        let shard = DataShard(index: 1, count: 2)
        let first = try shard.epochBatches(exampleCount: 20, batchSizePerReplica: 2, epoch: 0, seed: 1)
        #expect(try shard.epochBatches(exampleCount: 20, batchSizePerReplica: 2, epoch: 0, seed: 1) == first)
        #expect(try shard.epochBatches(exampleCount: 20, batchSizePerReplica: 2, epoch: 1, seed: 1) != first)
    }

    @Test("scratch directories of ended processes are deleted; those of running processes and foreign names stay")
    func staleScratch() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("montague-scratch-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let ended = Process()
        ended.executableURL = URL(fileURLWithPath: "/bin/true")
        try ended.run()
        ended.waitUntilExit()
        let (dead, alive) = (ended.processIdentifier, ProcessInfo.processInfo.processIdentifier)
        let names = [
            "montague-rank-1-\(dead)-A", "montague-rank-1-\(alive)-B", "montague-rank-1-C", "other-1-\(dead)-D",
        ]
        for name in names {
            try FileManager.default.createDirectory(
                at: directory.appendingPathComponent(name).appendingPathComponent("model"),
                withIntermediateDirectories: true)
        }
        #expect(RankOutput.removeStaleScratch(in: directory) == [names[0]])
        let left = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(left == names.dropFirst().sorted())
    }

    @Test("replica 0's metrics, archives and decisions pass through a one-process synchronizer unchanged")
    func singleProcessBroadcasts() throws {
        let synchronizer = DataParallelSynchronizer(group: ProcessGroup.singleProcess())
        let metrics = ["loss": 0.25, "perplexity": Double.infinity]
        #expect(try synchronizer.broadcastFromFirstReplica(metrics) == metrics)
        #expect(try synchronizer.firstReplicaDecides(true))
        var archive = TrainingStateArchive()
        archive["step"] = "3"
        #expect(try synchronizer.broadcastFromFirstReplica(archive)["step"] == "3")
        try synchronizer.verifyIdenticalParameters([Tensor([1, 2, 3])])
    }

    @Test("a synchronizer over one process returns gradients and metrics unchanged")
    func singleProcessSynchronizer() throws {
        let synchronizer = DataParallelSynchronizer(group: .singleProcess())
        let gradient = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
        let averaged = try synchronizer.averageGradients([gradient], weight: 3)
        #expect(averaged.map(\.scalars) == [[1, 2, 3, 4]])
        #expect(try synchronizer.averageMetrics(["loss": 2], weight: 5) == ["loss": 2])
        #expect(synchronizer.shard == .whole)
    }

    @Test("metric-name fingerprints differ for different names and fit a Double exactly")
    func fingerprints() {
        let a = DataParallelSynchronizer.fingerprint(of: ["gradient_norm", "loss"])
        let b = DataParallelSynchronizer.fingerprint(of: ["loss"])
        #expect(a != b)
        #expect(UInt64(Double(a)) == a)
    }
}

/// The Distributed module on two ranks of one machine: `mpirun --allow-run-as-root --oversubscribe -np 2` starts
/// the `DistributedRankCheck` program, whose rank 0 reports what every rank saw. Skipped, saying so, without
/// `mpirun`.
@Suite(
    "Distributed, two ranks under mpirun", .serialized,
    .enabled(
        if: RankProgram.skipReason == nil,
        "mpirun not found on PATH: install Open MPI (make setup) to run the 2-rank tests"))
struct TwoRankTests {
    @Test("barrier, broadcast, all-reduce (sum, mean, maximum), gather, and MPI errors thrown with MPI's message")
    func operations() throws {
        let result = try RankProgram.locate().run(["operations"], ranks: 2)
        #expect(result.status == 0, "\(result.standardError)")
        let report = try result.report()
        let keys = try #require(report["keys"] as? [String])
        let ranks = try #require(report["ranks"] as? [[Double]])
        #expect(ranks.count == 2)
        for (rank, row) in ranks.enumerated() {
            let seen = Dictionary(uniqueKeysWithValues: zip(keys, row))
            #expect(seen["rank"] == Double(rank))
            #expect(seen["size"] == 2)
            #expect(seen["floats"] == 2.5)  // 1.5 - 2 + 3, from rank 0
            #expect(seen["bytes"] == 11)
            #expect(seen["sum0"] == 3 && seen["sum1"] == 6)
            #expect(seen["mean0"] == 1.5 && seen["mean1"] == 3)
            #expect(seen["max0"] == 1 && seen["max1"] == 0)
            #expect(seen["large"] == 1)
        }
        #expect(report["text"] as? String == "from rank 0")
        #expect((report["mismatch"] as? String)?.contains("the ranks disagree") == true)
        #expect((report["badRoot"] as? String)?.contains("root 2 is not a rank") == true)
        let mpiError = try #require(report["mpiError"] as? String)
        #expect(mpiError.contains("MPI_Bcast failed (MPI error"), "\(mpiError)")
        #expect(mpiError.lowercased().contains("count"), "MPI's own message names the count: \(mpiError)")
        #expect((report["backend"] as? String)?.contains("Open MPI") == true)
    }

    @Test("2 ranks × batch B train the same parameters as 1 process × batch 2B (SGD, float tolerance)")
    func equivalence() throws {
        let program = try RankProgram.locate()
        let single = try program.run(["equivalence", "4", "10"], ranks: nil)
        let double = try program.run(["equivalence", "2", "10"], ranks: 2)
        #expect(single.status == 0 && double.status == 0, "\(single.standardError)\(double.standardError)")
        let one = try single.report()
        let two = try double.report()
        let a = try #require(one["parameters"] as? [Double])
        let b = try #require(two["parameters"] as? [Double])
        #expect(a.count == 21 && b.count == 21)
        let difference = zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
        #expect(difference < 1e-5, "largest parameter difference \(difference)")
        #expect(abs((one["loss"] as? Double ?? 0) - (two["loss"] as? Double ?? 1)) < 1e-5)
        #expect(two["ranksAgree"] as? Bool == true)
        #expect((two["messages"] as? Double ?? 0) > 10, "the 32-byte buckets split every exchange")
        // The initial parameters differ per rank in the program: agreement proves rank 0's were broadcast.
        let unsynchronized = try program.run(["equivalence", "2", "10"], ranks: nil)
        let c = try #require(try unsynchronized.report()["parameters"] as? [Double])
        #expect(zip(a, c).map { abs($0 - $1) }.max() ?? 0 > 1e-4, "batch B alone must train differently")
    }

    @Test("the distributed sampler gives each example to exactly one rank per epoch")
    func sharding() throws {
        let result = try RankProgram.locate().run(["sharding", "9", "2"], ranks: 2)
        #expect(result.status == 0, "\(result.standardError)")
        let visited = try #require(try result.report()["visited"] as? [[Double]])
        #expect(visited.count == 2)
        #expect(visited.allSatisfy { !$0.isEmpty })
        #expect(visited.joined().map { Int($0) }.sorted() == Array(0..<18))
    }

    @Test("only rank 0 writes checkpoints and metrics")
    func rankZeroWrites() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("montague-mpi-writes-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try RankProgram.locate().run(["writes", directory.path], ranks: 2)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(try result.report()["writer"] as? Bool == true)
        let rank0 = directory.appendingPathComponent("rank-0")
        let rank1 = directory.appendingPathComponent("rank-1")
        #expect(FileManager.default.fileExists(atPath: rank0.appendingPathComponent("state.safetensors").path))
        #expect(!FileManager.default.fileExists(atPath: rank1.appendingPathComponent("state.safetensors").path))
        let log0 = (try? Data(contentsOf: rank0.appendingPathComponent("metrics.jsonl"))) ?? Data()
        let log1 = (try? Data(contentsOf: rank1.appendingPathComponent("metrics.jsonl"))) ?? Data()
        #expect(log0.split(separator: UInt8(ascii: "\n")).count == 4)
        #expect(log1.isEmpty)
    }

    @Test("a rank that fails stops the whole job with its message and a non-zero status")
    func failingRank() throws {
        let result = try RankProgram.locate().run(["fail"], ranks: 2, timeout: 60)
        #expect(!result.timedOut)
        #expect(result.status != 0)
        #expect(result.standardError.contains("rank 1 of 2: error: reading the corpus: rank 1's shard is unreadable"))
    }

    @Test("a rank that exits without finalizing stops the job")
    func crashingRank() throws {
        let result = try RankProgram.locate().run(["crash"], ranks: 2, timeout: 60)
        #expect(!result.timedOut)
        #expect(result.status != 0)
    }

    @Test("ranks stuck in mismatched collective calls end after MONTAGUE_MPI_TIMEOUT instead of hanging")
    func stalledRanks() throws {
        let result = try RankProgram.locate().run(
            ["stall"], ranks: 2, environment: ["MONTAGUE_MPI_TIMEOUT": "2"], timeout: 60)
        #expect(!result.timedOut)
        #expect(result.status != 0)
        #expect(result.standardError.contains("waited more than 2.0 s for the other ranks"), "\(result.standardError)")
    }
}
