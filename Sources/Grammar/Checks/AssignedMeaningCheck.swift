/// N1 (Funct) and N9 (reverse compositionality) for a meaning assignment given from outside the grammar: any map
/// from derivations to meaning labels, e.g. the clusters of a learned model's vectors, over a finite set of terms.
///
/// The grammar's own checker (``CompositionalityChecker``) computes μ from the semantic rules while it enumerates;
/// here μ is whatever the caller assigns, so the same questions are asked of it: is there, for every operation F, a
/// function G_F with μ(F(t₁…tₖ)) = G_F(μ(t₁)…μ(tₖ)) on the given terms (N1; Hodges 2001, "Formal features of
/// compositionality"), and does μ(F(t⃗)) determine μ(t₁)…μ(tₖ) (N9)? Both are decided on the terms given (a term
/// counts as an application of F when it and all its arguments have meanings), with a minimal witness, by depth and
/// then size, when they fail. Beside the verdict, a graded measure: the consistency, the largest fraction of the
/// applications that one G_F per operation can get right (per argument-meaning tuple, its most frequent output),
/// and the same per operation (docs/compositionality.md, "Compositionality of an assigned meaning map").
public enum AssignedMeaningCheck {
    /// The consistency of one operation's applications.
    public struct OperationConsistency: Codable, Sendable, Equatable {
        /// The operation F.
        public var operation: String
        /// Applications of F among the given terms (distinct terms).
        public var applications: Int
        /// Applications whose key (argument meanings for N1, output for N9) occurs in another application too: the
        /// only ones that can conflict.
        public var repeatedKeys: Int
        /// Applications the best table G_F gets right.
        public var consistent: Int

        /// `consistent / applications` (1 without applications).
        public var consistency: Double { applications == 0 ? 1 : Double(consistent) / Double(applications) }
    }

    /// The verdict and graded measure of one notion.
    public struct Outcome: Codable, Sendable, Equatable {
        /// The verdict with its minimal witness, in the form `montague check` reports.
        public var result: NotionResult
        /// Applications in all.
        public var applications: Int
        /// Applications that share their key with another.
        public var repeatedKeys: Int
        /// Applications the best tables get right.
        public var consistent: Int
        /// Per operation, in the order of first occurrence.
        public var operations: [OperationConsistency]

        /// `consistent / applications` (1 without applications).
        public var consistency: Double { applications == 0 ? 1 : Double(consistent) / Double(applications) }
    }

    /// Decides N1 (`.funct`) on the assignment: μ(F(t⃗)) must be a function of F and μ(t₁)…μ(tₖ).
    ///
    /// - Parameters:
    ///   - meanings: the assignment; terms absent from it are meaningless and not checked, and neither is a term
    ///     with a meaningless argument.
    ///   - describe: renders a meaning label for the witness (default: the label itself).
    public static func functionality(
        _ meanings: [Term: Int], describe: (Int) -> String = { String($0) }
    ) -> Outcome {
        decide(meanings, notion: .funct, describe: describe)
    }

    /// Decides N9 (`.reverse`) on the assignment: μ(F(t⃗)) must determine μ(t₁)…μ(tₖ).
    public static func reverse(
        _ meanings: [Term: Int], describe: (Int) -> String = { String($0) }
    ) -> Outcome {
        decide(meanings, notion: .reverse, describe: describe)
    }

    private struct Application {
        var term: Term
        var arguments: [Int]
        var output: Int
    }

    private static func decide(_ meanings: [Term: Int], notion: Notion, describe: (Int) -> String) -> Outcome {
        // Deterministic order: by depth, size, then the term's text (dictionary order is not stable).
        let terms = meanings.keys.filter { !$0.arguments.isEmpty }.sorted {
            ($0.depth, $0.size, $0.description) < ($1.depth, $1.size, $1.description)
        }
        var operationOrder: [String] = []
        // Per operation: key → applications, keys in order of first occurrence.
        var groups: [String: [[Int]: [Application]]] = [:]
        var keyOrder: [String: [[Int]]] = [:]
        for term in terms {
            guard let output = meanings[term] else { continue }
            var arguments: [Int] = []
            for argument in term.arguments {
                guard let m = meanings[argument] else { break }
                arguments.append(m)
            }
            guard arguments.count == term.arguments.count else { continue }
            let key = notion == .reverse ? [output] : arguments
            if groups[term.operation] == nil {
                groups[term.operation] = [:]
                keyOrder[term.operation] = []
                operationOrder.append(term.operation)
            }
            if groups[term.operation]?[key] == nil { keyOrder[term.operation]?.append(key) }
            groups[term.operation]?[key, default: []].append(
                Application(term: term, arguments: arguments, output: output))
        }
        var perOperation: [OperationConsistency] = []
        var best: (rank: (Int, Int), first: Application, second: Application)?
        var conflicts = 0
        for operation in operationOrder {
            var row = OperationConsistency(operation: operation, applications: 0, repeatedKeys: 0, consistent: 0)
            for key in keyOrder[operation] ?? [] {
                let applications = groups[operation]?[key] ?? []
                row.applications += applications.count
                if applications.count > 1 { row.repeatedKeys += applications.count }
                // The value each application must agree on: the output (N1) or the argument tuple (N9).
                var counts: [[Int]: Int] = [:]
                var firstOf: [[Int]: Application] = [:]
                var order: [[Int]] = []
                for application in applications {
                    let value = notion == .reverse ? application.arguments : [application.output]
                    if counts[value] == nil {
                        order.append(value)
                        firstOf[value] = application
                    }
                    counts[value, default: 0] += 1
                }
                row.consistent += counts.values.max() ?? 0
                guard order.count > 1 else { continue }
                conflicts += applications.count - (counts.values.max() ?? 0)
                // Applications are sorted by (depth, size), so each value's first one is its smallest; the two
                // smallest values give this key's smallest witness.
                let representatives = order.compactMap { firstOf[$0] }
                let first = representatives[0]
                let second = representatives[1]
                let rank = (max(first.term.depth, second.term.depth), first.term.size + second.term.size)
                if best.map({ rank < $0.rank }) ?? true { best = (rank, first, second) }
            }
            perOperation.append(row)
        }
        let applications = perOperation.map(\.applications).reduce(0, +)
        var result = NotionResult(
            notion: notion.rawValue, label: notion.label, holds: best == nil, summary: "", witness: nil, details: [],
            inducedOperations: nil)
        if let best {
            var witness = Witness(explanation: "")
            witness.operation = best.first.term.operation
            witness.term1 = best.first.term
            witness.term2 = best.second.term
            witness.arguments1 = best.first.term.arguments
            witness.arguments2 = best.second.term.arguments
            witness.argumentMeanings1 = best.first.arguments.map(describe)
            witness.meaning1 = describe(best.first.output)
            witness.meaning2 = describe(best.second.output)
            if notion == .reverse {
                witness.argumentMeanings2 = best.second.arguments.map(describe)
                witness.explanation =
                    "two applications of \(best.first.term.operation) have the same meaning but their arguments' meanings differ"
            } else {
                let positions = zip(best.first.term.arguments, best.second.term.arguments).enumerated()
                    .filter { $0.element.0 != $0.element.1 }.map { $0.offset + 1 }
                witness.differingPositions = positions.isEmpty ? nil : positions
                witness.explanation =
                    "the arguments have the same assigned meanings but \(best.first.term.operation) gives different meanings"
            }
            result.witness = witness
            result.summary =
                notion == .reverse
                ? "some operation's result does not determine its arguments' meanings: \(conflicts) application(s) disagree with the best tables"
                : "no function G_\(best.first.term.operation) exists: \(conflicts) application(s) disagree with the best tables"
        } else {
            result.summary =
                notion == .reverse
                ? "every operation's result determines its arguments' meanings (\(applications) application(s))"
                : "every operation's meaning is a function of its arguments' meanings (\(applications) application(s))"
        }
        for row in perOperation where row.consistent < row.applications {
            result.details.append(
                "\(row.operation): \(row.applications - row.consistent) of \(row.applications) application(s) inconsistent"
            )
        }
        return Outcome(
            result: result, applications: applications,
            repeatedKeys: perOperation.map(\.repeatedKeys).reduce(0, +),
            consistent: perOperation.map(\.consistent).reduce(0, +), operations: perOperation)
    }
}

extension CheckReport {
    /// A witness as the text report of `montague check` renders it, one line each (for reports built outside the
    /// checker, e.g. from ``AssignedMeaningCheck``).
    public static func witnessLines(_ witness: Witness) -> [String] { render(witness) }
}
