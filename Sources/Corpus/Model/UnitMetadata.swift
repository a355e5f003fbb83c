/// A unit's metadata as a profile builds it: the context it inherits (a shared immutable snapshot of entries that
/// change rarely, such as act and scene: copying it retains one object), its speech in fixed fields, and up to
/// three entries of the unit's own (`id`, `n`, `ana`, a speaker) whose values stay UTF-8 bytes, merged into one
/// dictionary only when read (later layers win). A profile can stream millions of units without making a `String`
/// or hashing a key for metadata nobody reads.
struct UnitMetadata: Sendable {
    private var context: MetadataContext?
    /// The speech the unit belongs to (inactive outside speeches).
    var speech = SpeechMetadata()
    /// The own entries' keys: literals, so that setting and clearing them costs no reference counting.
    private var key0: StaticString?
    private var key1: StaticString?
    private var key2: StaticString?
    /// Where each own value ends in `values` (the first starts at 0, the others where the previous one ends);
    /// `values` beyond the last end is spare room, reused from unit to unit.
    private var end0: Int32 = 0
    private var end1: Int32 = 0
    private var end2: Int32 = 0
    private var values: [UInt8] = []

    /// Metadata inheriting `context` and `speech`.
    init(context: MetadataContext?, speech: SpeechMetadata = SpeechMetadata()) {
        self.context = context
        self.speech = speech
    }

    /// Metadata made of the entries of a dictionary.
    init(_ entries: [String: String] = [:]) {
        context = entries.isEmpty ? nil : MetadataContext(entries: entries)
    }

    /// Inherits `context` and forgets the unit's own entries (a profile reusing a unit slot, which then sets
    /// `speech` if it changed); writes only what changes, so reusing a slot for the next unit of the same speech
    /// costs no reference counting.
    @inline(__always)
    mutating func reset(context newContext: MetadataContext?) {
        if context !== newContext { context = newContext }
        key0 = nil
        key1 = nil
        key2 = nil
    }

    /// Sets `key` (over the context's value, if any).
    mutating func set(_ key: StaticString, _ value: String) {
        var value = value
        value.withUTF8 { set(key, utf8: $0) }
    }

    /// Sets `key` to the string whose UTF-8 bytes are `value` (copied; made a `String` only when read).
    mutating func set(_ key: StaticString, utf8 value: UnsafeBufferPointer<UInt8>) {
        if key0 == nil {
            key0 = key
            end0 = store(value, at: 0)
        } else if key1 == nil, !Self.same(key0, key) {
            key1 = key
            end1 = store(value, at: end0)
        } else if key2 == nil, !Self.same(key0, key), !Self.same(key1, key) {
            key2 = key
            end2 = store(value, at: end1)
        } else {
            // A fourth key or a key set again: everything moves into a context of the unit's own.
            var merged = dictionary
            merged[key.description] = String(decoding: value, as: UTF8.self)
            context = MetadataContext(entries: merged)
            speech = SpeechMetadata()
            key0 = nil
            key1 = nil
            key2 = nil
        }
    }

    /// Copies `value` into `values` from `start` on; returns where it ends.
    @inline(__always)
    private mutating func store(_ value: UnsafeBufferPointer<UInt8>, at start: Int32) -> Int32 {
        let start = Int(start)
        let end = start + value.count
        if values.count < end { values.append(contentsOf: repeatElement(0, count: max(end, 32) - values.count)) }
        if let source = value.baseAddress {
            values.withUnsafeMutableBufferPointer { ($0.baseAddress! + start).update(from: source, count: value.count) }
        }
        return Int32(truncatingIfNeeded: end)
    }

    private static func same(_ key: StaticString?, _ other: StaticString) -> Bool {
        guard let key else { return false }
        return key.withUTF8Buffer { first in other.withUTF8Buffer { first.elementsEqual($0) } }
    }

    /// The merged dictionary.
    var dictionary: [String: String] {
        var merged = context?.entries ?? [:]
        speech.merge(into: &merged)
        guard let key0 else { return merged }
        values.withUnsafeBufferPointer { values in
            func value(_ start: Int32, _ end: Int32) -> String {
                String(decoding: UnsafeBufferPointer(rebasing: values[Int(start)..<Int(end)]), as: UTF8.self)
            }
            merged[key0.description] = value(0, end0)
            if let key1 { merged[key1.description] = value(end0, end1) }
            if let key2 { merged[key2.description] = value(end1, end2) }
        }
        return merged
    }
}

/// The entries the units a profile opens inherit from their context (divisions, act and scene: they change rarely),
/// as one immutable object shared by all of them.
final class MetadataContext: Sendable {
    let entries: [String: String]

    init(entries: [String: String]) { self.entries = entries }
}

/// The metadata a profile's next units inherit: entries by key (divisions, act, scene), shared as one
/// `MetadataContext` snapshot made once after each change rather than once per unit, and the open speech's.
struct InheritedMetadata {
    private(set) var entries: [String: String] = [:]
    /// The open speech's metadata (inactive outside speeches).
    var speech = SpeechMetadata()
    private var snapshot: MetadataContext?

    /// An entry (setting one makes a new snapshot for the units opened next; units already open keep theirs).
    subscript(key: String) -> String? {
        get { entries[key] }
        set {
            entries[key] = newValue
            snapshot = nil
        }
    }

    /// Forgets every entry and the speech (a new document).
    mutating func removeAll() {
        entries = [:]
        speech = SpeechMetadata()
        snapshot = nil
    }

    /// The entries' snapshot for a unit opened now (nil when there are none).
    @inline(__always)
    mutating func context() -> MetadataContext? {
        if let snapshot { return snapshot }
        guard !entries.isEmpty else { return nil }
        let made = MetadataContext(entries: entries)
        snapshot = made
        return made
    }
}

/// The metadata of the speech a unit belongs to (TEI `sp`, Bosak `SPEECH`): its identifier (`speech`: the `sp`'s
/// `xml:id`, or its 1-based number in the document), its `who` and its speaker(s). Fixed fields rather than
/// dictionary entries: a profile sets them once per speech and every unit of the speech copies them.
struct SpeechMetadata: Sendable {
    /// Changes whenever the profile's speech metadata changes (a quick test for "same speech metadata": the
    /// profile's `SpeechTracker` numbers its changes; 0 is the inactive value units start with).
    var version = 0
    /// The speech's 1-based number in its document; 0 outside any speech.
    var number = 0
    /// The speech's `xml:id`, written as `speech` instead of the number when present.
    var identifier: String?
    /// TEI `@who`.
    var who: String?
    /// The speaker name(s), "/"-joined.
    var speaker: String?

    /// Whether the unit is inside a speech.
    var isActive: Bool { number > 0 || identifier != nil }

    /// Writes `speech`, `who` and `speaker` into `dictionary` (over what is there).
    func merge(into dictionary: inout [String: String]) {
        guard isActive else { return }
        dictionary["speech"] = identifier ?? String(number)
        if let who { dictionary["who"] = who }
        if let speaker { dictionary["speaker"] = speaker }
    }
}
