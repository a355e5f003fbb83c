/// Collects the UTF-8 bytes of a unit's text nodes, collapsing every run of XML whitespace (space, tab, CR, LF) to
/// one space and dropping leading and trailing whitespace, without allocating per node.
struct TextAccumulator {
    /// The text is `storage[0..<count]`; the rest is spare room, reused from unit to unit (clearing is `count = 0`).
    private var storage: [UInt8] = []
    /// The number of bytes of text.
    private(set) var count = 0
    private var pendingSpace = false

    init() {}

    var isEmpty: Bool { count == 0 }

    /// The text so far.
    var bytes: [UInt8] { Array(storage[0..<count]) }

    /// Calls `body` with the text so far as UTF-8 bytes.
    @inline(__always)
    func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try storage.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[0..<count])) }
    }

    /// Appends `length` bytes, after a space when `separated`.
    @inline(__always)
    private mutating func write(_ source: UnsafePointer<UInt8>, _ length: Int, separated: Bool) {
        let start = count
        let end = start + length + (separated ? 1 : 0)
        if end > storage.count {
            storage.append(contentsOf: repeatElement(0, count: max(end, 2 * storage.count, 256) - storage.count))
        }
        storage.withUnsafeMutableBufferPointer { buffer in
            var at = buffer.baseAddress! + start
            if separated {
                at.pointee = 0x20
                at += 1
            }
            at.update(from: source, count: length)
        }
        count = end
    }

    /// Appends a text node's bytes.
    ///
    /// Copies whole stretches at once: words separated by single spaces need no collapsing, so a stretch ends only
    /// at other whitespace (a newline, a tab, two spaces) or at the end of the node. Stretches are scanned eight
    /// bytes at a time.
    @inline(__always)
    mutating func append(_ text: UnsafeBufferPointer<UInt8>) {
        guard let base = text.baseAddress else { return }
        let length = text.count
        var index = 0
        while index < length {
            // Skip whitespace, remembering that a separator is due.
            while index < length, Self.isSpace(base[index]) {
                pendingSpace = true
                index += 1
            }
            let start = index
            // Invariant: `base[start..<index]` is copied as it is. The bytes before `index` never hold two spaces
            // side by side, and end in a space only after an eight-byte step (`lastIsSpace`); such a space is taken
            // back when whitespace follows it.
            var lastIsSpace = false
            while index < length {
                if index + 8 <= length {
                    let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
                    if Self.isClean(word), !(lastIsSpace && word & 0xFF == 0x20) {
                        lastIsSpace = word >> 56 == 0x20
                        index += 8
                        continue
                    }
                }
                let byte = base[index]
                if !Self.isSpace(byte) {
                    index += 1
                    lastIsSpace = false
                } else if byte == 0x20, !lastIsSpace, index + 1 < length, !Self.isSpace(base[index + 1]) {
                    index += 2
                    lastIsSpace = false
                } else {
                    break
                }
            }
            // A space that ends the stretch is a separator, not text.
            if lastIsSpace { index -= 1 }
            if index > start {
                write(base + start, index - start, separated: pendingSpace && self.count > 0)
                pendingSpace = false
            }
        }
    }

    /// Whether eight bytes (little-endian) can be copied as they are inside a stretch: no byte below 0x20 (in
    /// well-formed XML those are tab, newline and carriage return) and no two spaces side by side.
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
        return isSpace & (isSpace >> 8) == 0
    }

    /// Appends a string's text.
    mutating func append(_ text: String) {
        var copy = text
        copy.withUTF8 { append($0) }
    }

    /// Appends a tab as content, after the pending separator if one is due (a tab is then never dropped as
    /// leading or trailing whitespace).
    mutating func appendVerbatimTab() {
        var tab: UInt8 = 0x09
        write(&tab, 1, separated: pendingSpace && count > 0)
        pendingSpace = false
    }

    /// Marks a word boundary (a line break element, the boundary between two lines of a speech).
    @inline(__always)
    mutating func breakWord() { pendingSpace = true }

    /// The text so far, and resets for the next unit (keeping the capacity).
    mutating func take() -> String {
        let text = withBytes { String(decoding: $0, as: UTF8.self) }
        count = 0
        pendingSpace = false
        return text
    }

    /// Resets without producing the text.
    mutating func reset() {
        count = 0
        pendingSpace = false
    }

    @inline(__always)
    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D }
}
