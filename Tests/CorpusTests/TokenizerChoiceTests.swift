import Corpus
import Foundation
import Testing

@Suite("Whitespace tokenization and per-pair label counts")
struct TokenizerChoiceTests {
    @Test("whitespace segmentation keeps pre-tokenized tokens whole; lowercasing and numbers still apply")
    func whitespace() throws {
        let tokenizer = Tokenizer(segmentation: .whitespace)
        #expect(
            tokenizer.tokenize("it 's  _num_ stars\tdo n't !!") == ["it", "'s", "_num_", "stars", "do", "n't", "!!"])
        #expect(Tokenizer().tokenize("it 's _num_") != ["it", "'s", "_num_"])
        let normalizing = Tokenizer(isLowercasing: true, normalizesNumbers: true, segmentation: .whitespace)
        #expect(normalizing.tokenize(" JUMP twice 3.5 1,000 ") == ["jump", "twice", "<num>", "<num>"])
        // Token ids agree with the strings.
        var dictionary = TokenDictionary()
        var ids: [Int] = []
        var text = "walk left after run 's"
        text.withUTF8 { bytes in tokenizer.forEachTokenID(in: bytes, interningInto: &dictionary) { ids.append($0) } }
        #expect(ids.map { dictionary.token($0) } == ["walk", "left", "after", "run", "'s"])
    }

    @Test("a tokenizer saved before segmentation existed decodes with the rules; the new field round-trips")
    func codable() throws {
        let old =
            #"{"lowercase":true,"normalizeNumbers":false,"numberToken":"<num>","contractions":"split","normalizeApostrophes":true}"#
        let decoded = try JSONDecoder().decode(Tokenizer.self, from: Data(old.utf8))
        #expect(decoded.segmentation == .rules && decoded.isLowercasing)
        let whitespace = Tokenizer(segmentation: .whitespace)
        let data = try JSONEncoder().encode(whitespace)
        #expect(try JSONDecoder().decode(Tokenizer.self, from: data) == whitespace)
    }

    @Test("RTE: the pair's label counts once per pair, not once per text and hypothesis")
    func rteLabelsPerPair() throws {
        let xml = """
            <entailment-corpus><pair id="1" entailment="YES"><t>A man sleeps.</t><h>Someone sleeps.</h></pair>
            <pair id="2" entailment="NO"><t>A cat.</t><h>A dog.</h></pair>
            <pair id="3" entailment="YES"><t>Rain.</t><h>Water.</h></pair></entailment-corpus>
            """
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = try writeFixture(xml, named: "rte.xml", in: directory)
        let spec = try GenericProfileSpecification(units: ["pair/t", "pair/h"], labels: ["pair@entailment"])
        let loader = try CorpusLoader(
            paths: [path], options: CorpusLoadOptions(profile: ProfileConfiguration(kind: .generic, generic: spec)))
        let statistics = try CorpusStatistics.compute(loader)
        #expect(statistics.units == 6)
        #expect(statistics.labels["entailment"] == ["YES": 2, "NO": 1])
        #expect(statistics.report.contains("YES: 2 (66.7%)"))
        // A label on the unit itself counts per unit.
        let own = try GenericProfileSpecification(units: ["t"], labels: ["id=pair@id"])
        let perUnit = try CorpusStatistics.compute(
            CorpusLoader(
                paths: [path],
                options: CorpusLoadOptions(profile: ProfileConfiguration(kind: .generic, generic: own))))
        #expect(perUnit.labels["id"]?.values.reduce(0, +) == 3)
    }
}
