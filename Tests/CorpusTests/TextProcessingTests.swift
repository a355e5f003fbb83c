import Corpus
import Foundation
import Testing

@Suite("Tokenizer")
struct TokenizerTests {
    @Test(
        "words, punctuation, contractions and numbers (Penn Treebank style)",
        arguments: [
            (
                "I can't believe it's 3.14, isn't it?",
                ["I", "ca", "n't", "believe", "it", "'s", "3.14", ",", "is", "n't", "it", "?"]
            ),
            (
                "Hamlet's well-known line... \"To be\"",
                ["Hamlet", "'s", "well-known", "line", "...", "\"", "To", "be", "\""]
            ),
            (
                "’Tis now struck twelve. Get thee to bed, Francisco.",
                ["'Tis", "now", "struck", "twelve", ".", "Get", "thee", "to", "bed", ",", "Francisco", "."]
            ),
            (
                "We'll pay $1,000 at 9 o'clock; they've 27.5%",
                [
                    "We", "'ll", "pay", "$", "1,000", "at", "9", "o'clock",
                    ";", "they", "'ve", "27.5", "%",
                ]
            ),
            ("students' books", ["students", "'", "books"]),
            ("windows have n't been cleaned", ["windows", "have", "n't", "been", "cleaned"]),
        ])
    func english(text: String, expected: [String]) {
        #expect(Tokenizer().tokenize(text) == expected)
    }

    @Test("Unicode: accents, other scripts, ideographs one by one, emoji with modifiers")
    func unicode() {
        let tokenizer = Tokenizer()
        #expect(
            tokenizer.tokenize("Ça coûte 5€ — naïve café!") == ["Ça", "coûte", "5", "€", "—", "naïve", "café", "!"])
        #expect(tokenizer.tokenize("Привет, мир") == ["Привет", ",", "мир"])
        #expect(tokenizer.tokenize("東京へ行く") == ["東", "京", "へ", "行", "く"])
        #expect(tokenizer.tokenize("ok 👍🏽 go 👨‍👩‍👧!") == ["ok", "👍🏽", "go", "👨‍👩‍👧", "!"])
        #expect(tokenizer.tokenize("𝐀𝐁𝐂") == ["𝐀𝐁𝐂"])
        #expect(tokenizer.tokenize(" \n\t ").isEmpty)
    }

    @Test("lowercasing, number normalization, keeping contractions")
    func options() {
        let tokenizer = Tokenizer(isLowercasing: true, normalizesNumbers: true, contractions: .keep)
        #expect(
            tokenizer.tokenize("Don't PANIC: 42 Élans, 3.5 km") == [
                "don't", "panic", ":", "<num>", "élans", ",", "<num>", "km",
            ])
        #expect(Tokenizer(normalizesApostrophes: false).tokenize("it’s") == ["it", "’s"])
    }
}

@Suite("Vocabulary, splits, batches")
struct VocabularyAndBatchingTests {
    @Test("special tokens first, then by count with ties in code-point order; min count and max size")
    func building() {
        let vocabulary = Vocabulary(
            tokens: ["b", "a", "c", "a", "b", "d", "a", "b", "e"], minimumCount: 1,
            maximumSize: 7)
        #expect(vocabulary.tokens == ["<pad>", "<unk>", "<bos>", "<eos>", "a", "b", "c"])
        #expect(vocabulary.counts == [0, 0, 0, 0, 3, 3, 1])
        #expect(vocabulary.index(of: "zzz") == vocabulary.unknownIndex)
        #expect(vocabulary.encode(["a", "e"], addBeginning: true, addEnd: true) == [2, 4, 1, 3])
        #expect(vocabulary.decode([2, 4, 5, 3, 6, 0]) == ["a", "b"])
        let frequent = Vocabulary(tokens: ["x", "x", "y"], minimumCount: 2)
        #expect(frequent.tokens == ["<pad>", "<unk>", "<bos>", "<eos>", "x"])
    }

    @Test("saved and loaded unchanged; a corrupt file is an error naming it")
    func saving() throws {
        let directory = try makeTemporaryDirectory()
        let path = directory + "/vocab.json"
        let vocabulary = Vocabulary(tokens: Tokenizer().tokenize("the cat and the hat and the bat"))
        try vocabulary.save(to: path)
        let loaded = try Vocabulary(contentsOfFile: path)
        #expect(loaded == vocabulary)
        #expect(loaded.index(of: "the") == 4)
        try writeFixture("{\"format\": \"montague-vocabulary-1\", \"tokens\": []}", named: "bad.json", in: directory)
        let error = corpusError { _ = try Vocabulary(contentsOfFile: directory + "/bad.json") }
        #expect(error?.kind == .invalidFile)
        #expect(error?.file == directory + "/bad.json")
    }

    @Test("splits are deterministic by seed, disjoint and complete")
    func splits() {
        let split = DatasetSplit(count: 100, devFraction: 0.1, testFraction: 0.2, seed: 7)
        #expect(split.dev.count == 10)
        #expect(split.test.count == 20)
        #expect(Set(split.train + split.dev + split.test) == Set(0..<100))
        #expect(split == DatasetSplit(count: 100, devFraction: 0.1, testFraction: 0.2, seed: 7))
        #expect(split != DatasetSplit(count: 100, devFraction: 0.1, testFraction: 0.2, seed: 8))
        var counts: [DatasetPart: Int] = [:]
        for index in 0..<10_000 {
            counts[
                DatasetSplit.part(forKey: "example \(index)", devFraction: 0.1, testFraction: 0.1, seed: 1),
                default: 0] += 1
        }
        #expect((900...1100).contains(counts[.test] ?? 0))
        #expect((900...1100).contains(counts[.dev] ?? 0))
        #expect(
            DatasetSplit.part(forKey: "a", devFraction: 0.5, testFraction: 0.2, seed: 3)
                == DatasetSplit.part(forKey: "a", devFraction: 0.5, testFraction: 0.2, seed: 3))
    }

    @Test("length-bucketed batches: padding, masks, labels, every sequence once, seeded order")
    func batches() {
        let sequences: [[Int]] = [[5, 6, 7], [8], [9, 10], [11, 12, 13, 14], [15], [16, 17], [], Array(4..<40)]
        let labels = [0, 1, 0, 1, 0, 1, 0, 1]
        let batcher = LengthBucketedBatcher(batchSize: 2, seed: 42, maximumLength: 10)
        let result = batcher.batches(for: sequences, labels: labels)
        #expect(result.skipped == [6, 7])
        #expect(result.batches.count == 3)
        #expect(result.batches.flatMap(\.exampleIndices).sorted() == [0, 1, 2, 3, 4, 5])
        for batch in result.batches {
            // Bucketing puts equal or neighbouring lengths together: within a batch lengths differ by at most 1.
            #expect((batch.lengths.max() ?? 0) - (batch.lengths.min() ?? 0) <= 1)
            #expect(batch.tokens.count == batch.batchSize * batch.length)
            #expect(batch.mask.reduce(0, +) == Float(batch.lengths.reduce(0, +)))
            for row in 0..<batch.batchSize {
                let example = batch.exampleIndices[row]
                #expect(Array(batch.sequence(row)) == sequences[example])
                #expect(batch.labels?[row] == labels[example])
                #expect(
                    batch.tokens[(row * batch.length + batch.lengths[row])..<((row + 1) * batch.length)]
                        .allSatisfy { $0 == 0 })
            }
        }
        #expect(result == batcher.batches(for: sequences, labels: labels))
        let label = LabelIndex(labels: ["pos", "neg", "pos"])
        #expect(label.values == ["neg", "pos"])
        #expect(label.index(of: "pos") == 1)
    }
}
