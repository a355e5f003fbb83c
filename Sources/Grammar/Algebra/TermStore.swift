/// Compact storage of enumerated terms (derivations): structure-of-arrays, children by index.
///
/// A term is identified by an `Int32` index. Terms at the deepest enumerated layer may be *transient* (visited but
/// not stored) so that memory stays proportional to the distinct meanings rather than to the fragment size.
public final class TermStore {
    var operation: [Int32] = []
    var childStart: [Int32] = []
    var children: [Int32] = []
    var depth: [UInt16] = []
    var size: [Int32] = []
    var length: [Int32] = []
    var features: [Int32] = []
    var record: [Int32] = []
    var structured: [Int32] = []

    /// Number of stored terms.
    public var count: Int { operation.count }

    func append(
        operation op: Int32, children kids: UnsafeBufferPointer<Int32>, depth d: Int, size s: Int, length l: Int,
        features f: Int32, record r: Int32, structured st: Int32
    ) -> Int32 {
        let id = Int32(operation.count)
        operation.append(op)
        childStart.append(Int32(children.count))
        children.append(contentsOf: kids)
        depth.append(UInt16(d))
        size.append(Int32(s))
        length.append(Int32(l))
        features.append(f)
        record.append(r)
        structured.append(st)
        return id
    }

    /// The children of stored term `id`.
    func children(of id: Int32, arity: Int) -> ArraySlice<Int32> {
        let start = Int(childStart[Int(id)])
        return children[start..<(start + arity)]
    }
}

/// A term (derivation) as a tree, for witnesses and output: operation name, arguments and surface string.
public struct Term: Sendable, Hashable, CustomStringConvertible, Codable {
    /// The operation (rule name, or the atom's form).
    public var operation: String
    /// Whether it is a lexical atom.
    public var isAtom: Bool
    /// The arguments.
    public var arguments: [Term]
    /// The surface string (tokens joined by spaces).
    public var yield: String
    /// The category name.
    public var category: String
    /// Depth (atoms have depth 1).
    public var depth: Int
    /// Number of nodes.
    public var size: Int

    /// `Op(arg, …)` with atoms shown by their quoted form.
    public var description: String {
        if isAtom { return "\"\(yield)\"" }
        if arguments.isEmpty { return operation }
        return operation + "(" + arguments.map(\.description).joined(separator: ", ") + ")"
    }
}
