import Foundation
import MontagueSupport

/// A file of token-id sequences, one per line, ids separated by spaces or tabs (the format of SeqGAN's
/// `real_data.txt`); blank lines are skipped.
public enum TokenSequenceFile {
    /// Reads the sequences of `path`, each exactly `length` ids in `0..<vocabularySize`.
    ///
    /// - Throws: ``InputError`` at the file, line and column of the first bad id or wrong length, or when the
    ///   file is unreadable or holds no sequence.
    public static func read(path: String, length: Int, vocabularySize: Int) throws -> [[Int]] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw InputError("cannot read the file: \(error.localizedDescription)", at: SourceLocation(file: path))
        }
        return try parse(
            String(decoding: data, as: UTF8.self), path: path, length: length,
            vocabularySize: vocabularySize)
    }

    /// Parses sequences from `text` (see ``read(path:length:vocabularySize:)``); `path` names it in errors.
    public static func parse(_ text: String, path: String, length: Int, vocabularySize: Int) throws -> [[Int]] {
        var sequences: [[Int]] = []
        for (lineIndex, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var sequence: [Int] = []
            var column = 1
            var tokenStart: Int?
            var token = ""
            func finish() throws {
                guard let start = tokenStart else { return }
                guard let id = Int(token), (0..<vocabularySize).contains(id) else {
                    throw InputError(
                        "'\(token)' is not a token id in 0..<\(vocabularySize)",
                        at: SourceLocation(file: path, line: lineIndex + 1, column: start))
                }
                sequence.append(id)
                token = ""
                tokenStart = nil
            }
            for character in line {
                if character == " " || character == "\t" || character == "\r" {
                    try finish()
                } else {
                    if tokenStart == nil { tokenStart = column }
                    token.append(character)
                }
                column += 1
            }
            try finish()
            if sequence.isEmpty { continue }
            guard sequence.count == length else {
                throw InputError(
                    "a sequence of \(sequence.count) tokens; every sequence must have \(length)",
                    at: SourceLocation(file: path, line: lineIndex + 1, column: 1))
            }
            sequences.append(sequence)
        }
        guard !sequences.isEmpty else { throw InputError("no sequence in the file", at: SourceLocation(file: path)) }
        return sequences
    }

    /// The sequences as text, one line each.
    public static func render(_ sequences: [[Int]]) -> String {
        sequences.map { $0.map(String.init).joined(separator: " ") + "\n" }.joined()
    }
}
