import Foundation

/// Sample-quality measures for generators of labelled data (digits).
public enum SampleQuality {
    /// Classes predicted for at least `minimumShare` of the samples (default 2%, a fifth of a uniform share over
    /// ten classes), and the predicted class histogram.
    public static func classCoverage(predictions: [Int], classes: Int, minimumShare: Double = 0.02)
        -> (covered: Int, counts: [Int])
    {
        var counts = [Int](repeating: 0, count: classes)
        for prediction in predictions where prediction >= 0 && prediction < classes { counts[prediction] += 1 }
        let threshold = minimumShare * Double(predictions.count)
        return (counts.filter { Double($0) >= threshold && $0 > 0 }.count, counts)
    }

    /// `KL(q ‖ uniform) = Σ q_k log(K q_k)` of the histogram `counts` over K classes, in nats: 0 when the samples
    /// are spread evenly over the classes, `log K` when they all fall into one (the reverse KL over modes of the
    /// PacGAN protocol, Lin et al. 2018, applied to classifier predictions). 0 for an empty histogram.
    public static func klFromUniform(counts: [Int]) -> Double {
        let total = counts.reduce(0, +)
        guard total > 0 else { return 0 }
        let classes = Double(counts.count)
        return counts.reduce(0.0) { sum, count in
            guard count > 0 else { return sum }
            let q = Double(count) / Double(total)
            return sum + q * Foundation.log(classes * q)
        }
    }

    /// Mean Euclidean distance from each of `samples` to its nearest point of `reference`. Compared with the same
    /// figure for held-out real data, a much smaller value flags memorization of the training set.
    public static func meanNearestNeighbourDistance(from samples: PointSet, to reference: PointSet) -> Double {
        precondition(samples.dimension == reference.dimension, "meanNearestNeighbourDistance: dimensions differ")
        guard samples.count > 0, reference.count > 0 else { return 0 }
        let d = samples.dimension
        var total = 0.0
        reference.values.withUnsafeBufferPointer { ref in
            samples.values.withUnsafeBufferPointer { sam in
                for i in 0..<samples.count {
                    var best = Float.infinity
                    for j in 0..<reference.count {
                        var squared: Float = 0
                        for k in 0..<d {
                            let difference = sam[i * d + k] - ref[j * d + k]
                            squared += difference * difference
                        }
                        best = Swift.min(best, squared)
                    }
                    total += Double(best).squareRoot()
                }
            }
        }
        return total / Double(samples.count)
    }

    /// Accuracy of predicted cluster ids against true classes after the best one-to-one matching of ids to classes
    /// (as for InfoGAN's categorical code, Chen et al. 2016, §7.1), found exactly by dynamic programming over subsets
    /// of classes (at most as many ids as classes, at most 16 classes).
    public static func bestMatchingAccuracy(predicted: [Int], truth: [Int], clusters: Int, classes: Int) -> Double {
        precondition(predicted.count == truth.count, "bestMatchingAccuracy: \(predicted.count) vs \(truth.count)")
        precondition(
            clusters <= classes && classes <= 16, "bestMatchingAccuracy: need clusters ≤ classes ≤ 16")
        guard !truth.isEmpty else { return 0 }
        var agreement = [[Int]](repeating: [Int](repeating: 0, count: classes), count: clusters)
        for (p, t) in zip(predicted, truth) where p >= 0 && p < clusters && t >= 0 && t < classes {
            agreement[p][t] += 1
        }
        // best[mask] = most agreements using the first popcount(mask) clusters matched to the classes in mask.
        var best = [Int](repeating: -1, count: 1 << classes)
        best[0] = 0
        var answer = 0
        for mask in 0..<(1 << classes) where best[mask] >= 0 {
            let cluster = mask.nonzeroBitCount
            answer = Swift.max(answer, best[mask])
            guard cluster < clusters else { continue }
            let matched = best[mask]
            for target in 0..<classes where mask & (1 << target) == 0 {
                let next = mask | (1 << target)
                best[next] = Swift.max(best[next], matched + agreement[cluster][target])
            }
        }
        return Double(answer) / Double(truth.count)
    }

    /// The number of different classes among the clusters' majority classes (ties to the smaller class): with fewer
    /// than `clusters`, two cluster ids share a majority class — for InfoGAN's categorical code, two code values
    /// drawing the same digit, which caps ``bestMatchingAccuracy(predicted:truth:clusters:classes:)`` at the
    /// matched share of the collided clusters.
    public static func distinctMajorityClasses(predicted: [Int], truth: [Int], clusters: Int) -> Int {
        precondition(predicted.count == truth.count, "distinctMajorityClasses: \(predicted.count) vs \(truth.count)")
        var counts = [[Int: Int]](repeating: [:], count: clusters)
        for (p, t) in zip(predicted, truth) where p >= 0 && p < clusters { counts[p][t, default: 0] += 1 }
        let majorities = counts.compactMap { cluster in
            cluster.max { ($0.value, -$0.key) < ($1.value, -$1.key) }?.key
        }
        return Set(majorities).count
    }
}
