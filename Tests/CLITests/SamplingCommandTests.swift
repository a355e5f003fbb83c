import Foundation
import Testing

/// `montague sample` and `montague gmm fit` end to end.
@Suite("montague sample / gmm fit")
struct SamplingCommandTests {
    @Test func sampleIsDeterministicGivenASeed() throws {
        let executable = try MontagueExecutable.locate()
        let first = try executable.run(["sample", "normal", "--n", "20000", "--params", "1,2", "--seed", "7"])
        let second = try executable.run(["sample", "normal", "--n", "20000", "--params", "1,2", "--seed", "7"])
        #expect(first.status == 0, "stderr: \(first.standardError)")
        #expect(first.standardOutput == second.standardOutput)
        #expect(first.standardOutput.lowercased().contains("mean"))
        let other = try executable.run(["sample", "normal", "--n", "20000", "--params", "1,2", "--seed", "8"])
        #expect(other.standardOutput != first.standardOutput)
    }

    @Test(arguments: [["sample", "no-such-distribution"], ["sample", "normal", "--params", "0,-1"]])
    func badSampleArgumentsExitTwo(arguments: [String]) throws {
        let result = try MontagueExecutable.locate().run(arguments)
        #expect(result.status == 2)
        #expect(!result.standardError.isEmpty)
    }

    @Test func gmmFitsTwoSeparatedClustersAndRejectsBadRows() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("montague-gmm-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var rows = ["x,y"]
        for i in 0..<40 {
            let jitter = Double(i % 7) * 0.05
            rows.append(i.isMultiple(of: 2) ? "\(-5 + jitter),\(-5 - jitter)" : "\(5 - jitter),\(5 + jitter)")
        }
        let points = directory.appendingPathComponent("points.csv")
        try (rows.joined(separator: "\n") + "\n").write(to: points, atomically: true, encoding: .utf8)
        let executable = try MontagueExecutable.locate()
        let fit = try executable.run(["gmm", "fit", points.path, "--k", "2", "--covariance", "diag", "--seed", "1"])
        #expect(fit.status == 0, "stderr: \(fit.standardError)")
        #expect(fit.standardOutput.contains("weight 0.5000  mean [-4.8"))  // one cluster at (−5, −5) …
        #expect(fit.standardOutput.contains("weight 0.5000  mean [4.8"))  // … and one at (5, 5), equal weights

        let bad = directory.appendingPathComponent("bad.csv")
        try "1,2\n3,oops\n".write(to: bad, atomically: true, encoding: .utf8)
        let failure = try executable.run(["gmm", "fit", bad.path])
        #expect(failure.status == 2)
        #expect(failure.standardError.contains("bad.csv"))
    }

    @Test func gmmVariationalBayesFindsTwoClustersAndEmptiesTheRest() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("montague-gmm-vb-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var rows: [String] = []
        for i in 0..<60 {
            let jitter = Double(i % 7) * 0.1 - 0.3
            rows.append(i.isMultiple(of: 2) ? "\(-5 + jitter),\(-5 - jitter)" : "\(5 - jitter),\(5 + jitter)")
        }
        let points = directory.appendingPathComponent("points.csv")
        try (rows.joined(separator: "\n") + "\n").write(to: points, atomically: true, encoding: .utf8)
        let result = try MontagueExecutable.locate().run([
            "gmm", "vb", points.path, "--k", "4", "--alpha", "0.01", "--seed", "1",
        ])
        #expect(result.status == 0, "stderr: \(result.standardError)")
        let weights = result.standardOutput.split(separator: "\n").filter { $0.hasPrefix("component") }.compactMap {
            line -> Double? in
            guard let range = line.range(of: "E[weight] ") else { return nil }
            return Double(line[range.upperBound...].prefix(6))
        }
        #expect(weights.count == 4)
        #expect(weights.filter { $0 > 0.4 }.count == 2 && weights.filter { $0 < 0.05 }.count == 2, "\(weights)")
        #expect(result.standardOutput.contains("ELBO"))
    }

    @Test(arguments: [["gamma", "2.5,1.5"], ["beta", "2,5"]])
    func inverseTransformSamplingPassesItsKSCheck(arguments: [String]) throws {
        let result = try MontagueExecutable.locate().run([
            "sample", arguments[0], "--n", "4000", "--params", arguments[1], "--seed", "3", "--inverse-transform",
        ])
        #expect(result.status == 0, "stderr: \(result.standardError)")
        let line = try #require(result.standardOutput.split(separator: "\n").first { $0.hasPrefix("KS statistic") })
        let numbers = line.split(separator: " ").compactMap {
            Double($0.trimmingCharacters(in: .punctuationCharacters))
        }
        let statistic = try #require(numbers.first)
        let critical = try #require(numbers.last)
        #expect(statistic < critical, "\(line)")
    }

    @Test func inverseTransformOfADiscreteDistributionExitsTwo() throws {
        let result = try MontagueExecutable.locate().run(["sample", "poisson", "--inverse-transform"])
        #expect(result.status == 2)
    }
}
