import Foundation
import NeuralNet
import Testing

/// A parameter container with explicit names and shapes.
struct NamedParameterSet: ParameterContainer {
    let namedParameters: [(name: String, parameter: Parameter)]

    init(_ shapes: KeyValuePairs<String, [Int]>, fill: Float = 1) {
        namedParameters = shapes.map { (name: $0.key, parameter: Parameter(Tensor.full($0.value, fill))) }
    }
}

/// `2 → 3 (tanh) → 1`.
private struct TinyMLP: Module {
    let first: Linear
    let second: Linear

    init(seed: UInt64) {
        var generator = RandomGenerator(seed: seed)
        first = Linear(inputSize: 2, outputSize: 3, using: &generator)
        second = Linear(inputSize: 3, outputSize: 1, using: &generator)
    }

    var namedParameters: [(name: String, parameter: Parameter)] {
        prefixed("first", first) + prefixed("second", second)
    }

    func callAsFunction(_ input: Tensor) -> Tensor { second(first(input).tanh()) }
}

/// The optimizers, each with non-default options so every state slot takes part.
enum OptimizerKind: String, CaseIterable, Sendable {
    case sgd, adam, adamW, rmsProp, adagrad

    func make(_ parameters: [Parameter]) -> any Optimizer {
        switch self {
        case .sgd: SGD(parameters, learningRate: 0.05, momentum: 0.9, weightDecay: 0.01, nesterov: true)
        case .adam: Adam(parameters, learningRate: 0.02, weightDecay: 0.01, amsgrad: true)
        case .adamW: AdamW(parameters, learningRate: 0.02)
        case .rmsProp: RMSProp(parameters, learningRate: 0.01, momentum: 0.5, centered: true)
        case .adagrad: Adagrad(parameters, learningRate: 0.1, learningRateDecay: 0.01, initialAccumulatorValue: 0.1)
        }
    }
}

@Suite("Checkpoints: save, load, resume, mismatches")
struct CheckpointTests {
    static let inputs = Tensor([[0.5, -1], [1, 0.25], [-0.75, 0.5], [0.1, 0.9]])
    static let targets = Tensor(shape: [4, 1], scalars: [0.3, -0.2, 0.8, 0.1])

    fileprivate func train(_ model: TinyMLP, _ optimizer: any Optimizer, steps: Int) {
        let schedule = ExponentialSchedule(initialLearningRate: 0.03, gamma: 0.9)
        for _ in 0..<steps {
            optimizer.learningRate = schedule.learningRate(atStep: optimizer.stepCount)
            let difference = model(Self.inputs) - Self.targets
            let loss = (difference * difference).mean()
            optimizer.step(gradients(of: loss, wrt: model.parameterValues))
        }
    }

    @Test(arguments: OptimizerKind.allCases)
    func resumingIsBitIdenticalToTrainingStraight(kind: OptimizerKind) throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("checkpoint.safetensors")

        let straight = TinyMLP(seed: 1)
        let straightOptimizer = kind.make(straight.parameters)
        train(straight, straightOptimizer, steps: 10)

        let first = TinyMLP(seed: 1)
        let firstOptimizer = kind.make(first.parameters)
        train(first, firstOptimizer, steps: 5)
        try Checkpoint.save(model: first, optimizer: firstOptimizer, metadata: ["run": "resume"], to: url)

        let resumed = TinyMLP(seed: 99)  // a different initialization, overwritten by the checkpoint
        let resumedOptimizer = kind.make(resumed.parameters)
        let metadata = try Checkpoint.load(into: resumed, optimizer: resumedOptimizer, from: url)
        #expect(metadata["run"] == "resume")
        #expect(metadata[Checkpoint.optimizerKindKey] == firstOptimizer.kindName)
        #expect(resumedOptimizer.stepCount == 5)
        #expect(resumedOptimizer.learningRate == firstOptimizer.learningRate)
        #expect(resumed.parameterValues == first.parameterValues)
        train(resumed, resumedOptimizer, steps: 5)

        #expect(resumedOptimizer.stepCount == 10)
        for (a, b) in zip(resumed.namedParameters, straight.namedParameters) {
            #expect(a.parameter.value.scalars == b.parameter.value.scalars, "\(kind) \(a.name)")
        }
        #expect(resumedOptimizer.stateTensors == straightOptimizer.stateTensors)
        #expect(resumed.parameters.allSatisfy { $0.value.requiresGradient })
    }

    @Test func checkpointIsPlainSafetensorsWithModelNames() throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("model.safetensors")
        let model = TinyMLP(seed: 3)
        try Checkpoint.save(model: model, optimizer: Adam(model.parameters), to: url)
        let file = try SafetensorsFile(contentsOf: url)
        #expect(Set(file.entries.keys).isSuperset(of: ["first.weight", "first.bias", "second.weight", "second.bias"]))
        #expect(file.entries["first.weight"]?.shape == [3, 2])
        #expect(file.entries["__optimizer__.0.exp_avg"]?.shape == [3, 2])
        #expect(file.metadata[Checkpoint.optimizerKindKey] == "Adam")
        #expect(file.metadata[Checkpoint.optimizerStepKey] == "0")
        #expect(file.metadata[Checkpoint.formatKey] == Checkpoint.formatVersion)
        // Weights alone load without an optimizer; the optimizer state is ignored then.
        let other = TinyMLP(seed: 4)
        try Checkpoint.load(into: other, from: url)
        #expect(other.parameterValues == model.parameterValues)
    }

    @Test func loadReportsEveryMismatchAndLeavesTheModelUntouched() throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("checkpoint.safetensors")
        let saved = NamedParameterSet(["layer.weight": [2, 3], "layer.bias": [2], "extra": [1]], fill: 5)
        try Checkpoint.save(model: saved, optimizer: Adam(saved.parameters), to: url)

        let target = NamedParameterSet(["layer.weight": [3, 3], "layer.bias": [2], "other": [4]], fill: -1)
        let before = target.parameterValues
        let optimizer = SGD(target.parameters, momentum: 0.9)
        let error = try #require(throws: CheckpointError.self) {
            try Checkpoint.load(into: target, optimizer: optimizer, from: url)
        }
        #expect(
            error.problems == [
                .missing(name: "other", expectedShape: [4]),
                .unexpected(name: "extra", shape: [1]),
                .shapeMismatch(name: "layer.weight", expected: [3, 3], found: [2, 3]),
                .optimizerKindMismatch(expected: "SGD", found: "Adam"),
            ])
        #expect(target.parameterValues == before)  // layer.bias fitted, but nothing was loaded
        #expect(optimizer.stepCount == 0)
        let message = String(describing: error)
        #expect(message.contains("4 problems"))
        #expect(message.contains("missing tensor 'other' (expected shape [4])"))
        #expect(message.contains("unexpected tensor 'extra' of shape [1]"))
        #expect(message.contains("tensor 'layer.weight' has shape [2, 3], expected [3, 3]"))
        #expect(message.contains("optimizer state was saved by Adam, loading into SGD"))
    }

    @Test func optimizerStateMismatchesAreReportedWithFileNames() throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("checkpoint.safetensors")
        let saved = NamedParameterSet(["w": [2]])
        try Checkpoint.save(model: saved, optimizer: Adam(saved.parameters), to: url)

        let target = NamedParameterSet(["w": [3]])
        let error = try #require(throws: CheckpointError.self) {
            try Checkpoint.load(into: target, optimizer: Adam(target.parameters), from: url)
        }
        #expect(
            error.problems == [
                .shapeMismatch(name: "w", expected: [3], found: [2]),
                .shapeMismatch(name: "__optimizer__.0.exp_avg", expected: [3], found: [2]),
                .shapeMismatch(name: "__optimizer__.0.exp_avg_sq", expected: [3], found: [2]),
            ])

        let noState = directory.appendingPathComponent("weights.safetensors")
        try Checkpoint.save(model: saved, to: noState)
        let missing = try #require(throws: CheckpointError.self) {
            try Checkpoint.load(into: saved, optimizer: AdamW(saved.parameters), from: noState)
        }
        #expect(missing.problems == [.missingOptimizerState(expected: "AdamW")])
    }

    @Test func wrongDTypeAndBadMetadataAreReportedTogether() throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("half.safetensors")
        // "b" stored as F16 (two halves of 1.0), "w" as F32; the optimizer step is not a number.
        let header =
            #"{"__metadata__":{"montague.optimizer":"SGD","montague.optimizer.step":"five","#
            + #""montague.optimizer.learning_rate":"0.1"},"#
            + #""b":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"#
            + #""w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        let json = Array(header.utf8)
        let length = (0..<8).map { UInt8(truncatingIfNeeded: json.count >> (8 * $0)) }
        try Data(length + json + [0x00, 0x3C, 0x00, 0x3C, 0x00, 0x00, 0x80, 0x3F]).write(to: url)

        let model = NamedParameterSet(["b": [2], "w": [1]], fill: 7)
        let error = try #require(throws: CheckpointError.self) {
            try Checkpoint.load(into: model, optimizer: SGD(model.parameters), from: url)
        }
        #expect(
            error.problems == [
                .unsupportedDType(name: "b", dtype: "F16"),
                .invalidMetadata(key: Checkpoint.optimizerStepKey, value: "five"),
            ])
        #expect(model.parameterValues == [Tensor([7, 7]), Tensor([7])])
    }

    @Test func foreignOptimizerStateIsIgnoredWhenLoadingWeightsOnly() throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("foreign.safetensors")
        let header =
            #"{"__optimizer__.0.sum":{"dtype":"F16","shape":[1],"data_offsets":[0,2]},"#
            + #""w":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}}"#
        let json = Array(header.utf8)
        let length = (0..<8).map { UInt8(truncatingIfNeeded: json.count >> (8 * $0)) }
        try Data(length + json + [0x00, 0x3C, 0x00, 0x00, 0x40, 0x40]).write(to: url)
        let model = NamedParameterSet(["w": [1]])
        try Checkpoint.load(into: model, from: url)
        #expect(model.parameterValues == [Tensor([3])])
    }

    @Test func corruptFileThrowsSafetensorsError() throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("broken.safetensors")
        try Data([1, 2, 3]).write(to: url)
        let model = NamedParameterSet(["w": [1]])
        #expect(throws: SafetensorsError.fileTooShort(byteCount: 3)) { try Checkpoint.load(into: model, from: url) }
    }
}
