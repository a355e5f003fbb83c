import Foundation
import Testing

@testable import Autodiff

/// `BLASRuntime` reports the OpenBLAS the kernels run on, including a kernel family forced from the environment.
@Suite("BLAS runtime report")
struct BLASRuntimeTests {
    @Test func reportsTheLoadedLibrary() {
        #expect(!BLASRuntime.coreName.isEmpty)
        #expect(BLASRuntime.configuration.contains("OpenBLAS"))
        let forced = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"]
        #expect(BLASRuntime.forcedCoreType == forced)
        if let forced, ["haswell", "skylakex", "cooperlake", "zen"].contains(forced.lowercased()) {
            #expect(BLASRuntime.coreName.lowercased() == forced.lowercased())
        }
    }
}
