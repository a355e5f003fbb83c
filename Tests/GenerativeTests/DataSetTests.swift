import Foundation
import NeuralNet
import Testing

@testable import Generative

/// Toy distributions, point and digits CSV, the gzip reader, and mutation fuzzing of the parsers.
@Suite("Data sets: toys, CSV points, digits, gzip")
struct DataSetTests {
    @Test func toysAreSeededAndSitOnTheirModes() {
        #expect(ToyDistribution.ring8.sample(count: 50, seed: 3) == ToyDistribution.ring8.sample(count: 50, seed: 3))
        #expect(ToyDistribution.ring8.sample(count: 50, seed: 3) != ToyDistribution.ring8.sample(count: 50, seed: 4))
        #expect(ToyDistribution.ring8.modes.count == 8 && ToyDistribution.grid25.modes.count == 25)
        for toy in [ToyDistribution.ring8, .grid25] {
            let samples = toy.sample(count: 2000, seed: 1)
            let coverage = ModeCoverage.measure(
                samples: samples, modes: toy.modes, standardDeviation: toy.standardDeviation)
            #expect(coverage.modesCaptured == toy.modes.count)
            #expect(coverage.highQualityFraction > 0.97)  // 3σ in 2-D holds 98.9%
            #expect(coverage.reverseKL < 0.05)
        }
        let roll = ToyDistribution.swissroll.sample(count: 500, seed: 1)
        let radii = (0..<roll.count).map { i in
            Double(roll.point(i)[0] * roll.point(i)[0] + roll.point(i)[1] * roll.point(i)[1]).squareRoot()
        }
        #expect((radii.min() ?? 0) > 0.8 && (radii.max() ?? 9) < 3.0)
    }

    @Test func pointsCSVParsesWithHeaderAndReportsLocations() throws {
        let points = try PointSet.parseCSV("x,y\n1,2\n\n# comment\n3.5, -4\n", path: "p.csv")
        #expect(points.dimension == 2 && points.values == [1, 2, 3.5, -4])
        #expect(PointSet(dimension: 2, values: [1, 2, 3.5, -4]).csv() == "1.0,2.0\n3.5,-4.0\n")
        #expect(throws: DataSetError(path: "p.csv", line: 2, column: 3, "'oops' is not a finite number")) {
            try PointSet.parseCSV("1,2\n3,oops\n", path: "p.csv")
        }
        #expect(throws: DataSetError(path: "p.csv", line: 2, column: 1, "3 values, expected 2 as above")) {
            try PointSet.parseCSV("1,2\n3,4,5\n", path: "p.csv")
        }
        #expect(throws: DataSetError.self) { try PointSet.parseCSV("x,y\n", path: "p.csv") }
        #expect(throws: DataSetError.self) { try PointSet.parseCSV("1,nan\n", path: "p.csv") }
    }

    @Test func gzipReaderDecodesStoredFixedAndDynamicBlocks() throws {
        let stored = try GzipStream.decompress(GzipFixtures.storedPoints, path: "s.gz")
        #expect(String(decoding: stored, as: UTF8.self) == "1.5,2\n-3,4\n")
        let fixed = try GzipStream.decompress(GzipFixtures.fixedPoints, path: "f.gz")
        #expect(String(decoding: fixed, as: UTF8.self) == "0.25,1\n0.25,1\n0.25,1\n")
        let random = try GzipStream.decompress(GzipFixtures.randomText, path: "r.gz")
        #expect(random.count == GzipFixtures.randomTextLength)
        #expect(random.reduce(0) { $0 + Int($1) } == GzipFixtures.randomTextByteSum)
        let digits = try GzipStream.decompress(GzipFixtures.digitsLines, path: "d.gz")
        #expect(String(decoding: digits, as: UTF8.self) == String(repeating: GzipFixtures.digitsLine + "\n", count: 3))
    }

    @Test func digitsParseFromCompressedAndPlainFiles() throws {
        let path = try temporaryFile(GzipFixtures.digitsLines, suffix: ".csv.gz")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let digits = try DigitsDataset.load(path: path)
        #expect(digits.count == 3 && digits.dimension == 64 && digits.labels == [0, 0, 0])
        #expect(digits.values[2] == 5.0 / 16)
        let bad = String(GzipFixtures.digitsLine.dropLast()) + "12\n"
        #expect(throws: DataSetError(path: "d.csv", line: 1, column: bad.count - 2, "class '12' is not an integer 0…9"))
        {
            try DigitsDataset.parse(bad, path: "d.csv")
        }
        #expect(throws: DataSetError.self) { try DigitsDataset.parse("1,2,3\n", path: "d.csv") }
    }

    @Test func theUCIDigitsFileHasItsDocumentedShape() throws {
        guard let path = digitsPath() else { return }
        let digits = try DigitsDataset.load(path: path)
        #expect(digits.count == 1797 && digits.dimension == 64)
        var counts = [Int](repeating: 0, count: 10)
        for label in digits.labels ?? [] { counts[label] += 1 }
        #expect(counts.allSatisfy { $0 >= 170 && $0 <= 190 }, "\(counts)")
        #expect(digits.values.allSatisfy { $0 >= 0 && $0 <= 1 })
    }

    /// Seeded mutations (flips, deletions, insertions, truncations) of valid inputs: every outcome is a result or a
    /// ``DataSetError``, never a trap.
    @Test func mutatedInputsGiveResultsOrLocatedErrors() {
        var generator = RandomGenerator(seed: 2024)
        let seeds: [[UInt8]] = [
            GzipFixtures.storedPoints, GzipFixtures.fixedPoints, GzipFixtures.randomText, GzipFixtures.digitsLines,
        ]
        var outcomes = (ok: 0, failed: 0)
        for round in 0..<400 {
            var bytes = seeds[round % seeds.count]
            for _ in 0..<(1 + generator.nextInt(below: 4)) {
                let position = generator.nextInt(below: bytes.count)
                switch generator.nextInt(below: 4) {
                case 0: bytes[position] ^= UInt8(1 << generator.nextInt(below: 8))
                case 1: bytes.remove(at: position)
                case 2: bytes.insert(UInt8(generator.nextInt(below: 256)), at: position)
                default: bytes = Array(bytes[..<Swift.max(position, 1)])
                }
                if bytes.isEmpty { bytes = [0] }
            }
            do {
                let text = try GzipStream.decompress(bytes, path: "fuzz.gz")
                outcomes.ok += 1
                _ = try? DigitsDataset.parse(String(decoding: text, as: UTF8.self), path: "fuzz.csv")
                _ = try? PointSet.parseCSV(String(decoding: text, as: UTF8.self), path: "fuzz.csv")
            } catch {
                outcomes.failed += 1
            }
            let text = String(decoding: bytes, as: UTF8.self)
            _ = try? PointSet.parseCSV(text, path: "fuzz.csv")
            _ = try? DigitsDataset.parse(text, path: "fuzz.csv")
        }
        #expect(outcomes.failed > 0 && outcomes.ok + outcomes.failed == 400)
    }
}
