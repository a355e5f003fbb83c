import Autodiff
import Foundation
import MetaLearning
import Testing

@Suite("Rotated-digit and permuted-digit tasks")
struct TaskTests {
    static func syntheticDigits(perDigit: Int) -> ([[Float]], [Int]) {
        var images: [[Float]] = []
        var labels: [Int] = []
        for digit in 0..<10 {
            for copy in 0..<perDigit {
                images.append((0..<64).map { Float(($0 + digit * 7 + copy) % 17) })
                labels.append(digit)
            }
        }
        return (images, labels)
    }

    @Test func fourQuarterTurnsAreTheIdentityAndOneTurnMovesTheCorner() {
        let image = (0..<64).map(Float.init)
        var rotated = image
        for _ in 0..<4 { rotated = RotatedDigitClasses.rotatedQuarterTurn(rotated) }
        #expect(rotated == image)
        let once = RotatedDigitClasses.rotatedQuarterTurn(image)
        // Clockwise: the bottom-left pixel (7, 0) = 56 goes to the top-left.
        #expect(once[0] == 56 && once[7] == 0)
    }

    @Test func classesAreSplitByDigitIntoFortyRotatedClasses() {
        let (images, labels) = Self.syntheticDigits(perDigit: 3)
        let classes = RotatedDigitClasses(images: images, labels: labels)
        #expect(classes.images.count == 40 && classes.images.allSatisfy { $0.count == 3 })
        let train = Set(classes.classes(forTesting: false))
        let test = Set(classes.classes(forTesting: true))
        #expect(train.count == 28 && test.count == 12 && train.isDisjoint(with: test))
        #expect(Set(test.map { $0 / 4 }) == [7, 8, 9])
        #expect(abs(classes.images[0][0][5] - 5.0 / 16) < 1e-6, "pixels are scaled by 1/16")
    }

    @Test func episodesHaveTheRequestedShapeAndRelabelledClasses() {
        let (images, labels) = Self.syntheticDigits(perDigit: 4)
        let classes = RotatedDigitClasses(images: images, labels: labels)
        var generator = RandomGenerator(seed: 1)
        let episode = classes.sampleEpisode(way: 5, shot: 1, queryPerClass: 3, forTesting: false, using: &generator)
        #expect(episode.supportInputs.shape == [5, 64] && episode.queryInputs.shape == [15, 64])
        guard case .classes(let support, let count) = episode.supportTargets,
            case .classes(let query, _) = episode.queryTargets
        else {
            Issue.record("classification targets expected")
            return
        }
        #expect(count == 5 && support == [0, 1, 2, 3, 4] && Set(query) == Set(0..<5))
    }

    @Test func permutedTasksShareLabelsAndPermuteEveryImageAlike() {
        let (images, labels) = Self.syntheticDigits(perDigit: 2)
        let tasks = PermutedDigits(images: images, labels: labels, taskCount: 3, trainFraction: 0.5, seed: 2).tasks
        #expect(tasks.count == 3 && tasks[0].permutation == Array(0..<64))
        #expect(Set(tasks[1].permutation) == Set(0..<64) && tasks[1].permutation != tasks[0].permutation)
        #expect(tasks.allSatisfy { $0.trainLabels == tasks[0].trainLabels && $0.trainInputs.shape == [10, 64] })
        let p = tasks[2].permutation
        for pixel in 0..<64 {
            #expect(tasks[2].trainInputs.scalars[pixel] == tasks[0].trainInputs.scalars[p[pixel]])
        }
    }

    @Test func confidenceIntervalIsNormalApproximation() {
        let summary = MeanWithInterval([1, 2, 3, 4])
        #expect(summary.mean == 2.5 && summary.count == 4)
        #expect(abs(summary.halfWidth - 1.96 * (5.0 / 3).squareRoot() / 2) < 1e-12)
    }
}
