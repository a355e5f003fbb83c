import Autodiff
import Foundation
import Testing

/// The parallel loop covers its range exactly once, and every kernel split over threads gives the same bits with 1
/// and 2 threads (sizes are above `Kernels.parallelThreshold`, so the 2-thread runs really split).
@Suite("Kernels.parallelFor: coverage and bit-identical kernels at 1 and 2 threads")
struct ParallelForTests {
    /// The chunks `parallelFor` hands out, sorted.
    func chunks(count: Int, cost: Int, threads: Int) -> [Range<Int>] {
        let lock = NSLock()
        var seen: [Range<Int>] = []
        Kernels.withThreadCount(threads) {
            Kernels.parallelFor(count, cost: cost) { range in
                lock.lock()
                seen.append(range)
                lock.unlock()
            }
        }
        return seen.sorted { $0.lowerBound < $1.lowerBound }
    }

    @Test func chunksAreContiguousDisjointAndCoverTheRange() {
        let count = 100_003
        let split = chunks(count: count, cost: 1, threads: 2)
        #expect(split.count == 2)
        #expect(split.first?.lowerBound == 0)
        #expect(split.last?.upperBound == count)
        for (left, right) in zip(split, split.dropFirst()) { #expect(left.upperBound == right.lowerBound) }
        #expect(split.map(\.count).reduce(0, +) == count)
    }

    @Test func smallWorkOrOneThreadStaysInOneChunk() {
        #expect(chunks(count: 1000, cost: 1, threads: 2) == [0..<1000])
        #expect(chunks(count: 100_000, cost: 1, threads: 1) == [0..<100_000])
        // Rows count by their cost: 20 rows of 5000 classes are split.
        #expect(chunks(count: 20, cost: 5000, threads: 2).count == 2)
        #expect(chunks(count: 0, cost: 1, threads: 2).isEmpty)
    }

    @Test func threadCountScopeOverridesTheProcessSetting() {
        let outside = Kernels.threadCount
        #expect(outside >= 1)
        Kernels.withThreadCount(3) { #expect(Kernels.threadCount == 3) }
        #expect(Kernels.threadCount == outside)
    }

    /// `body` evaluated with 1 and with 2 threads.
    func atOneAndTwoThreads(_ body: () -> [Float]) -> (one: [UInt32], two: [UInt32]) {
        let one = Kernels.withThreadCount(1, body)
        let two = Kernels.withThreadCount(2, body)
        return (one.map(\.bitPattern), two.map(\.bitPattern))
    }

    func logits(_ shape: [Int], seed: UInt64) -> Tensor {
        var generator = RandomGenerator(seed: seed)
        return Tensor.normal(shape, standardDeviation: 3, using: &generator)
    }

    @Test(arguments: [([17, 4001], 1), ([3, 40, 700], 1), ([3, 40, 700], 0), ([3, 40, 700], 2)])
    func softmaxAndLogSoftmaxAreBitIdentical(shape: [Int], axis: Int) {
        let x = logits(shape, seed: 1)
        let softmax = atOneAndTwoThreads { x.softmax(axis: axis).scalars }
        #expect(softmax.one == softmax.two)
        let logSoftmax = atOneAndTwoThreads { x.logSoftmax(axis: axis).scalars }
        #expect(logSoftmax.one == logSoftmax.two)
        // Rows still sum to one (the split did not drop or duplicate a slice).
        let total = x.softmax(axis: axis).sum().item
        #expect(abs(total - Float(x.count / shape[axis])) < 1e-2)
    }

    @Test(arguments: [[17, 4001], [2, 50, 700]])
    func crossEntropyForwardAndBackwardAreBitIdentical(shape: [Int]) {
        let x = logits(shape, seed: 2).requiringGradient()
        let positions = x.count / shape[1]
        var generator = RandomGenerator(seed: 3)
        let targets = (0..<positions).map { _ in generator.nextInt(below: shape[1]) }
        let ignored = targets[1]
        let losses = atOneAndTwoThreads {
            crossEntropy(
                logits: x, targets: targets, ignoreIndex: ignored, labelSmoothing: 0.1, reduction: .none
            ).scalars
        }
        #expect(losses.one == losses.two)
        let gradient = atOneAndTwoThreads {
            let loss = crossEntropy(logits: x, targets: targets, ignoreIndex: ignored, labelSmoothing: 0.1)
            return gradients(of: loss, wrt: [x])[0].scalars
        }
        #expect(gradient.one == gradient.two)
        #expect(gradient.one.contains { $0 != 0 })
    }

    @Test(arguments: [(1, 300, 250), (70, 1000, 1), (3, 100, 250)])
    func sumIsBitIdenticalAndCorrect(outer: Int, extent: Int, inner: Int) {
        let x = logits([outer * extent * inner], seed: 4).scalars
        let sums = atOneAndTwoThreads { Kernels.sum(x, outer: outer, extent: extent, inner: inner) }
        #expect(sums.one == sums.two)
        // Spot-check one output against a plain loop in Double.
        let (o, i) = (outer - 1, inner / 2)
        let expected = (0..<extent).reduce(0.0) { $0 + Double(x[(o * extent + $1) * inner + i]) }
        let got = Float(bitPattern: sums.two[o * inner + i])
        #expect(abs(Double(got) - expected) < 1e-2)
    }
}
