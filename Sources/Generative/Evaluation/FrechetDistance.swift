import Foundation

/// The Fréchet distance between Gaussians fitted to two sets of feature vectors (Heusel et al., "GANs Trained by a
/// Two Time-Scale Update Rule Converge to a Local Nash Equilibrium", NeurIPS 2017 — FID with Inception features; here
/// with the features of a classifier trained on the data, e.g. ``DigitsClassifier``):
/// ```
/// d² = ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁ Σ₂)^{1/2}),   Tr (Σ₁Σ₂)^{1/2} = Σᵢ √λᵢ(Σ₁^{1/2} Σ₂ Σ₁^{1/2})
/// ```
/// computed in `Double` with a Jacobi eigensolver (the matrices are small: one row per feature).
public enum FrechetDistance {
    /// `d²` between the Gaussians of feature sets `a` and `b` (rows of equal length, at least two rows each).
    public static func distance(_ a: [[Double]], _ b: [[Double]]) -> Double {
        precondition(a.count >= 2 && b.count >= 2, "FrechetDistance: need at least two rows per set")
        let (meanA, covarianceA) = moments(a)
        let (meanB, covarianceB) = moments(b)
        let n = meanA.count
        precondition(meanB.count == n, "FrechetDistance: feature sizes \(n) and \(meanB.count) differ")
        var squared = 0.0
        for i in 0..<n { squared += (meanA[i] - meanB[i]) * (meanA[i] - meanB[i]) }
        let rootA = symmetricSquareRoot(covarianceA)
        let product = multiply(multiply(rootA, covarianceB), rootA)
        let crossTrace = symmetricEigenvalues(product).reduce(0) { $0 + Swift.max($1, 0).squareRoot() }
        var trace = 0.0
        for i in 0..<n { trace += covarianceA[i][i] + covarianceB[i][i] }
        return squared + trace - 2 * crossTrace
    }

    /// Mean and (maximum-likelihood) covariance of the rows.
    static func moments(_ rows: [[Double]]) -> ([Double], [[Double]]) {
        let n = rows[0].count
        var mean = [Double](repeating: 0, count: n)
        for row in rows { for i in 0..<n { mean[i] += row[i] } }
        for i in 0..<n { mean[i] /= Double(rows.count) }
        var covariance = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for row in rows {
            for i in 0..<n {
                let di = row[i] - mean[i]
                for j in i..<n { covariance[i][j] += di * (row[j] - mean[j]) }
            }
        }
        for i in 0..<n {
            for j in i..<n {
                covariance[i][j] /= Double(rows.count)
                covariance[j][i] = covariance[i][j]
            }
        }
        return (mean, covariance)
    }

    static func multiply(_ a: [[Double]], _ b: [[Double]]) -> [[Double]] {
        let n = a.count
        var result = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for i in 0..<n { for k in 0..<n where a[i][k] != 0 { for j in 0..<n { result[i][j] += a[i][k] * b[k][j] } } }
        return result
    }

    /// Eigenvalues and eigenvectors (columns) of a symmetric matrix by cyclic Jacobi rotations.
    static func symmetricEigen(_ matrix: [[Double]]) -> (values: [Double], vectors: [[Double]]) {
        let n = matrix.count
        var a = matrix
        var v = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for i in 0..<n { v[i][i] = 1 }
        for _ in 0..<100 {
            var off = 0.0
            for i in 0..<n { for j in (i + 1)..<Swift.max(n, i + 1) { off += a[i][j] * a[i][j] } }
            if off < 1e-22 { break }
            for p in 0..<n {
                for q in (p + 1)..<Swift.max(n, p + 1) where abs(a[p][q]) > 1e-300 {
                    let theta = (a[q][q] - a[p][p]) / (2 * a[p][q])
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot()
                    let s = t * c
                    for k in 0..<n {
                        let (akp, akq) = (a[k][p], a[k][q])
                        a[k][p] = c * akp - s * akq
                        a[k][q] = s * akp + c * akq
                    }
                    for k in 0..<n {
                        let (apk, aqk) = (a[p][k], a[q][k])
                        a[p][k] = c * apk - s * aqk
                        a[q][k] = s * apk + c * aqk
                    }
                    for k in 0..<n {
                        let (vkp, vkq) = (v[k][p], v[k][q])
                        v[k][p] = c * vkp - s * vkq
                        v[k][q] = s * vkp + c * vkq
                    }
                }
            }
        }
        return ((0..<n).map { a[$0][$0] }, v)
    }

    static func symmetricEigenvalues(_ matrix: [[Double]]) -> [Double] { symmetricEigen(matrix).values }

    /// `V diag(√max(λ, 0)) Vᵀ` of a symmetric positive semi-definite matrix.
    static func symmetricSquareRoot(_ matrix: [[Double]]) -> [[Double]] {
        let (values, vectors) = symmetricEigen(matrix)
        let n = matrix.count
        var result = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for k in 0..<n {
            let root = Swift.max(values[k], 0).squareRoot()
            for i in 0..<n { for j in 0..<n { result[i][j] += vectors[i][k] * root * vectors[j][k] } }
        }
        return result
    }
}
