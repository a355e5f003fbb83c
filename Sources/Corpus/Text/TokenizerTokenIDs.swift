extension Tokenizer {
    /// Tokenizes `bytes` (UTF-8) into token ids of `dictionary`, calling `body` with each id in order: the same
    /// tokens as `tokenize(_:)` (lowercased, numbers and apostrophes normalized, as configured), interned by their
    /// bytes, so an ASCII token already seen costs no allocation (`dictionary.token(id)` is `tokenize`'s string).
    ///
    /// Design notes: issue 4 (tokens straight from the bytes into a vocabulary, no string per token).
    public func forEachTokenID(
        in bytes: UnsafeBufferPointer<UInt8>, interningInto dictionary: inout TokenDictionary,
        _ body: (Int) throws -> Void
    ) rethrows {
        guard bytes.count > 0 else { return }
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bytes.count) { scratch in
            try forEachTokenRange(in: bytes) { range, category in
                let id: Int
                if normalizeNumbers, category == .number {
                    var number = numberToken
                    id = number.withUTF8 { dictionary.intern($0) }
                } else {
                    let slice = UnsafeBufferPointer(rebasing: bytes[range])
                    var isASCII = true
                    for byte in slice where byte >= 0x80 {
                        isASCII = false
                        break
                    }
                    if !isASCII {
                        var string = token(bytes, range, category)
                        id = string.withUTF8 { dictionary.intern($0) }
                    } else if lowercase {
                        for (index, byte) in slice.enumerated() {
                            scratch[index] = byte &- 0x41 < 26 ? byte | 0x20 : byte
                        }
                        id = dictionary.intern(UnsafeBufferPointer(rebasing: scratch[0..<slice.count]))
                    } else {
                        id = dictionary.intern(slice)
                    }
                }
                try body(id)
            }
        }
    }
}
