import CBLAS
import Testing

/// OpenBLAS is reachable through the `CBLAS` system-library target and computes what the textbook says.
@Suite("System library: OpenBLAS through CBLAS")
struct OpenBLASTests {
    @Test func sgemmMultipliesTwoByThreeByThreeByTwo() {
        // A = [[1, 2, 3], [4, 5, 6]], B = [[7, 8], [9, 10], [11, 12]], row-major.
        let a: [Float] = [1, 2, 3, 4, 5, 6]
        let b: [Float] = [7, 8, 9, 10, 11, 12]
        var c: [Float] = [-1, -1, -1, -1]  // beta = 0 must overwrite, not accumulate
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    cblas_sgemm(
                        CblasRowMajor, CblasNoTrans, CblasNoTrans,
                        2, 2, 3, 1,
                        pa.baseAddress, 3,
                        pb.baseAddress, 2,
                        0, pc.baseAddress, 2)
                }
            }
        }
        // By hand: [1·7+2·9+3·11, 1·8+2·10+3·12; 4·7+5·9+6·11, 4·8+5·10+6·12].
        #expect(c == [58, 64, 139, 154])
    }

    @Test func sgemmHonoursTransposeAndScaling() {
        // Aᵀ stored as [3, 2]: Aᵀ = [[1, 4], [2, 5], [3, 6]]; C = 2 · A · B + 1 · C.
        let aTransposed: [Float] = [1, 4, 2, 5, 3, 6]
        let b: [Float] = [7, 8, 9, 10, 11, 12]
        var c: [Float] = [1, 1, 1, 1]
        aTransposed.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    cblas_sgemm(
                        CblasRowMajor, CblasTrans, CblasNoTrans,
                        2, 2, 3, 2,
                        pa.baseAddress, 2,
                        pb.baseAddress, 2,
                        1, pc.baseAddress, 2)
                }
            }
        }
        #expect(c == [117, 129, 279, 309])
    }

    @Test func threadCountIsQueryable() {
        // Only queried: changing OpenBLAS's global thread count here would race with sgemm calls of tests running
        // in parallel. Benchmarks set it through OPENBLAS_NUM_THREADS and `openblas_set_num_threads`.
        #expect(openblas_get_num_threads() >= 1)
        #expect(openblas_get_num_procs() >= 1)
        let configuration = String(cString: openblas_get_config())
        #expect(configuration.contains("OpenBLAS"), "openblas_get_config() = \(configuration)")
    }
}
