import Autodiff
import Foundation
import MontagueSupport

/// What a model directory holds besides tensors: which kind of model it is, how it was trained, on what, and how
/// well it did when saved. Stored as `manifest.json`.
///
/// Every learner of Montague (`train lm`, `seq2seq`, `gan`, `rl`, …) writes one, so `montague predict DIR` and
/// `montague evaluate DIR` can load any model without the training flags being repeated.
public struct ModelManifest: Codable, Equatable, Sendable {
    /// The format version this build writes and reads.
    public static let currentFormatVersion = 1

    /// The model's kind, the `train` subcommand that made it (`seq2seq`, `lm`, `gan`, `rl`, …).
    public var kind: String
    /// The directory format's version (``currentFormatVersion`` when written by this build).
    public var formatVersion: Int
    /// The Montague release that wrote the directory.
    public var montagueVersion: String
    /// Everything needed to rebuild the model and continue training: architecture sizes, method, options, seed.
    /// A JSON object; each kind decodes its own hyperparameter type from it.
    public var hyperparameters: MontagueSupport.JSONValue
    /// Fingerprints of the training data (file name → a digest or size and modification time), so a resumed run
    /// can warn when the data changed.
    public var dataFingerprints: [String: String]
    /// Metrics at save time (e.g. `valid.loss`, `valid.accuracy`).
    public var metrics: [String: Double]
    /// Names of further files in the directory and what they hold (e.g. `"source-vocabulary.txt": "…"`).
    public var files: [String: String]

    /// Makes a manifest for a model of `kind` with `hyperparameters` (any `Encodable`, stored as JSON).
    public init(
        kind: String, hyperparameters: some Encodable, dataFingerprints: [String: String] = [:],
        metrics: [String: Double] = [:], files: [String: String] = [:]
    ) throws {
        self.kind = kind
        self.formatVersion = Self.currentFormatVersion
        self.montagueVersion = MontagueVersion.current
        self.hyperparameters = try MontagueSupport.JSONValue(encoding: hyperparameters)
        self.dataFingerprints = dataFingerprints
        self.metrics = metrics
        self.files = files
    }

    /// Decodes the kind's hyperparameter type from ``hyperparameters``.
    public func hyperparameters<T: Decodable>(as type: T.Type) throws -> T {
        try hyperparameters.decode(T.self)
    }
}

/// A problem with a model directory, located at the file concerned.
public struct ModelDirectoryError: LocatedError, Equatable {
    /// The file or directory concerned.
    public var location: SourceLocation?
    /// What is wrong.
    public var message: String

    /// Makes an error about `path`.
    public init(path: String, _ message: String) {
        self.location = SourceLocation(file: path)
        self.message = message
    }
}

/// A model directory: the one on-disk format of every trained Montague model.
///
/// ```
/// DIR/manifest.json               kind, format and Montague versions, hyperparameters, data fingerprints, metrics
/// DIR/weights.safetensors         the parameters, by their stable names (readable with Python's safetensors)
/// DIR/training-state.safetensors  for resuming: every optimizer's state, every random generator, step counters
/// DIR/…                           vocabularies, tokenizers and other files the kind lists in the manifest
/// ```
///
/// Every file is written atomically (temporary file, fsync, rename), so an interrupted save leaves the previous
/// version intact.
public struct ModelDirectory: Sendable {
    /// The manifest's file name.
    public static let manifestName = "manifest.json"
    /// The weights' file name.
    public static let weightsName = "weights.safetensors"
    /// The training state's file name.
    public static let trainingStateName = "training-state.safetensors"

    /// The directory.
    public let url: URL

    /// A model directory at `url` (nothing is read or created).
    public init(url: URL) { self.url = url }

    /// A model directory at `path` (nothing is read or created).
    public init(path: String) { self.url = URL(fileURLWithPath: path) }

    /// The URL of a file in the directory.
    public func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    /// The manifest's URL.
    public var manifestURL: URL { file(Self.manifestName) }
    /// The weights' URL.
    public var weightsURL: URL { file(Self.weightsName) }
    /// The training state's URL.
    public var trainingStateURL: URL { file(Self.trainingStateName) }

    /// Whether the directory holds a manifest.
    public var exists: Bool { FileManager.default.fileExists(atPath: manifestURL.path) }

    /// Creates the directory (and its parents) if needed.
    ///
    /// - Throws: ``ModelDirectoryError`` when the path is a file or cannot be created.
    public func create() throws(ModelDirectoryError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw ModelDirectoryError(path: url.path, "exists and is not a directory")
            }
            guard FileManager.default.isWritableFile(atPath: url.path) else {
                throw ModelDirectoryError(path: url.path, "directory is not writable")
            }
            return
        }
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw ModelDirectoryError(path: url.path, "cannot create the directory: \(error.localizedDescription)")
        }
    }

    /// Writes `manifest.json` atomically (sorted keys, indented, so diffs between runs are readable).
    public func writeManifest(_ manifest: ModelManifest) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(manifest)
        data.append(0x0A)
        try AtomicFile.write(data, to: manifestURL)
    }

    /// Reads and checks `manifest.json`.
    ///
    /// - Parameter kind: when given, the kind the caller expects; another kind throws.
    /// - Throws: ``ModelDirectoryError`` when the directory or manifest is missing, malformed, of a newer format,
    ///   or of another kind.
    public func readManifest(expecting kind: String? = nil) throws(ModelDirectoryError) -> ModelManifest {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ModelDirectoryError(path: url.path, "not a model directory (no such directory)")
        }
        guard let data = FileManager.default.contents(atPath: manifestURL.path) else {
            throw ModelDirectoryError(
                path: url.path, "not a model directory (no \(Self.manifestName); train one with `montague train`)")
        }
        let manifest: ModelManifest
        do {
            manifest = try JSONDecoder().decode(ModelManifest.self, from: data)
        } catch {
            throw ModelDirectoryError(path: manifestURL.path, "malformed manifest: \(Self.describe(error))")
        }
        guard manifest.formatVersion <= ModelManifest.currentFormatVersion else {
            throw ModelDirectoryError(
                path: manifestURL.path,
                "format version \(manifest.formatVersion) is newer than this Montague reads "
                    + "(\(ModelManifest.currentFormatVersion)); written by Montague \(manifest.montagueVersion)")
        }
        if let kind, manifest.kind != kind {
            throw ModelDirectoryError(path: manifestURL.path, "holds a '\(manifest.kind)' model, expected '\(kind)'")
        }
        return manifest
    }

    /// Writes the model's parameters to `weights.safetensors` (no optimizer state) atomically.
    public func saveWeights(of model: some ParameterContainer, metadata: [String: String] = [:]) throws {
        try Checkpoint.save(model: model, metadata: metadata, to: weightsURL)
    }

    /// Loads `weights.safetensors` into `model`; every name and shape is checked first, and on any mismatch the
    /// model is left untouched (``CheckpointError`` lists every problem).
    @discardableResult
    public func loadWeights(into model: some ParameterContainer) throws -> [String: String] {
        guard FileManager.default.fileExists(atPath: weightsURL.path) else {
            throw ModelDirectoryError(path: weightsURL.path, "missing weights file")
        }
        return try Checkpoint.load(into: model, from: weightsURL)
    }

    /// Writes `training-state.safetensors` atomically.
    public func saveTrainingState(_ state: TrainingStateArchive) throws {
        try SafetensorsFile.write(tensors: state.tensors, metadata: state.metadata, to: trainingStateURL)
    }

    /// Reads `training-state.safetensors`, or nil when the directory has none (a model saved without it cannot be
    /// resumed, only used).
    public func loadTrainingState() throws -> TrainingStateArchive? {
        guard FileManager.default.fileExists(atPath: trainingStateURL.path) else { return nil }
        let (tensors, metadata) = try SafetensorsFile.read(from: trainingStateURL)
        return TrainingStateArchive(tensors: tensors, metadata: metadata, path: trainingStateURL.path)
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "missing key '\(key.stringValue)'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
            DecodingError.dataCorrupted(let context):
            context.codingPath.isEmpty
                ? context.debugDescription
                : "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        default: "\(error)"
        }
    }
}

/// Everything a training run needs to resume bit for bit, for runs with several models, optimizers and random
/// generators (GANs, actor-critic, SeqGAN's rollout network): named optimizer states, generator states, extra
/// model parameters (target networks) and counters, in one safetensors file.
///
/// ```swift
/// var state = TrainingStateArchive()
/// state.store(optimizer: generatorOptimizer, as: "generator")
/// state.store(generator: random, as: "data")
/// state["step"] = String(step)
/// try directory.saveTrainingState(state)
/// ```
public struct TrainingStateArchive: Sendable {
    /// The tensors, by name (`optimizer.<name>.<index>.<slot>`, `model.<name>.<parameter>`).
    public var tensors: [String: Tensor]
    /// String metadata: counters, generator states, optimizer kinds and steps.
    public var metadata: [String: String]
    /// Where the archive was read from, for error messages (empty for a new archive).
    public var path: String

    /// An empty archive.
    public init() {
        tensors = [:]
        metadata = [:]
        path = ""
    }

    /// An archive of the given contents.
    public init(tensors: [String: Tensor], metadata: [String: String], path: String = "") {
        self.tensors = tensors
        self.metadata = metadata
        self.path = path
    }

    /// A metadata value (counters, flags, JSON of small records).
    public subscript(key: String) -> String? {
        get { metadata["state." + key] }
        set { metadata["state." + key] = newValue }
    }

    /// The integer stored under `key`.
    ///
    /// - Throws: ``ModelDirectoryError`` when it is missing or not an integer.
    public func integer(_ key: String) throws(ModelDirectoryError) -> Int {
        guard let text = self[key], let value = Int(text) else {
            throw ModelDirectoryError(path: path, "training state: '\(key)' is missing or not an integer")
        }
        return value
    }

    /// Stores an optimizer's state (moments, step count, learning rate) under `name`.
    public mutating func store(optimizer: any Optimizer, as name: String) {
        for (key, tensor) in optimizer.stateTensors { tensors["optimizer.\(name).\(key)"] = tensor }
        metadata["optimizer.\(name).kind"] = optimizer.kindName
        metadata["optimizer.\(name).step"] = String(optimizer.stepCount)
        metadata["optimizer.\(name).learning_rate"] = "\(optimizer.learningRate)"
    }

    /// Restores the optimizer stored under `name`; on any mismatch (kind, tensor names or shapes) throws and leaves
    /// the optimizer untouched.
    public func restore(optimizer: any Optimizer, from name: String) throws {
        let prefix = "optimizer.\(name)."
        guard let kind = metadata[prefix + "kind"] else {
            throw ModelDirectoryError(path: path, "training state has no optimizer '\(name)'")
        }
        guard kind == optimizer.kindName else {
            throw ModelDirectoryError(
                path: path, "optimizer '\(name)' was saved by \(kind), loading into \(optimizer.kindName)")
        }
        guard let step = metadata[prefix + "step"].flatMap({ Int($0) }), step >= 0,
            let rate = metadata[prefix + "learning_rate"].flatMap({ Float($0) }), rate.isFinite
        else { throw ModelDirectoryError(path: path, "optimizer '\(name)': malformed step or learning rate") }
        var state: [String: Tensor] = [:]
        for (key, tensor) in tensors where key.hasPrefix(prefix) { state[String(key.dropFirst(prefix.count))] = tensor }
        try optimizer.loadState(state, stepCount: step)
        optimizer.learningRate = rate
    }

    /// Stores a random generator's state under `name`.
    public mutating func store(generator: RandomGenerator, as name: String) {
        metadata["generator.\(name)"] = generator.stateWords.map { String($0) }.joined(separator: ",")
    }

    /// The random generator stored under `name`.
    public func generator(_ name: String) throws(ModelDirectoryError) -> RandomGenerator {
        guard let text = metadata["generator.\(name)"] else {
            throw ModelDirectoryError(path: path, "training state has no random generator '\(name)'")
        }
        let words = text.split(separator: ",").compactMap { UInt64($0) }
        guard words.count == 4, words.contains(where: { $0 != 0 }) else {
            throw ModelDirectoryError(path: path, "random generator '\(name)': malformed state")
        }
        var generator = RandomGenerator(seed: 0)
        generator.stateWords = words
        return generator
    }

    /// Stores the parameters of an auxiliary model (a target network, a rollout copy) under `name`.
    public mutating func store(model: some ParameterContainer, as name: String) {
        for (parameterName, parameter) in model.namedParameters {
            tensors["model.\(name).\(parameterName)"] = parameter.value.detached()
        }
    }

    /// Restores an auxiliary model stored under `name`; checks every name and shape before changing anything.
    public func restore(model: some ParameterContainer, from name: String) throws {
        let prefix = "model.\(name)."
        var updates: [(Parameter, Tensor)] = []
        var problems: [CheckpointError.Problem] = []
        var expected = Set<String>()
        for (parameterName, parameter) in model.namedParameters {
            expected.insert(prefix + parameterName)
            guard let tensor = tensors[prefix + parameterName] else {
                problems.append(.missing(name: prefix + parameterName, expectedShape: parameter.shape))
                continue
            }
            guard tensor.shape == parameter.shape else {
                problems.append(
                    .shapeMismatch(name: prefix + parameterName, expected: parameter.shape, found: tensor.shape))
                continue
            }
            updates.append((parameter, tensor))
        }
        for key in tensors.keys.sorted() where key.hasPrefix(prefix) && !expected.contains(key) {
            problems.append(.unexpected(name: key, shape: tensors[key]?.shape ?? []))
        }
        if !problems.isEmpty { throw CheckpointError(problems: problems) }
        for (parameter, tensor) in updates { parameter.update(tensor) }
    }
}
