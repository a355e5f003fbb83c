/// Interns meanings to dense integer ids so that synonymy is integer equality and memory is proportional to the
/// number of distinct meanings (docs/compositionality.md: meanings are hashed as canonical values).
final class MeaningTable {
    /// A canonical meaning.
    enum Key: Hashable {
        /// A canonical value of a type (index into `types`).
        case value(Int32, Value)
        /// A vector of meaning ids: kind 0 intension (over worlds), 1 character (over points), 2 contexts.
        case vector(UInt8, [Int32])
        /// A structured meaning: operation and the structured meanings of the arguments (atoms: their intension).
        case structured(Int32, [Int32])
        /// Meaning under a linguistic context: context index and meaning.
        case linguistic(Int32, Int32)
    }

    private(set) var keys: [Key] = []
    private var ids: [Key: Int32] = [:]
    private(set) var types: [SemanticType] = []
    private var typeIDs: [SemanticType: Int32] = [:]

    func typeID(_ type: SemanticType) -> Int32 {
        if let id = typeIDs[type] { return id }
        let id = Int32(types.count)
        types.append(type)
        typeIDs[type] = id
        return id
    }

    func intern(_ key: Key) -> Int32 {
        if let id = ids[key] { return id }
        let id = Int32(keys.count)
        keys.append(key)
        ids[key] = id
        return id
    }

    var count: Int { keys.count }
}
