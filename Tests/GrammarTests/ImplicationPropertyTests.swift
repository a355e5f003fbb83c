import MontagueSupport
import Testing

@testable import Grammar

/// The implications between the notions (docs/compositionality.md) as properties over randomly generated grammars:
/// random lexical meanings, random semantic tables, random gender agreement (partiality), random overrides
/// (non-compositionality), and two contexts of use with an indexical and an optional context-reading rule.
@Suite("Implications between notions on random grammars")
struct ImplicationPropertyTests {
    static func randomGrammar(seed: UInt64) -> String {
        var random = SplitMix64(seed: seed)
        let values = ["V0", "V1", "V2"]
        func v() -> String { values[random.nextInt(below: 3)] }
        var table: [String] = []
        for a in values {
            table.append("\(a): {" + values.map { "\($0): \(v())" }.joined(separator: ", ") + "}")
        }
        let unary = values.map { "\($0): \(v())" }.joined(separator: ", ")
        let agreement = random.nextInt(below: 2) == 0
        let genders = ["M", "F"]
        var lexicon: [String] = []
        let atoms = ["a", "b", "c", "d"]
        for atom in atoms {
            lexicon.append("\"\(atom)\" : S[g=\(genders[random.nextInt(below: 2)])] = \(v()) ;")
        }
        lexicon.append("\"i\" : S[g=M] = ctx.k ;")
        let binary =
            agreement ? "F : S[g=?x] -> S[g=?x] \"f\" S[g=?x] => f(S1)(S2) ;" : "F : S -> S \"f\" S => f(S1)(S2) ;"
        let contextRule =
            random.nextInt(below: 3) == 0 ? "K : S -> \"k\" S => if S == ctx.k then V0 else S ;" : ""
        var overrides: [String] = []
        for _ in 0..<random.nextInt(below: 3) {
            if random.nextInt(below: 2) == 0 {
                overrides.append(
                    "@F(\(atoms[random.nextInt(below: 4)]), \(atoms[random.nextInt(below: 4)])) = \(v()) ;")
            } else {
                overrides.append("@H(\(atoms[random.nextInt(below: 4)])) = \(v()) ;")
            }
        }
        return """
            grammar Random\(seed) ;
            start S ;
            param V = V0 | V1 | V2 ;
            param G = M | F ;
            model {
              f : V -> V -> V = { \(table.joined(separator: ", ")) } ;
              g : V -> V = { \(unary) } ;
            }
            contexts { param k : V ; c1 = { k = \(v()) } ; c2 = { k = \(v()) } ; }
            cat S [g: G] : V ;
            lexicon { \(lexicon.joined(separator: " ")) }
            rules {
              \(binary)
              H : S -> "h" S => g(S) ;
              \(contextRule)
            }
            overrides { \(overrides.joined(separator: " ")) }
            enumerate { max_depth = 3 ; max_terms = 1000 ; }
            """
    }

    /// Brute-force N1: every pair of terms with the same operation and synonymous arguments is synonymous.
    static func bruteForceFunct(_ fragment: Fragment) -> Bool {
        let terms = Array(fragment.storedTerms)
        let meanings = terms.map { fragment.meaning(of: $0) }
        let operations = terms.map { fragment.operation(of: $0) }
        let arguments = terms.map { fragment.children(of: $0).map { meanings[Int($0)] } }
        for i in terms.indices where !arguments[i].isEmpty && meanings[i] >= 0 && !arguments[i].contains(-1) {
            for j in (i + 1)..<terms.count
            where operations[j] == operations[i] && meanings[j] >= 0 && meanings[j] != meanings[i]
                && arguments[j] == arguments[i]
            {
                return false
            }
        }
        return true
    }

    @Test(arguments: 1...24)
    func implicationsHold(seed: Int) throws {
        let source = Self.randomGrammar(seed: UInt64(seed))
        let grammar = try GrammarLoader.compile(source: source, file: "random\(seed).mont")
        var options = CheckOptions(notions: [
            .funct, .domain, .subst, .subst1, .husserl, .global, .coll, .stand, .occWeak, .occStrong,
        ])
        options.reportsAmbiguities = false
        let report = CompositionalityChecker.check(grammar, options: options)
        func holds(_ n: Notion) -> Bool { report.result(n)?.holds == true }
        let fragment = Enumerator.enumerate(grammar, options: EnumerationOptions(bounds: grammar.bounds))
        // The streaming N1 agrees with a quadratic brute force.
        #expect(holds(.funct) == Self.bruteForceFunct(fragment), "seed \(seed)")
        // N1 ∧ N2 ⇒ N6.
        if holds(.funct) && holds(.domain) { #expect(holds(.global), "seed \(seed)") }
        // N1 ⇔ N3 given N2.
        if holds(.domain) { #expect(holds(.funct) == holds(.subst), "seed \(seed)") }
        // N3 ⇒ N4.
        if holds(.subst) { #expect(holds(.subst1), "seed \(seed)") }
        // N4 ⇔ N3 given N5 (and N2).
        if holds(.husserl) && holds(.domain) { #expect(holds(.subst1) == holds(.subst), "seed \(seed)") }
        // N11c ⇒ N11b ⇒ N11a.
        if holds(.occStrong) { #expect(holds(.occWeak), "seed \(seed)") }
        if holds(.occWeak) { #expect(holds(.stand), "seed \(seed)") }
        // N11b ⇒ N7 (C_coll is the weakest: structure, context and the atoms' occasion meanings).
        if holds(.occWeak) { #expect(holds(.coll), "seed \(seed)") }
        // A witness accompanies every failure.
        for r in report.results where r.holds == false && r.notion != Notion.husserl.rawValue {
            #expect(r.witness != nil, "seed \(seed) \(r.notion)")
        }
    }

    @Test func generatorCoversBothVerdicts() throws {
        var functVerdicts: Set<Bool> = []
        var husserlVerdicts: Set<Bool> = []
        var collVerdicts: Set<Bool> = []
        for seed in 1...24 {
            let grammar = try GrammarLoader.compile(source: Self.randomGrammar(seed: UInt64(seed)), file: "r.mont")
            var options = CheckOptions(notions: [.funct, .husserl, .coll])
            options.reportsAmbiguities = false
            let report = CompositionalityChecker.check(grammar, options: options)
            functVerdicts.insert(report.result(.funct)?.holds == true)
            husserlVerdicts.insert(report.result(.husserl)?.holds == true)
            collVerdicts.insert(report.result(.coll)?.holds == true)
        }
        #expect(functVerdicts == [true, false])
        #expect(husserlVerdicts == [true, false])
        #expect(collVerdicts == [true, false])
    }
}
