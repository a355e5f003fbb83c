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
            ("a\tb\nno tab here\n", 2, 12), ("\tb\n", 1, 1), ("a\t \n", 1, 3), ("a\tb\tc\n\t\tc\n", 2, 1),
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

    /// COGS's layout, `source<TAB>target<TAB>category`: the first two columns by default, any two chosen ones,
    /// and a group column.
    @Test func readsChosenColumnsAndGroups() throws {
        let cogs =
            "A cat smiled .\tsmile ( agent = cat )\tin_distribution\nEmma ate .\teat ( agent = Emma )\tprimitive\n"
        let standard = try Seq2SeqParallelText.parseTSV(cogs, path: "c.tsv")
        #expect(standard.map(\.target) == ["smile ( agent = cat )", "eat ( agent = Emma )"])
        #expect(standard.allSatisfy { $0.group == nil })
        let grouped = try Seq2SeqParallelText.parseTSV(
            cogs, path: "c.tsv", columns: TSVColumns(source: 1, target: 2, group: 3))
        #expect(grouped.map(\.group) == ["in_distribution", "primitive"])
        #expect(grouped.map(\.source) == standard.map(\.source))
        let reversed = try Seq2SeqParallelText.parseTSV(cogs, path: "c.tsv", columns: TSVColumns(source: 3, target: 1))
        #expect(reversed.map(\.source) == ["in_distribution", "primitive"] && reversed[1].target == "Emma ate .")
        // Too few columns for the choice: located at the line's end; an empty chosen column at its start.
        #expect {
            _ = try Seq2SeqParallelText.parseTSV(
                "a\tb\tc\nd\te\n", path: "c.tsv", columns: TSVColumns(source: 1, target: 3))
        } throws: { error in
            (error as? InputError)?.location == SourceLocation(file: "c.tsv", line: 2, column: 4)
                && (error as? InputError)?.message.contains("at least 3") == true
        }
        #expect {
            _ = try Seq2SeqParallelText.parseTSV(
                "ab\tcd\t \n", path: "c.tsv", columns: TSVColumns(source: 1, target: 2, group: 3))
        } throws: { error in
            (error as? InputError)?.location == SourceLocation(file: "c.tsv", line: 1, column: 7)
                && (error as? InputError)?.message.contains("group column (3)") == true
        }
    }

    @Test func parsesColumnArguments() throws {
        #expect(TSVColumns("2,1") == TSVColumns(source: 2, target: 1))
        #expect(TSVColumns(" 1 , 3 ")?.description == "1,3")
        for bad in ["1", "1,1", "0,2", "1,2,3", "a,b", "", ",2", "-1,2"] { #expect(TSVColumns(bad) == nil, "\(bad)") }
        #expect(try TSVColumns.standard.grouped(by: 3) == TSVColumns(source: 1, target: 2, group: 3))
        #expect(throws: InputError.self) { try TSVColumns.standard.grouped(by: 2) }
        #expect(throws: InputError.self) { try TSVColumns.standard.grouped(by: 0) }
        #expect(TSVColumns(source: 4, target: 2, group: 7).required == 7)
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
            "A cat .\tcat ( x )\tin_distribution\nEmma .\tEmma\tprimitive\t\n",
        ]
        let columnChoices = [
            TSVColumns.standard, TSVColumns(source: 1, target: 2, group: 3), TSVColumns(source: 3, target: 1),
            TSVColumns(source: 2, target: 4, group: 1),
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
            let columns = columnChoices[round % columnChoices.count]
            do {
                let text = try Seq2SeqParallelText.decode(Data(bytes), path: "f.tsv")
                let pairs = try Seq2SeqParallelText.parseTSV(text, path: "f.tsv", columns: columns)
                #expect(!pairs.isEmpty && pairs.allSatisfy { !$0.source.isEmpty && !$0.target.isEmpty })
                #expect(pairs.allSatisfy { ($0.group == nil) == (columns.group == nil) && $0.group?.isEmpty != true })
            } catch {
                let location = error.location
                #expect(location?.file == "f.tsv")
                if let line = location?.line, let column = location?.column {
                    // The location is inside the input: an existing line, at most one past its end.
                    let lines = String(decoding: bytes, as: UTF8.self).split(
                        omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
                    #expect(line >= 1 && line <= lines.count)
                    if line <= lines.count {
                        #expect(column >= 1 && column <= lines[line - 1].unicodeScalars.count + 1)
                    }
                }
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
