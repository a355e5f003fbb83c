import Foundation

/// Interns tokens by their UTF-8 bytes into dense ids (0, 1, 2, … in order of first appearance), so that a corpus
/// can be tokenized into ids without making a `String` per token (`Tokenizer.forEachTokenID(in:interningInto:_:)`).
///
/// An open-addressing hash table (linear probing, a multiply-xorshift hash of the bytes) over one byte arena: looking up a token
/// already seen allocates nothing. `token(_:)` gives the string back; `counts` how often each id was interned.
/// Design notes: issue 4 (tokens straight from the bytes, no string per token).
public struct TokenDictionary: Sendable {
    private var arena: [UInt8] = []
    /// Start of token i in `arena`; token i ends at `starts[i + 1]`.
    private var starts: [Int] = [0]
    private var hashes: [UInt64] = []
    /// Slot → id + 1 (0 is empty).
    private var slots: [Int32]
    /// How many times each id was interned.
    public private(set) var counts: [Int] = []

    /// An empty dictionary.
    public init() { slots = [Int32](repeating: 0, count: 1024) }

    /// The number of distinct tokens.
    public var count: Int { counts.count }

    /// The token with id `id`.
    public func token(_ id: Int) -> String {
        precondition(id >= 0 && id < count, "TokenDictionary.token: id \(id) out of 0..<\(count)")
        return arena[starts[id]..<starts[id + 1]].withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) }
    }

    /// Every token, by id.
    public var tokens: [String] { (0..<count).map(token) }

    /// The id of the token whose UTF-8 bytes are `bytes` (added if new), counting the occurrence.
    @inlinable
    public mutating func intern(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        intern(bytes, hash: Self.hash(bytes))
    }

    /// A multiply-xorshift hash of the bytes, eight at a time (tokens are short: one or two words).
    @inlinable
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        guard let base = bytes.baseAddress else { return 0x9e37_79b9_7f4a_7c15 }
        let raw = UnsafeRawPointer(base)
        let count = bytes.count
        var hash = 0x9e37_79b9_7f4a_7c15 ^ UInt64(count)
        var offset = 0
        while offset + 8 <= count {
            hash = (hash ^ raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0xff51_afd7_ed55_8ccd
            hash ^= hash >> 29
            offset += 8
        }
        if offset < count {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while offset < count {
                tail |= UInt64(base[offset]) << shift
                shift += 8
                offset += 1
            }
            hash = (hash ^ tail) &* 0xc4ce_b9fe_1a85_ec53
        }
        hash ^= hash >> 32
        return hash &* 0xff51_afd7_ed55_8ccd ^ (hash >> 29)
    }

    @usableFromInline
    mutating func intern(_ bytes: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Int {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = Int(slots[slot])
            if entry == 0 { break }
            let id = entry - 1
            if hashes[id] == hash, matches(id, bytes) {
                counts[id] += 1
                return id
            }
            slot = (slot + 1) & mask
        }
        let id = counts.count
        arena.append(contentsOf: bytes)
        starts.append(arena.count)
        hashes.append(hash)
        counts.append(1)
        slots[slot] = Int32(id + 1)
        if counts.count * 2 > slots.count { grow() }
        return id
    }

    private func matches(_ id: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = starts[id]
        let length = starts[id + 1] - start
        guard length == bytes.count else { return false }
        return arena.withUnsafeBufferPointer { stored in
            guard let base = bytes.baseAddress, length > 0 else { return true }
            return memcmp(stored.baseAddress! + start, base, length) == 0
        }
    }

    private mutating func grow() {
        var bigger = [Int32](repeating: 0, count: slots.count * 2)
        let mask = bigger.count - 1
        for id in 0..<counts.count {
            var slot = Int(truncatingIfNeeded: hashes[id]) & mask
            while bigger[slot] != 0 { slot = (slot + 1) & mask }
            bigger[slot] = Int32(id + 1)
        }
        slots = bigger
    }
}
