import Autodiff
import Foundation
import MetaLearning
import MontagueSupport
import Testing

@Suite("Labelled rows (digits file, support/query files)")
struct LabelledRowsTests {
    static let sample = """
        # support rows end in a target, queries in '?'
        1.5, 2, 0
        -1, 0.25, 3
        0, 0, ?

        4, 5,?
        """

    @Test func parsesTargetsQueriesAndSkipsCommentsAndBlankLines() throws {
        let rows = try LabelledRows.parse(Self.sample, path: "s.csv")
        #expect(rows.count == 4)
        #expect(rows[0] == LabelledRows.Row(values: [1.5, 2], target: 0, line: 2))
        #expect(rows[2].target == nil && rows[3].line == 6)
        let (episode, classes) = try LabelledRows.episode(rows, path: "s.csv", classification: true)
        #expect(classes == [0, 3] && episode.queryInputs.shape == [2, 2])
    }

    @Test func errorsAreLocated() {
        #expect(throws: LabelledRowsError(SourceLocation(file: "f", line: 2, column: 3), "'x' is not a finite number"))
        {
            try LabelledRows.parse("1,2,3\n1,x,0", path: "f")
        }
        #expect(
            throws: LabelledRowsError(
                SourceLocation(file: "f", line: 1, column: 1), "expected 2 values before the target, found 1")
        ) {
            try LabelledRows.parse("1,3", path: "f", valuesPerRow: 2)
        }
        #expect(throws: LabelledRowsError.self) {
            try LabelledRows.labelledImages(
                LabelledRows.parse("1,2,11", path: "f"), path: "f", classCount: 10)
        }
    }

    /// Seeded mutations of a valid file: every input gives rows or a located error, never a trap.
    @Test func mutationFuzzNeverTraps() {
        var generator = RandomGenerator(seed: 2024)
        let alphabet = Array("0123456789,.-+?e#\n\r\t xnaif")
        let base = Array(Self.sample + "\n3,1,1\n2,2,?\n")
        var parsed = 0
        var rejected = 0
        for _ in 0..<600 {
            var text = base
            for _ in 0..<(1 + generator.nextInt(below: 6)) {
                let position = generator.nextInt(below: text.count + 1)
                switch generator.nextInt(below: 3) {
                case 0: text.insert(alphabet[generator.nextInt(below: alphabet.count)], at: position)
                case 1: if position < text.count { text.remove(at: position) }
                default:
                    if position < text.count { text[position] = alphabet[generator.nextInt(below: alphabet.count)] }
                }
            }
            do {
                let rows = try LabelledRows.parse(String(text), path: "fuzz")
                _ = try? LabelledRows.episode(rows, path: "fuzz", classification: true)
                _ = try? LabelledRows.episode(rows, path: "fuzz", classification: false)
                _ = try? LabelledRows.labelledImages(rows, path: "fuzz", classCount: 10)
                parsed += 1
            } catch {
                #expect(error.location?.line != nil, "errors name a line: \(error)")
                rejected += 1
            }
        }
        #expect(parsed > 0 && rejected > 0)
    }
}

/// The UCI digits from the shared data directory, found by searching upward from this file for `shared/data`.
enum SharedDigits {
    static var path: String? {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        for _ in 0..<8 {
            let candidate = directory.appendingPathComponent("shared/data/digits/digits.csv.gz")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate.path }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }

    /// TEMPORARY (until the Generative module's digits loader is wired in): decompresses with the system gzip and
    /// parses the 64 pixels + class rows.
    static func load() throws -> (images: [[Float]], labels: [Int])? {
        guard let path else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/gzip")
        process.arguments = ["-dc", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let rows = try LabelledRows.parse(String(decoding: data, as: UTF8.self), path: path, valuesPerRow: 64)
        return try LabelledRows.labelledImages(rows, path: path, classCount: 10)
    }
}

@Suite("The UCI digits as few-shot and continual tasks")
struct DigitsDataTests {
    @Test(.enabled(if: SharedDigits.path != nil, "the digits file (shared/data/digits/digits.csv.gz) is absent"))
    func digitsGiveFortyClassesWithEnoughImagesForFiveShotEpisodes() throws {
        let loaded = try #require(try SharedDigits.load())
        #expect(loaded.images.count == 1797)
        let classes = RotatedDigitClasses(images: loaded.images, labels: loaded.labels)
        #expect(classes.smallestClassSize >= 20)
        var generator = RandomGenerator(seed: 1)
        let episode = classes.sampleEpisode(way: 5, shot: 5, queryPerClass: 15, forTesting: true, using: &generator)
        #expect(episode.supportInputs.shape == [25, 64] && episode.queryInputs.shape == [75, 64])
        #expect(episode.supportInputs.scalars.allSatisfy { (0...1).contains($0) })
    }
}
