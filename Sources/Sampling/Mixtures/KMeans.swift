import Autodiff
import Foundation

/// k-means with k-means++ seeding (Arthur & Vassilvitskii 2007): used to initialize EM, as scikit-learn does.
public enum KMeans {
    /// Cluster labels for row-major `points` (`n × dimension`) after seeding and up to `iterations` Lloyd steps.
    public static func labels(
        points: [Double], dimension d: Int, clusters k: Int, iterations: Int = 100,
        using generator: inout RandomGenerator
    ) -> [Int] {
        let n = points.count / d
        precondition(n >= k && k >= 1, "KMeans.labels: \(n) points for \(k) clusters")
        func distance(_ i: Int, _ center: [Double]) -> Double {
            var total = 0.0
            for j in 0..<d {
                let r = points[i * d + j] - center[j]
                total += r * r
            }
            return total
        }
        var centers: [[Double]] = []
        let first = generator.nextInt(below: n)
        centers.append(Array(points[(first * d)..<((first + 1) * d)]))
        var nearest = (0..<n).map { distance($0, centers[0]) }
        while centers.count < k {
            var total = 0.0
            for value in nearest { total += value }
            var u = generator.nextUnitDouble() * total
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
