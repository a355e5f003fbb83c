import Foundation
import Testing

/// `montague plot` end to end.
@Suite("montague plot")
struct PlotCommandTests {
    private static let log = """
        {"phase":"train","step":1,"epoch":0,"wall_time":0.1,"metrics":{"loss":2.5,"accuracy":0.2}}
        {"phase":"train","step":2,"epoch":0,"wall_time":0.2,"metrics":{"loss":1.25,"accuracy":0.4}}
        {"phase":"eval","step":2,"epoch":0,"wall_time":0.25,"metrics":{"loss":1.5}}
        {"phase":"train","step":3,"epoch":1,"wall_time":0.3,"metrics":{"loss":0.5,"accuracy":0.7}}

        """

    private func withDirectory(_ body: (URL) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("montague-plot-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try body(directory)
    }

    @Test func plotsTheSelectedMetricsAsSVG() throws {
        try withDirectory { directory in
            let log = directory.appendingPathComponent("run.jsonl")
            try Self.log.write(to: log, atomically: true, encoding: .utf8)
            let output = directory.appendingPathComponent("loss.svg")
            let executable = try MontagueExecutable.locate()
            let result = try executable.run(["plot", log.path, "--metrics", "loss", "-o", output.path])
            #expect(result.status == 0, "stderr: \(result.standardError)")
            #expect(result.standardOutput.contains("2 series (loss (train), loss (eval))"))
            let svg = try String(contentsOf: output, encoding: .utf8)
            #expect(svg.hasPrefix("<?xml") && svg.hasSuffix("</svg>\n"))
            #expect(svg.contains("<title>loss (train)</title>") && svg.contains("<title>loss (eval)</title>"))
            #expect(!svg.contains("accuracy"))

            let all = directory.appendingPathComponent("all.svg")
            let both = try executable.run([
                "plot", log.path, "--metrics", "loss,accuracy", "--x", "epoch", "--log-scale", "--title", "a<b",
                "--output", all.path,
            ])
            #expect(both.status == 0, "stderr: \(both.standardError)")
            let allSVG = try String(contentsOf: all, encoding: .utf8)
            #expect(allSVG.contains("<title>accuracy</title>") && allSVG.contains(">a&lt;b</text>"))
            #expect(allSVG.contains(">epoch</text>"))
        }
    }

    @Test func defaultsToLossLikeMetricsAndDrawsSeveralRuns() throws {
        try withDirectory { directory in
            let first = directory.appendingPathComponent("lr-small.jsonl")
            let second = directory.appendingPathComponent("lr-large.jsonl")
            try Self.log.write(to: first, atomically: true, encoding: .utf8)
            try
                (Self.log
                + #"{"phase":"test","step":3,"epoch":1,"wall_time":0.4,"metrics":{"correct":900,"total":1000}}"#
                + "\n").write(to: second, atomically: true, encoding: .utf8)
            let output = directory.appendingPathComponent("both.svg")
            let result = try MontagueExecutable.locate().run(["plot", first.path, second.path, "-o", output.path])
            #expect(result.status == 0, "stderr: \(result.standardError)")
            #expect(result.standardOutput.contains("4 series"), "\(result.standardOutput)")
            let svg = try String(contentsOf: output, encoding: .utf8)
            #expect(svg.contains("<title>lr-small: loss (train)</title>"))
            #expect(svg.contains("<title>lr-large: loss (eval)</title>"))
            #expect(!svg.contains("correct") && !svg.contains("accuracy"))
        }
    }

    @Test func badInputExitsTwoWithFileAndLine() throws {
        try withDirectory { directory in
            let executable = try MontagueExecutable.locate()
            let bad = directory.appendingPathComponent("bad.jsonl")
            try "{\"step\":1,\"metrics\":{\"loss\":1}}\nnot json\n".write(to: bad, atomically: true, encoding: .utf8)
            let output = directory.appendingPathComponent("out.svg")
            let broken = try executable.run(["plot", bad.path, "-o", output.path])
            #expect(broken.status == 2)
            #expect(broken.standardError.contains("bad.jsonl:2: error: not valid JSON"))
            #expect(!FileManager.default.fileExists(atPath: output.path))

            let good = directory.appendingPathComponent("run.jsonl")
            try Self.log.write(to: good, atomically: true, encoding: .utf8)
            let unknown = try executable.run(["plot", good.path, "--metrics", "bleu", "-o", output.path])
            #expect(unknown.status == 2 && unknown.standardError.contains("no metric 'bleu'"))
            let badAxis = try executable.run(["plot", good.path, "--x", "time", "-o", output.path])
            #expect(badAxis.status == 2 && badAxis.standardError.contains("--x"))
            let missing = try executable.run(["plot", directory.appendingPathComponent("none.jsonl").path, "-o", "x"])
            #expect(missing.status == 2 && missing.standardError.contains("none.jsonl: error"))
            let unwritable = directory.appendingPathComponent("no-such-dir/out.svg")
            let write = try executable.run(["plot", good.path, "-o", unwritable.path])
            #expect(write.status == 2 && write.standardError.contains("cannot write"))
        }
    }
}
