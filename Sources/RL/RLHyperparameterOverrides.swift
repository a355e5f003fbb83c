import Foundation
import MontagueSupport

extension RLHyperparameters {
    /// These hyperparameters with the fields of a JSON object replaced: `text` holds an object whose keys are
    /// those of the model directory's stored hyperparameters (`{"naf": {"tau": 0.001, "hidden": [128, 128]}}`);
    /// nested objects merge key by key, anything else replaces the default. Unknown keys and wrongly typed values
    /// are located errors in `path`.
    public func overriding(withJSON text: String, path: String) throws(InputError) -> RLHyperparameters {
        let location = SourceLocation(file: path)
        let overrides: [String: Any]
        do {
            guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                throw InputError("the hyperparameters must be one JSON object", at: location)
            }
            overrides = object
        } catch let error as InputError {
            throw error
        } catch {
            throw InputError("not valid JSON: \(error.localizedDescription)", at: location)
        }
        let defaults: [String: Any]
        do {
            let data = try JSONEncoder().encode(self)
            defaults = (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
        } catch {
            throw InputError("cannot encode the default hyperparameters: \(error)", at: location)
        }
        let merged = Self.merge(overrides, into: defaults)
        let result: RLHyperparameters
        do {
            let data = try JSONSerialization.data(withJSONObject: merged)
            result = try JSONDecoder().decode(RLHyperparameters.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            let section = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw InputError(
                "'\(section)' lacks '\(key.stringValue)' (a section the method does not use by default must be "
                    + "given whole)", at: location)
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context),
            let DecodingError.dataCorrupted(context)
        {
            let key = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw InputError("bad value for '\(key)': \(context.debugDescription)", at: location)
        } catch {
            throw InputError("hyperparameters do not decode: \(error)", at: location)
        }
        // A key the decoder ignored is a typo or belongs to another method: say so rather than ignore it.
        let decoded: [String: Any]
        do {
            decoded = (try JSONSerialization.jsonObject(with: JSONEncoder().encode(result)) as? [String: Any]) ?? [:]
        } catch {
            throw InputError("cannot encode the hyperparameters: \(error)", at: location)
        }
        if let unknown = Self.firstMissingKey(of: overrides, in: decoded, keyPath: "") {
            throw InputError("unknown hyperparameter '\(unknown)' for this method", at: location)
        }
        do {
            try result.validate()
        } catch {
            throw InputError(error.description, at: location)
        }
        return result
    }

    /// `overrides` merged into `defaults`: nested objects key by key, anything else replaced.
    private static func merge(_ overrides: [String: Any], into defaults: [String: Any]) -> [String: Any] {
        var result = defaults
        for (key, value) in overrides {
            if let nested = value as? [String: Any], let existing = defaults[key] as? [String: Any] {
                result[key] = merge(nested, into: existing)
            } else {
                result[key] = value
            }
        }
        return result
    }

    /// The first key path of `overrides` (sorted) absent from `decoded`.
    private static func firstMissingKey(of overrides: [String: Any], in decoded: [String: Any], keyPath: String)
        -> String?
    {
        for key in overrides.keys.sorted() {
            let path = keyPath.isEmpty ? key : "\(keyPath).\(key)"
            guard let present = decoded[key] else {
                // An explicit null for an optional setting decodes to "absent".
                if overrides[key] is NSNull { continue }
                return path
            }
            if let nested = overrides[key] as? [String: Any], let presentObject = present as? [String: Any],
                let missing = firstMissingKey(of: nested, in: presentObject, keyPath: path)
            {
                return missing
            }
        }
        return nil
    }
}

/// A range a hyperparameter must lie in (the table of ``RLHyperparameters/rangeChecks``).
public enum HyperparameterRange: Equatable, Sendable {
    /// A count in 1…10,000,000.
    case count
    /// An integer in the bounds.
    case integer(ClosedRange<Int>)
    /// An integer ≥ 0.
    case nonNegativeInteger
    /// A finite real > 0.
    case positive
    /// A finite real ≥ 0.
    case nonNegative
    /// A probability-like real in [0, 1].
    case unitInterval
    /// A real in (0, 1] (discounts, step sizes of tabular learners, Polyak rates).
    case positiveUnitInterval
    /// Layer sizes, each in 1…65,536.
    case layerSizes
    /// A real strictly below the value of the setting `name`.
    case below(Double, name: String)

    /// Whether `value` lies in this range (a value of the wrong kind never does).
    public func contains(_ value: HyperparameterValue) -> Bool {
        switch (self, value) {
        case (.count, .integer(let n)): n > 0 && n <= 10_000_000
        case (.integer(let bounds), .integer(let n)): bounds.contains(n)
        case (.nonNegativeInteger, .integer(let n)): n >= 0
        case (.positive, .real(let x)): x > 0 && x.isFinite
        case (.nonNegative, .real(let x)): x >= 0 && x.isFinite
        case (.unitInterval, .real(let x)): x >= 0 && x <= 1
        case (.positiveUnitInterval, .real(let x)): x > 0 && x <= 1
        case (.layerSizes, .integers(let sizes)): sizes.allSatisfy { $0 > 0 && $0 <= 1 << 16 }
        case (.below(let bound, _), .real(let x)): x < bound
        default: false
        }
    }

    /// What a value of `key` outside the range is told.
    func requirement(of key: String) -> String {
        switch self {
        case .count: "\(key) must lie in 1…10000000"
        case .integer(let bounds): "\(key) must lie in \(bounds.lowerBound)…\(bounds.upperBound)"
        case .nonNegativeInteger: "\(key) must be ≥ 0"
        case .positive: "\(key) must be positive and finite"
        case .nonNegative: "\(key) must be ≥ 0 and finite"
        case .unitInterval: "\(key) must lie in [0, 1]"
        case .positiveUnitInterval: "\(key) must lie in (0, 1]"
        case .layerSizes: "\(key) sizes must lie in 1…65536"
        case .below(_, let name): "\(key) must be below \(name)"
        }
    }
}

/// The value of one hyperparameter, as the range table sees it.
public enum HyperparameterValue: Equatable, Sendable {
    /// A count or size.
    case integer(Int)
    /// A real (single-precision settings widened exactly).
    case real(Double)
    /// Layer sizes.
    case integers([Int])

    /// A single-precision setting.
    static func float(_ value: Float) -> HyperparameterValue { .real(Double(value)) }
}

/// One hyperparameter outside its range.
public struct HyperparameterViolation: Equatable, Sendable, CustomStringConvertible {
    /// The key path in the stored hyperparameters (`dqn.network.hidden`).
    public var key: String
    /// The value found.
    public var value: HyperparameterValue
    /// The range it misses.
    public var range: HyperparameterRange

    public var description: String { range.requirement(of: key) }
}

/// Hyperparameters outside the ranges the trainers rely on: every violation, in table order.
public struct HyperparameterRangeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The violations (at least one).
    public var violations: [HyperparameterViolation]

    public var description: String { violations.map(\.description).joined(separator: "; ") }
}

extension RLHyperparameters {
    /// One row of the range table: a key path, its value and the range it must lie in.
    public typealias RangeCheck = (key: String, value: HyperparameterValue, range: HyperparameterRange)

    /// Every range the trainers rely on, as one table (positive sizes and counts, finite positive rates, discounts
    /// in (0, 1], probabilities in [0, 1]); only the sections these hyperparameters have appear.
    public var rangeChecks: [RangeCheck] {
        var table: [RangeCheck] = []
        func add(_ section: String, _ rows: [(String, HyperparameterValue?, HyperparameterRange)]) {
            for (key, value, range) in rows {
                guard let value else { continue }
                table.append((key: section.isEmpty ? key : "\(section).\(key)", value: value, range: range))
            }
        }
        if let onPolicy {
            add(
                "onPolicy",
                [
                    ("environments", .integer(onPolicy.environments), .count),
                    ("rolloutSteps", .integer(onPolicy.rolloutSteps), .count),
                    ("epochs", .integer(onPolicy.epochs), .count),
                    ("minibatchSize", .integer(onPolicy.minibatchSize), .count),
                    ("discount", .real(onPolicy.discount), .positiveUnitInterval),
                    ("gaeLambda", .real(onPolicy.gaeLambda), .unitInterval),
                    ("learningRate", .float(onPolicy.learningRate), .positive),
                    ("maxGradientNorm", .float(onPolicy.maxGradientNorm), .positive),
                    ("clipRange", .float(onPolicy.clipRange), .nonNegative),
                    ("entropyCoefficient", .float(onPolicy.entropyCoefficient), .nonNegative),
                    ("valueCoefficient", .float(onPolicy.valueCoefficient), .nonNegative),
                    ("klTarget", .float(onPolicy.klTarget), .positive),
                    ("initialBeta", .float(onPolicy.initialBeta), .nonNegative),
                    ("valueClipRange", onPolicy.valueClipRange.map(HyperparameterValue.float), .positive),
                    ("hidden", .integers(onPolicy.hidden), .layerSizes),
                ])
        }
        if let dqn {
            add(
                "dqn",
                [
                    ("batchSize", .integer(dqn.batchSize), .count),
                    ("bufferSize", .integer(dqn.bufferSize), .count),
                    ("targetUpdateInterval", .integer(dqn.targetUpdateInterval), .count),
                    ("trainFrequency", .integer(dqn.trainFrequency), .count),
                    ("gradientSteps", .integer(dqn.gradientSteps), .count),
                    ("nSteps", .integer(dqn.nSteps), .count),
                    ("learningRate", .float(dqn.learningRate), .positive),
                    ("maxGradientNorm", .float(dqn.maxGradientNorm), .positive),
                    ("discount", .real(dqn.discount), .positiveUnitInterval),
                    ("learningStarts", .integer(dqn.learningStarts), .nonNegativeInteger),
                    ("network.hidden", .integers(dqn.network.hidden), .layerSizes),
                    ("network.atoms", .integer(dqn.network.atoms), .integer(1...1024)),
                    ("network.valueMin", .real(dqn.network.valueMin), .below(dqn.network.valueMax, name: "valueMax")),
                ])
            if let curiosity = dqn.curiosity {
                add(
                    "dqn.curiosity",
                    [
                        ("scale", .float(curiosity.scale), .positive),
                        ("featureSize", .integer(curiosity.featureSize), .count),
                        ("hidden", .integer(curiosity.hidden), .count),
                        ("learningRate", .float(curiosity.learningRate), .positive),
                    ])
            }
        }
        if let pathwise {
            add(
                "pathwise",
                [
                    ("batchSize", .integer(pathwise.batchSize), .count),
                    ("bufferSize", .integer(pathwise.bufferSize), .count),
                    ("policyDelay", .integer(pathwise.policyDelay), .count),
                    ("learningRate", .float(pathwise.learningRate), .positive),
                    ("discount", .real(pathwise.discount), .positiveUnitInterval),
                    ("tau", .float(pathwise.tau), .positiveUnitInterval),
                    ("explorationNoise", .float(pathwise.explorationNoise), .nonNegative),
                    ("targetNoise", .float(pathwise.targetNoise), .nonNegative),
                    ("targetNoiseClip", .float(pathwise.targetNoiseClip), .nonNegative),
                    ("learningStarts", .integer(pathwise.learningStarts), .nonNegativeInteger),
                    ("hidden", .integers(pathwise.hidden), .layerSizes),
                ])
        }
        if let naf {
            add(
                "naf",
                [
                    ("batchSize", .integer(naf.batchSize), .count),
                    ("bufferSize", .integer(naf.bufferSize), .count),
                    ("gradientSteps", .integer(naf.gradientSteps), .count),
                    ("learningRate", .float(naf.learningRate), .positive),
                    ("discount", .real(naf.discount), .positiveUnitInterval),
                    ("tau", .float(naf.tau), .positiveUnitInterval),
                    ("explorationNoise", .float(naf.explorationNoise), .nonNegative),
                    ("maxGradientNorm", naf.maxGradientNorm.map(HyperparameterValue.float), .positive),
                    ("learningStarts", .integer(naf.learningStarts), .nonNegativeInteger),
                    ("hidden", .integers(naf.hidden), .layerSizes),
                ])
        }
        add("", [("workers", workers.map(HyperparameterValue.integer), .integer(1...256))])
        if let imitation { add("imitation", [("epochs", .integer(imitation.epochs), .count)]) }
        for (section, learner) in [
            ("tabular", tabular), ("curriculum.learner", curriculum?.learner),
            ("hierarchy.learner", hierarchy?.learner),
        ] {
            guard let learner else { continue }
            add(
                section,
                [
                    ("learningRate", .real(learner.learningRate), .positiveUnitInterval),
                    ("discount", .real(learner.discount), .positiveUnitInterval),
                    ("epsilon", .real(learner.epsilon), .unitInterval),
                ])
        }
        if let curriculum {
            add(
                "curriculum",
                [
                    ("newStarts", .integer(curriculum.newStarts), .count),
                    ("walkLength", .integer(curriculum.walkLength), .count),
                    ("episodesPerStart", .integer(curriculum.episodesPerStart), .count),
                    ("episodeStepLimit", .integer(curriculum.episodeStepLimit), .count),
                    ("oldStarts", .integer(curriculum.oldStarts), .nonNegativeInteger),
                    ("minimumSuccess", .real(curriculum.minimumSuccess), .unitInterval),
                    ("maximumSuccess", .real(curriculum.maximumSuccess), .unitInterval),
                ])
        }
        if let hierarchy { add("hierarchy", [("optionStepLimit", .integer(hierarchy.optionStepLimit), .count)]) }
        return table
    }

    /// Checks every row of ``rangeChecks``: hyperparameters read from a user's file must fail here, with the keys
    /// named, rather than trap inside a trainer.
    public func validate() throws(HyperparameterRangeError) {
        let violations = rangeChecks.compactMap { check in
            check.range.contains(check.value)
                ? nil : HyperparameterViolation(key: check.key, value: check.value, range: check.range)
        }
        if !violations.isEmpty { throw HyperparameterRangeError(violations: violations) }
    }
}
