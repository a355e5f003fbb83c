import Autodiff
import Foundation
import MetaLearning
import NeuralNet
import Testing

/// A tiny speaker-classification corpus: 4 groups × 3 speakers × 6 texts; each speaker has a marker word from a
/// pool shared by all groups (a held-out group's speakers use markers seen in training, with other speakers).
func syntheticTexts() -> [LabelledText] {
    var texts: [LabelledText] = []
    for group in 0..<4 {
        for speaker in 0..<3 {
            for line in 0..<6 {
                let marker = "style\((group + speaker) % 6)"
                texts.append(
                    LabelledText(
                        text: "\(marker) says \(marker) line \(line) again", label: "S\(speaker)",
                        group: "play \(group)"))
            }
        }
    }
    return texts
}

/// Periodic checkpoints: a run of N meta-steps equals k steps, a save and restore into a fresh run, and N − k more.
@Suite("Checkpoints and bit-exact resumption")
struct CheckpointTests {
    static func temporaryDirectory() throws -> ModelDirectory {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("meta-checkpoint-\(UUID())")
        let directory = ModelDirectory(url: url)
        try directory.create()
        return directory
    }

    static func sampler(for configuration: MetaTrainingConfiguration) -> any EpisodeSampler {
        switch configuration.task {
        case .text:
            let classes = TextClasses(
                texts: syntheticTexts(), encoder: HashedBagOfNGrams(dimension: 32), minimumCount: 4,
                testGroups: ["play 3"])
            return TextEpisodes(classes: classes, way: 2, shot: 1, queryPerClass: 2, forTesting: false)
        default:
            return SinusoidTasks(shots: 3, queryCount: 3)
        }
    }

    static func parameters(_ run: MetaTraining) -> [[Float]] { run.namedParameters.map { $0.parameter.value.scalars } }

    @Test(arguments: [
        MetaMethod.maml, .fomaml, .metaSGD, .reptile, .pretrained, .lstmOptimizer, .protonet, .matching, .siamese,
    ])
    func resumedRunEqualsUninterruptedRun(method: MetaMethod) throws {
        let configuration = MetaTrainingConfiguration(
            task: method.isMetricBased ? .text : .sinusoid, method: method, shots: method.isMetricBased ? 1 : 3,
            way: 2, queryCount: method.isMetricBased ? 2 : 3, hiddenSizes: [6], embeddingSize: 4,
            innerSteps: method == .lstmOptimizer ? 3 : 2, metaBatchSize: 2, seed: 11, textFeatures: 32)
        let sampler = Self.sampler(for: configuration)
        let straight = MetaTraining(configuration: configuration)
        for _ in 0..<5 { straight.step(sampler: sampler) }

        let first = MetaTraining(configuration: configuration)
        for _ in 0..<2 { first.step(sampler: sampler) }
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory.url) }
        try directory.saveTrainingState(first.trainingState())
        for _ in 0..<2 { first.step(sampler: sampler) }  // work after the checkpoint, lost at the "interruption"

        let resumed = MetaTraining(configuration: configuration)
        let state = try #require(try directory.loadTrainingState())
        #expect(MetaTraining.archiveHoldsParameters(state))
        try resumed.restore(from: state)
        #expect(resumed.stepCount == 2)
        for _ in 0..<3 { resumed.step(sampler: sampler) }
        #expect(resumed.stepCount == 5)
        #expect(Self.parameters(resumed) == Self.parameters(straight), "parameters differ after resuming")
        #expect(Self.parameters(first) != Self.parameters(straight), "the test must be able to fail")
    }

    @Test func restoreRejectsAnArchiveOfAnotherConfiguration() throws {
        let small = MetaTraining(configuration: MetaTrainingConfiguration(hiddenSizes: [4], seed: 1))
        let large = MetaTraining(configuration: MetaTrainingConfiguration(hiddenSizes: [5], seed: 1))
        #expect(throws: (any Error).self) { try large.restore(from: small.trainingState()) }
        var missing = small.trainingState()
        missing["step"] = nil
        #expect(throws: (any Error).self) { try small.restore(from: missing) }
    }

    @Test func continualRunResumedAfterATaskEqualsTheUninterruptedRun() throws {
        let (images, labels) = TaskTests.syntheticDigits(perDigit: 4)
        let tasks = PermutedDigits(images: images, labels: labels, taskCount: 3, pixelScale: 1, seed: 5).tasks
        for method in [ContinualMethod.ewc, .onlineEWC, .l2] {
            let configuration = ContinualLearningConfiguration(
                method: method, strength: 1, fisherSamples: 4, hiddenSizes: [6], epochsPerTask: 1, batchSize: 8,
                seed: 2)
            let straight = ContinualLearning(configuration: configuration, inputSize: 64, classCount: 10)
            straight.run(tasks: tasks)

            let first = ContinualLearning(configuration: configuration, inputSize: 64, classCount: 10)
            var saved: TrainingStateArchive? = nil
            first.run(tasks: tasks, afterTask: { index in if index == 0 { saved = first.trainingState() } })
            let directory = try Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory.url) }
            try directory.saveTrainingState(try #require(saved))
            let resumed = ContinualLearning(configuration: configuration, inputSize: 64, classCount: 10)
            try resumed.restore(from: try #require(try directory.loadTrainingState()))
            #expect(resumed.completedTasks == 1 && resumed.regularizer.anchors.count == 1)
            resumed.run(tasks: tasks)
            #expect(
                resumed.network.parameterValues.map(\.scalars) == straight.network.parameterValues.map(\.scalars),
                "\(method)")
            #expect(resumed.accuracies == straight.accuracies)
        }
    }
}
