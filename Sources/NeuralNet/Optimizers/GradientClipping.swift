/// Rescales gradients so that their global L2 norm is at most `maxNorm`.
///
/// Follows `torch.nn.utils.clip_grad_norm_` with `norm_type = 2`
/// (https://pytorch.org/docs/stable/generated/torch.nn.utils.clip_grad_norm_.html):
///
/// ```
/// ‖g‖ = √(Σ over all tensors and scalars of g²)
/// c = maxNorm / (‖g‖ + 1e-6);   every gradient is multiplied by c when c < 1, else left as is
/// ```
///
/// As in PyTorch (`error_if_nonfinite = false`), a non-finite norm is not an error: the gradients become zeros or
/// NaN; check `norm.isFinite` to skip such a step. The results are plain values (no tape), meant for an optimizer.
///
/// - Returns: the clipped gradients and the norm *before* clipping (what PyTorch returns, handy for logging).
public func clipByGlobalNorm(_ gradients: [Tensor], maxNorm: Float) -> (clipped: [Tensor], norm: Float) {
    precondition(maxNorm >= 0, "clipByGlobalNorm: maxNorm \(maxNorm) must not be negative")
    var sumOfSquares: Double = 0
    for gradient in gradients {
        gradient.scalars.withUnsafeBufferPointer { buffer in
            for value in buffer { sumOfSquares += Double(value) * Double(value) }
        }
    }
    let norm = Float(sumOfSquares.squareRoot())
    let coefficient = maxNorm / (norm + 1e-6)
    if coefficient >= 1 { return (gradients.map { $0.detached() }, norm) }
    let clipped = gradients.map { gradient in
        let count = gradient.count
        let scaled = gradient.scalars.withUnsafeBufferPointer { buffer in
            [Float](unsafeUninitializedCapacity: count) { out, initialized in
                for i in 0..<count { out[i] = buffer[i] * coefficient }
                initialized = count
            }
        }
        return Tensor(shape: gradient.shape, scalars: scaled)
    }
    return (clipped, norm)
}
