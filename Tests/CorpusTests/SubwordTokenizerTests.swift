import Corpus
import Foundation
import MontagueSupport
import Testing

/// Random text mixing ASCII, Latin-1, combining marks, CJK, emoji, whitespace and arbitrary scalars.
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

private let sampleTexts = [
    "the lowest newer lower low", "the newest widest lowest", "low low low lower lower newest newest",
    "It's the end of the world as we know it, and I feel fine.", "Ünïcödé wörds: naïve café, 東京 2024!",
]

@Suite struct SubwordTokenizerTests {
    @Test func preTokenizerChunksConcatenateToTheText() {
        #expect(
            ByteLevelPreTokenizer.chunks("Hello world's  end\n  x 42!?") == [
                "Hello", " world", "'s", " ", " end", "\n ", " x", " 42", "!?",
            ])
        var generator = SplitMix64(seed: 7)
        for _ in 0..<50 {
            let text = randomText(length: 30, using: &generator)
            #expect(ByteLevelPreTokenizer.chunks(text).joined() == text)
        }
    }

    @Test func byteLevelAlphabetIsABijection() {
        #expect(Set(ByteLevelAlphabet.characters).count == 256)
        #expect(ByteLevelAlphabet.piece(Array(" hi".utf8)) == "\u{120}hi")
        let all = (0...255).map(UInt8.init)
        #expect(ByteLevelAlphabet.bytes(of: ByteLevelAlphabet.piece(all)) == all)
    }

    @Test func bytePairEncodingRoundTripsRandomUnicode() {
        var generator = SplitMix64(seed: 11)
        let corpus = (0..<40).map { _ in randomText(length: 40, using: &generator) } + sampleTexts
        let bpe = BytePairEncoding.train(on: corpus, vocabularySize: 400, minimumFrequency: 2)
        #expect(bpe.vocabularySize > 256)
        for _ in 0..<100 {
            let text = randomText(length: generator.nextInt(below: 60), using: &generator)
            let ids = bpe.encode(text)
            #expect(bpe.decode(ids) == text)
            #expect(bpe.decode(pieces: bpe.encodeToPieces(text)) == text)
            #expect(ids.allSatisfy { (0..<bpe.vocabularySize).contains($0) })
        }
    }

    @Test func bytePairEncodingRoundTripsAShippedCorpus() throws {
        let path = packageRoot + "/corpora/shakespeare/hamlet.xml"
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)).prefix(20_000), as: UTF8.self)
        let lines = text.split(separator: "\n").map(String.init)
        let bpe = BytePairEncoding.train(on: lines, vocabularySize: 600)
        #expect(bpe.vocabularySize == 600)
        for line in lines { #expect(bpe.decode(bpe.encode(line)) == line) }
        #expect(bpe.encode(batch: lines) == lines.map(bpe.encode))
        // Subwords compress: fewer tokens than bytes.
        let tokens = lines.map { bpe.encode($0).count }.reduce(0, +)
        #expect(tokens * 2 < lines.map(\.utf8.count).reduce(0, +))
    }

    @Test func firstMergeIsTheMostFrequentPair() {
        // "aaabdaaabac": pair counts aa 4, ab 2, others 1; then "aa"+"a"… Sennrich et al.'s procedure.
        let bpe = BytePairEncoding.train(on: ["aaabdaaabac"], vocabularySize: 258, minimumFrequency: 2)
        let a = bpe.byteTokens[Int(UInt8(ascii: "a"))]
        #expect(bpe.merges.count == 2)
        #expect(bpe.merges[0].left == a && bpe.merges[0].right == a)
        #expect(bpe.pieces[bpe.mergeResults[0]] == "aa")
        #expect(bpe.pieces[bpe.mergeResults[1]] == "aab" || bpe.pieces[bpe.mergeResults[1]] == "ab")
    }

    @Test func mergesApplyInLearnedOrder() {
        let pieces = (0..<256).map { ByteLevelAlphabet.piece([UInt8($0)]) } + ["ab", "bc"]
        let (a, b, c) = (Int(UInt8(ascii: "a")), Int(UInt8(ascii: "b")), Int(UInt8(ascii: "c")))
        let abFirst = BytePairEncoding(
            pieces: pieces, byteTokens: Array(0..<256), merges: [(a, b), (b, c)], mergeResults: [256, 257])
        let bcFirst = BytePairEncoding(
            pieces: pieces, byteTokens: Array(0..<256), merges: [(b, c), (a, b)], mergeResults: [257, 256])
        #expect(abFirst.encode("abc") == [256, c])
        #expect(bcFirst.encode("abc") == [a, 257])
        #expect(abFirst.encode("abcabc") == [256, c, 256, c])
    }

    @Test func bytePairEncodingSavesAndLoads() throws {
        let bpe = BytePairEncoding.train(on: sampleTexts, vocabularySize: 300, specialTokens: ["<pad>", "<eos>"])
        let directory = try makeTemporaryDirectory()
        let url = URL(fileURLWithPath: directory + "/tokenizer.json")
        try bpe.save(to: url)
        let loaded = try BytePairEncoding.load(from: url)
        #expect(loaded == bpe)
        for text in sampleTexts { #expect(loaded.encode(text) == bpe.encode(text)) }
        #expect(try SubwordTokenizer.load(from: url) == .bytePairEncoding(bpe))
        #expect(bpe.decode([bpe.specialTokens["<eos>"] ?? -1]) == "<eos>")
    }

    @Test func huggingFaceStringMergesLoad() throws {
        var vocabulary = (0..<256).map { "\"\(jsonEscaped(ByteLevelAlphabet.piece([UInt8($0)])))\": \($0)" }
        vocabulary.append("\"\u{120}t\": 256")
        vocabulary.append("\"\u{120}th\": 257")
        let json = """
            {"model": {"type": "BPE", "vocab": {\(vocabulary.joined(separator: ","))},
             "merges": ["\u{120} t", "\u{120}t h"]},
             "added_tokens": [{"id": 258, "content": "<|endoftext|>", "special": true}]}
            """
        let bpe = try HuggingFaceTokenizerFile.parse(Data(json.utf8))
        #expect(bpe.encode(" the") == [257, Int(UInt8(ascii: "e"))])
        #expect(bpe.vocabularySize == 259)
        #expect(bpe.decode([258]) == "<|endoftext|>")
    }

    @Test(arguments: 0..<200) func unigramViterbiEqualsBruteForce(seed: Int) {
        var generator = SplitMix64(seed: UInt64(seed))
        let alphabet: [Unicode.Scalar] = ["a", "b", "c", "\u{2581}"]
        var pieces = ["<unk>"]
        var scores: [Float] = [0]
        var seen = Set<String>()
        for _ in 0..<12 {
            let length = 1 + generator.nextInt(below: 3)
            let scalars = (0..<length).map { _ in alphabet[generator.nextInt(below: 3)] }
            let piece = String(String.UnicodeScalarView(scalars))
            guard seen.insert(piece).inserted else { continue }
            pieces.append(piece)
            scores.append(-Float(1 + generator.nextInt(below: 1000)) / 100)
        }
        let tokenizer = UnigramTokenizer(pieces: pieces, logProbabilities: scores, addsDummyPrefix: false)
        let word = (0..<(1 + generator.nextInt(below: 7))).map { _ in alphabet[generator.nextInt(below: 3)] }
        let best = tokenizer.segment(word)
        // Brute force over every split of the word into pieces (unknown single characters allowed).
        func bruteForce(_ start: Int) -> Float {
            if start == word.count { return 0 }
            var result = -Float.infinity
            for end in (start + 1)...word.count {
                let piece = String(String.UnicodeScalarView(word[start..<end]))
                if let id = pieces.firstIndex(of: piece), id != 0 {
                    result = max(result, scores[id] + bruteForce(end))
                } else if end == start + 1 {
                    result = max(result, tokenizer.unknownScore + bruteForce(end))
                }
            }
            return result
        }
        #expect(abs(best.logProbability - bruteForce(0)) < 1e-4)
        let total = best.ids.map { $0 == 0 ? tokenizer.unknownScore : scores[$0] }.reduce(0, +)
        #expect(abs(total - best.logProbability) < 1e-4)
        let covered = best.ids.map { $0 == 0 ? 1 : pieces[$0].unicodeScalars.count }.reduce(0, +)
        #expect(covered == word.count)
    }

    @Test func unigramTrainsAndRoundTrips() throws {
        let corpus = sampleTexts + sampleTexts.map { $0.uppercased() }
        let unigram = UnigramTokenizer.train(on: corpus, vocabularySize: 60)
        #expect(unigram.vocabularySize <= 60)
        #expect(unigram.pieces[0] == "<unk>")
        for text in corpus {
            #expect(unigram.decode(unigram.encode(text)) == text)
            #expect(unigram.decode(pieces: unigram.encodeToPieces(text)) == text)
        }
        // Frequent words become single pieces.
        #expect(unigram.encodeToPieces("low").count <= 2)
        let directory = try makeTemporaryDirectory()
        let url = URL(fileURLWithPath: directory + "/unigram.json")
        try unigram.save(to: url)
        #expect(try UnigramTokenizer.load(from: url) == unigram)
        #expect(try SubwordTokenizer.load(from: url) == .unigram(unigram))
        // Unknown characters become <unk>; their pieces keep the text.
        #expect(unigram.encode("§").contains(unigram.unknownID))
        #expect(unigram.decode(pieces: unigram.encodeToPieces("§ low")) == "§ low")
    }

    @Test func specificationsParse() {
        #expect(SubwordTokenizer.Specification("bpe:8000") == .trainBytePairEncoding(vocabularySize: 8000))
        #expect(SubwordTokenizer.Specification("unigram:500") == .trainUnigram(vocabularySize: 500))
        #expect(SubwordTokenizer.Specification("bpe:10") == nil)
        #expect(SubwordTokenizer.Specification("bpe:x") == nil)
        #expect(SubwordTokenizer.Specification("vocab/tokenizer.json") == .file("vocab/tokenizer.json"))
    }

    @Test func wordVectorsReadBothFormats() throws {
        let word2vec = try WordVectors.parse(Data("2 3\nthe 0.1 0.2 0.3\ncat 1 2 3\n".utf8))
        #expect(word2vec.words == ["the", "cat"] && word2vec.dimension == 3)
        #expect(word2vec.vector(for: "cat").map(Array.init) == [1, 2, 3])
        let glove = try WordVectors.parse(Data("the 0.5 -1\ndog 2 3\n".utf8))
        #expect(glove.dimension == 2 && glove.vector(for: "dog").map(Array.init) == [2, 3])
        let table = glove.table(for: ["dog", "<unk>"]) { _ in [0, 0] }
        #expect(table.values == [2, 3, 0, 0] && table.found == 1)
        #expect(throws: CorpusError.self) { try WordVectors.parse(Data("the 1 2\ncat 1 x\n".utf8)) }
        do {
            _ = try WordVectors.parse(Data("the 1 2\ncat 1 x\n".utf8), file: "v.txt")
        } catch {
            #expect(error.line == 2 && error.column == 7 && error.description.hasPrefix("v.txt:2:7: error:"))
        }
    }

    /// Any mutation of a valid file gives a tokenizer or a located error, never a trap.
    @Test func loadersSurviveMutations() {
        let bpe = BytePairEncoding.train(on: sampleTexts, vocabularySize: 280, specialTokens: ["<pad>"])
        let unigram = UnigramTokenizer.train(on: sampleTexts, vocabularySize: 40)
        let byteFallback = UnigramTokenizer.train(on: sampleTexts, vocabularySize: 280, byteFallback: true)
        let seeds = [
            HuggingFaceTokenizerFile.encode(bpe), HuggingFaceTokenizerFile.encode(unigram),
            HuggingFaceTokenizerFile.encode(byteFallback),
            Data("3 2\nthe 1 2\ncat -1e3 4\ndog 0 0\n".utf8),
        ]
        var generator = SplitMix64(seed: 3)
        let insertions = Array("{}[]\",:0-1e9 \n\\u".utf8)
        for round in 0..<300 {
            var bytes = [UInt8](seeds[round % seeds.count])
            for _ in 0..<(1 + generator.nextInt(below: 4)) where !bytes.isEmpty {
                let position = generator.nextInt(below: bytes.count)
                switch generator.nextInt(below: 4) {
                case 0: bytes[position] = UInt8(truncatingIfNeeded: generator.next())
                case 1: bytes.removeSubrange(position..<min(bytes.count, position + 1 + generator.nextInt(below: 40)))
                case 2: bytes.insert(insertions[generator.nextInt(below: insertions.count)], at: position)
                default: bytes.insert(contentsOf: bytes[position..<min(bytes.count, position + 30)], at: position)
                }
            }
            let data = Data(bytes)
            var outcomes = 0
            do {
                let tokenizer = try SubwordTokenizer.parse(data, file: "fuzz.json")
                _ = tokenizer.decode(tokenizer.encode("the lowest café"))
                outcomes += 1
            } catch {
                #expect(error.file == "fuzz.json")
                outcomes += 1
            }
            do {
                let vectors = try WordVectors.parse(data, file: "fuzz.txt")
                #expect(vectors.values.count == vectors.words.count * vectors.dimension)
            } catch {
                #expect(error.file == "fuzz.txt")
            }
            #expect(outcomes == 1)
        }
    }
}

private func jsonEscaped(_ text: String) -> String {
    var result = ""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        default:
            if scalar.value < 0x20 {
                result += String(format: "\\u%04x", scalar.value)
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
    }
    return result
}
