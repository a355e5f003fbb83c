import Autodiff
import NeuralNet

/// A batch-normalized MLP step (the generator shape of a GAN with batch norm, as in PacGAN's and DCGAN's
/// generators): `Linear(64, 512) → BatchNorm1d → ReLU → Linear(512, 512) → BatchNorm1d → ReLU → Linear(512, 64)`,
/// batch 256, mean squared error to fixed targets, Adam (lr 1e-3). Variant `montague` uses the ``BatchNorm1d``
/// layer (one fused op); variant `composed` normalizes with the broadcasting element-wise ops the layer used before
/// (mean, subtraction, square, mean, square root, division, scale, shift), the same parameters and data, so the two
/// rows measure what the fusion is worth.
enum BatchNormBenchmarks {
    static let caseName = "batchnorm mlp 64-512-512-64 b256 adam"

    static var entries: [BenchmarkEntry] { [BenchmarkEntry(name: caseName, make: step)] }

    static func step() -> BenchmarkCase? {
        var generator = RandomGenerator(seed: 0)
        let (batch, width) = (256, 512)
        let layers = [
            Linear(inputSize: 64, outputSize: width, using: &generator),
            Linear(inputSize: width, outputSize: width, using: &generator),
            Linear(inputSize: width, outputSize: 64, using: &generator),
        ]
        let norms = [BatchNorm1d(featureCount: width), BatchNorm1d(featureCount: width)]
        let parameters = layers.flatMap(\.parameters) + norms.flatMap(\.parameters)
        let optimizer = Adam(parameters, learningRate: 1e-3)
        let inputs = Tensor.normal([batch, 64], using: &generator)
        let targets = Tensor.normal([batch, 64], using: &generator)
        func composed(_ x: Tensor, _ norm: BatchNorm1d) -> Tensor {
            let mean = x.mean(alongAxes: [0], keepingDimensions: true)
            let centered = x - mean
            let variance = (centered * centered).mean(alongAxes: [0], keepingDimensions: true)
            let normalized = centered / (variance + norm.epsilon).sqrt()
            guard let weight = norm.weight, let bias = norm.bias else { return normalized }
            return normalized * weight.value.reshaped([1, width]) + bias.value.reshaped([1, width])
        }
        func train(_ normalize: @escaping (Tensor, BatchNorm1d) -> Tensor) -> () -> Void {
            {
                let grads: [Tensor] = {
                    let hidden1 = normalize(layers[0](inputs), norms[0]).relu()
                    let hidden2 = normalize(layers[1](hidden1), norms[1]).relu()
                    let difference = layers[2](hidden2) - targets
                    return gradients(of: (difference * difference).mean(), wrt: parameters.map(\.value))
                }()
                optimizer.step(grads)
            }
        }
        let unfused = BenchmarkVariant(implementation: "composed", unitsPerIteration: 1, body: train(composed))
        return .trainingStep(caseName, metric: .stepsPerSecond, unitsPerIteration: 1, otherVariants: [unfused]) {
            train { x, norm in norm(x) }()
        }
    }
}
