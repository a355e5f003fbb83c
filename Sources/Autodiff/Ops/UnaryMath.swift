import Foundation

/// Elementwise math: each op's forward kernel beside its derivative. Values follow Foundation (glibc libm);
/// derivatives and edge cases follow PyTorch. Derivatives use the output where that saves work.
extension Tensor {
    /// √x. d/dx = 1/(2√x) = 1/(2y).
    public func sqrt() -> Tensor {
        elementwise(
            "sqrt", { Foundation.sqrt($0) },
            backward: { g, _, y in
                Tensor.elementwiseBackward(
                    g, y, fused: { g, y in 0.5 * g / y }, differentiable: { g, y in (g / y) * 0.5 })
            })
    }

    /// |x|. d/dx = sign(x), 0 at 0 (PyTorch).
    public func abs() -> Tensor {
        elementwise(
            "abs", { Swift.abs($0) },
            backward: { g, x, _ in
                Tensor.elementwiseBackward(
                    g, x, fused: { g, x in x > 0 ? g : (x < 0 ? -g : 0) }, differentiable: { g, x in g * x.sign() })
            })
    }

    /// The sign: 1, −1 or 0 (NaN stays NaN, as NumPy). Not differentiable: the result is off the tape, as its
    /// derivative is 0 wherever it exists.
    public func sign() -> Tensor {
        constantMap { $0 > 0 ? 1 : ($0 < 0 ? -1 : ($0 == 0 ? 0 : $0)) }
    }

    /// sin x. d/dx = cos x.
    public func sin() -> Tensor {
        elementwise(
            "sin", { Foundation.sin($0) },
            backward: { g, x, _ in
                Tensor.elementwiseBackward(
                    g, x, fused: { g, x in g * Foundation.cos(x) }, differentiable: { g, x in g * x.cos() })
            })
    }

    /// cos x. d/dx = −sin x.
    public func cos() -> Tensor {
        elementwise(
            "cos", { Foundation.cos($0) },
            backward: { g, x, _ in
                Tensor.elementwiseBackward(
                    g, x, fused: { g, x in -g * Foundation.sin(x) }, differentiable: { g, x in -(g * x.sin()) })
            })
    }

    /// tanh x (vectorized kernel, ``Kernels/tanh(_:)``). d/dx = 1 − tanh²x = 1 − y².
    public func tanh() -> Tensor {
        Tensor.recorded("tanh", shape: shape, scalars: Kernels.tanh(scalars), inputs: [self]) { g, _, y in
            [
                Tensor.elementwiseBackward(
                    g, y, fused: { g, y in g * (1 - y * y) }, differentiable: { g, y in g * (1 - y * y) })
            ]
        }
    }

    /// The logistic sigmoid σ(x) = 1/(1 + e⁻ˣ), without overflow for any x (vectorized kernel,
    /// ``Kernels/sigmoid(_:)``). d/dx = σ(1 − σ) = y(1 − y).
    public func sigmoid() -> Tensor {
        Tensor.recorded("sigmoid", shape: shape, scalars: Kernels.sigmoid(scalars), inputs: [self]) { g, _, y in
            [
                Tensor.elementwiseBackward(
                    g, y, fused: { g, y in g * y * (1 - y) }, differentiable: { g, y in g * y * (1 - y) })
            ]
        }
    }

    /// log(1 + x), accurate for small x. d/dx = 1/(1 + x).
    public func log1p() -> Tensor {
        elementwise(
            "log1p", { Foundation.log1p($0) },
            backward: { g, x, _ in
                Tensor.elementwiseBackward(
                    g, x, fused: { g, x in g / (1 + x) }, differentiable: { g, x in g / (x + 1) })
            })
    }

    /// The Gauss error function erf x = (2/√π)∫₀ˣ e^(−t²) dt. d/dx = (2/√π)·e^(−x²).
    public func erf() -> Tensor {
        let twoOverRootPi = Float(2 / Double.pi.squareRoot())
        return elementwise(
            "erf", { Foundation.erf($0) },
            backward: { g, x, _ in
                Tensor.elementwiseBackward(
                    g, x, fused: { g, x in g * twoOverRootPi * Foundation.exp(-x * x) },
                    differentiable: { g, x in
                        g * (x * x * -1).exp() * twoOverRootPi
                    })
            })
    }

    /// x². d/dx = 2x.
    public func squared() -> Tensor {
        elementwise(
            "squared", { $0 * $0 },
            backward: { g, x, _ in
                Tensor.elementwiseBackward(g, x, fused: { g, x in 2 * g * x }, differentiable: { g, x in g * x * 2 })
            })
    }

    /// 1/x. d/dx = −1/x² = −y².
    public func reciprocal() -> Tensor {
        elementwise(
            "reciprocal", { 1 / $0 },
            backward: { g, _, y in
                Tensor.elementwiseBackward(
                    g, y, fused: { g, y in -g * y * y }, differentiable: { g, y in -(g * y * y) })
            })
    }

    /// The logistic function on one scalar, stable for large |x|: 1/(1 + e⁻ˣ) for x ≥ 0, eˣ/(1 + eˣ) otherwise.
    @inlinable
    static func logistic(_ x: Float) -> Float {
        if x >= 0 { return 1 / (1 + Foundation.exp(-x)) }
        let e = Foundation.exp(x)
        return e / (1 + e)
    }
}
