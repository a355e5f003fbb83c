import Autodiff
import Foundation
import MontagueSupport
import NeuralNet
import Testing
import _MontagueTestSupport

@testable import TextGeneration

/// SeqGAN's discriminator: the fused convolution path of `TextCNN` against the unfused ops, the output layer's L2
/// penalty of SeqGAN's code, and what `--time-limit` covers.
@Suite("SeqGAN discriminator: fused convolutions, L2 penalty, time limit")
struct SeqGANDiscriminatorTests {
    @Test("TextCNN's logits and gradients equal the unfused convolution → ReLU → max → highway → linear path")
    func fusedPathEqualsUnfused() {
        var generator = RandomGenerator(seed: 5)
        var configuration = TextCNN.Configuration.seqGANDiscriminator(vocabularySize: 9)
        configuration.embeddingSize = 6
        configuration.filterCounts = configuration.filterCounts.map { max(1, $0 / 50) }
        let model = TextCNN(configuration, using: &generator)
        // Length 7 < the widest filter (20): the input is padded as Kim 2014 does.
        let sequences = (0..<5).map { row in (0..<7).map { (row * 3 + $0 * 5) % 9 } }
        let tokens = model.batch(sequences)
        let fused = model.logits(tokens: tokens)
        func unfused() -> Tensor {
            var embedded = model.embedding(tokens)
            embedded = Tensor.concatenate([embedded, Tensor.zeros([5, 13, 6])], axis: 1)
            var features = Tensor.unfusedConvolutionMaxPool1D(
                embedded, weights: model.convolutions.map(\.weight.value),
                biases: model.convolutions.compactMap { $0.bias?.value })
            if let highway = model.highway { features = highway(features) }
            return model.output(features)
        }
        let reference = unfused()
        expectClose(fused.scalars, reference.scalars, tolerance: 1e-4, "logits")
        let labels = [0, 1, 1, 0, 1]
        let parameters = model.parameterValues
        let got = gradients(of: crossEntropy(logits: fused, targets: labels), wrt: parameters)
        let expected = gradients(of: crossEntropy(logits: reference, targets: labels), wrt: parameters)
        for (index, (g, e)) in zip(got, expected).enumerated() {
            expectClose(g.scalars, e.scalars, tolerance: 1e-4, "parameter \(index)")
        }
    }

    @Test("The L2 penalty is λ·(½‖W‖² + ½‖b‖²) of the output layer; --paper sets λ = 0.2; λ = 0 is no penalty")
    func outputLayerPenalty() throws {
        let oracle = TinySeqGAN.oracle()
        let data = TinySeqGAN.data(oracle)
        #expect(SeqGANConfiguration.paper(method: .seqgan).discriminatorL2 == 0.2)
        var configuration = TinySeqGAN.configuration()
        #expect(SeqGANTrainer(configuration, realSequences: data).outputPenalty() == nil)
        configuration.discriminatorL2 = 0.2
        let trainer = SeqGANTrainer(configuration, realSequences: data)
        let output = trainer.discriminator.output
        let weights = output.weight.value.scalars
        let bias = output.bias?.value.scalars ?? []
        let expected = 0.1 * (weights.map { Double($0 * $0) }.reduce(0, +) + bias.map { Double($0 * $0) }.reduce(0, +))
        let penalty = try #require(trainer.outputPenalty())
        #expect(abs(Double(penalty.item) - expected) <= 1e-5 * max(1, expected))
        let gradient = gradients(of: penalty, wrt: [output.weight.value])[0]
        expectClose(gradient.scalars, weights.map { 0.2 * $0 }, "∂/∂W = λW")

        // A D step with the penalty reports it and moves the output layer differently from one without.
        let plain = SeqGANTrainer(TinySeqGAN.configuration(), realSequences: data)
        let metrics = trainer.discriminatorStep()
        let plainMetrics = plain.discriminatorStep()
        #expect(metrics["discriminator_l2"].map { $0 > 0 } == true)
        #expect(plainMetrics["discriminator_l2"] == nil)
        #expect(trainer.discriminator.output.weight.value.scalars != plain.discriminator.output.weight.value.scalars)
        // The penalty shrinks the weights: after the same step their norm is below the unpenalized run's.
        func squaredNorm(_ t: SeqGANTrainer) -> Float {
            t.discriminator.output.weight.value.scalars.map { $0 * $0 }.reduce(0, +)
        }
        #expect(squaredNorm(trainer) < squaredNorm(plain))

        // A directory written without the setting continues with λ = 0, not with another λ.
        var none = TinySeqGAN.configuration()
        none.discriminatorL2 = nil
        var zero = none
        zero.discriminatorL2 = 0
        #expect(none.withoutBudget == zero.withoutBudget)
        #expect(none.withoutBudget != configuration.withoutBudget)
        var negative = none
        negative.discriminatorL2 = -1
        #expect(throws: InputError.self) { try negative.validate() }
    }

    @Test("--time-limit counts from the given start, data preparation included")
    func timeLimitCountsFromTheStart() throws {
        let root = try TestData.temporaryDirectory("seqgan-time-limit")
        defer { try? FileManager.default.removeItem(at: root) }
        let dataURL = root.appendingPathComponent("real.txt")
        try TokenSequenceFile.render(TinySeqGAN.data(TinySeqGAN.oracle())).write(
            to: dataURL, atomically: true, encoding: .utf8)
        let record = SeqGANRun.Record(configuration: TinySeqGAN.configuration(), oracle: nil, train: dataURL.path)
        // A command that started an hour ago with a 30-minute limit: no round may start.
        let start = ContinuousClock().now - .seconds(3600)
        let summary = try SeqGANRun.train(
            record, output: ModelDirectory(url: root.appendingPathComponent("late")), timeLimit: 1800, start: start)
        #expect(summary.stopReason == "time limit")
        #expect(summary.rounds == 0)
        #expect(summary.seconds >= 3600)
        // The same limit counted from the call itself lets the tiny run complete.
        let fresh = try SeqGANRun.train(
            record, output: ModelDirectory(url: root.appendingPathComponent("fresh")), timeLimit: 1800)
        #expect(fresh.stopReason == "completed" && fresh.rounds == 5)
    }
}
