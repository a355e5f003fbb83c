import Foundation
import Testing
import _MontagueTestSupport

@testable import Autodiff

/// The vectorized Bernoulli log-likelihood against a scalar loop over the same formula.
@Suite("Neural ops: Bernoulli log-likelihood")
struct BernoulliLogLikelihoodTests {
    var generator = RandomGenerator(seed: 31)

    /// Row sums of `x·l − max(l, 0) − log(1 + e^−|l|)` added in order, and σ(l), one element at a time.
    static func scalarReference(logits: Tensor, targets: Tensor) -> (sums: [Float], logistic: [Float]) {
        let width = logits.shape[logits.rank - 1]
        let rows = logits.count / Swift.max(width, 1)
        let exponentials = Kernels.exp(logits.scalars.map { -Swift.abs($0) })
        var sums = [Float](repeating: 0, count: rows)
        var logistic = [Float](repeating: 0, count: logits.count)
        for row in 0..<rows {
            var total: Float = 0
            for j in (row * width)..<((row + 1) * width) {
                let (value, e) = (logits.scalars[j], exponentials[j])
                total += targets.scalars[j] * value - (Swift.max(value, 0) + Kernels.logOnePlusSeries(e))
                let reciprocal = 1 / (1 + e)
                logistic[j] = value >= 0 ? reciprocal : e * reciprocal
            }
            sums[row] = total
        }
        return (sums, logistic)
    }

    @Test(arguments: [[13, 64], [8, 5], [3, 2, 7], [7]])
    mutating func equalsTheScalarLoopBitForBit(shape: [Int]) {
        let logits = (Tensor.normal(shape, using: &generator) * 4).requiringGradient()
        let targets = Tensor.uniform(shape, using: &generator)
        let value = Tensor.bernoulliLogLikelihood(logits: logits, targets: targets)
        let reference = Self.scalarReference(logits: logits, targets: targets)
        #expect(value.shape == Array(shape.dropLast()))
        #expect(value.scalars == reference.sums)
        // ∂/∂l = g·(x − σ(l)) with the same σ.
        let seed = Tensor.normal(value.shape, using: &generator)
        let dl = gradients(of: value, wrt: [logits], seed: seed)[0]
        let width = shape[shape.count - 1]
        let expected = (0..<logits.count).map { j in
            seed.scalars[j / width] * (targets.scalars[j] - reference.logistic[j])
        }
        #expect(dl.scalars == expected)
    }

    @Test mutating func matchesBinaryCrossEntropyAndDifferentiatesTwice() {
        let logits = Tensor.normal([4, 6], using: &generator) * 3
        let targets = Tensor.uniform([4, 6], using: &generator)
        let value = Tensor.bernoulliLogLikelihood(logits: logits, targets: targets)
        let reference = -binaryCrossEntropyWithLogits(logits: logits, targets: targets, reduction: .none).sum(axis: -1)
        expectClose(value.scalars, reference.scalars, tolerance: 1e-5, "value")
        let first = checkGradients(at: [logits, targets]) {
            Tensor.bernoulliLogLikelihood(logits: $0[0], targets: $0[1])
        }
        #expect(first.passes(), "\(first)")
        let second = checkSecondOrderGradients(at: [logits * 0.5, targets]) {
            Tensor.bernoulliLogLikelihood(logits: $0[0], targets: $0[1])
        }
        #expect(second.passes(), "\(second)")
    }

    @Test func rowSumsAddInOrder() {
        // In order: 1e8 + 1 rounds to 1e8, minus 1e8 is 0, plus 0.5; any other grouping can round differently.
        let row: [Float] = [1e8, 1, -1e8, 0.5]
        let values = Array([[Float]](repeating: row, count: 11).joined())
        let sums = Kernels.rowSumsInOrder(values, rows: 11, width: 4)
        #expect(sums == [Float](repeating: ((1e8 + 1) - 1e8) + 0.5, count: 11))
    }
}
