import Autodiff
import Corpus
import Foundation
import MontagueSupport
import NeuralNet
import Testing

@testable import TextGeneration

/// A two-style corpus whose style is one swapped word: every sentence is `DET NOUN VERB ADJ TAIL .`, where the
/// adjective comes from a pair chosen by the noun's group (`tasty`/`bland` for dishes, `friendly`/`rude` for
/// people, `good`/`bad` for the rest) and its style picks the member of the pair. The ideal transfer swaps that
/// one word and copies the rest, so it is known for every sentence.
enum SwappedWordStyles {
    static let groups: [(nouns: [String], adjectives: [String])] = [
        (["food", "pizza", "soup", "pasta"], ["tasty", "bland"]),
        (["waiter", "staff", "owner", "host"], ["friendly", "rude"]),
        (["place", "room", "view", "price"], ["good", "bad"]),
    ]
    static let determiners = ["the", "our", "my"]
    static let verbs = ["was", "is"]
    static let tails = [
        ["on", "monday"], ["last", "night"], ["at", "lunch"], ["as", "usual"], ["today"], ["again"],
    ]

    /// `count` sentences of `style` with their ideal transfers to the other style.
    static func sentences(style: Int, count: Int, seed: UInt64) -> [(sentence: [String], transfer: [String])] {
        var generator = SplitMix64(seed: seed &+ UInt64(style) &* 7919)
        func pick<T>(_ list: [T]) -> T { list[Int(generator.next() % UInt64(list.count))] }
        return (0..<count).map { _ in
            let group = pick(groups)
            let head = [pick(determiners), pick(group.nouns), pick(verbs)]
            let tail = pick(tails) + ["."]
            return (head + [group.adjectives[style]] + tail, head + [group.adjectives[1 - style]] + tail)
        }
    }

}

@Suite("Style transfer keeps content: reconstruction trains, transfer flips one swapped word")
struct StyleTransferContentTests {
    /// Trains `method` on the swapped-word corpus and returns the greedy transfers of held-out sentences with their
    /// ideal outputs and target styles (and the same sentences decoded to their own style).
    static func trainAndTransfer(
        settings: CrossAlignedSettings, method: StyleTransferMethod, count: Int, heldOut: Int, testSeed: UInt64 = 2
    ) throws -> (
        transfers: [(output: [String], expected: [String], target: Int)], reconstructions: [([String], [String])]
    ) {
        let train = (0..<2).map { SwappedWordStyles.sentences(style: $0, count: count, seed: 1) }
        let test = (0..<2).map { SwappedWordStyles.sentences(style: $0, count: heldOut, seed: testSeed) }
        let vocabulary = Vocabulary(tokens: train.joined().flatMap(\.sentence), minimumCount: 1)
        var generator = RandomGenerator(seed: settings.training.seed)
        let network = try #require(
            method.adversarialNetwork(settings: settings, vocabulary: vocabulary, styleCount: 2, using: &generator))
        let root = try StyleTransferCrossAlignedTests.temporaryRoot("content-\(method.rawValue)")
        defer { try? FileManager.default.removeItem(at: root) }
        let summary = try AdversarialStyleTraining.run(
            network: network, sentences: train.map { $0.map { vocabulary.encode($0.sentence) } },
            vocabulary: vocabulary, options: settings.training,
            directory: ModelDirectory(url: root))
        #expect(summary.lastMetrics["reconstruction"].map { $0.isFinite } == true)
        let system = CrossAlignedTransfer(model: network.autoencoder, vocabulary: vocabulary, maximumLength: 20)
        var transfers: [(output: [String], expected: [String], target: Int)] = []
        var reconstructions: [([String], [String])] = []
        for style in 0..<2 {
            let inputs = test[style].map(\.sentence)
            let outputs = system.transfer(inputs, from: Array(repeating: style, count: inputs.count), to: 1 - style)
            for (output, item) in zip(outputs, test[style]) { transfers.append((output, item.transfer, 1 - style)) }
            let own = system.transfer(inputs, from: Array(repeating: style, count: inputs.count), to: style)
            reconstructions += zip(own, inputs).map { ($0, $1) }
        }
        return (transfers, reconstructions)
    }

    static func bleu(_ pairs: [([String], [String])]) throws -> Double {
        try BLEU(tokenizer: .none).corpusScore(
            hypotheses: pairs.map { $0.0.joined(separator: " ") },
            references: [pairs.map { $0.1.joined(separator: " ") }]
        ).score
    }

    @Test(
        "An autoencoder-only run (reconstruction alone) reconstructs its training sentences, with and without attention",
        arguments: [false, true])
    func autoencoderReconstructs(attention: Bool) throws {
        var settings = CrossAlignedSettings(
            embeddingSize: 12, styleSize: 4, contentSize: 28, filterWidths: [1, 2], filterCount: 4, dropout: 0,
            minimumCount: 1,
            training: CrossAlignedTraining.Options(
                batchSize: 12, learningRate: 1e-2, steps: 300, evaluationInterval: 1_000, seed: 3))
        settings.attention = attention
        settings.training.pretrainingSteps = settings.training.steps  // reconstruction only, all along
        // The first 12 training sentences of each style (the same seed draws the same prefix).
        let (_, reconstructions) = try Self.trainAndTransfer(
            settings: settings, method: .cycle, count: 24, heldOut: 12, testSeed: 1)
        let score = try Self.bleu(reconstructions)
        #expect(score >= 80, "reconstruction BLEU \(score): \(reconstructions.prefix(3))")
    }

    /// Tiny cycle settings for the fast tests below.
    static func tinySettings(attention: Bool, training: GeneratorTraining = .gumbel) -> CrossAlignedSettings {
        var settings = StyleTransferAdversarialTests.settings(steps: 1, method: .cycle)
        settings.attention = attention
        settings.generatorTraining = training
        return settings
    }

    @Test("With attention, the copy mechanism's log-probabilities are normalized and gradients reach every part")
    func attentionCopyGradients() throws {
        let vocabulary = StyleTransferAdversarialTests.toyVocabulary
        var seed = RandomGenerator(seed: 4)
        let network = CycleStyleTransfer(
            settings: Self.tinySettings(attention: true), vocabulary: vocabulary, styleCount: 2, using: &seed)
        let model = network.autoencoder
        let attention = try #require(model.attention)
        let gate = try #require(model.copyGate)
        let sentences = [vocabulary.encode(["the", "soup", "was", "great"]), vocabulary.encode(["my", "bread"])]
        var none: RandomGenerator? = nil
        let (content, memory) = model.encodeSource(sentences, styles: [0, 1], dropoutUsing: &none)
        let source = try #require(memory)
        #expect(source.states.shape == [2, 4, model.configuration.hiddenSize])
        #expect(source.words.shape == [2, 4, vocabulary.count])
        let logits = model.logits(
            model.initialState(content: content, styles: [1, 0]), memory: source, dropoutUsing: &none)
        for row in 0..<2 {
            let total = (0..<vocabulary.count).reduce(Float(0)) {
                $0 + Foundation.exp(logits.scalars[row * vocabulary.count + $1])
            }
            #expect(abs(total - 1) < 1e-3)
        }
        var generator = RandomGenerator(seed: 9)
        let losses = network.losses(
            batch: StyleTransferAdversarialTests.toyBatch(vocabulary), vocabulary: vocabulary, step: 0,
            using: &generator)
        let grads = gradients(
            of: losses.generator,
            wrt: [attention.weight.value, gate.weight.value, model.encoder.weights.weightIH.value])
        #expect(grads.allSatisfy { $0.scalars.contains { abs($0) > 0 } })
    }

    @Test("Pre-training steps train reconstruction alone: no discriminator update, no adversarial term")
    func pretrainingGatesTheAdversary() throws {
        let vocabulary = StyleTransferAdversarialTests.toyVocabulary
        var settings = Self.tinySettings(attention: false)
        settings.training.pretrainingSteps = 2
        var seed = RandomGenerator(seed: 4)
        let network = CycleStyleTransfer(settings: settings, vocabulary: vocabulary, styleCount: 2, using: &seed)
        var generator = RandomGenerator(seed: 9)
        let batch = StyleTransferAdversarialTests.toyBatch(vocabulary)
        let early = network.losses(batch: batch, vocabulary: vocabulary, step: 1, using: &generator)
        #expect(early.discriminator == nil && early.adversarial == nil)
        #expect(early.generator.item == Float(try #require(early.metrics["reconstruction"])))
        let late = network.losses(batch: batch, vocabulary: vocabulary, step: 2, using: &generator)
        #expect(late.discriminator != nil && late.adversarial != nil)
    }

    @Test("SeqGAN rollouts give every token of a transferred sample a reward in [0, 1]; the last is the whole one's")
    func rolloutRewards() throws {
        let vocabulary = StyleTransferAdversarialTests.toyVocabulary
        var settings = Self.tinySettings(attention: true, training: .policyGradient)
        settings.rollouts = 3
        var seed = RandomGenerator(seed: 4)
        let network = CycleStyleTransfer(settings: settings, vocabulary: vocabulary, styleCount: 2, using: &seed)
        #expect(network.rollouts == 3)
        let model = network.autoencoder
        let sentences = [vocabulary.encode(["the", "soup", "was", "great"]), vocabulary.encode(["my", "bread"])]
        var none: RandomGenerator? = nil
        let (content, memory) = model.encodeSource(sentences, styles: [0, 1], dropoutUsing: &none)
        let initial = model.initialState(content: content, styles: [1, 0])
        let samples = [vocabulary.encode(["the", "bread", "was"]), vocabulary.encode(["great"])]
        let rewards = network.discriminators.map {
            StyleDiscriminatorReward(discriminator: $0, endIndex: vocabulary.endIndex)
        }
        var generator = RandomGenerator(seed: 5)
        let q = model.rolloutRewards(
            samples: samples, initial: initial, memory: memory, targets: [1, 0], rewards: rewards, rollouts: 3,
            vocabulary: vocabulary, maximumLength: 8, using: &generator)
        #expect(q.map(\.count) == [4, 2])
        #expect(q.joined().allSatisfy { (0...1).contains($0) })
        #expect(q[0][3] == rewards[1].rewards(for: [samples[0]])[0])
        #expect(q[1][1] == rewards[0].rewards(for: [samples[1]])[0])
        // The policy-gradient loss with rollouts is finite and reaches the decoder.
        var stepGenerator = RandomGenerator(seed: 9)
        let losses = network.losses(
            batch: StyleTransferAdversarialTests.toyBatch(vocabulary), vocabulary: vocabulary, step: 0,
            using: &stepGenerator)
        let adversarial = try #require(losses.adversarial)
        #expect(adversarial.item.isFinite)
        let decoder = model.decoder.weights.weightIH.value
        #expect(gradients(of: adversarial, wrt: [decoder])[0].scalars.contains { abs($0) > 0 })
    }
}
