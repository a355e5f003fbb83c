/// A check that runs while the fragment is enumerated (one pass, no need to store the deepest layer).
protocol FragmentObserver: AnyObject {
    func observe(_ term: EnumeratedTerm)
    func finish() -> NotionResult
}

/// A term referred to by operation and stored children (works for transient terms of the deepest layer).
struct TermHandle {
    var operation: Int32
    var children: [Int32]
    var depth: Int
    var size: Int

    init(operation: Int32, children: [Int32], depth: Int, size: Int) {
        self.operation = operation
        self.children = children
        self.depth = depth
        self.size = size
    }

    init(_ term: EnumeratedTerm) {
        operation = Int32(term.operation)
        children = Array(term.children)
        depth = term.depth
        size = term.size
    }

    func materialize(_ fragment: Fragment) -> Term {
        fragment.term(operation: Int(operation), children: children)
    }
}

/// A hashable key of an operation (or context) and up to three meaning ids inline, more in an array.
struct ArgumentKey: Hashable {
    var head: Int32
    /// A context index kept apart from the head (occasion meanings per context of use, linguistic contexts).
    var context: Int32 = 0
    var a: Int32
    var b: Int32
    var c: Int32
    var rest: [Int32]

    init(head: Int32, _ values: UnsafeBufferPointer<Int32>) {
        self.head = head
        let n = values.count
        a = n > 0 ? values[0] : -1
        b = n > 1 ? values[1] : -1
        c = n > 2 ? values[2] : -1
        rest = n > 3 ? Array(values[3...]) : []
    }

    init(head: Int32, context: Int32, _ values: UnsafeBufferPointer<Int32>) {
        self.init(head: head, values)
        self.context = context
    }

    init(head: Int32, context: Int32 = 0, _ values: [Int32]) {
        self = values.withUnsafeBufferPointer { ArgumentKey(head: head, context: context, $0) }
    }

    var values: [Int32] {
        var out: [Int32] = []
        for v in [a, b, c] where v != -1 { out.append(v) }
        return out + rest
    }
}

/// Per-view meanings of stored terms, filled as terms are observed (so children's meanings are array reads).
final class StoredMeanings {
    let fragment: Fragment
    let view: MeaningView
    private(set) var values: [Int32] = []

    init(fragment: Fragment, view: MeaningView) {
        self.fragment = fragment
        self.view = view
    }

    /// Records and returns the meaning of an observed term.
    func observe(_ term: EnumeratedTerm) -> Int32 {
        let m = fragment.meaning(
            operation: term.operation, record: term.record, structured: term.structured, view: view)
        if term.id >= 0 {
            if Int(term.id) >= values.count {
                values.append(contentsOf: repeatElement(-1, count: Int(term.id) + 1 - values.count))
            }
            values[Int(term.id)] = m
        }
        return m
    }

    @inline(__always) subscript(id: Int32) -> Int32 { values[Int(id)] }
}

/// Interns tuples of `Int32` (an operation and its arguments' keys) to dense ids, in order of first occurrence: open
/// addressing over id slots with the tuples stored flat — about 16 bytes per key instead of a dictionary entry with
/// an inline key and an array.
struct TupleInterner {
    private var slots = [Int32](repeating: -1, count: 1024)
    private var starts: [Int32] = [0]
    private var values: [Int32] = []

    /// Number of distinct tuples.
    var count: Int { starts.count - 1 }

    private static func hash(_ tuple: UnsafeBufferPointer<Int32>) -> Int {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ UInt64(tuple.count)
        for v in tuple {
            h = (h ^ UInt64(UInt32(bitPattern: v))) &* 0x0000_0100_0000_01B3
            h ^= h >> 29
        }
        return Int(truncatingIfNeeded: h &* 0x9E37_79B9_7F4A_7C15 >> 1)
    }

    private func equals(_ id: Int, _ tuple: UnsafeBufferPointer<Int32>) -> Bool {
        let start = Int(starts[id])
        guard Int(starts[id + 1]) - start == tuple.count else { return false }
        for (k, v) in tuple.enumerated() where values[start + k] != v { return false }
        return true
    }

    /// The id of `tuple` (a new id if unseen).
    mutating func intern(_ tuple: UnsafeBufferPointer<Int32>) -> Int32 {
        if 2 * (count + 1) > slots.count { grow() }
        let mask = slots.count - 1
        var i = Self.hash(tuple) & mask
        while slots[i] >= 0 {
            if equals(Int(slots[i]), tuple) { return slots[i] }
            i = (i + 1) & mask
        }
        let id = Int32(count)
        slots[i] = id
        values.append(contentsOf: tuple)
        starts.append(Int32(values.count))
        return id
    }

    private mutating func grow() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        let mask = slots.count - 1
        values.withUnsafeBufferPointer { flat in
            for id in 0..<count {
                let tuple = UnsafeBufferPointer(rebasing: flat[Int(starts[id])..<Int(starts[id + 1])])
                var i = Self.hash(tuple) & mask
                while slots[i] >= 0 { i = (i + 1) & mask }
                slots[i] = Int32(id)
            }
        }
    }
}
