import Foundation
import Testing

@testable import Autodiff

/// Dropout, Gumbel-softmax and categorical sampling: statistical checks with fixed seeds and stated tolerances.
@Suite("Neural ops: dropout, Gumbel-softmax, categorical sampling")
struct StochasticOpsTests {
    @Test func dropoutPreservesTheMeanInTrainingAndIsIdentityInEvaluation() {
        var generator = RandomGenerator(seed: 17)
        let x = Tensor.full([20_000], 2)
        let dropped = x.dropout(probability: 0.3, training: true, using: &generator)
        let zeroFraction = Float(dropped.scalars.filter { $0 == 0 }.count) / Float(x.count)
        // Binomial standard deviation of the zero fraction: √(0.3·0.7 / 20000) ≈ 0.0032; tolerance ≈ 5σ.
        #expect(abs(zeroFraction - 0.3) < 0.016)
        #expect(dropped.scalars.allSatisfy { $0 == 0 || abs($0 - 2 / 0.7) < 1e-5 })
        // Mean 2, standard deviation of the mean 2·√(0.3/0.7/20000) ≈ 0.0093; tolerance ≈ 5σ.
        #expect(abs(dropped.mean().item - 2) < 0.05)

        let before = generator
        let evaluation = x.dropout(probability: 0.3, training: false, using: &generator)
        #expect(evaluation == x)
        #expect(generator == before, "evaluation mode draws nothing")
        #expect(x.dropout(probability: 1, training: true, using: &generator).scalars.allSatisfy { $0 == 0 })

        // The gradient is the same mask: zero where dropped, 1/(1 − p) where kept.
        let leaf = Tensor.normal([50], using: &generator).requiringGradient()
        let output = leaf.dropout(probability: 0.5, training: true, using: &generator)
        let g = gradient(of: output.sum(), wrt: leaf)
        for (value, slope) in zip(output.scalars, g.scalars) {
            #expect(value == 0 ? slope == 0 : slope == 2)
        }
        let check = checkSecondOrderGradients(at: [Tensor.normal([3, 4], using: &generator)]) { x in
            var fixed = RandomGenerator(seed: 3)
            let y = x[0].dropout(probability: 0.4, training: true, using: &fixed)
            return y * y
        }
        #expect(check.passes(), "\(check)")
    }

    @Test func gumbelSoftmaxSoftSamplesAreDistributions() {
        var generator = RandomGenerator(seed: 4)
        let logits = Tensor.normal([5, 4], using: &generator)
        let soft = gumbelSoftmax(logits: logits, temperature: 0.7, using: &generator)
        #expect(soft.shape == [5, 4])
        #expect(soft.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
        for row in 0..<5 {
            #expect(abs((0..<4).reduce(Float(0)) { $0 + soft[row, $1] } - 1) < 1e-5)
        }
        // Along another axis.
        let columns = gumbelSoftmax(logits: logits, axis: 0, using: &generator)
        for column in 0..<4 {
            #expect(abs((0..<5).reduce(Float(0)) { $0 + columns[$1, column] } - 1) < 1e-5)
        }
    }

    @Test func gumbelSoftmaxHardIsOneHotWithTheSoftGradient() {
        let logits = Tensor([[0.5, -1, 2, 0.1], [1, 1, -0.5, 0.3], [-2, 0, 0.2, 0.4]])
        let weights = Tensor.linspace(-1, 2, count: 12).reshaped([3, 4])
        var hardGenerator = RandomGenerator(seed: 8)
        var softGenerator = RandomGenerator(seed: 8)
        let hardLeaf = logits.requiringGradient()
        let softLeaf = logits.requiringGradient()
        let hard = gumbelSoftmax(logits: hardLeaf, temperature: 0.5, hard: true, using: &hardGenerator)
        let soft = gumbelSoftmax(logits: softLeaf, temperature: 0.5, using: &softGenerator)
        for row in 0..<3 {
            let values = (0..<4).map { hard[row, $0] }
            #expect(values.filter { $0 == 1 }.count == 1 && values.filter { $0 == 0 }.count == 3, "\(values)")
            // The one is where the soft sample (same noise) is largest.
            let softRow = (0..<4).map { soft[row, $0] }
            #expect(values.firstIndex(of: 1) == softRow.firstIndex(of: softRow.max() ?? 0))
        }
        // Straight-through: the gradient through the hard sample equals the gradient through the soft sample.
        let hardGradient = gradient(of: (hard * weights).sum(), wrt: hardLeaf)
        let softGradient = gradient(of: (soft * weights).sum(), wrt: softLeaf)
        #expect(hardGradient.scalars.contains { $0 != 0 })
        #expect(NeuralOpsReference.close(hardGradient.scalars, softGradient.scalars, tolerance: 1e-6))
        // And it differentiates twice like the soft sample.
        let check = checkSecondOrderGradients(at: [logits]) { x in
            var generator = RandomGenerator(seed: 8)
            return gumbelSoftmax(logits: x[0], temperature: 2, hard: true, using: &generator)
        }
        #expect(check.analytic[0].scalars.contains { $0 != 0 })
        let softCheck = checkSecondOrderGradients(at: [logits]) { x in
            var generator = RandomGenerator(seed: 8)
            return gumbelSoftmax(logits: x[0], temperature: 2, using: &generator)
        }
        #expect(NeuralOpsReference.close(check.analytic[0].scalars, softCheck.analytic[0].scalars, tolerance: 1e-5))
        #expect(softCheck.passes(), "\(softCheck)")
        let softFirst = checkGradients(at: [logits]) { x in
            var generator = RandomGenerator(seed: 8)
            return gumbelSoftmax(logits: x[0], temperature: 0.8, axis: 0, using: &generator)
        }
        #expect(softFirst.passes(), "\(softFirst)")
    }

    @Test func gumbelMaxFrequenciesFollowTheSoftmax() {
        // argmax of the Gumbel-perturbed logits is a sample of softmax(logits) (the Gumbel-max trick).
        var generator = RandomGenerator(seed: 12)
        let rows = 4000
        let base: [Float] = [1, 0, -0.5, 0.5]
        let logits = Tensor(shape: [rows, 4], scalars: (0..<rows).flatMap { _ in base })
        let samples = gumbelSoftmax(logits: logits, temperature: 1, hard: true, using: &generator)
        let frequencies = samples.mean(axis: 0).scalars
        let probabilities = Tensor(base).softmax().scalars
        // Standard deviation of a frequency ≤ √(0.25 / 4000) ≈ 0.008; tolerance ≈ 4σ.
        #expect(NeuralOpsReference.close(frequencies, probabilities, tolerance: 0.03), "\(frequencies)")
    }

    @Test func categoricalSampleFrequenciesMatchSoftmaxProbabilities() {
        var generator = RandomGenerator(seed: 2024)
        let rows = 20_000
        let base: [Float] = [2, 0.5, -1, 0, 1]
        let logits = Tensor(shape: [rows, 5], scalars: (0..<rows).flatMap { _ in base })
        for temperature: Float in [1, 2.5] {
            let samples = sampleCategorical(logits: logits, temperature: temperature, using: &generator)
            #expect(samples.count == rows)
            var counts = [Float](repeating: 0, count: 5)
            for sample in samples { counts[sample] += 1 }
            let frequencies = counts.map { $0 / Float(rows) }
            let probabilities = (Tensor(base) / temperature).softmax().scalars
            // Standard deviation of a frequency ≤ √(0.25 / 20000) ≈ 0.0035; tolerance ≈ 4σ.
            #expect(
                NeuralOpsReference.close(frequencies, probabilities, tolerance: 0.015),
                "temperature \(temperature): \(frequencies) vs \(probabilities)")
        }
        // Huge logits are safe, and a class with all the mass is always drawn.
        let peaked = Tensor([[1000, -1000, 0], [-5000, -5000, 5000]])
        #expect(sampleCategorical(logits: peaked, using: &generator) == [0, 2])
        // Same seed, same samples.
        var first = RandomGenerator(seed: 9)
        var second = RandomGenerator(seed: 9)
        let small = Tensor([[0.1, 0.2, 0.3], [1, -1, 0]])
        #expect(sampleCategorical(logits: small, using: &first) == sampleCategorical(logits: small, using: &second))
    }

    @Test func logProbabilityIsTheSelectedLogSoftmaxAndDifferentiates() {
        var generator = RandomGenerator(seed: 31)
        let logits = Tensor.normal([4, 3], using: &generator)
        let samples = [2, 0, 1, 1]
        let logProbabilities = logProbability(of: samples, logits: logits)
        #expect(logProbabilities.shape == [4])
        let reference = logits.logSoftmax()
        for (row, sample) in samples.enumerated() {
            #expect(abs(logProbabilities[row] - reference[row, sample]) < 1e-6)
        }
        let first = checkGradients(at: [logits]) { logProbability(of: samples, logits: $0[0]) }
        #expect(first.passes(), "\(first)")
        let second = checkSecondOrderGradients(at: [logits]) { logProbability(of: samples, logits: $0[0]) }
        #expect(second.passes(), "\(second)")
        // REINFORCE direction: ∇ log p(a) = onehot(a) − softmax.
        let leaf = logits.requiringGradient()
        let g = gradient(of: logProbability(of: samples, logits: leaf).sum(), wrt: leaf)
        let probabilities = logits.softmax()
        for (row, sample) in samples.enumerated() {
            for column in 0..<3 {
                let expected = (column == sample ? 1 : 0) - probabilities[row, column]
                #expect(abs(g[row, column] - expected) < 1e-6)
            }
        }
    }
}
