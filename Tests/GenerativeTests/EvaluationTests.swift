import Foundation
import Generative
import NeuralNet
import Testing
import _MontagueTestSupport

/// Sample-quality measures on cases with known answers.
@Suite("Evaluation: mode coverage, Fréchet distance, coverage, memorization, matching")
struct EvaluationTests {
    @Test func collapsedSamplesCaptureOneModeWithReverseKLLogK() {
        let toy = ToyDistribution.ring8
        let collapsed = PointSet(
            dimension: 2, values: [Float](repeating: 0, count: 200).enumerated().map { $0.offset % 2 == 0 ? 1 : 0 })
        let coverage = ModeCoverage.measure(
            samples: collapsed, modes: toy.modes, standardDeviation: toy.standardDeviation)
        #expect(coverage.modesCaptured == 1 && coverage.highQualityFraction == 1)
        #expect(abs(coverage.reverseKL - Foundation.log(8)) < 1e-9)
        let far = PointSet(dimension: 2, values: [0, 0, 5, 5])
        let none = ModeCoverage.measure(samples: far, modes: toy.modes, standardDeviation: toy.standardDeviation)
        #expect(none.modesCaptured == 0 && none.highQualityFraction == 0 && none.reverseKL == 0)
    }

    @Test func frechetDistanceOfGaussiansHasItsClosedForm() {
        var generator = RandomGenerator(seed: 1)
        let a = (0..<8000).map { _ in [generator.nextStandardNormal(), 2 * generator.nextStandardNormal()] }
        let b = (0..<8000).map { _ in [1 + 3 * generator.nextStandardNormal(), generator.nextStandardNormal()] }
        // Diagonal covariances: d² = ‖Δμ‖² + Σ (σ₁ − σ₂)² = 1 + (1 − 3)² + (2 − 1)² = 6.
        #expect(abs(FrechetDistance.distance(a, b) - 6) < 0.6)
        #expect(abs(FrechetDistance.distance(a, a)) < 1e-6)
        // A rotated copy has the same distance to itself rotated (full covariances exercise the eigensolver).
        let rotated = a.map { [0.6 * $0[0] - 0.8 * $0[1], 0.8 * $0[0] + 0.6 * $0[1]] }
        #expect(FrechetDistance.distance(a, rotated) > 1)
        #expect(abs(FrechetDistance.distance(rotated, rotated)) < 1e-6)
    }

    @Test func coverageMemorizationAndBestMatching() {
        let coverage = SampleQuality.classCoverage(
            predictions: [0, 0, 1, 2, 2, 2] + [Int](repeating: 3, count: 94), classes: 10)
        #expect(coverage.covered == 3)  // classes 0, 2 and 3 reach 2%
        #expect(coverage.counts[3] == 94)
        let train = PointSet(dimension: 2, values: [0, 0, 3, 4])
        #expect(SampleQuality.meanNearestNeighbourDistance(from: train, to: train) == 0)
        #expect(
            abs(
                SampleQuality.meanNearestNeighbourDistance(from: PointSet(dimension: 2, values: [0, 1]), to: train) - 1)
                < 1e-9)
        let truth = [0, 0, 1, 1, 2, 2, 2]
        let permuted = [2, 2, 0, 0, 1, 1, 0]
        #expect(
            abs(
                SampleQuality.bestMatchingAccuracy(predicted: permuted, truth: truth, clusters: 3, classes: 3) - 6.0 / 7
            ) < 1e-12)
        // Three clusters with majorities 0, 1, 2: no collision; clusters 0 and 2 both mostly class 1: two classes.
        #expect(SampleQuality.distinctMajorityClasses(predicted: truth, truth: permuted, clusters: 3) == 3)
        #expect(
            SampleQuality.distinctMajorityClasses(
                predicted: [0, 0, 0, 1, 1, 2, 2, 2], truth: [1, 1, 0, 0, 0, 1, 1, 2], clusters: 3) == 2)
    }

    @Test(.enabled(if: digitsPath != nil, TestData.missing("digits/digits.csv.gz")))
    func digitsClassifierLearnsTheDigits() throws {
        let path = try #require(digitsPath)
        let digits = try DigitsDataset.load(path: path)
        let (train, test) = digits.split(heldOutFraction: 0.2, seed: 1)
        let classifier = DigitsClassifier(seed: 1)
        classifier.train(on: train.subset(Array(0..<800)), epochs: 10, seed: 2)
        #expect(classifier.accuracy(on: test) > 0.8)
        let realFeatures = classifier.featureRows(test.subset(Array(0..<150)))
        let otherFeatures = classifier.featureRows(train.subset(Array(0..<150)))
        var generator = RandomGenerator(seed: 3)
        let noise = PointSet(Tensor.uniform([150, 64], using: &generator))
        let noiseFeatures = classifier.featureRows(noise)
        #expect(
            FrechetDistance.distance(realFeatures, otherFeatures)
                < FrechetDistance.distance(realFeatures, noiseFeatures))
    }
}
