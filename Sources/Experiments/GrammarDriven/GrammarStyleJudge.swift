import Grammar

/// Exact measures of style transfer between two grammars over the same meanings: each grammar is a "style", and
/// the grammars decide everything the style-transfer literature estimates with proxies (a style classifier for
/// style, BLEU against the input for content; Shen et al. 2017, Li et al. 2018).
///
/// A transfer of a sentence of style `s` with meaning `m` into style `t` is
/// - **valid in the target** when grammar `t` derives it (chart parser);
/// - **meaning-preserving** when it is valid in the target and one of its readings under grammar `t` means `m`
///   (the grammar's compositional semantics; meanings compared as rendered values);
/// - **in the target style** by the grammars when grammar `t` derives it and grammar `s` does not (a sentence both
///   derive has no style of its own).
///
/// See docs/probabilistic-grammars.md and docs/experiments.md.
public struct GrammarStyleJudge {
    /// One oracle per style, in style order.
    public let oracles: [GrammarOracle]

    /// A judge of the styles `grammars` (at least two; index = style).
    public init(grammars: [ProbabilisticGrammar]) {
        oracles = grammars.map { GrammarOracle(grammar: $0) }
    }

    /// What the grammars say about one transfer.
    public struct Verdict: Codable, Sendable, Equatable {
        /// The target grammar derives the output.
        public var inTarget: Bool
        /// The source grammar derives the output.
        public var inSource: Bool
        /// Valid in the target with the source's meaning among its readings' meanings.
        public var meaningPreserved: Bool
        /// The output is the input (tokens compared after joining by single spaces).
        public var unchanged: Bool

        /// In the target language and not in the source language.
        public var inTargetStyle: Bool { inTarget && !inSource }
    }

    /// The verdict on `output`, the transfer of `input` (of style `source`, meaning `meaning`) into style `target`.
    /// `memo` caches the oracles' assessments by style and sentence.
    public func judge(
        input: String, meaning: String, output: String, source: Int, target: Int,
        memo: inout [Int: [String: GrammarOracle.Assessment]]
    ) -> Verdict {
        func assess(_ style: Int, _ sentence: String) -> GrammarOracle.Assessment {
            let key = GrammarOracle.normalized(sentence)
            if let known = memo[style]?[key] { return known }
            let assessment = oracles[style].assess(key)
            memo[style, default: [:]][key] = assessment
            return assessment
        }
        let inTarget = assess(target, output)
        let inSource = assess(source, output)
        return Verdict(
            inTarget: inTarget.isValid, inSource: inSource.isValid,
            meaningPreserved: inTarget.isValid && inTarget.meanings.contains(GrammarOracle.normalized(meaning)),
            unchanged: GrammarOracle.normalized(input) == GrammarOracle.normalized(output))
    }

    /// The verdict on one transfer (no cache shared between calls).
    public func judge(input: String, meaning: String, output: String, source: Int, target: Int) -> Verdict {
        var memo: [Int: [String: GrammarOracle.Assessment]] = [:]
        return judge(input: input, meaning: meaning, output: output, source: source, target: target, memo: &memo)
    }

    /// The exact measures of a set of transfers, with the proxies when given.
    public struct Scores: Codable, Sendable, Equatable {
        /// Transfers scored.
        public var count: Int
        /// Fraction derived by the target grammar.
        public var targetValidity: Double
        /// Fraction valid in the target with the source's meaning.
        public var meaningPreservation: Double
        /// Fraction in the target language and not in the source language.
        public var grammarStyleAccuracy: Double
        /// Fraction still derived by the source grammar.
        public var sourceValidity: Double
        /// Fraction identical to their inputs.
        public var unchanged: Double
        /// Fraction the style classifier assigns to the target style (nil without a classifier).
        public var classifierAccuracy: Double?
        /// Fraction the classifier assigns to the target style although the target grammar rejects them: where
        /// the classifier proxy overstates success.
        public var classifierAcceptsInvalid: Double?
        /// BLEU of the outputs against their inputs (0–100; Li et al. 2018's self-BLEU of transfer).
        public var sourceBLEU: Double?

        /// The values by name, for metrics logs and tables.
        public var metrics: [String: Double] {
            var values = [
                "target_validity": targetValidity, "meaning_preservation": meaningPreservation,
                "grammar_style_accuracy": grammarStyleAccuracy, "source_validity": sourceValidity,
                "unchanged": unchanged,
            ]
            if let classifierAccuracy { values["classifier_accuracy"] = classifierAccuracy }
            if let classifierAcceptsInvalid { values["classifier_accepts_invalid"] = classifierAcceptsInvalid }
            if let sourceBLEU { values["source_bleu"] = sourceBLEU }
            return values
        }
    }

    /// Aggregates verdicts; `classifiedAsTarget` (one flag per verdict) adds the classifier's figures.
    public static func scores(
        _ verdicts: [Verdict], classifiedAsTarget: [Bool]? = nil, sourceBLEU: Double? = nil
    ) -> Scores {
        let n = Double(max(verdicts.count, 1))
        func fraction(_ predicate: (Verdict) -> Bool) -> Double { Double(verdicts.filter(predicate).count) / n }
        var accuracy: Double?
        var acceptsInvalid: Double?
        if let classifiedAsTarget, classifiedAsTarget.count == verdicts.count {
            accuracy = Double(classifiedAsTarget.filter { $0 }.count) / n
            acceptsInvalid = Double(zip(classifiedAsTarget, verdicts).filter { $0 && !$1.inTarget }.count) / n
        }
        return Scores(
            count: verdicts.count, targetValidity: fraction(\.inTarget),
            meaningPreservation: fraction(\.meaningPreserved), grammarStyleAccuracy: fraction(\.inTargetStyle),
            sourceValidity: fraction(\.inSource), unchanged: fraction(\.unchanged), classifierAccuracy: accuracy,
            classifierAcceptsInvalid: acceptsInvalid, sourceBLEU: sourceBLEU)
    }
}
