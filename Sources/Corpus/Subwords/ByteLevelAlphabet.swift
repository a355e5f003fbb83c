/// The reversible map from the 256 byte values to printable Unicode characters that byte-level BPE vocabularies
/// are written in (Radford et al. 2019, GPT-2; the `ByteLevel` pre-tokenizer of Hugging Face `tokenizers`).
///
/// Bytes that are printable Latin-1 characters (`!`…`~`, `¡`…`¬`, `®`…`ÿ`) stand for themselves; the other 68
/// bytes, in increasing order, stand for U+0100, U+0101, …, so a space (0x20) is written `Ġ` (U+0120). A vocabulary
/// in this alphabet can be stored as JSON text and still name every byte sequence.
public enum ByteLevelAlphabet {
    /// The character standing for each byte value.
    public static let characters: [Unicode.Scalar] = {
        var result = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            if (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte) {
                result[byte] = Unicode.Scalar(UInt8(byte))
            } else {
                result[byte] = Unicode.Scalar(next) ?? " "
                next += 1
            }
        }
        return result
    }()

    /// The byte each alphabet character stands for.
    public static let bytes: [Unicode.Scalar: UInt8] = {
        var result: [Unicode.Scalar: UInt8] = [:]
        for (byte, character) in characters.enumerated() { result[character] = UInt8(byte) }
        return result
    }()

    /// `bytes` written in the alphabet.
    public static func piece<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        var scalars = String.UnicodeScalarView()
        for byte in bytes { scalars.append(characters[Int(byte)]) }
        return String(scalars)
    }

    /// The bytes `piece` stands for, or `nil` when a character is outside the alphabet.
    public static func bytes(of piece: String) -> [UInt8]? {
        var result: [UInt8] = []
        result.reserveCapacity(piece.unicodeScalars.count)
        for scalar in piece.unicodeScalars {
            guard let byte = bytes[scalar] else { return nil }
            result.append(byte)
        }
        return result
    }
}

/// Splits text into the chunks byte-level BPE merges within, as GPT-2's pattern does (Radford et al. 2019):
///
/// ```
/// 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
/// ```
/// written as a scanner over Unicode scalars. The chunks concatenate to the text, so nothing is lost.
public enum ByteLevelPreTokenizer {
    enum Class { case letter, number, whitespace, other }

    static func classify(_ scalar: Unicode.Scalar) -> Class {
        if scalar.value < 0x80 {
            switch scalar.value {
            case 0x41...0x5A, 0x61...0x7A: return .letter
            case 0x30...0x39: return .number
            case 0x09...0x0D, 0x20: return .whitespace
            default: return .other
            }
        }
        let properties = scalar.properties
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return .letter
        case .decimalNumber, .letterNumber, .otherNumber: return .number
        default: return properties.isWhitespace ? .whitespace : .other
        }
    }

    /// The chunks of `text`, in order; their concatenation is `text`.
    public static func chunks(_ text: String) -> [Substring] {
        var result: [Substring] = []
        forEachChunk(text) { result.append($0) }
        return result
    }

    /// Calls `body` with each chunk of `text`, in order.
    public static func forEachChunk(_ text: String, _ body: (Substring) -> Void) {
        let scalars = text.unicodeScalars
        var start = scalars.startIndex
        let end = scalars.endIndex
        func run(from index: String.UnicodeScalarView.Index, of kind: Class) -> String.UnicodeScalarView.Index {
            var i = index
            while i < end && classify(scalars[i]) == kind { i = scalars.index(after: i) }
            return i
        }
        while start < end {
            let first = scalars[start]
            var stop: String.UnicodeScalarView.Index
            let second = scalars.index(after: start)
            if first == "'", let length = contractionLength(scalars, after: second) {
                stop = scalars.index(second, offsetBy: length)
            } else {
                var head = start
                if first == " ", second < end, classify(scalars[second]) != .whitespace { head = second }
                let kind = classify(scalars[head])
                if kind == .whitespace {
                    let runEnd = run(from: start, of: .whitespace)
                    if runEnd == end {
                        stop = end
                    } else {
                        let beforeLast = scalars.index(before: runEnd)
                        stop = beforeLast > start ? beforeLast : runEnd
                    }
                } else {
                    stop = run(from: scalars.index(after: head), of: kind)
                }
            }
            body(Substring(scalars[start..<stop]))
            start = stop
        }
    }

    /// Length of the contraction (`s t m d re ve ll`) starting at `index`, if any.
    private static func contractionLength(
        _ scalars: String.UnicodeScalarView, after index: String.UnicodeScalarView.Index
    ) -> Int? {
        guard index < scalars.endIndex else { return nil }
        let a = scalars[index]
        if a == "s" || a == "t" || a == "m" || a == "d" { return 1 }
        let next = scalars.index(after: index)
        guard next < scalars.endIndex else { return nil }
        let b = scalars[next]
        if (a == "r" && b == "e") || (a == "v" && b == "e") || (a == "l" && b == "l") { return 2 }
        return nil
    }
}
