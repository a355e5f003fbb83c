import Autodiff
import Foundation
import MetaLearning
import NeuralNet
import Testing

/// Meta-SGD's learned inner rates in the softplus form α = softplus(ρ): positive whatever the meta-gradient does,
/// optionally clipped, the chain rule through the softplus, old unconstrained runs still loading, and five-step
/// meta-training on the sinusoid staying finite.
@Suite("Meta-SGD constrained rates")
struct MetaSGDRateTests {
    static func maml(
        sizes: [Int] = [1, 6, 1], alpha: Float = 0.01, maximum: Float? = nil, metaLearningRate: Float = 1e-3,
        innerSteps: Int = 1, form: InnerRateParameterization = .softplus
    ) -> MAML<FunctionalMLP> {
        var generator = RandomGenerator(seed: 7)
        return MAML(
            model: FunctionalMLP(sizes: sizes, using: &generator),
            configuration: MAMLConfiguration(
                innerSteps: innerSteps, innerLearningRate: alpha, learnsInnerRates: true,
                metaLearningRate: metaLearningRate, rateParameterization: form, maximumInnerRate: maximum))
    }

    @Test func ratesStartAtTheConfiguredAlphaAndAreStoredAsLogits() throws {
        let maml = Self.maml(alpha: 0.01)
        for rate in maml.learnedRates.flatMap(\.scalars) { #expect(abs(rate - 0.01) < 1e-6) }
        // ρ = softplus⁻¹(0.01) = log(e^0.01 − 1) ≈ −4.6.
        for raw in maml.innerRates.flatMap(\.value.scalars) { #expect(abs(raw - Foundation.log(expm1(0.01))) < 1e-4) }
        #expect(maml.namedParameters.contains { $0.name.hasPrefix("inner_rate_logits.") })
        #expect(!maml.namedParameters.contains { $0.name.hasPrefix("inner_rates.") })
        let unconstrained = Self.maml(form: .unconstrained)
        #expect(unconstrained.namedParameters.contains { $0.name.hasPrefix("inner_rates.") })
    }

    @Test func ratesStayPositiveWhateverTheTrainedValues() throws {
        let maml = Self.maml(metaLearningRate: 0.5)
        for rate in maml.innerRates { rate.update(Tensor.full(rate.shape, -60)) }
        #expect(maml.learnedRates.flatMap(\.scalars).allSatisfy { $0 > 0 })
        // Large meta-steps push the logits wherever the query loss wants; the rates stay positive.
        var generator = RandomGenerator(seed: 2)
        let tasks = SinusoidTasks(shots: 5, queryCount: 5)
        for rate in maml.innerRates { rate.update(Tensor.full(rate.shape, -2)) }
        let before = maml.innerRates.flatMap(\.value.scalars)
        for _ in 0..<20 { maml.metaStep((0..<3).map { _ in tasks.sampleEpisode(using: &generator) }) }
        #expect(maml.innerRates.flatMap(\.value.scalars) != before, "the logits must be trained")
        let summary = try #require(maml.innerRateSummary)
        #expect(summary.minimum > 0 && summary.negativeFraction == 0)
    }

    @Test func theMaximumClipsTheRates() throws {
        let maml = Self.maml(alpha: 0.01, maximum: 0.05)
        for rate in maml.innerRates { rate.update(Tensor.full(rate.shape, 30)) }
        let summary = try #require(maml.innerRateSummary)
        #expect(summary.maximum == 0.05 && summary.minimum == 0.05)
    }

    /// θ′ = θ − softplus(ρ) ⊙ g_s, so ∂L_q/∂ρ = −g_s ⊙ ∇L_q(θ′) ⊙ σ(ρ): the unconstrained gradient times σ(ρ).
    @Test func rateLogitGradientIsTheUnconstrainedGradientTimesTheSigmoid() {
        let support = LinearRegressionAlgebra(inputs: [[1, 2], [0.5, -1], [2, 0.5]], targets: [1, 0, 2])
        let query = LinearRegressionAlgebra(inputs: [[1, 1], [-1, 0.5]], targets: [0.5, -1])
        let alpha = 0.1
        let task = episode(support, query)
        let softplus = MAML(
            model: linearModel(weights: [0.3, -0.2], bias: 0.1),
            configuration: MAMLConfiguration(innerSteps: 1, innerLearningRate: Float(alpha), learnsInnerRates: true))
        let plain = MAML(
            model: linearModel(weights: [0.3, -0.2], bias: 0.1),
            configuration: MAMLConfiguration(
                innerSteps: 1, innerLearningRate: Float(alpha), learnsInnerRates: true,
                rateParameterization: .unconstrained))
        let (softLoss, softGrads) = softplus.metaGradient([task])
        let (plainLoss, plainGrads) = plain.metaGradient([task])
        #expect(abs(softLoss - plainLoss) < 1e-6)
        let rho = Double(InnerRateParameterization.softplus.raw(forRate: Float(alpha)))
        let sigma = 1 / (1 + Foundation.exp(-rho))
        let soft = softGrads[2].scalars + softGrads[3].scalars
        let reference = plainGrads[2].scalars + plainGrads[3].scalars
        #expect(reference.contains { abs($0) > 1e-3 }, "the check needs a non-zero rate gradient")
        for (s, r) in zip(soft, reference) { #expect(abs(Double(s) - Double(r) * sigma) < 1e-6) }
        // φ's meta-gradient is the same in both forms (the rates are equal).
        for i in 0..<2 {
            for (s, r) in zip(softGrads[i].scalars, plainGrads[i].scalars) { #expect(abs(s - r) < 1e-6) }
        }
    }

    @Test func aRunRecordedBeforeTheChoiceLoadsAsUnconstrained() throws {
        let fresh = MetaTrainingConfiguration(method: .metaSGD, hiddenSizes: [4])
        #expect(fresh.rateParameterization == .softplus)
        // The manifest of an earlier run has no `innerRateParameterization`.
        var json = try #require(
            try JSONSerialization.jsonObject(with: JSONEncoder().encode(fresh)) as? [String: Any])
        json.removeValue(forKey: "innerRateParameterization")
        let old = try JSONDecoder().decode(
            MetaTrainingConfiguration.self, from: JSONSerialization.data(withJSONObject: json))
        #expect(old.rateParameterization == .unconstrained)
        let run = MetaTraining(configuration: old)
        #expect(run.namedParameters.contains { $0.name.hasPrefix("inner_rates.") })
        #expect(MetaTrainingConfiguration(method: .metaSGD, maximumInnerRate: 0.001).problems.count == 1)
        #expect(
            MetaTrainingConfiguration(
                method: .metaSGD, innerRateParameterization: .unconstrained, maximumInnerRate: 1
            ).problems.count == 1)
    }

    @Test func unconstrainedRatesCarryOverWithNegativesRaisedToTheFloor() throws {
        let old = MetaTraining(
            configuration: MetaTrainingConfiguration(
                method: .metaSGD, hiddenSizes: [3], innerRateParameterization: .unconstrained))
        let rates = try #require(old.learnedInnerRates)
        var values = rates.map { Tensor.full($0.shape, 0.2) }
        values[0] = Tensor.full(values[0].shape, -0.3)
        let new = MetaTraining(configuration: MetaTrainingConfiguration(method: .metaSGD, hiddenSizes: [3]))
        let raised = try #require(new.setLearnedInnerRates(values, floor: 1e-4))
        #expect(raised == values[0].scalars.count)
        let carried = try #require(new.learnedInnerRates)
        #expect(carried[0].scalars.allSatisfy { abs($0 - 1e-4) < 1e-7 })
        #expect(carried[1...].flatMap(\.scalars).allSatisfy { abs($0 - 0.2) < 1e-6 })
    }

    /// The unstable case of the unconstrained form (five inner steps), shortened for a debug build: the meta-loss
    /// stays finite, no meta-batch is skipped, the rates stay positive, and five test-time steps do not diverge.
    @Test func fiveStepMetaTrainingOnTheSinusoidStaysFinite() throws {
        let configuration = MetaTrainingConfiguration(
            method: .metaSGD, shots: 5, queryCount: 5, hiddenSizes: [16], innerSteps: 5, innerLearningRate: 0.01,
            metaLearningRate: 0.01, metaBatchSize: 4, seed: 5)
        let run = MetaTraining(configuration: configuration)
        let tasks = SinusoidTasks(shots: 5, queryCount: 5)
        var losses: [Double] = []
        for _ in 0..<40 { losses.append(run.step(sampler: tasks)) }
        #expect(losses.allSatisfy { $0.isFinite })
        #expect(run.skippedMetaSteps == 0)
        let summary = try #require(run.innerRateSummary)
        #expect(summary.negativeFraction == 0 && summary.minimum > 0)
        #expect(summary.maximum != summary.minimum, "the rates must have been trained")
        let results = run.evaluate(sampler: tasks, episodeCount: 10, checkpoints: [0, 5], seed: 1)
        #expect(results.allSatisfy { $0.divergedEpisodes == 0 && $0.loss.mean.isFinite })
        let before = try #require(results.first?.loss.mean)
        let after = try #require(results.last?.loss.mean)
        #expect(after < before, "five adaptation steps must lower the query loss (\(before) → \(after))")
    }
}
