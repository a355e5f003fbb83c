import Foundation

/// Powers (scalar and tensor exponents) and clamping, each beside its derivative (PyTorch semantics).
extension Tensor {
    /// xᵉ for a constant exponent. d/dx = e·xᵉ⁻¹, and 0 when e = 0 (PyTorch `pow_backward`, so 0⁰ has gradient 0
    /// rather than NaN). Negative bases with non-integer exponents give NaN. e = 1, 2, ½, −1 dispatch to the
    /// identity, ``squared()``, ``sqrt()`` and ``reciprocal()``.
    public func pow(_ exponent: Float) -> Tensor {
        switch exponent {
        case 1: return self
        case 2: return squared()
        case 0.5: return sqrt()
        case -1: return reciprocal()
        case 0:
            return elementwise("pow", { _ in 1 }, backward: { g, _, _ in Tensor.zeros(g.shape) })
        default:
            return elementwise(
                "pow", { Foundation.pow($0, exponent) },
                backward: { g, x, _ in
                    Tensor.elementwiseBackward(
                        g, x, fused: { g, x in g * exponent * Foundation.pow(x, exponent - 1) },
                        differentiable: {
                            g, x in g * x.pow(exponent - 1) * exponent
                        })
                })
        }
    }

    /// xᵉ elementwise with a tensor exponent, broadcasting (NumPy rules).
    ///
    /// ```
    /// ∂/∂x = e·xᵉ⁻¹          (0 where e = 0)
    /// ∂/∂e = xᵉ·log x        (0 where x = 0 and e ≥ 0)
    /// ```
    /// The zero cases follow PyTorch's `pow_backward_self` / `pow_backward_exponent`; elsewhere a non-positive base
    /// gives a NaN exponent-gradient, as in PyTorch.
    public func pow(_ exponent: Tensor) -> Tensor {
        let shape = Tensor.broadcastShape(self, exponent, op: "pow")
        let scalars = Kernels.binary(self, exponent, outputShape: shape) { Foundation.pow($0, $1) }
        return Tensor.recorded("pow", shape: shape, scalars: scalars, inputs: [self, exponent]) { g, inputs, output in
            let (base, exponent) = (inputs[0], inputs[1])
            var result: [Tensor?] = [nil, nil]
            if base.requiresGradient {
                // Where e = 0 use the exponent 0 instead of −1: e·x⁰ = 0 instead of 0·0⁻¹ = NaN at x = 0.
                let shiftedExponent = exponent - 1 + exponent.constantMap { $0 == 0 ? 1 : 0 }
                result[0] = (g * exponent * base.pow(shiftedExponent)).sumToShape(base.shape)
            }
            if exponent.requiresGradient {
                // Where x = 0 and e ≥ 0 take log 1 = 0 instead of log 0 = −∞ (then 0·(−∞) would be NaN).
                let zeroBase = Tensor(
                    shape: g.shape,
                    scalars: Kernels.binary(base, exponent, outputShape: g.shape) {
                        $0 == 0 && $1 >= 0 ? 1 : 0
                    })
                result[1] = (g * output * (base + zeroBase).log()).sumToShape(exponent.shape)
            }
            return result
        }
    }

    /// Limits every scalar to `[min, max]` (PyTorch `clamp`; either bound may be left infinite). NaN propagates;
    /// if `min > max` every scalar becomes `max`, as in PyTorch.
    /// d/dx = 1 where `min ≤ x ≤ max` (boundaries included, as PyTorch's `clamp_backward`), else 0.
    public func clamped(min lower: Float = -.infinity, max upper: Float = .infinity) -> Tensor {
        elementwise(
            "clamp", { Swift.min(Swift.max($0, lower), upper) },
            backward: { g, x, _ in
                Tensor.elementwiseBackward(
                    g, x, fused: { g, x in x >= lower && x <= upper ? g : 0 },
                    differentiable: { g, x in
                        g * x.constantMap { $0 >= lower && $0 <= upper ? 1 : 0 }
                    })
            })
    }
}
