import ArgumentParser
import Autodiff
import Foundation
import MetaLearning
import MontagueSupport
import NeuralNet

/// The task sequence of `train ewc`: `permuted-digits:N`.
struct ContinualTasksArgument: ExpressibleByArgument, Equatable {
    var count: Int

    init(count: Int) { self.count = count }

    init?(argument: String) {
        guard argument.hasPrefix("permuted-digits:"), let count = Int(argument.dropFirst("permuted-digits:".count)),
            (1...100).contains(count)
        else { return nil }
        self.count = count
    }

    static var defaultValueDescription: String { "permuted-digits:5" }
}

/// `montague train ewc`: continual learning on permuted-pixel digits with EWC and its baselines.
struct TrainEWCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ewc",
        abstract: "Learn permuted-digit tasks in sequence with elastic weight consolidation or a baseline.",
        discussion: """
            Task 0 is the UCI 8×8 digits, every further task a fixed random permutation of the 64 pixels (80% of \
            the images train, 20% test). One network learns the tasks in turn. Methods: ewc (Kirkpatrick et al. \
            2017: a penalty (λ/2) Σ F (θ − θ*)² per earlier task, F the diagonal Fisher), online-ewc (one running \
            Fisher decayed by --decay), fine-tune (no protection), l2 (F = 1), multitask (train on all tasks so \
            far: the upper bound). Prints the accuracy on every task after each task, and writes the model \
            directory; the training state is saved atomically after every task, so an interrupted run continues \
            with --resume exactly as if it had not stopped.

            Examples:
              montague train ewc --tasks permuted-digits:5 --data digits.csv.gz --method ewc --lambda 100 --output runs/ewc
              montague evaluate runs/ewc
            """)

    @Option(name: .long, help: "permuted-digits:N.")
    var tasks: ContinualTasksArgument = ContinualTasksArgument(count: 5)

    @Option(name: .long, help: "The digits file (64 pixel values then the class per line; .gz accepted).")
    var data: String

    @Option(name: .long, help: "ewc, online-ewc, fine-tune, l2 or multitask.")
    var method: ContinualMethod = .ewc

    @Option(name: .customLong("lambda"), help: "λ, the strength of the penalty.")
    var strength: Float = 100

    @Option(name: .long, help: "γ, online EWC's decay of the running Fisher.")
    var decay: Float = 1

    @Option(name: .long, help: "empirical or expected Fisher.")
    var fisher: FisherEstimate = .expected

    @Option(name: .customLong("fisher-samples"), help: "Examples per task for the Fisher estimate.")
    var fisherSamples = 200

    @Option(name: .long, help: "Hidden layer widths, comma-separated.")
    var hidden = "100,100"

    @Option(name: .long, help: "Passes over each task's training data.")
    var epochs = 5

    @Option(name: .customLong("batch-size"), help: "Examples per SGD step.")
    var batchSize = 32

    @Option(name: .long, help: "SGD learning rate.")
    var lr: Float = 0.05

    @Option(name: .long, help: "Seed of initialization, permutations and batch order.")
    var seed: UInt64 = 0

    @Option(name: .long, help: "Write the model directory here.")
    var output: String

    @Option(name: .long, help: "Write metrics as JSON lines to this file.")
    var metrics: String?

    @Flag(name: .long, help: "Continue after the last completed task saved in --output.")
    var resume = false

    @Flag(name: .long, help: "Print the final accuracies as JSON.")
    var json = false

    var runConfiguration: ContinualLearningConfiguration {
        let sizes = hidden.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        return ContinualLearningConfiguration(
            method: method, strength: strength, decay: decay, fisherEstimate: fisher, fisherSamples: fisherSamples,
            hiddenSizes: sizes, epochsPerTask: epochs, batchSize: batchSize, learningRate: lr, seed: seed)
    }

    func validate() throws {
        let sizes = hidden.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !sizes.isEmpty, sizes.allSatisfy({ ($0 ?? 0) > 0 }) else {
            throw ValidationError("--hidden must be positive widths, e.g. 100,100")
        }
        if let problem = runConfiguration.problems.first { throw ValidationError(problem) }
    }

    private func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

    func run() throws {
        let (images, labels) = try DigitsFile.read(path: data)
        guard images.count >= 10 else {
            throw ModelDirectoryError(path: data, "need at least 10 images, found \(images.count)")
        }
        let permutationSeed = seed &+ 7
        let taskList = PermutedDigits(
            images: images, labels: labels, taskCount: tasks.count, pixelScale: 1, seed: permutationSeed
        ).tasks
        let directory = ModelDirectory(path: output)
        try directory.create()
        let run = ContinualLearning(configuration: runConfiguration, inputSize: 64, classCount: 10)
        let record = ContinualModelRecord(
            configuration: runConfiguration, dataPath: data, taskCount: tasks.count, permutationSeed: permutationSeed)
        if resume, let state = try directory.loadTrainingState() {
            let saved = try loadContinualRecord(directory, manifest: try directory.readManifest(expecting: "ewc"))
            guard saved.configuration == runConfiguration, saved.taskCount == tasks.count else {
                throw ValidationError("--resume: the flags differ from the saved run's configuration")
            }
            try run.restore(from: state)
            say("resumed from \(directory.trainingStateURL.path) after task \(run.completedTasks)")
        }
        let logger = try metrics.map {
            try MetricsLogger(
                url: URL(fileURLWithPath: $0),
                keepingRecordsThrough: resume ? run.completedTasks * runConfiguration.epochsPerTask : nil)
        }
        let fingerprints = [data: TrainMetaCommand.fingerprint(data)]
        func checkpoint(metrics: [String: Double]) throws {
            try directory.saveTrainingState(run.trainingState())
            try directory.saveWeights(of: run.network)
            try directory.writeManifest(
                ModelManifest(kind: "ewc", hyperparameters: record, dataFingerprints: fingerprints, metrics: metrics))
        }
        let start = Date()
        var step = run.completedTasks * runConfiguration.epochsPerTask
        var loggingError: (any Error)? = nil
        try run.run(
            tasks: taskList,
            progress: { task, epoch, loss in
                step += 1
                say(
                    String(
                        format: "task %d  epoch %d  loss %.4f  %.0fs", task, epoch, loss,
                        Date().timeIntervalSince(start)))
                do {
                    try logger?.log(
                        MetricsRecord(
                            phase: "train", step: step, epoch: epoch, wallTime: Date().timeIntervalSince(start),
                            metrics: ["loss": loss, "task": Double(task)]))
                } catch { loggingError = error }
            }, afterTask: { _ in try checkpoint(metrics: [:]) })
        if let loggingError { throw loggingError }
        for (index, row) in run.accuracies.enumerated() {
            say("after task \(index): " + row.map { String(format: "%.1f%%", 100 * $0) }.joined(separator: "  "))
        }
        let final = run.accuracies.last ?? []
        var metricValues: [String: Double] = [:]
        for (index, accuracy) in final.enumerated() { metricValues["test.accuracy.task_\(index)"] = accuracy }
        try checkpoint(metrics: metricValues)
        say(describeTaskAccuracies(final, json: json))
        say(String(format: "trained in %.1fs; wrote %@", Date().timeIntervalSince(start), output))
    }
}
