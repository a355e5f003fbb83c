extension Tokenizer {
    /// Tokenizes `bytes` (UTF-8) into token ids of `dictionary`, calling `body` with each id in order: the same
    /// tokens as `tokenize(_:)` (lowercased, numbers and apostrophes normalized, as configured), interned by their
    /// bytes, so a token already seen costs no allocation (`dictionary.token(id)` is `tokenize`'s string).
    ///
    /// Tokens are normalized in bytes: ASCII, the typographic apostrophe, and (when lowercasing) the Latin-1 and
    /// Latin Extended-A letters whose lowercase is one scalar; a token with any other character lowercased, or with
    /// malformed UTF-8, takes the `String` path of `token(_:_:_:)`.
    public func forEachTokenID(
        in bytes: UnsafeBufferPointer<UInt8>, interningInto dictionary: inout TokenDictionary,
        _ body: (Int) throws -> Void
    ) rethrows {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        // One uniqueness check per call: `body` cannot reach `dictionary` while it is borrowed here, so the storage
        // stays unshared until we return.
        let storage = dictionary.uniqueStorage()
        // The closure captures no `String` (not `self`, which holds `numberToken`: capturing it cost a retain and a
        // release per word): the number token's bytes go after the scratch space.
        let normalization = TokenNormalization(lowercase: isLowercasing, normalizeApostrophes: normalizesApostrophes)
        let normalizesNumbers = normalizesNumbers
        var numberToken = normalizesNumbers ? numberToken : ""
        try numberToken.withUTF8 { number in
            // Eight bytes of slack: a token up to eight bytes long is read with one load (`prefix(eightReadable…)`).
            let capacity = bytes.count + number.count + 8
            try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer in
                guard let scratch = buffer.baseAddress else { return }
                // The one-load prefix reads the first eight bytes whatever the token's length: initialized once.
                scratch.initialize(repeating: 0, count: 8)
                let numberBytes = scratch + bytes.count
                if let numberBase = number.baseAddress { numberBytes.initialize(from: numberBase, count: number.count) }
                // Everything a token needs in one value, so the per-token call gets one pointer, not a dozen captures.
                var interner = TokenIDInterner(
                    base: base, total: bytes.count, storage: storage, normalization: normalization,
                    normalizeNumbers: normalizesNumbers, numberBytes: numberBytes, numberCount: number.count,
                    scratch: scratch)
                try forEachTokenRange(in: bytes) { range, category in try body(interner.id(of: range, category)) }
            }
        }
    }

    /// The token ids of a unit, as `CorpusExporter.tokens(of:_:)` gives its tokens: its marked-up tokens (TEI `<w>`,
    /// lowercased when the tokenizer lowercases) when it has them, otherwise `forEachTokenID(in:interningInto:_:)`
    /// on its text. What statistics and vocabularies count.
    public func forEachTokenID(
        of unit: BorrowedTextUnit, interningInto dictionary: inout TokenDictionary, _ body: (Int) throws -> Void
    ) rethrows {
        guard let marked = unit.tokens, !marked.isEmpty else {
            return try forEachTokenID(in: unit.utf8Text, interningInto: &dictionary, body)
        }
        for token in marked {
            var form = isLowercasing ? token.form.lowercased() : token.form
            try body(form.withUTF8 { dictionary.intern($0) })
        }
    }
}

/// The per-token work of `forEachTokenID`: a token's range to its id in the dictionary's storage.
struct TokenIDInterner {
    /// The text's bytes and their count.
    let base: UnsafePointer<UInt8>
    let total: Int
    /// The dictionary's storage, unshared for the whole call.
    let storage: TokenDictionaryStorage
    let normalization: TokenNormalization
    let normalizeNumbers: Bool
    /// The number token's bytes (after the scratch space).
    let numberBytes: UnsafeMutablePointer<UInt8>
    let numberCount: Int
    /// Room for a normalized token, at least eight bytes, the first eight initialized.
    let scratch: UnsafeMutablePointer<UInt8>
    /// The number token's id once interned.
    var numberID = -1

    /// The id of the token at `range` (of `category`), counting the occurrence.
    @inline(__always)
    mutating func id(of range: Range<Int>, _ category: Tokenizer.Category) -> Int {
        let source = base + range.lowerBound
        let count = range.count
        if normalizeNumbers, category == .number {
            if numberID < 0 {
                numberID = storage.intern(numberBytes, numberCount)
            } else {
                storage.countOccurrence(of: numberID)
            }
            return numberID
        }
        // The bytes to intern (the token's own, or normalized into the scratch space) and their first
        // eight bytes, zero-padded; one call to `intern` below, inlined.
        let token: UnsafePointer<UInt8>
        let length: Int
        let prefix: UInt64
        if count <= 8, range.lowerBound + 8 <= total,
            case let word = TokenDictionaryStorage.prefix(eightReadableBytesAt: source, count),
            word & 0x8080_8080_8080_8080 == 0
        {
            // The common token: short and ASCII, lowercased eight bytes at once if asked.
            if normalization.lowercase {
                prefix = TokenNormalization.asciiLowercased(word)
                UnsafeMutableRawPointer(scratch).storeBytes(of: prefix, as: UInt64.self)
                token = UnsafePointer(scratch)
            } else {
                prefix = word
                token = source
            }
            length = count
        } else if !normalization.lowercase, TokenNormalization.isASCII(source, count) {
            token = source
            length = count
            prefix = TokenDictionaryStorage.prefix(UnsafeRawPointer(source), count)
        } else if let normalized = normalization.normalized(source, count, into: scratch) {
            token = UnsafePointer(scratch)
            length = normalized
            prefix = TokenDictionaryStorage.prefix(eightReadableBytesAt: scratch, min(normalized, 8))
        } else {
            var string = Tokenizer.nonASCIIToken(
                UnsafeBufferPointer(start: source, count: count), lowercase: normalization.lowercase,
                normalizeApostrophes: normalization.normalizeApostrophes)
            return string.withUTF8 { bytes in storage.intern(bytes.baseAddress, bytes.count) }
        }
        return storage.intern(token, length, prefix: prefix)
    }
}

/// What `forEachTokenID` needs of a tokenizer's options to normalize a token in bytes (no reference-counted field).
struct TokenNormalization {
    /// `Tokenizer.lowercase`.
    let lowercase: Bool
    /// `Tokenizer.normalizeApostrophes`.
    let normalizeApostrophes: Bool

    /// Eight ASCII bytes with A–Z lowercased, in parallel: the top bit of each byte strictly between 0x40 and 0x5B
    /// (the `hasbetween` of Anderson's "Bit Twiddling Hacks"), shifted down to 0x20 and set.
    @inline(__always)
    static func asciiLowercased(_ word: UInt64) -> UInt64 {
        let low = word & 0x7F7F_7F7F_7F7F_7F7F
        let upper = (0xDADA_DADA_DADA_DADA &- low) & ~word & (low &+ 0x3F3F_3F3F_3F3F_3F3F) & 0x8080_8080_8080_8080
        return word | upper &>> 2
    }

    /// Whether the `count` bytes at `source` are all ASCII, a word at a time.
    @inline(__always)
    static func isASCII(_ source: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        let raw = UnsafeRawPointer(source)
        if count >= 8 {
            var offset = 0
            var bits: UInt64 = 0
            while offset + 8 <= count {
                bits |= raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                offset += 8
            }
            bits |= raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
            return bits & 0x8080_8080_8080_8080 == 0
        }
        if count >= 4 {
            let bits =
                raw.loadUnaligned(as: UInt32.self) | raw.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
            return bits & 0x8080_8080 == 0
        }
        for offset in 0..<count where source[offset] >= 0x80 { return false }
        return true
    }

    /// Writes the bytes of `token(...)`'s string for the `count` bytes at `source` (not a normalized number) into
    /// `scratch`, at most `count` bytes, and returns how many; nil when only the `String` path gives them exactly
    /// (malformed UTF-8, or a character lowercased that is not ASCII, Latin-1 or Latin Extended-A with a one-scalar
    /// lowercase).
    @inline(__always)
    func normalized(_ source: UnsafePointer<UInt8>, _ count: Int, into scratch: UnsafeMutablePointer<UInt8>) -> Int? {
        var read = 0
        var written = 0
        while read < count {
            let byte = source[read]
            if byte < 0x80 {
                scratch[written] = lowercase && byte &- 0x41 < 26 ? byte | 0x20 : byte
                read += 1
                written += 1
                continue
            }
            let length = Self.wellFormedLength(source + read, count - read)
            guard length > 0 else { return nil }
            if length == 3, normalizeApostrophes, byte == 0xE2, source[read + 1] == 0x80, source[read + 2] == 0x99 {
                scratch[written] = UInt8(ascii: "'")
                read += 3
                written += 1
                continue
            }
            if lowercase {
                if length == 2 {
                    let value = UInt32(byte & 0x1F) << 6 | UInt32(source[read + 1] & 0x3F)
                    guard let lowered = Self.simpleLowercase(value) else { return nil }
                    scratch[written] = 0xC0 | UInt8(truncatingIfNeeded: lowered >> 6)
                    scratch[written + 1] = 0x80 | UInt8(truncatingIfNeeded: lowered & 0x3F)
                    read += 2
                    written += 2
                    continue
                }
                // General Punctuation (U+2000–U+203F: spaces, dashes, quotes, …) has no case.
                guard length == 3, byte == 0xE2, source[read + 1] == 0x80 else { return nil }
            }
            for offset in 0..<length { scratch[written + offset] = source[read + offset] }
            read += length
            written += length
        }
        return written
    }

    /// The length of the well-formed UTF-8 sequence of a non-ASCII scalar at `source` (`available` bytes there), or
    /// 0 if it is malformed (bad lead or continuation, overlong, surrogate, beyond U+10FFFF, cut short): the rules
    /// of `String(decoding:as:)`, which repairs such bytes, so they go to the `String` path.
    @inline(__always)
    static func wellFormedLength(_ source: UnsafePointer<UInt8>, _ available: Int) -> Int {
        let lead = source[0]
        var secondLow: UInt8 = 0x80
        var secondHigh: UInt8 = 0xBF
        let length: Int
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            secondLow = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            secondHigh = 0x9F
        case 0xF0:
            length = 4
            secondLow = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            secondHigh = 0x8F
        default: return 0
        }
        guard length <= available, (secondLow...secondHigh).contains(source[1]) else { return 0 }
        for offset in 2..<length where source[offset] & 0xC0 != 0x80 { return 0 }
        return length
    }

    /// The lowercase of the scalar `value` (U+0080–U+07FF) when Unicode's full lowercasing maps it to one scalar
    /// and is simple to state: Latin-1 (À–Þ but × → +0x20, the rest unchanged) and Latin Extended-A (case pairs);
    /// nil for anything else (İ becomes two scalars; other blocks are left to `String.lowercased()`).
    @inline(__always)
    static func simpleLowercase(_ value: UInt32) -> UInt32? {
        switch value {
        case 0x80...0xBF, 0xD7, 0xDF...0xFF: return value
        case 0xC0...0xDE: return value + 0x20
        // Latin Extended-A: capitals at even code points, then at odd ones (Ĺ…Ň, Ź…Ž), with a few caseless letters.
        case 0x100...0x12F, 0x132...0x137, 0x14A...0x177: return value | 1
        case 0x139...0x148, 0x179...0x17E: return value & 1 == 1 ? value + 1 : value
        case 0x131, 0x138, 0x149, 0x17F: return value
        case 0x178: return 0xFF
        default: return nil
        }
    }
}
