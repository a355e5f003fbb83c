/// Zadrozny's construction on a finite string fragment (Zadrozny 1994, "From compositional to systematic
/// semantics", Linguistics and Philosophy 17:329–342; docs/compositionality.md).
///
/// Theorem: for any m on strings closed under concatenation "." there is μ with μ(s.t) = μ(s)(μ(t)) and
/// μ(s)(s) = m(s). The proof solves x_s = {⟨s, m(s)⟩} ∪ {⟨x_t, x_{s.t}⟩ : t ∈ S} with Aczel's anti-foundation axiom.
/// Finitely, μ(s) is a node #s of a graph (a non-well-founded set is a graph up to bisimulation) with an edge labelled
/// by the urelement s to m(s) and an edge labelled #t to #(s.t) whenever s.t is in the fragment — partial
/// application on S_n. Both equations are then verified on every pair, and bisimulation classes are computed to
/// show that μ is injective: synonymy becomes identity, so the "compositional" μ is trivial.
public struct ZadroznyConstruction: Sendable {
    /// The strings S_n (token sequences), in order of length then enumeration.
    public let strings: [[String]]
    /// m(s) rendered.
    public let originalMeanings: [String]
    /// `application[s][t]` = #(s.t) if s.t is in the fragment, else nil: μ(s)(μ(t)).
    public let application: [[Int?]]
    /// The verification results.
    public let report: ZadroznyReport

    /// μ(s)(s): the read-out edge of node #s (the urelement s).
    public func readOut(_ s: Int) -> String { originalMeanings[s] }
}

/// What the construction verified.
public struct ZadroznyReport: Codable, Sendable, Equatable {
    /// Number of strings |S_n|.
    public var stringCount: Int
    /// Number of pairs (s, t) with s.t in S_n (where equation 1 is checked).
    public var concatenationPairs: Int
    /// Pairs where μ(s.t) = μ(s)(μ(t)) holds.
    public var equation1Holds: Int
    /// Strings where μ(s)(s) = m(s) holds.
    public var equation2Holds: Int
    /// Number of bisimulation classes of the nodes (= stringCount iff μ is injective).
    public var distinctObjects: Int
    /// Whether μ is injective.
    public var injective: Bool
    /// Whether m itself is a function of the parts' m-values under concatenation.
    public var originalIsCompositional: Bool
    /// A concatenation witness against m: s1.t1 and s2.t2 with m(s1) = m(s2), m(t1) = m(t2), different results.
    public var originalWitness: [String]?
    /// Strings with two derivations and two meanings (m is not a function on strings there; first meaning used).
    public var ambiguousStrings: [String]
    /// The diagnosis in words.
    public var diagnosis: String

    /// Human-readable report.
    public var text: String {
        var lines = [
            "Zadrozny construction on \(stringCount) strings",
            "  equation 1  μ(s.t) = μ(s)(μ(t)): \(equation1Holds)/\(concatenationPairs) pairs",
            "  equation 2  μ(s)(s) = m(s):      \(equation2Holds)/\(stringCount) strings",
            "  distinct objects (bisimulation classes): \(distinctObjects)" + (injective ? " — μ is injective" : ""),
            "  m compositional w.r.t. concatenation: " + (originalIsCompositional ? "yes" : "no"),
        ]
        if let w = originalWitness { lines.append("    witness: " + w.joined(separator: "  vs  ")) }
        if !ambiguousStrings.isEmpty {
            lines.append(
                "  ambiguous strings (first meaning used): " + ambiguousStrings.prefix(5).joined(separator: "; "))
        }
        lines.append(diagnosis)
        return lines.joined(separator: "\n")
    }
}

extension ZadroznyConstruction {
    /// Builds the construction on the distinct yields of the start category's meaningful terms (all categories if
    /// no start), with m = the grammar's meaning.
    public static func build(fragment: Fragment, level: MeaningLevel? = nil) -> ZadroznyConstruction {
        let view = MeaningView(level: level)
        var index: [[String]: Int] = [:]
        var strings: [[String]] = []
        var meanings: [Int32] = []
        var ambiguous: [String] = []
        for id in fragment.storedTerms {
            if let start = fragment.grammar.start, fragment.category(of: id) != start { continue }
            let m = fragment.meaning(of: id, view: view)
            guard m >= 0 else { continue }
            let tokens = fragment.tokens(of: id)
            if let i = index[tokens] {
                if meanings[i] != m, !ambiguous.contains(tokens.joined(separator: " ")) {
                    ambiguous.append(tokens.joined(separator: " "))
                }
                continue
            }
            index[tokens] = strings.count
            strings.append(tokens)
            meanings.append(m)
        }
        let n = strings.count
        // The graph: node s has edges #t ↦ #(s.t) and the read-out s ↦ m(s).
        var application = [[Int?]](repeating: [Int?](repeating: nil, count: n), count: n)
        for s in 0..<n {
            for t in 0..<n { application[s][t] = index[strings[s] + strings[t]] }
        }
        // Verify equation 1 on every pair and equation 2 on every string.
        var pairs = 0
        var equation1 = 0
        for s in 0..<n {
            for t in 0..<n {
                guard let st = index[strings[s] + strings[t]] else { continue }
                pairs += 1
                if application[s][t] == st { equation1 += 1 }
            }
        }
        let rendered = meanings.map { fragment.describe(meaning: $0) }
        let equation2 = (0..<n).filter { rendered[$0] == fragment.describe(meaning: meanings[$0]) }.count
        // Bisimulation classes by partition refinement (labels: the urelement s with m(s); node edges by block).
        var block = [Int](repeating: 0, count: n)
        var count = 1
        while true {
            var signatures: [[Int]: Int] = [:]
            var next = block
            for s in 0..<n {
                var signature = [block[s], -1, s, Int(meanings[s])]
                for t in 0..<n {
                    if let st = application[s][t] { signature += [block[t], block[st]] }
                }
                next[s] =
                    signatures[signature]
                    ?? {
                        signatures[signature] = signatures.count
                        return signatures.count - 1
                    }()
            }
            block = next
            if signatures.count == count { break }
            count = signatures.count
        }
        // Is m itself compositional w.r.t. concatenation?
        var table: [[Int32]: (Int, Int)] = [:]
        var witness: [String]?
        outer: for s in 0..<n {
            for t in 0..<n {
                guard let st = index[strings[s] + strings[t]] else { continue }
                let key = [meanings[s], meanings[t]]
                if let (s2, t2) = table[key] {
                    let st2 = index[strings[s2] + strings[t2]]!
                    if meanings[st2] != meanings[st] {
                        witness = [
                            "(\(strings[s2].joined(separator: " ")), \(strings[t2].joined(separator: " "))) ↦ \(rendered[st2])",
                            "(\(strings[s].joined(separator: " ")), \(strings[t].joined(separator: " "))) ↦ \(rendered[st])",
                        ]
                        break outer
                    }
                } else {
                    table[key] = (s, t)
                }
            }
        }
        let injective = count == n
        let diagnosis =
            injective
            ? "diagnosis: μ is injective (no two objects are bisimilar: the read-out edge ⟨s, m(s)⟩ separates them), so synonymy is identity and μ is compositional only trivially — G is application, and m is recovered from μ(s) only with the expression s itself as argument."
            : "diagnosis: some objects are bisimilar (μ is not injective)."
        let report = ZadroznyReport(
            stringCount: n, concatenationPairs: pairs, equation1Holds: equation1, equation2Holds: equation2,
            distinctObjects: count, injective: injective, originalIsCompositional: witness == nil,
            originalWitness: witness, ambiguousStrings: ambiguous, diagnosis: diagnosis)
        return ZadroznyConstruction(
            strings: strings, originalMeanings: rendered, application: application, report: report)
    }
}
