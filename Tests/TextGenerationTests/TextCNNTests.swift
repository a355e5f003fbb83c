import Autodiff
import NeuralNet
import Testing

@testable import TextGeneration

@Suite("TextCNN (Kim 2014)")
struct TextCNNTests {
    static let configuration = TextCNN.Configuration(
        vocabularySize: 12, classCount: 2, embeddingSize: 6, filterWidths: [1, 2, 3], filterCounts: [4, 4, 4],
        highway: true, dropout: 0.2, paddingIndex: 0)

    /// Sentences of neutral tokens 3…11 with one marker: token 1 → class 0, token 2 → class 1.
    static func data(count: Int, seed: UInt64) -> ([[Int]], [Int]) {
        var generator = RandomGenerator(seed: seed)
        var sequences: [[Int]] = []
        var labels: [Int] = []
        for _ in 0..<count {
            let label = generator.nextInt(below: 2)
            var sequence = (0..<(2 + generator.nextInt(below: 5))).map { _ in 3 + generator.nextInt(below: 9) }
            sequence.insert(label == 0 ? 1 : 2, at: generator.nextInt(below: sequence.count + 1))
            sequences.append(sequence)
            labels.append(label)
        }
        return (sequences, labels)
    }

    @Test("Learns a separable toy task")
    func learns() {
        var generator = RandomGenerator(seed: 1)
        let model = TextCNN(Self.configuration, using: &generator)
        let (train, trainLabels) = Self.data(count: 160, seed: 2)
        let (valid, validLabels) = Self.data(count: 60, seed: 3)
        let records = TextClassifierTraining.train(
            model, sequences: train, labels: trainLabels, validation: (valid, validLabels),
            options: .init(epochs: 8, batchSize: 16, learningRate: 0.01, seed: 4))
        #expect(records.count == 8)
        #expect(records.last.map { $0.loss < records[0].loss } == true)
        #expect(TextClassifierTraining.accuracy(of: model, sequences: valid, labels: validLabels) >= 0.95)
    }

    @Test("Soft one-hot inputs give the same logits as token ids, and gradients reach the distributions")
    func softInputs() {
        var generator = RandomGenerator(seed: 5)
        let model = TextCNN(Self.configuration, using: &generator)
        let sequences = [[3, 1, 4], [2, 5, 0]]
        let tokens = model.batch(sequences)
        var oneHot = [Float](repeating: 0, count: 2 * 3 * 12)
        for (row, sequence) in sequences.enumerated() {
            for (position, token) in sequence.enumerated() { oneHot[(row * 3 + position) * 12 + token] = 1 }
        }
        let distributions = Tensor(shape: [2, 3, 12], scalars: oneHot).requiringGradient()
        var none: RandomGenerator? = nil
        let fromIds = model.logits(tokens: tokens).scalars
        let fromSoft = model.logits(distributions: distributions, dropoutUsing: &none)
        for (a, b) in zip(fromIds, fromSoft.scalars) { #expect(abs(a - b) < 1e-5) }
        let gradient = gradients(
            of: model.logits(distributions: distributions, dropoutUsing: &none).sum(), wrt: [distributions])[0]
        #expect(gradient.shape == [2, 3, 12])
        #expect(gradient.scalars.contains { $0 != 0 })
    }

    @Test("Sequences shorter than the widest filter are padded; SeqGAN's discriminator has its filter banks")
    func shortSequencesAndPresets() {
        var generator = RandomGenerator(seed: 6)
        let model = TextCNN(Self.configuration, using: &generator)
        #expect(model.predict([[1]]).count == 1)
        let seqGAN = TextCNN.Configuration.seqGANDiscriminator(vocabularySize: 50)
        #expect(seqGAN.featureCount == 1720)
        #expect(seqGAN.filterWidths.count == seqGAN.filterCounts.count)
    }
}
