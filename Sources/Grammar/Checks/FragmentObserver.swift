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
