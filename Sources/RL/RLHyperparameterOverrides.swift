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
            throw InputError(error.message, at: location)
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

extension RLHyperparameters {
    /// Checks the ranges the trainers rely on (positive sizes and counts, finite positive rates, discounts in
    /// (0, 1], probabilities in [0, 1]): hyperparameters read from a user's file must fail here, with the key
    /// named, rather than trap inside a trainer.
    public func validate() throws(RLRunError) {
        var problems: [String] = []
        func positive(_ value: Int, _ key: String) {
            if value <= 0 || value > 10_000_000 { problems.append("\(key) must lie in 1…10000000") }
        }
        func positive(_ value: Float, _ key: String) {
            if !(value > 0 && value.isFinite) { problems.append("\(key) must be positive and finite") }
        }
        func nonNegative(_ value: Float, _ key: String) {
            if !(value >= 0 && value.isFinite) { problems.append("\(key) must be ≥ 0 and finite") }
        }
        func unit(_ value: Double, _ key: String, allowZero: Bool = true) {
            if !(value <= 1 && (allowZero ? value >= 0 : value > 0)) {
                problems.append("\(key) must lie in \(allowZero ? "[0" : "(0"), 1]")
            }
        }
        func sizes(_ values: [Int], _ key: String) {
            if values.contains(where: { $0 <= 0 || $0 > 1 << 16 }) {
                problems.append("\(key) sizes must lie in 1…65536")
            }
        }
        if let onPolicy {
            positive(onPolicy.environments, "onPolicy.environments")
            positive(onPolicy.rolloutSteps, "onPolicy.rolloutSteps")
            positive(onPolicy.epochs, "onPolicy.epochs")
            positive(onPolicy.minibatchSize, "onPolicy.minibatchSize")
            unit(onPolicy.discount, "onPolicy.discount", allowZero: false)
            unit(onPolicy.gaeLambda, "onPolicy.gaeLambda")
            positive(onPolicy.learningRate, "onPolicy.learningRate")
            positive(onPolicy.maxGradientNorm, "onPolicy.maxGradientNorm")
            nonNegative(onPolicy.clipRange, "onPolicy.clipRange")
            nonNegative(onPolicy.entropyCoefficient, "onPolicy.entropyCoefficient")
            nonNegative(onPolicy.valueCoefficient, "onPolicy.valueCoefficient")
            positive(onPolicy.klTarget, "onPolicy.klTarget")
            nonNegative(onPolicy.initialBeta, "onPolicy.initialBeta")
            if let valueClip = onPolicy.valueClipRange { positive(valueClip, "onPolicy.valueClipRange") }
            sizes(onPolicy.hidden, "onPolicy.hidden")
        }
        if let dqn {
            positive(dqn.batchSize, "dqn.batchSize")
            positive(dqn.bufferSize, "dqn.bufferSize")
            positive(dqn.targetUpdateInterval, "dqn.targetUpdateInterval")
            positive(dqn.trainFrequency, "dqn.trainFrequency")
            positive(dqn.gradientSteps, "dqn.gradientSteps")
            positive(dqn.nSteps, "dqn.nSteps")
            positive(dqn.learningRate, "dqn.learningRate")
            positive(dqn.maxGradientNorm, "dqn.maxGradientNorm")
            unit(dqn.discount, "dqn.discount", allowZero: false)
            if dqn.learningStarts < 0 { problems.append("dqn.learningStarts must be ≥ 0") }
            sizes(dqn.network.hidden, "dqn.network.hidden")
            if dqn.network.atoms <= 0 || dqn.network.atoms > 1024 {
                problems.append("dqn.network.atoms must lie in 1…1024")
            }
            if !(dqn.network.valueMin < dqn.network.valueMax) {
                problems.append("dqn.network.valueMin must be below valueMax")
            }
            if let curiosity = dqn.curiosity {
                positive(curiosity.scale, "dqn.curiosity.scale")
                positive(curiosity.featureSize, "dqn.curiosity.featureSize")
                positive(curiosity.hidden, "dqn.curiosity.hidden")
                positive(curiosity.learningRate, "dqn.curiosity.learningRate")
            }
        }
        if let pathwise {
            positive(pathwise.batchSize, "pathwise.batchSize")
            positive(pathwise.bufferSize, "pathwise.bufferSize")
            positive(pathwise.policyDelay, "pathwise.policyDelay")
            positive(pathwise.learningRate, "pathwise.learningRate")
            unit(pathwise.discount, "pathwise.discount", allowZero: false)
            unit(Double(pathwise.tau), "pathwise.tau", allowZero: false)
            nonNegative(pathwise.explorationNoise, "pathwise.explorationNoise")
            nonNegative(pathwise.targetNoise, "pathwise.targetNoise")
            nonNegative(pathwise.targetNoiseClip, "pathwise.targetNoiseClip")
            if pathwise.learningStarts < 0 { problems.append("pathwise.learningStarts must be ≥ 0") }
            sizes(pathwise.hidden, "pathwise.hidden")
        }
        if let naf {
            positive(naf.batchSize, "naf.batchSize")
            positive(naf.bufferSize, "naf.bufferSize")
            positive(naf.gradientSteps, "naf.gradientSteps")
            positive(naf.learningRate, "naf.learningRate")
            unit(naf.discount, "naf.discount", allowZero: false)
            unit(Double(naf.tau), "naf.tau", allowZero: false)
            nonNegative(naf.explorationNoise, "naf.explorationNoise")
            if let norm = naf.maxGradientNorm { positive(norm, "naf.maxGradientNorm") }
            if naf.learningStarts < 0 { problems.append("naf.learningStarts must be ≥ 0") }
            sizes(naf.hidden, "naf.hidden")
        }
        if let workers, workers <= 0 || workers > 256 { problems.append("workers must lie in 1…256") }
        if let imitation { positive(imitation.epochs, "imitation.epochs") }
        for (key, learner) in [
            ("tabular", tabular), ("curriculum.learner", curriculum?.learner),
            ("hierarchy.learner", hierarchy?.learner),
        ] {
            guard let learner else { continue }
            unit(learner.learningRate, "\(key).learningRate", allowZero: false)
            unit(learner.discount, "\(key).discount", allowZero: false)
            unit(learner.epsilon, "\(key).epsilon")
        }
        if let curriculum {
            positive(curriculum.newStarts, "curriculum.newStarts")
            positive(curriculum.walkLength, "curriculum.walkLength")
            positive(curriculum.episodesPerStart, "curriculum.episodesPerStart")
            positive(curriculum.episodeStepLimit, "curriculum.episodeStepLimit")
            if curriculum.oldStarts < 0 { problems.append("curriculum.oldStarts must be ≥ 0") }
            unit(curriculum.minimumSuccess, "curriculum.minimumSuccess")
            unit(curriculum.maximumSuccess, "curriculum.maximumSuccess")
        }
        if let hierarchy { positive(hierarchy.optionStepLimit, "hierarchy.optionStepLimit") }
        if !problems.isEmpty { throw RLRunError(problems.joined(separator: "; ")) }
    }
}
