import ArgumentParser
import Foundation
import MontagueSupport
import NeuralNet
import TextGeneration

/// How one kind of model directory is applied and evaluated by the shared verbs `montague predict DIR` and
/// `montague evaluate DIR`. Each kind (`seq2seq`, `lm`, `gan`, `rl`, …) has one conforming type in its own file,
/// listed in ``ModelKinds/all``; the type only parses what it needs from the shared options, calls its library
/// entry point and prints.
protocol ModelKindHandler: Sendable {
    /// The manifest's `kind` this handler serves (the `train` subcommand's name).
    static var kind: String { get }
    /// Applies the model: samples, transfers, plays, classifies.
    static func predict(_ directory: ModelDirectory, manifest: ModelManifest, options: PredictOptions) throws
    /// Reports the kind's metrics.
    static func evaluate(_ directory: ModelDirectory, manifest: ModelManifest, options: EvaluateOptions) throws
    /// The optional flags of `predict` that the kind reads; `predict` refuses the others before calling it.
    static var predictFlags: Set<PredictFlag> { get }
    /// The optional flags of `evaluate` that the kind reads; `evaluate` refuses the others before calling it.
    static var evaluateFlags: Set<EvaluateFlag> { get }
}

/// Every kind the `predict` and `evaluate` verbs know (one line per kind).
enum ModelKinds {
    static let all: [any ModelKindHandler.Type] = [
        LanguageModelKind.self, StyleTransferKind.self, Seq2SeqKind.self,
        GANKind.self, VAEKind.self,
        MetaKindHandler.self, ContinualKindHandler.self,
        RLKind.self, SeqGANKind.self, SentenceVAEKind.self, StyleJudgeKind.self,
    ]

    /// The handler of the directory's kind, with its manifest.
    static func handler(for directory: ModelDirectory) throws -> (any ModelKindHandler.Type, ModelManifest) {
        let manifest = try directory.readManifest()
        var known: [String] = []
        for handler in all {
            if handler.kind == manifest.kind { return (handler, manifest) }
            known.append(handler.kind)
        }
        let list = known.sorted().joined(separator: ", ")
        throw ModelDirectoryError(
            path: directory.manifestURL.path,
            "unknown model kind '\(manifest.kind)' (this Montague knows: \(list.isEmpty ? "none" : list))")
    }
}

/// Options that a model kind may refuse: `predict`'s and `evaluate`'s optional flags. Each kind declares the flags
/// it reads (``ModelKindHandler/predictFlags``, ``ModelKindHandler/evaluateFlags``) and the verbs refuse the others
/// with ``reject(_:for:)`` before calling it, so a flag is never silently ignored.
protocol KindOptions {
    /// The optional flags, by their command-line names.
    associatedtype RefusableFlag: RawRepresentable<String>
    /// Whether the user gave `flag`.
    func isSet(_ flag: RefusableFlag) -> Bool
}

extension KindOptions {
    /// Throws a usage error naming the first of `flags` that was given but does not apply to `kind`.
    func reject(_ flags: [RefusableFlag], for kind: String) throws {
        for flag in flags where isSet(flag) {
            throw ValidationError("--\(flag.rawValue) does not apply to a '\(kind)' model")
        }
    }
}

/// Options of `montague predict`; each kind reads those it declares and the others are refused.
struct PredictOptions: ParsableArguments, KindOptions {
    @Argument(help: "A model directory written by `montague train … --output DIR`.")
    var model: String

    @Option(name: .long, help: "Inputs, one per line (default: standard input, for kinds that take inputs).")
    var input: String?

    @Option(name: .long, help: "Write the predictions to this file (atomically) instead of standard output.")
    var output: String?

    @Option(name: .customLong("n"), help: "How many samples to draw (generators).")
    var count: Int?

    @Option(name: .long, help: "Sampling temperature (generators).")
    var temperature: Float?

    @Option(name: .customLong("top-k"), help: "Sample among the k most likely tokens (generators).")
    var topK: Int?

    @Option(name: .customLong("top-p"), help: "Nucleus sampling: the smallest set with this much probability.")
    var topP: Float?

    @Option(name: .long, help: "Beam width (1: greedy) for models that decode.")
    var beam: Int?

    @Option(name: .long, help: "Target style (style transfer).")
    var to: String?

    @Option(name: .long, help: "Episodes to play (reinforcement learning).")
    var episodes: Int?

    @Option(name: .long, help: "Seed of every random choice.")
    var seed: UInt64 = 0

    @Flag(name: .long, help: "Machine-readable output (JSON).")
    var json = false

    func validate() throws {
        if let count, count <= 0 { throw ValidationError("--n must be positive") }
        if let temperature, !(temperature > 0) { throw ValidationError("--temperature must be positive") }
        if let topK, topK <= 0 { throw ValidationError("--top-k must be positive") }
        if let topP, !(topP > 0 && topP <= 1) { throw ValidationError("--top-p must be in (0, 1]") }
        if let beam, beam <= 0 { throw ValidationError("--beam must be positive") }
        if let episodes, episodes <= 0 { throw ValidationError("--episodes must be positive") }
    }

    /// The lines of `--input`, or of standard input when it is not given.
    func inputLines() throws -> [String] {
        if let input { return try TextScoring.TextFile(contentsOf: input).lines }
        var lines: [String] = []
        while let line = readLine() { lines.append(line) }
        return lines
    }

    func isSet(_ flag: PredictFlag) -> Bool {
        switch flag {
        case .input: input != nil
        case .n: count != nil
        case .temperature: temperature != nil
        case .topK: topK != nil
        case .topP: topP != nil
        case .beam: beam != nil
        case .to: to != nil
        case .episodes: episodes != nil
        }
    }
}

/// The optional flags of ``PredictOptions``, by their command-line names.
enum PredictFlag: String, CaseIterable {
    case input, n, temperature, beam, to, episodes
    case topK = "top-k"
    case topP = "top-p"
}

/// Options of `montague evaluate`; each kind reads those it declares and the others are refused.
struct EvaluateOptions: ParsableArguments, KindOptions {
    @Argument(help: "A model directory written by `montague train … --output DIR`.")
    var model: String

    @Option(name: .long, help: "Evaluation data (its format is the kind's training format).")
    var data: [String] = []

    @Option(name: .long, parsing: .upToNextOption, help: "Reference files, one reference per line (BLEU).")
    var refs: [String] = []

    @Option(name: .long, help: "Episodes to average over (reinforcement learning).")
    var episodes: Int?

    @Option(
        name: .long,
        help: "Style transfer: also score the outputs by this judge (a `train style-judge` or style-transfer model).")
    var judge: String?

    @Option(name: .long, help: "Seed of every random choice.")
    var seed: UInt64 = 0

    @Flag(name: .long, help: "Machine-readable output (JSON).")
    var json = false

    @Option(name: .long, help: "seq2seq, TSV data: the source and target columns, S,T (default: as trained).")
    var columns: TSVColumns?

    @Option(
        name: .customLong("group-column"),
        help: "seq2seq, TSV data: exact match per value of this column too (COGS: 3, the category).")
    var groupColumn: Int?

    func validate() throws {
        if let episodes, episodes <= 0 { throw ValidationError("--episodes must be positive") }
        if let groupColumn, groupColumn <= 0 { throw ValidationError("--group-column must be positive") }
    }

    func isSet(_ flag: EvaluateFlag) -> Bool {
        switch flag {
        case .data: !data.isEmpty
        case .refs: !refs.isEmpty
        case .episodes: episodes != nil
        case .judge: judge != nil
        case .columns: columns != nil
        case .groupColumn: groupColumn != nil
        }
    }
}

/// The optional flags of ``EvaluateOptions``, by their command-line names.
enum EvaluateFlag: String, CaseIterable {
    case data, refs, episodes, judge, columns
    case groupColumn = "group-column"
}

/// `montague predict DIR …`: applies any model directory as its kind means it.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Apply a trained model: transfer or map sentences, sample, play episodes, classify.",
        discussion: """
            The model directory's manifest says what kind of model it holds; every training command writes one \
            (`montague train <kind> … --output DIR`). Options that do not apply to the kind are rejected.

            Examples:
              montague predict runs/scan --input commands.txt
              montague predict runs/lm --n 10 --temperature 0.8 --seed 1
            """)

    @OptionGroup var options: PredictOptions

    func run() throws {
        let directory = ModelDirectory(path: options.model)
        let (handler, manifest) = try ModelKinds.handler(for: directory)
        try options.reject(PredictFlag.allCases.filter { !handler.predictFlags.contains($0) }, for: handler.kind)
        try handler.predict(directory, manifest: manifest, options: options)
    }
}

/// `montague evaluate DIR …`: reports the metrics of any model directory's kind.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Evaluate a trained model: exact match, BLEU, perplexity, sample quality, returns, accuracy.",
        discussion: """
            The model directory's manifest says what kind of model it holds and which metrics apply; --json \
            prints them as one JSON object.

            Examples:
              montague evaluate runs/scan --data tasks_test_simple.txt
              montague evaluate runs/agent --episodes 100 --json
            """)

    @OptionGroup var options: EvaluateOptions

    func run() throws {
        let directory = ModelDirectory(path: options.model)
        let (handler, manifest) = try ModelKinds.handler(for: directory)
        try options.reject(EvaluateFlag.allCases.filter { !handler.evaluateFlags.contains($0) }, for: handler.kind)
        try handler.evaluate(directory, manifest: manifest, options: options)
    }
}

/// `--time-limit 90s|45m|2h|1h30m|5400` for every training command.
extension WallClockBudget: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

/// Writes `lines` to `path` atomically (or to standard output): one a line, or with `json` one JSON array of strings.
func emitLines(_ lines: [String], json: Bool, to path: String?) throws {
    let text =
        json
        ? "[" + lines.map(Escaping.jsonString).joined(separator: ",") + "]\n"
        : lines.map { $0 + "\n" }.joined()
    try emit(text, to: path)
}

/// Writes a command's output to `path` atomically, or to standard output when there is no path (`--output`).
func emit(_ text: String, to path: String?) throws {
    if let path {
        try AtomicFile.write(Data(text.utf8), to: URL(fileURLWithPath: path))
    } else {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
