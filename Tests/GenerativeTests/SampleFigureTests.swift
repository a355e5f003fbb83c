import Foundation
import Generative
import NeuralNet
import Testing

/// The generator's own width and depth (PacGAN's 4 × 400 generator against a 3 × 200 critic), and the sample
/// figures `predict` writes: toy scatters with the modes marked, InfoGAN's grid of one row per code value.
@Suite("GAN architecture options and sample figures")
struct SampleFigureTests {
    static func occurrences(of needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    @Test func theGeneratorCanBeWiderAndDeeperThanTheCritic() throws {
        var configuration = GANTrainerTests.configuration(.nonSaturating)
        configuration.hiddenSize = 6
        configuration.hiddenLayers = 2
        let data = ToyDistribution.grid25.sample(count: 32, seed: 2)
        let same = GANTrainer(configuration: configuration, data: data)
        #expect(same.generator.sizes == [3, 6, 6, 2])
        #expect(configuration.generatorHiddenSizes == [6, 6])

        configuration.generatorHiddenSize = 10
        configuration.generatorHiddenLayers = 3
        #expect(configuration.problem() == nil)
        let wider = GANTrainer(configuration: configuration, data: data)
        #expect(wider.generator.sizes == [3, 10, 10, 10, 2])
        #expect(wider.critic.sizes == [2, 6, 6, 1])
        wider.step()
        let values = wider.generator.parameterValues.flatMap { $0.scalars }
        #expect(!values.isEmpty && values.allSatisfy { $0.isFinite })

        let encoded = try JSONEncoder().encode(configuration)
        #expect(try JSONDecoder().decode(GANConfiguration.self, from: encoded) == configuration)

        var bad = configuration
        bad.generatorHiddenSize = 0
        #expect(bad.problem() != nil)
        bad = configuration
        bad.generatorHiddenLayers = 0
        #expect(bad.problem() != nil)
    }

    @Test func manifestsWithoutGeneratorSizesKeepTheSharedSizes() throws {
        let text = #"{"method": "nsgan", "dataSize": 2, "hiddenSize": 5, "hiddenLayers": 2}"#
        let configuration = try JSONDecoder().decode(GANConfiguration.self, from: Data(text.utf8))
        #expect(configuration.generatorHiddenSize == nil && configuration.generatorHiddenLayers == nil)
        #expect(configuration.generatorHiddenSizes == [5, 5])
    }

    @Test func toyScattersMarkEveryMode() throws {
        let data = ToyDistribution.ring8.sample(count: 50, seed: 3)
        let samples = ToyDistribution.ring8.sample(count: 40, seed: 4)
        let plain = try #require(SamplePlots.svg(samples: samples, data: data, title: "t"))
        let marked = try #require(
            SamplePlots.svg(samples: samples, data: data, title: "t", modes: ToyDistribution.ring8.modes))
        #expect(Self.occurrences(of: "<circle", in: marked) - Self.occurrences(of: "<circle", in: plain) == 8)
        #expect(marked.contains(">modes<") && !plain.contains(">modes<"))
    }

    @Test func infoGANSampleFilesShowOneRowPerCodeValue() throws {
        var configuration = GANConfiguration(method: .info, dataSize: DigitsDataset.pixels)
        configuration.noiseSize = 3
        configuration.hiddenSize = 8
        configuration.hiddenLayers = 1
        configuration.batchSize = 8
        configuration.output = .sigmoid
        configuration.infoCodes = InfoGANCodes(categories: 3, continuousCount: 1)
        var random = RandomGenerator(seed: 5)
        let values = (0..<(16 * DigitsDataset.pixels)).map { _ in Float(random.nextInt(below: 17)) / 16 }
        let data = PointSet(dimension: DigitsDataset.pixels, values: values, labels: (0..<16).map { $0 % 10 })
        let trainer = GANTrainer(configuration: configuration, data: data)
        trainer.step()
        let record = GANRunRecord(configuration: configuration, data: .digits(path: "digits.csv"))
        let files = GANRun.sampleFiles(trainer, record: record, count: 7, seed: 1)
        let svg = try #require(files.svg)
        #expect(svg.contains(">code 0<") && svg.contains(">code 2<") && !svg.contains(">code 3<"))
        #expect(Self.occurrences(of: #"fill="white""#, in: svg) == 3 * GANRun.codeGridColumns)
        #expect(files.csv.split(separator: "\n").count >= 7)
        #expect(GANRun.sampleFiles(trainer, record: record, count: 7, seed: 1).svg == svg)

        var plainConfiguration = configuration
        plainConfiguration.method = .nonSaturating
        let plain = GANTrainer(configuration: plainConfiguration, data: data)
        let plainSVG = try #require(
            GANRun.sampleFiles(
                plain, record: GANRunRecord(configuration: plainConfiguration, data: .digits(path: "digits.csv")),
                count: 7, seed: 1
            ).svg)
        #expect(!plainSVG.contains(">code 0<"))
        #expect(Self.occurrences(of: #"fill="white""#, in: plainSVG) == 7)
    }

    @Test func codeGridsRefuseNonImageRows() {
        #expect(SamplePlots.codeGrid(rows: [], title: "") == nil)
        #expect(SamplePlots.codeGrid(rows: [ToyDistribution.ring8.sample(count: 3, seed: 1)], title: "") == nil)
        let one = PointSet(dimension: DigitsDataset.pixels, values: [Float](repeating: 0.5, count: 64))
        let empty = PointSet(dimension: DigitsDataset.pixels, values: [])
        let grid = SamplePlots.codeGrid(rows: [one, empty], title: "")
        #expect(grid?.contains(">code 1<") == true)
        #expect(grid.map { Self.occurrences(of: #"fill="white""#, in: $0) } == 2)
    }
}
