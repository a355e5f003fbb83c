import Foundation

/// Activation functions, each beside its derivative. Semantics (including the derivative at kinks) follow PyTorch's
/// `torch.nn.functional`.
extension Tensor {
    /// max(x, 0). d/dx = 1 for x > 0, else 0 (0 at the kink, as PyTorch). NaN propagates.
    ///
    /// Applied to the result of ``affine(_:weight:bias:)`` (a `Linear` layer with bias) while recording, the two ops
    /// become one tape node with a fused backward pass (see ``affineReLU(preActivation:x:weight:bias:)``); values
    /// and gradients are those of the two ops.
    public func relu() -> Tensor {
        if let node, node.op == "affine", node.inputs.count == 3, GradientMode.isRecording {
            return Tensor.affineReLU(
                preActivation: self, x: node.inputs[0], weight: node.inputs[1], bias: node.inputs[2])
        }
        return elementwise(
            "relu", { Swift.max($0, 0) },
            backward: { g, x, _ in
                Tensor.elementwiseBackward(
                    g, x, fused: { g, x in x > 0 ? g : 0 },
                    differentiable: { g, x in
                        g * x.constantMap { $0 > 0 ? 1 : 0 }
                    })
            })
    }

    /// x for x > 0, else `negativeSlope`·x. d/dx = 1 for x > 0, else `negativeSlope` (PyTorch `leaky_relu`).
    public func leakyRelu(negativeSlope: Float = 0.01) -> Tensor {
        elementwise(
            "leakyRelu", { $0 > 0 ? $0 : $0 * negativeSlope },
            backward: { g, x, _ in
                Tensor.elementwiseBackward(
                    g, x, fused: { g, x in x > 0 ? g : g * negativeSlope },
                    differentiable: { g, x in
                        g * x.constantMap { $0 > 0 ? 1 : negativeSlope }
                    })
            })
    }

    /// The exponential linear unit: x for x > 0, else α(eˣ − 1) (Clevert et al. 2016, "Fast and Accurate Deep
    /// Network Learning by Exponential Linear Units"). d/dx = 1 for x > 0, else αeˣ = y + α.
    public func elu(alpha: Float = 1) -> Tensor {
        elementwise(
            "elu", { $0 > 0 ? $0 : alpha * Foundation.expm1($0) },
            backward: { g, x, y in
                Tensor.eluBackward(g, x: x, y: y, scale: 1, alpha: alpha)
            })
    }

    /// The scaled ELU, λ·elu(x, α) with the constants of Klambauer et al. 2017 ("Self-Normalizing Neural
    /// Networks"), λ ≈ 1.0507, α ≈ 1.6733, which keep activations near mean 0 and variance 1 through deep networks
    /// whose weights have variance 1/fan-in. d/dx = λ for x > 0, else λαeˣ = y + λα.
    public func selu() -> Tensor {
        let lambda = Tensor.seluScale
        let alpha = Tensor.seluAlpha
        let lambdaAlpha = lambda * alpha
        return elementwise(
            "selu", { $0 > 0 ? lambda * $0 : lambdaAlpha * Foundation.expm1($0) },
            backward: { g, x, y in
                Tensor.eluBackward(g, x: x, y: y, scale: lambda, alpha: alpha)
            })
    }

    /// SELU's λ = 1.0507009873554804934193349852946 (Klambauer et al. 2017; the value PyTorch uses).
    public static let seluScale: Float = 1.0507009873554804934193349852946
    /// SELU's α = 1.6732632423543772848170429916717 (Klambauer et al. 2017; the value PyTorch uses).
    public static let seluAlpha: Float = 1.6732632423543772848170429916717

    /// Backward of `scale·elu(x, alpha)`: g·scale for x > 0, else g·scale·α·eˣ, which for α ≥ 0 is g·(y + scale·α)
    /// read off the output (y > 0 exactly when x > 0), saving an exponential.
    static func eluBackward(_ g: Tensor, x: Tensor, y: Tensor, scale: Float, alpha: Float) -> Tensor {
        let negativeOffset = scale * alpha
        if alpha >= 0 {
            return elementwiseBackward(
                g, y, fused: { g, y in y > 0 ? g * scale : g * (y + negativeOffset) },
                differentiable: { g, y in
                    let positive = y.constantMap { $0 > 0 ? 1 : 0 }
                    return g * ((y + negativeOffset) * (1 - positive) + positive * scale)
                })
        }
        return elementwiseBackward(
            g, x, fused: { g, x in x > 0 ? g * scale : g * negativeOffset * Foundation.exp(x) },
            differentiable: { g, x in
                let positive = x.constantMap { $0 > 0 ? 1 : 0 }
                return g * (x.exp() * (1 - positive) * negativeOffset + positive * scale)
            })
    }

    /// softplus(x) = log(1 + e^(βx))/β, and x itself where βx > `threshold` (PyTorch `softplus`, same defaults).
    /// Computed as (max(βx, 0) + log1p(e^(−|βx|)))/β, finite for any x. d/dx = σ(βx), or 1 above the threshold.
    public func softplus(beta: Float = 1, threshold: Float = 20) -> Tensor {
        precondition(beta != 0, "softplus: beta must not be 0")
        return elementwise(
            "softplus",
            { x in
                let z = beta * x
                return z > threshold ? x : (Swift.max(z, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(z)))) / beta
            },
            backward: { g, x, _ in
                Tensor.elementwiseBackward(
                    g, x,
                    fused: { g, x in
                        let z = beta * x
                        return z > threshold ? g : g * Tensor.logistic(z)
                    },
                    differentiable: { g, x in
                        let above = x.constantMap { beta * $0 > threshold ? 1 : 0 }
                        return g * ((x * beta).sigmoid() * (1 - above) + above)
                    })
            })
    }

    /// The sigmoid linear unit x·σ(x) (Hendrycks & Gimpel 2016; Elfwing et al. 2017), PyTorch `silu`.
    public func silu() -> Tensor { swish(beta: 1) }

    /// Swish x·σ(βx) (Ramachandran et al. 2017, "Searching for Activation Functions"); β = 1 is SiLU.
    /// d/dx = s + βx·s(1 − s) with s = σ(βx).
    public func swish(beta: Float = 1) -> Tensor {
        let gates = Kernels.sigmoid(beta == 1 ? scalars : Kernels.unary(scalars) { beta * $0 })
        return Tensor.recorded("swish", shape: shape, scalars: Kernels.zip(scalars, gates, *), inputs: [self]) {
            g, inputs, _ in
            let x = inputs[0]
            if GradientMode.isRecording {
                let s = (x * beta).sigmoid()
                return [g * (s + x * s * (1 - s) * beta)]
            }
            // First order: one fused pass over g, x and the recomputed gates σ(βx).
            let s = Kernels.sigmoid(beta == 1 ? x.scalars : Kernels.unary(x.scalars) { beta * $0 })
            let product = Kernels.zip3(g.scalars, x.scalars, s) { g, x, s in g * s * (1 + beta * x * (1 - s)) }
            return [Tensor(shape: x.shape, scalars: product)]
        }
    }

    /// The Gaussian error linear unit x·Φ(x), Φ the standard normal CDF (Hendrycks & Gimpel 2016), PyTorch `gelu`.
    /// With `approximate` the tanh form 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))) (PyTorch `approximate="tanh"`).
    /// d/dx = Φ(x) + x·φ(x) exactly.
    public func gelu(approximate: Bool = false) -> Tensor {
        if approximate { return geluTanh() }
        let inverseRootTwo = Float(1 / 2.0.squareRoot())
        let inverseRootTwoPi = Float(1 / (2 * Double.pi).squareRoot())
        return elementwise(
            "gelu", { 0.5 * $0 * (1 + Foundation.erf($0 * inverseRootTwo)) },
            backward: { g, x, _ in
                Tensor.elementwiseBackward(
                    g, x,
                    fused: { g, x in
                        let cdf = 0.5 * (1 + Foundation.erf(x * inverseRootTwo))
                        return g * (cdf + x * inverseRootTwoPi * Foundation.exp(-0.5 * x * x))
                    },
                    differentiable: { g, x in
                        let cdf = ((x * inverseRootTwo).erf() + 1) * 0.5
                        let density = (x * x * -0.5).exp() * inverseRootTwoPi
                        return g * (cdf + x * density)
                    })
            })
    }

    /// GELU's tanh approximation; d/dx = ½(1 + t) + ½x(1 − t²)·c(1 + 3ax²), t = tanh(c(x + ax³)).
    private func geluTanh() -> Tensor {
        let c = Float((2 / Double.pi).squareRoot())
        let a: Float = 0.044715
        return elementwise(
            "geluTanh", { x in 0.5 * x * (1 + Foundation.tanh(c * (x + a * x * x * x))) },
            backward: { g, x, _ in
                Tensor.elementwiseBackward(
                    g, x,
                    fused: { g, x in
                        let t = Foundation.tanh(c * (x + a * x * x * x))
                        return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * a * x * x))
                    },
                    differentiable: { g, x in
                        let t = ((x + x * x * x * a) * c).tanh()
                        return g * ((t + 1) * 0.5 + x * (1 - t * t) * (x * x * (3 * a) + 1) * (0.5 * c))
                    })
            })
    }
}
