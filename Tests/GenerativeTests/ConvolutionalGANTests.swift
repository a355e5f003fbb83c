import Foundation
import Generative
import NeuralNet
import Testing

/// Convolutional critics and generators on small square images, and the linear step-size decay.
@Suite("Convolutional GAN networks and step-size decay")
struct ConvolutionalGANTests {
    static func imageConfiguration(_ method: GANMethod) -> GANConfiguration {
        var configuration = GANConfiguration(method: method, dataSize: 64)
        configuration.network = .conv
        configuration.noiseSize = 4
        configuration.hiddenSize = 8
        configuration.hiddenLayers = 1
        configuration.batchSize = 4
        configuration.infoCodes = InfoGANCodes(categories: 3, continuousCount: 1)
        configuration.qHiddenSize = method == .info ? 5 : nil
        configuration.output = .sigmoid
        configuration.generatorBatchNorm = method == .info  // normalization in the convolutions too
        configuration.seed = 4
        return configuration
    }

    static func images(count: Int, seed: UInt64) -> PointSet {
        var generator = RandomGenerator(seed: seed)
        return PointSet(Tensor.uniform([count, 64], using: &generator))
    }

    @Test func theEncoderHalvesTheSideAndTheDecoderDoublesIt() {
        var generator = RandomGenerator(seed: 2)
        let encoder = ConvolutionalEncoder(side: 8, channels: [3, 5], using: &generator)
        #expect(encoder.inputSize == 64 && encoder.outputSize == 5 * 2 * 2)
        #expect(encoder(Tensor.normal([6, 64], using: &generator)).shape == [6, 20])
        #expect(
            encoder.namedParameters.map(\.name) == ["conv.0.weight", "conv.0.bias", "conv.1.weight", "conv.1.bias"])
        let decoder = UpsamplingDecoder(side: 8, channels: [4, 3], using: &generator)
        #expect(decoder.inputSide == 2 && decoder.inputSize == 16)
        #expect(decoder.namedParameters.map(\.parameter.shape) == [[3, 4, 3, 3], [3], [1, 3, 3, 3], [1]])
        #expect(decoder(Tensor.normal([6, 16], using: &generator)).shape == [6, 64])
    }

    @Test func theDecoderIsDifferentiableInItsInput() {
        var generator = RandomGenerator(seed: 5)
        let decoder = UpsamplingDecoder(side: 4, channels: [2], using: &generator)
        let input = Tensor.normal([2, decoder.inputSize], using: &generator)
        // Away from ReLU's kink, the upsampling's backward (a sum over each 2×2 block) matches central differences.
        let shifted = Tensor(shape: input.shape, scalars: input.scalars.map { $0 + ($0 >= 0 ? 0.2 : -0.2) })
        let check = checkGradients(at: [shifted], epsilon: 1e-2) { decoder($0[0]) }
        #expect(check.passes(tolerance: 2e-2), "\(check)")
    }

    @Test func aFrozenConvolutionalCriticPassesOnlyInputGradients() {
        var generator = RandomGenerator(seed: 3)
        let encoder = ConvolutionalEncoder(side: 8, channels: [2, 3], using: &generator)
        let network = MultilayerPerceptron(
            sizes: [encoder.outputSize, 4, 1], activation: .leakyReLU, convolutionalInput: encoder, using: &generator)
        #expect(network.inputSize == 64 && network.outputSize == 1)
        #expect(network.namedParameters.first?.name == "input.conv.0.weight")
        let x = Tensor.normal([3, 64], using: &generator).requiringGradient()
        var unused = RandomGenerator(seed: 0)
        let frozen = network(x, hiddenDropout: 0, frozen: true, using: &unused)
        #expect(frozen.scalars == network(x).scalars)
        #expect(
            gradients(of: frozen.sum(), wrt: [x])[0].scalars == gradients(of: network(x).sum(), wrt: [x])[0].scalars)
        #expect(
            gradients(of: frozen.sum(), wrt: network.parameterValues).allSatisfy { $0.scalars.allSatisfy { $0 == 0 } })
    }

    @Test(arguments: [GANMethod.info, .nonSaturating, .wassersteinGradientPenalty])
    func convolutionalRunsTrainDeterministically(method: GANMethod) throws {
        let configuration = Self.imageConfiguration(method)
        #expect(configuration.problem() == nil)
        func run() -> (parameters: [Float], samples: [Float]) {
            let trainer = GANTrainer(configuration: configuration, data: Self.images(count: 16, seed: 1))
            for _ in 0..<2 { trainer.step() }
            var draw = RandomGenerator(seed: 3)
            return (trainer.model.parameterValues.flatMap(\.scalars), trainer.samples(count: 5, using: &draw).values)
        }
        let first = run()
        #expect(first.parameters == run().parameters)
        #expect(first.parameters.allSatisfy { $0.isFinite })
        #expect(first.samples.count == 5 * 64 && first.samples.allSatisfy { $0 >= 0 && $0 <= 1 })
        let trainer = GANTrainer(configuration: configuration, data: Self.images(count: 16, seed: 1))
        #expect(trainer.model.namedParameters.contains { $0.name == "critic.input.conv.1.weight" })
        #expect(trainer.model.namedParameters.contains { $0.name == "generator.output.conv.1.bias" })
        if method == .info {
            #expect(trainer.predictedCategories(Self.images(count: 3, seed: 2).tensor).count == 3)
            #expect(trainer.generator.convolutionalOutput?.norms.count == 1)
            #expect(trainer.generator.batchNormLayers.count == 2)
        }
        let encoded = try JSONEncoder().encode(configuration)
        let decoded = try JSONDecoder().decode(GANConfiguration.self, from: encoded)
        #expect(decoded == configuration && decoded.network == .conv)
    }

    @Test func aConvolutionalCriticCanPairWithAFullyConnectedGenerator() {
        var configuration = Self.imageConfiguration(.info)
        configuration.network = .convCritic
        #expect(configuration.problem() == nil)
        let trainer = GANTrainer(configuration: configuration, data: Self.images(count: 16, seed: 1))
        trainer.step()
        #expect(trainer.critic.convolutionalInput != nil && trainer.generator.convolutionalOutput == nil)
        #expect(trainer.generator.outputSize == 64)
        #expect(trainer.model.parameterValues.allSatisfy { $0.scalars.allSatisfy { $0.isFinite } })
    }

    @Test func convolutionalNetworksNeedSquareUnpackedImages() {
        var bad = GANTrainerTests.configuration(.nonSaturating)
        bad.network = .conv
        #expect(bad.problem() != nil)  // 2-D points
        bad = Self.imageConfiguration(.nonSaturating)
        bad.packing = 2
        #expect(bad.problem() != nil)
        bad = Self.imageConfiguration(.energyBased)
        #expect(bad.problem() != nil)
        bad = Self.imageConfiguration(.nonSaturating)
        bad.dataSize = 36  // side 6 is not divisible by 4
        #expect(bad.problem() != nil)
    }

    @Test func theRealDataPenaltyEntersTheCriticLossOfPlainCritics() {
        var configuration = GANTrainerTests.configuration(.fGAN(.kullbackLeibler))
        configuration.realGradientPenalty = 1
        #expect(configuration.problem() == nil)
        let trainer = GANTrainer(configuration: configuration, data: ToyDistribution.ring8.sample(count: 64, seed: 1))
        let metrics = trainer.step()
        #expect((metrics["r1_penalty"] ?? -1) > 0 && metrics["penalty"] == nil)
        var lipschitz = GANTrainerTests.configuration(.fGAN(.kullbackLeibler))
        lipschitz.interpolatePenalty = true
        #expect(lipschitz.problem() == nil)
        let penalized = GANTrainer(configuration: lipschitz, data: ToyDistribution.ring8.sample(count: 64, seed: 1))
        #expect((penalized.step()["penalty"] ?? -1) >= 0)
        var bad = configuration
        bad.method = .vaeGAN
        #expect(bad.problem() != nil)
        bad = configuration
        bad.realGradientPenalty = -1
        #expect(bad.problem() != nil)
        bad = lipschitz
        bad.method = .info
        #expect(bad.problem() != nil)
    }

    @Test func theFusedMaxoutMatchesTheReductionToSecondOrder() {
        var generator = RandomGenerator(seed: 8)
        // Pieces at least 0.3 apart within each group, so central differences never cross an arg-max boundary.
        let offsets: [[Float]] = [[0, 0.3, 0.6], [0.6, 0, 0.3], [0.3, 0.6, 0]]
        var scalars: [Float] = []
        for group in 0..<20 {
            let shift = Float(group % 7) * 0.11 - 0.4
            for offset in offsets[group % 3] { scalars.append(offset + shift) }
        }
        let x = Tensor(shape: [5, 12], scalars: scalars)
        let reference = { (t: Tensor) in t.reshaped([t.shape[0], 4, 3]).max(axis: 2) }
        #expect(Maxout(pieces: 3)(x).scalars == reference(x).scalars)
        let leaf = x.requiringGradient()
        let weights = Tensor.normal([5, 4], using: &generator)
        #expect(
            gradients(of: (Maxout(pieces: 3)(leaf) * weights).sum(), wrt: [leaf])[0].scalars
                == gradients(of: (reference(leaf) * weights).sum(), wrt: [leaf])[0].scalars)
        // Second order: the input gradient of a squared maxout output, differentiated again.
        let check = checkSecondOrderGradients(at: [x]) { inputs in
            let y = Maxout(pieces: 3)(inputs[0])
            return (y * y).sum()
        }
        #expect(check.passes(tolerance: 2e-2), "\(check)")
    }

    @Test func theDecayFactorFallsLinearlyToZero() {
        let decay = LinearDecaySchedule(start: 10, end: 20)
        #expect(decay.factor(atStep: 0) == 1 && decay.factor(atStep: 10) == 1)
        #expect(decay.factor(atStep: 15) == 0.5 && decay.factor(atStep: 19) == 0.1)
        #expect(decay.factor(atStep: 20) == 0 && decay.factor(atStep: 500) == 0)
        var configuration = GANTrainerTests.configuration(.nonSaturating)
        configuration.learningRateDecay = LinearDecaySchedule(start: 5, end: 5)
        #expect(configuration.problem() != nil)
        configuration.learningRateDecay = LinearDecaySchedule(start: -1, end: 5)
        #expect(configuration.problem() != nil)
    }

    @Test func aDecayedRunStopsMovingAtTheEnd() {
        var configuration = GANTrainerTests.configuration(.nonSaturating)
        configuration.learningRate = 1e-3
        configuration.criticLearningRate = 2e-3
        configuration.learningRateDecay = LinearDecaySchedule(start: 1, end: 3)
        let trainer = GANTrainer(configuration: configuration, data: ToyDistribution.ring8.sample(count: 64, seed: 1))
        trainer.step()  // step 0
        trainer.step()  // step 1: the decay starts at factor 1
        #expect(trainer.generatorOptimizer.learningRate == 1e-3 && trainer.criticOptimizer.learningRate == 2e-3)
        trainer.step()  // step 2: factor ½
        #expect(trainer.generatorOptimizer.learningRate == 5e-4 && trainer.criticOptimizer.learningRate == 1e-3)
        let before = trainer.model.parameterValues.flatMap(\.scalars)
        trainer.step()  // step 3: factor 0
        #expect(trainer.generatorOptimizer.learningRate == 0)
        #expect(trainer.model.parameterValues.flatMap(\.scalars) == before)
        var undecayed = configuration
        undecayed.learningRateDecay = nil
        let plain = GANTrainer(configuration: undecayed, data: ToyDistribution.ring8.sample(count: 64, seed: 1))
        plain.step()
        let decayedFirst = GANTrainer(
            configuration: configuration, data: ToyDistribution.ring8.sample(count: 64, seed: 1))
        decayedFirst.step()
        #expect(plain.model.parameterValues.flatMap(\.scalars) == decayedFirst.model.parameterValues.flatMap(\.scalars))
    }
}
