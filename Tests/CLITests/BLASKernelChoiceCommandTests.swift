import Foundation
import Testing

/// `montague` runs itself again with `OPENBLAS_CORETYPE` set when OpenBLAS picked kernels older than the CPU
/// (OpenBLAS reports its choice on standard output with `OPENBLAS_VERBOSE=2`, once per load).
@Suite("montague and OpenBLAS's kernel family")
struct BLASKernelChoiceCommandTests {
    static let modern: Set<String> = ["haswell", "zen", "skylakex", "cooperlake", "sapphirerapids", "excavator"]

    /// The "Core: NAME" lines and the output of `montague --version` run with `environment`.
    static func coreLines(environment: [String: String]) throws -> (cores: [String], output: String, status: Int32) {
        let executable = try MontagueExecutable.locate()
        let process = Process()
        process.executableURL = executable.url
        process.arguments = ["--version"]
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let output = String(decoding: data, as: UTF8.self)
        let cores = output.split(separator: "\n").compactMap { line -> String? in
            line.hasPrefix("Core: ") ? String(line.dropFirst(6)).trimmingCharacters(in: .whitespaces) : nil
        }
        return (cores, output, process.terminationStatus)
    }

    static var cpuFlags: Set<String> {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
            let colon = line.firstIndex(of: ":")
        else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }

    @Test func oldKernelsAreReplacedOnANewerCPU() throws {
        var environment = ProcessInfo.processInfo.environment
        environment["OPENBLAS_CORETYPE"] = nil
        environment["OPENBLAS_VERBOSE"] = "2"
        let run = try Self.coreLines(environment: environment)
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.components(separatedBy: "0.1.0").count == 2, "\(run.output)")
        guard let first = run.cores.first else { return }  // an OpenBLAS that does not report its core
        let flags = Self.cpuFlags
        if !Self.modern.contains(first.lowercased()) && flags.contains("avx2") && flags.contains("fma") {
            #expect(run.cores.count == 2, "\(run.output)")
            #expect(Self.modern.contains(run.cores.last?.lowercased() ?? ""), "\(run.output)")
        } else {
            #expect(run.cores.count == 1, "\(run.output)")
        }
    }

    @Test func aFamilyTheUserSetIsKept() throws {
        var environment = ProcessInfo.processInfo.environment
        environment["OPENBLAS_CORETYPE"] = "Haswell"
        environment["OPENBLAS_VERBOSE"] = "2"
        let run = try Self.coreLines(environment: environment)
        #expect(run.status == 0, "\(run.output)")
        if !run.cores.isEmpty {
            #expect(run.cores == ["Haswell"], "\(run.output)")
        }
    }
}
