import Foundation
import Testing

/// `montague score`, `generate --weighted`, `eval --parser` and `experiment splits` end to end.
@Suite("montague score / generate --weighted / experiment splits")
struct WeightedGrammarCommandTests {
    static let grammars = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("grammars")

    func grammar(_ name: String) -> String { Self.grammars.appendingPathComponent(name).path }

    @Test func scorePrintsExactLogProbabilitiesAndExitsOneForANonSentence() throws {
        let executable = try MontagueExecutable.locate()
        let ok = try executable.run(["score", grammar("weighted-arithmetic.mont"), "3", "( 1 + 2 )"])
        #expect(ok.status == 0, "stderr: \(ok.standardError)")
        #expect(ok.standardOutput.contains("-2.302585\t"))  // log 0.1
        #expect(ok.standardOutput.contains("valid: 2/2"))
        let bad = try executable.run(["score", grammar("weighted-arithmetic.mont"), "( 1 + 2", "--json"])
        #expect(bad.status == 1)
        let object = try JSONSerialization.jsonObject(with: Data(bad.standardOutput.utf8))
        #expect((object as? [[String: Any]])?.first?["logProbability"] == nil)
    }

    @Test func weightedGenerationIsSeededAndErrorsAreLocated() throws {
        let executable = try MontagueExecutable.locate()
        let arguments = ["generate", grammar("weighted-english.mont"), "--weighted", "--count", "5", "--seed", "3"]
        let a = try executable.run(arguments)
        let b = try executable.run(arguments)
        #expect(a.status == 0, "stderr: \(a.standardError)")
        #expect(a.standardOutput == b.standardOutput)
        #expect(a.standardOutput.split(separator: "\n").count == 5)
        #expect(a.standardOutput.hasPrefix("IN: "))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("montague-weights-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("bad.mont")
        try "grammar B ; start N ;\ncat N : int ;\nlexicon { \"a\" : N = 1 ; }\nweights { Nope = 2 ; }\n".write(
            to: file, atomically: true, encoding: .utf8)
        let bad = try executable.run(["score", file.path, "a"])
        #expect(bad.status == 2)
        #expect(bad.standardError.contains("bad.mont:4:11: error: no rule named 'Nope'"))
    }

    @Test func evalGivesTheSameReadingsWithEitherParser() throws {
        let executable = try MontagueExecutable.locate()
        let sentence = "every dog chases a cat"
        let chart = try executable.run(["eval", grammar("english.mont"), sentence, "--json"])
        let enumeration = try executable.run([
            "eval", grammar("english.mont"), sentence, "--json", "--parser", "enumeration",
        ])
        #expect(chart.status == 0)
        #expect(chart.standardOutput == enumeration.standardOutput)
    }

    @Test func splitsReportDivergences() throws {
        let result = try MontagueExecutable.locate().run([
            "experiment", "splits", grammar("arithmetic.mont"), "--split", "mcd", "--json",
        ])
        #expect(result.status == 0, "stderr: \(result.standardError)")
        let object = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        #expect((object?["compoundDivergence"] as? Double ?? 0) > 0.1)
        #expect(object?["split"] as? String == "mcd")
    }
}
