/// How BLEU splits text into tokens before counting n-grams, as sacreBLEU names its tokenizers.
///
/// Use `none` for text that is already tokenized (the Yelp and Shakespeare style-transfer data, SCAN) and `13a`
/// (the default, WMT's mteval-v13a) for raw text.
public enum BLEUTokenizer: String, CaseIterable, Sendable, Codable {
    /// Whitespace splitting only.
    case none
    /// mteval-v13a: punctuation and symbols split off, periods and commas split unless next to digits, a dash
    /// split after a digit, a few HTML entities unescaped (Post 2018, sacreBLEU).
    case thirteenA = "13a"

    /// The tokens of `line` (sacreBLEU's tokenizer followed by `str.split()`).
    public func tokens(_ line: String) -> [String] {
        switch self {
        case .none: PythonText.split(line)
        case .thirteenA: PythonText.split(Self.tokenize13a(line))
        }
    }

    /// The mteval-v13a tokenization of `line`, tokens joined by single spaces.
    static func tokenize13a(_ line: String) -> String {
        var text = line.replacingOccurrences(of: "<skipped>", with: "")
        text = text.replacingOccurrences(of: "-\n", with: "")
        text = text.replacingOccurrences(of: "\n", with: " ")
        if text.contains("&") {
            text = text.replacingOccurrences(of: "&quot;", with: "\"")
            text = text.replacingOccurrences(of: "&amp;", with: "&")
            text = text.replacingOccurrences(of: "&lt;", with: "<")
            text = text.replacingOccurrences(of: "&gt;", with: ">")
        }
        var scalars = Array((" " + text + " ").unicodeScalars)
        scalars = splitSymbols(scalars)
        scalars = splitPeriodsAndCommas(scalars)
        scalars = splitDashAfterDigit(scalars)
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return PythonText.split(String(view)).joined(separator: " ")
    }

    private static let space: Unicode.Scalar = " "

    @inline(__always)
    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { (0x30...0x39).contains(scalar.value) }

    @inline(__always)
    private static func isPeriodOrComma(_ scalar: Unicode.Scalar) -> Bool { scalar == "." || scalar == "," }

    /// `([\{-\~\[-\` -\&\(-\+\:-\@\/])` → ` \1 `.
    private static func splitSymbols(_ input: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var output: [Unicode.Scalar] = []
        output.reserveCapacity(input.count * 2)
        for scalar in input {
            switch scalar.value {
            case 0x7B...0x7E, 0x5B...0x60, 0x20...0x26, 0x28...0x2B, 0x3A...0x40, 0x2F:
                output.append(space)
                output.append(scalar)
                output.append(space)
            default: output.append(scalar)
            }
        }
        return output
    }

    /// `([^0-9])([\.,])` → `\1 \2 `, then `([\.,])([^0-9])` → ` \1 \2` (each a left-to-right, non-overlapping
    /// substitution, as Python's `re.sub`).
    private static func splitPeriodsAndCommas(_ input: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var first: [Unicode.Scalar] = []
        first.reserveCapacity(input.count + input.count / 2)
        var index = 0
        while index < input.count {
            if index + 1 < input.count, !isDigit(input[index]), isPeriodOrComma(input[index + 1]) {
                first.append(contentsOf: [input[index], space, input[index + 1], space])
                index += 2
            } else {
                first.append(input[index])
                index += 1
            }
        }
        var second: [Unicode.Scalar] = []
        second.reserveCapacity(first.count + first.count / 2)
        index = 0
        while index < first.count {
            if index + 1 < first.count, isPeriodOrComma(first[index]), !isDigit(first[index + 1]) {
                second.append(contentsOf: [space, first[index], space, first[index + 1]])
                index += 2
            } else {
                second.append(first[index])
                index += 1
            }
        }
        return second
    }

    /// `([0-9])(-)` → `\1 \2 `.
    private static func splitDashAfterDigit(_ input: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var output: [Unicode.Scalar] = []
        output.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            if index + 1 < input.count, isDigit(input[index]), input[index + 1] == "-" {
                output.append(contentsOf: [input[index], space, "-", space])
                index += 2
            } else {
                output.append(input[index])
                index += 1
            }
        }
        return output
    }
}
