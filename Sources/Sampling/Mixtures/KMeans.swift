import Autodiff
import Foundation
import MontagueSupport

/// k-means (Lloyd 1982) with k-means++ seeding (Arthur & Vassilvitskii 2007): used to initialize EM, as scikit-learn
/// does, and to discretize learned vectors.
public enum KMeans {
    /// Cluster labels for row-major `points` (`n × dimension`) after seeding and up to `iterations` Lloyd steps.
    public static func labels(
        points: [Double], dimension d: Int, clusters k: Int, iterations: Int = 100,
        using generator: inout RandomGenerator
    ) -> [Int] {
        let n = points.count / d
        precondition(n >= k && k >= 1, "KMeans.labels: \(n) points for \(k) clusters")
        let first = generator.nextInt(below: n)
        return lloyd(
            points: points, count: n, dimension: d, clusters: k, iterations: iterations, firstCenter: first,
            unitDraw: { generator.nextUnitDouble() })
    }

    /// Cluster labels `0..<k'` of `vectors`, numbered in order of first occurrence, deterministic given `seed`:
    /// k-means++ seeding from a ``SplitMix64`` seeded with `seed` (the first center is vector `next() mod n`), then
    /// up to `iterations` Lloyd steps. Identical vectors always share a cluster; k' < k when there are fewer than
    /// k distinct vectors. Every vector must have the same length.
    public static func cluster(_ vectors: [[Double]], clusters k: Int, seed: UInt64, iterations: Int = 100) -> [Int] {
        let n = vectors.count
        guard n > 0, k > 0 else { return [Int](repeating: 0, count: n) }
        let d = vectors[0].count
        precondition(vectors.allSatisfy { $0.count == d }, "KMeans.cluster: vectors of different lengths")
        var generator = SplitMix64(seed: seed)
        let first = Int(generator.next() % UInt64(n))
        let labels = lloyd(
            points: vectors.flatMap { $0 }, count: n, dimension: d, clusters: k, iterations: iterations,
            firstCenter: first, unitDraw: { generator.nextUnitDouble() })
        var dense: [Int: Int] = [:]
        return labels.map { label in
            if let id = dense[label] { return id }
            dense[label] = dense.count
            return dense.count - 1
        }
    }

    /// k-means++ seeding from point `firstCenter` (each further center drawn with probability proportional to the
    /// squared distance to the nearest center so far, `unitDraw()` uniform in [0, 1)), then Lloyd steps until no
    /// label changes or `iterations` steps. When every point already is a center, further centers repeat point
    /// `n − 1`; a repeated center never wins a point (ties go to the earlier center), so it changes no label.
    static func lloyd(
        points: [Double], count n: Int, dimension d: Int, clusters k: Int, iterations: Int, firstCenter: Int,
        unitDraw: () -> Double
    ) -> [Int] {
        func distance(_ i: Int, _ center: [Double]) -> Double {
            var total = 0.0
            for j in 0..<d {
                let r = points[i * d + j] - center[j]
                total += r * r
            }
            return total
        }
        var centers: [[Double]] = [Array(points[(firstCenter * d)..<((firstCenter + 1) * d)])]
        var nearest = (0..<n).map { distance($0, centers[0]) }
        while centers.count < k {
            var total = 0.0
            for value in nearest { total += value }
            var u = unitDraw() * total
            var chosen = n - 1
            for i in 0..<n {
                u -= nearest[i]
                if u < 0 {
                    chosen = i
                    break
                }
            }
            let center = Array(points[(chosen * d)..<((chosen + 1) * d)])
            centers.append(center)
            for i in 0..<n { nearest[i] = min(nearest[i], distance(i, center)) }
        }
        var labels = [Int](repeating: -1, count: n)
        for _ in 0..<iterations {
            var changed = false
            for i in 0..<n {
                var best = 0
                var bestDistance = Double.infinity
                for c in 0..<k {
                    let value = distance(i, centers[c])
                    if value < bestDistance {
                        bestDistance = value
                        best = c
                    }
                }
                if labels[i] != best {
                    labels[i] = best
                    changed = true
                }
            }
            if !changed { break }
            var sums = [[Double]](repeating: [Double](repeating: 0, count: d), count: k)
            var counts = [Int](repeating: 0, count: k)
            for i in 0..<n {
                counts[labels[i]] += 1
                for j in 0..<d { sums[labels[i]][j] += points[i * d + j] }
            }
            for c in 0..<k where counts[c] > 0 { centers[c] = sums[c].map { $0 / Double(counts[c]) } }
        }
        return labels
    }
}
