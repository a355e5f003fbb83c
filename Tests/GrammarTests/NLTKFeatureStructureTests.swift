import Testing

@testable import Grammar

/// Feature structures as feature values in NLTK grammars (`AGR=[NUM=sg, PER=3]`): leaves become path features,
/// a variable shared between structures shares every leaf, and what cannot be read is reported where it is written.
@Suite("NLTK feature structures as values")
struct NLTKFeatureStructureTests {
    static func agreementGrammar() throws -> InterpretedGrammar {
        try NLTKImporter.load(
            grammarPath: nltkFixturesDirectory + "/agreement.fcfg",
            valuationPath: nltkFixturesDirectory + "/agreement.val")
    }

    static func meanings(_ grammar: InterpretedGrammar, _ sentence: String) throws -> [String] {
        try SentenceInterpreter.interpret(grammar, sentence: sentence).map(\.meaning)
    }

    @Test func agreementThroughANestedStructureIsEnforced() throws {
        let grammar = try Self.agreementGrammar()
        let accepted: [(String, String)] = [
            ("Kim barks", "false"), ("I bark", "true"), ("a dog barks", "true"), ("all dogs bark", "true"),
            ("the dogs bark", "true"), ("the dog barks", "true"), ("Kim sees a dog", "true"),
            ("I see all dogs", "true"), ("Kim sees all dogs", "false"),
        ]
        for (sentence, meaning) in accepted {
            #expect(try Self.meanings(grammar, sentence) == [meaning], "\(sentence)")
        }
        // NUM or PER disagree somewhere in the structure: no parse, as NLTK's FeatureChartParser gives none.
        for sentence in ["Kim bark", "I barks", "a dogs bark", "all dog barks", "the dog bark", "I sees a dog"] {
            #expect(try Self.meanings(grammar, sentence).isEmpty, "\(sentence)")
        }
    }

    @Test func leavesBecomePathFeaturesAndSharedVariablesCoverEveryLeaf() throws {
        let grammar = try Self.agreementGrammar()
        let np = try #require(grammar.categories.first { $0.name == "NP" })
        #expect(np.features.map(\.name) == ["AGR.NUM", "AGR.PER"])
        // `the` leaves AGR unspecified, so it combines with singular and plural nouns alike.
        let the = try #require(grammar.operations.first { $0.name == "the" })
        #expect(the.motherFeatures.allSatisfy { if case .unset = $0 { true } else { false } })
    }

    @Test func deeperNestingAndBooleanFeaturesUnify() throws {
        let source = """
            % start S
            S[SEM=<?v(?np)>] -> NP[IDX=?i, SEM=?np] V[ARG=[IDX=?i], SEM=?v]
            NP[IDX=[AGR=[NUM=sg], +ANIM], SEM=<kim>] -> 'Kim'
            NP[IDX=[AGR=[NUM=sg], -ANIM], SEM=<rock>] -> 'it'
            V[ARG=[IDX=[+ANIM]], SEM=<\\x.think(x)>] -> 'thinks'
            V[ARG=[IDX=[AGR=[NUM=sg]]], SEM=<\\x.fall(x)>] -> 'falls'
            """
        let grammar = try NLTKImporter.importGrammar(
            source: source, file: "nested.fcfg", valuation: "kim => k\nrock => r\nthink => {k}\nfall => {r}\n")
        #expect(try Self.meanings(grammar, "Kim thinks") == ["true"])
        #expect(try Self.meanings(grammar, "it thinks").isEmpty)
        #expect(try Self.meanings(grammar, "it falls") == ["true"])
        #expect(try Self.meanings(grammar, "Kim falls") == ["false"])
        let v = try #require(grammar.categories.first { $0.name == "V" })
        #expect(Set(v.features.map(\.name)) == ["ARG.IDX.ANIM", "ARG.IDX.AGR.NUM"])
    }

    /// A variable shared by two differently named features compares their values, not their positions in
    /// per-feature value lists (`pl` is written first for NUM and second for AGR.NUM here).
    @Test func aVariableSharedAcrossFeatureNamesComparesValues() throws {
        let source = """
            % start S
            S[SEM=<?vp(?np)>] -> NP[NUM=?n, SEM=?np] VP[AGR=[NUM=?n], SEM=?vp]
            NP[NUM=pl, SEM=<dogs>] -> 'they'
            NP[NUM=sg, SEM=<kim>] -> 'Kim'
            VP[AGR=[NUM=sg], SEM=<\\x.bark(x)>] -> 'barks'
            VP[AGR=[NUM=pl], SEM=<\\x.bark(x)>] -> 'bark'
            """
        let grammar = try NLTKImporter.importGrammar(
            source: source, file: "shared.fcfg", valuation: "kim => k\ndogs => d\nbark => {k}\n")
        #expect(try Self.meanings(grammar, "Kim barks") == ["true"])
        #expect(try Self.meanings(grammar, "they bark") == ["false"])
        #expect(try Self.meanings(grammar, "Kim bark").isEmpty)
        #expect(try Self.meanings(grammar, "they barks").isEmpty)
    }

    @Test func whatCannotBeReadIsReportedAtItsOwnLineAndColumn() {
        let cases: [(source: String, line: Int, column: Int, mentions: String)] = [
            // Numbered reentrancy, at the feature.
            ("% start S\nS[SEM=<?np>] -> NP[SEM=?np]\nNP[AGR=(1)[NUM=sg], SEM=<kim>] -> 'Kim'\n", 3, 4, "reentrancy"),
            ("% start S\nS[SEM=<?np>] -> NP[SEM=?np]\nNP[X=[A=(1)[B=c]], SEM=<kim>] -> 'Kim'\n", 3, 9, "reentrancy"),
            // An unclosed nested structure hides the arrow.
            ("% start S\nS[SEM=<?np>] -> NP[SEM=?np]\nNP[X=[A=[B=c], SEM=<kim>] -> 'Kim'\n", 3, 1, "LHS"),
            // AGR atomic in one production, a structure in another.
            (
                "% start S\nS[SEM=<?np>] -> NP[AGR=sg, SEM=?np]\nNP[AGR=[NUM=sg], SEM=<kim>] -> 'Kim'\n", 2, 1,
                "atomic"
            ),
            // A variable shared between two features of a word.
            ("% start S\nS[SEM=<?np>] -> NP[SEM=?np]\nNP[A=?x, B=?x, SEM=<kim>] -> 'Kim'\n", 3, 1, "?x"),
        ]
        for testCase in cases {
            do {
                _ = try NLTKImporter.importGrammar(source: testCase.source, file: "bad.fcfg")
                Issue.record("accepted: \(testCase.source)")
            } catch {
                let match = error.errors.first {
                    $0.location.line == testCase.line && $0.message.contains(testCase.mentions)
                }
                #expect(match != nil, "\(error.errors.map(\.description)) for \(testCase.source)")
                if let match, testCase.column > 1 { #expect(match.location.column == testCase.column) }
            }
        }
    }

    @Test func nestingBeyondTheLimitIsAnErrorNotACrash() {
        let depth = NLTKImporter.maximumStructureDepth + 5
        let value = String(repeating: "[A=", count: depth) + "x" + String(repeating: "]", count: depth)
        let source = "% start S\nS[SEM=<?np>] -> NP[SEM=?np]\nNP[F=\(value), SEM=<kim>] -> 'Kim'\n"
        #expect(throws: GrammarErrors.self) { try NLTKImporter.importGrammar(source: source, file: "deep.fcfg") }
    }
}
