import NeuralNet
import Testing

@Suite("Layers: Embedding, convolutions, pooling, dropout, BatchNorm, LayerNorm")
struct LayerTests {
    @Test func embeddingLooksUpRowsAndPaddingRowGetsNoGradient() {
        var generator = RandomGenerator(seed: 1)
        let embedding = Embedding(vocabularySize: 4, dimension: 3, paddingIndex: 0, using: &generator)
        #expect(embedding.namedParameters.map(\.name) == ["weight"])
        #expect(Array(embedding.weight.value.scalars[0..<3]) == [0, 0, 0])
        let tokens = IndexTensor(rows: [[2, 0], [1, 2]])
        let vectors = embedding(tokens)
        #expect(vectors.shape == [2, 2, 3])
        #expect(Array(vectors.scalars[0..<3]) == Array(embedding.weight.value.scalars[6..<9]))
        #expect(Array(vectors.scalars[3..<6]) == [0, 0, 0])
        let grad = gradients(of: (vectors * vectors).sum() + vectors.sum(), wrt: [embedding.weight.value])[0]
        #expect(Array(grad.scalars[0..<3]) == [0, 0, 0])  // the padding row
        #expect(Array(grad.scalars[9..<12]) == [0, 0, 0])  // token 3 is never used
        #expect(grad.scalars[3..<9].allSatisfy { $0 != 0 })
        let error = layerGradientError(inputs: [], parameters: embedding.parameters) { _ in embedding(tokens).tanh() }
        #expect(error < 1e-2)
    }

    @Test func convolutionLayersHaveShapesNamesAndGradients() {
        var generator = RandomGenerator(seed: 2)
        let conv1 = Conv1D(inChannels: 2, outChannels: 3, kernelSize: 2, padding: 1, using: &generator)
        #expect(conv1.namedParameters.map(\.name) == ["weight", "bias"])
        #expect(conv1.weight.shape == [3, 2, 2])
        let x1 = Tensor.normal([1, 2, 4], using: &generator)
        #expect(conv1(x1).shape == [1, 3, 5])
        #expect(layerGradientError(inputs: [x1], parameters: conv1.parameters) { conv1($0[0]) } < 1e-2)

        let conv2 = Conv2D(inChannels: 1, outChannels: 2, kernelSize: (2, 2), stride: (1, 2), using: &generator)
        #expect(conv2.weight.shape == [2, 1, 2, 2])
        let x2 = Tensor.normal([2, 1, 3, 4], using: &generator)
        #expect(conv2(x2).shape == [2, 2, 2, 2])
        #expect(layerGradientError(inputs: [x2], parameters: conv2.parameters) { conv2($0[0]) } < 1e-2)
    }

    @Test func poolingLayersMatchTheFunctions() {
        let x = Tensor(shape: [1, 1, 2, 4], scalars: [1, 5, 2, 0, 3, 4, 8, 6])
        #expect(MaxPool2D(kernelSize: (2, 2))(x) == Tensor(shape: [1, 1, 1, 2], scalars: [5, 8]))
        #expect(AvgPool2D(kernelSize: (2, 2))(x) == Tensor(shape: [1, 1, 1, 2], scalars: [3.25, 4]))
        let y = Tensor(shape: [1, 1, 4], scalars: [1, 5, 2, 0])
        #expect(MaxPool1D(kernelSize: 2)(y) == Tensor(shape: [1, 1, 2], scalars: [5, 2]))
        #expect(AvgPool1D(kernelSize: 2)(y) == Tensor(shape: [1, 1, 2], scalars: [3, 1]))
        #expect(MaxPool1D(kernelSize: 2).namedParameters.isEmpty)
        let z = Tensor(shape: [1, 1, 4], scalars: [0.3, -1.2, 0.9, 2.0])
        #expect(layerGradientError(inputs: [z], parameters: []) { AvgPool1D(kernelSize: 2, stride: 1)($0[0]) } < 1e-2)
        #expect(layerGradientError(inputs: [z], parameters: []) { MaxPool1D(kernelSize: 2)($0[0]) } < 1e-2)
    }

    @Test func dropoutTrainsWithMasksAndIsIdentityInInference() {
        let dropout = Dropout(probability: 0.5, seed: 4)
        let x = Tensor.ones([200])
        let y = dropout(x)
        #expect(y.scalars.allSatisfy { $0 == 0 || $0 == 2 })
        let kept = y.scalars.filter { $0 == 2 }.count
        #expect(kept > 70 && kept < 130)
        dropout.isTraining = false
        #expect(dropout(x) == x)
        dropout.isTraining = true
        var a = RandomGenerator(seed: 9)
        var b = RandomGenerator(seed: 9)
        #expect(dropout(x, using: &a) == dropout(x, using: &b))
        let z = Tensor([0.5, -1, 2, 0.25])
        let error = layerGradientError(inputs: [z], parameters: []) { xs in
            var generator = RandomGenerator(seed: 3)
            return dropout(xs[0], using: &generator)
        }
        #expect(error < 1e-2)
    }

    @Test func batchNormUsesBatchStatisticsInTrainingAndRunningStatisticsInInference() {
        let norm = BatchNorm1d(featureCount: 2)
        #expect(norm.namedParameters.map(\.name) == ["weight", "bias"])
        let x = Tensor([[1, 2], [3, 6], [5, 1]])
        let y = norm(x)
        // Channel 0: mean 3, biased variance 8/3, unbiased 4; channel 1: mean 3, biased 14/3, unbiased 7.
        let s0 = (Float(8) / 3 + 1e-5).squareRoot()
        let s1 = (Float(14) / 3 + 1e-5).squareRoot()
        let expected: [Float] = [-2 / s0, -1 / s1, 0, 3 / s1, 2 / s0, -2 / s1]
        for (a, b) in zip(y.scalars, expected) { #expect(abs(a - b) < 1e-5) }
        // running ← 0.9·running + 0.1·batch (unbiased variance), from mean 0 and variance 1.
        for (a, b) in zip(norm.runningMean.scalars, [Float(0.3), 0.3]) { #expect(abs(a - b) < 1e-6) }
        for (a, b) in zip(norm.runningVariance.scalars, [Float(1.3), 1.6]) { #expect(abs(a - b) < 1e-6) }
        norm.isTraining = false
        let z = norm(x)
        let expectedEval: [Float] = [1, 2, 3, 6, 5, 1].enumerated().map { i, v in
            (v - 0.3) / ((i % 2 == 0 ? Float(1.3) : 1.6) + 1e-5).squareRoot()
        }
        for (a, b) in zip(z.scalars, expectedEval) { #expect(abs(a - b) < 1e-5) }
        // Inference does not move the running statistics.
        _ = norm(x)
        for (a, b) in zip(norm.runningMean.scalars, [Float(0.3), 0.3]) { #expect(abs(a - b) < 1e-6) }
    }

    @Test func batchNormGradientsInBothModes() {
        var generator = RandomGenerator(seed: 5)
        let norm2 = BatchNorm2d(featureCount: 2)
        norm2.weight?.update(Tensor([1.5, -0.5]))
        norm2.bias?.update(Tensor([0.2, 0.1]))
        let x = Tensor.normal([2, 2, 2, 1], using: &generator)
        #expect(norm2(x).shape == [2, 2, 2, 1])
        #expect(layerGradientError(inputs: [x], parameters: norm2.parameters) { norm2($0[0]) } < 2e-2)
        norm2.isTraining = false
        #expect(layerGradientError(inputs: [x], parameters: norm2.parameters) { norm2($0[0]) } < 1e-2)
        let norm1 = BatchNorm1d(featureCount: 2, affine: false)
        #expect(norm1.namedParameters.isEmpty)
        let sequence = Tensor.normal([2, 2, 3], using: &generator)
        #expect(layerGradientError(inputs: [sequence], parameters: []) { norm1($0[0]) } < 2e-2)
    }

    @Test func layerNormNormalizesTrailingAxes() {
        let norm = LayerNorm([3])
        #expect(norm.namedParameters.map(\.name) == ["weight", "bias"])
        let x = Tensor([[1, 2, 3], [0, 0, 6]])
        let y = norm(x)
        let s = (Float(2) / 3 + 1e-5).squareRoot()
        for (a, b) in zip(Array(y.scalars[0..<3]), [-1 / s, 0, 1 / s]) { #expect(abs(a - b) < 1e-5) }
        let rows = y.mean(axis: 1)
        #expect(rows.scalars.allSatisfy { abs($0) < 1e-5 })
        norm.weight?.update(Tensor([1, 2, -1]))
        norm.bias?.update(Tensor([0.1, 0, 0.3]))
        var generator = RandomGenerator(seed: 6)
        let z = Tensor.normal([2, 3], using: &generator)
        #expect(layerGradientError(inputs: [z], parameters: norm.parameters) { norm($0[0]) } < 2e-2)
    }
}
