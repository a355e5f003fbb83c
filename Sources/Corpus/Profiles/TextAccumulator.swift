/// Collects the UTF-8 bytes of a unit's text nodes, collapsing every run of XML whitespace (space, tab, CR, LF) to
/// one space and dropping leading and trailing whitespace, without allocating per node.
struct TextAccumulator {
    private(set) var bytes: [UInt8] = []
    private var pendingSpace = false

    init() { bytes.reserveCapacity(256) }

    var isEmpty: Bool { bytes.isEmpty }

    /// Appends a text node's bytes.
    ///
    /// Copies whole stretches at once: words separated by single spaces need no collapsing, so a stretch ends only
    /// at other whitespace (a newline, a tab, two spaces) or at the end of the node. Stretches are scanned eight
    /// bytes at a time.
    @inline(__always)
    mutating func append(_ text: UnsafeBufferPointer<UInt8>) {
        guard let base = text.baseAddress else { return }
        let count = text.count
        var index = 0
        while index < count {
            // Skip whitespace, remembering that a separator is due.
            while index < count, Self.isSpace(base[index]) {
                pendingSpace = true
                index += 1
            }
            let start = index
            // Invariant: the byte before `index` (if in the stretch) is not a space, or is a single space and the
            // byte at `index` is not whitespace.
            while index < count {
                if index + 8 <= count, Self.isClean(UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)) {
                    index += 8
                    continue
                }
                let byte = base[index]
                if !Self.isSpace(byte) {
                    index += 1
                } else if byte == 0x20, index + 1 < count, !Self.isSpace(base[index + 1]) {
                    index += 2
                } else {
                    break
                }
            }
            if index > start {
                if pendingSpace, !bytes.isEmpty { bytes.append(0x20) }
                pendingSpace = false
                bytes.append(contentsOf: UnsafeBufferPointer(start: base + start, count: index - start))
            }
        }
    }

    /// Whether eight bytes (little-endian) can be copied as they are inside a stretch: no byte below 0x20 (in
    /// well-formed XML those are tab, newline and carriage return), no two spaces side by side, and no space last
    /// (what follows it is not known yet).
    @inline(__always)
    static func isClean(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let lows: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        // Some byte is below 0x20 (exact as a yes/no answer).
        if (word &- 0x20 &* ones) & ~word & highs != 0 { return false }
        // The high bit of exactly the bytes that are spaces.
        let spaces = word ^ (0x20 &* ones)
        let isSpace = ~(((spaces & lows) &+ lows) | spaces | lows)
        return isSpace & (isSpace >> 8) == 0 && isSpace >> 63 == 0
    }

    /// Appends a string's text.
    mutating func append(_ text: String) {
        var copy = text
        copy.withUTF8 { append($0) }
    }

    /// Marks a word boundary (a line break element, the boundary between two lines of a speech).
    @inline(__always)
    mutating func breakWord() { pendingSpace = true }

    /// The text so far, and resets for the next unit (keeping the capacity).
    mutating func take() -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        bytes.removeAll(keepingCapacity: true)
        pendingSpace = false
        return text
    }

    /// Calls `body` with the text so far as UTF-8 bytes.
    @inline(__always)
    func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try bytes.withUnsafeBufferPointer(body)
    }

    /// Resets without producing the text.
    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        pendingSpace = false
    }

    @inline(__always)
    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D }
}
