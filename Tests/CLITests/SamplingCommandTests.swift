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

    @Test(arguments: [
        ["sample", "no-such-distribution"], ["sample", "normal", "--params", "0,-1"],
        ["sample", "gamma", "--params", "1"],
        ["sample", "gamma", "--params", "1,2,3"], ["sample", "beta", "--params", "2"],
        ["sample", "normal", "--n", "0"],
        ["sample", "normal", "--params", "1,x"],
    ])
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
            "gmm", "vb", points.path, "--k", "4", "--alpha", "0.01", "--seed", "1", "--weight-threshold", "0",
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

/// `sample --output`, negative parameters, and the outputs of `gmm fit` / `gmm vb`.
@Suite("montague sample / gmm outputs")
struct SamplingOutputTests {
    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("montague-out-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test func negativeParametersAndDrawFiles() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let executable = try MontagueExecutable.locate()
        let csv = directory.appendingPathComponent("draws.csv")
        let result = try executable.run(["sample", "uniform", "--params", "-1,1", "--n", "50", "--output", csv.path])
        #expect(result.status == 0, "stderr: \(result.standardError)")
        let lines = try String(contentsOf: csv, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 51 && lines[0] == "value")
        #expect(lines.dropFirst().allSatisfy { (Double($0) ?? 9) >= -1 && (Double($0) ?? 9) < 1 })
        #expect(lines.dropFirst().contains { (Double($0) ?? 0) < 0 })

        let npy = directory.appendingPathComponent("draws.npy")
        #expect(try executable.run(["sample", "normal", "--n", "7", "--output", npy.path]).status == 0)
        let data = try Data(contentsOf: npy)
        #expect(data.prefix(6) == Data([0x93] + Array("NUMPY".utf8)))
        let headerLength = Int(data[8]) | Int(data[9]) << 8
        #expect((10 + headerLength) % 64 == 0)
        #expect(data.count == 10 + headerLength + 7 * 8)
        #expect(String(decoding: data[10..<(10 + headerLength)], as: UTF8.self).contains("'shape': (7,)"))

        let unwritable = try executable.run(["sample", "normal", "--output", "/nonexistent-dir/x.csv"])
        #expect(unwritable.status == 2 && unwritable.standardError.hasPrefix("/nonexistent-dir/x.csv: error: "))
    }

    static func clusters(_ count: Int) -> String {
        var rows = ["x,y"]
        for i in 0..<count {
            let jitter = Double(i % 7) * 0.1 - 0.3
            rows.append(i.isMultiple(of: 2) ? "\(-5 + jitter),\(-5 - jitter)" : "\(5 - jitter),\(5 + jitter)")
        }
        return rows.joined(separator: "\n") + "\n"
    }

    @Test func gmmFitSavesModelAssignmentsAndCriteriaAndTakesAPinnedStart() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let points = directory.appendingPathComponent("points.csv")
        try Self.clusters(40).write(to: points, atomically: true, encoding: .utf8)
        let model = directory.appendingPathComponent("gmm.json")
        let labels = directory.appendingPathComponent("labels.csv")
        let executable = try MontagueExecutable.locate()
        let fit = try executable.run([
            "gmm", "fit", points.path, "--k", "2", "--n-init", "3", "--save", model.path, "--assignments", labels.path,
        ])
        #expect(fit.status == 0, "stderr: \(fit.standardError)")
        #expect(fit.standardOutput.contains("BIC: ") && fit.standardOutput.contains("AIC: "))
        #expect(fit.standardOutput.contains("best of 3 restarts"))
        let assigned = try String(contentsOf: labels, encoding: .utf8).split(separator: "\n").dropFirst()
        #expect(assigned.count == 40)
        // Alternating rows belong to alternating clusters.
        #expect(assigned.enumerated().allSatisfy { ($0.element == assigned.first) == $0.offset.isMultiple(of: 2) })
        let saved = try JSONSerialization.jsonObject(with: Data(contentsOf: model)) as? [String: Any]
        #expect(saved?["precisions"] != nil && saved?["bic"] != nil)

        // The saved file is a valid pinned initialization (weights, means, precisions).
        let pinned = try executable.run(["gmm", "fit", points.path, "--k", "2", "--init", model.path])
        #expect(pinned.status == 0, "stderr: \(pinned.standardError)")
        #expect(pinned.standardOutput.contains("weight 0.5000"))
        let tooMany = try executable.run(["gmm", "fit", points.path, "--k", "50"])
        #expect(tooMany.status == 2 && tooMany.standardError.hasPrefix(points.path + ": error: "))
        let wrongK = try executable.run(["gmm", "fit", points.path, "--k", "3", "--init", model.path])
        #expect(wrongK.status == 2 && wrongK.standardError.contains("gmm.json: error:"))
        let bad = directory.appendingPathComponent("bad.json")
        try #"{"weights": [1], "means": [[0, 0]], "precisions": [[[1, 2], [2, 1]]]}"#.write(
            to: bad, atomically: true, encoding: .utf8)
        let notDefinite = try executable.run(["gmm", "fit", points.path, "--k", "1", "--init", bad.path])
        #expect(notDefinite.status == 2 && notDefinite.standardError.contains("not positive definite"))
    }

    @Test func gmmVBReportsOnlyComponentsAboveTheThreshold() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let points = directory.appendingPathComponent("points.csv")
        try Self.clusters(60).write(to: points, atomically: true, encoding: .utf8)
        let model = directory.appendingPathComponent("vb.json")
        let result = try MontagueExecutable.locate().run([
            "gmm", "vb", points.path, "--k", "5", "--alpha", "0.01", "--seed", "1", "--save", model.path,
        ])
        #expect(result.status == 0, "stderr: \(result.standardError)")
        #expect(result.standardOutput.contains("components above weight 0.01: 2 of 5"))
        #expect(result.standardOutput.split(separator: "\n").filter { $0.hasPrefix("component ") }.count == 2)
        #expect(FileManager.default.fileExists(atPath: model.path))
    }
}
