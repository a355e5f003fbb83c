import CBLAS
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The shapes of the single-precision matrix products the tensor ops run, recorded on request.
///
/// Every `Tensor` matrix product (``Tensor/matmul(_:)``, ``Tensor/affine(_:weight:bias:)``, the fused convolution of
/// ``Tensor/convolutionMaxPool1D(_:weights:biases:)``) goes through one `cblas_sgemm` call per product, and that call
/// is logged while ``record(_:)`` runs. The benchmarks use it for a training step's GEMM-only bound: the same
/// products replayed through `cblas_sgemm` alone on preallocated buffers (docs/benchmarks.md). When nothing records,
/// a product costs one atomic load more.
public enum MatrixProductLog {
    /// One product `C[m, n] = op(A)[m, k] · op(B)[k, n]`, row-major, as `cblas_sgemm` received it.
    public struct Product: Hashable, Sendable {
        /// Whether `A` was read transposed.
        public let transposeA: Bool
        /// Whether `B` was read transposed.
        public let transposeB: Bool
        /// Rows of `C`.
        public let m: Int
        /// Columns of `C`.
        public let n: Int
        /// The inner dimension.
        public let k: Int

        /// Floating-point operations of the product (`2mnk`).
        public var operations: Double { 2 * Double(m) * Double(n) * Double(k) }
    }

    static let isRecording = Atomic<Bool>(false)
    /// The thread that runs ``record(_:)``'s body; products of other threads are not its.
    static let recordingThread = Atomic<UInt>(0)
    static let log = Mutex<[Product]>([])

    /// An identifier of the calling thread.
    static func currentThread() -> UInt {
        #if canImport(Darwin)
        UInt(bitPattern: pthread_self())
        #else
        UInt(pthread_self())
        #endif
    }

    /// Runs `body` and returns the matrix products it ran on the calling thread, in the order they started
    /// (products other threads run meanwhile, e.g. concurrent tests, are not included). Calls of `record` must not
    /// overlap.
    public static func record(_ body: () -> Void) -> [Product] {
        log.withLock { $0.removeAll() }
        recordingThread.store(currentThread(), ordering: .sequentiallyConsistent)
        isRecording.store(true, ordering: .sequentiallyConsistent)
        body()
        isRecording.store(false, ordering: .sequentiallyConsistent)
        return log.withLock { products in
            defer { products.removeAll() }
            return products
        }
    }

    /// `C = α·op(A)·op(B) + β·C` through `cblas_sgemm` (row-major), logged while ``record(_:)`` runs.
    @usableFromInline
    static func sgemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>?, lda: Int, b: UnsafePointer<Float>?, ldb: Int, beta: Float,
        c: UnsafeMutablePointer<Float>?, ldc: Int
    ) {
        if isRecording.load(ordering: .relaxed), recordingThread.load(ordering: .relaxed) == currentThread() {
            let product = Product(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k)
            log.withLock { $0.append(product) }
        }
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}
