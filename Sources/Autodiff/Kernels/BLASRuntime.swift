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

    /// Kernel families with AVX2 or AVX-512 single-precision GEMM kernels (lower-cased `openblas_get_corename`).
    public static let modernCoreNames: Set<String> = [
        "haswell", "zen", "skylakex", "cooperlake", "sapphirerapids", "excavator",
    ]

    /// The kernel family to force with `OPENBLAS_CORETYPE` when OpenBLAS chose an old one for a CPU that has
    /// newer instructions, or nil when its choice is fine.
    ///
    /// An OpenBLAS older than the CPU does not recognize it and falls back to its oldest kernels: Debian 12's
    /// OpenBLAS 0.3.21 on an Intel Xeon of family 6, model 207 (with AVX-512) chooses "Prescott" (SSE3), about six
    /// times slower in single-precision GEMM than its AVX-512 kernels (docs/benchmarks.md). The rule follows the
    /// CPU's flags (as in `/proc/cpuinfo`): AVX-512 F, BW, DQ and VL with BF16 → "Cooperlake", without BF16 →
    /// "SkylakeX"; AVX2 with FMA → "Haswell"; otherwise nil. A family OpenBLAS chose itself among
    /// ``modernCoreNames`` is kept (nil). `bench/openblas_coretype.sh` applies the same rule for `make test` and
    /// `make bench`, whose processes cannot re-execute themselves; change both together.
    public static func recommendedCoreType(chosen: String, cpuFlags: Set<String>) -> String? {
        if modernCoreNames.contains(chosen.lowercased()) { return nil }
        if ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(cpuFlags.contains) {
            return cpuFlags.contains("avx512_bf16") ? "Cooperlake" : "SkylakeX"
        }
        if cpuFlags.contains("avx2") && cpuFlags.contains("fma") { return "Haswell" }
        return nil
    }

    /// ``recommendedCoreType(chosen:cpuFlags:)`` for this process: nil when `OPENBLAS_CORETYPE` is set (the user's
    /// choice wins) or the CPU's flags cannot be read (`/proc/cpuinfo`, Linux).
    public static var recommendedCoreType: String? {
        guard forcedCoreType == nil, let flags = cpuFlags else { return nil }
        return recommendedCoreType(chosen: coreName, cpuFlags: flags)
    }

    /// The first processor's flags in `/proc/cpuinfo`, or nil where there is no such file.
    public static var cpuFlags: Set<String>? {
        guard let file = fopen("/proc/cpuinfo", "r") else { return nil }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>? = nil
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0, let line {
            let text = String(cString: line)
            guard text.hasPrefix("flags") else { continue }
            guard let colon = text.firstIndex(of: ":") else { return nil }
            return Set(
                text[text.index(after: colon)...].split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
        }
        return nil
    }
}
