/// Inverted dropout (Srivastava et al., "Dropout: A Simple Way to Prevent Neural Networks from Overfitting", 2014;
/// PyTorch `F.dropout` semantics).
extension Tensor {
    /// Zeroes each scalar with probability `probability` and scales the survivors by `1 / (1 − probability)` when
    /// `training`, so the expected value is unchanged; returns `self` unchanged (and draws nothing) otherwise.
    ///
    /// The kept-and-scaled mask is a constant, so the gradient is `g ⊙ mask` and differentiates again.
    /// `probability = 1` gives zeros, as PyTorch.
    public func dropout(probability: Float, training: Bool, using generator: inout RandomGenerator) -> Tensor {
        precondition(
            (0...1).contains(probability),
            "dropout: probability \(probability) not in [0, 1] (input \(shape))")
        guard training, probability > 0 else { return self }
        let scale = probability < 1 ? 1 / (1 - probability) : 0
        var mask = [Float](repeating: 0, count: count)
        for i in 0..<count where generator.nextUnitFloat() >= probability { mask[i] = scale }
        return self * Tensor(shape: shape, scalars: mask)
    }
}
