import Testing

@testable import Grammar

@Suite("T1 arithmetic")
struct ArithmeticTests {
    @Test func functionalityHoldsWithInducedAddition() throws {
        let grammar = try loadGrammar("arithmetic.mont")
        let result = check(grammar, .funct)
        #expect(result.holds == true)
        let plus = try #require(result.inducedOperations?.first { $0.operation == "Plus" })
        #expect(plus.rows.contains(InducedRow(arguments: ["2", "2"], result: "4")))
        #expect(plus.rows.contains(InducedRow(arguments: ["1", "3"], result: "4")))
        #expect(plus.agreesWithDeclaredRule)
    }

    @Test func reverseCompositionalityFailsWithMinimalWitness() throws {
        let grammar = try loadGrammar("arithmetic.mont")
        let result = check(grammar, .reverse)
        #expect(result.holds == false)
        let w = try #require(result.witness)
        #expect(w.operation == "Plus")
        #expect(yields(w.arguments1) == ["0", "1"])
        #expect(yields(w.arguments2) == ["1", "0"])
        #expect(w.meaning1 == "1")
        #expect(w.differingPositions == [1, 2])
    }

    @Test func husserlHolds() throws {
        let grammar = try loadGrammar("arithmetic.mont")
        #expect(check(grammar, .husserl).holds == true)
    }
}
