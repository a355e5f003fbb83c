import Autodiff
import Distributed
import Foundation
import NeuralNet

// The program the Distributed tests start, alone or under `mpirun -np 2`: one scenario per run, named by the first
// argument. Rank 0 prints one JSON object with what every rank saw (gathered); the tests decode and check it.

/// Prints `value` as one JSON line on rank 0.
func report(_ value: [String: JSONValue], on world: ProcessGroup) throws {
    guard world.isMainRank else { return }
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// The JSON the scenarios report.
enum JSONValue: Codable {
    case number(Double)
    case numbers([Double])
    case text(String)
    case texts([String])
    case flag(Bool)
    case rows([[Double]])
    func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .number(let value): try container.encode(value)
        case .numbers(let value): try container.encode(value)
        case .text(let value): try container.encode(value)
        case .texts(let value): try container.encode(value)
        case .flag(let value): try container.encode(value)
        case .rows(let value): try container.encode(value)
        }
    }
    init(from decoder: Decoder) throws { self = .flag(false) }
}

/// Barrier, broadcasts, all-reduces, gathers and the errors they throw.
func operations(_ world: ProcessGroup) throws {
    try world.barrier()
    var floats: [Float] = world.isMainRank ? [1.5, -2, 3] : [0, 0, 0]
    try world.broadcast(&floats, root: 0)
    let bytes = try world.broadcast(bytes: world.isMainRank ? Array("from rank 0".utf8) : [], root: 0)
    var sum: [Float] = [Float(world.rank + 1), Float(2 * (world.rank + 1))]
    try world.allReduce(&sum, .sum)
    var mean: [Float] = [Float(world.rank + 1), Float(2 * (world.rank + 1))]
    try world.allReduce(&mean, .mean)
    var maximum: [Float] = [Float(world.rank), -Float(world.rank)]
    try world.allReduce(&maximum, .maximum)
    // A message larger than Open MPI's eager limits, so the rendezvous and segmented paths run too.
    var large = [Float](repeating: Float(world.rank + 1), count: 1 << 18)
    try world.allReduce(&large, .sum)
    let largeAgrees = large.allSatisfy { $0 == Float(world.size * (world.size + 1) / 2) }
    var mismatch = "none"
    var uneven = [Float](repeating: 0, count: world.rank + 1)
    do { try world.broadcast(&uneven, root: 0) } catch { mismatch = "\(error)" }
    var badRoot = "none"
    do {
        try world.barrier()
        _ = try world.gather(bytes: [], root: world.size)
    } catch { badRoot = "\(error)" }
    var mpiError = "none"
    do { try world.broadcastWithCount(-1) } catch { mpiError = "\(error)" }
    let seen = try world.gather(
        [
            "rank": Double(world.rank), "size": Double(world.size), "floats": floats.map(Double.init).reduce(0, +),
            "bytes": Double(bytes.count), "sum0": Double(sum[0]), "sum1": Double(sum[1]), "mean0": Double(mean[0]),
            "mean1": Double(mean[1]), "max0": Double(maximum[0]), "max1": Double(maximum[1]),
            "large": largeAgrees ? 1 : 0,
        ], root: 0)
    try report(
        [
            "ranks": .rows((seen ?? []).map { row in row.keys.sorted().compactMap { row[$0] } }),
            "keys": .texts([
                "bytes", "floats", "large", "max0", "max1", "mean0", "mean1", "rank", "size", "sum0", "sum1",
            ]),
            "text": .text(String(decoding: bytes, as: UTF8.self)), "mismatch": .text(mismatch),
            "badRoot": .text(badRoot), "mpiError": .text(mpiError), "backend": .text(world.backendDescription),
        ],
        on: world)
}

/// The toy regression all equivalence runs train: 16 examples of 3 features, a 3-4-1 tanh network, plain SGD.
func equivalence(_ world: ProcessGroup, batchSizePerReplica: Int, steps: Int) throws {
    var generator = RandomGenerator(seed: 7)
    let exampleCount = 16
    let inputs = Tensor.normal([exampleCount, 3], using: &generator)
    let targets = Tensor.normal([exampleCount, 1], using: &generator)
    var initialization = RandomGenerator(seed: UInt64(11 + world.rank))  // rank 0's parameters must win
    let model = Sequential([
        Linear(inputSize: 3, outputSize: 4, using: &initialization), Tanh(),
        Linear(inputSize: 4, outputSize: 1, using: &initialization),
    ])
    let sgd = SGD(model.parameters, learningRate: 0.1)
    let synchronizer = DataParallelSynchronizer(group: world, bucketBytes: 32)  // several buckets per exchange
    let shard = synchronizer.shard
    let batchesPerEpoch = try shard.globalBatches(exampleCount: exampleCount, batchSizePerReplica: batchSizePerReplica)
        .count
    let loop = TrainingLoop(
        model: model, optimizer: sgd,
        configuration: TrainingConfiguration(totalSteps: steps, stepsPerEpoch: batchesPerEpoch, seed: 3))
    loop.progress = nil
    loop.synchronizer = synchronizer
    func rows(_ tensor: Tensor, _ indices: [Int]) -> Tensor {
        let width = tensor.shape[1]
        return Tensor(
            shape: [indices.count, width],
            scalars: indices.flatMap { tensor.scalars[($0 * width)..<(($0 + 1) * width)] })
    }
    let summary = try loop.run { context in
        let indices = try shard.epochBatches(
            exampleCount: exampleCount, batchSizePerReplica: batchSizePerReplica, epoch: context.epoch,
            seed: context.seed)[context.indexInEpoch]
        let loss = meanSquaredError(model(rows(inputs, indices)), rows(targets, indices))
        let grads = try context.averageAcrossReplicas(
            gradients(of: loss, wrt: model.parameterValues), weight: Double(indices.count))
        sgd.step(grads)
        return ["loss": Double(loss.item)]
    }
    let parameters = model.parameterValues.flatMap(\.scalars).map(Double.init)
    let everyRank = try world.gather(parameters, root: 0) ?? []
    try report(
        [
            "parameters": .numbers(parameters), "loss": .number(summary.lastMetrics["loss"] ?? .nan),
            "ranksAgree": .flag(everyRank.allSatisfy { $0 == parameters }),
            "messages": .number(Double(synchronizer.statistics.messages)),
        ],
        on: world)
}

/// Every rank's examples over two epochs of the distributed sampler.
func sharding(_ world: ProcessGroup, exampleCount: Int, batchSizePerReplica: Int) throws {
    let shard = DataShard(index: world.rank, count: world.size)
    var visited: [Double] = []
    for epoch in 0..<2 {
        let batches = try shard.epochBatches(
            exampleCount: exampleCount, batchSizePerReplica: batchSizePerReplica, epoch: epoch, seed: 5)
        visited += batches.joined().map { Double(epoch * exampleCount + $0) }
    }
    let all = try world.gather(visited, root: 0) ?? []
    try report(["visited": .rows(all)], on: world)
}

/// A short run with a checkpoint and a metrics log per rank directory: only rank 0's may hold anything.
func writes(_ world: ProcessGroup, directory: URL) throws {
    var generator = RandomGenerator(seed: 1)
    let model = Linear(inputSize: 2, outputSize: 1, using: &generator)
    let sgd = SGD(model.parameters, learningRate: 0.05)
    let own = directory.appendingPathComponent("rank-\(world.rank)")
    try FileManager.default.createDirectory(at: own, withIntermediateDirectories: true)
    let loop = TrainingLoop(
        model: model, optimizer: sgd,
        configuration: TrainingConfiguration(
            totalSteps: 4, seed: 1, logInterval: 1, checkpointInterval: 2,
            checkpointURL: own.appendingPathComponent("state.safetensors")))
    loop.synchronizer = DataParallelSynchronizer(group: world)
    loop.metricsLogger = try MetricsLogger(url: own.appendingPathComponent("metrics.jsonl"))
    let inputs = Tensor([[1, 2]])
    let targets = Tensor([[Float(world.rank)]])
    try loop.run { context in
        let loss = meanSquaredError(model(inputs), targets)
        sgd.step(try context.averageAcrossReplicas(gradients(of: loss, wrt: model.parameterValues)))
        return ["loss": Double(loss.item)]
    }
    try world.barrier()
    try report(["writer": .flag(loop.isWritingReplica)], on: world)
}

let arguments = Array(CommandLine.arguments.dropFirst())
let world: ProcessGroup
do {
    world = try ProcessGroup.world()
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(2)
}
do {
    func number(_ index: Int, _ fallback: Int) -> Int {
        arguments.count > index ? Int(arguments[index]) ?? fallback : fallback
    }
    switch arguments.first ?? "" {
    case "operations": try operations(world)
    case "equivalence": try equivalence(world, batchSizePerReplica: number(1, 4), steps: number(2, 10))
    case "sharding": try sharding(world, exampleCount: number(1, 9), batchSizePerReplica: number(2, 2))
    case "writes": try writes(world, directory: URL(fileURLWithPath: arguments.count > 1 ? arguments[1] : "."))
    case "fail":
        // Rank 1 fails on its input while rank 0 already waits in the next collective call.
        try world.barrier()
        if world.rank == 1 {
            throw DistributedError.invalidArgument(
                operation: "reading the corpus", detail: "rank 1's shard is unreadable")
        }
        var values: [Float] = [1]
        try world.allReduce(&values)
    case "crash":
        // Rank 1 ends without MPI_Finalize while rank 0 waits.
        try world.barrier()
        if world.rank == 1 { exit(4) }
        var values: [Float] = [1]
        try world.allReduce(&values)
    case "stall":
        // Rank 1 enters a different collective call than rank 0: both wait until MONTAGUE_MPI_TIMEOUT ends them.
        if world.rank == 1 { _ = try world.broadcast(bytes: [1], root: 1) } else { try world.barrier() }
    default:
        throw DistributedError.invalidArgument(
            operation: "DistributedRankCheck", detail: "unknown scenario \(arguments)")
    }
    try world.finalize()
} catch {
    world.abortJob(message: "error: \(error)")
}
