/// The backward product of an elementwise op, `gradient ⊙ f′`, with two implementations of one formula.
extension Tensor {
    /// `gradient ⊙ f′(saved)` for an elementwise op, where `saved` is the op's input or output (whichever makes
    /// `f′` cheaper: tanh′ = 1 − y², sigmoid′ = y(1 − y)).
    ///
    /// When nothing is being recorded (ordinary first-order `gradients(of:wrt:)`, which runs its backward pass
    /// without recording) the product is one fused raw pass, `fused(g, s)` per scalar, with no intermediate tensors.
    /// When recording (`createGraph: true`) and an operand is on the tape, `differentiable(g, s)` builds the same
    /// value from differentiable tensor ops, so second and higher derivatives follow. Both closures must compute the
    /// same function; the gradient checks test the fused one at first order and the tensor one at second order.
    @inlinable
    public static func elementwiseBackward(
        _ gradient: Tensor, _ saved: Tensor,
        fused: (_ gradient: Float, _ saved: Float) -> Float,
        differentiable: (_ gradient: Tensor, _ saved: Tensor) -> Tensor
    ) -> Tensor {
        precondition(
            gradient.shape == saved.shape,
            "elementwiseBackward: gradient shape \(gradient.shape) differs from \(saved.shape)")
        if GradientMode.isRecording && (gradient.requiresGradient || saved.requiresGradient) {
            return differentiable(gradient, saved)
        }
        return Tensor(shape: saved.shape, scalars: Kernels.zip(gradient.scalars, saved.scalars, fused))
    }

    /// A tensor of this shape with `body` applied to every scalar, off the tape (for masks and other values that
    /// are constant with respect to differentiation).
    @inlinable
    func constantMap(_ body: (Float) -> Float) -> Tensor {
        Tensor(shape: shape, scalars: Kernels.unary(scalars, body))
    }
}
