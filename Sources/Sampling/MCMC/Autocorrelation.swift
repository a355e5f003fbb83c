import Foundation

/// Autocovariance and autocorrelation of a chain computed by FFT, as ArviZ's `autocov` / `autocorr` do:
/// `γ(t) = (1/n) Σ_{s} (x_s − x̄)(x_{s+t} − x̄)` (biased), `ρ(t) = γ(t)/γ(0)`.
public enum Autocorrelation {
    /// The biased autocovariance at lags `0..<n`.
    public static func autocovariance(_ chain: [Double]) -> [Double] {
        let n = chain.count
        guard n > 0 else { return [] }
        var mean = 0.0
        for x in chain { mean += x }
        mean /= Double(n)
        var size = 1
        while size < 2 * n { size <<= 1 }
        var real = [Double](repeating: 0, count: size)
        var imaginary = [Double](repeating: 0, count: size)
        for i in 0..<n { real[i] = chain[i] - mean }
        fft(&real, &imaginary, inverse: false)
        for i in 0..<size {
            real[i] = real[i] * real[i] + imaginary[i] * imaginary[i]
            imaginary[i] = 0
        }
        fft(&real, &imaginary, inverse: true)
        return (0..<n).map { real[$0] / Double(size) / Double(n) }
    }

    /// `ρ(t) = γ(t)/γ(0)` at lags `0..<n`.
    public static func autocorrelation(_ chain: [Double]) -> [Double] {
        let covariance = autocovariance(chain)
        guard let first = covariance.first, first > 0 else { return covariance.map { _ in 0 } }
        return covariance.map { $0 / first }
    }

    /// In-place iterative radix-2 Cooley–Tukey FFT (unnormalized; the inverse uses `e^{+2πi/n}`).
    static func fft(_ real: inout [Double], _ imaginary: inout [Double], inverse: Bool) {
        let n = real.count
        var j = 0
        for i in 1..<n {
            var bit = n >> 1
            while j & bit != 0 {
                j ^= bit
                bit >>= 1
            }
            j |= bit
            if i < j {
                real.swapAt(i, j)
                imaginary.swapAt(i, j)
            }
        }
        var length = 2
        while length <= n {
            let angle = (inverse ? 2 : -2) * Double.pi / Double(length)
            let stepReal = cos(angle)
            let stepImaginary = sin(angle)
            var start = 0
            while start < n {
                var wReal = 1.0
                var wImaginary = 0.0
                for k in 0..<(length / 2) {
                    let a = start + k
                    let b = a + length / 2
                    let tReal = real[b] * wReal - imaginary[b] * wImaginary
                    let tImaginary = real[b] * wImaginary + imaginary[b] * wReal
                    real[b] = real[a] - tReal
                    imaginary[b] = imaginary[a] - tImaginary
                    real[a] += tReal
                    imaginary[a] += tImaginary
                    let nextReal = wReal * stepReal - wImaginary * stepImaginary
                    wImaginary = wReal * stepImaginary + wImaginary * stepReal
                    wReal = nextReal
                }
                start += length
            }
            length <<= 1
        }
    }
}
