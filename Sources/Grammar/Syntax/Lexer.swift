/// One lexical token of a `.mont` grammar file.
public struct Token: Sendable, Equatable {
    /// Token classes. Keywords are identifiers; the parser recognises them by text.
    public enum Kind: Sendable, Equatable {
        case identifier
        case integer
        case string
        case symbol
        case endOfFile
    }

    /// The class of the token.
    public var kind: Kind
    /// The text: identifier name, digits, unquoted string contents, or the symbol itself.
    public var text: String
    /// 1-based line of the first character.
    public var line: Int
    /// 1-based column of the first character.
    public var column: Int
}

/// Splits `.mont` source text into tokens.
///
/// Comments run from `--` or `//` to the end of the line. Strings are double-quoted with `\"` and `\\` escapes.
/// Multi-character symbols are matched longest first (`<->` before `->` before `-`). `λ` is accepted for `\`.
public struct Lexer {
    private static let symbols: [String] = [
        "<->", "=>", "->", "<=", ">=", "==", "!=", "++", "&&", "||", "..",
        "(", ")", "{", "}", "[", "]", ",", ";", ":", ".", "=", "<", ">", "+", "-", "*", "/",
        "!", "&", "|", "\\", "@", "^", "?", "_", "%",
    ]

    /// Tokenises `source`; `file` labels error locations.
    public static func tokenize(_ source: String, file: String) throws(GrammarError) -> [Token] {
        var tokens: [Token] = []
        let scalars = Array(source.unicodeScalars)
        var index = 0
        var line = 1
        var column = 1
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)

        func peek(_ offset: Int = 0) -> Unicode.Scalar? {
            index + offset < scalars.count ? scalars[index + offset] : nil
        }
        func advance() {
            if scalars[index] == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
            index += 1
        }
        func error(_ message: String, _ l: Int, _ c: Int) -> GrammarError {
            GrammarError(
                message, at: SourceLocation(file: file, line: l, column: c),
                sourceLine: l - 1 < lines.count ? lines[l - 1] : nil)
        }

        while let scalar = peek() {
            if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" {
                advance()
                continue
            }
            if (scalar == "-" && peek(1) == "-") || (scalar == "/" && peek(1) == "/") {
                while let next = peek(), next != "\n" { advance() }
                continue
            }
            let startLine = line
            let startColumn = column
            if scalar.properties.isAlphabetic && scalar != "λ" || scalar == "_" && isIdentifierScalar(peek(1)) {
                var text = ""
                while let next = peek(), isIdentifierScalar(next) {
                    text.unicodeScalars.append(next)
                    advance()
                }
                tokens.append(Token(kind: .identifier, text: text, line: startLine, column: startColumn))
                continue
            }
            if scalar.properties.numericType != nil && ("0"..."9").contains(scalar) {
                var text = ""
                while let next = peek(), ("0"..."9").contains(next) {
                    text.unicodeScalars.append(next)
                    advance()
                }
                tokens.append(Token(kind: .integer, text: text, line: startLine, column: startColumn))
                continue
            }
            if scalar == "\"" {
                advance()
                var text = ""
                var closed = false
                while let next = peek() {
                    if next == "\n" { break }
                    if next == "\"" {
                        advance()
                        closed = true
                        break
                    }
                    if next == "\\", let escaped = peek(1) {
                        advance()
                        advance()
                        switch escaped {
                        case "n": text.unicodeScalars.append("\n")
                        case "t": text.unicodeScalars.append("\t")
                        default: text.unicodeScalars.append(escaped)
                        }
                        continue
                    }
                    text.unicodeScalars.append(next)
                    advance()
                }
                if !closed { throw error("unterminated string literal", startLine, startColumn) }
                tokens.append(Token(kind: .string, text: text, line: startLine, column: startColumn))
                continue
            }
            if scalar == "λ" {
                advance()
                tokens.append(Token(kind: .symbol, text: "\\", line: startLine, column: startColumn))
                continue
            }
            var matched: String?
            for symbol in symbols {
                let symbolScalars = Array(symbol.unicodeScalars)
                var fits = true
                for (offset, s) in symbolScalars.enumerated() where peek(offset) != s {
                    fits = false
                    break
                }
                if fits {
                    matched = symbol
                    break
                }
            }
            guard let symbol = matched else {
                throw error("unexpected character '\(Character(scalar))'", startLine, startColumn)
            }
            for _ in symbol.unicodeScalars { advance() }
            tokens.append(Token(kind: .symbol, text: symbol, line: startLine, column: startColumn))
        }
        tokens.append(Token(kind: .endOfFile, text: "", line: line, column: column))
        return tokens
    }

    private static func isIdentifierScalar(_ scalar: Unicode.Scalar?) -> Bool {
        guard let scalar, scalar != "λ" else { return false }
        return scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "'"
    }
}
