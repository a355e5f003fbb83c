import Foundation
import NeuralNet
import Testing

/// A character vocabulary over a short text.
private struct CharacterText {
    let text: String
    let alphabet: [Character]

    init(_ text: String) {
        self.text = text
        alphabet = Array(Set(text)).sorted()
    }

    var tokens: [Int] { text.map { character in alphabet.firstIndex(of: character) ?? 0 } }
    func decode(_ tokens: [Int]) -> String { String(tokens.map { alphabet[$0] }) }
}

/// A model memorizes `text` with the training loop and Adam; returns the model and the last training loss.
private func memorize(_ text: CharacterText, steps: Int) throws -> (LanguageModel, Double) {
    var generator = RandomGenerator(seed: 4)
    let model = LanguageModel(
        vocabularySize: text.alphabet.count, embeddingSize: 8, hiddenSize: 24, using: &generator)
    let adam = Adam(model.parameters, learningRate: 0.03)
    let batch = LanguageModelBatch(sequences: [text.tokens])
    let loop = TrainingLoop(
        model: model, optimizer: adam, configuration: TrainingConfiguration(totalSteps: steps, seed: 1),
        progress: ProgressReporter(totalSteps: nil, isEnabled: false))
    let summary = try loop.run { _ in
        let loss = model.loss(batch)
        adam.step(gradients(of: loss, wrt: model.parameterValues))
        return ["loss": Double(loss.item)]
    }
    return (model, summary.lastMetrics["loss"] ?? .nan)
}

@Suite("LSTM language model: batches, loss, perplexity, memorization, decoding")
struct LanguageModelTests {
    @Test func batchShiftsTargetsAndPadsTimeMajor() {
        let batch = LanguageModelBatch(sequences: [[5, 6, 7, 8], [1, 2]], paddingToken: 0)
        #expect(batch.inputs.shape == [3, 2])
        #expect(batch.inputs.indices == [5, 1, 6, 0, 7, 0])
        #expect(batch.targets == [6, 2, 7, -1, 8, -1])
        #expect(batch.lengths == [3, 1] && batch.tokenCount == 4)
    }

    @Test func paddedBatchLossIsTheTokenWeightedMeanOfSequenceLosses() throws {
        var generator = RandomGenerator(seed: 2)
        let model = LanguageModel(vocabularySize: 6, embeddingSize: 3, hiddenSize: 4, layerCount: 2, using: &generator)
        let long = [0, 3, 5, 1, 2]
        let short = [4, 2]
        let joint = model.loss(LanguageModelBatch(sequences: [long, short])).item
        let separate =
            (4 * model.loss(LanguageModelBatch(sequences: [long])).item
                + model.loss(LanguageModelBatch(sequences: [short])).item) / 5
        #expect(abs(joint - separate) < 1e-5)
        let perplexity = model.perplexity(on: [long, short], batchSize: 1)
        #expect(abs(perplexity - Foundation.exp(Double(joint))) < 1e-3 * perplexity)
        #expect(perplexity > 1 && perplexity < 2 * 6)  // untrained: near the vocabulary size
    }

    @Test func dropoutDrawsFromTheGeneratorOnlyInTraining() {
        var generator = RandomGenerator(seed: 3)
        let model = LanguageModel(
            vocabularySize: 5, embeddingSize: 4, hiddenSize: 4, layerCount: 2, dropout: 0.5, using: &generator)
        let batch = LanguageModelBatch(sequences: [[0, 1, 2, 3, 4]])
        var training = RandomGenerator(seed: 9)
        let before = training
        let trainingLoss = model.loss(batch, dropoutUsing: &training).item
        #expect(training != before)  // dropout consumed random numbers
        #expect(trainingLoss != model.loss(batch).item)
        var replay = RandomGenerator(seed: 9)
        #expect(model.loss(batch, dropoutUsing: &replay).item == trainingLoss)
    }

    @Test func memorizesAShortTextAndGreedyDecodingReproducesIt() throws {
        let text = CharacterText("the cat sat on the mat.")
        let (model, loss) = try memorize(text, steps: 100)
        #expect(loss < 0.02)
        let perplexity = model.perplexity(on: [text.tokens])
        #expect(perplexity < 1.02)
        var generator = RandomGenerator(seed: 0)
        let tokens = text.tokens
        let continuation = model.generate(prefix: [tokens[0]], count: tokens.count - 1, using: &generator)
        #expect(text.decode([tokens[0]] + continuation) == text.text)

        // Temperature → 0 approaches greedy: at 0.05 every draw of 20 seeds equals the greedy text.
        for seed in 0..<20 {
            var sampler = RandomGenerator(seed: UInt64(seed))
            let cold = model.generate(
                prefix: [tokens[0]], count: tokens.count - 1, selection: .sample(temperature: 0.05),
                using: &sampler)
            #expect(cold == continuation)
        }
        // Stops after the stop token.
        let stop = tokens[4]  // the first "c"
        let stopped = model.generate(prefix: [tokens[0]], count: 30, stopToken: stop, using: &generator)
        #expect(stopped == Array(tokens[1...4]))
    }

    @Test func topKOneAndTemperatureZeroAreGreedyOnAnUntrainedModel() {
        var generator = RandomGenerator(seed: 11)
        let model = LanguageModel(vocabularySize: 7, embeddingSize: 4, hiddenSize: 6, using: &generator)
        var none = RandomGenerator(seed: 0)
        let greedy = model.generate(prefix: [1, 2], count: 12, using: &none)
        #expect(none == RandomGenerator(seed: 0))  // greedy draws nothing
        for seed in 0..<5 {
            var a = RandomGenerator(seed: UInt64(seed))
            #expect(model.generate(prefix: [1, 2], count: 12, selection: .sample(topK: 1), using: &a) == greedy)
            var b = RandomGenerator(seed: UInt64(seed))
            #expect(model.generate(prefix: [1, 2], count: 12, selection: .sample(temperature: 0), using: &b) == greedy)
        }
        // Full-temperature sampling is seeded, and not greedy.
        var c = RandomGenerator(seed: 5)
        var d = RandomGenerator(seed: 5)
        let sampled = model.generate(prefix: [1, 2], count: 12, selection: .sample(temperature: 2), using: &c)
        #expect(sampled == model.generate(prefix: [1, 2], count: 12, selection: .sample(temperature: 2), using: &d))
        #expect(sampled != greedy)
    }

    @Test func topKNeverEmitsATokenOutsideTheTopK() {
        let logits: [Float] = [0.3, 2.0, -1.0, 1.5, 0.2, 1.8, -0.5, 1.5, 0.0, 1.0]
        #expect(TokenSelection.topIndices(logits, count: 4) == [1, 5, 3, 7])  // tie 3/7: lower index first
        #expect(TokenSelection.argmax([1, 3, 3, 2]) == 1)
        var generator = RandomGenerator(seed: 21)
        for k in 1...5 {
            let allowed = Set(TokenSelection.topIndices(logits, count: k))
            var seen = Set<Int>()
            for _ in 0..<400 {
                seen.insert(TokenSelection.sample(temperature: 1.5, topK: k).select(from: logits, using: &generator))
            }
            #expect(seen == allowed)  // never outside, and every allowed token is reachable
        }
    }

    @Test func smallTemperatureSelectsTheArgmax() {
        var generator = RandomGenerator(seed: 8)
        for _ in 0..<50 {
            let logits = (0..<8).map { _ in Float(generator.nextStandardNormal()) }
            let sorted = logits.sorted(by: >)
            let temperature = (sorted[0] - sorted[1]) / 60  // other tokens have probability below 8·e⁻⁶⁰
            let choice = TokenSelection.sample(temperature: temperature).select(from: logits, using: &generator)
            #expect(choice == TokenSelection.argmax(logits))
        }
    }

    @Test func sampledSoftmaxTrainingLowersTheFullLoss() {
        var generator = RandomGenerator(seed: 6)
        let model = LanguageModel(vocabularySize: 12, embeddingSize: 4, hiddenSize: 8, using: &generator)
        let batch = LanguageModelBatch(sequences: [[0, 5, 2, 9, 11, 3, 7], [1, 4, 4, 8]])
        let softmax = SampledSoftmax(proposal: .uniform(vocabularySize: 12), sampleCount: 6)
        let adam = Adam(model.parameters, learningRate: 0.05)
        let before = model.loss(batch).item
        for _ in 0..<40 {
            let loss = model.sampledLoss(batch, softmax: softmax, using: &generator)
            adam.step(gradients(of: loss, wrt: model.parameterValues))
        }
        #expect(model.loss(batch).item < 0.5 * before)
    }

    @Test func documentationExampleRuns() {
        var generator = RandomGenerator(seed: 0)
        let model = LanguageModel(vocabularySize: 5, embeddingSize: 4, hiddenSize: 8, using: &generator)
        let batch = LanguageModelBatch(sequences: [[0, 1, 2, 3, 4], [0, 2, 1]])
        let loss = model.loss(batch)
        let text = model.generate(
            prefix: [0], count: 4, selection: .sample(temperature: 0.8, topK: 3), using: &generator)
        #expect(loss.shape == [] && loss.item > 0)
        #expect(text.count == 4 && text.allSatisfy { (0..<5).contains($0) })
        #expect(model.namedParameters.map(\.name).first == "embedding.weight")
        #expect(model.namedParameters.map(\.name).last == "output.bias")
    }

    @Test func trainingWithDropoutResumesBitForBitThroughTheTrainingLoop() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("montague-lm-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        let sequences = [[0, 3, 1, 4, 2], [1, 2, 3], [4, 4, 0, 1], [2, 0, 3, 3, 1, 4]]
        func makeRun(initSeed: UInt64, total: Int, checkpoint: URL?) -> (LanguageModel, Adam, TrainingLoop) {
            var generator = RandomGenerator(seed: initSeed)
            let model = LanguageModel(
                vocabularySize: 5, embeddingSize: 3, hiddenSize: 4, layerCount: 2, dropout: 0.3, using: &generator)
            let adam = Adam(model.parameters, learningRate: 0.02)
            let loop = TrainingLoop(
                model: model, optimizer: adam,
                configuration: TrainingConfiguration(
                    totalSteps: total, stepsPerEpoch: 2, seed: 5, checkpointURL: checkpoint),
                progress: ProgressReporter(totalSteps: nil, isEnabled: false))
            return (model, adam, loop)
        }
        func step(_ model: LanguageModel, _ adam: Adam) -> (inout TrainingStep) -> [String: Double] {
            { context in
                let batchIndex = context.epochOrder(count: 2)[context.indexInEpoch]
                let batch = LanguageModelBatch(sequences: Array(sequences[(2 * batchIndex)..<(2 * batchIndex + 2)]))
                let loss = model.loss(batch, dropoutUsing: &context.generator)
                adam.step(gradients(of: loss, wrt: model.parameterValues))
                return ["loss": Double(loss.item)]
            }
        }
        let (straightModel, straightAdam, straight) = makeRun(initSeed: 1, total: 7, checkpoint: nil)
        try straight.run(step: step(straightModel, straightAdam))
        let (firstModel, firstAdam, first) = makeRun(initSeed: 1, total: 3, checkpoint: url)
        try first.run(step: step(firstModel, firstAdam))
        let (resumedModel, resumedAdam, resumed) = makeRun(initSeed: 2, total: 7, checkpoint: nil)
        try resumed.resume(from: url)
        try resumed.run(step: step(resumedModel, resumedAdam))
        let bits = { (model: LanguageModel) in model.parameterValues.flatMap { $0.scalars.map(\.bitPattern) } }
        #expect(bits(resumedModel) == bits(straightModel))
        #expect(bits(firstModel) != bits(straightModel))
    }

    @Test("Nucleus (top-p) sampling keeps the smallest set of likely tokens reaching p")
    func nucleusSampling() {
        // Probabilities ∝ exp(logits): 0.6439, 0.2369, 0.0871, 0.0321.
        let logits: [Float] = [3, 2, 1, 0]
        let kept = TokenSelection.nucleus(logits, temperature: 1, mass: 0.85)
        #expect(kept.map(\.isFinite) == [true, true, false, false])
        #expect(
            TokenSelection.nucleus(logits, temperature: 1, mass: 0.5).map(\.isFinite) == [true, false, false, false])
        #expect(TokenSelection.nucleus(logits, temperature: 1, mass: 1).filter(\.isFinite).count == 4)
        var generator = RandomGenerator(seed: 3)
        var seen = Set<Int>()
        for _ in 0..<300 {
            seen.insert(TokenSelection.sample(temperature: 1, topP: 0.85).select(from: logits, using: &generator))
        }
        #expect(seen == [0, 1])
    }
}
