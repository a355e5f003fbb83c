import Autodiff
import Corpus
import Foundation
import Generative
import NeuralNet
import Testing

@testable import TextGeneration

@Suite("The resumable training loop of the style-transfer trainers")
struct StyleTrainingDriverTests {
    /// A one-weight regression trained by Adam on inputs drawn from the step's generator, with a fake clock that a
    /// step advances by one second.
    final class Toy {
        let model: Linear
        let optimizer: Adam
        var now = 0.0

        init() {
            var generator = RandomGenerator(seed: 7)
            model = Linear(inputSize: 1, outputSize: 1, using: &generator)
            optimizer = Adam(model.parameters, learningRate: 0.05)
        }

        func driver(
            in directory: ModelDirectory, steps: Int, interval: Int, timeLimit: Double? = nil, metrics: URL? = nil,
            validate: (() throws -> [String: Double])? = nil
        ) -> StyleTrainingDriver<Linear> {
            StyleTrainingDriver(
                model: model, optimizers: [("adam", optimizer)],
                options: CrossAlignedTraining.Options(steps: steps, evaluationInterval: interval, seed: 3),
                stepsPerEpoch: 4, directory: directory, timeLimit: timeLimit, metricsURL: metrics,
                validate: validate, log: nil, clock: { [unowned self] in self.now })
        }

        func step(_ context: inout StyleTrainingDriver<Linear>.Step) -> [String: Double] {
            now += 1
            let x = Float(context.generator.nextUnitDouble())
            let loss = meanSquaredError(
                model(Tensor(shape: [1, 1], scalars: [x])), Tensor(shape: [1, 1], scalars: [3 * x]))
            optimizer.step(gradients(of: loss, wrt: model.parameterValues))
            return ["loss": Double(loss.item)]
        }

        var weights: [[Float]] { model.parameterValues.map(\.scalars) }
    }

    static func scratch() throws -> (URL, ModelDirectory) {
        let root = try StyleTransferCrossAlignedTests.temporaryRoot("style-driver")
        let directory = ModelDirectory(url: root.appendingPathComponent("model"))
        try directory.create()
        return (root, directory)
    }

    static func records(_ url: URL) throws -> [(phase: String, step: Int, metrics: [String: Double])] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { line in
            let object = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return (
                try #require(object["phase"] as? String), try #require(object["step"] as? Int),
                ((object["metrics"] as? [String: Any]) ?? [:]).compactMapValues {
                    ($0 as? Double) ?? ($0 as? Int).map(Double.init)
                }
            )
        }
    }

    @Test("A loss that is not a number stops the run with a located error; the last checkpoint stays")
    func divergedLossStopsAndKeepsTheCheckpoint() throws {
        let (root, directory) = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let toy = Toy()
        var calls = 0
        var thrown: (any Error)?
        do {
            _ = try toy.driver(in: directory, steps: 9, interval: 2).run { context in
                calls += 1
                var metrics = toy.step(&context)
                if calls == 5 { metrics["g_loss"] = .nan }
                return metrics
            }
        } catch {
            thrown = error
        }
        let diverged = try #require(thrown as? TrainingDivergedError)
        #expect(diverged.message.contains("step 5") && diverged.message.contains("g_loss"), "\(diverged.message)")
        #expect(diverged.location?.file == directory.url.path)
        // The checkpoint of step 4 is what the directory holds; continuing resumes from it.
        let state = try #require(try directory.loadTrainingState())
        #expect(try state.integer("step") == 4)
    }

    @Test("The time limit stops before the next step and saves; continuing equals one uninterrupted run")
    func timeLimitSavesAndContinues() throws {
        let (root, directory) = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let straight = Toy()
        let (straightRoot, straightDirectory) = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: straightRoot) }
        let whole = try straight.driver(in: straightDirectory, steps: 9, interval: 4).run {
            straight.step(&$0)
        }
        #expect(whole.steps == 9 && !whole.stoppedByTimeLimit)

        let toy = Toy()
        // Each step takes one fake second: the limit of 2.5 s ends the session after three steps.
        let first = try toy.driver(in: directory, steps: 9, interval: 4, timeLimit: 2.5).run {
            toy.step(&$0)
        }
        #expect(first.steps == 3 && first.stoppedByTimeLimit)
        let saved = try #require(try directory.loadTrainingState())
        #expect(try saved.integer("step") == 3)
        #expect(FileManager.default.fileExists(atPath: directory.weightsURL.path))

        let resumed = Toy()  // a fresh process: everything comes from the directory
        let second = try resumed.driver(in: directory, steps: 9, interval: 4).run {
            resumed.step(&$0)
        }
        #expect(second.steps == 9 && !second.stoppedByTimeLimit)
        #expect(resumed.weights == straight.weights)
        let a = try #require(try straightDirectory.loadTrainingState())
        let b = try #require(try directory.loadTrainingState())
        #expect(a.tensors.keys.sorted() == b.tensors.keys.sorted())
        for (name, tensor) in a.tensors { #expect(b.tensors[name]?.scalars == tensor.scalars, "\(name)") }
        #expect(
            a.metadata.filter { $0.key != "state.elapsed_seconds" }
                == b.metadata.filter {
                    $0.key != "state.elapsed_seconds"
                })
    }

    @Test("A stop request before any step still saves the state; the summary says the run was stopped")
    func stopRequestBeforeTheFirstStep() throws {
        let (root, directory) = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let toy = Toy()
        var steps = 0
        let summary = try toy.driver(in: directory, steps: 5, interval: 2).run(
            shouldStop: { true },
            step: {
                steps += 1
                return toy.step(&$0)
            })
        #expect(steps == 0 && summary.steps == 0 && summary.stoppedByTimeLimit)
        #expect(try directory.loadTrainingState().map { try $0.integer("step") } == 0)
    }

    @Test("Keep-best: the weights of the best validation score are kept and loaded; the log marks each new best")
    func keepBest() throws {
        let (root, directory) = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let toy = Toy()
        let scores = [1.0, 3.0, 2.0, 2.5]
        var weightsAt: [[[Float]]] = []
        let metrics = root.appendingPathComponent("metrics.jsonl")
        let summary = try toy.driver(
            in: directory, steps: 4, interval: 1, metrics: metrics,
            validate: {
                weightsAt.append(toy.weights)
                return ["score": scores[weightsAt.count - 1]]
            }
        ).run { toy.step(&$0) }
        #expect(summary.bestScore == 3)
        #expect(try directory.loadWeights(into: Toy().model)["step"] == "2")
        #expect(toy.weights == weightsAt[1])
        #expect(toy.weights != weightsAt[3])
        let evaluations = try Self.records(metrics).filter { $0.phase == "eval" }
        #expect(evaluations.map(\.step) == [1, 2, 3, 4])
        #expect(evaluations.map { $0.metrics["best"] } == [1, 1, nil, nil])
        #expect(try directory.loadTrainingState()?["best_score"] == "3.0")
    }

    @Test("Checkpoints: the state is validated and saved every interval and at the end, and nowhere else")
    func checkpointCadence() throws {
        let (root, directory) = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let toy = Toy()
        var validated: [(done: Int, onDisk: Int?)] = []
        var done = 0
        let summary = try toy.driver(
            in: directory, steps: 7, interval: 3,
            validate: {
                validated.append((done, try directory.loadTrainingState().map { try $0.integer("step") }))
                return [:]
            }
        ).run { context in
            #expect(context.index == done && context.epoch == done / 4)
            done += 1
            return toy.step(&context)
        }
        #expect(summary.steps == 7 && summary.bestScore == nil)
        // Validated after steps 3, 6 and 7; each time the directory still held the previous checkpoint.
        #expect(validated.map(\.done) == [3, 6, 7])
        #expect(validated.map(\.onDisk) == [nil, 3, 6])
        #expect(try directory.loadTrainingState().map { try $0.integer("step") } == 7)
        // Without a score the latest weights are kept.
        #expect(try directory.loadWeights(into: Toy().model)["step"] == "7")
    }

    /// A style-transfer run of `method` with a few steps, and its files.
    static func run(_ method: String, root: URL) throws -> (
        recipe: StyleTransferRecipe, files: [(style: String, path: String)]
    ) {
        switch method {
        case "dual-rl":
            let settings = StyleTransferDualRLTests.tinySettings(steps: 6, pretraining: 2)
            let files = try StyleTransferDualRLTests.writeToyStyles(to: root, count: 30, seed: 1)
            return (StyleTransferDualRLTests.recipe(settings), files)
        case "back-translation-transformer":
            let (positive, negative) = try SyntheticStyles.write(to: root, count: 20)
            return (
                StyleTransferBackTranslationTransformerTests.recipe(steps: 6), [("pos", positive), ("neg", negative)]
            )
        default:
            let (positive, negative) = try SyntheticStyles.write(to: root, count: 30)
            return (StyleTransferCrossAlignedTests.recipe(steps: 6), [("pos", positive), ("neg", negative)])
        }
    }

    @Test(
        "A run stopped after four steps (Ctrl-C) and continued equals an uninterrupted one bit for bit",
        arguments: ["cross-aligned", "back-translation-transformer", "dual-rl"])
    func stoppedAndContinued(method: String) throws {
        let root = try StyleTransferCrossAlignedTests.temporaryRoot("style-stop-\(method)")
        defer { try? FileManager.default.removeItem(at: root) }
        let (recipe, files) = try Self.run(method, root: root)
        func train(_ name: String, stopAfter steps: Int?) throws -> (ModelDirectory, CrossAlignedTraining.Summary?) {
            let output = ModelDirectory(url: root.appendingPathComponent(name))
            var asked = 0
            let summary = try StyleTransferRun.train(
                recipe, files: files, output: output, classifierEpochs: 1, classifierEmbeddingSize: 8,
                shouldStop: {
                    asked += 1
                    return steps.map { asked > $0 } ?? false
                })
            return (output, summary.training)
        }
        let (straight, whole) = try train("straight", stopAfter: nil)
        #expect(whole?.steps == 6 && whole?.stoppedByTimeLimit == false)
        let (split, first) = try train("split", stopAfter: 4)
        #expect(first?.steps == 4 && first?.stoppedByTimeLimit == true)
        let (_, second) = try train("split", stopAfter: nil)
        #expect(second?.steps == 6 && second?.stoppedByTimeLimit == false)
        let a = try #require(try straight.loadTrainingState())
        let b = try #require(try split.loadTrainingState())
        // Parameters, both optimizers' moments, the random generator and the step count.
        #expect(!a.tensors.isEmpty && a.tensors.keys.sorted() == b.tensors.keys.sorted())
        for (name, tensor) in a.tensors { #expect(b.tensors[name]?.scalars == tensor.scalars, "\(name)") }
        let compared = a.metadata.keys.filter { $0 != "state.elapsed_seconds" && $0 != "state.best_score" }
        #expect(compared.contains("generator.run") && compared.contains("state.step"))
        for key in compared { #expect(a.metadata[key] == b.metadata[key], "\(key)") }
    }
}
