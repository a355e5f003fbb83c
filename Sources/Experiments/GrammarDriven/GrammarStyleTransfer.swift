import Foundation
import Grammar
import MontagueSupport
import NeuralNet
import TextGeneration

/// The settings of a style-transfer experiment between two grammars; stored with its results.
public struct GrammarStyleTransferSettings: Codable, Equatable, Sendable {
    /// The style-transfer method (TextGeneration's ``StyleTransferMethod``).
    public var method: StyleTransferMethod
    /// Sentences sampled from each grammar for training (non-parallel: independent samples).
    public var trainingSamples: Int
    /// Fresh sentences per style transferred at each measurement.
    public var testSentences: Int
    /// Sentences longer than this many words are left out.
    public var maximumLength: Int
    /// The network and its optimization (neural methods); `training.steps` is the whole run's budget and
    /// `training.evaluationInterval` the steps between measurements.
    public var network: CrossAlignedSettings
    /// Epochs of the TextCNN style classifier (the style proxy).
    public var classifierEpochs: Int
    /// The classifier's embedding width.
    public var classifierEmbeddingSize: Int
    /// Fraction of each style's sample held out for validation (model selection and the classifier's accuracy).
    public var validationFraction: Double
    /// Seed of the samples, the split, the classifier and the network.
    public var seed: UInt64

    /// Small settings for grammar fragments (a few minutes per run in a release build).
    public init(
        method: StyleTransferMethod = .crossAligned, trainingSamples: Int = 2000, testSentences: Int = 200,
        maximumLength: Int = 30, network: CrossAlignedSettings = Self.smallNetwork(), classifierEpochs: Int = 2,
        classifierEmbeddingSize: Int = 32, validationFraction: Double = 0.05, seed: UInt64 = 1
    ) {
        self.method = method
        self.trainingSamples = trainingSamples
        self.testSentences = testSentences
        self.maximumLength = maximumLength
        self.network = network
        self.classifierEpochs = classifierEpochs
        self.classifierEmbeddingSize = classifierEmbeddingSize
        self.validationFraction = validationFraction
        self.seed = seed
    }

    /// A network far smaller than Shen et al.'s Yelp settings, for vocabularies of tens of words: embedding 32,
    /// style 32, content 64, 16 filters of widths 1–3, dropout 0.1, every word kept; batch 32, Adam 10⁻³,
    /// 1,500 steps measured every 250.
    public static func smallNetwork(steps: Int = 1500, evaluationInterval: Int = 250, seed: UInt64 = 1)
        -> CrossAlignedSettings
    {
        CrossAlignedSettings(
            embeddingSize: 32, styleSize: 32, contentSize: 64, filterWidths: [1, 2, 3], filterCount: 16,
            dropout: 0.1, temperature: 0.1, minimumCount: 1, validationSentences: 100,
            training: CrossAlignedTraining.Options(
                batchSize: 32, learningRate: 1e-3, steps: steps, evaluationInterval: evaluationInterval, seed: seed))
    }

    /// Checks the values a user can set.
    ///
    /// - Throws: ``InputError`` naming the first invalid setting.
    public func validate() throws {
        guard trainingSamples > 0, testSentences > 0 else { throw InputError("sample counts must be positive") }
        guard maximumLength > 0 else { throw InputError("the maximum length must be positive") }
        guard classifierEpochs > 0, classifierEmbeddingSize > 0 else {
            throw InputError("the style classifier needs at least one epoch and a positive embedding size")
        }
        guard (0..<1).contains(validationFraction) else {
            throw InputError("the validation fraction must be in [0, 1)")
        }
        if method.isNeural {
            try network.validate()
            guard network.training.steps > 0 else { throw InputError("a neural method needs at least one step") }
        }
    }
}

/// One measurement of a style-transfer experiment.
public struct GrammarStyleTransferMeasurement: Codable, Sendable, Equatable {
    /// Optimizer steps done (0 for methods without a network).
    public var step: Int
    /// Over both directions.
    public var overall: GrammarStyleJudge.Scores
    /// Per direction, in style order of the source.
    public var directions: [Direction]

    /// One direction's scores.
    public struct Direction: Codable, Sendable, Equatable {
        /// Source style.
        public var from: String
        /// Target style.
        public var to: String
        /// Its scores.
        public var scores: GrammarStyleJudge.Scores
    }

    /// Every value by name: the overall measures, then `FROM_to_TO.name` per direction.
    public var metrics: [String: Double] {
        var values = overall.metrics
        for direction in directions {
            for (key, value) in direction.scores.metrics {
                values["\(direction.from)_to_\(direction.to).\(key)"] = value
            }
        }
        return values
    }
}

/// One transferred test sentence with the grammars' verdict.
public struct GrammarStyleTransferRecord: Codable, Sendable, Equatable {
    /// Source style.
    public var from: String
    /// Target style.
    public var to: String
    /// The input sentence.
    public var input: String
    /// Its meaning (by the source grammar).
    public var meaning: String
    /// The transfer.
    public var output: String
    /// The grammars' verdict.
    public var verdict: GrammarStyleJudge.Verdict
    /// Whether the style classifier assigns it to the target style.
    public var classifiedAsTarget: Bool?
}

/// What a style-transfer experiment produced.
public struct GrammarStyleTransferRun: Sendable {
    /// The measurements in order.
    public var measurements: [GrammarStyleTransferMeasurement]
    /// The last measurement's transfers.
    public var finalRecords: [GrammarStyleTransferRecord]
    /// The same measures for copying the input unchanged (the trivial system source-BLEU rewards most).
    public var copyBaseline: GrammarStyleTransferMeasurement
    /// The style classifier's accuracy on the held-out sentences.
    public var classifierAccuracy: Double?
    /// Training sentences per style.
    public var trainingSentences: [Int]
    /// Whether the time limit stopped the training.
    public var stoppedByTimeLimit: Bool
}

/// Style transfer with exact content preservation: two grammars over the same meanings are two styles (e.g.
/// `grammars/voice-active.mont` and `grammars/voice-passive.mont`), a non-parallel style-transfer method of
/// TextGeneration is trained on samples of both, and its transfers of fresh sentences are judged by the grammars
/// (``GrammarStyleJudge``) next to the proxies the literature uses — the TextCNN style classifier and BLEU against
/// the input — so that one sees where the proxies mislead.
///
/// The model is an ordinary `style-transfer` model directory (`DIRECTORY/model`, usable with `montague predict`
/// and `montague evaluate`). Neural methods are trained in chunks of `network.training.evaluationInterval` steps,
/// each continuing the saved run, and measured after each chunk; as `montague train style-transfer` does, the
/// directory keeps the weights with the best validation score — the proxies' geometric mean.
public enum GrammarStyleTransferExperiment {
    /// Runs an experiment writing the training files and the model directory under `directory`; `observe` sees
    /// each measurement.
    ///
    /// - Parameters:
    ///   - grammars: the two styles' grammars.
    ///   - styles: their names (used in file names: letters, digits, `-` and `_`).
    ///   - timeLimit: seconds of training after which the run stops (measured once more).
    /// - Throws: ``InputError`` for invalid settings or samples; the grammars' sampling errors; the model
    ///   directory's and the training's errors; whatever `observe` throws.
    public static func run(
        _ grammars: [ProbabilisticGrammar], styles: [String], settings: GrammarStyleTransferSettings,
        directory: URL, timeLimit: Double? = nil, log: ((String) -> Void)? = nil,
        observe: (GrammarStyleTransferMeasurement) throws -> Void = { _ in }
    ) throws -> GrammarStyleTransferRun {
        try settings.validate()
        guard grammars.count == 2, styles.count == 2, styles[0] != styles[1] else {
            throw InputError("style transfer needs two grammars with two different style names")
        }
        for style in styles {
            guard !style.isEmpty,
                style.unicodeScalars.allSatisfy({
                    CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_"
                })
            else {
                throw InputError(
                    "style name '\(Escaping.visible(style))': use letters, digits, '-' and '_' (it names files)")
            }
        }
        if let timeLimit, !(timeLimit > 0) { throw InputError("the time limit must be positive") }
        let modelDirectory = ModelDirectory(url: directory.appendingPathComponent("model"))
        if modelDirectory.exists {
            throw InputError(
                "\(modelDirectory.url.path) already holds a model: choose another output directory",
                at: SourceLocation(file: modelDirectory.url.path))
        }
        // Non-parallel training data: an independent sample per grammar.
        var files: [(style: String, path: String)] = []
        var trainingCounts: [Int] = []
        let dataDirectory = directory.appendingPathComponent("data")
        try ExperimentArtifacts.createDirectory(dataDirectory)
        for (index, grammar) in grammars.enumerated() {
            let sample = try grammar.samples(
                count: settings.trainingSamples, seed: settings.seed &+ UInt64(index) &* 101
            )
            .map(\.sentence).filter { (1...settings.maximumLength).contains($0.split(separator: " ").count) }
            guard !sample.isEmpty else {
                throw InputError(
                    "no sentence of style \(styles[index]) has between 1 and \(settings.maximumLength) words")
            }
            let url = dataDirectory.appendingPathComponent("train-\(styles[index]).txt")
            try ExperimentArtifacts.writeLines(sample, to: url)
            files.append((styles[index], url.path))
            trainingCounts.append(sample.count)
        }
        // Fresh test sentences with their meanings.
        var tests: [[(input: String, meaning: String)]] = []
        for (index, grammar) in grammars.enumerated() {
            let examples = try grammar.generate(
                count: settings.testSentences, seed: settings.seed &+ 1000 &+ UInt64(index)
            )
            .filter { $0.output != "⊥" && (1...settings.maximumLength).contains($0.input.split(separator: " ").count) }
            tests.append(examples.map { ($0.input, $0.output) })
        }
        let judge = GrammarStyleJudge(grammars: grammars)
        var memo: [Int: [String: GrammarOracle.Assessment]] = [:]
        var recipe = StyleTransferRecipe(
            method: settings.method, styles: styles, tokenization: .whitespace, maximumLength: settings.maximumLength,
            validationFraction: settings.validationFraction, bleuTokenizer: .none, seed: settings.seed,
            crossAligned: settings.method.isNeural ? settings.network : nil)

        var run = GrammarStyleTransferRun(
            measurements: [], finalRecords: [],
            copyBaseline: GrammarStyleTransferMeasurement(
                step: 0, overall: GrammarStyleJudge.scores([]), directions: []),
            classifierAccuracy: nil, trainingSentences: trainingCounts, stoppedByTimeLimit: false)
        let started = Date()
        let total = settings.method.isNeural ? settings.network.training.steps : 0
        let interval = max(1, settings.network.training.evaluationInterval)
        var done = 0
        var trained: TrainedStyleTransfer?
        repeat {
            let next = settings.method.isNeural ? min(total, done + interval) : 0
            if var network = recipe.crossAligned {
                network.training.steps = next
                recipe.crossAligned = network
            }
            let remaining = timeLimit.map { max(1, $0 - Date().timeIntervalSince(started)) }
            let summary = try StyleTransferRun.train(
                recipe, files: files, output: modelDirectory, classifierEpochs: settings.classifierEpochs,
                classifierEmbeddingSize: settings.classifierEmbeddingSize, timeLimit: remaining,
                metricsURL: directory.appendingPathComponent("training.jsonl"), log: log)
            if run.classifierAccuracy == nil { run.classifierAccuracy = summary.classifierAccuracy }
            done = summary.training?.steps ?? next
            let model = try TrainedStyleTransfer.load(from: modelDirectory)
            trained = model
            let (measurement, records) = try measure(
                model, tests: tests, styles: styles, judge: judge, step: done, memo: &memo, copy: false)
            run.measurements.append(measurement)
            run.finalRecords = records
            try observe(measurement)
            if summary.training?.stoppedByTimeLimit == true {
                run.stoppedByTimeLimit = true
                break
            }
            if let timeLimit, Date().timeIntervalSince(started) >= timeLimit, done < total {
                run.stoppedByTimeLimit = true
                break
            }
        } while done < total
        if let trained {
            run.copyBaseline = try measure(
                trained, tests: tests, styles: styles, judge: judge, step: done, memo: &memo, copy: true
            ).measurement
        }
        return run
    }

    /// Transfers the test sentences in both directions (or copies them) and scores them.
    static func measure(
        _ model: TrainedStyleTransfer, tests: [[(input: String, meaning: String)]], styles: [String],
        judge: GrammarStyleJudge, step: Int, memo: inout [Int: [String: GrammarOracle.Assessment]], copy: Bool
    ) throws -> (measurement: GrammarStyleTransferMeasurement, records: [GrammarStyleTransferRecord]) {
        var directions: [GrammarStyleTransferMeasurement.Direction] = []
        var records: [GrammarStyleTransferRecord] = []
        var allVerdicts: [GrammarStyleJudge.Verdict] = []
        var allClassified: [Bool] = []
        var allOutputs: [String] = []
        var allInputs: [String] = []
        let bleu = BLEU(tokenizer: .none)
        for source in tests.indices {
            let target = 1 - source
            let inputs = tests[source].map { model.tokenize($0.input) }
            let outputs = copy ? inputs : try model.transfer(inputs, from: source, to: target)
            let outputText = outputs.map(model.render)
            let inputText = inputs.map(model.render)
            let classified = model.classifier.map { $0.predict(outputs).map { $0 == target } }
            var verdicts: [GrammarStyleJudge.Verdict] = []
            for (index, example) in tests[source].enumerated() {
                let verdict = judge.judge(
                    input: inputText[index], meaning: example.meaning, output: outputText[index], source: source,
                    target: target, memo: &memo)
                verdicts.append(verdict)
                records.append(
                    GrammarStyleTransferRecord(
                        from: styles[source], to: styles[target], input: inputText[index], meaning: example.meaning,
                        output: outputText[index], verdict: verdict, classifiedAsTarget: classified?[index]))
            }
            let sourceBLEU =
                outputText.isEmpty ? nil : try? bleu.corpusScore(hypotheses: outputText, references: [inputText]).score
            directions.append(
                .init(
                    from: styles[source], to: styles[target],
                    scores: GrammarStyleJudge.scores(verdicts, classifiedAsTarget: classified, sourceBLEU: sourceBLEU)))
            allVerdicts += verdicts
            allClassified += classified ?? []
            allOutputs += outputText
            allInputs += inputText
        }
        let pooledBLEU =
            allOutputs.isEmpty ? nil : try? bleu.corpusScore(hypotheses: allOutputs, references: [allInputs]).score
        let overall = GrammarStyleJudge.scores(
            allVerdicts, classifiedAsTarget: model.classifier == nil ? nil : allClassified, sourceBLEU: pooledBLEU)
        return (GrammarStyleTransferMeasurement(step: step, overall: overall, directions: directions), records)
    }
}
