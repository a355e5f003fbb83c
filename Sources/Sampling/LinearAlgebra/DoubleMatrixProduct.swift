import CBLAS

/// Double-precision matrix products on BLAS (`cblas_dgemm`, `cblas_dsyrk`) for the mixture-fitting E and M steps. All matrices are row-major and contiguous.
public enum DoubleMatrixProduct {
    /// `C = α op(A) op(B) + β C` with `op(A)` of shape `m × k` and `op(B)` of shape `k × n`
    /// (`A` is `k × m` when `transposeA`, `B` is `n × k` when `transposeB`).
    @inlinable
    public static func multiply(
        _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, into c: UnsafeMutablePointer<Double>,
        m: Int, n: Int, k: Int, transposeA: Bool = false, transposeB: Bool = false, alpha: Double = 1,
        beta: Double = 0
    ) {
        guard m > 0 && n > 0 else { return }
        cblas_dgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(transposeA ? m : k), b, Int32(transposeB ? k : n), beta, c,
            Int32(n))
    }

    /// The Gram matrix `C = Aᵀ A` (`A` is `rows × columns`, `C` is `columns × columns`, both triangles filled).
    @inlinable
    public static func gram(
        _ a: UnsafePointer<Double>, rows: Int, columns: Int, into c: UnsafeMutablePointer<Double>
    ) {
        cblas_dsyrk(
            CblasRowMajor, CblasLower, CblasTrans, Int32(columns), Int32(rows), 1, a, Int32(columns), 0, c,
            Int32(columns))
        for i in 0..<columns {
            for j in 0..<i { c[j * columns + i] = c[i * columns + j] }
        }
    }
}
