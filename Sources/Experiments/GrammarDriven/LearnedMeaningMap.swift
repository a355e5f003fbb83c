import Foundation
import Grammar
import MontagueSupport
import Sampling

/// The settings of a meaning-map study.
public struct MeaningMapSettings: Codable, Equatable, Sendable {
    /// The representations, the expressions and the training of the learned ones (as in the TRE study).
    public var study: RepresentationStudySettings
    /// Clusters of the discretization (nil: as many as the grammar's distinct meanings among the terms).
    public var clusters: Int?
    /// Random relabellings averaged for the chance level of the consistency.
    public var chanceDraws: Int

    /// Settings with small defaults.
    public init(
        study: RepresentationStudySettings = RepresentationStudySettings(), clusters: Int? = nil,
        chanceDraws: Int = 20
    ) {
        self.study = study
        self.clusters = clusters
        self.chanceDraws = chanceDraws
    }
}

/// One row of a meaning-map study: is a representation, discretized, a compositional meaning assignment?
public struct MeaningMapRow: Codable, Sendable, Equatable {
    /// The representation (nil: the grammar's own meanings, the reference row).
    public var source: RepresentationSource?
    /// Distinct terms (the expressions and all their subterms) given a meaning.
    public var terms: Int
    /// Clusters of the discretization (the grammar's distinct meanings for the reference row).
    public var clusters: Int
    /// Applications of operations checked (terms with arguments).
    public var applications: Int
    /// Applications whose argument meanings occur in another application of the same operation (the only ones
    /// that can conflict).
    public var repeatedKeys: Int
    /// N1: whether the assignment is compositional on the terms.
    public var functHolds: Bool
    /// N1's graded measure: the fraction of applications the best table G_F per operation gets right.
    public var functConsistency: Double
    /// The same fraction for the cluster labels shuffled over the terms (same cluster sizes), averaged over draws
    /// (nil without draws).
    public var chanceConsistency: Double?
    /// N9 (reverse compositionality)'s graded measure.
    public var reverseConsistency: Double
    /// Purity of the clusters against the grammar's meanings: the fraction of terms whose cluster's most
    /// frequent grammar meaning is their own.
    public var purity: Double
    /// N1's verdict with its minimal witness (the form `montague check` prints).
    public var funct: NotionResult
    /// N1's consistency per operation (a sequence model gives a unary operation that adds no words its argument's
    /// meaning, so such operations are consistent for it by construction; this breakdown shows them apart).
    public var operations: [AssignedMeaningCheck.OperationConsistency]
    /// The learned encoder's last training loss (seq2seq, trained-tree-lstm).
    public var trainingLoss: Double?
}

/// F-compositionality of a learned meaning map: the map expression ↦ learned representation, discretized into
/// meaning labels, is checked with the grammar's own notions (N1 Funct and N9 reverse compositionality, via
/// ``AssignedMeaningCheck``) on the sampled expressions and all their subterms (docs/compositionality.md).
///
/// A sequence model's meaning of a subterm is its state after reading the subterm's words; a Tree-LSTM's is its
/// state at the subterm's node. Continuous states of distinct inputs almost never coincide, which makes every map
/// trivially a function of its arguments; discretizing them by k-means (Lloyd 1982 with k-means++ seeding, Arthur &
/// Vassilvitskii 2007) into as many clusters as the grammar has distinct meanings among the terms asks instead
/// whether the learned meanings of the parts, at the grain of the true meanings, determine the learned meaning of
/// the whole. The consistency is reported beside its chance level (the same cluster sizes shuffled over the terms).
public enum LearnedMeaningMap {
    /// A node of a sampled derivation: its term, its words and its meaning per the grammar.
    struct Node {
        var expression: RepresentationCompositionalityStudy.Expression
        var meaning: String
    }

    /// The distinct terms of the first `settings.expressions` distinct sampled sentences and all their subterms,
    /// with the grammar's meaning of each; and the training sample's sentences.
    static func nodes(
        of grammar: ProbabilisticGrammar, settings: RepresentationStudySettings
    ) throws -> (nodes: [Node], sample: [[String]]) {
        let samples = try grammar.samples(count: settings.trainingSamples, seed: settings.seed)
            .filter { !$0.tokens.isEmpty && $0.tokens.count <= settings.maximumLength }
        let operations = grammar.grammar.operations
        var seenSentences = Set<String>()
        var seenTerms = Set<Term>()
        var out: [Node] = []
        var sentences = 0
        for sample in samples where sentences < settings.expressions && !seenSentences.contains(sample.sentence) {
            seenSentences.insert(sample.sentence)
            let derivation = sample.derivation
            // The preorder span of each node: its operation, then its arguments' spans.
            var ends = [Int](repeating: 0, count: derivation.count)
            func walk(_ i: Int) -> Int? {
                guard i < derivation.count, derivation[i] >= 0, derivation[i] < operations.count else { return nil }
                var j = i + 1
                for _ in 0..<operations[derivation[i]].arity {
                    guard let next = walk(j) else { return nil }
                    j = next
                }
                ends[i] = j
                return j
            }
            guard walk(0) == derivation.count else { continue }
            sentences += 1
            for i in derivation.indices {
                guard let reading = grammar.reading(ofDerivation: Array(derivation[i..<ends[i]])),
                    reading.undefinedReason == nil, !seenTerms.contains(reading.term)
                else { continue }
                let words = reading.term.yield.split(separator: " ").map(String.init)
                guard !words.isEmpty else { continue }
                seenTerms.insert(reading.term)
                var meaning = reading.meaning
                if meaning.hasPrefix("[") && meaning.hasSuffix("]") { meaning = String(meaning.dropFirst().dropLast()) }
                let tokens = meaning.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
                out.append(
                    Node(
                        expression: .init(words: words, term: reading.term, meaning: tokens.isEmpty ? ["∅"] : tokens),
                        meaning: reading.meaning))
            }
        }
        return (out, samples.map(\.tokens))
    }

    /// Runs the study: the grammar's own meanings first, then one row per source.
    ///
    /// - Throws: ``InputError`` for sizes that are not positive or a sample with fewer than 3 terms; the grammar's
    ///   sampling error.
    public static func run(_ grammar: ProbabilisticGrammar, settings: MeaningMapSettings) throws -> [MeaningMapRow] {
        let study = settings.study
        guard study.dimension > 0, study.epochs >= 0, study.expressions >= 1, study.trainingSamples > 0,
            study.maximumLength > 0, settings.chanceDraws >= 0, (settings.clusters ?? 1) > 0
        else { throw InputError("sizes must be positive") }
        let (nodes, sample) = try nodes(of: grammar, settings: study)
        guard nodes.count >= 3 else {
            throw InputError("the grammar's sample has only \(nodes.count) distinct terms; need 3")
        }
        var meaningIDs: [String: Int] = [:]
        let grammarLabels = nodes.map { node -> Int in
            if let id = meaningIDs[node.meaning] { return id }
            meaningIDs[node.meaning] = meaningIDs.count
            return meaningIDs.count - 1
        }
        let k = min(settings.clusters ?? meaningIDs.count, nodes.count)
        var rows = [row(nil, labels: grammarLabels, grammarLabels: grammarLabels, nodes: nodes, settings: settings)]
        let learning = study.sources.contains(.seq2seq) || study.sources.contains(.trainedTreeLSTM)
        var all = study
        all.expressions = Int.max
        let training =
            learning
            ? try RepresentationCompositionalityStudy.expressions(of: grammar, settings: all)
                .expressions : []
        let expressions = nodes.map(\.expression)
        for source in study.sources {
            let (vectors, loss) = try RepresentationCompositionalityStudy.representations(
                source, of: expressions, grammar: grammar, sample: sample, training: training, settings: study)
            let labels = KMeans.cluster(vectors, clusters: k, seed: study.seed &+ 101)
            var row = row(source, labels: labels, grammarLabels: grammarLabels, nodes: nodes, settings: settings)
            row.trainingLoss = loss
            rows.append(row)
        }
        return rows
    }

    /// The row of one labelling of the nodes.
    static func row(
        _ source: RepresentationSource?, labels: [Int], grammarLabels: [Int], nodes: [Node],
        settings: MeaningMapSettings
    ) -> MeaningMapRow {
        func assignment(_ labels: [Int]) -> [Term: Int] {
            var map: [Term: Int] = [:]
            for (node, label) in zip(nodes, labels) { map[node.expression.term] = label }
            return map
        }
        let map = assignment(labels)
        let describe: (Int) -> String =
            source == nil
            ? { id in nodes[grammarLabels.firstIndex(of: id) ?? 0].meaning } : { "cluster \($0)" }
        let funct = AssignedMeaningCheck.functionality(map, describe: describe)
        let reverse = AssignedMeaningCheck.reverse(map, describe: describe)
        var generator = SplitMix64(seed: settings.study.seed &+ 7)
        var chance = 0.0
        for _ in 0..<settings.chanceDraws {
            var shuffled = labels
            for i in stride(from: shuffled.count - 1, to: 0, by: -1) {
                shuffled.swapAt(i, Int(generator.next() % UInt64(i + 1)))
            }
            chance += AssignedMeaningCheck.functionality(assignment(shuffled)).consistency
        }
        return MeaningMapRow(
            source: source, terms: nodes.count, clusters: Set(labels).count, applications: funct.applications,
            repeatedKeys: funct.repeatedKeys, functHolds: funct.result.holds ?? false,
            functConsistency: funct.consistency,
            chanceConsistency: settings.chanceDraws > 0 ? chance / Double(settings.chanceDraws) : nil,
            reverseConsistency: reverse.consistency, purity: purity(labels, grammarLabels), funct: funct.result,
            operations: funct.operations, trainingLoss: nil)
    }

    /// The fraction of items whose cluster's most frequent class is their own.
    static func purity(_ clusters: [Int], _ classes: [Int]) -> Double {
        guard !clusters.isEmpty else { return 1 }
        var counts: [Int: [Int: Int]] = [:]
        for (c, m) in zip(clusters, classes) { counts[c, default: [:]][m, default: 0] += 1 }
        let right = counts.values.map { $0.values.max() ?? 0 }.reduce(0, +)
        return Double(right) / Double(clusters.count)
    }

    /// The rows as a Markdown table.
    public static func table(_ rows: [MeaningMapRow]) -> String {
        var lines = [
            "| meaning assignment | terms | clusters | applications | in repeated keys | N1 | N1 consistency | chance | N9 consistency | purity | training loss |",
            "|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|",
        ]
        for row in rows {
            let name = row.source.map(\.rawValue) ?? "the grammar's meanings"
            let cells = [
                name, "\(row.terms)", "\(row.clusters)", "\(row.applications)", "\(row.repeatedKeys)",
                row.functHolds ? "holds" : "fails", String(format: "%.4f", row.functConsistency),
                row.chanceConsistency.map { String(format: "%.4f", $0) } ?? "–",
                String(format: "%.4f", row.reverseConsistency), String(format: "%.4f", row.purity),
                row.trainingLoss.map { String(format: "%.4f", $0) } ?? "–",
            ]
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The minimal N1 counterexample of each failing row, as `montague check` renders witnesses.
    public static func witnesses(_ rows: [MeaningMapRow]) -> String {
        var lines: [String] = []
        for row in rows {
            guard let witness = row.funct.witness else { continue }
            lines.append((row.source.map(\.rawValue) ?? "the grammar's meanings") + ": " + row.funct.summary)
            lines.append(contentsOf: CheckReport.witnessLines(witness).map { "    " + $0 })
        }
        return lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }
}
