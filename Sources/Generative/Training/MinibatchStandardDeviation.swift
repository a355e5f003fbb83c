import NeuralNet

/// The minibatch standard-deviation feature (Karras et al., "Progressive Growing of GANs", ICLR 2018, §3), a
/// simpler form of minibatch discrimination (Salimans et al., "Improved Techniques for Training GANs", NeurIPS 2016,
/// §3.2): `[N, H]` to `[N, H + 1]`, the input with one extra column holding, for every row, the mean over the `H`
/// features of their standard deviation across the batch.
///
/// A discriminator that sees this statistic can tell a collapsed batch of generated samples (deviation near 0) from
/// a varied batch of real ones, so the generator is pushed to keep its samples as varied as the data. The statistic
/// is computed per batch: real and generated samples must go through the critic in separate batches.
public struct MinibatchStandardDeviation: Module {
    /// Added to the variance before the square root (a zero-variance batch has a finite gradient).
    public let epsilon: Float

    /// The layer.
    public init(epsilon: Float = 1e-8) { self.epsilon = epsilon }

    /// None.
    public var namedParameters: [(name: String, parameter: Parameter)] { [] }

    /// `input` with the column `mean_h √(Var_n x[n, h] + ε)` appended (population variance over the batch).
    public func callAsFunction(_ input: Tensor) -> Tensor {
        precondition(input.rank == 2, "MinibatchStandardDeviation: input \(input.shape) is not [N, H]")
        let rows = input.shape[0]
        let centered = input - input.mean(alongAxes: [0], keepingDimensions: true)
        let deviation = ((centered * centered).mean(alongAxes: [0], keepingDimensions: true) + epsilon).sqrt().mean()
        return Tensor.concatenate([input, deviation.reshaped([1, 1]).expanded(to: [rows, 1])], axis: 1)
    }
}
