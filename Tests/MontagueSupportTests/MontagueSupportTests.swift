import Foundation
import MontagueSupport
import Testing

@Suite("MontagueSupport")
struct MontagueSupportTests {
    @Test("SplitMix64 reproduces the reference sequence and bounded draws are uniform")
    func splitMix() {
        // First outputs of SplitMix64 seeded with 1234567 (Vigna's splitmix64.c).
        var generator = SplitMix64(seed: 1_234_567)
        #expect(generator.next() == 6_457_827_717_110_365_317)
        #expect(generator.next() == 3_203_168_211_198_807_973)
        var counts = [Int](repeating: 0, count: 3)
        var draws = SplitMix64(seed: 9)
        for _ in 0..<30_000 { counts[draws.nextInt(below: 3)] += 1 }
        // Chi-square with 2 degrees of freedom; 13.8 is the 0.999 quantile.
        let chiSquare = counts.reduce(0.0) { $0 + pow(Double($1) - 10_000, 2) / 10_000 }
        #expect(chiSquare < 13.8)
    }

    @Test("AtomicFile replaces the file whole and reports an unwritable destination")
    func atomicFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("support-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("out.txt")
        try AtomicFile.write("first", to: url)
        try AtomicFile.write("second", to: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == "second")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["out.txt"])
        let missing = directory.appendingPathComponent("no/such/dir/out.txt")
        #expect(throws: FileWriteError.self) { try AtomicFile.write("x", to: missing) }
    }

    @Test("Located errors print file:line:column: error:")
    func locatedError() {
        let error = InputError("bad value", at: SourceLocation(file: "g.mont", line: 3, column: 7))
        #expect(error.description == "g.mont:3:7: error: bad value")
        #expect(InputError("no location").description == "error: no location")
    }

    @Test("Escapers")
    func escapers() {
        #expect(Escaping.jsonString("a\"b\\c\n\u{01}") == #""a\"b\\c\n\u0001""#)
        #expect(Escaping.xml("<a & 'b'>\u{01}") == "&lt;a &amp; &apos;b&apos;&gt;")
        #expect(Escaping.xml("a\u{01}b\u{FFFE}", replacingInvalidWith: "\u{FFFD}") == "a\u{FFFD}b\u{FFFD}")
        #expect(Escaping.visible("\u{FEFF}x\u{0}") == "\\u{FEFF}x\\u{0}")
    }

    @Test("JSONValue round-trips an Encodable")
    func jsonValue() throws {
        struct Settings: Codable, Equatable {
            var hidden: Int
            var cell: String
            var rates: [Double]
        }
        let settings = Settings(hidden: 32, cell: "gru", rates: [0.5, 1e-3])
        let value = try JSONValue(encoding: settings)
        #expect(value["hidden"]?.intValue == 32)
        #expect(value["cell"]?.stringValue == "gru")
        #expect(try value.decode(Settings.self) == settings)
    }
}
