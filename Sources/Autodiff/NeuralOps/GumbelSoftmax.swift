import Foundation

/// A sample from the Gumbel-softmax (Concrete) relaxation of a categorical distribution (Jang, Gu & Poole,
/// "Categorical Reparameterization with Gumbel-Softmax", 2017; Maddison et al., "The Concrete Distribution", 2017;
/// PyTorch `F.gumbel_softmax` semantics).
///
/// ```
/// yₖ = softmax((logits + G) / τ)ₖ,   Gₖ = −log(−log Uₖ),  Uₖ ~ Uniform(0, 1)
/// ```
/// With `hard`, the forward value is the one-hot of `argmax y` (first on ties) while the gradient is that of the soft
/// sample `y` (the straight-through estimator, `y_hard − stopGradient(y) + y`): the hard one-hot is exact, not
/// `1 − y + y` in floating point.
///
/// - Parameters:
///   - logits: unnormalized log-probabilities; categories along `axis`.
///   - temperature: `τ > 0`; small values approach one-hot samples.
///   - hard: return one-hot samples with straight-through gradients.
///   - axis: the category axis (default last).
///   - generator: draws one uniform per scalar of `logits` (one `next()` each, 23 bits of it).
public func gumbelSoftmax(
    logits: Tensor, temperature: Float = 1, hard: Bool = false, axis: Int = -1,
    using generator: inout RandomGenerator
) -> Tensor {
    precondition(temperature > 0, "gumbelSoftmax: temperature \(temperature) must be > 0 (logits \(logits.shape))")
    precondition(logits.rank >= 1, "gumbelSoftmax: logits need rank ≥ 1, got shape \(logits.shape)")
    let axis = logits.normalizedAxis(axis, op: "gumbelSoftmax")
    var noise = [Float](repeating: 0, count: logits.count)
    // U = (k + 0.5)·2⁻²³ for a 23-bit k: exact in Float and strictly inside (0, 1), so both logarithms are of positive
    // normal floats and finite (G ∈ [−2.81, 16.64]; the tails beyond have probability ≈ 6·10⁻⁸ each). Then
    // G = −log(−log U) in one vectorized pass (Cephes `logf`, AVX-512 / AVX2 when the processor has them).
    for i in 0..<noise.count { noise[i] = (Float(generator.next() >> 41) + 0.5) * 0x1.0p-23 }
    Kernels.gumbelNoise(&noise)
    let soft = ((logits + Tensor(shape: logits.shape, scalars: noise)) / temperature).softmax(axis: axis)
    guard hard else { return soft }
    let outer = logits.shape[..<axis].reduce(1, *)
    let extent = logits.shape[axis]
    let inner = logits.shape[(axis + 1)...].reduce(1, *)
    let winners = ClassDistribution.argmax(soft.scalars, outer: outer, extent: extent, inner: inner)
    let oneHot = ClassDistribution.scalars(
        indices: winners, outer: outer, classes: extent, inner: inner,
        op: "gumbelSoftmax", shape: logits.shape)
    // Straight-through: the value is the one-hot, the gradient passes to the soft sample unchanged.
    return Tensor.recorded("gumbelSoftmaxStraightThrough", shape: logits.shape, scalars: oneHot, inputs: [soft]) {
        g, _, _ in [g]
    }
}
