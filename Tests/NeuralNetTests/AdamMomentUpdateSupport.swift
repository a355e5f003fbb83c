import Autodiff

@testable import NeuralNet

/// Runs one Adam moment update through `kernel` on copies of `m0`, `v0` and a fresh output buffer; returns the new
/// first moments, second moments and parameters `[m, v, θ]`. The Adam kernel tests compare their code paths with it.
func adamMomentUpdate(
    theta: [Float], gradient: [Float], m0: [Float], v0: [Float],
    kernel: (
        _ theta: UnsafePointer<Float>, _ gradient: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
        _ v: UnsafeMutablePointer<Float>, _ out: UnsafeMutablePointer<Float>
    ) -> Void
) -> [[Float]] {
    var (m, v, out) = (m0, v0, [Float](repeating: .nan, count: theta.count))
    theta.withUnsafeBufferPointer { t in
        gradient.withUnsafeBufferPointer { g in
            m.withUnsafeMutableBufferPointer { m in
                v.withUnsafeMutableBufferPointer { v in
                    out.withUnsafeMutableBufferPointer { o in
                        guard let t = t.baseAddress, let g = g.baseAddress, let m = m.baseAddress,
                            let v = v.baseAddress, let o = o.baseAddress
                        else { return }
                        kernel(t, g, m, v, o)
                    }
                }
            }
        }
    }
    return [m, v, out]
}
