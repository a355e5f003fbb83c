/// Text operations with Python's exact semantics, so our metrics equal sacreBLEU's and NLTK's on any Unicode
/// input (Python strings index Unicode code points, `str.split()` splits on Python's whitespace set).
enum PythonText {
    /// Whether `scalar` is whitespace for Python's `str.split()` / `str.isspace()`: Unicode category Zs or
    /// bidirectional class WS, B or S.
    @inline(__always)
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            true
        default: false
        }
    }

    /// `text.split()`: the maximal runs of non-whitespace scalars.
    static func split(_ text: String) -> [String] {
        var tokens: [String] = []
        var current = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isWhitespace(scalar) {
                if !current.isEmpty {
                    tokens.append(String(current))
                    current = String.UnicodeScalarView()
                }
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { tokens.append(String(current)) }
        return tokens
    }

    /// `text.rstrip()`.
    static func rstrip(_ text: String) -> String {
        var scalars = Array(text.unicodeScalars)
        while let last = scalars.last, isWhitespace(last) { scalars.removeLast() }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }

    /// `text.lower()` (full Unicode lowercase mapping, as Python's).
    static func lower(_ text: String) -> String { text.lowercased() }
}
