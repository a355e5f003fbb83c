import Autodiff
import Foundation
import Testing

@testable import NeuralNet

/// A tiny copying model (pointer-generator, See, Liu & Manning 2017) over a shared vocabulary.
private func copyModel<Cell: Seq2SeqCell>(
    _: Cell.Type, attention: Seq2SeqAttentionKind = .dot, style: Seq2SeqAttentionStyle = .luong,
    bidirectional: Bool = false, layers: Int = 1, vocabulary: Int = 8, embedding: Int = 5, hidden: Int = 6,
    copy: Bool = true, seed: UInt64 = 1
) -> Seq2SeqModel<Cell> {
    var generator = RandomGenerator(seed: seed)
    let configuration = Seq2SeqConfiguration(
        sourceVocabularySize: vocabulary, targetVocabularySize: vocabulary, embeddingSize: embedding,
        hiddenSize: hidden, layerCount: layers, bidirectional: bidirectional, attention: attention,
        attentionStyle: style, copy: copy)
    return Seq2SeqModel<Cell>(configuration, using: &generator)
}

@Suite("Seq2Seq copy mechanism (pointer-generator)")
struct Seq2SeqCopyTests {
    static let sources = Seq2SeqModelTests.sources
    static let targets = Seq2SeqModelTests.targets

    @Test func stepIsALogDistributionWithMassOnTheSourceTokens() {
        let model = copyModel(GRUCell.self, vocabulary: 12)
        let encoding = model.encode([[9, 10], [11]])
        let step = model.decodeStep(
            previousTokens: [SequenceVocabulary.beginning, SequenceVocabulary.beginning],
            states: encoding.initialStates, encoding: encoding)
        let probabilities = step.logits.exp().scalars
        for row in 0..<2 {
            let total = probabilities[(row * 12)..<((row + 1) * 12)].reduce(0, +)
            #expect(abs(total - 1) < 1e-4, "row \(row) sums to \(total)")
        }
        // Untrained, the vocabulary softmax is near uniform (1/12 each); the gate near 1/2 puts about half of the
        // mass on the source tokens, so they stand out.
        let plain = probabilities[0 * 12 + 5]
        #expect(probabilities[0 * 12 + 9] + probabilities[0 * 12 + 10] > 0.3 + 2 * plain)
        #expect(probabilities[1 * 12 + 11] > 0.3 + plain)
    }

    @Test func parameterNamesAddTheGateAndCopyNeedsASharedVocabularyShape() {
        let model = copyModel(LSTMCell.self, attention: .general, bidirectional: true)
        let names = model.namedParameters.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(names.suffix(2) == ["copyGate.weight", "copyGate.bias"])
        #expect(model.copyGate?.weight.shape == [1, 2 * 6 + 5])
        let plain = copyModel(LSTMCell.self, attention: .general, bidirectional: true, copy: false)
        #expect(plain.copyGate == nil && plain.namedParameters.count == names.count - 2)
    }

    @Test(arguments: [Seq2SeqAttentionKind.dot, .general, .additive], Seq2SeqAttentionStyle.allCases)
    func everyParameterGetsAGradient(attention: Seq2SeqAttentionKind, style: Seq2SeqAttentionStyle) {
        let model = copyModel(GRUCell.self, attention: attention, style: style, bidirectional: true, layers: 2)
        Seq2SeqModelTests.expectEveryParameterGetsAGradient(model)
    }

    /// Central differences of the loss in every scalar of the named parameters against the tape's gradients.
    static func maximumGradientError<Cell: Seq2SeqCell>(_ model: Seq2SeqModel<Cell>, names: [String]) -> Float {
        func loss() -> Float {
            var generator = RandomGenerator(seed: 0)
            return model.loss(sources: sources, targets: targets, using: &generator).item
        }
        var generator = RandomGenerator(seed: 0)
        let analytic = gradients(
            of: model.loss(sources: sources, targets: targets, using: &generator), wrt: model.parameterValues)
        var worst: Float = 0
        let epsilon: Float = 1e-2
        for (index, (name, parameter)) in model.namedParameters.enumerated() where names.contains(name) {
            let original = parameter.value.scalars
            for scalar in original.indices {
                var shifted = original
                shifted[scalar] = original[scalar] + epsilon
                parameter.update(Tensor(shape: parameter.shape, scalars: shifted))
                let plus = loss()
                shifted[scalar] = original[scalar] - epsilon
                parameter.update(Tensor(shape: parameter.shape, scalars: shifted))
                let minus = loss()
                parameter.update(Tensor(shape: parameter.shape, scalars: original))
                let numeric = (plus - minus) / (2 * epsilon)
                worst = max(worst, abs(analytic[index].scalars[scalar] - numeric) / (1 + abs(numeric)))
            }
        }
        return worst
    }

    @Test(arguments: Seq2SeqAttentionStyle.allCases)
    func lossGradientsMatchFiniteDifferences(style: Seq2SeqAttentionStyle) {
        let names = [
            "copyGate.weight", "copyGate.bias", "attention.weight", "output.bias", "combination.weight",
            "decoder.layer0.biasIH", "targetEmbedding.weight",
        ]
        let gru = copyModel(GRUCell.self, attention: .general, style: style, hidden: 4, seed: 5)
        let gruError = Self.maximumGradientError(gru, names: names)
        #expect(gruError < 1e-2, "GRU \(style): \(gruError)")
        let lstm = copyModel(LSTMCell.self, attention: .general, style: style, hidden: 4, seed: 6)
        let lstmError = Self.maximumGradientError(lstm, names: names)
        #expect(lstmError < 1e-2, "LSTM \(style): \(lstmError)")
    }

    @Test func beamWidthOneIsGreedyWithCopying() {
        let model = copyModel(GRUCell.self, attention: .additive, style: .bahdanau, seed: 11)
        let sources = [[4], [5, 6], [7, 7, 4], [6, 5, 4, 7]]
        let greedy = model.greedyDecode(sources, maxLength: 7)
        for (source, expected) in zip(sources, greedy) {
            let beam = model.beamSearch(source, width: 1, maxLength: 7)
            #expect(beam[0].tokens == expected.tokens && beam[0].finished == expected.finished)
            #expect(abs(beam[0].logProbability - expected.logProbability) < 1e-4)
        }
        let wide = model.beamSearch([6, 5, 4, 7], width: 3, maxLength: 7)
        #expect(wide[0].logProbability >= greedy[3].logProbability - 1e-5)
    }

    /// Copying (output = input) over 16 symbols: training sequences use tokens 4…11 only; held-out sequences
    /// mix them with tokens 12…15, which the model never saw (their embeddings and output rows are untrained).
    static func copyData() -> (train: Seq2SeqEncodedPairs, unseen: Seq2SeqEncodedPairs) {
        var generator = RandomGenerator(seed: 17)
        func sequence(_ tokens: Range<Int>) -> [Int] {
            (0..<(2 + generator.nextInt(below: 3))).map { _ in tokens.lowerBound + generator.nextInt(below: 8) }
        }
        let train = (0..<96).map { _ in sequence(4..<12) }
        let unseen = (0..<24).map { index -> [Int] in
            var tokens = sequence(4..<12)
            tokens[index % tokens.count] = 12 + index % 4
            return tokens
        }
        return (
            Seq2SeqEncodedPairs(sources: train, targets: train), Seq2SeqEncodedPairs(sources: unseen, targets: unseen)
        )
    }

    /// The fraction of held-out target tokens decoded at their position.
    static func tokenAccuracy(_ predictions: [[Int]], _ pairs: Seq2SeqEncodedPairs) -> Double {
        var right = 0
        var total = 0
        for (prediction, target) in zip(predictions, pairs.targets) {
            total += target.count
            right += zip(prediction, target).filter { $0 == $1 }.count
        }
        return Double(right) / Double(max(1, total))
    }

    @Test func copyingLearnsToReproduceUnseenTokensAndThePlainDecoderCannot() throws {
        let (train, unseen) = Self.copyData()
        var results: [Bool: (exact: Double, tokens: Double)] = [:]
        for copy in [false, true] {
            let model = copyModel(
                GRUCell.self, vocabulary: 16, embedding: 8, hidden: 16, copy: copy, seed: 7)
            try Seq2SeqTrainer.train(
                model, on: train,
                configuration: Seq2SeqTrainingConfiguration(epochs: 12, batchSize: 16, learningRate: 0.03, seed: 3))
            let (exact, predictions) = Seq2SeqTrainer.exactMatchAccuracy(model, on: unseen, maxLength: 6)
            results[copy] = (exact, Self.tokenAccuracy(predictions, unseen))
        }
        let plain = try #require(results[false])
        let copying = try #require(results[true])
        // Each held-out sequence has one unseen token, which a plain softmax decoder never emits.
        #expect(plain.exact == 0, "without copying: \(plain)")
        #expect(copying.exact >= 0.5, "with copying: \(copying), without: \(plain)")
        #expect(copying.tokens > plain.tokens + 0.1, "with copying: \(copying), without: \(plain)")
    }

    @Test func modelDirectoryRoundTripKeepsTheCopyingModel() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("seq2seq-copy-\(UUID())")
        defer { try? FileManager.default.removeItem(at: root) }
        let directory = ModelDirectory(url: root.appendingPathComponent("model"))
        let train = [
            Seq2SeqExample(source: ["thou", "art"], target: ["you", "are"]),
            Seq2SeqExample(source: ["hath", "thou"], target: ["has", "you"]),
        ]
        var settings = Seq2SeqExperiment.Settings(
            embeddingSize: 4, hiddenSize: 8,
            training: Seq2SeqTrainingConfiguration(epochs: 1, batchSize: 2, maxDecodeLength: 4))
        settings.copy = true
        _ = try Seq2SeqExperiment.run(train: train, test: [], settings: settings, options: .init(output: directory))
        let predictor = try Seq2SeqPredictor(directory: directory)
        #expect(predictor.hyperparameters.copy == true && predictor.hyperparameters.settings.copy)
        // One vocabulary from both sides, written as both files.
        #expect(predictor.sourceVocabulary == predictor.targetVocabulary)
        #expect(predictor.targetVocabulary.index(of: "thou") != SequenceVocabulary.unknown)
        #expect(predictor.targetVocabulary.index(of: "you") != SequenceVocabulary.unknown)
        let sources = [["thou", "art"], ["hath"]]
        let first = predictor.predict(sources, maxLength: 4)
        let again = try Seq2SeqPredictor(directory: directory).predict(sources, beamWidth: 2, maxLength: 4)
        #expect(first == predictor.predict(sources, maxLength: 4))
        #expect(again.count == 2)

        // A manifest without the key (directories written before copying existed) loads as a plain model.
        let plainDirectory = ModelDirectory(url: root.appendingPathComponent("plain"))
        settings.copy = false
        _ = try Seq2SeqExperiment.run(
            train: train, test: [], settings: settings, options: .init(output: plainDirectory))
        let manifest = try String(contentsOf: plainDirectory.manifestURL, encoding: .utf8)
        #expect(!manifest.contains("\"copy\""))
        let plain = try Seq2SeqPredictor(directory: plainDirectory)
        #expect(plain.hyperparameters.copy == nil && !plain.hyperparameters.configuration.copy)

        // A copying manifest whose vocabulary files differ is refused.
        let target = try String(contentsOf: directory.file(Seq2SeqPredictor.targetVocabularyName), encoding: .utf8)
        try target.replacingOccurrences(of: "thou", with: "thee").write(
            to: directory.file(Seq2SeqPredictor.targetVocabularyName), atomically: true, encoding: .utf8)
        #expect(throws: ModelDirectoryError.self) { try Seq2SeqPredictor(directory: directory) }
    }
}
