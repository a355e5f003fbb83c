import ArgumentParser
import Autodiff
import Corpus
import Foundation
import Generative
import MetaLearning
import MontagueSupport
import NeuralNet

extension MetaMethod: ExpressibleByArgument {}
extension ContinualMethod: ExpressibleByArgument {}
extension FisherEstimate: ExpressibleByArgument {}
extension InnerRateParameterization: ExpressibleByArgument {}

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
    static let evaluateFlags: Set<EvaluateFlag> = [.data, .episodes]
    static let predictFlags: Set<PredictFlag> = [.input]

    /// Adapts on the support rows of the input (rows ending in a target) and prints a prediction for each query
    /// row (rows ending in `?`).
    static func predict(_ directory: ModelDirectory, manifest: ModelManifest, options: PredictOptions) throws {
        let (run, record) = try loadMetaRun(directory, manifest: manifest)
        let configuration = record.configuration
        guard configuration.task != .text else {
            throw ModelDirectoryError(
                path: directory.url.path, "predict reads numeric rows; text models are only evaluated (evaluate DIR)")
        }
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
        print(
            describeMetaResults(
                results, configuration: record.configuration, json: options.json, testSteps: record.testSteps))
    }
}

/// The held-out evaluation of a meta-training run (shared by `train meta` and `evaluate`).
///
/// - Parameter everyStep: evaluate after every step 0…testSteps (for the adaptation plot), not only 0, 1, 5 and
///   testSteps.
func evaluateMetaRun(
    _ run: MetaTraining, record: MetaModelRecord, dataPath: String?, episodes: Int, seed: UInt64,
    everyStep: Bool = false
) throws -> [AdaptationResult] {
    let configuration = record.configuration
    let checkpoints =
        everyStep ? Array(0...record.testSteps) : Array(Set([0, 1, 5, record.testSteps])).sorted()
    if configuration.task != .sinusoid && dataPath == nil {
        throw ValidationError("a \(configuration.task.rawValue) model needs its data: --data PATH")
    }
    let sampler = try metaEpisodes(
        family: configuration.task, path: dataPath, configuration: configuration, forTesting: true)
    return run.evaluate(sampler: sampler, episodeCount: episodes, checkpoints: checkpoints, seed: seed)
}

/// The episode sampler of a task family: sinusoids (100 query points per task when testing, as Finn et al. 2017
/// evaluate), rotated digits or texts of the data at `path`, from the meta-training or the meta-test split.
func metaEpisodes(
    family: MetaTaskFamily, path: String?, configuration: MetaTrainingConfiguration, forTesting: Bool
) throws -> any EpisodeSampler {
    switch family {
    case .sinusoid:
        return SinusoidTasks(shots: configuration.shots, queryCount: forTesting ? 100 : configuration.queryCount)
    case .digits:
        return try digitEpisodes(path: path ?? "", configuration: configuration, forTesting: forTesting)
    case .text:
        let classes = try textClasses(path: path ?? "", configuration: configuration)
        return TextEpisodes(
            classes: classes, way: configuration.way, shot: configuration.shots,
            queryPerClass: configuration.queryCount, forTesting: forTesting)
    }
}

/// Speaker classes of the plays at `path` (a file or directory of XML plays): every speech is a text, its speaker
/// the class and its play the group; the last quarter of the plays by title are the meta-test groups.
func textClasses(path: String, configuration: MetaTrainingConfiguration) throws -> TextClasses {
    let loader = try CorpusLoader(
        paths: [path], options: CorpusLoadOptions(profile: ProfileConfiguration(granularity: .speech)))
    var texts: [LabelledText] = []
    try loader.forEachUnit { document, unit in
        guard let speaker = unit.metadata["speaker"], !speaker.isEmpty,
            !HashedBagOfNGrams.words(unit.text).isEmpty
        else { return }
        texts.append(LabelledText(text: unit.text, label: speaker, group: document.title ?? document.identifier))
    }
    let groups = texts.map(\.group)
    let testGroups = TextClasses.defaultTestGroups(groups)
    guard !testGroups.isEmpty else {
        throw ModelDirectoryError(
            path: path, "text tasks need speeches with speakers from at least two plays (found \(Set(groups).count))")
    }
    let classes = TextClasses(
        texts: texts, encoder: HashedBagOfNGrams(dimension: configuration.textFeatureCount),
        minimumCount: configuration.shots + configuration.queryCount, testGroups: testGroups)
    for forTesting in [false, true] where classes.classes(forTesting: forTesting).count < configuration.way {
        throw ModelDirectoryError(
            path: path,
            "the meta-\(forTesting ? "test" : "training") plays have \(classes.classes(forTesting: forTesting).count) "
                + "speakers with \(configuration.shots + configuration.queryCount) speeches (shots + queries); "
                + "--way \(configuration.way) needs that many")
    }
    return classes
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
///
/// The text form shows steps 0, 1, 5 and `testSteps` (all results in JSON); diverged episodes are counted, and
/// steps beyond those a learned rule (Meta-SGD, the LSTM optimizer) was trained for are marked.
func describeMetaResults(
    _ results: [AdaptationResult], configuration: MetaTrainingConfiguration, json: Bool, testSteps: Int
) -> String {
    if json {
        let items = results.map { result in
            var fields = [
                "\"steps\":\(result.steps)", "\"loss\":\(jsonNumber(result.loss.mean))",
                "\"loss_ci95\":\(jsonNumber(result.loss.halfWidth))",
                "\"episodes\":\(result.loss.count)", "\"diverged\":\(result.divergedEpisodes)",
                "\"beyond_trained_steps\":\(result.beyondTrainedSteps)",
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
    let shown: Set<Int> = [0, 1, 5, testSteps]
    let note =
        configuration.method == .metaSGD
        ? "Meta-SGD's rates were learned for \(configuration.innerSteps) inner step(s)"
        : "the optimizer was trained on \(configuration.innerSteps)-step unrolls"
    return results.filter { shown.contains($0.steps) }.map { result in
        if result.allDiverged {
            return String(format: "after %2d steps: diverged in all %d episodes", result.steps, result.divergedEpisodes)
                + (result.beyondTrainedSteps ? " (\(note))" : "")
        }
        var line = String(
            format: "after %2d steps: %@ %.4f ± %.4f", result.steps,
            configuration.task == .sinusoid ? "MSE" : "loss", result.loss.mean, result.loss.halfWidth)
        if let accuracy = result.accuracy {
            line += String(format: "  accuracy %.2f%% ± %.2f%%", 100 * accuracy.mean, 100 * accuracy.halfWidth)
        }
        line += "  (\(result.loss.count) episodes, 95% interval"
        if result.divergedEpisodes > 0 { line += "; \(result.divergedEpisodes) more diverged and are left out" }
        if result.beyondTrainedSteps { line += "; beyond the trained steps" }
        return line + ")"
    }.joined(separator: "\n")
}

/// The optimizer comparison as a table: training loss after 1, T/2 and T steps and the query loss after T steps,
/// mean ± 95% interval over the held-out tasks.
func describeOptimizerComparison(_ comparison: OptimizerComparison) -> String {
    let steps = comparison.steps
    let columns = Array(Set([1, steps / 2, steps])).filter { $0 >= 1 }.sorted()
    var lines = [
        "optimizer comparison from the same θ₀ on \(comparison.curves.first?.losses.count ?? 0) held-out tasks:"
    ]
    for curve in comparison.curves {
        var line = curve.name.padding(toLength: 22, withPad: " ", startingAt: 0)
        for step in columns {
            let loss = curve.loss(afterStep: step)
            line += String(format: "  step %d: %.4f ± %.4f", step, loss.mean, loss.halfWidth)
        }
        let query = curve.finalQueryLoss
        line += String(format: "  query after %d: %.4f ± %.4f", steps, query.mean, query.halfWidth)
        lines.append(line)
    }
    return lines.joined(separator: "\n")
}

/// `predict` and `evaluate` for continual learners (`montague train ewc`).
struct ContinualKindHandler: ModelKindHandler {
    static let kind = "ewc"
    static let evaluateFlags: Set<EvaluateFlag> = [.data]
    static let predictFlags: Set<PredictFlag> = [.input]

    /// Classifies each input row (64 pixel values, optionally followed by `,?` or a label) with the shared network.
    static func predict(_ directory: ModelDirectory, manifest: ModelManifest, options: PredictOptions) throws {
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
