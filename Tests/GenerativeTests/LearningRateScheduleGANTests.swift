import Foundation
import NeuralNet
import Testing

@testable import Generative

/// The GAN step-size decay is NeuralNet's ``LinearDecaySchedule``: the same factors as the decay it replaced, the
/// same step sizes on the optimizers, and model directories written before still load. Instance noise draws
/// nothing when off and leaves the samples alone once annealed away.
@Suite("GAN schedules: step-size decay and instance noise")
struct LearningRateScheduleGANTests {
    /// The factor of the Generative decay before it became a NeuralNet schedule, kept here as the reference.
    static func previousFactor(start: Int, end: Int, step: Int) -> Float {
        guard step >= start else { return 1 }
        guard end > start, step < end else { return 0 }
        return Float(end - step) / Float(end - start)
    }

    @Test func theScheduleHasThePreviousDecayFactors() {
        for (start, end) in [(0, 1), (0, 7), (3, 10), (5000, 10000), (2999, 6000)] {
            let schedule = LinearDecaySchedule(start: start, end: end)
            for step in Array(0..<12) + [start, start + 1, (start + end) / 2, end - 1, end, end + 5] {
                let factor = Self.previousFactor(start: start, end: end, step: step)
                #expect(schedule.factor(atStep: step) == factor, "start \(start) end \(end) step \(step)")
                #expect(schedule.learningRate(atStep: step) == factor)
                let scaled = LinearDecaySchedule(initialLearningRate: 2e-4, start: start, end: end)
                #expect(scaled.learningRate(atStep: step) == 2e-4 * factor)
            }
        }
        #expect(!LinearDecaySchedule(start: 4, end: 4).isValid && !LinearDecaySchedule(start: -1, end: 4).isValid)
    }

    @Test func theTrainerSetsThePreviousStepSizes() {
        var configuration = GANTrainerTests.configuration(.nonSaturating)
        configuration.learningRate = 1e-3
        configuration.criticLearningRate = 3e-4
        configuration.learningRateDecay = LinearDecaySchedule(start: 2, end: 7)
        let trainer = GANTrainer(configuration: configuration, data: ToyDistribution.ring8.sample(count: 64, seed: 1))
        for step in 0..<9 {
            trainer.step()
            let factor = Self.previousFactor(start: 2, end: 7, step: step)
            #expect(trainer.generatorOptimizer.learningRate == Float(1e-3) * factor, "step \(step)")
            #expect(trainer.criticOptimizer.learningRate == Float(3e-4) * factor, "step \(step)")
        }
    }

    @Test func manifestsWrittenBeforeTheScheduleStillDecode() throws {
        // The configuration as the previous release wrote it: the decay as {"start", "end"} only.
        var configuration = GANTrainerTests.configuration(.leastSquares)
        configuration.learningRateDecay = LinearDecaySchedule(start: 5000, end: 10000)
        var object = try #require(
            JSONSerialization.jsonObject(with: JSONEncoder().encode(configuration)) as? [String: Any])
        object["learningRateDecay"] = ["start": 5000, "end": 10000]
        object["instanceNoise"] = nil
        object["instanceNoiseDecay"] = nil
        let previous = try JSONSerialization.data(withJSONObject: object)
        let decoded = try JSONDecoder().decode(GANConfiguration.self, from: previous)
        #expect(decoded == configuration)
        #expect(decoded.learningRateDecay?.initialLearningRate == 1 && decoded.instanceNoise == 0)
        let roundTrip = try JSONDecoder().decode(GANConfiguration.self, from: JSONEncoder().encode(decoded))
        #expect(roundTrip == configuration)
    }

    @Test func instanceNoiseIsValidatedAndDrawsOnlyWhenOn() {
        let data = ToyDistribution.ring8.sample(count: 64, seed: 1)
        var configuration = GANTrainerTests.configuration(.fGAN(.kullbackLeibler))
        let plain = GANTrainer(configuration: configuration, data: data)
        configuration.instanceNoise = 0.3
        #expect(configuration.problem() == nil)
        let noised = GANTrainer(configuration: configuration, data: data)
        for _ in 0..<2 {
            plain.step()
            noised.step()
        }
        #expect(plain.model.parameterValues.flatMap(\.scalars) != noised.model.parameterValues.flatMap(\.scalars))
        let finite = noised.model.parameterValues.flatMap(\.scalars).allSatisfy { $0.isFinite }
        #expect(finite)
        // Off (σ = 0) is the run without the option, draw for draw.
        configuration.instanceNoise = 0
        let off = GANTrainer(configuration: configuration, data: data)
        for _ in 0..<2 { off.step() }
        #expect(off.model.parameterValues.flatMap(\.scalars) == plain.model.parameterValues.flatMap(\.scalars))
        // Annealed: σ at step 0, half at the middle, nothing from the end on.
        configuration.instanceNoise = 0.5
        configuration.instanceNoiseDecay = LinearDecaySchedule(start: 0, end: 2)
        let annealed = GANTrainer(configuration: configuration, data: data)
        let x = Tensor(shape: [4000, 2], scalars: [Float](repeating: 1, count: 8000))
        func deviation(_ y: Tensor) -> Float {
            let d = (y - x).scalars
            return (d.map { $0 * $0 }.reduce(0, +) / Float(d.count)).squareRoot()
        }
        #expect(abs(deviation(annealed.withInstanceNoise(x)) - 0.5) < 0.02)
        annealed.step()
        #expect(abs(deviation(annealed.withInstanceNoise(x)) - 0.25) < 0.01)
        annealed.step()
        #expect(annealed.withInstanceNoise(x).scalars == x.scalars)
        var invalid = configuration
        invalid.instanceNoise = -1
        #expect(invalid.problem() != nil)
        invalid = configuration
        invalid.instanceNoiseDecay = LinearDecaySchedule(start: 3, end: 3)
        #expect(invalid.problem() != nil)
        invalid = GANTrainerTests.configuration(.info)
        invalid.instanceNoise = 0.1
        #expect(invalid.problem() != nil)
    }
}

/// The two additions for the KL f-GAN and InfoGAN runs: f-GAN's saddle-point generator loss and the real-data code
/// entropies of Q.
@Suite("f-GAN's saddle-point generator loss and InfoGAN's real-data code entropies")
struct SaddlePointAndCodeEntropyTests {
    @Test func theSaddlePointGeneratorLossIsMinusTheConjugateTerm() {
        let v = Tensor(shape: [3, 1], scalars: [-1, 0.5, 2])
        let saddle = FGANObjective(divergence: .kullbackLeibler, saddlePoint: true)
        let expected = -[-1, 0.5, 2].map { Foundation.exp(Double($0) - 1) }.reduce(0, +) / 3
        #expect(abs(Double(saddle.generatorLoss(fake: v).item) - expected) < 1e-5)
        // The alternative update is −E_Q[g_f(v)] = −mean(v) for KL; the critic's loss is the same for both.
        let alternative = FGANObjective(divergence: .kullbackLeibler)
        #expect(abs(alternative.generatorLoss(fake: v).item - (-0.5)) < 1e-6)
        let real = Tensor(shape: [2, 1], scalars: [1, 3])
        let (saddleCritic, alternativeCritic) = (
            saddle.discriminatorLoss(real: real, fake: v).item, alternative.discriminatorLoss(real: real, fake: v).item
        )
        #expect(saddleCritic == alternativeCritic)
        var configuration = GANTrainerTests.configuration(.fGAN(.kullbackLeibler))
        configuration.saddlePointGenerator = true
        #expect(configuration.problem() == nil)
        configuration.method = .leastSquares
        #expect(configuration.problem() != nil)
    }

    @Test func theCodeEntropiesSeparateConfidentEvenAssignmentsFromCollapsedOnes() {
        let k = 4
        let logK = Float(Foundation.log(Double(k)))
        // Uniform predictions: both entropies log K, the term (conditional − marginal) is 0.
        let uniform = InfoGANCodes.realCodeEntropies(logits: Tensor.zeros([8, k]))
        #expect(abs(uniform.conditional.item - logK) < 1e-5 && abs(uniform.marginal.item - logK) < 1e-5)
        // Confident and spread over all four values: conditional ≈ 0, marginal = log K (the term's minimum −log K).
        var scalars = [Float](repeating: -20, count: 8 * k)
        for row in 0..<8 { scalars[row * k + row % k] = 20 }
        let even = InfoGANCodes.realCodeEntropies(logits: Tensor(shape: [8, k], scalars: scalars))
        #expect(even.conditional.item < 1e-4 && abs(even.marginal.item - logK) < 1e-4)
        // Confident but all on one value (two code values sharing a cluster, the others empty): marginal ≈ 0.
        scalars = [Float](repeating: -20, count: 8 * k)
        for row in 0..<8 { scalars[row * k] = 20 }
        let collapsed = InfoGANCodes.realCodeEntropies(logits: Tensor(shape: [8, k], scalars: scalars))
        #expect(collapsed.conditional.item < 1e-4 && collapsed.marginal.item < 1e-3)
        var configuration = GANTrainerTests.configuration(.info)
        configuration.realCodeEntropyWeight = 1
        #expect(configuration.problem() == nil)
        let trainer = GANTrainer(configuration: configuration, data: ToyDistribution.ring8.sample(count: 64, seed: 1))
        let metrics = trainer.step()
        #expect(metrics["real_code_marginal_entropy"] != nil && metrics["real_code_conditional_entropy"] != nil)
        configuration.realCodeEntropyWeight = -1
        #expect(configuration.problem() != nil)
        configuration.realCodeEntropyWeight = 1
        configuration.method = .nonSaturating
        #expect(configuration.problem() != nil)
    }
}
