import Autodiff
import Distributed
import Foundation
import NeuralNet

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Data-parallel benchmarks, run alone and under `mpirun` (they need several processes, so they are not harness
/// cases):
///
///     MontagueBenchmarks --distributed [--quick]                      # 1 rank
///     mpirun -np 2 MontagueBenchmarks --distributed [--quick]         # 2 ranks
///
/// 1. All-reduce (sum of Float buffers) latency and bandwidth against the message size, 4 B … 64 MiB, with the
///    bus bandwidth of NCCL-tests' convention (`algorithm bandwidth · 2(n − 1)/n`, the bytes each rank must send in
///    a ring or reduce-scatter/all-gather all-reduce) and, for reference, a `memcpy` of the same size in one process.
/// 2. The LSTM language-model training step (vocabulary 10,000, embedding 128, hidden 256, batch 32 sequences of 35
///    tokens per rank, full softmax, Adam), with the gradient exchange (about 4.2 M parameters, 17 MB) timed apart.
///
/// Rank 0 prints one JSON line per measurement on standard output and a Markdown table on standard error.
enum DistributedBenchmarks {
    static func run(_ arguments: [String]) -> Never {
        let quick = arguments.contains("--quick")
        do {
            let world = try ProcessGroup.world()
            if world.size > 1 { try allReduceBandwidth(world, quick: quick) }  // one rank has nothing to exchange
            try languageModelStep(world, quick: quick)
            try world.finalize()
            exit(0)
        } catch {
            printError("error: \(error)")
            exit(2)
        }
    }

    static func report(_ world: ProcessGroup, _ fields: [String: Any]) {
        guard world.isMainRank,
            let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
        else { return }
        print(String(decoding: data, as: UTF8.self))
    }

    static func now() -> Double { ProcessInfo.processInfo.systemUptime }

    static func cpuSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    static func allReduceBandwidth(_ world: ProcessGroup, quick: Bool) throws {
        if world.isMainRank {
            printError("| bytes | latency µs | algorithm GB/s | bus GB/s | memcpy GB/s (1 process) |")
            printError("|---:|---:|---:|---:|---:|")
        }
        var bytes = 4
        while bytes <= (quick ? 4 << 20 : 64 << 20) {
            let count = bytes / 4
            var buffer = [Float](repeating: 1, count: count)
            let iterations = max(3, min(quick ? 20 : 100, (quick ? 16 : 64) * (1 << 20) / bytes))
            for _ in 0..<3 { try world.allReduce(&buffer) }  // warm up: connections, registrations
            try world.barrier()
            let start = now()
            for _ in 0..<iterations {
                buffer.withUnsafeMutableBufferPointer { $0.update(repeating: 1) }
                try world.allReduce(&buffer)
            }
            var seconds = [(now() - start) / Double(iterations)]
            try world.allReduce(&seconds, .maximum)  // the slowest rank's time
            // The refill is part of the loop; measure it alone and subtract.
            let refillStart = now()
            for _ in 0..<iterations { buffer.withUnsafeMutableBufferPointer { $0.update(repeating: 1) } }
            let refill = (now() - refillStart) / Double(iterations)
            let perCall = max(seconds[0] - refill, 1e-9)
            var source = [Float](repeating: 2, count: count)
            let copyStart = now()
            for _ in 0..<iterations {
                source.withUnsafeMutableBytes { from in
                    buffer.withUnsafeMutableBytes { to in
                        if let to = to.baseAddress, let from = from.baseAddress { memcpy(to, from, bytes) }
                    }
                }
                blackHole(buffer)
            }
            let copy = max((now() - copyStart) / Double(iterations), 1e-9)
            let algorithm = Double(bytes) / perCall / 1e9
            let bus = algorithm * 2 * Double(world.size - 1) / Double(world.size)
            report(
                world,
                [
                    "case": "allreduce float sum", "ranks": world.size, "bytes": bytes, "iterations": iterations,
                    "latency_us": perCall * 1e6, "algorithm_GBps": algorithm, "bus_GBps": bus,
                    "memcpy_GBps": Double(bytes) / copy / 1e9, "backend": world.backendDescription,
                ])
            if world.isMainRank {
                printError(
                    String(
                        format: "| %d | %.1f | %.3f | %.3f | %.2f |", bytes, perCall * 1e6, algorithm, bus,
                        Double(bytes) / copy / 1e9))
            }
            bytes *= 4
        }
    }

    static func languageModelStep(_ world: ProcessGroup, quick: Bool) throws {
        let (vocabulary, embeddingSize, hiddenSize, batch, length) = (10_000, 128, 256, 32, 35)
        var initialization = RandomGenerator(seed: 0)
        let model = LanguageModel(
            vocabularySize: vocabulary, embeddingSize: embeddingSize, hiddenSize: hiddenSize, using: &initialization)
        let adam = Adam(model.parameters, learningRate: 1e-3)
        let synchronizer = DataParallelSynchronizer(group: world)
        // Each rank its own random sequences of length + 1 tokens (the same shapes on every rank).
        var data = RandomGenerator(seed: 100 + UInt64(world.rank))
        let sequences = (0..<batch).map { _ in (0...length).map { _ in data.nextInt(below: vocabulary) } }
        let languageBatch = LanguageModelBatch(sequences: sequences)
        let weight = Double(languageBatch.lengths.reduce(0, +))
        let (warmup, steps) = quick ? (1, 3) : (2, 12)
        var computeSeconds = 0.0
        var computeCPU = 0.0
        var exchangeBefore = synchronizer.statistics
        var start = 0.0
        var cpuStart = 0.0
        for step in 0..<(warmup + steps) {
            if step == warmup {
                try world.barrier()
                computeSeconds = 0
                computeCPU = 0
                exchangeBefore = synchronizer.statistics
                start = now()
                cpuStart = cpuSeconds()
            }
            let computeStart = now()
            let cpuComputeStart = cpuSeconds()
            let loss = model.loss(languageBatch)
            var grads = gradients(of: loss, wrt: model.parameterValues)
            computeSeconds += now() - computeStart
            computeCPU += cpuSeconds() - cpuComputeStart
            grads = try synchronizer.averageGradients(grads, weight: weight)
            let updateStart = now()
            let cpuUpdateStart = cpuSeconds()
            adam.step(grads)
            computeSeconds += now() - updateStart
            computeCPU += cpuSeconds() - cpuUpdateStart
        }
        try world.barrier()
        let total = (now() - start) / Double(steps)
        let cpuTotal = (cpuSeconds() - cpuStart) / Double(steps)
        let exchange = (synchronizer.statistics.seconds - exchangeBefore.seconds) / Double(steps)
        var perRank = [total, computeSeconds / Double(steps), exchange, cpuTotal, computeCPU / Double(steps)]
        try world.allReduce(&perRank, .mean)
        let tokens = Double(world.size * batch * length)
        let bytesPerStep = (synchronizer.statistics.bytes - exchangeBefore.bytes) / max(steps, 1)
        report(
            world,
            [
                "case": "lstm-lm v10000 e128 h256 b32/rank t35 adam, data-parallel", "ranks": world.size,
                "step_seconds": perRank[0], "compute_seconds": perRank[1], "exchange_seconds": perRank[2],
                "cpu_seconds_per_rank": perRank[3], "compute_cpu_seconds_per_rank": perRank[4],
                "tokens_per_second": tokens / perRank[0], "exchange_bytes_per_step": bytesPerStep,
                "parameters": model.parameterCount, "steps": steps,
            ])
        if world.isMainRank {
            printError(
                String(
                    format:
                        "\nLSTM LM step, %d rank(s): %.3f s/step (compute %.3f s, gradient exchange %.3f s = %.0f%%), "
                        + "%.0f tokens/s over all ranks; CPU %.3f s/step per rank; %d parameters, %d bytes exchanged "
                        + "per step",
                    world.size, perRank[0], perRank[1], perRank[2], 100 * perRank[2] / perRank[0],
                    tokens / perRank[0], perRank[3], model.parameterCount, bytesPerStep))
        }
    }
}
