import Foundation
import NeuralNet
import Testing

private func pattern(_ shape: [Int], _ offset: Double) -> Tensor {
    let count = shape.reduce(1, *)
    return Tensor(shape: shape, scalars: (0..<count).map { Float(0.5 * sin(0.37 * Double($0) + offset)) })
}

/// Flattens `[B, …]` and applies a linear map: a minimal localisation network.
private struct FlattenLinear: Module {
    let linear: Linear
    var namedParameters: [(name: String, parameter: Parameter)] { prefixed("linear", linear) }
    func callAsFunction(_ input: Tensor) -> Tensor { linear(input.reshaped([input.shape[0], -1])) }
}

@Suite("Spatial transformer: affine grid and bilinear sampling")
struct SpatialTransformerTests {
    // Reference values from PyTorch 2.13.0 (CPU): x = pattern([1, 2, 3, 4], 0.1) (0.5·sin(0.37·i + 0.1), row-major),
    // theta = [[[0.9, 0.2, 0.1], [-0.15, 1.1, -0.2]]], F.affine_grid(theta, [1, 2, 2, 3], align_corners=False) and
    // F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False), printed with
    // `.flatten().tolist()`.
    @Test func gridAndSamplesMatchPyTorch() {
        let x = pattern([1, 2, 3, 4], 0.1)
        let theta = Tensor([[[0.9, 0.2, 0.1], [-0.15, 1.1, -0.2]]])
        let grid = SpatialSampling.affineGrid(theta: theta, height: 2, width: 3)
        let expectedGrid: [Float] = [
            -0.6000000238418579, -0.6499999761581421, 0.0, -0.75, 0.6000000238418579, -0.8500000238418579,
            -0.4000000059604645, 0.4500000476837158, 0.20000000298023224, 0.3500000238418579, 0.8000000715255737,
            0.2499999850988388,
        ]
        #expect(zip(grid.scalars, expectedGrid).allSatisfy { abs($0 - $1) < 1e-5 })
        let sampled = SpatialSampling.gridSample(x, grid: grid)
        #expect(sampled.shape == [1, 2, 2, 3])
        let expected: [Float] = [
            0.1125359982252121, 0.2619595527648926, 0.31839248538017273, 0.09547358006238937, 0.026559576392173767,
            -0.021793421357870102, -0.4814722239971161, -0.3989400863647461, -0.24184447526931763,
            0.3306366205215454, 0.3457452356815338, 0.3334832191467285,
        ]
        #expect(zip(sampled.scalars, expected).allSatisfy { abs($0 - $1) < 1e-5 })
    }

    @Test func identityReproducesAndTranslationShifts() {
        let x = pattern([1, 1, 2, 4], 0.3)
        let identity = Tensor([[[1, 0, 0], [0, 1, 0]]])
        let same = SpatialSampling.gridSample(x, grid: SpatialSampling.affineGrid(theta: identity, height: 2, width: 4))
        #expect(zip(same.scalars, x.scalars).allSatisfy { abs($0 - $1) < 1e-6 })
        // x_s = x_t + 0.5 reads one pixel (2/W = 0.5) to the right; the last column falls outside and reads 0.
        let shift = Tensor([[[1, 0, 0.5], [0, 1, 0]]])
        let moved = SpatialSampling.gridSample(x, grid: SpatialSampling.affineGrid(theta: shift, height: 2, width: 4))
        let s = x.scalars
        let expected: [Float] = [s[1], s[2], s[3], 0, s[5], s[6], s[7], 0]
        #expect(zip(moved.scalars, expected).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    @Test func transformerLayerPassesGradientChecks() {
        var generator = RandomGenerator(seed: 1)
        let localization = FlattenLinear(linear: Linear(inputSize: 6, outputSize: 6, using: &generator))
        // Start near the identity map plus a small non-integer offset, away from the kinks at pixel centres.
        localization.linear.weight.update(Tensor.normal([6, 6], standardDeviation: 0.05, using: &generator))
        localization.linear.bias?.update(Tensor([0.9, 0.1, 0.13, -0.05, 1.05, -0.11]))
        let transformer = SpatialTransformer(localization: localization, outputHeight: 2, outputWidth: 2)
        #expect(transformer.namedParameters.map(\.name) == ["localization.linear.weight", "localization.linear.bias"])
        let x = pattern([1, 1, 2, 3], 0.7)
        #expect(transformer(x).shape == [1, 1, 2, 2])
        let error = layerGradientError(inputs: [x], parameters: transformer.parameters, epsilon: 1e-3) { t in
            transformer(t[0])
        }
        #expect(error < 2e-2)
    }

    @Test func learnsAKnownTranslation() {
        // A Gaussian blob; the target is the blob translated by (0.3, −0.2) in normalised units. A learned
        // translation t (θ = [I | t]) starting at 0 must recover it from the sampling loss alone.
        let blob = (0..<36).map { k -> Float in
            let (i, j) = (Float(k / 6) - 2.5, Float(k % 6) - 2.5)
            return Float(exp(Double(-(i * i + j * j) / 4)))
        }
        let image = Tensor(shape: [1, 1, 6, 6], scalars: blob)
        func sample(_ translation: Tensor) -> Tensor {
            let theta = Tensor([[[1, 0, 0], [0, 1, 0]]]) + translation.reshaped([1, 2, 1]) * Tensor([[[0, 0, 1]]])
            return SpatialSampling.gridSample(
                image, grid: SpatialSampling.affineGrid(theta: theta, height: 6, width: 6))
        }
        let target = sample(Tensor([0.3, -0.2]))
        let translation = Parameter(Tensor.zeros([2]))
        let optimizer = Adam([translation], learningRate: 0.02)
        func loss() -> Tensor { meanSquaredError(sample(translation.value), target) }
        let initial = loss().item
        for _ in 0..<150 { optimizer.step(gradients(of: loss(), wrt: [translation.value])) }
        let t = translation.value.scalars
        #expect(loss().item < initial / 100, "loss \(initial) → \(loss().item), t \(t)")
        #expect(abs(t[0] - 0.3) < 0.02 && abs(t[1] + 0.2) < 0.02, "t \(t)")
    }
}
