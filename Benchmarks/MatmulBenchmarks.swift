import Autodiff
import CBLAS

/// Square single-precision matrix products: `Tensor.matmul` against a direct `cblas_sgemm` on the same data.
///
/// Target (bench/compare.py): Montague ≥ 0.95× direct cblas, i.e. the tensor layer adds at most 5% (output
/// allocation, shape checks) to the BLAS call. `2n³` operations per product.
enum MatmulBenchmarks {
    /// The sizes measured by `make bench`.
    static let sizes = [256, 512, 1024, 2048]

    /// The case name shared with bench/pytorch_reference.py.
    static func caseName(size: Int) -> String { "sgemm n=\(size)" }

    /// One entry per size.
    static var entries: [BenchmarkEntry] {
        sizes.map { size in BenchmarkEntry(name: caseName(size: size)) { sgemmCase(size: size) } }
    }

    /// `C = A·B` for `n×n` matrices of standard normal entries (seeded).
    static func sgemmCase(size n: Int) -> BenchmarkCase {
        var generator = RandomGenerator(seed: UInt64(n))
        let a = Tensor.normal([n, n], using: &generator)
        let b = Tensor.normal([n, n], using: &generator)
        let operations = 2 * Double(n) * Double(n) * Double(n)

        let montague = BenchmarkVariant(implementation: "montague", unitsPerIteration: operations) {
            blackHole(a.matmul(b))
        }

        // The direct call writes into one preallocated buffer: the best a caller of OpenBLAS can do.
        let output = DirectOutput(count: n * n)
        let aScalars = a.scalars
        let bScalars = b.scalars
        let cblas = BenchmarkVariant(implementation: "cblas", unitsPerIteration: operations) {
            aScalars.withUnsafeBufferPointer { pa in
                bScalars.withUnsafeBufferPointer { pb in
                    cblas_sgemm(
                        CblasRowMajor, CblasNoTrans, CblasNoTrans,
                        Int32(n), Int32(n), Int32(n), 1,
                        pa.baseAddress, Int32(n),
                        pb.baseAddress, Int32(n),
                        0, output.pointer.baseAddress, Int32(n))
                }
            }
            blackHole(output.pointer[0])
        }
        return BenchmarkCase(name: caseName(size: n), metric: .gigaflopsPerSecond, variants: [montague, cblas])
    }
}

/// A buffer the direct sgemm writes into, allocated once per case and freed with it.
final class DirectOutput {
    let pointer: UnsafeMutableBufferPointer<Float>

    init(count: Int) {
        pointer = .allocate(capacity: count)
        pointer.initialize(repeating: 0)
    }

    deinit { pointer.deallocate() }
}
