import Autodiff
import Testing

@testable import Sampling

/// k-means (Lloyd 1982, k-means++ seeding): the seeded entry point for plain vectors.
@Suite struct KMeansTests {
    /// 30 points on a grid of eighths (exact in binary), so the reference labels do not depend on rounding.
    static let grid: [[Double]] = (0..<30).map { (i: Int) -> [Double] in
        let x: Double = Double((i * 7) % 11) / 8
        let y: Double = Double((i * 5) % 13) / 8
        let z: Double = Double((i * 3) % 4) / 8
        return [x, y, z]
    }

    @Test func keepsIdenticalVectorsTogetherAndSeparatesDistinctOnes() {
        let points: [[Double]] = [[0, 0], [5, 5], [0, 0], [9, 0], [5, 5], [9, 0.1]]
        let three = KMeans.cluster(points, clusters: 3, seed: 1)
        #expect(three[0] == three[2] && three[1] == three[4] && three[3] == three[5])
        #expect(Set(three).count == 3)
        // Four distinct vectors, however many clusters are asked for; labels numbered by first occurrence.
        #expect(KMeans.cluster(points, clusters: 10, seed: 1) == [0, 1, 0, 2, 1, 3])
    }

    /// The labels the meaning-map study's own k-means gave before it called this one (same seeding draws, same
    /// Lloyd steps), so its recorded results stay reproducible.
    @Test func reproducesTheStudysEarlierLabels() {
        #expect(
            KMeans.cluster(Self.grid, clusters: 4, seed: 7) == [
                0, 1, 2, 1, 2, 2, 1, 2, 0, 1, 2, 3, 2, 0, 1, 2, 0, 1, 2, 3, 2, 0, 3, 2, 3, 1, 0, 3, 2, 0,
            ])
        #expect(
            KMeans.cluster(Self.grid, clusters: 6, seed: 123) == [
                0, 1, 2, 1, 2, 2, 1, 2, 0, 1, 2, 3, 2, 4, 1, 2, 0, 5, 2, 3, 2, 4, 3, 2, 0, 5, 4, 3, 2, 4,
            ])
    }

    @Test func isDeterministicAndHandlesDegenerateInput() {
        #expect(KMeans.cluster(Self.grid, clusters: 5, seed: 3) == KMeans.cluster(Self.grid, clusters: 5, seed: 3))
        #expect(KMeans.cluster([], clusters: 3, seed: 1).isEmpty)
        #expect(KMeans.cluster([[1], [2]], clusters: 0, seed: 1) == [0, 0])
        #expect(KMeans.cluster([[], [], []], clusters: 2, seed: 1) == [0, 0, 0])
        // The generator-driven entry point agrees on how the points fall apart (its labels are not renumbered).
        var generator = RandomGenerator(seed: 5)
        let labels = KMeans.labels(
            points: Self.grid.flatMap { $0 }, dimension: 3, clusters: 4, using: &generator)
        #expect(Set(labels).isSubset(of: 0..<4) && labels.count == 30)
    }
}
