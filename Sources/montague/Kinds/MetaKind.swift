import ArgumentParser
import Autodiff
import Foundation
import Generative
import MetaLearning
import MontagueSupport
import NeuralNet

extension MetaMethod: ExpressibleByArgument {}
extension ContinualMethod: ExpressibleByArgument {}
extension FisherEstimate: ExpressibleByArgument {}

/// What `montague train meta` stores in the manifest: the run's configuration and, for digits, the data file.
struct MetaModelRecord: Codable {
    var configuration: MetaTrainingConfiguration
    var dataPath: String?
    var testSteps: Int
}

/// What `montague train ewc` stores in the manifest.
struct ContinualModelRecord: Codable {
    var configuration: ContinualLearningConfiguration
    var dataPath: String
    var taskCount: Int
    var permutationSeed: UInt64
}

/// A list of named parameters as a ``ParameterContainer`` (for saving and loading weights).
struct NamedParameterList: ParameterContainer {
    var namedParameters: [(name: String, parameter: Parameter)]
}

/// The UCI digits file (`digits.csv` or `digits.csv.gz`: 64 pixel values 0–16 then the class per line), read by
/// the Generative module's loader; pixels come back scaled to [0, 1].
enum DigitsFile {
    static func read(path: String) throws -> (images: [[Float]], labels: [Int]) {
        let points = try DigitsDataset.load(path: path)
        let labels = points.labels ?? []
        guard labels.count == points.count else { throw ModelDirectoryError(path: path, "the digits have no labels") }
        return ((0..<points.count).map { points.point($0) }, labels)
    }
}

/// Text of an input file (or standard input).
func readInputText(_ path: String?) throws -> (text: String, name: String) {
    guard let path else {
        return (String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self), "<stdin>")
    }
    guard let data = FileManager.default.contents(atPath: path) else {
        throw ModelDirectoryError(path: path, "cannot read the file")
    }
    return (String(decoding: data, as: UTF8.self), path)
}

/// Loads a `meta` model directory into a fresh ``MetaTraining`` run.
func loadMetaRun(_ directory: ModelDirectory, manifest: ModelManifest) throws -> (MetaTraining, MetaModelRecord) {
    let record = try manifest.hyperparameters(as: MetaModelRecord.self)
    let problems = record.configuration.problems
    guard problems.isEmpty else {
        throw ModelDirectoryError(path: directory.manifestURL.path, problems.joined(separator: "; "))
    }
    let run = MetaTraining(configuration: record.configuration)
    try directory.loadWeights(into: NamedParameterList(namedParameters: run.namedParameters))
    return (run, record)
}

/// `predict` and `evaluate` for few-shot learners (`montague train meta`).
struct MetaKindHandler: ModelKindHandler {
    static let kind = "meta"

    /// Adapts on the support rows of the input (rows ending in a target) and prints a prediction for each query
    /// row (rows ending in `?`).
    static func predict(_ directory: ModelDirectory, manifest: ModelManifest, options: PredictOptions) throws {
        try options.reject([.n, .temperature, .topK, .topP, .beam, .to, .episodes], for: kind)
        let (run, record) = try loadMetaRun(directory, manifest: manifest)
        let configuration = record.configuration
        let (text, name) = try readInputText(options.input)
        let width = configuration.task == .sinusoid ? 1 : RotatedDigitClasses.pixelCount
        let rows = try LabelledRows.parse(text, path: name, valuesPerRow: width)
        let classification = configuration.task == .digits
        let (episode, classLabels) = try LabelledRows.episode(rows, path: name, classification: classification)
        if classification && !configuration.method.isMetricBased && classLabels.count != configuration.way {
            throw LabelledRowsError(
                SourceLocation(file: name),
                "this model classifies \(configuration.way) classes; the support set has \(classLabels.count)")
        }
        let output = run.predict(episode, steps: configuration.method.isMetricBased ? 0 : record.testSteps)
        var lines: [String] = []
        let queries = rows.filter { $0.target == nil }
        for (index, row) in queries.enumerated() {
            if classification {
                let logits = output.slice(axis: 0, range: index..<(index + 1)).scalars
                let best = logits.indices.max { logits[$0] < logits[$1] } ?? 0
                lines.append(
                    options.json ? "{\"line\":\(row.line),\"label\":\(classLabels[best])}" : "\(classLabels[best])")
            } else {
                let y = output.scalars[index]
                lines.append(options.json ? "{\"x\":\(row.values[0]),\"y\":\(y)}" : "\(row.values[0])\t\(y)")
            }
        }
        try emit(lines.joined(separator: "\n") + "\n", to: options.output)
    }

    /// Sinusoid: query MSE after 0/1/5/10 test-time steps; digits: few-shot accuracy, both with 95% intervals.
    static func evaluate(_ directory: ModelDirectory, manifest: ModelManifest, options: EvaluateOptions) throws {
        let (run, record) = try loadMetaRun(directory, manifest: manifest)
        let dataPath = options.data.first ?? record.dataPath
        let results = try evaluateMetaRun(
            run, record: record, dataPath: dataPath, episodes: options.episodes ?? 600, seed: options.seed)
        print(describeMetaResults(results, configuration: record.configuration, json: options.json))
    }
}

/// The held-out evaluation of a meta-training run (shared by `train meta` and `evaluate`).
func evaluateMetaRun(
    _ run: MetaTraining, record: MetaModelRecord, dataPath: String?, episodes: Int, seed: UInt64
) throws -> [AdaptationResult] {
    let configuration = record.configuration
    let checkpoints = Array(Set([0, 1, 5, record.testSteps])).sorted()
    switch configuration.task {
    case .sinusoid:
        return run.evaluate(
            sampler: SinusoidTasks(shots: configuration.shots, queryCount: 100), episodeCount: episodes,
            checkpoints: checkpoints, seed: seed)
    case .digits:
        guard let dataPath else { throw ValidationError("a digits model needs its data file: --data PATH") }
        let sampler = try digitEpisodes(path: dataPath, configuration: configuration, forTesting: true)
        return run.evaluate(sampler: sampler, episodeCount: episodes, checkpoints: checkpoints, seed: seed)
    }
}

/// Episodes of the digits at `path` for `configuration`, checked against the data.
func digitEpisodes(path: String, configuration: MetaTrainingConfiguration, forTesting: Bool) throws -> DigitEpisodes {
    let (images, labels) = try DigitsFile.read(path: path)
    let classes = RotatedDigitClasses(images: images, labels: labels, pixelScale: 1)
    let needed = configuration.shots + configuration.queryCount
    guard classes.smallestClassSize >= needed else {
        throw ModelDirectoryError(
            path: path,
            "every digit needs \(needed) images (shots + queries); the smallest class has \(classes.smallestClassSize)")
    }
    guard configuration.way <= classes.classes(forTesting: true).count else {
        throw ValidationError(
            "--way \(configuration.way) exceeds the \(classes.classes(forTesting: true).count) meta-test classes")
    }
    return DigitEpisodes(
        classes: classes, way: configuration.way, shot: configuration.shots, queryPerClass: configuration.queryCount,
        forTesting: forTesting)
}

/// A JSON number, or `null` for NaN and infinities.
func jsonNumber(_ value: Double) -> String { value.isFinite ? "\(value)" : "null" }

/// The evaluation as text or JSON.
func describeMetaResults(_ results: [AdaptationResult], configuration: MetaTrainingConfiguration, json: Bool) -> String
{
    if json {
        let items = results.map { result in
            var fields = [
                "\"steps\":\(result.steps)", "\"loss\":\(jsonNumber(result.loss.mean))",
                "\"loss_ci95\":\(jsonNumber(result.loss.halfWidth))",
                "\"episodes\":\(result.loss.count)",
            ]
            if let accuracy = result.accuracy {
                fields += [
                    "\"accuracy\":\(jsonNumber(accuracy.mean))",
                    "\"accuracy_ci95\":\(jsonNumber(accuracy.halfWidth))",
                ]
            }
            return "{" + fields.joined(separator: ",") + "}"
        }
        return
            "{\"method\":\"\(configuration.method.rawValue)\",\"task\":\"\(configuration.task.rawValue)\",\"results\":["
            + items.joined(separator: ",") + "]}"
    }
    return results.map { result in
        var line = String(
            format: "after %2d steps: %@ %.4f ± %.4f", result.steps,
            configuration.task == .sinusoid ? "MSE" : "loss", result.loss.mean, result.loss.halfWidth)
        if let accuracy = result.accuracy {
            line += String(format: "  accuracy %.2f%% ± %.2f%%", 100 * accuracy.mean, 100 * accuracy.halfWidth)
        }
        return line + "  (\(result.loss.count) episodes, 95% interval)"
    }.joined(separator: "\n")
}

/// `predict` and `evaluate` for continual learners (`montague train ewc`).
struct ContinualKindHandler: ModelKindHandler {
    static let kind = "ewc"

    /// Classifies each input row (64 pixel values, optionally followed by `,?` or a label) with the shared network.
    static func predict(_ directory: ModelDirectory, manifest: ModelManifest, options: PredictOptions) throws {
        try options.reject([.n, .temperature, .topK, .topP, .beam, .to, .episodes], for: kind)
        let record = try loadContinualRecord(directory, manifest: manifest)
        let run = ContinualLearning(configuration: record.configuration, inputSize: 64, classCount: 10)
        try directory.loadWeights(into: run.network)
        let (text, name) = try readInputText(options.input)
        let rows = try LabelledRows.parse(text, path: name, valuesPerRow: RotatedDigitClasses.pixelCount)
        guard !rows.isEmpty else { throw LabelledRowsError(SourceLocation(file: name), "no rows to classify") }
        let inputs = Tensor(shape: [rows.count, 64], scalars: rows.flatMap { $0.values.map { $0 / 16 } })
        let logits = withoutGradients { run.network(inputs) }
        let lines = (0..<rows.count).map { row -> String in
            let scores = Array(logits.scalars[(row * 10)..<((row + 1) * 10)])
            let best = scores.indices.max { scores[$0] < scores[$1] } ?? 0
            return options.json ? "{\"line\":\(rows[row].line),\"label\":\(best)}" : "\(best)"
        }
        try emit(lines.joined(separator: "\n") + "\n", to: options.output)
    }

    /// Test accuracy on every permuted task.
    static func evaluate(_ directory: ModelDirectory, manifest: ModelManifest, options: EvaluateOptions) throws {
        let record = try loadContinualRecord(directory, manifest: manifest)
        let run = ContinualLearning(configuration: record.configuration, inputSize: 64, classCount: 10)
        try directory.loadWeights(into: run.network)
        let path = options.data.first ?? record.dataPath
        let (images, labels) = try DigitsFile.read(path: path)
        guard images.count >= 10 else {
            throw ModelDirectoryError(path: path, "need at least 10 images, found \(images.count)")
        }
        let tasks = PermutedDigits(
            images: images, labels: labels, taskCount: record.taskCount, pixelScale: 1, seed: record.permutationSeed
        ).tasks
        let accuracies = tasks.map { run.accuracy(inputs: $0.testInputs, labels: $0.testLabels) }
        print(describeTaskAccuracies(accuracies, json: options.json))
    }
}

/// The manifest's record of a continual-learning run, checked.
func loadContinualRecord(_ directory: ModelDirectory, manifest: ModelManifest) throws -> ContinualModelRecord {
    let record = try manifest.hyperparameters(as: ContinualModelRecord.self)
    var problems = record.configuration.problems
    if !(1...100).contains(record.taskCount) { problems.append("task count \(record.taskCount) not in 1…100") }
    guard problems.isEmpty else {
        throw ModelDirectoryError(path: directory.manifestURL.path, problems.joined(separator: "; "))
    }
    return record
}

/// Per-task accuracies as text or JSON.
func describeTaskAccuracies(_ accuracies: [Double], json: Bool) -> String {
    let mean = accuracies.reduce(0, +) / Double(max(accuracies.count, 1))
    if json {
        return "{\"task_accuracies\":[" + accuracies.map { "\($0)" }.joined(separator: ",") + "],\"mean\":\(mean)}"
    }
    return accuracies.enumerated().map { String(format: "task %d: accuracy %.2f%%", $0.offset, 100 * $0.element) }
        .joined(separator: "\n") + String(format: "\nmean: %.2f%%", 100 * mean)
}
