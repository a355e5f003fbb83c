import Grammar
import Testing

/// `grammars/scan-paraphrase.mont` and `grammars/scan.mont` as a style-transfer pair: the same commands, in other
/// words, with the same meanings.
@Suite("SCAN paraphrase pair")
struct ScanParaphrasePairTests {
    @Test func bothGrammarsHaveTheSameMeaningsAndShareOnlyBareVerbs() throws {
        let scan = DataSetGenerator.examples(try GrammarLoader.load(path: shippedGrammarsDirectory + "/scan.mont"))
        let paraphrase = DataSetGenerator.examples(
            try GrammarLoader.load(path: shippedGrammarsDirectory + "/scan-paraphrase.mont"))
        #expect(scan.count == 20_910 && paraphrase.count == 20_910)
        // The same multiset of action sequences: one paraphrase per command.
        #expect(scan.map(\.output).sorted() == paraphrase.map(\.output).sorted())
        // The two languages share only the four bare verbs.
        let common = Set(scan.map(\.input)).intersection(paraphrase.map(\.input))
        #expect(common == ["walk", "look", "run", "jump"])
        let meaning = Dictionary(paraphrase.map { ($0.input, $0.output) }, uniquingKeysWith: { first, _ in first })
        #expect(meaning["walk to the left before jump two times"] == "I_TURN_LEFT I_WALK I_JUMP I_JUMP")
        #expect(
            meaning["turn around to the right three times and then look"]
                == (Array(repeating: "I_TURN_RIGHT", count: 12) + ["I_LOOK"]).joined(separator: " "))
    }
}
