import Foundation
import NeuralNet
import Testing

/// A small output layer: `hidden [N, D]`, `weight [V, D]`, `bias [V]`.
private struct OutputLayer {
    let hidden: Tensor
    let weight: Tensor
    let bias: Tensor
    let targets: [Int]

    static let small = OutputLayer(
        hidden: Tensor([[0.5, -1.0]]),
        weight: Tensor([[0.2, 0.1], [-0.4, 0.3], [1.0, -0.5], [0.3, 0.8]]),
        bias: Tensor([0.1, -0.2, 0.0, 0.3]),
        targets: [2])

    /// The scores `h·Wᵀ + b` of row 0.
    var scores: [Double] {
        (Tensor.matmul(hidden, weight, transposeB: true) + bias).scalars.prefix(weight.shape[0]).map(Double.init)
    }

    /// Full-softmax cross entropy and its gradients in (hidden, weight, bias).
    func full() -> (loss: Double, gradients: [Double]) {
        let leaves = [hidden, weight, bias].map { $0.requiringGradient() }
        let logits = Tensor.matmul(leaves[0], leaves[1], transposeB: true) + leaves[2]
        let loss = crossEntropy(logits: logits, targets: targets)
        return (Double(loss.item), gradients(of: loss, wrt: leaves).flatMap { $0.scalars.map(Double.init) })
    }

    /// The sampled loss with the given draws and its gradients in (hidden, weight, bias).
    func sampled(_ softmax: SampledSoftmax, samples: [Int]) -> (loss: Double, gradients: [Double]) {
        let leaves = [hidden, weight, bias].map { $0.requiringGradient() }
        let loss = softmax.loss(
            hidden: leaves[0], weight: leaves[1], bias: leaves[2], targets: targets, samples: samples)
        return (Double(loss.item), gradients(of: loss, wrt: leaves).flatMap { $0.scalars.map(Double.init) })
    }

    /// Exact expectations over all `V^K` draws, weighted by their probability `Π q(yⱼ)`: of `Ẑ = exp(L̃ + s_t)`,
    /// of the loss `L̃` and of its gradient.
    func exactExpectation(_ softmax: SampledSoftmax) -> (normalizer: Double, loss: Double, gradient: [Double]) {
        let classes = weight.shape[0]
        let draws = softmax.sampleCount
        var normalizer = 0.0
        var expectedLoss = 0.0
        var gradient: [Double] = []
        for code in 0..<Int(pow(Double(classes), Double(draws))) {
            var samples: [Int] = []
            var rest = code
            for _ in 0..<draws {
                samples.append(rest % classes)
                rest /= classes
            }
            let probability = samples.reduce(1.0) { $0 * softmax.proposal.probabilities[$1] }
            let (loss, grads) = sampled(softmax, samples: samples)
            normalizer += probability * Foundation.exp(loss + scores[targets[0]])
            expectedLoss += probability * loss
            if gradient.isEmpty { gradient = [Double](repeating: 0, count: grads.count) }
            for i in grads.indices { gradient[i] += probability * grads[i] }
        }
        return (normalizer, expectedLoss, gradient)
    }
}

private func distance(_ a: [Double], _ b: [Double]) -> Double {
    zip(a, b).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
}

@Suite("Sampled softmax: importance-sampled normalizer, gradient bias and consistency")
struct SampledSoftmaxTests {
    let proposal = SampledSoftmaxProposal(weights: [0.4, 0.3, 0.2, 0.1])

    @Test func proposalsAreNormalizedAndSampledWithTheirProbabilities() {
        let logUniform = SampledSoftmaxProposal.logUniform(vocabularySize: 50)
        #expect(abs(logUniform.probabilities.reduce(0, +) - 1) < 1e-12)
        #expect(zip(logUniform.probabilities, logUniform.probabilities.dropFirst()).allSatisfy { $0 > $1 })
        #expect(abs(logUniform.probabilities[0] - log(2.0) / log(51.0)) < 1e-12)
        let unigram = SampledSoftmaxProposal.unigram(counts: [16, 1, 0], exponent: 0.5, smoothing: 0)
        #expect(unigram.probabilities == [0.8, 0.2, 0])

        var generator = RandomGenerator(seed: 3)
        let draws = 20_000
        var counts = [Int](repeating: 0, count: 4)
        for sample in proposal.sample(count: draws, using: &generator) { counts[sample] += 1 }
        for (count, q) in zip(counts, proposal.probabilities) {
            let standardError = (q * (1 - q) / Double(draws)).squareRoot()
            #expect(abs(Double(count) / Double(draws) - q) < 4 * standardError)
        }
        #expect(unigram.sample(count: 1000, using: &generator).allSatisfy { $0 != 2 })  // q = 0 is never drawn
    }

    @Test func normalizerEstimateIsExactlyUnbiasedForEveryK() {
        let layer = OutputLayer.small
        let exactZ = layer.scores.reduce(0.0) { $0 + Foundation.exp($1) }
        let fullLoss = layer.full().loss
        var lossBiases: [Double] = []
        for k in 1...3 {
            let expectation = layer.exactExpectation(SampledSoftmax(proposal: proposal, sampleCount: k))
            #expect(abs(expectation.normalizer - exactZ) < 1e-5 * exactZ)
            lossBiases.append(expectation.loss - fullLoss)
        }
        // log Ẑ is biased downwards (Jensen: E[log Ẑ] ≤ log E[Ẑ] = log Z), less so as K grows.
        #expect(lossBiases.allSatisfy { $0 < 0 })
        #expect(zip(lossBiases, lossBiases.dropFirst()).allSatisfy { $0 < $1 })
    }

    @Test func gradientBiasShrinksAsTheSampleCountGrows() {
        let layer = OutputLayer.small
        let full = layer.full().gradients
        let biases = (1...4).map { k in
            distance(layer.exactExpectation(SampledSoftmax(proposal: proposal, sampleCount: k)).gradient, full)
        }
        #expect(biases[0] > 0.05)  // a real bias at K = 1: the self-normalized estimator is not unbiased
        #expect(zip(biases, biases.dropFirst()).allSatisfy { $0 > $1 })
        #expect(biases[3] < 0.5 * biases[0])
    }

    @Test func gradientIsUnbiasedWhenTheProposalIsTheModelDistribution() {
        let layer = OutputLayer.small
        let scores = layer.scores
        let total = scores.reduce(0.0) { $0 + Foundation.exp($1) }
        let modelProposal = SampledSoftmaxProposal(weights: scores.map { Foundation.exp($0) / total })
        let full = layer.full().gradients
        for k in 1...2 {
            let expectation = layer.exactExpectation(SampledSoftmax(proposal: modelProposal, sampleCount: k))
            #expect(distance(expectation.gradient, full) < 1e-5)
        }
    }

    @Test func monteCarloGradientMatchesTheFullGradientAtLargeK() {
        // V = 20, D = 3, two rows; K = 400 draws from the log-uniform proposal, averaged over 200 seeds.
        var generator = RandomGenerator(seed: 17)
        let layer = OutputLayer(
            hidden: Tensor.normal([2, 3], using: &generator),
            weight: Tensor.normal([20, 3], using: &generator),
            bias: Tensor.normal([20], using: &generator) * 0.5,
            targets: [3, 11])
        let softmax = SampledSoftmax(proposal: .logUniform(vocabularySize: 20), sampleCount: 400)
        let (fullLoss, fullGradient) = layer.full()
        let repetitions = 200
        var sum = [Double](repeating: 0, count: fullGradient.count)
        var sumOfSquares = sum
        var lossSum = 0.0
        var lossSquares = 0.0
        for _ in 0..<repetitions {
            let (loss, gradient) = layer.sampled(
                softmax, samples: softmax.proposal.sample(count: softmax.sampleCount, using: &generator))
            lossSum += loss
            lossSquares += loss * loss
            for i in gradient.indices {
                sum[i] += gradient[i]
                sumOfSquares[i] += gradient[i] * gradient[i]
            }
        }
        let count = Double(repetitions)
        for i in sum.indices {
            let mean = sum[i] / count
            let standardError = (max(sumOfSquares[i] / count - mean * mean, 0) / (count - 1)).squareRoot()
            // Monte Carlo error (5 standard errors) plus the O(1/K) bias of the self-normalized estimator.
            #expect(abs(mean - fullGradient[i]) <= 5 * standardError + 2e-3)
        }
        // The mean sampled loss matches the full loss within Monte Carlo error (its O(1/K) downward bias is
        // checked exactly in normalizerEstimateIsExactlyUnbiasedForEveryK).
        let meanLoss = lossSum / count
        let lossError = (max(lossSquares / count - meanLoss * meanLoss, 0) / (count - 1)).squareRoot()
        #expect(abs(meanLoss - fullLoss) < 5 * lossError + 5e-3)
    }

    @Test func sampledLossIsDifferentiableTwice() {
        let layer = OutputLayer.small
        let softmax = SampledSoftmax(proposal: proposal, sampleCount: 3)
        let samples = [0, 3, 3]
        let first = checkGradients(at: [layer.hidden, layer.weight, layer.bias]) { xs in
            softmax.loss(hidden: xs[0], weight: xs[1], bias: xs[2], targets: layer.targets, samples: samples)
        }
        #expect(first.passes(tolerance: 2e-3))
        let second = checkSecondOrderGradients(at: [layer.hidden, layer.weight]) { xs in
            softmax.loss(hidden: xs[0], weight: xs[1], bias: nil, targets: layer.targets, samples: samples)
        }
        #expect(second.passes(tolerance: 1e-2))
    }

    @Test func documentationExampleRuns() {
        var generator = RandomGenerator(seed: 0)
        let softmax = SampledSoftmax(proposal: .logUniform(vocabularySize: 10_000), sampleCount: 64)
        let hidden = Tensor.normal([8, 32], using: &generator)
        let weight = Tensor.normal([10_000, 32], using: &generator)
        let loss = softmax.loss(hidden: hidden, weight: weight, bias: nil, targets: Array(0..<8), using: &generator)
        #expect(loss.shape == [] && loss.item.isFinite)
    }
}
