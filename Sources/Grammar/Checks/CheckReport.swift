/// A counterexample to a notion, minimal by depth then size among those found.
public struct Witness: Codable, Sendable, Equatable {
    /// The operation F involved (N1, N9, N14, …).
    public var operation: String?
    /// A context of use (N11) or linguistic context (N12).
    public var context: String?
    /// A frame s(_) (N3, N4, N5, N10) rendered with `_` for the hole(s).
    public var frame: String?
    /// First argument tuple (N1, N9) or first term.
    public var arguments1: [Term]?
    /// Second argument tuple.
    public var arguments2: [Term]?
    /// First whole term.
    public var term1: Term?
    /// Second whole term.
    public var term2: Term?
    /// Meanings of the arguments (shared ones for N1; first tuple's for N9).
    public var argumentMeanings1: [String]?
    /// Meanings of the second argument tuple (N9).
    public var argumentMeanings2: [String]?
    /// Meaning of the first term (or output).
    public var meaning1: String?
    /// Meaning of the second term (or output).
    public var meaning2: String?
    /// 1-based argument positions where the two argument tuples differ.
    public var differingPositions: [Int]?
    /// One-paragraph explanation.
    public var explanation: String

    /// An empty witness with an explanation.
    public init(explanation: String) { self.explanation = explanation }

    /// Rank for minimality: deeper of the two terms, then total size.
    var rank: (Int, Int) {
        let terms = [term1, term2].compactMap { $0 }
        return (terms.map(\.depth).max() ?? 0, terms.map(\.size).reduce(0, +))
    }
}

/// One row of an induced semantic operation G_F: argument meanings ↦ result meaning.
public struct InducedRow: Codable, Sendable, Equatable {
    /// μ(p1)…μ(pk).
    public var arguments: [String]
    /// μ(F(p⃗)).
    public var result: String
}

/// The induced semantic algebra's operation G_F (exists iff N1 holds), as a finite table.
public struct InducedOperation: Codable, Sendable, Equatable {
    /// F.
    public var operation: String
    /// Number of distinct argument-meaning tuples seen.
    public var rowCount: Int
    /// The rows (at most the first 200).
    public var rows: [InducedRow]
    /// The declared semantic rule agrees with G_F on every row (false where overrides or form-reading rules differ).
    public var agreesWithDeclaredRule: Bool
}

/// The verdict of one notion.
public struct NotionResult: Codable, Sendable, Equatable {
    /// Notion id (`funct`, …).
    public var notion: String
    /// Label with its number in docs/compositionality.md.
    public var label: String
    /// `true` holds, `false` fails, `nil` not applicable (e.g. no contexts declared).
    public var holds: Bool?
    /// One-line summary.
    public var summary: String
    /// A minimal counterexample when it fails.
    public var witness: Witness?
    /// Further lines (per-operation status, classes, caveats).
    public var details: [String]
    /// Induced operations (N1 when it holds).
    public var inducedOperations: [InducedOperation]?
}

/// Two derivations of one string with different meanings: μ is not a function on strings (not a compositionality
/// failure; move μ to terms).
public struct AmbiguityConflict: Codable, Sendable, Equatable {
    /// The string.
    public var yield: String
    /// The category.
    public var category: String
    /// Two derivations.
    public var terms: [Term]
    /// Their meanings.
    public var meanings: [String]
}

/// The result of `montague check`.
public struct CheckReport: Codable, Sendable {
    /// Grammar name.
    public var grammar: String
    /// File.
    public var file: String
    /// Bounds used.
    public var maxDepth: Int
    /// Length bound (nil: none).
    public var maxLength: Int?
    /// Count bound.
    public var maxTerms: Int
    /// Terms enumerated.
    public var termCount: Int
    /// Terms per category.
    public var termsPerCategory: [String: Int]
    /// Whether the count bound cut the enumeration.
    public var isTruncated: Bool
    /// Whether the enumeration reached a fixpoint (the whole language within the length bound).
    public var isSaturated: Bool
    /// Distinct meanings interned.
    public var distinctMeanings: Int
    /// Meaningless terms.
    public var meaninglessTerms: Int
    /// Verdicts in the order requested.
    public var results: [NotionResult]
    /// Ambiguity conflicts found among the start category's strings.
    public var ambiguities: [AmbiguityConflict]
    /// Evaluation errors (first 20).
    public var evaluationErrors: [String]
    /// Caveats on the verdicts (bounds, opaque function equality, …).
    public var caveats: [String]

    /// JSON keys (`montague check --json`): the property names, with `truncated` and `saturated` for the flags.
    enum CodingKeys: String, CodingKey {
        case grammar, file, maxDepth, maxLength, maxTerms, termCount, termsPerCategory
        case isTruncated = "truncated"
        case isSaturated = "saturated"
        case distinctMeanings, meaninglessTerms, results, ambiguities, evaluationErrors, caveats
    }

    /// Whether every applicable notion holds.
    public var allHold: Bool { results.allSatisfy { $0.holds != false } }

    /// The result for a notion.
    public func result(_ notion: Notion) -> NotionResult? { results.first { $0.notion == notion.rawValue } }

    /// Human-readable report.
    public var text: String {
        var lines: [String] = []
        let lengthText = maxLength.map { ", max length \($0)" } ?? ""
        lines.append("grammar \(grammar) (\(file))")
        lines.append(
            "fragment: \(termCount) terms up to depth \(maxDepth)\(lengthText)"
                + (isTruncated ? " (truncated at \(maxTerms))" : "")
                + (isSaturated ? " (complete: no deeper terms)" : "")
                + "; \(distinctMeanings) distinct meanings; \(meaninglessTerms) meaningless")
        lines.append(
            "terms per category: "
                + termsPerCategory.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
                .joined(separator: ", "))
        for r in results {
            let verdict = r.holds == nil ? "n/a " : (r.holds! ? "HOLDS" : "FAILS")
            lines.append("")
            lines.append("[\(verdict)] \(r.label): \(r.summary)")
            if let w = r.witness { lines.append(contentsOf: Self.render(w).map { "    " + $0 }) }
            for d in r.details { lines.append("    " + d) }
            if let ops = r.inducedOperations {
                for op in ops {
                    lines.append(
                        "    G_\(op.operation): \(op.rowCount) rows"
                            + (op.agreesWithDeclaredRule
                                ? " (agrees with the declared rule)" : " (differs from the declared rule)"))
                    for row in op.rows.prefix(12) {
                        lines.append(
                            "      (" + row.arguments.map { Self.short($0) }.joined(separator: ", ") + ") ↦ "
                                + Self.short(row.result))
                    }
                    if op.rowCount > 12 {
                        lines.append("      … (\(op.rowCount - 12) more; --json for all shown rows)")
                    }
                }
            }
        }
        if !ambiguities.isEmpty {
            lines.append("")
            lines.append(
                "ambiguity conflicts (one string, two derivations, two meanings — not a compositionality failure):")
            for a in ambiguities.prefix(5) {
                lines.append(
                    "    \(a.category) \"\(a.yield)\": "
                        + zip(a.terms, a.meanings).map { "\($0) = \($1)" }.joined(separator: " | "))
            }
            if ambiguities.count > 5 { lines.append("    … \(ambiguities.count - 5) more") }
        }
        if !evaluationErrors.isEmpty {
            lines.append("")
            lines.append("evaluation errors (terms without meaning):")
            for e in evaluationErrors.prefix(5) { lines.append("    " + e) }
        }
        for c in caveats { lines.append("note: " + c) }
        lines.append("")
        lines.append(contentsOf: summaryLines)
        return lines.joined(separator: "\n")
    }

    /// The number of a notion's label (`N10` of "N10 Fregean extension (Hodges)").
    static func number(_ result: NotionResult) -> String {
        String(result.label.prefix { $0 != " " })
    }

    /// One line per notion checked (number, name, verdict), then the overall line
    /// `overall: FAILS (holds: N1 N5; fails: N9)`.
    public var summaryLines: [String] {
        let width = results.map { Self.number($0).count + 1 + $0.notion.count }.max() ?? 0
        var lines = ["summary:"]
        for r in results {
            let name = Self.number(r) + " " + r.notion
            let verdict = r.holds == nil ? "n/a" : (r.holds! ? "HOLDS" : "FAILS")
            lines.append("  " + name + String(repeating: " ", count: max(1, width - name.count + 2)) + verdict)
        }
        var groups: [String] = []
        for (title, value) in [("holds", true as Bool?), ("fails", false), ("n/a", nil)] {
            let members = results.filter { $0.holds == value }.map { Self.number($0) }
            if !members.isEmpty { groups.append(title + ": " + members.joined(separator: " ")) }
        }
        lines.append("overall: " + (allHold ? "HOLDS" : "FAILS") + " (" + groups.joined(separator: "; ") + ")")
        return lines
    }

    /// A meaning shortened for the text report (the JSON report keeps it whole).
    static func short(_ text: String, limit: Int = 100) -> String {
        text.count <= limit ? text : String(text.prefix(limit)) + "…"
    }

    static func render(_ w: Witness) -> [String] {
        var lines = ["witness: " + w.explanation]
        if let op = w.operation { lines.append("  operation: \(op)") }
        if let c = w.context { lines.append("  context: \(c)") }
        if let f = w.frame { lines.append("  frame: \(f)") }
        if let a = w.arguments1 {
            lines.append(
                "  arguments 1: (" + a.map(\.description).joined(separator: ", ") + ")  \""
                    + a.map(\.yield).joined(separator: "\", \"") + "\"")
        }
        if let a = w.arguments2 {
            lines.append(
                "  arguments 2: (" + a.map(\.description).joined(separator: ", ") + ")  \""
                    + a.map(\.yield).joined(separator: "\", \"") + "\"")
        }
        if let m = w.argumentMeanings1 {
            lines.append("  argument meanings: (" + m.map { short($0) }.joined(separator: ", ") + ")")
        }
        if let m = w.argumentMeanings2 {
            lines.append("  argument meanings 2: (" + m.map { short($0) }.joined(separator: ", ") + ")")
        }
        if let t = w.term1 {
            lines.append("  term 1: \(t)  \"\(t.yield)\"" + (w.meaning1.map { " = " + short($0) } ?? ""))
        }
        if let t = w.term2 {
            lines.append("  term 2: \(t)  \"\(t.yield)\"" + (w.meaning2.map { " = " + short($0) } ?? ""))
        }
        if let p = w.differingPositions {
            lines.append(
                "  differs in position\(p.count == 1 ? "" : "s") " + p.map(String.init).joined(separator: ", "))
        }
        return lines
    }
}
