import MontagueSupport

/// Paired bootstrap resampling for the significance of a difference between two systems on the same test set
/// (Koehn 2004, "Statistical significance tests for machine translation evaluation"), with sacreBLEU's test
/// statistic: the resampled absolute differences are centred on their mean, and
/// `p = (#{samples whose centred difference exceeds the observed one} + 1) / (samples + 1)`.
///
/// Works for any corpus metric whose statistics add over sentences (BLEU, chrF): resample sentence indices with
/// replacement, sum the chosen sentences' statistics, score. The same index draws are used for both systems.
public enum PairedBootstrap {
    /// The outcome of a comparison.
    public struct Result: Equatable, Sendable {
        /// The baseline's score on the whole test set.
        public var baselineScore: Double
        /// The system's score on the whole test set.
        public var systemScore: Double
        /// The mean of the system's resampled scores.
        public var systemMean: Double
        /// Half the width of the system's 95 % interval (from the 2.5 % and 97.5 % resampled scores).
        public var systemConfidence: Double
        /// The p-value of "the difference is due to chance".
        public var pValue: Double
        /// Number of resamples.
        public var samples: Int
    }

    /// Compares `system` with `baseline` from their per-sentence statistics (same sentences, same order).
    ///
    /// - Parameters:
    ///   - zero: empty statistics; `add` accumulates one sentence's into a sum; `score` turns a sum into the metric.
    ///   - samples: number of resamples (sacreBLEU's default 1,000).
    ///   - seed: the resampling generator's seed (results are deterministic given it; the draws are not NumPy's).
    /// - Precondition: both systems have statistics for the same, non-zero number of sentences.
    public static func compare<Statistics>(
        baseline: [Statistics], system: [Statistics], zero: Statistics, samples: Int = 1000, seed: UInt64 = 12_345,
        add: (inout Statistics, Statistics) -> Void, score: (Statistics) -> Double
    ) -> Result {
        precondition(
            baseline.count == system.count && !baseline.isEmpty,
            "PairedBootstrap.compare: needs the same non-zero number of sentences, got \(baseline.count) and \(system.count)"
        )
        precondition(samples > 0, "PairedBootstrap.compare: samples must be positive")
        func total(_ statistics: [Statistics]) -> Statistics {
            var sum = zero
            for sentence in statistics { add(&sum, sentence) }
            return sum
        }
        let baselineScore = score(total(baseline))
        let systemScore = score(total(system))
        var generator = SplitMix64(seed: seed)
        var baselineScores: [Double] = []
        var systemScores: [Double] = []
        baselineScores.reserveCapacity(samples)
        systemScores.reserveCapacity(samples)
        for _ in 0..<samples {
            var baselineSum = zero
            var systemSum = zero
            for _ in 0..<baseline.count {
                let index = generator.nextInt(below: baseline.count)
                add(&baselineSum, baseline[index])
                add(&systemSum, system[index])
            }
            baselineScores.append(score(baselineSum))
            systemScores.append(score(systemSum))
        }
        let differences = zip(systemScores, baselineScores).map { abs($0 - $1) }
        let meanDifference = differences.reduce(0, +) / Double(samples)
        let observed = abs(baselineScore - systemScore)
        let exceeding = differences.filter { $0 - meanDifference > observed }.count
        let sorted = systemScores.sorted()
        let lowerIndex = samples / 40
        let upperIndex = samples - lowerIndex - 1
        return Result(
            baselineScore: baselineScore, systemScore: systemScore,
            systemMean: systemScores.reduce(0, +) / Double(samples),
            systemConfidence: 0.5 * (sorted[upperIndex] - sorted[lowerIndex]),
            pValue: Double(exceeding + 1) / Double(samples + 1), samples: samples)
    }
}

extension BLEU {
    /// Paired bootstrap comparison of two systems' outputs by this BLEU configuration.
    public func pairedBootstrap(
        baseline: [String], system: [String], references: [[String]], samples: Int = 1000, seed: UInt64 = 12_345
    ) throws(TextMetricError) -> PairedBootstrap.Result {
        let baselineStatistics = try sentenceStatistics(hypotheses: baseline, references: references)
        let systemStatistics = try sentenceStatistics(hypotheses: system, references: references)
        return PairedBootstrap.compare(
            baseline: baselineStatistics, system: systemStatistics, zero: Statistics(maxOrder: maxOrder),
            samples: samples, seed: seed, add: { $0 += $1 }, score: { self.score($0).score })
    }
}
