import Autodiff
import Foundation
import NeuralNet
import Testing
import _MontagueTestSupport

@testable import TextGeneration

/// SeqGAN's oracle (Yu et al. 2017) is third-party data without a license to ship: these tests read it from the
/// data folder beside the repository when it is there (CI) and are skipped, saying so, when it is not.
enum SeqGANOracleData {
    static let directory: URL? = TestData.externalData("seqgan-oracle")

    struct Checks: Decodable {
        var fixedSequences: [[Int]]
        var fixedSequencesMeanTokenNll: Double
        var fixedSequence0FirstStepLogitsFirst5: [Double]
        var oracleSamples10000Seed0MeanTokenNll: Double
    }
}

@Suite(
    "SeqGAN oracle",
    .enabled(if: SeqGANOracleData.directory != nil, TestData.missing("seqgan-oracle")))
struct SeqGANOracleTests {
    static func load() throws -> (LanguageModel, SeqGANOracleData.Checks) {
        let directory = try #require(SeqGANOracleData.directory)
        let model = try SeqGANOracle.load(from: directory.appendingPathComponent("oracle.safetensors"))
        let checks = try snakeCaseDecoder.decode(
            SeqGANOracleData.Checks.self, from: Data(contentsOf: directory.appendingPathComponent("oracle_checks.json"))
        )
        return (model, checks)
    }

    @Test("Loaded through our safetensors reader, the oracle gives SeqGAN's logits and NLL of fixed sequences")
    func checkValues() throws {
        let (model, checks) = try Self.load()
        #expect(model.vocabularySize == 5000)
        let logits = model.logits(IndexTensor(shape: [1, 1], indices: [0])).logits.scalars
        for (ours, theirs) in zip(logits.prefix(5), checks.fixedSequence0FirstStepLogitsFirst5) {
            #expect(abs(Double(ours) - theirs) < 1e-4, "\(ours) vs \(theirs)")
        }
        let nll = SeqGANOracle.meanTokenNLL(of: checks.fixedSequences, under: model)
        #expect(abs(nll - checks.fixedSequencesMeanTokenNll) < 1e-4, "\(nll)")
    }

    @Test("Samples from the oracle have the oracle's entropy rate as their NLL")
    func sampling() throws {
        let (model, checks) = try Self.load()
        var generator = RandomGenerator(seed: 7)
        let samples = SeqGANOracle.sample(from: model, count: 200, using: &generator)
        #expect(samples.count == 200 && samples.allSatisfy { $0.count == 20 })
        #expect(samples.allSatisfy { $0.allSatisfy { (0..<5000).contains($0) } })
        let nll = SeqGANOracle.meanTokenNLL(of: samples, under: model)
        // 200 sequences: the standard error of the mean per-token NLL is about 0.07.
        #expect(abs(nll - checks.oracleSamples10000Seed0MeanTokenNll) < 0.25, "\(nll)")
        var first = RandomGenerator(seed: 3)
        var second = RandomGenerator(seed: 3)
        #expect(
            SeqGANOracle.sample(from: model, count: 3, using: &first)
                == SeqGANOracle.sample(from: model, count: 3, using: &second))
    }
}

@Suite("SeqGAN oracle loader errors")
struct SeqGANOracleLoaderErrorTests {
    @Test("A file missing a tensor or with a wrong shape is a located error")
    func badFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("oracle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("bad.safetensors")
        try SafetensorsFile.write(tensors: ["embedding": Tensor.zeros([3, 2])], to: url)
        #expect(throws: (any Error).self) { try SeqGANOracle.load(from: url) }
        do {
            _ = try SeqGANOracle.load(from: url)
        } catch {
            #expect("\(error)".hasPrefix(url.path + ": error: missing oracle tensor 'W_i'"))
        }
    }
}

/// A decoder for the fixtures' snake_case keys (`sys_len` → `sysLen`).
private let snakeCaseDecoder: JSONDecoder = {
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    return decoder
}()
