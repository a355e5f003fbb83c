import Testing

/// End-to-end tests of the `montague` executable: arguments in, output and exit status out.
@Suite("montague command line")
struct MontagueCommandTests {
    @Test func helpDescribesTheToolAndExitsZero() throws {
        let result = try MontagueExecutable.locate().run(["--help"])
        #expect(result.status == 0, "stderr: \(result.standardError)")
        #expect(result.standardOutput.contains("OVERVIEW: Compositional semantics and NLP in Swift."))
        #expect(result.standardOutput.contains("USAGE: montague"))
        #expect(result.standardOutput.contains("--version"))
        #expect(result.standardError.isEmpty)
    }

    @Test func versionPrintsReleaseNumber() throws {
        let result = try MontagueExecutable.locate().run(["--version"])
        #expect(result.status == 0, "stderr: \(result.standardError)")
        #expect(result.standardOutput == "0.1.0\n")
    }

    @Test(arguments: [["--no-such-flag"], ["unexpected-argument"]])
    func usageErrorExitsTwoWithMessageOnStandardError(arguments: [String]) throws {
        let result = try MontagueExecutable.locate().run(arguments)
        #expect(result.status == 2)
        #expect(result.standardError.contains("Error:"))
        #expect(result.standardError.contains(arguments[0]))
        #expect(result.standardError.contains("montague --help"))
        #expect(result.standardOutput.isEmpty)
    }

    @Test func demoTrainsXORAndReportsTheLoss() throws {
        let result = try MontagueExecutable.locate().run(["demo", "--steps", "300", "--report-every", "100"])
        #expect(result.status == 0, "stderr: \(result.standardError)")
        #expect(result.standardOutput.contains("step 100\tloss "))
        #expect(result.standardOutput.contains("step 300\tloss "))
        #expect(result.standardOutput.contains("accuracy 100%"))
    }

    @Test(arguments: [["demo", "--steps", "-3"], ["demo", "--hidden", "0"], ["demo", "--learning-rate", "abc"]])
    func demoRejectsBadOptionsWithExitTwo(arguments: [String]) throws {
        let result = try MontagueExecutable.locate().run(arguments)
        #expect(result.status == 2)
        #expect(result.standardError.contains("Error:"))
    }
}
