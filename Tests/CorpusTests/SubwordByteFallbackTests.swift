import Corpus
import Foundation
import MontagueSupport
import Testing

/// SentencePiece's answer for a unigram model with `byte_fallback`: pieces, scores, piece kinds and the ids of a
/// few strings (written by bench/unigram_byte_fallback_fixture.py with sentencepiece 0.2.3, identity normalization).
private let sentencePieceFixture = [
    #"{"pieces":["<unk>","<s>","</s>","<0x00>","<0x01>","<0x02>","<0x03>","<0x04>","<0x05>","<0x06>","<0x0"#,
    #"7>","<0x08>","<0x09>","<0x0A>","<0x0B>","<0x0C>","<0x0D>","<0x0E>","<0x0F>","<0x10>","<0x11>","<0x12"#,
    #">","<0x13>","<0x14>","<0x15>","<0x16>","<0x17>","<0x18>","<0x19>","<0x1A>","<0x1B>","<0x1C>","<0x1D>"#,
    #"","<0x1E>","<0x1F>","<0x20>","<0x21>","<0x22>","<0x23>","<0x24>","<0x25>","<0x26>","<0x27>","<0x28>""#,
    #","<0x29>","<0x2A>","<0x2B>","<0x2C>","<0x2D>","<0x2E>","<0x2F>","<0x30>","<0x31>","<0x32>","<0x33>","#,
    #""<0x34>","<0x35>","<0x36>","<0x37>","<0x38>","<0x39>","<0x3A>","<0x3B>","<0x3C>","<0x3D>","<0x3E>",""#,
    #"<0x3F>","<0x40>","<0x41>","<0x42>","<0x43>","<0x44>","<0x45>","<0x46>","<0x47>","<0x48>","<0x49>","<"#,
    #"0x4A>","<0x4B>","<0x4C>","<0x4D>","<0x4E>","<0x4F>","<0x50>","<0x51>","<0x52>","<0x53>","<0x54>","<0"#,
    #"x55>","<0x56>","<0x57>","<0x58>","<0x59>","<0x5A>","<0x5B>","<0x5C>","<0x5D>","<0x5E>","<0x5F>","<0x"#,
    #"60>","<0x61>","<0x62>","<0x63>","<0x64>","<0x65>","<0x66>","<0x67>","<0x68>","<0x69>","<0x6A>","<0x6"#,
    #"B>","<0x6C>","<0x6D>","<0x6E>","<0x6F>","<0x70>","<0x71>","<0x72>","<0x73>","<0x74>","<0x75>","<0x76"#,
    #">","<0x77>","<0x78>","<0x79>","<0x7A>","<0x7B>","<0x7C>","<0x7D>","<0x7E>","<0x7F>","<0x80>","<0x81>"#,
    #"","<0x82>","<0x83>","<0x84>","<0x85>","<0x86>","<0x87>","<0x88>","<0x89>","<0x8A>","<0x8B>","<0x8C>""#,
    #","<0x8D>","<0x8E>","<0x8F>","<0x90>","<0x91>","<0x92>","<0x93>","<0x94>","<0x95>","<0x96>","<0x97>","#,
    #""<0x98>","<0x99>","<0x9A>","<0x9B>","<0x9C>","<0x9D>","<0x9E>","<0x9F>","<0xA0>","<0xA1>","<0xA2>",""#,
    #"<0xA3>","<0xA4>","<0xA5>","<0xA6>","<0xA7>","<0xA8>","<0xA9>","<0xAA>","<0xAB>","<0xAC>","<0xAD>","<"#,
    #"0xAE>","<0xAF>","<0xB0>","<0xB1>","<0xB2>","<0xB3>","<0xB4>","<0xB5>","<0xB6>","<0xB7>","<0xB8>","<0"#,
    #"xB9>","<0xBA>","<0xBB>","<0xBC>","<0xBD>","<0xBE>","<0xBF>","<0xC0>","<0xC1>","<0xC2>","<0xC3>","<0x"#,
    #"C4>","<0xC5>","<0xC6>","<0xC7>","<0xC8>","<0xC9>","<0xCA>","<0xCB>","<0xCC>","<0xCD>","<0xCE>","<0xC"#,
    #"F>","<0xD0>","<0xD1>","<0xD2>","<0xD3>","<0xD4>","<0xD5>","<0xD6>","<0xD7>","<0xD8>","<0xD9>","<0xDA"#,
    #">","<0xDB>","<0xDC>","<0xDD>","<0xDE>","<0xDF>","<0xE0>","<0xE1>","<0xE2>","<0xE3>","<0xE4>","<0xE5>"#,
    #"","<0xE6>","<0xE7>","<0xE8>","<0xE9>","<0xEA>","<0xEB>","<0xEC>","<0xED>","<0xEE>","<0xEF>","<0xF0>""#,
    #","<0xF1>","<0xF2>","<0xF3>","<0xF4>","<0xF5>","<0xF6>","<0xF7>","<0xF8>","<0xF9>","<0xFA>","<0xFB>","#,
    #""<0xFC>","<0xFD>","<0xFE>","<0xFF>","▁","t","e","h","n","s","▁cat","▁a","d","o","▁dog","▁sa","▁mat","#,
    #""an","i","▁log","▁m","▁l","at","l","c","m","g","a","k","w"],"scores":[0.0,0.0,0.0,0.0,0.0,0.0,0.0,0."#,
    #"0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0."#,
    #"0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0."#,
    #"0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0."#,
    #"0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0."#,
    #"0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0."#,
    #"0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0."#,
    #"0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0."#,
    #"0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0."#,
    #"0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0."#,
    #"0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0."#,
    #"0,0.0,-1.7993303537368774,-2.1607277393341064,-2.272505283355713,-2.3920414447784424,-2.803147792816"#,
    #"162,-3.1059181690216064,-3.110258102416992,-3.152012348175049,-3.393756866455078,-3.399409294128418,"#,
    #"-3.412829875946045,-3.4290432929992676,-3.440084218978882,-3.5272254943847656,-3.826429605484009,-3."#,
    #"8642678260803223,-4.068748950958252,-4.509753704071045,-4.53609037399292,-4.585553169250488,-4.58565"#,
    #"3305053711,-4.585753440856934,-4.585853099822998,-4.585953235626221,-4.585953235626221,-4.5859532356"#,
    #"26221],"kinds":["unknown","control","control","byte","byte","byte","byte","byte","byte","byte","byte"#,
    #"","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","#,
    #""byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","b"#,
    #"yte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byt"#,
    #"e","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte""#,
    #","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte",""#,
    #"byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","by"#,
    #"te","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte"#,
    #"","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","#,
    #""byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","b"#,
    #"yte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byt"#,
    #"e","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte""#,
    #","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte",""#,
    #"byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","by"#,
    #"te","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte"#,
    #"","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","#,
    #""byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","b"#,
    #"yte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byte","byt"#,
    #"e","byte","byte","byte","byte","byte","normal","normal","normal","normal","normal","normal","normal""#,
    #","normal","normal","normal","normal","normal","normal","normal","normal","normal","normal","normal","#,
    #""normal","normal","normal","normal","normal","normal","normal","normal"],"cases":[{"text":"the cat s"#,
    #"at","ids":[259,260,262,261,265,270,260],"decoded":"the cat sat"},{"text":"the zebra ate a quokka","i"#,
    #"ds":[259,260,262,261,259,125,261,101,117,282,266,260,261,266,259,116,120,268,283,283,282],"decoded":"#,
    #""the zebra ate a quokka"},{"text":"naïve café — déjà vu","ids":[259,263,282,198,178,121,261,259,279,"#,
    #"282,105,198,172,259,229,131,151,259,267,198,172,109,198,163,259,121,120],"decoded":"naïve café — déj"#,
    #"à vu"},{"text":"日本語 テキスト","ids":[259,233,154,168,233,159,175,235,173,161,259,230,134,137,230,133,176"#,
    #",230,133,188,230,134,139],"decoded":"日本語 テキスト"},{"text":"emoji 🐈‍⬛ and 👍🏽","ids":[259,261,280,268,10"#,
    #"9,273,259,243,162,147,139,229,131,144,229,175,158,259,272,267,259,243,162,148,144,243,162,146,192],""#,
    #"decoded":"emoji 🐈‍⬛ and 👍🏽"},{"text":"tabs\tand nbsp","ids":[259,260,282,101,264,12,272,267,197,163,"#,
    #"263,101,264,115],"decoded":"tabs\tand nbsp"}]}"#,
].joined()

private struct Fixture: Decodable {
    struct Case: Decodable {
        var text: String
        var ids: [Int]
        var decoded: String
    }
    var pieces: [String]
    var scores: [Float]
    var kinds: [String]
    var cases: [Case]
}

/// Random text mixing ASCII, accents, CJK, emoji, controls and arbitrary scalars.
private func randomText(length: Int, using generator: inout SplitMix64) -> String {
    let pools: [ClosedRange<UInt32>] = [
        0x20...0x7E, 0x20...0x20, 0x09...0x0D, 0xA0...0xFF, 0x300...0x36F, 0x4E00...0x4E40, 0x1F600...0x1F64F,
        0x0...0x10FFFF,
    ]
    var scalars = String.UnicodeScalarView()
    while scalars.count < length {
        let pool = pools[generator.nextInt(below: pools.count)]
        let value = pool.lowerBound + UInt32(generator.nextInt(below: Int(pool.upperBound - pool.lowerBound) + 1))
        if let scalar = Unicode.Scalar(value) { scalars.append(scalar) }
    }
    return String(scalars)
}

private let corpus = [
    "the cat sat on the mat", "the dog sat on the log", "a cat and a dog met on a mat",
    "cats and dogs like mats and logs", "the man in the hat saw the cat",
]

/// Byte fallback of the unigram tokenizer (SentencePiece's `byte_fallback`): characters outside the vocabulary
/// become `<0xNN>` pieces, and any text round-trips.
@Suite("Subword unigram byte fallback")
struct SubwordByteFallbackTests {
    @Test func encodesAsSentencePieceDoes() throws {
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(sentencePieceFixture.utf8))
        let tokenizer = UnigramTokenizer(
            pieces: fixture.pieces, logProbabilities: fixture.scores, unknownID: 0, byteFallback: true)
        #expect(fixture.kinds.filter { $0 == "byte" }.count == 256)
        for (id, kind) in fixture.kinds.enumerated() where kind == "byte" {
            #expect(tokenizer.byteIDs[Int(try #require(UnigramTokenizer.byteValue(ofPiece: fixture.pieces[id])))] == id)
        }
        for example in fixture.cases {
            let ids = tokenizer.encode(example.text)
            #expect(ids == example.ids, "\(example.text)")
            #expect(tokenizer.decode(ids) == example.decoded)
            #expect(tokenizer.decode(pieces: tokenizer.encodeToPieces(example.text)) == example.text)
        }
    }

    @Test func trainedTokenizersRoundTripRandomUnicode() throws {
        let tokenizer = UnigramTokenizer.train(on: corpus, vocabularySize: 300, byteFallback: true)
        #expect(tokenizer.byteFallback && tokenizer.vocabularySize <= 300)
        #expect(Array(tokenizer.pieces[1...256]) == (0...255).map { UnigramTokenizer.bytePiece(UInt8($0)) })
        #expect(tokenizer.encodeToPieces("the cat").allSatisfy { UnigramTokenizer.byteValue(ofPiece: $0) == nil })
        #expect(tokenizer.encodeToPieces("the é").suffix(2) == ["<0xC3>", "<0xA9>"])
        var generator = SplitMix64(seed: 21)
        for _ in 0..<100 {
            let text = randomText(length: 1 + generator.nextInt(below: 30), using: &generator)
            let ids = tokenizer.encode(text)
            #expect(!ids.contains(tokenizer.unknownID))
            #expect(tokenizer.decode(ids) == text)
            #expect(tokenizer.decode(pieces: tokenizer.encodeToPieces(text)) == text)
        }
        // Without byte fallback the same characters are unknown.
        let plain = UnigramTokenizer.train(on: corpus, vocabularySize: 40)
        #expect(plain.encode("é").contains(plain.unknownID))
    }

    @Test func byteFallbackSurvivesTheTokenizerFile() throws {
        let tokenizer = UnigramTokenizer.train(on: corpus, vocabularySize: 280, byteFallback: true)
        let data = HuggingFaceTokenizerFile.encode(tokenizer)
        let loaded = try HuggingFaceTokenizerFile.parseUnigram(data)
        #expect(loaded == tokenizer && loaded.byteFallback)
        #expect(loaded.encode("naïve 日本") == tokenizer.encode("naïve 日本"))
        // A file that asks for byte fallback without the byte pieces is rejected with its name.
        let text = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "<0x41>", with: "<0x4G>")
        #expect {
            _ = try HuggingFaceTokenizerFile.parseUnigram(Data(text.utf8), file: "tok.json")
        } throws: { error in
            (error as? CorpusError)?.file == "tok.json"
        }
        // SubwordTokenizer trains unigram:N with byte fallback from N = 259 on.
        let made = try SubwordTokenizer.make(.trainUnigram(vocabularySize: 300), texts: corpus)
        #expect(made.decode(made.encode("zebra 🦓")) == "zebra 🦓")
    }

    @Test func tokenizerSpecificationsParseOnce() throws {
        #expect(TokenizerSpecification("default") == .words(.rules))
        #expect(TokenizerSpecification("whitespace") == .words(.whitespace))
        #expect(TokenizerSpecification("bpe:8000") == .subwords(.trainBytePairEncoding(vocabularySize: 8000)))
        #expect(TokenizerSpecification("unigram:500") == .subwords(.trainUnigram(vocabularySize: 500)))
        #expect(TokenizerSpecification("my/tokenizer.json") == .subwords(.file("my/tokenizer.json")))
        for bad in ["bpe:10", "bpe:x", "unigram:1", "words", "", "tokenizer.txt"] {
            #expect(TokenizerSpecification(bad) == nil, "\(bad)")
        }
        for spelling in ["default", "whitespace", "bpe:300", "unigram:2", "a.json"] {
            #expect(TokenizerSpecification(spelling)?.description == spelling)
        }
        let segmenter = try TextSegmenter.make(
            .subwords(.trainBytePairEncoding(vocabularySize: 300)), trainingTexts: corpus)
        #expect(segmenter.text(segmenter.tokens("the cat, naïvely")) == "the cat, naïvely")
        let words = try TextSegmenter.make(.words(.rules), lowercase: true, trainingTexts: [String]())
        #expect(words.tokens("The cat's hat.") == ["the", "cat", "'s", "hat", "."])
    }
}
