import Foundation
import MontagueSupport
import Testing

@testable import NeuralNet

/// Parallel-text readers of `montague train seq2seq`: TSV, aligned files, SCAN, with located errors.
@Suite("Seq2Seq parallel text")
struct Seq2SeqParallelTextTests {
    @Test func readsTabSeparatedPairs() throws {
        let pairs = try Seq2SeqParallelText.parseTSV("a b\tA B\r\n\n  \nc\t C \n", path: "p.tsv")
        #expect(pairs.map(\.source) == ["a b", "c"] && pairs.map(\.target) == ["A B", "C"])
        #expect(pairs[1].location == SourceLocation(file: "p.tsv", line: 4, column: 1))
    }

    @Test func tabSeparatedErrorsAreLocated() {
        let cases: [(String, Int, Int)] = [
            ("a\tb\nno tab here\n", 2, 12), ("a\tb\tc\n", 1, 4), ("\tb\n", 1, 1), ("a\t \n", 1, 3),
        ]
        for (text, line, column) in cases {
            #expect {
                _ = try Seq2SeqParallelText.parseTSV(text, path: "p.tsv")
            } throws: { error in
                (error as? InputError)?.location == SourceLocation(file: "p.tsv", line: line, column: column)
            }
        }
        #expect(throws: InputError.self) { try Seq2SeqParallelText.parseTSV("\n \n", path: "p.tsv") }
    }

    @Test func readsAlignedFilesAndLocatesMisalignment() throws {
        let pairs = try Seq2SeqParallelText.parseAligned(
            source: "one\n\ntwo\n", sourcePath: "s.txt", target: "eins\n\nzwei\n", targetPath: "t.txt")
        #expect(pairs.map(\.target) == ["eins", "zwei"] && pairs[1].location.line == 3)
        // One line more in the target: the error points at it.
        #expect {
            _ = try Seq2SeqParallelText.parseAligned(
                source: "a\nb\n", sourcePath: "s.txt", target: "A\nB\nC\n", targetPath: "t.txt")
        } throws: { error in
            (error as? InputError)?.location == SourceLocation(file: "t.txt", line: 3)
        }
        // A line blank on one side only.
        #expect {
            _ = try Seq2SeqParallelText.parseAligned(
                source: "a\n\nc\n", sourcePath: "s.txt", target: "A\nB\nC\n", targetPath: "t.txt")
        } throws: { error in
            (error as? InputError)?.location == SourceLocation(file: "s.txt", line: 2)
        }
    }

    @Test func readsSCANAsTextAndGuessesFormats() throws {
        let pairs = try Seq2SeqParallelText.parseSCAN("IN: jump  twice OUT: I_JUMP I_JUMP\n", path: "s.txt")
        #expect(
            pairs == [
                Seq2SeqTextPair(source: "jump twice", target: "I_JUMP I_JUMP", location: .init(file: "s.txt", line: 1))
            ])
        #expect(Seq2SeqParallelFormat.guess(path: "dir/x.TSV") == .tsv)
        #expect(Seq2SeqParallelFormat.guess(path: "x.tmx.gz") == .tmx)
        #expect(Seq2SeqParallelFormat.guess(path: "tasks_train_simple.txt") == .scan)
        #expect {
            _ = try Seq2SeqParallelText.decode(Data([0x61, 0x0A, 0x62, 0xFF, 0x0A]), path: "bad.txt")
        } throws: { error in
            (error as? InputError)?.location == SourceLocation(file: "bad.txt", line: 2)
        }
    }

    /// Any mutation of valid input gives pairs or a located error, never a trap.
    @Test func readersSurviveMutations() {
        let seeds = [
            "a b\tA B\nc\tC\n", "IN: walk OUT: I_WALK\nIN: jump twice OUT: I_JUMP I_JUMP\n", "one\ntwo\nthree\n",
        ]
        var generator = SplitMix64(seed: 11)
        let insertions = Array("\t\n\r IN:OUT: x\u{00E9}".utf8)
        for round in 0..<400 {
            var bytes = Array(seeds[round % seeds.count].utf8)
            for _ in 0..<(1 + generator.nextInt(below: 4)) where !bytes.isEmpty {
                let position = generator.nextInt(below: bytes.count)
                switch generator.nextInt(below: 4) {
                case 0: bytes[position] = UInt8(truncatingIfNeeded: generator.next())
                case 1: bytes.removeSubrange(position..<min(bytes.count, position + 1 + generator.nextInt(below: 8)))
                case 2: bytes.insert(insertions[generator.nextInt(below: insertions.count)], at: position)
                default: bytes.insert(contentsOf: bytes[position..<min(bytes.count, position + 6)], at: position)
                }
            }
            let other = Array(seeds[2].utf8)
            func check(_ body: () throws(InputError) -> [Seq2SeqTextPair]) {
                do {
                    let pairs = try body()
                    #expect(!pairs.isEmpty && pairs.allSatisfy { !$0.source.isEmpty && !$0.target.isEmpty })
                } catch {
                    #expect(error.location?.file.hasSuffix(".txt") == true || error.location?.file == "f.tsv")
                }
            }
            check { () throws(InputError) in
                let text = try Seq2SeqParallelText.decode(Data(bytes), path: "f.txt")
                return try Seq2SeqParallelText.parseSCAN(text, path: "f.txt")
            }
            check { () throws(InputError) in
                let text = try Seq2SeqParallelText.decode(Data(bytes), path: "f.tsv")
                return try Seq2SeqParallelText.parseTSV(text, path: "f.tsv")
            }
            check { () throws(InputError) in
                let text = try Seq2SeqParallelText.decode(Data(bytes), path: "s.txt")
                return try Seq2SeqParallelText.parseAligned(
                    source: text, sourcePath: "s.txt", target: String(decoding: other, as: UTF8.self),
                    targetPath: "t.txt")
            }
        }
    }
}
