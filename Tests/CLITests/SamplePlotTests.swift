import Foundation
import Testing

/// `--svg` of `montague sample` and `montague gmm fit` writes a Plotting chart.
@Suite("montague sample / gmm fit --svg")
struct SamplePlotTests {
    @Test func sampleWritesAHistogramWithTicksAndTheExactDensity() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("montague-svg-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("normal.svg").path
        let result = try MontagueExecutable.locate().run([
            "sample", "normal", "--n", "1000", "--seed", "1", "--svg", path,
        ])
        #expect(result.status == 0, "stderr: \(result.standardError)")
        #expect(result.standardOutput.contains("histogram: \(path)"))
        let svg = try String(contentsOfFile: path, encoding: .utf8)
        #expect(svg.hasPrefix("<?xml") && svg.contains("<svg") && svg.hasSuffix("</svg>\n"))
        #expect(svg.contains(">normal n=1000 seed=1</text>"))
        #expect(svg.components(separatedBy: #"<rect class="bar""#).count - 1 == 40)
        #expect(svg.contains(#"<polyline class="curve""#) && svg.contains("exact density"))
        #expect(svg.contains(#"stroke="gainsboro""#) && svg.contains(">value</text>"))
    }

    @Test func discreteSamplesGetOneBarPerIntegerAndTheExactProbabilities() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("montague-svg-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("poisson.svg").path
        let result = try MontagueExecutable.locate().run([
            "sample", "poisson", "--n", "500", "--params", "3", "--seed", "2", "--svg", path,
        ])
        #expect(result.status == 0, "stderr: \(result.standardError)")
        let svg = try String(contentsOfFile: path, encoding: .utf8)
        // Unit-wide bins centred on the integers from the smallest draw (0 for Poisson(3) and 500 draws) up.
        #expect(svg.contains("<title>[-0.5, 0.5): "))
        #expect(svg.contains(#"class="curve""#) && svg.contains("exact probability"))
        let bars = svg.components(separatedBy: #"<rect class="bar""#).count - 1
        #expect((8...20).contains(bars), "\(bars) bars")
    }

    @Test func gmmFitWritesALineChartTrace() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("montague-svg-gmm-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var rows: [String] = []
        for i in 0..<30 {
            let jitter = Double(i % 5) * 0.1
            rows.append(i.isMultiple(of: 2) ? "\(-3 + jitter),\(-3 - jitter)" : "\(3 - jitter),\(3 + jitter)")
        }
        let points = directory.appendingPathComponent("points.csv")
        try (rows.joined(separator: "\n") + "\n").write(to: points, atomically: true, encoding: .utf8)
        let path = directory.appendingPathComponent("trace.svg").path
        let result = try MontagueExecutable.locate().run([
            "gmm", "fit", points.path, "--k", "2", "--seed", "1", "--svg", path,
        ])
        #expect(result.status == 0, "stderr: \(result.standardError)")
        let svg = try String(contentsOfFile: path, encoding: .utf8)
        #expect(svg.hasPrefix("<?xml") && svg.contains(">EM mean log-likelihood</text>"))
        #expect(svg.contains(">iteration</text>") && svg.contains("<title>mean log-likelihood</title>"))
    }
}
