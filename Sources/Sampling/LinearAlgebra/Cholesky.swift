import Foundation

/// The lower-triangular Cholesky factor `L` of a symmetric positive definite matrix `A = L Lᵀ` (row-major, `n × n`).
public struct CholeskyFactor: Sendable {
    /// The order `n`.
    public let order: Int
    /// `L` row-major; entries above the diagonal are zero.
    public let lower: [Double]

    /// Factors `matrix` (row-major `order × order`); throws `SamplingError.notPositiveDefinite` when a pivot is ≤ 0.
    public init(matrix: [Double], order: Int) throws(SamplingError) {
        precondition(matrix.count == order * order, "CholeskyFactor: \(matrix.count) entries for order \(order)")
        var lower = [Double](repeating: 0, count: order * order)
        for i in 0..<order {
            for j in 0...i {
                var sum = matrix[i * order + j]
                for k in 0..<j { sum -= lower[i * order + k] * lower[j * order + k] }
                if i == j {
                    guard sum > 0 else { throw .notPositiveDefinite(pivot: i) }
                    lower[i * order + i] = sum.squareRoot()
                } else {
                    lower[i * order + j] = sum / lower[j * order + j]
                }
            }
        }
        self.order = order
        self.lower = lower
    }

    /// `log det A = 2 Σ log Lᵢᵢ`.
    public var logDeterminant: Double {
        var result = 0.0
        for i in 0..<order { result += 2 * log(lower[i * order + i]) }
        return result
    }

    /// Solves `L y = b` in place (forward substitution).
    @inlinable
    public func solveLower(_ b: inout [Double]) {
        lower.withUnsafeBufferPointer { l in
            for i in 0..<order {
                var sum = b[i]
                for k in 0..<i { sum -= l[i * order + k] * b[k] }
                b[i] = sum / l[i * order + i]
            }
        }
    }

    /// `L z`.
    public func multiplyLower(_ z: [Double]) -> [Double] {
        var result = [Double](repeating: 0, count: order)
        for i in 0..<order {
            var sum = 0.0
            for k in 0...i { sum += lower[i * order + k] * z[k] }
            result[i] = sum
        }
        return result
    }

    /// `L⁻¹` row-major (lower triangular), by forward substitution on the columns of `I`.
    public func inverseLower() -> [Double] {
        var inverse = [Double](repeating: 0, count: order * order)
        lower.withUnsafeBufferPointer { l in
            for column in 0..<order {
                for i in column..<order {
                    var sum = i == column ? 1.0 : 0.0
                    for k in column..<i { sum -= l[i * order + k] * inverse[k * order + column] }
                    inverse[i * order + column] = sum / l[i * order + i]
                }
            }
        }
        return inverse
    }
}
