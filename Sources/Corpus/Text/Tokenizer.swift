/// A rule-based, Unicode-aware word tokenizer: words, numbers, punctuation, symbols and English contractions.
///
/// - Words: runs of letters, marks and digits (any script), with inner hyphens (`well-known`) and inner
///   apostrophes that are not contractions (`o'clock`).
/// - Numbers: digits with inner `.` or `,` between digits (`3.14`, `1,000`, `27.5`); optionally replaced by
///   `numberToken`.
/// - Contractions (Penn Treebank style, `contractions: .split`): `don't` → `do n't`, `can't` → `ca n't`,
///   `I'm` → `I 'm`, `we'll` → `we 'll`, `Hamlet's` → `Hamlet 's`; archaic `'tis`, `'twas` stay whole. The
///   typographic apostrophe (’, U+2019) counts as an apostrophe and is written `'` in tokens unless
///   `normalizeApostrophes` is off.
/// - Punctuation: one token per mark, except runs of the same mark (`...`, `--`, `!!`).
/// - Symbols and emoji: one token each, with their combining marks, variation selectors and zero-width-joiner
///   sequences.
/// - Han ideographs, Hiragana and Katakana: one token per character (no dictionary segmentation).
///
/// Tokenization works on UTF-8 bytes with an ASCII fast path; `forEachTokenRange` yields byte ranges without
/// allocating. Source: the conventions of the Penn Treebank tokenizer (Marcus et al. 1993; NLTK's
/// `TreebankWordTokenizer`), which the Yelp style-transfer data (Shen et al. 2017) also follows.
public struct Tokenizer: Sendable, Hashable, Codable {
    /// How contractions are treated.
    public enum ContractionStyle: String, Sendable, Hashable, Codable, CaseIterable {
        /// Penn Treebank: `do n't`, `I 'm`.
        case split
        /// One token: `don't`, `I'm`.
        case keep
    }

    /// How text is cut into tokens, before lowercasing and number normalization.
    public enum Segmentation: String, Sendable, Hashable, Codable, CaseIterable {
        /// The rules above (words, numbers, punctuation, contractions).
        case rules
        /// Whitespace only (space, tab, line feed, carriage return): for corpora that are tokenized already, such as
        /// the Yelp sentiment data (`it 's`, `_num_`) or SCAN, whose tokens must stay as they are.
        case whitespace
    }

    /// The kind of a token.
    public enum Category: Sendable, Hashable {
        /// Letters (and digits mixed with letters).
        case word
        /// Digits, with inner `.` or `,`.
        case number
        /// Punctuation.
        case punctuation
        /// Symbols, emoji, anything else that is not a space.
        case symbol
    }

    /// Lowercase every token (Unicode full lowercasing).
    public var isLowercasing: Bool
    /// Replace numbers by `numberToken`.
    public var normalizesNumbers: Bool
    /// The token numbers become when `normalizesNumbers` is on.
    public var numberToken: String
    /// Split or keep contractions.
    public var contractions: ContractionStyle
    /// Write the typographic apostrophe (’) as `'` in tokens.
    public var normalizesApostrophes: Bool
    /// How text is cut into tokens.
    public var segmentation: Segmentation

    /// Makes a tokenizer; by default it segments by the rules, keeps case and numbers and splits contractions.
    public init(
        isLowercasing: Bool = false, normalizesNumbers: Bool = false, numberToken: String = "<num>",
        contractions: ContractionStyle = .split, normalizesApostrophes: Bool = true,
        segmentation: Segmentation = .rules
    ) {
        self.isLowercasing = isLowercasing
        self.normalizesNumbers = normalizesNumbers
        self.numberToken = numberToken
        self.contractions = contractions
        self.normalizesApostrophes = normalizesApostrophes
        self.segmentation = segmentation
    }

    /// The saved keys predate the property names (`lowercase` for `isLowercasing`, …) and stay as they were, so
    /// model directories written before keep loading.
    private enum CodingKeys: String, CodingKey {
        case isLowercasing = "lowercase"
        case normalizesNumbers = "normalizeNumbers"
        case numberToken, contractions
        case normalizesApostrophes = "normalizeApostrophes"
        case segmentation
    }

    /// Decodes a tokenizer; one saved before segmentation was configurable segments by the rules.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            isLowercasing: try container.decode(Bool.self, forKey: .isLowercasing),
            normalizesNumbers: try container.decode(Bool.self, forKey: .normalizesNumbers),
            numberToken: try container.decode(String.self, forKey: .numberToken),
            contractions: try container.decode(ContractionStyle.self, forKey: .contractions),
            normalizesApostrophes: try container.decode(Bool.self, forKey: .normalizesApostrophes),
            segmentation: try container.decodeIfPresent(Segmentation.self, forKey: .segmentation) ?? .rules)
    }

    /// The tokens of `text`, with lowercasing and number normalization applied.
    public func tokenize(_ text: String) -> [String] {
        var tokens: [String] = []
        var copy = text
        copy.withUTF8 { bytes in
            // About one token per five bytes of English text: avoids most regrowth of the array.
            tokens.reserveCapacity(bytes.count / 5 + 1)
            forEachTokenRange(in: bytes) { range, category in
                tokens.append(token(bytes, range, category))
            }
        }
        return tokens
    }

    /// Calls `body` with every token of `text` (as ``tokenize(_:)`` gives them) and its category, in order.
    ///
    /// The safe counterpart of ``forEachTokenRange(in:_:)``: one `String` per token, no pointer in the signature.
    ///
    /// - Complexity: O(*n*) in the UTF-8 length of `text`.
    public func forEachToken(in text: String, _ body: (String, Category) throws -> Void) rethrows {
        var copy = text
        try copy.withUTF8 { bytes in
            try forEachTokenRange(in: bytes) { range, category in try body(token(bytes, range, category), category) }
        }
    }

    /// The token string for a byte range `forEachTokenRange` reported (lowercased, numbers normalized,
    /// apostrophes normalized, as configured).
    ///
    /// - Important: The unsafe fast path for callers that already hold the UTF-8 (a `BorrowedTextUnit`, or
    ///   `String.withUTF8`); `bytes` must stay valid for the call. ``forEachToken(in:_:)`` is the safe form.
    public func token(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ category: Category) -> String {
        if normalizesNumbers, category == .number { return numberToken }
        let slice = UnsafeBufferPointer(rebasing: bytes[range])
        var isASCII = true
        for byte in slice where byte >= 0x80 {
            isASCII = false
            break
        }
        if isASCII {
            guard isLowercasing else { return String(decoding: slice, as: UTF8.self) }
            return String(unsafeUninitializedCapacity: slice.count) { buffer in
                for (index, byte) in slice.enumerated() {
                    buffer[index] = byte &- 0x41 < 26 ? byte | 0x20 : byte
                }
                return slice.count
            }
        }
        return Self.nonASCIIToken(slice, lowercase: isLowercasing, normalizeApostrophes: normalizesApostrophes)
    }

    /// `token(...)` of bytes that are not all ASCII, through `String` (which repairs malformed UTF-8).
    static func nonASCIIToken(_ slice: UnsafeBufferPointer<UInt8>, lowercase: Bool, normalizeApostrophes: Bool)
        -> String
    {
        var string = String(decoding: slice, as: UTF8.self)
        if normalizeApostrophes, string.unicodeScalars.contains("\u{2019}") {
            string = String(String.UnicodeScalarView(string.unicodeScalars.map { $0 == "\u{2019}" ? "'" : $0 }))
        }
        return lowercase ? string.lowercased() : string
    }

    /// The ranges between whitespace, each a number (digits with inner `.` or `,`), punctuation (ASCII marks only)
    /// or a word.
    static func forEachWhitespaceSeparatedRange(
        in bytes: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>, Category) throws -> Void
    ) rethrows {
        var index = 0
        let count = bytes.count
        while index < count {
            while index < count, TextAccumulator.isSpace(bytes[index]) { index += 1 }
            let start = index
            var digits = true
            var marks = true
            while index < count, !TextAccumulator.isSpace(bytes[index]) {
                let byte = bytes[index]
                let isDigit = byte &- 0x30 < 10
                let isInnerSeparator =
                    (byte == UInt8(ascii: ".") || byte == UInt8(ascii: ",")) && index > start && index + 1 < count
                    && bytes[index + 1] &- 0x30 < 10
                if !isDigit && !isInnerSeparator { digits = false }
                if !(byte < 0x80 && Self.isASCIIPunctuation(byte)) { marks = false }
                index += 1
            }
            guard index > start else { continue }
            try body(start..<index, digits ? .number : marks ? .punctuation : .word)
        }
    }

    /// Whether an ASCII byte is a punctuation mark or symbol (not a letter, digit, space or control).
    private static func isASCIIPunctuation(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte < 0x7F && !(byte &- 0x30 < 10) && !((byte | 0x20) &- 0x61 < 26)
    }

    /// Calls `body` with the byte range and category of every token of `bytes` (UTF-8), in order, without
    /// allocating.
    ///
    /// - Important: The unsafe fast path: `bytes` must stay valid during the call, and the ranges index it.
    ///   ``forEachToken(in:_:)`` is the safe form that hands out token strings.
    /// - Complexity: O(*n*) in the number of bytes.
    public func forEachTokenRange(
        in bytes: UnsafeBufferPointer<UInt8>,
        _ body: (Range<Int>, Category) throws -> Void
    ) rethrows {
        if segmentation == .whitespace { return try Self.forEachWhitespaceSeparatedRange(in: bytes, body) }
        var scanner = Scanner(bytes: bytes)
        let count = bytes.count
        guard let base = bytes.baseAddress else { return }
        var index = 0
        while index < count {
            let byte = base[index]
            if byte == 0x20 {
                index &+= 1
                continue
            }
            // The common word: ASCII letters ended by a space or by ASCII punctuation other than a hyphen or an
            // apostrophe (after letters, `.` and `,` end a word too). Anything else is scanned again in full.
            if (byte | 0x20) &- 0x61 < 26 {
                let end = Self.endOfASCIILetters(base, from: index &+ 1, count: count)
                if end == count || Self.endsWord(afterLetters: base[end]) {
                    try body(index..<end, .word)
                    index = end
                    continue
                }
                index = try scanWord(&scanner, from: index, body)
                continue
            }
            // ASCII without a call (`classify` is not always inlined here).
            let (length, kind) = byte < 0x80 ? (1, CharacterClass.ascii(byte)) : scanner.classifyNonASCII(at: index)
            switch kind {
            case .space:
                index += length
            case .letter, .digit:
                index = try scanWord(&scanner, from: index, body)
            case .apostrophe:
                // A leading apostrophe: an archaic clitic ('tis, 'twas) stays with its word; otherwise a quote.
                if contractions == .split, let end = scanner.archaicClitic(at: index, apostropheLength: length) {
                    try body(index..<end, .word)
                    index = end
                } else {
                    try body(index..<(index + length), .punctuation)
                    index += length
                }
            case .punctuation:
                // A run of the same mark is one token (..., --, !!).
                var end = index + length
                while end + length <= count, scanner.bytesEqual(index, end, length) { end += length }
                try body(index..<end, .punctuation)
                index = end
            case .ideograph:
                let end = scanner.extendCluster(from: index + length)
                try body(index..<end, .word)
                index = end
            case .symbol, .mark:
                let end = scanner.extendCluster(from: index + length)
                try body(index..<end, .symbol)
                index = end
            }
        }
    }

    /// Whether `byte`, after ASCII letters, ends the word there: ASCII, not a digit, a hyphen or an apostrophe
    /// (after letters, `.` and `,` end a word too).
    @inline(__always)
    static func endsWord(afterLetters byte: UInt8) -> Bool {
        byte < 0x80 && byte &- 0x30 >= 10 && byte != UInt8(ascii: "-") && byte != UInt8(ascii: "'")
    }

    /// The index of the first byte from `start` on that is not an ASCII letter (or `count`): eight bytes at a time,
    /// each tested in parallel (the `hasbetween` of Anderson's "Bit Twiddling Hacks"), so a word's length costs no
    /// branch per letter.
    @inline(__always)
    static func endOfASCIILetters(_ base: UnsafePointer<UInt8>, from start: Int, count: Int) -> Int {
        var index = start
        let raw = UnsafeRawPointer(base)
        while index &+ 8 <= count {
            // Case folded (A–Z onto a–z); a byte is a letter iff 0x60 < its low 7 bits < 0x7B and its top bit is 0.
            let folded = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) | 0x2020_2020_2020_2020
            let low = folded & 0x7F7F_7F7F_7F7F_7F7F
            let letters =
                (0xFAFA_FAFA_FAFA_FAFA &- low) & ~folded & (low &+ 0x1F1F_1F1F_1F1F_1F1F) & 0x8080_8080_8080_8080
            let others = ~letters & 0x8080_8080_8080_8080
            if others != 0 { return index &+ others.trailingZeroBitCount &>> 3 }
            index &+= 8
        }
        while index < count, (base[index] | 0x20) &- 0x61 < 26 { index &+= 1 }
        return index
    }

    /// Scans a word or number starting at `start`, emitting one or more tokens (contractions split), and returns
    /// the index after it.
    private func scanWord(
        _ scanner: inout Scanner, from start: Int,
        _ body: (Range<Int>, Category) throws -> Void
    ) rethrows -> Int {
        let count = scanner.bytes.count
        var index = start
        var allDigits = true
        var tokenStart = start
        // Not nil: there is a byte at `start`.
        guard let base = scanner.bytes.baseAddress else { return start }
        scan: while index < count {
            // ASCII letters and digits, the bulk of a word, in tight loops without the general classification
            // (`byte | 0x20` folds A–Z onto a–z).
            let byte = base[index]
            if (byte | 0x20) &- 0x61 < 26 {
                allDigits = false
                index = Self.endOfASCIILetters(base, from: index &+ 1, count: count)
                continue
            }
            if byte &- 0x30 < 10 {
                index &+= 1
                while index < count, base[index] &- 0x30 < 10 { index &+= 1 }
                continue
            }
            let scalar: Unicode.Scalar
            let length: Int
            let kind: CharacterClass
            if byte < 0x80 {
                // Only the ASCII connectors can continue a word: anything else (a space, mostly) ends it here.
                switch byte {
                case UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: "-"): kind = .punctuation
                case UInt8(ascii: "'"): kind = .apostrophe
                default: break scan
                }
                scalar = Unicode.Scalar(byte)
                length = 1
            } else if scanner.isLatinLetter(at: index) {
                allDigits = false
                index += 2
                continue
            } else if scanner.isTypographicApostrophe(at: index) {
                scalar = "\u{2019}"
                length = 3
                kind = .apostrophe
            } else {
                (scalar, length, kind) = scanner.classify(at: index)
                switch kind {
                case .letter, .mark:
                    allDigits = false
                    index += length
                    continue
                case .digit:
                    index += length
                    continue
                default:
                    break
                }
            }
            // Inner connectors need a word character after them.
            let next = index + length
            guard next < count else { break }
            let afterKind = scanner.kind(at: next)
            if scalar == "." || scalar == ",", allDigits, afterKind == .digit {
                index = next
                continue
            }
            if scalar == "-" || scalar == "\u{2010}", !allDigits, afterKind == .letter {
                index = next
                continue
            }
            if kind == .apostrophe, afterKind == .letter, !allDigits {
                if contractions == .split,
                    let split = scanner.contractionSplit(
                        wordStart: tokenStart,
                        apostrophe: index,
                        apostropheLength: length)
                {
                    // `split.wordEnd` ends the stem (before "n't" or before "'s"), `split.end` ends the clitic.
                    if split.wordEnd > tokenStart { try body(tokenStart..<split.wordEnd, .word) }
                    try body(split.wordEnd..<split.end, .word)
                    tokenStart = split.end
                    index = split.end
                    if index < count, CharacterClass(scanner.decode(at: index).scalar).isWordPart { continue }
                    return index
                }
                index = next
                continue
            }
            break
        }
        if index > tokenStart { try body(tokenStart..<index, allDigits ? .number : .word) }
        return index
    }
}

/// The character classes the tokenizer distinguishes.
enum CharacterClass: Equatable {
    case space, letter, digit, mark, apostrophe, punctuation, symbol, ideograph

    @inline(__always)
    init(_ scalar: Unicode.Scalar) {
        let value = scalar.value
        if value < 0x80 {
            self = Self.ascii(UInt8(truncatingIfNeeded: value))
            return
        }
        if value == 0x2019 || value == 0x02BC {
            self = .apostrophe
            return
        }
        // Latin-1 letters and Latin Extended-A and -B (U+00C0–U+024F but × and ÷) are all letters: no Unicode
        // property lookup for the accented letters of European text.
        if value &- 0xC0 < 0x190, value != 0xD7, value != 0xF7 {
            self = .letter
            return
        }
        let properties = scalar.properties
        if properties.isWhitespace || value == 0x200B {
            self = .space
            return
        }
        if (0x4E00...0x9FFF).contains(value) || (0x3400...0x4DBF).contains(value) || (0x3040...0x30FF).contains(value)
            || (0x20000...0x2FA1F).contains(value) || (0xF900...0xFAFF).contains(value)
        {
            self = .ideograph
            return
        }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .letterNumber:
            self = .letter
        case .decimalNumber:
            self = .digit
        case .nonspacingMark, .spacingMark, .enclosingMark:
            self = .mark
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
            .finalPunctuation, .otherPunctuation:
            self = .punctuation
        case .spaceSeparator, .lineSeparator, .paragraphSeparator, .control:
            self = .space
        default:
            self = .symbol
        }
    }

    var isWordPart: Bool { self == .letter || self == .digit || self == .mark }

    /// The class of an ASCII byte (below 0x80), computed without a lookup table (a global table costs a lazy
    /// initialisation check per character).
    @inline(__always)
    static func ascii(_ byte: UInt8) -> CharacterClass {
        if byte &- 0x61 < 26 || byte &- 0x41 < 26 { return .letter }
        if byte <= 0x20 || byte == 0x7F { return .space }
        if byte &- 0x30 < 10 { return .digit }
        switch byte {
        case UInt8(ascii: "'"): return .apostrophe
        case UInt8(ascii: "$"), UInt8(ascii: "+"), UInt8(ascii: "<"), UInt8(ascii: "="), UInt8(ascii: ">"),
            UInt8(ascii: "^"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return .symbol
        default: return .punctuation
        }
    }
}

/// Decoding and look-ahead over the UTF-8 bytes being tokenized.
struct Scanner {
    let bytes: UnsafeBufferPointer<UInt8>

    /// The scalar at `index`, its length in bytes and its class; ASCII without decoding or a call.
    @inline(__always)
    func classify(at index: Int) -> (scalar: Unicode.Scalar, length: Int, kind: CharacterClass) {
        let lead = bytes[index]
        if lead < 0x80 { return (Unicode.Scalar(lead), 1, CharacterClass.ascii(lead)) }
        let (scalar, length) = decode(at: index)
        return (scalar, length, CharacterClass(scalar))
    }

    /// The length in bytes and the class of the scalar at `index`, which is not ASCII.
    func classifyNonASCII(at index: Int) -> (length: Int, kind: CharacterClass) {
        if isLatinLetter(at: index) { return (2, .letter) }
        let (scalar, length) = decode(at: index)
        return (length, CharacterClass(scalar))
    }

    /// Whether a two-byte letter of Latin-1 or Latin Extended-A or -B (U+00C0–U+024F but × and ÷) is at `index`,
    /// from its bytes: what `CharacterClass` says of these scalars, without decoding them.
    @inline(__always)
    func isLatinLetter(at index: Int) -> Bool {
        let lead = bytes[index]
        guard lead &- 0xC3 < 7, index + 1 < bytes.count else { return false }
        let second = bytes[index + 1]
        guard second & 0xC0 == 0x80 else { return false }
        switch lead {
        case 0xC3: return second != 0x97 && second != 0xB7
        case 0xC9: return second < 0x90
        default: return true
        }
    }

    /// Whether the typographic apostrophe (’, U+2019: E2 80 99) is at `index`.
    @inline(__always)
    func isTypographicApostrophe(at index: Int) -> Bool {
        index + 2 < bytes.count && bytes[index] == 0xE2 && bytes[index + 1] == 0x80 && bytes[index + 2] == 0x99
    }

    /// The class of the scalar at `index`; ASCII and Latin letters without decoding.
    @inline(__always)
    func kind(at index: Int) -> CharacterClass {
        let lead = bytes[index]
        if lead < 0x80 { return CharacterClass.ascii(lead) }
        if isLatinLetter(at: index) { return .letter }
        return CharacterClass(decode(at: index).scalar)
    }

    /// The scalar at `index` and its length in bytes (U+FFFD, length 1, for a malformed sequence).
    @inline(__always)
    func decode(at index: Int) -> (scalar: Unicode.Scalar, length: Int) {
        let lead = bytes[index]
        if lead < 0x80 { return (Unicode.Scalar(lead), 1) }
        let count = bytes.count
        var value: UInt32
        var length: Int
        if lead & 0xE0 == 0xC0 {
            value = UInt32(lead & 0x1F)
            length = 2
        } else if lead & 0xF0 == 0xE0 {
            value = UInt32(lead & 0x0F)
            length = 3
        } else if lead & 0xF8 == 0xF0 {
            value = UInt32(lead & 0x07)
            length = 4
        } else {
            return ("\u{FFFD}", 1)
        }
        guard index + length <= count else { return ("\u{FFFD}", 1) }
        for offset in 1..<length {
            let byte = bytes[index + offset]
            guard byte & 0xC0 == 0x80 else { return ("\u{FFFD}", 1) }
            value = value << 6 | UInt32(byte & 0x3F)
        }
        return (Unicode.Scalar(value) ?? "\u{FFFD}", length)
    }

    func bytesEqual(_ first: Int, _ second: Int, _ length: Int) -> Bool {
        for offset in 0..<length where bytes[first + offset] != bytes[second + offset] { return false }
        return true
    }

    /// The end of a symbol or ideograph cluster: following combining marks, variation selectors, skin-tone
    /// modifiers, and zero-width-joiner sequences.
    func extendCluster(from start: Int) -> Int {
        var index = start
        while index < bytes.count {
            let (scalar, length) = decode(at: index)
            let value = scalar.value
            if value == 0x200D, index + length < bytes.count {
                index += length + decode(at: index + length).length
                continue
            }
            if (0xFE00...0xFE0F).contains(value) || (0x1F3FB...0x1F3FF).contains(value)
                || (0xE0020...0xE007F).contains(value) || CharacterClass(scalar) == .mark
            {
                index += length
                continue
            }
            break
        }
        return index
    }

    /// The ASCII letters from `start` on (at most `limit + 1` of them), lowercased and packed one byte each into an
    /// integer, first letter lowest (`"tis"` → `0x73_69_74`); empty (0) if a non-ASCII letter comes first; and their
    /// end. No allocation: this runs at every apostrophe.
    @inline(__always)
    func asciiLetters(from start: Int, limit: Int = 6) -> (letters: UInt64, end: Int) {
        var letters: UInt64 = 0
        var count = 0
        var index = start
        while index < bytes.count, count <= limit {
            let byte = bytes[index]
            guard byte < 0x80, CharacterClass.ascii(byte) == .letter else { break }
            letters |= UInt64(byte | 0x20) << (8 * count)
            count += 1
            index += 1
        }
        return (letters, index)
    }

    /// `word` packed as `asciiLetters` packs letters.
    static func packed(_ word: StaticString) -> UInt64 {
        var value: UInt64 = 0
        word.withUTF8Buffer { bytes in
            for (offset, byte) in bytes.enumerated() { value |= UInt64(byte) << (8 * offset) }
        }
        return value
    }

    /// For an apostrophe between letters: where to split a Penn Treebank contraction, or nil if it is none.
    func contractionSplit(wordStart: Int, apostrophe: Int, apostropheLength: Int)
        -> (wordEnd: Int, end: Int)?
    {
        let (suffix, end) = asciiLetters(from: apostrophe + apostropheLength)
        if end < bytes.count, CharacterClass(decode(at: end).scalar).isWordPart { return nil }
        switch suffix {
        case 0x73, 0x6D, 0x64, 0x6C6C, 0x6572, 0x6576:  // s m d ll re ve (first letter lowest)
            return (apostrophe, end)
        case 0x74:  // t: n't belongs to the clitic
            guard apostrophe - 1 > wordStart, bytes[apostrophe - 1] | 0x20 == 0x6E else { return nil }
            return (apostrophe - 1, end)
        default:
            return nil
        }
    }

    /// For an apostrophe before letters: the end of an archaic clitic word ('tis, 'twas, 'em, 'twere), or nil.
    func archaicClitic(at index: Int, apostropheLength: Int) -> Int? {
        let (letters, end) = asciiLetters(from: index + apostropheLength)
        if end < bytes.count, CharacterClass(decode(at: end).scalar).isWordPart { return nil }
        switch letters {
        case Self.packed("tis"), Self.packed("twas"), Self.packed("em"), Self.packed("twere"), Self.packed("twill"),
            Self.packed("twould"):
            return end
        default:
            return nil
        }
    }
}
