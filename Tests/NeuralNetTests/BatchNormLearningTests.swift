import NeuralNet
import Testing
import _MontagueTestSupport

/// Per-channel mean and population (or unbiased) variance of `[N, C, …]` tensors taken together, in `Double`.
private func fullDataStatistics(_ tensors: [Tensor], unbiased: Bool = false) -> (mean: [Float], variance: [Float]) {
    let channels = tensors[0].shape[1]
    var values = [[Double]](repeating: [], count: channels)
    for tensor in tensors {
        let inner = tensor.shape.dropFirst(2).reduce(1, *)
        for (index, value) in tensor.scalars.enumerated() { values[(index / inner) % channels].append(Double(value)) }
    }
    let means = values.map { $0.reduce(0, +) / Double($0.count) }
    let variances = zip(values, means).map { channel, mean in
        channel.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(channel.count - (unbiased ? 1 : 0))
    }
    return (means.map { Float($0) }, variances.map { Float($0) })
}

@Suite("BatchNorm: training vs inference, full-data recalibration (Ioffe & Szegedy 2015, Algorithm 2)")
struct BatchNormLearningTests {
    @Test func recalibrationEqualsTheFullDataStatistics() {
        var generator = RandomGenerator(seed: 1)
        // Unequal batches with a large offset: a naive average of batch statistics would be wrong on both counts.
        let batches = [5, 2, 9].map { Tensor.normal([$0, 3], mean: 4, standardDeviation: 2, using: &generator) }
        let norm = BatchNorm1d(featureCount: 3)
        norm.recalibrate(over: batches)
        let expected = fullDataStatistics(batches)
        expectClose(norm.runningMean.scalars, expected.mean, "mean")
        expectClose(norm.runningVariance.scalars, expected.variance, "population variance")
        norm.recalibrate(over: batches, unbiased: true)
        expectClose(norm.runningVariance.scalars, fullDataStatistics(batches, unbiased: true).variance, "unbiased")
        // Splitting the data differently gives the same statistics.
        let all = Tensor.concatenate(batches, axis: 0)
        norm.recalibrate(over: [all])
        expectClose(norm.runningMean.scalars, expected.mean, "one batch mean")
        expectClose(norm.runningVariance.scalars, expected.variance, "one batch variance")
        // With the population variance, inference on the full data is training-mode normalisation of it as a batch.
        norm.isTraining = false
        let inference = norm(all)
        norm.isTraining = true
        expectClose(inference.scalars, norm(all).scalars, tolerance: 1e-4, "inference vs full-batch training")
        // Spatial inputs: statistics over N, H and W per channel.
        let images = [Tensor.normal([2, 2, 3, 2], using: &generator), Tensor.normal([1, 2, 3, 2], using: &generator)]
        let norm2 = BatchNorm2d(featureCount: 2)
        norm2.recalibrate(over: images)
        let expectedImages = fullDataStatistics(images)
        expectClose(norm2.runningMean.scalars, expectedImages.mean, "2-D mean")
        expectClose(norm2.runningVariance.scalars, expectedImages.variance, "2-D variance")
    }

    @Test func modelRecalibrationGoesLayerByLayerWithTheFinalModel() {
        var generator = RandomGenerator(seed: 2)
        let first = BatchNorm1d(featureCount: 4)
        let second = BatchNorm1d(featureCount: 2)
        let front = Linear(inputSize: 3, outputSize: 4, using: &generator)
        let back = Linear(inputSize: 4, outputSize: 2, using: &generator)
        let model = Sequential([front, first, Tanh(), back, second])
        // Train a few steps on y = sum of x² so the running averages trail the final weights.
        let data = (0..<6).map { _ in Tensor.normal([8, 3], using: &generator) }
        let targets = data.map { ($0 * $0).sum(axis: 1, keepingDimensions: true).expanded(to: [8, 2]) }
        let optimizer = Adam(model.parameters, learningRate: 0.05)
        for _ in 0..<3 {
            for (x, y) in zip(data, targets) {
                optimizer.step(gradients(of: meanSquaredError(model(x), y), wrt: model.parameterValues))
            }
        }
        let trailingMean = first.runningMean.scalars
        var passes = 0
        BatchNorm.recalibrate([first, second]) {
            passes += 1
            for x in data { _ = model(x) }
        }
        #expect(passes == 2)
        #expect(first.isTraining && second.isTraining, "training flags restored")
        // The first layer's statistics are those of the front layer's outputs over all the data …
        let frontOutputs = data.map { front($0) }
        let firstExpected = fullDataStatistics(frontOutputs)
        expectClose(first.runningMean.scalars, firstExpected.mean, tolerance: 1e-4, "first mean")
        expectClose(first.runningVariance.scalars, firstExpected.variance, tolerance: 1e-4, "first variance")
        #expect(zip(trailingMean, firstExpected.mean).contains { abs($0 - $1) > 1e-2 }, "running averages trail")
        // … and the second layer's are of its inputs with the first layer already in inference mode.
        first.isTraining = false
        let secondInputs = data.map { back(first(front($0)).tanh()) }
        let secondExpected = fullDataStatistics(secondInputs)
        expectClose(second.runningMean.scalars, secondExpected.mean, tolerance: 1e-4, "second mean")
        expectClose(second.runningVariance.scalars, secondExpected.variance, tolerance: 1e-4, "second variance")
        // Hence in inference the model's outputs over the training data have mean β and variance γ² per channel.
        second.isTraining = false
        let outputs = fullDataStatistics(data.map { model($0) })
        let gamma = second.weight?.value.scalars ?? []
        expectClose(outputs.mean, second.bias?.value.scalars ?? [], tolerance: 1e-4, "output mean")
        expectClose(outputs.variance, gamma.map { $0 * $0 }, tolerance: 1e-3, "output variance")
    }

    @Test func trainingUsesTheBatchAndInferenceTheStoredStatistics() {
        var generator = RandomGenerator(seed: 3)
        let norm = BatchNorm1d(featureCount: 2)
        norm.weight?.update(Tensor([2, 0.5]))
        norm.bias?.update(Tensor([1, -1]))
        let example = Tensor([[0.3, -0.7]])
        let batchA = Tensor.concatenate([example, Tensor.normal([3, 2], using: &generator)], axis: 0)
        let batchB = Tensor.concatenate([example, Tensor.normal([3, 2], mean: 5, using: &generator)], axis: 0)
        // Training: the same example normalises differently in different batches, and the running statistics move.
        let inA = norm(batchA).slice(axis: 0, range: 0..<1)
        let afterA = norm.runningMean
        let inB = norm(batchB).slice(axis: 0, range: 0..<1)
        #expect(zip(inA.scalars, inB.scalars).contains { abs($0 - $1) > 0.1 })
        #expect(norm.runningMean != afterA)
        // The outputs of a training batch have exactly the batch mean β per channel, so the gradient of their sum
        // with respect to the input vanishes: the batch statistics are differentiated through.
        let leaf = batchA.requiringGradient()
        let trainingGradient = gradient(of: norm(leaf).sum(), wrt: leaf)
        #expect(trainingGradient.scalars.allSatisfy { abs($0) < 1e-4 })
        // Inference: the example's output does not depend on its batch, nothing moves, and the map is the affine
        // y = γ (x − μ) / √(σ² + ε) + β of the stored statistics.
        norm.isTraining = false
        let stored = (norm.runningMean, norm.runningVariance)
        let evalA = norm(batchA).slice(axis: 0, range: 0..<1)
        let evalB = norm(batchB).slice(axis: 0, range: 0..<1)
        #expect(evalA == evalB && evalA == norm(example))
        #expect(norm.runningMean == stored.0 && norm.runningVariance == stored.1)
        let (gamma, beta): ([Float], [Float]) = ([2, 0.5], [1, -1])
        let slopes: [Float] = (0..<2).map { c in gamma[c] / (stored.1.scalars[c] + 1e-5).squareRoot() }
        let expected: [Float] = (0..<2).map { c in
            slopes[c] * (example.scalars[c] - stored.0.scalars[c]) + beta[c]
        }
        expectClose(evalA.scalars, expected, "inference affine map")
        let inferenceGradient = gradient(of: norm(leaf).sum(), wrt: leaf)
        expectClose(inferenceGradient.scalars, (0..<8).map { slopes[$0 % 2] }, "inference gradient")
    }
}
