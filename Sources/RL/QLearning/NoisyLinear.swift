import Autodiff
import Foundation
import NeuralNet

/// The current noise of a ``NoisyLinear`` layer (a reference, so a layer value shares it with its copies).
public final class FactorizedNoise: @unchecked Sendable {
    /// ε for inputs, transformed by `f(x) = sign(x)·√|x|`.
    public var input: [Float]
    /// ε for outputs, transformed.
    public var output: [Float]
    /// Whether the noise is applied (false: the mean network, for evaluation).
    public var enabled = true

    init(inputSize: Int, outputSize: Int) {
        input = [Float](repeating: 0, count: inputSize)
        output = [Float](repeating: 0, count: outputSize)
    }
}

/// A linear layer with learned factorized Gaussian noise on its weights (Fortunato et al., "Noisy networks for
/// exploration", ICLR 2018): `y = x·(μ_W + σ_W ⊙ ε_W)ᵀ + μ_b + σ_b ⊙ ε_b`, `ε_W = f(ε_out) f(ε_in)ᵀ`,
/// `ε_b = f(ε_out)`, `f(x) = sign(x)√|x|`; μ ~ U(±1/√p), σ = σ₀/√p with σ₀ = 0.5.
public struct NoisyLinear: Module {
    public let weightMean: Parameter
    public let weightScale: Parameter
    public let biasMean: Parameter
    public let biasScale: Parameter
    /// The noise in use.
    public let noise: FactorizedNoise

    /// A layer of `inputSize → outputSize`.
    public init(inputSize: Int, outputSize: Int, sigma0: Float = 0.5, using generator: inout RandomGenerator) {
        let bound = 1 / Float(inputSize).squareRoot()
        weightMean = Parameter(Tensor.uniform([outputSize, inputSize], low: -bound, high: bound, using: &generator))
        weightScale = Parameter(Tensor.full([outputSize, inputSize], sigma0 * bound))
        biasMean = Parameter(Tensor.uniform([outputSize], low: -bound, high: bound, using: &generator))
        biasScale = Parameter(Tensor.full([outputSize], sigma0 * bound))
        noise = FactorizedNoise(inputSize: inputSize, outputSize: outputSize)
        resetNoise(using: &generator)
    }

    public var namedParameters: [(name: String, parameter: Parameter)] {
        [
            (name: "weight_mu", parameter: weightMean), (name: "weight_sigma", parameter: weightScale),
            (name: "bias_mu", parameter: biasMean), (name: "bias_sigma", parameter: biasScale),
        ]
    }

    /// Draws new ε.
    public func resetNoise(using generator: inout RandomGenerator) {
        func transformed(_ count: Int) -> [Float] {
            (0..<count).map { _ in
                let x = Float(generator.nextStandardNormal())
                return x < 0 ? -(-x).squareRoot() : x.squareRoot()
            }
        }
        noise.input = transformed(noise.input.count)
        noise.output = transformed(noise.output.count)
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        guard noise.enabled else {
            return Tensor.matmul(input, weightMean.value, transposeB: true) + biasMean.value
        }
        let outputs = noise.output.count
        let inputs = noise.input.count
        var outer = [Float](repeating: 0, count: outputs * inputs)
        for row in 0..<outputs {
            for column in 0..<inputs { outer[row * inputs + column] = noise.output[row] * noise.input[column] }
        }
        let weight = weightMean.value + weightScale.value * Tensor(shape: [outputs, inputs], scalars: outer)
        let bias = biasMean.value + biasScale.value * Tensor(noise.output)
        return Tensor.matmul(input, weight, transposeB: true) + bias
    }
}
