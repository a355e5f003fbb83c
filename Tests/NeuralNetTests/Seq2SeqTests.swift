import Autodiff
import Foundation
import Testing

@testable import NeuralNet

/// A tiny model over `vocabulary` source/target symbols (reserved ones included).
private func tinyModel<Cell: Seq2SeqCell>(
    _: Cell.Type, attention: Seq2SeqAttentionKind = .dot, style: Seq2SeqAttentionStyle = .luong,
    bidirectional: Bool = false, layers: Int = 1, vocabulary: Int = 8, hidden: Int = 6, dropout: Float = 0,
    seed: UInt64 = 1
) -> Seq2SeqModel<Cell> {
    var generator = RandomGenerator(seed: seed)
    let configuration = Seq2SeqConfiguration(
        sourceVocabularySize: vocabulary, targetVocabularySize: vocabulary, embeddingSize: 5, hiddenSize: hidden,
        layerCount: layers, bidirectional: bidirectional, attention: attention, attentionStyle: style,
        dropout: dropout)
    return Seq2SeqModel<Cell>(configuration, using: &generator)
}

@Suite("Seq2Seq data: vocabulary and SCAN files")
struct Seq2SeqDataTests {
    @Test func vocabularyReservesFourSymbolsAndMapsUnknownTokens() {
        let vocabulary = SequenceVocabulary(["jump", "walk", "jump"])
        #expect(vocabulary.count == 6)
        #expect(vocabulary.encode(["walk", "jump", "fly"]) == [5, 4, SequenceVocabulary.unknown])
        #expect(vocabulary.decode([4, 2, 99]) == ["jump", "<eos>", "<unk>"])
        #expect(vocabulary.index(of: "<pad>") == SequenceVocabulary.padding)
    }

    @Test func parsesSCANLinesAndReportsMalformedOnes() throws {
        let text = "IN: jump twice OUT: I_JUMP I_JUMP\n\nIN: walk OUT: I_WALK\n"
        let examples = try Seq2SeqDataset.parseSCAN(text, path: "t.txt")
        #expect(
            examples == [
                Seq2SeqExample(source: ["jump", "twice"], target: ["I_JUMP", "I_JUMP"]),
                Seq2SeqExample(source: ["walk"], target: ["I_WALK"]),
            ])
        #expect(throws: Seq2SeqDatasetError.malformedLine(path: "t.txt", line: 2, text: "jump OUT: I_JUMP")) {
            try Seq2SeqDataset.parseSCAN("IN: walk OUT: I_WALK\njump OUT: I_JUMP", path: "t.txt")
        }
        #expect(throws: Seq2SeqDatasetError.malformedLine(path: "t.txt", line: 1, text: "IN: walk OUT:")) {
            try Seq2SeqDataset.parseSCAN("IN: walk OUT:", path: "t.txt")
        }
        #expect(throws: Seq2SeqDatasetError.empty(path: "t.txt")) { try Seq2SeqDataset.parseSCAN("\n", path: "t.txt") }
        #expect(throws: Seq2SeqDatasetError.self) { try Seq2SeqDataset.loadSCAN(path: "/nonexistent/scan.txt") }
    }
}

@Suite("Scheduled sampling schedules (Bengio et al. 2015)")
struct ScheduledSamplingTests {
    @Test func schedulesDecayAsThePaperDefines() {
        #expect(ScheduledSampling.teacherForcing.goldProbability(atStep: 1000) == 1)
        let linear = ScheduledSampling.linear(start: 1, slope: 0.01, minimum: 0.2)
        #expect(abs(linear.goldProbability(atStep: 30) - 0.7) < 1e-6)
        #expect(linear.goldProbability(atStep: 500) == 0.2)
        let exponential = ScheduledSampling.exponential(k: 0.99, minimum: 0)
        #expect(abs(exponential.goldProbability(atStep: 100) - Float(pow(0.99, 100.0))) < 1e-6)
        let inverse = ScheduledSampling.inverseSigmoid(k: 10)
        #expect(abs(inverse.goldProbability(atStep: 0) - 10 / 11) < 1e-6)
        #expect(abs(inverse.goldProbability(atStep: 50) - Float(10 / (10 + exp(5.0)))) < 1e-6)
        #expect(inverse.goldProbability(atStep: 10) > inverse.goldProbability(atStep: 20))
    }

    @Test func parsesTheCommandLineForms() {
        #expect(ScheduledSampling(parsing: "teacher-forcing") == .teacherForcing)
        #expect(ScheduledSampling(parsing: "constant:0.75") == .constant(0.75))
        #expect(ScheduledSampling(parsing: "linear:1,0.001,0.1") == .linear(start: 1, slope: 0.001, minimum: 0.1))
        #expect(ScheduledSampling(parsing: "exponential:0.999") == .exponential(k: 0.999, minimum: 0))
        #expect(ScheduledSampling(parsing: "inverse-sigmoid:100") == .inverseSigmoid(k: 100))
        for bad in ["constant:2", "exponential:1.5", "inverse-sigmoid:0.5", "linear:1,2", "cosine:1", "constant:x"] {
            #expect(ScheduledSampling(parsing: bad) == nil, "\(bad)")
        }
    }
}

@Suite("Seq2Seq model: shapes, masks, gradients, decoding")
struct Seq2SeqModelTests {
    static let sources = [[4, 5, 6], [7, 4], [5]]
    static let targets = [[6, 5, 4], [4, 7], [5]]

    /// The loss of `model` on ``sources`` → ``targets`` is a finite positive scalar and reaches every parameter.
    static func expectEveryParameterGetsAGradient<Cell: Seq2SeqCell>(_ model: Seq2SeqModel<Cell>) {
        var generator = RandomGenerator(seed: 3)
        let loss = model.loss(sources: Self.sources, targets: Self.targets, using: &generator)
        #expect(loss.shape == [] && loss.item.isFinite && loss.item > 0)
        let grads = gradients(of: loss, wrt: model.parameterValues)
        for ((name, _), gradient) in zip(model.namedParameters, grads) {
            #expect(gradient.scalars.contains { $0 != 0 }, "no gradient for \(name)")
        }
    }

    @Test(arguments: Seq2SeqAttentionKind.allCases, Seq2SeqAttentionStyle.allCases)
    func everyParameterGetsAGradient(attention: Seq2SeqAttentionKind, style: Seq2SeqAttentionStyle) {
        let model = tinyModel(GRUCell.self, attention: attention, style: style, bidirectional: true, layers: 2)
        Self.expectEveryParameterGetsAGradient(model)
    }

    @Test func parameterNamesAreStableAndUnique() {
        let model = tinyModel(LSTMCell.self, attention: .general, bidirectional: true)
        let names = model.namedParameters.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(names.contains("encoder.layer0.reverse.weightIH"))
        #expect(names.contains("decoder.layer0.weightHH"))
        #expect(names.contains("attention.weight") && names.contains("memoryProjection.weight"))
        #expect(names.last == "output.bias")
    }

    @Test func untrainedLossIsAboutLogVocabulary() {
        // With small random weights the predictions are near uniform over the 8 symbols.
        let model = tinyModel(GRUCell.self)
        var generator = RandomGenerator(seed: 0)
        let loss = model.loss(sources: Self.sources, targets: Self.targets, using: &generator).item
        #expect(abs(loss - log(8)) < 0.5)
    }

    @Test func sourcePaddingDoesNotChangeAnExamplesDecoding() {
        for attention in Seq2SeqAttentionKind.allCases {
            let model = tinyModel(LSTMCell.self, attention: attention, bidirectional: true)
            let alone = model.greedyDecode([[5]], maxLength: 6)[0]
            let batched = model.greedyDecode([[4, 5, 6, 7], [5]], maxLength: 6)[1]
            #expect(alone.tokens == batched.tokens, "\(attention)")
            #expect(abs(alone.logProbability - batched.logProbability) < 1e-4, "\(attention)")
        }
    }

    @Test func goldProbabilityOneIsTeacherForcingAndZeroFeedsPredictions() {
        let model = tinyModel(GRUCell.self)
        var first = RandomGenerator(seed: 5)
        var second = RandomGenerator(seed: 5)
        let teacher = model.loss(sources: Self.sources, targets: Self.targets, using: &first).item
        let alsoTeacher = model.loss(
            sources: Self.sources, targets: Self.targets, goldProbability: 1, choice: .sample, using: &second
        ).item
        #expect(teacher == alsoTeacher)
        var third = RandomGenerator(seed: 5)
        let ownPredictions = model.loss(
            sources: Self.sources, targets: Self.targets, goldProbability: 0, using: &third)
        #expect(ownPredictions.item != teacher)
        // Gradients still reach every parameter when the decoder reads its own predictions.
        let grads = gradients(of: ownPredictions, wrt: model.parameterValues)
        #expect(grads.allSatisfy { $0.scalars.contains { $0 != 0 } })
    }

    @Test(arguments: [Seq2SeqCellKind.gru, .lstm])
    func beamWidthOneIsGreedy(cell: Seq2SeqCellKind) {
        let sources = [[4], [5, 6], [7, 7, 4], [6, 5, 4, 7]]
        func check<Cell: Seq2SeqCell>(_ model: Seq2SeqModel<Cell>) {
            let greedy = model.greedyDecode(sources, maxLength: 7)
            for (source, expected) in zip(sources, greedy) {
                let beam = model.beamSearch(source, width: 1, maxLength: 7)
                #expect(beam.count == 1)
                #expect(beam[0].tokens == expected.tokens && beam[0].finished == expected.finished)
                #expect(abs(beam[0].logProbability - expected.logProbability) < 1e-4)
            }
        }
        switch cell {
        case .lstm: check(tinyModel(LSTMCell.self, attention: .additive, seed: 11))
        default: check(tinyModel(GRUCell.self, attention: .general, style: .bahdanau, seed: 11))
        }
    }

    @Test func beamSearchScoresAtLeastAsWellAsGreedy() {
        let model = tinyModel(GRUCell.self, attention: .dot, seed: 21)
        let sources = [[4], [5, 6], [7, 7, 4], [6, 5, 4, 7], [4, 4, 5]]
        let greedy = model.greedyDecode(sources, maxLength: 8)
        var strictlyBetter = 0
        for (source, greedyHypothesis) in zip(sources, greedy) {
            let beams = model.beamSearch(source, width: 4, maxLength: 8)
            #expect(beams.count >= 1)
            #expect(beams[0].logProbability >= greedyHypothesis.logProbability - 1e-5)
            // Hypotheses are sorted best first.
            #expect(zip(beams, beams.dropFirst()).allSatisfy { $0.logProbability >= $1.logProbability })
            if beams[0].logProbability > greedyHypothesis.logProbability + 1e-4 { strictlyBetter += 1 }
        }
        // On an untrained model the search matters for at least one source.
        #expect(strictlyBetter > 0)
    }

    @Test func lengthNormalizationDividesByLengthToTheAlpha() {
        let hypothesis = Seq2SeqHypothesis(tokens: [4, 5, 6], logProbability: -8, finished: true)
        #expect(hypothesis.score(lengthPenalty: 0) == -8)
        #expect(hypothesis.score(lengthPenalty: 1) == -2)
        #expect(abs(hypothesis.score(lengthPenalty: 0.5) + 4) < 1e-6)
    }
}

@Suite("Seq2Seq learning")
struct Seq2SeqLearningTests {
    /// All sequences over tokens 4…7 (four symbols) of length 1…3; 12 of the 64 of length 3 are held out.
    static func reversalData() -> (train: Seq2SeqEncodedPairs, test: Seq2SeqEncodedPairs) {
        var byLength: [[[Int]]] = []
        var current = [[Int]]([[]])
        for _ in 1...3 {
            current = current.flatMap { prefix in (4...7).map { prefix + [$0] } }
            byLength.append(current)
        }
        var generator = RandomGenerator(seed: 99)
        var longest = byLength[2]
        longest.shuffle(using: &generator)
        let test = Array(longest.prefix(12))
        let train = byLength[0] + byLength[1] + longest.dropFirst(12)
        return (
            Seq2SeqEncodedPairs(sources: train, targets: train.map { $0.reversed() }),
            Seq2SeqEncodedPairs(sources: test, targets: test.map { $0.reversed() })
        )
    }

    @Test func seq2seqReversesSequences() throws {
        let (train, test) = Self.reversalData()
        var generator = RandomGenerator(seed: 7)
        let model = Seq2SeqModel<GRUCell>(
            Seq2SeqConfiguration(
                sourceVocabularySize: 8, targetVocabularySize: 8, embeddingSize: 8, hiddenSize: 16, attention: .dot),
            using: &generator)
        let before = Seq2SeqTrainer.exactMatchAccuracy(model, on: test, maxLength: 5).accuracy
        var losses: [Float] = []
        try Seq2SeqTrainer.train(
            model, on: train,
            configuration: Seq2SeqTrainingConfiguration(epochs: 30, batchSize: 16, learningRate: 0.03, seed: 3),
            report: { if $0.endOfEpoch { losses.append($0.loss) } })
        let trainAccuracy = Seq2SeqTrainer.exactMatchAccuracy(model, on: train, maxLength: 5).accuracy
        let (testAccuracy, predictions) = Seq2SeqTrainer.exactMatchAccuracy(model, on: test, maxLength: 5)
        let beamAccuracy = Seq2SeqTrainer.exactMatchAccuracy(model, on: test, maxLength: 5, beamWidth: 3).accuracy
        #expect(before < 0.2)
        #expect(losses.last ?? 1 < (losses.first ?? 0) / 4)
        #expect(trainAccuracy >= 0.95, "train exact match \(trainAccuracy)")
        #expect(
            testAccuracy >= 0.9,
            "held-out exact match \(testAccuracy): \(zip(test.sources, predictions).map { "\($0)→\($1)" })")
        #expect(beamAccuracy >= 0.9, "held-out exact match with beam 3 \(beamAccuracy)")
    }
}

@Suite("Seq2Seq experiment on TrainingLoop")
struct Seq2SeqExperimentTests {
    static let train = [
        Seq2SeqExample(source: ["walk"], target: ["W"]), Seq2SeqExample(source: ["jump"], target: ["J"]),
        Seq2SeqExample(source: ["walk", "twice"], target: ["W", "W"]),
        Seq2SeqExample(source: ["jump", "twice"], target: ["J", "J"]),
    ]

    /// The `"train"` batch losses of a JSON Lines metrics file, by step.
    static func trainLosses(_ url: URL) throws -> [Int: Double] {
        var losses: [Int: Double] = [:]
        for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n") {
            let record = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            if record["phase"] as? String == "train", let step = record["step"] as? Int,
                let loss = (record["metrics"] as? [String: Any])?["batch_loss"] as? Double
            {
                losses[step] = loss
            }
        }
        return losses
    }

    @Test func resumingFromACheckpointContinuesTheSameRun() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("seq2seq-resume-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func settings(epochs: Int) -> Seq2SeqExperiment.Settings {
            Seq2SeqExperiment.Settings(
                embeddingSize: 4, hiddenSize: 8, dropout: 0.1, modelSeed: 3,
                training: Seq2SeqTrainingConfiguration(
                    epochs: epochs, batchSize: 2, learningRate: 0.01, sampling: .constant(0.5), seed: 4,
                    maxDecodeLength: 4, reportEvery: 1))
        }
        let straight = directory.appendingPathComponent("straight.jsonl")
        let whole = try Seq2SeqExperiment.run(
            train: Self.train, test: Self.train, settings: settings(epochs: 4),
            options: .init(metricsURL: straight))
        let output = ModelDirectory(url: directory.appendingPathComponent("model"))
        let resumedLog = directory.appendingPathComponent("resumed.jsonl")
        _ = try Seq2SeqExperiment.run(
            train: Self.train, test: Self.train, settings: settings(epochs: 2),
            options: .init(output: output, metricsURL: resumedLog))
        var events: [Seq2SeqExperiment.Event] = []
        let resumed = try Seq2SeqExperiment.run(
            train: Self.train, test: Self.train, settings: settings(epochs: 4),
            options: .init(output: output, metricsURL: resumedLog), report: { events.append($0) })
        #expect(events.contains(.resumed(step: 4, path: output.url.path)))
        #expect(whole.steps == 8 && resumed.steps == 8)
        let expected = try Self.trainLosses(straight)
        #expect(expected.count == 8)
        #expect(try Self.trainLosses(resumedLog) == expected)
        #expect(resumed.correct == whole.correct)

        // The model directory alone reproduces the run's predictions.
        let predictor = try Seq2SeqPredictor(directory: output)
        #expect(predictor.manifest.kind == "seq2seq")
        #expect(
            predictor.hyperparameters.hiddenSize == 8 && predictor.hyperparameters.scheduledSampling == "constant:0.5")
        #expect(predictor.exactMatch(Self.train).correct == resumed.correct)
    }

    @Test func interruptedRunSavesAndStops() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("seq2seq-stop-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = ModelDirectory(url: directory)
        var asked = 0
        let result = try Seq2SeqExperiment.run(
            train: Self.train, valid: Self.train, test: Self.train,
            settings: Seq2SeqExperiment.Settings(
                embeddingSize: 4, hiddenSize: 8,
                training: Seq2SeqTrainingConfiguration(epochs: 10, batchSize: 2, maxDecodeLength: 4, reportEvery: 1)),
            options: .init(
                output: output,
                shouldStop: {
                    asked += 1
                    return asked > 5
                }))
        #expect(result.interrupted && result.steps == 5)
        #expect(FileManager.default.fileExists(atPath: output.trainingStateURL.path))
        // Keep-best: the validation pairs were measured after epoch 0 and 1 (steps 2 and 4).
        #expect(
            FileManager.default.fileExists(
                atPath: output.file("best").appendingPathComponent("weights.safetensors").path))
        #expect(result.bestValidationAccuracy != nil)
        #expect(try output.readManifest().metrics["valid.best_exact_match"] != nil)
    }

    /// Rewrites the wall-clock seconds recorded in a training-state checkpoint (a safetensors header's
    /// `__metadata__`), as if the earlier sessions had taken that long.
    static func setElapsedSeconds(_ seconds: Double, in url: URL) throws {
        let bytes = try Data(contentsOf: url)
        let headerLength = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let header = bytes.subdata(in: 8..<(8 + headerLength))
        var object = try #require(try JSONSerialization.jsonObject(with: header) as? [String: Any])
        var metadata = try #require(object["__metadata__"] as? [String: String])
        #expect(metadata[TrainingLoop.elapsedKey] != nil)
        metadata[TrainingLoop.elapsedKey] = "\(seconds)"
        object["__metadata__"] = metadata
        var newHeader = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        while newHeader.count % 8 != 0 { newHeader.append(UInt8(ascii: " ")) }
        var rewritten = Data((0..<8).map { UInt8(truncatingIfNeeded: newHeader.count >> (8 * $0)) })
        rewritten.append(newHeader)
        rewritten.append(bytes.subdata(in: (8 + headerLength)..<bytes.count))
        try rewritten.write(to: url)
    }

    /// `timeLimit` is the budget of the current session, as for `train lm` and `train sentence-vae`: a run whose
    /// earlier sessions already took longer than the limit still trains when resumed.
    @Test func timeLimitCountsOnlyTheCurrentSession() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("seq2seq-limit-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = ModelDirectory(url: directory)
        func settings(epochs: Int) -> Seq2SeqExperiment.Settings {
            Seq2SeqExperiment.Settings(
                embeddingSize: 4, hiddenSize: 8,
                training: Seq2SeqTrainingConfiguration(
                    epochs: epochs, batchSize: 2, maxDecodeLength: 4, reportEvery: 1, timeLimit: 3600))
        }
        let first = try Seq2SeqExperiment.run(
            train: Self.train, test: [], settings: settings(epochs: 1), options: .init(output: output))
        #expect(first.steps == 2)
        // The earlier session "took" two hours: more than the one-hour limit of the next session.
        try Self.setElapsedSeconds(7200, in: output.trainingStateURL)
        var events: [Seq2SeqExperiment.Event] = []
        let resumed = try Seq2SeqExperiment.run(
            train: Self.train, test: [], settings: settings(epochs: 3), options: .init(output: output),
            report: { events.append($0) })
        #expect(events.contains(.resumed(step: 2, path: output.url.path)))
        #expect(!events.contains(.timeLimitReached(step: 2)))
        #expect(resumed.steps == 6)
        // The recorded wall time still adds up the sessions.
        let loop = try SafetensorsFile(contentsOf: output.trainingStateURL)
        #expect(Double(loop.metadata[TrainingLoop.elapsedKey] ?? "") ?? 0 >= 7200)
    }
}

@Suite("Seq2Seq model directory loading")
struct Seq2SeqModelDirectoryTests {
    /// Any mutation of a seq2seq model directory's manifest or vocabularies loads or throws; never a trap or a
    /// runaway allocation.
    @Test func mutatedModelDirectoriesLoadOrThrow() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("seq2seq-fuzz-\(UUID())")
        defer { try? FileManager.default.removeItem(at: root) }
        let original = ModelDirectory(url: root.appendingPathComponent("model"))
        _ = try Seq2SeqExperiment.run(
            train: Seq2SeqExperimentTests.train, test: [],
            settings: Seq2SeqExperiment.Settings(
                embeddingSize: 4, hiddenSize: 8,
                training: Seq2SeqTrainingConfiguration(epochs: 1, batchSize: 2, maxDecodeLength: 4)),
            options: .init(output: original))
        _ = try Seq2SeqPredictor(directory: original)
        let names = [ModelDirectory.manifestName, Seq2SeqPredictor.sourceVocabularyName]
        let contents = try names.map { try Data(contentsOf: original.file($0)) }
        var generator = RandomGenerator(seed: 31)
        let alphabet = Array("0123456789-.,:\"{}[]\n abex".utf8)
        var loaded = 0
        for round in 0..<150 {
            let which = round % names.count
            var bytes = Array(contents[which])
            for _ in 0..<(1 + generator.nextInt(below: 3)) {
                let position = generator.nextInt(below: bytes.count)
                switch generator.nextInt(below: 3) {
                case 0: bytes[position] = alphabet[generator.nextInt(below: alphabet.count)]
                case 1: bytes.remove(at: position)
                default: bytes.insert(alphabet[generator.nextInt(below: alphabet.count)], at: position)
                }
                if bytes.isEmpty { bytes = [UInt8(ascii: "{")] }
            }
            try Data(bytes).write(to: original.file(names[which]))
            do {
                let predictor = try Seq2SeqPredictor(directory: original)
                _ = predictor.predict([["walk"]], maxLength: 4)
                loaded += 1
            } catch {
                #expect(!String(describing: error).isEmpty)
            }
            try contents[which].write(to: original.file(names[which]))
        }
        #expect(loaded < 150)  // the mutations do break some loads
    }
}
