import CBLAS

#if canImport(Glibc)
import Glibc
#endif

/// The BLAS library behind the tensor kernels, as loaded in this process.
///
/// A DYNAMIC_ARCH OpenBLAS (Debian's package) chooses its kernels from the CPU when it is loaded, unless the
/// environment variable `OPENBLAS_CORETYPE` forces a family (e.g. `Haswell`: AVX2 only, about half the
/// single-precision GEMM speed of the AVX-512 kernels on a CPU that has them). The benchmarks print both, so a figure
/// always says which kernels produced it.
public enum BLASRuntime {
    /// The kernel family OpenBLAS uses (`openblas_get_corename`, e.g. "Cooperlake", "SkylakeX", "Haswell").
    public static var coreName: String { String(cString: openblas_get_corename()) }

    /// OpenBLAS's build configuration (`openblas_get_config`: version, DYNAMIC_ARCH, threading).
    public static var configuration: String { String(cString: openblas_get_config()) }

    /// The `OPENBLAS_CORETYPE` the process was started with, if any (it overrides OpenBLAS's own choice).
    public static var forcedCoreType: String? {
        getenv("OPENBLAS_CORETYPE").map { String(cString: $0) }
    }
}
