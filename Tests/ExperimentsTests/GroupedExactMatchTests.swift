import Testing

@testable import Experiments

/// Exact match per group (COGS's per-category breakdown).
@Suite("Grouped exact match")
struct GroupedExactMatchTests {
    @Test func countsPerGroupAndAverages() {
        let result = GroupedExactMatch(
            labels: ["b", "a", "b", "b", "a", "c"], correct: [true, false, true, false, true, false])
        #expect(result.groups.map(\.name) == ["a", "b", "c"])
        #expect(result.groups.map(\.correct) == [1, 2, 0] && result.groups.map(\.total) == [2, 3, 1])
        #expect(result.correct == 3 && result.total == 6 && result.accuracy == 0.5)
        // Macro average: (1/2 + 2/3 + 0) / 3.
        #expect(abs(result.meanGroupAccuracy - (0.5 + 2.0 / 3.0) / 3) < 1e-12)
        #expect(
            result.lines() == [
                "a  exact match: 0.5000 (1/2)", "b  exact match: 0.6667 (2/3)", "c  exact match: 0.0000 (0/1)",
            ])
    }

    @Test func emptyInputHasNoGroups() {
        let result = GroupedExactMatch(labels: [], correct: [])
        #expect(
            result.groups.isEmpty && result.accuracy == 0 && result.meanGroupAccuracy == 0 && result.lines().isEmpty)
    }
}
