import Foundation

/// Interns tokens by their UTF-8 bytes into dense ids (0, 1, 2, … in order of first appearance), so that a corpus
/// can be tokenized into ids without making a `String` per token (`Tokenizer.forEachTokenID(in:interningInto:_:)`).
///
/// An open-addressing hash table (linear probing; each slot holds the id, the length, 24 bits of the hash and the first
/// eight bytes, so a token up to eight bytes long is found without reading the arena) over one byte arena, all on
/// unsafe buffers in a copy-on-write box: looking up a token already seen allocates nothing, and
/// `Tokenizer.forEachTokenID` checks uniqueness once per call. `token(_:)` gives the string back; `counts` how often
/// each id was interned.
public struct TokenDictionary: Sendable {
    private var storage: TokenDictionaryStorage

    /// An empty dictionary.
    public init() { storage = TokenDictionaryStorage() }

    /// The number of distinct tokens.
    public var count: Int { storage.tokenCount }

    /// How many times each id was interned (an array made on each call: use `count(of:)` for one id).
    public var counts: [Int] {
        Array(UnsafeBufferPointer(start: storage.counts, count: storage.tokenCount))
    }

    /// How many times the token with id `id` was interned.
    public func count(of id: Int) -> Int {
        precondition(id >= 0 && id < count, "TokenDictionary.count(of:): id \(id) out of 0..<\(count)")
        return storage.counts[id]
    }

    /// The token with id `id`.
    public func token(_ id: Int) -> String {
        precondition(id >= 0 && id < count, "TokenDictionary.token: id \(id) out of 0..<\(count)")
        let start = storage.starts[id]
        return String(
            decoding: UnsafeBufferPointer(start: storage.arena + start, count: storage.starts[id + 1] - start),
            as: UTF8.self)
    }

    /// Every token, by id.
    public var tokens: [String] { (0..<count).map(token) }

    /// The id of `token` (added if new), counting the occurrence.
    ///
    /// - Complexity: O(*n*) in the UTF-8 length of `token`, amortized.
    public mutating func intern(_ token: String) -> Int {
        var copy = token
        return copy.withUTF8 { intern($0) }
    }

    /// The id of the token whose UTF-8 bytes are `bytes` (added if new), counting the occurrence.
    ///
    /// - Important: The unsafe fast path for bytes already in hand (a `BorrowedTextUnit`'s text);
    ///   ``intern(_:)-(String)`` is the safe form.
    public mutating func intern(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        uniqueStorage().intern(bytes.baseAddress, bytes.count)
    }

    /// The storage, copied first if it is shared (copy-on-write): call once before a batch of `intern`s on it.
    mutating func uniqueStorage() -> TokenDictionaryStorage {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return storage
    }
}

/// A slot of a `TokenDictionaryStorage` table.
struct TokenSlot {
    /// 0 if the slot is empty, else the top 24 bits of the token's hash, its length (at most 255) in bits 32–39,
    /// and its id + 1 in the low 32 bits.
    var meta: UInt64
    /// The token's first eight bytes, zero-padded (`TokenDictionaryStorage.prefix`): all of a token up to 8 bytes
    /// long, so that looking one up reads neither `starts` nor `arena`.
    var key: UInt64
}

/// The tables of a `TokenDictionary`, on unsafe buffers. Mutated only through a uniquely referenced box
/// (`TokenDictionary.uniqueStorage()`), which is what makes the unchecked `Sendable` sound.
final class TokenDictionaryStorage: @unchecked Sendable {
    /// The open-addressing table (linear probing), a power of two long, at most half full.
    private var slots: UnsafeMutablePointer<TokenSlot>
    private var slotMask: Int
    /// Start of token i in `arena`; token i ends at `starts[i + 1]` (`tokenCapacity + 1` entries).
    private(set) var starts: UnsafeMutablePointer<Int>
    /// How many times each id was interned.
    private(set) var counts: UnsafeMutablePointer<Int>
    private(set) var tokenCount = 0
    private var tokenCapacity: Int
    private(set) var arena: UnsafeMutablePointer<UInt8>
    private var arenaCapacity: Int

    init(slotCount: Int = 1024, tokenCapacity: Int = 256, arenaCapacity: Int = 2048) {
        slots = .allocate(capacity: slotCount)
        slots.initialize(repeating: TokenSlot(meta: 0, key: 0), count: slotCount)
        slotMask = slotCount - 1
        self.tokenCapacity = tokenCapacity
        starts = .allocate(capacity: tokenCapacity + 1)
        starts.initialize(to: 0)
        counts = .allocate(capacity: tokenCapacity)
        self.arenaCapacity = arenaCapacity
        arena = .allocate(capacity: arenaCapacity)
    }

    deinit {
        slots.deallocate()
        starts.deallocate()
        counts.deallocate()
        arena.deallocate()
    }

    /// An independent copy (the same tables, same capacities).
    func copy() -> TokenDictionaryStorage {
        let copy = TokenDictionaryStorage(
            slotCount: slotMask + 1, tokenCapacity: tokenCapacity, arenaCapacity: arenaCapacity)
        copy.slots.update(from: slots, count: slotMask + 1)
        copy.starts.update(from: starts, count: tokenCount + 1)
        copy.counts.initialize(from: counts, count: tokenCount)
        copy.arena.initialize(from: arena, count: starts[tokenCount])
        copy.tokenCount = tokenCount
        return copy
    }

    /// The id of the `count` bytes at `base` (added if new), counting the occurrence.
    @inline(__always)
    func intern(_ base: UnsafePointer<UInt8>?, _ count: Int) -> Int {
        // A buffer without an address is empty: any address does, nothing is read.
        let bytes = base ?? UnsafePointer(arena)
        let prefix = Self.prefix(UnsafeRawPointer(bytes), count)
        return intern(bytes, count, prefix: prefix, hash: Self.hash(UnsafeRawPointer(bytes), count, prefix: prefix))
    }

    /// The id of the `count` bytes at `base`, whose first eight bytes zero-padded are `prefix` (added if new).
    @inline(__always)
    func intern(_ base: UnsafePointer<UInt8>, _ count: Int, prefix: UInt64) -> Int {
        intern(base, count, prefix: prefix, hash: Self.hash(UnsafeRawPointer(base), count, prefix: prefix))
    }

    /// Counts one more occurrence of `id`, a token already interned.
    @inline(__always)
    func countOccurrence(of id: Int) { counts[id] += 1 }

    /// The id of the `count` bytes at `base` whose hash is `hash` (tests force collisions with it).
    func intern(_ base: UnsafePointer<UInt8>, _ count: Int, hash: UInt64) -> Int {
        intern(base, count, prefix: Self.prefix(UnsafeRawPointer(base), count), hash: hash)
    }

    @inline(__always)
    private func intern(_ base: UnsafePointer<UInt8>, _ count: Int, prefix: UInt64, hash: UInt64) -> Int {
        let probe = Self.metaHigh(hash: hash, count: count)
        var slot = Int(truncatingIfNeeded: hash) & slotMask
        while true {
            let entry = slots[slot]
            if entry.meta == 0 { break }
            if entry.meta & 0xFFFF_FFFF_0000_0000 == probe, entry.key == prefix {
                let id = Int(truncatingIfNeeded: entry.meta & 0xFFFF_FFFF) &- 1
                // Up to eight bytes, the length and the key are the whole token.
                if count <= 8 || matches(id, base, count) {
                    counts[id] &+= 1
                    return id
                }
            }
            slot = (slot &+ 1) & slotMask
        }
        return add(base, count, slot: slot, entry: TokenSlot(meta: probe, key: prefix))
    }

    /// The top half of a slot's `meta`: 24 bits of the hash and the length (at most 255).
    @inline(__always)
    private static func metaHigh(hash: UInt64, count: Int) -> UInt64 {
        hash & 0xFFFF_FF00_0000_0000 | UInt64(truncatingIfNeeded: min(count, 255)) &<< 32
    }

    /// Whether token `id` is the `count` (more than 8) bytes at `base`.
    @inline(__always)
    private func matches(_ id: Int, _ base: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        let start = starts[id]
        return starts[id + 1] - start == count && Self.bytesEqual(UnsafeRawPointer(arena + start), base, count)
    }

    /// Adds a new token in the empty slot `slot` its probe ended at.
    private func add(_ base: UnsafePointer<UInt8>, _ count: Int, slot: Int, entry: TokenSlot) -> Int {
        let id = tokenCount
        precondition(id < Int(UInt32.max) - 1, "TokenDictionary.intern: more than 2^32 - 2 distinct tokens")
        if id == tokenCapacity { growTokens() }
        let start = starts[id]
        if start + count > arenaCapacity { growArena(toHold: start + count) }
        (arena + start).initialize(from: base, count: count)
        starts[id + 1] = start + count
        counts[id] = 1
        tokenCount = id + 1
        slots[slot] = TokenSlot(meta: entry.meta | UInt64(id + 1), key: entry.key)
        if tokenCount * 2 > slotMask + 1 { growSlots() }
        return id
    }

    private func growTokens() {
        let capacity = tokenCapacity * 2
        let newStarts = UnsafeMutablePointer<Int>.allocate(capacity: capacity + 1)
        newStarts.initialize(from: starts, count: tokenCount + 1)
        starts.deallocate()
        starts = newStarts
        let newCounts = UnsafeMutablePointer<Int>.allocate(capacity: capacity)
        newCounts.initialize(from: counts, count: tokenCount)
        counts.deallocate()
        counts = newCounts
        tokenCapacity = capacity
    }

    private func growArena(toHold size: Int) {
        var capacity = arenaCapacity * 2
        while capacity < size { capacity *= 2 }
        let newArena = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        newArena.initialize(from: arena, count: starts[tokenCount])
        arena.deallocate()
        arena = newArena
        arenaCapacity = capacity
    }

    /// Doubles the table, rehashing every token from its bytes (amortized: tokens are short).
    private func growSlots() {
        let slotCount = (slotMask + 1) * 2
        let newSlots = UnsafeMutablePointer<TokenSlot>.allocate(capacity: slotCount)
        newSlots.initialize(repeating: TokenSlot(meta: 0, key: 0), count: slotCount)
        let mask = slotCount - 1
        for id in 0..<tokenCount {
            let start = starts[id]
            let count = starts[id + 1] - start
            let bytes = UnsafeRawPointer(arena + start)
            let prefix = Self.prefix(bytes, count)
            let hash = Self.hash(bytes, count, prefix: prefix)
            var slot = Int(truncatingIfNeeded: hash) & mask
            while newSlots[slot].meta != 0 { slot = (slot + 1) & mask }
            newSlots[slot] = TokenSlot(meta: Self.metaHigh(hash: hash, count: count) | UInt64(id + 1), key: prefix)
        }
        slots.deallocate()
        slots = newSlots
        slotMask = mask
    }

    /// The first `min(count, 8)` bytes at `base` as a little-endian integer, zero-padded, reading only those bytes.
    @inline(__always)
    static func prefix(_ base: UnsafeRawPointer, _ count: Int) -> UInt64 {
        if count >= 8 { return base.loadUnaligned(as: UInt64.self) }
        if count >= 4 {
            let low = UInt64(base.loadUnaligned(as: UInt32.self))
            let high = UInt64(base.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self))
            // The overlapping bytes are the same in both halves.
            return low | high &<< (8 * (count - 4))
        }
        guard count > 0 else { return 0 }
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        let middle = count >> 1
        return UInt64(bytes[0]) | UInt64(bytes[middle]) &<< (8 * middle) | UInt64(bytes[count - 1])
            &<< (8 * (count - 1))
    }

    /// `prefix(base, count)` from one load, when at least eight bytes at `base` may be read.
    @inline(__always)
    static func prefix(eightReadableBytesAt base: UnsafeRawPointer, _ count: Int) -> UInt64 {
        let word = base.loadUnaligned(as: UInt64.self)
        return count >= 8 ? word : word & ((1 &<< (8 &* UInt64(truncatingIfNeeded: count))) &- 1)
    }

    /// A hash of the `count` bytes at `base`, whose `prefix` is given: up to 16 bytes from the prefix and one more
    /// (possibly overlapping) load, beyond 16 bytes a step, folded by a 64 × 64 → 128-bit multiply (the scheme of
    /// wyhash, Wang Yi 2019): a few instructions for the one- or two-word tokens of a corpus, and every byte counts.
    @inline(__always)
    static func hash(_ base: UnsafeRawPointer, _ count: Int, prefix: UInt64) -> UInt64 {
        if count <= 8 { return mix(prefix ^ 0x8bb8_4b93_962e_acc9, 0x2d35_8dcc_aa6c_78a5 ^ UInt64(count)) }
        var seed: UInt64 = 0x2d35_8dcc_aa6c_78a5
        var first = prefix
        if count > 16 {
            var offset = 0
            while offset + 16 < count {
                seed = mix(
                    base.loadUnaligned(fromByteOffset: offset, as: UInt64.self) ^ 0x8bb8_4b93_962e_acc9,
                    base.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self) ^ seed)
                offset += 16
            }
            first = base.loadUnaligned(fromByteOffset: count - 16, as: UInt64.self)
        }
        let second = base.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        return mix(first ^ 0x8bb8_4b93_962e_acc9, second ^ seed ^ UInt64(truncatingIfNeeded: count))
    }

    /// The 128-bit product of `a` and `b`, its halves xored.
    @inline(__always)
    static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }

    /// Whether `count` (at least 8) bytes at `stored` and at `bytes` are equal: two overlapping loads up to 16
    /// bytes, `memcmp` beyond (shorter tokens are compared whole through the slot's key).
    @inline(__always)
    static func bytesEqual(_ stored: UnsafeRawPointer, _ bytes: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        let other = UnsafeRawPointer(bytes)
        if count > 16 { return memcmp(stored, other, count) == 0 }
        return stored.loadUnaligned(as: UInt64.self) == other.loadUnaligned(as: UInt64.self)
            && stored.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
                == other.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
    }
}
