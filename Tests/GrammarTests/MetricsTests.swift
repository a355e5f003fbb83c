import MontagueSupport
import Testing

@testable import Grammar

/// T13: ML compositionality metrics on three toy protocols for 2 attributes × 4 values.
@Suite("T13 compositionality metrics")
struct MetricsTests {
    let meanings: [[Int]] = (0..<4).flatMap { a in (0..<4).map { b in [a, b] } }

    @Test func positionalBijectiveProtocolIsPerfectlyCompositional() {
        let messages = meanings.map { [$0[0], 4 + $0[1]] }
        #expect(
            abs(CompositionalityMetrics.positionalDisentanglement(meanings: meanings, messages: messages) - 1) < 1e-9)
        #expect(abs(CompositionalityMetrics.topographicSimilarity(meanings: meanings, messages: messages) - 1) < 1e-9)
        #expect(
            abs(
                CompositionalityMetrics.topographicSimilarity(
                    meanings: meanings, messages: messages, messageDistance: .edit) - 1)
                < 1e-9)
        #expect(
            CompositionalityMetrics.treeReconstructionError(meanings: meanings, messages: messages, vocabularySize: 8)
                < 1e-6)
    }

    @Test func shuffledOrderKeepsBagOfSymbolsButNotPositions() {
        var random = SplitMix64(seed: 3)
        var ms: [[Int]] = []
        var messages: [[Int]] = []
        for _ in 0..<50 {
            for m in meanings {
                let symbols = [m[0], 4 + m[1]]
                ms.append(m)
                messages.append(random.nextInt(below: 2) == 0 ? symbols : symbols.reversed())
            }
        }
        #expect(abs(CompositionalityMetrics.bagOfSymbolsDisentanglement(meanings: ms, messages: messages) - 1) < 1e-9)
        #expect(CompositionalityMetrics.positionalDisentanglement(meanings: ms, messages: messages) < 0.05)
    }

    @Test func randomHolisticBijectionIsNotCompositional() {
        var random = SplitMix64(seed: 11)
        var codes = Array(0..<16)
        for i in stride(from: 15, to: 0, by: -1) { codes.swapAt(i, random.nextInt(below: i + 1)) }
        let messages = codes.map { [$0 / 4, 4 + $0 % 4] }
        let topsim = CompositionalityMetrics.topographicSimilarity(meanings: meanings, messages: messages)
        #expect(abs(topsim) < 0.25, "topsim \(topsim)")
        #expect(
            CompositionalityMetrics.treeReconstructionError(meanings: meanings, messages: messages, vocabularySize: 8)
                > 0.5)
    }
}
