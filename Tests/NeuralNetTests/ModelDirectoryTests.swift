import Autodiff
import Foundation
import MontagueSupport
import Testing

@testable import NeuralNet

@Suite("Model directory")
struct ModelDirectoryTests {
    struct Settings: Codable, Equatable {
        var inputSize: Int
        var outputSize: Int
        var method: String
    }

    static func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("model-dir-\(getpid())-\(UUID().uuidString)")
    }

    @Test("Manifest, weights and a multi-optimizer training state round-trip")
    func roundTrip() throws {
        let root = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let directory = ModelDirectory(url: root.appendingPathComponent("run/model"))
        try directory.create()

        var random = RandomGenerator(seed: 1)
        let model = Linear(inputSize: 3, outputSize: 2, using: &random)
        let critic = Linear(inputSize: 2, outputSize: 1, using: &random)
        let adam = Adam(model.parameters, learningRate: 0.01)
        let criticAdam = Adam(critic.parameters, learningRate: 0.02)
        let x = Tensor.uniform([4, 3], low: -1, high: 1, using: &random)
        adam.step(gradients(of: model(x).sum(), wrt: model.parameterValues))
        criticAdam.step(gradients(of: critic(model(x)).sum(), wrt: critic.parameterValues))

        let settings = Settings(inputSize: 3, outputSize: 2, method: "demo")
        let manifest = try ModelManifest(
            kind: "demo", hyperparameters: settings, metrics: ["valid.loss": 0.25], files: ["notes.txt": "notes"])
        try directory.writeManifest(manifest)
        try directory.saveWeights(of: model)
        var state = TrainingStateArchive()
        state.store(optimizer: adam, as: "model")
        state.store(optimizer: criticAdam, as: "critic")
        state.store(model: critic, as: "critic")
        state.store(generator: random, as: "data")
        state["step"] = "1"
        try directory.saveTrainingState(state)

        let read = try directory.readManifest(expecting: "demo")
        #expect(read == manifest)
        #expect(try read.hyperparameters(as: Settings.self) == settings)
        #expect(read.montagueVersion == MontagueVersion.current)

        var other = RandomGenerator(seed: 99)
        let restored = Linear(inputSize: 3, outputSize: 2, using: &other)
        let restoredCritic = Linear(inputSize: 2, outputSize: 1, using: &other)
        try directory.loadWeights(into: restored)
        #expect(restored.weight.value.scalars == model.weight.value.scalars)
        let loaded = try #require(try directory.loadTrainingState())
        let adam2 = Adam(restored.parameters, learningRate: 1)
        let criticAdam2 = Adam(restoredCritic.parameters, learningRate: 1)
        try loaded.restore(optimizer: adam2, from: "model")
        try loaded.restore(optimizer: criticAdam2, from: "critic")
        try loaded.restore(model: restoredCritic, from: "critic")
        #expect(adam2.stepCount == 1 && adam2.learningRate == 0.01)
        #expect(criticAdam2.learningRate == 0.02)
        #expect(restoredCritic.weight.value.scalars == critic.weight.value.scalars)
        #expect(try loaded.generator("data") == random)
        #expect(try loaded.integer("step") == 1)
        // The next step is the same on both.
        adam.step(gradients(of: model(x).sum(), wrt: model.parameterValues))
        adam2.step(gradients(of: restored(x).sum(), wrt: restored.parameterValues))
        #expect(restored.weight.value.scalars == model.weight.value.scalars)
    }

    @Test("Missing, malformed, newer and other-kind manifests are located errors")
    func errors() throws {
        let root = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let directory = ModelDirectory(url: root)
        #expect(throws: ModelDirectoryError.self) { try directory.readManifest() }
        try directory.create()
        #expect(throws: ModelDirectoryError.self) { try directory.readManifest() }
        try AtomicFile.write("{\"kind\": 3}", to: directory.manifestURL)
        do {
            _ = try directory.readManifest()
            Issue.record("expected an error")
        } catch {
            #expect(error.description.hasPrefix(directory.manifestURL.path + ": error: malformed manifest"))
        }
        var manifest = try ModelManifest(kind: "lm", hyperparameters: ["hidden": 3])
        try directory.writeManifest(manifest)
        #expect(throws: ModelDirectoryError.self) { try directory.readManifest(expecting: "gan") }
        manifest.formatVersion = ModelManifest.currentFormatVersion + 1
        try directory.writeManifest(manifest)
        #expect(throws: ModelDirectoryError.self) { try directory.readManifest() }
        #expect(try directory.loadTrainingState() == nil)
        #expect(throws: ModelDirectoryError.self) {
            try directory.loadWeights(into: Linear(weight: .zeros([1, 1]), bias: nil))
        }
    }
}
