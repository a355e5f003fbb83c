import Foundation
import Testing

@testable import Autodiff

/// Softmax, log-softmax and the losses. Expected values from PyTorch 2.13.0 (see `NeuralOpsReference`).
@Suite("Neural ops: softmax and losses")
struct SoftmaxLossTests {
    var generator = RandomGenerator(seed: 21)

    /// `round(2·sin(0.7·i + 0.3), 2)` for `i` in `0..<12`, as `[3, 4]`.
    let logits = Tensor(
        shape: [3, 4],
        scalars: [0.59, 1.68, 1.98, 1.35, 0.08, -1.22, -1.96, -1.77, -0.75, 0.62, 1.7, 1.98])

    @Test func softmaxAndLogSoftmaxMatchPyTorch() {
        // torch.softmax(x, -1)
        let expected: [Float] = [
            0.098742, 0.293686, 0.396434, 0.211138, 0.641109, 0.174723, 0.0833625, 0.100806,
            0.0313907, 0.123533, 0.363766, 0.48131,
        ]
        #expect(NeuralOpsReference.close(logits.softmax().scalars, expected, tolerance: 1e-5))
        // torch.log_softmax(x, 0)
        let expectedLog: [Float] = [
            -0.621834, -0.337528, -0.573931, -1.07219, -1.13183, -3.23753, -4.51393, -4.19219,
            -1.96183, -1.39753, -0.853931, -0.442189,
        ]
        #expect(NeuralOpsReference.close(logits.logSoftmax(axis: 0).scalars, expectedLog, tolerance: 1e-5))
        #expect(NeuralOpsReference.close(logits.softmax(axis: 0).log().scalars, expectedLog, tolerance: 1e-5))
    }

    @Test func softmaxIsStableForLargeLogits() {
        let large = Tensor([[1000, 1001, 999], [-1000, -1000, -1000]])
        let probabilities = large.softmax()
        #expect(probabilities.scalars.allSatisfy { $0.isFinite })
        let e = [Float(exp(-1.0)), 1, Float(exp(-2.0))]
        let total = e.reduce(0, +)
        #expect(NeuralOpsReference.close(Array(probabilities.scalars.prefix(3)), e.map { $0 / total }, tolerance: 1e-6))
        let third: Float = 1.0 / 3
        let uniformRow = Array(probabilities.scalars.suffix(3))
        #expect(NeuralOpsReference.close(uniformRow, [third, third, third], tolerance: 1e-6))
        let logProbabilities = large.logSoftmax()
        #expect(abs(logProbabilities[0, 1] - (-Foundation.log(total))) < 1e-5)
    }

    @Test mutating func softmaxGradientsFirstAndSecondOrder() {
        let x = Tensor.normal([2, 3, 4], using: &generator)
        for axis in [-1, 1, 0] {
            let first = checkGradients(at: [x]) { $0[0].softmax(axis: axis) }
            #expect(first.passes(), "softmax axis \(axis): \(first)")
            let second = checkSecondOrderGradients(at: [x]) { $0[0].softmax(axis: axis) }
            #expect(second.passes(), "softmax second order axis \(axis): \(second)")
            let firstLog = checkGradients(at: [x]) { $0[0].logSoftmax(axis: axis) }
            #expect(firstLog.passes(), "logSoftmax axis \(axis): \(firstLog)")
            let secondLog = checkSecondOrderGradients(at: [x]) { $0[0].logSoftmax(axis: axis) }
            #expect(secondLog.passes(), "logSoftmax second order axis \(axis): \(secondLog)")
        }
    }

    @Test func crossEntropyMatchesPyTorchWithIgnoreIndexAndLabelSmoothing() {
        let targets = [1, -100, 3]
        // F.cross_entropy(x, t, ignore_index=-100, label_smoothing=0.1, reduction=…)
        let mean = crossEntropy(logits: logits, targets: targets, ignoreIndex: -100, labelSmoothing: 0.1)
        #expect(abs(mean.item - 1.04687) < 1e-4)
        let sum = crossEntropy(
            logits: logits, targets: targets, ignoreIndex: -100, labelSmoothing: 0.1,
            reduction: .sum)
        #expect(abs(sum.item - 2.09374) < 1e-4)
        let none = crossEntropy(
            logits: logits, targets: targets, ignoreIndex: -100, labelSmoothing: 0.1,
            reduction: .none)
        #expect(none.shape == [3])
        #expect(NeuralOpsReference.close(none.scalars, [1.25324, 0, 0.840494]))
        // F.cross_entropy(x, [1, 0, 3])
        #expect(abs(crossEntropy(logits: logits, targets: [1, 0, 3]).item - 0.800348) < 1e-4)
        // A single [C] row with the same target gives the same per-row loss, as a scalar.
        let row = Tensor(Array(logits.scalars.prefix(4)))
        let single = crossEntropy(logits: row, targets: [1], labelSmoothing: 0.1, reduction: .none)
        #expect(single.shape == [])
        #expect(abs(single.item - 1.25324) < 1e-4)
    }

    @Test func crossEntropyOverExtraAxesMatchesPyTorch() {
        // x3 = round(1.5·sin(0.7i + 0.3) + 0.1, 2) reshaped [2, 3, 2]; t3 = [[2, 0], [-1, 1]]
        let x3 = Tensor(
            shape: [2, 3, 2],
            scalars: [0.54, 1.36, 1.59, 1.11, 0.16, -0.82, -1.37, -1.23, -0.46, 0.57, 1.38, 1.58])
        let targets = [2, 0, -1, 1]
        // F.cross_entropy(x3, t3, ignore_index=-1, label_smoothing=0.2, reduction=…)
        let none = crossEntropy(logits: x3, targets: targets, ignoreIndex: -1, labelSmoothing: 0.2, reduction: .none)
        #expect(none.shape == [2, 2])
        #expect(NeuralOpsReference.close(none.scalars, [1.77259, 0.799551, 0, 1.41643]))
        let mean = crossEntropy(logits: x3, targets: targets, ignoreIndex: -1, labelSmoothing: 0.2)
        #expect(abs(mean.item - 1.32953) < 1e-4)
    }

    @Test mutating func crossEntropyGradientsFirstAndSecondOrder() {
        let x = Tensor.normal([3, 4], using: &generator)
        let cases: [([Tensor]) -> Tensor] = [
            { crossEntropy(logits: $0[0], targets: [2, 0, 3]) },
            { crossEntropy(logits: $0[0], targets: [2, -1, 3], ignoreIndex: -1, labelSmoothing: 0.15) },
            { crossEntropy(logits: $0[0], targets: [1, 1, 0], labelSmoothing: 0.3, reduction: .none) },
        ]
        for (index, function) in cases.enumerated() {
            let first = checkGradients(at: [x], function)
            #expect(first.passes(), "case \(index): \(first)")
            let second = checkSecondOrderGradients(at: [x], function)
            #expect(second.passes(), "second order, case \(index): \(second)")
        }
        let x3 = Tensor.normal([2, 3, 2], using: &generator)
        let spatial = checkSecondOrderGradients(at: [x3]) {
            crossEntropy(logits: $0[0], targets: [2, 0, 1, 1], labelSmoothing: 0.1, reduction: .sum)
        }
        #expect(spatial.passes(), "\(spatial)")
        // Without smoothing the gradient of the mean loss is (softmax − onehot) / N.
        let leaf = x.requiringGradient()
        let g = gradient(of: crossEntropy(logits: leaf, targets: [2, 0, 3]), wrt: leaf)
        let p = x.softmax()
        #expect(abs(g[0, 2] - (p[0, 2] - 1) / 3) < 1e-6)
        #expect(abs(g[1, 1] - p[1, 1] / 3) < 1e-6)
    }

    @Test mutating func binaryCrossEntropyWithLogitsIsStableAndMatchesPyTorch() {
        let x = Tensor([-30, -2.5, -0.3, 0, 0.7, 3, 40])
        let t = Tensor([0, 1, 0.2, 0.5, 1, 0, 1])
        // F.binary_cross_entropy_with_logits(x, t, reduction="none") and the mean
        let none = binaryCrossEntropyWithLogits(logits: x, targets: t, reduction: .none)
        #expect(NeuralOpsReference.close(none.scalars, [0, 2.57889, 0.614355, 0.693147, 0.403186, 3.04859, 0]))
        #expect(abs(binaryCrossEntropyWithLogits(logits: x, targets: t).item - 1.04831) < 1e-4)
        // Extreme logits stay finite, and so do their gradients (σ(x) − t).
        let extreme = Tensor([-200, 200]).requiringGradient()
        let loss = binaryCrossEntropyWithLogits(logits: extreme, targets: Tensor([1, 0]), reduction: .sum)
        #expect(abs(loss.item - 400) < 1e-3)
        #expect(gradient(of: loss, wrt: extreme).scalars == [-1, 1])

        let logits = Tensor.normal([2, 3], using: &generator) * 2
        let targets = Tensor.uniform([2, 3], using: &generator)
        let first = checkGradients(at: [logits, targets]) {
            binaryCrossEntropyWithLogits(logits: $0[0], targets: $0[1], reduction: .none)
        }
        #expect(first.passes(), "\(first)")
        let second = checkSecondOrderGradients(at: [logits, targets]) {
            binaryCrossEntropyWithLogits(logits: $0[0], targets: $0[1])
        }
        #expect(second.passes(), "\(second)")
    }

    @Test mutating func regressionLosses() {
        let prediction = Tensor([[1, 2], [3, 4]])
        let target = Tensor([[1.5, 2], [1, 5]])
        let expectedMSE: Float = (0.25 + 4 + 1) / 4
        #expect(meanSquaredError(prediction, target).item == expectedMSE)
        #expect(meanSquaredError(prediction, target, reduction: .sum).item == 5.25)
        let expectedL1: Float = (0.5 + 2 + 1) / 4
        #expect(l1Loss(prediction, target).item == expectedL1)
        #expect(l1Loss(prediction, target, reduction: .none).scalars == [0.5, 0, 2, 1])

        let a = Tensor.normal([2, 3], using: &generator)
        let b = a + Tensor.uniform([2, 3], low: 0.2, high: 1, using: &generator)  // |a − b| ≥ 0.2, away from the kink
        for reduction in [LossReduction.mean, .sum, .none] {
            let mse = checkSecondOrderGradients(at: [a, b]) { meanSquaredError($0[0], $0[1], reduction: reduction) }
            #expect(mse.passes(), "mse \(reduction): \(mse)")
            let l1 = checkGradients(at: [a, b]) { l1Loss($0[0], $0[1], reduction: reduction) }
            #expect(l1.passes(), "l1 \(reduction): \(l1)")
        }
        let l1Squared = checkSecondOrderGradients(at: [a, b]) { l1Loss($0[0], $0[1], reduction: .none) * $0[0] }
        #expect(l1Squared.passes(), "\(l1Squared)")
    }

    @Test mutating func klDivergenceOfDiagonalGaussiansMatchesPyTorch() {
        let mean1 = Tensor(shape: [2, 3], scalars: [0.3, 0.84, 0.99, 0.68, 0.04, -0.61])
        let logVariance1 = Tensor(shape: [2, 3], scalars: [-0.51, -0.18, 0.14, 0.3, 0.22, -0.05])
        let mean2 = Tensor([0.3, -0.1, 0.2])
        let logVariance2 = Tensor([0.1, -0.4, 0.5])
        // torch.distributions.kl_divergence(Normal(m1, exp(lv1/2)), Normal(m2, exp(lv2/2))).sum(-1)
        let perSample = klDivergenceDiagonalGaussians(
            mean1: mean1, logVariance1: logVariance1, mean2: mean2,
            logVariance2: logVariance2, reduction: .none)
        #expect(perSample.shape == [2])
        #expect(NeuralOpsReference.close(perSample.scalars, [0.966908, 0.472562]))
        let batchMean = klDivergenceDiagonalGaussians(
            mean1: mean1, logVariance1: logVariance1, mean2: mean2,
            logVariance2: logVariance2)
        #expect(abs(batchMean.item - (0.966908 + 0.472562) / 2) < 1e-4)
        // Against N(0, I): kl_divergence(Normal(m1, exp(lv1/2)), Normal(0, 1)).sum(-1)
        let standard = klDivergenceFromStandardNormal(mean: mean1, logVariance: logVariance1, reduction: .none)
        #expect(NeuralOpsReference.close(standard.scalars, [0.95587, 0.456632]))
        let viaGeneral = klDivergenceDiagonalGaussians(
            mean1: mean1, logVariance1: logVariance1,
            mean2: Tensor.zeros([3]), logVariance2: Tensor.zeros([3]),
            reduction: .sum)
        #expect(
            abs(
                klDivergenceFromStandardNormal(mean: mean1, logVariance: logVariance1, reduction: .sum).item
                    - viaGeneral.item) < 1e-5)

        let inputs = [
            mean1, logVariance1, Tensor.normal([2, 3], using: &generator) * 0.5,
            Tensor.normal([3], using: &generator) * 0.5,
        ]
        let general = checkSecondOrderGradients(at: inputs) {
            klDivergenceDiagonalGaussians(mean1: $0[0], logVariance1: $0[1], mean2: $0[2], logVariance2: $0[3])
        }
        #expect(general.passes(), "\(general)")
        let vae = checkGradients(at: [mean1, logVariance1]) {
            klDivergenceFromStandardNormal(mean: $0[0], logVariance: $0[1], reduction: .none)
        }
        #expect(vae.passes(), "\(vae)")
    }
}
