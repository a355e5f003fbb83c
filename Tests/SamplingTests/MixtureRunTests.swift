import Autodiff
import Foundation
import Testing

@testable import Sampling

/// The library entry points of `montague sample` and `montague gmm`: parameter checks, CSV and initialization
/// parsing (with seeded mutation fuzzing), information criteria, NPY bytes.
@Suite("Sampling entry points: sample, gmm fit, gmm vb")
struct MixtureRunTests {
    @Test func distributionParameterCountsAreChecked() throws {
        for kind in DistributionKind.allCases {
            #expect(throws: DistributionParameterError.self) { try kind.make(kind.defaultParameters + [1]) }
            #expect(throws: DistributionParameterError.self) { try kind.make(Array(kind.defaultParameters.dropLast())) }
            _ = try kind.make(kind.defaultParameters)
        }
        #expect(throws: DistributionParameterError.self) { try DistributionKind.gamma.make([1, -2]) }
        let report = try DistributionSampling.run(.init(kind: .uniform, parameters: [-1, 1], count: 1000, seed: 3))
        #expect(report.draws.allSatisfy { $0 >= -1 && $0 < 1 })
        #expect(abs(report.sampleMean) < 0.1)
        #expect((report.ksStatistic ?? 1) < 0.06)
    }

    @Test func pointsCSVLocatesBadFields() throws {
        #expect(try PointsCSV.parse("x,y\n1,2\n3,4\n", path: "p.csv") == [[1, 2], [3, 4]])
        do {
            _ = try PointsCSV.parse("1,2\n3,oops\n", path: "p.csv")
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "p.csv:2:3: error: not a finite number")
        }
        #expect(throws: (any Error).self) { try PointsCSV.parse("1,2\n3\n", path: "p.csv") }
        #expect(throws: (any Error).self) { try PointsCSV.parse("a,b\n", path: "p.csv") }
    }

    /// Any mutation of a valid CSV or initialization file gives points or a located error, never a trap.
    @Test func mutatedInputsGiveResultsOrLocatedErrors() {
        let csv = Array("x,y\n1.5,-2\n3,4e1\n-0.25,7\n".utf8)
        let json = Array(
            #"{"weights": [0.25, 0.75], "means": [[0, 1], [2, 3]], "precisions": [[[2, 0.5], [0.5, 1]], [[1, 0], [0, 1]]]}"#
                .utf8)
        var generator = RandomGenerator(seed: 12)
        let alphabet = Array(",.-e0123456789\n[]{}\":x ".utf8)
        for round in 0..<400 {
            for source in [csv, json] {
                var bytes = source
                for _ in 0..<(1 + generator.nextInt(below: 4)) {
                    let position = generator.nextInt(below: bytes.count)
                    switch generator.nextInt(below: 3) {
                    case 0: bytes[position] = alphabet[generator.nextInt(below: alphabet.count)]
                    case 1: bytes.remove(at: position)
                    default: bytes.insert(alphabet[generator.nextInt(below: alphabet.count)], at: position)
                    }
                    if bytes.isEmpty { bytes = [UInt8(ascii: "1")] }
                }
                let text = String(decoding: bytes, as: UTF8.self)
                if source == csv {
                    do {
                        let points = try PointsCSV.parse(text, path: "f.csv")
                        #expect(!points.isEmpty && points.allSatisfy { $0.count == points[0].count })
                    } catch {
                        #expect(error.description.hasPrefix("f.csv"), "round \(round)")
                    }
                } else {
                    do {
                        let initialization = try GaussianMixtureInitialization(json: Data(bytes), path: "i.json")
                        #expect(try initialization.model(path: "i.json").componentCount == initialization.weights.count)
                    } catch {
                        #expect(error.description.hasPrefix("i.json: error: "), "round \(round): \(text)")
                    }
                }
            }
        }
    }

    @Test func pinnedInitializationInvertsPrecisionsAndCriteriaFollowScikitLearn() throws {
        let json =
            #"{"weights": [0.5, 0.5], "means": [[-5, -5], [5, 5]], "precisions": [[[4, 0], [0, 1]], [[1, 0], [0, 1]]]}"#
        let start = try GaussianMixtureInitialization(json: Data(json.utf8), path: "i.json").model(path: "i.json")
        #expect(start.covariances[0] == [0.25, 0, 0, 1])
        var points: [[Double]] = []
        for i in 0..<30 {
            let jitter = Double(i % 5) * 0.2 - 0.4
            points.append(i.isMultiple(of: 2) ? [-5 + jitter, -5 - jitter * 0.5] : [5 - jitter, 5 + jitter])
        }
        let result = try GaussianMixtureRun.fit(
            points, options: .init(components: 2, initialization: start, maximumIterations: 50))
        // scikit-learn: p = (K − 1) + K d + K d (d + 1) / 2 = 1 + 4 + 6.
        #expect(result.parameterCount == 11)
        let logLikelihood = result.meanLogLikelihood * 30
        #expect(abs(result.bic - (-2 * logLikelihood + 11 * log(30))) < 1e-9)
        #expect(abs(result.aic - (-2 * logLikelihood + 22)) < 1e-9)
        #expect(result.assignments.enumerated().allSatisfy { ($0.element == 0) == $0.offset.isMultiple(of: 2) })
        // The saved JSON reads back as an initialization giving the same model.
        let saved = try GaussianMixtureRun.json(result)
        let reread = try GaussianMixtureInitialization(json: saved, path: "s.json").model(path: "s.json")
        for (a, b) in zip(reread.covariances.flatMap { $0 }, result.fit.model.covariances.flatMap { $0 }) {
            #expect(abs(a - b) < 1e-9 * max(1, abs(b)))
        }
        // More restarts never end worse than one.
        let one = try GaussianMixtureRun.fit(points, options: .init(components: 3, seed: 1))
        let five = try GaussianMixtureRun.fit(points, options: .init(components: 3, seed: 1, restarts: 5))
        #expect(five.meanLogLikelihood >= one.meanLogLikelihood)
    }

    @Test func npyHeaderIsNumpyVersionOne() {
        let data = NumericArrayFile.npy([1, 2, 3, 4, 5, 6], shape: [3, 2], integers: false)
        #expect(Array(data.prefix(8)) == [0x93] + Array("NUMPY".utf8) + [1, 0])
        let headerLength = Int(data[8]) | Int(data[9]) << 8
        #expect((10 + headerLength) % 64 == 0 && data.count == 10 + headerLength + 48)
        let header = String(decoding: data[10..<(10 + headerLength)], as: UTF8.self)
        #expect(
            header.hasPrefix("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }") && header.hasSuffix("\n"))
        let last = data.suffix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        #expect(Double(bitPattern: UInt64(littleEndian: last)) == 6)
    }
}
