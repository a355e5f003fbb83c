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

/// The kernel family Montague's command-line tool forces when OpenBLAS does not know the CPU.
@Suite("BLAS kernel family advice")
struct BLASCoreTypeAdviceTests {
    static let avx512: Set<String> = ["sse3", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512dq", "avx512vl"]

    @Test func oldKernelsOnANewerCPUGetItsFamily() {
        #expect(BLASRuntime.recommendedCoreType(chosen: "Prescott", cpuFlags: Self.avx512) == "SkylakeX")
        #expect(
            BLASRuntime.recommendedCoreType(chosen: "Prescott", cpuFlags: Self.avx512.union(["avx512_bf16"]))
                == "Cooperlake")
        #expect(BLASRuntime.recommendedCoreType(chosen: "Nehalem", cpuFlags: ["sse3", "avx2", "fma"]) == "Haswell")
        // AVX-512 without VL is not enough for the SkylakeX kernels.
        #expect(
            BLASRuntime.recommendedCoreType(chosen: "Prescott", cpuFlags: ["avx2", "fma", "avx512f", "avx512bw"])
                == "Haswell")
    }

    @Test func aModernChoiceOrAnOldCPUIsKept() {
        for chosen in ["Haswell", "SkylakeX", "Cooperlake", "Zen", "SapphireRapids"] {
            #expect(BLASRuntime.recommendedCoreType(chosen: chosen, cpuFlags: Self.avx512) == nil)
        }
        #expect(BLASRuntime.recommendedCoreType(chosen: "Prescott", cpuFlags: ["sse3", "avx"]) == nil)
        #expect(BLASRuntime.recommendedCoreType(chosen: "Prescott", cpuFlags: ["avx2"]) == nil)  // no FMA
    }

    @Test func thisProcessFollowsTheRule() {
        if BLASRuntime.forcedCoreType != nil {
            #expect(BLASRuntime.recommendedCoreType == nil)
        } else if let flags = BLASRuntime.cpuFlags {
            #expect(!flags.isEmpty)
            #expect(
                BLASRuntime.recommendedCoreType
                    == BLASRuntime.recommendedCoreType(chosen: BLASRuntime.coreName, cpuFlags: flags))
        }
    }
}
