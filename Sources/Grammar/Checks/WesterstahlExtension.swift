/// Westerståhl's compositional extension of a partial compositional semantics ("On the compositional extension
/// problem", 2004 — journal and volume not verified, see docs/compositionality.md; docs/compositionality.md; algorithm
/// marked [derived]).
///
/// μ is compositional on a subterm-closed domain. (1) *Forced closure*: a term α(q⃗) outside the domain whose
/// arguments' meanings equal those of some α(p⃗) in the domain gets ν(α(p⃗)). (2) *Free completion*: every other term
/// gets the fresh structured meaning ⟨α, ν(q1)…ν(qk)⟩, bottom-up. ν is total, agrees with μ, and is certified by
/// re-running N1 on it.
public struct WesterstahlExtension: Sendable {
    /// Terms that were in μ's domain.
    public var domainSize: Int
    /// Terms given a meaning by forced closure.
    public var forced: Int
    /// Terms given a fresh structured meaning.
    public var fresh: Int
    /// Terms whose arguments are synonymous with those of an earlier freshly completed term (same ν).
    public var shared: Int
    /// Whether ν agrees with μ on μ's domain.
    public var agreesWithOriginal: Bool
    /// Whether ν is compositional (N1 on ν).
    public var compositional: Bool
    /// Whether ν is total on the fragment.
    public var total: Bool
    /// A conflict if μ was not compositional on its domain (then no extension is attempted).
    public var conflict: String?

    /// Computes the extension on the stored fragment (μ = the grammar's meaning; its domain = meaningful terms).
    public static func run(fragment: Fragment, level: MeaningLevel? = nil) -> WesterstahlExtension {
        let view = MeaningView(level: level)
        let n = fragment.storedCount
        var nu = [Int32](repeating: -1, count: n)
        var table: [ArgumentKey: Int32] = [:]
        var domain = 0
        var conflict: String?
        let order = fragment.storedTerms.sorted { fragment.depth(of: $0) < fragment.depth(of: $1) }
        for id in order {
            let m = fragment.meaning(of: id, view: view)
            guard m >= 0 else { continue }
            domain += 1
            nu[Int(id)] = m
            let kids = fragment.children(of: id)
            if kids.isEmpty { continue }
            let key = ArgumentKey(head: Int32(fragment.operation(of: id)), kids.map { nu[Int($0)] })
            if let other = table[key], other != m, conflict == nil {
                conflict = "μ is not compositional on its domain at \(fragment.term(id))"
            }
            table[key] = m
        }
        var forced = 0
        var fresh = 0
        var shared = 0
        var completed: [ArgumentKey: Int32] = [:]
        if conflict == nil {
            for id in order where nu[Int(id)] < 0 {
                let kids = fragment.children(of: id)
                let arguments = kids.map { nu[Int($0)] }
                let key = ArgumentKey(head: Int32(fragment.operation(of: id)), arguments)
                if let m = table[key] {
                    nu[Int(id)] = m
                    forced += 1
                } else if let m = completed[key] {
                    nu[Int(id)] = m
                    shared += 1
                } else {
                    let m = fragment.engine.table.intern(.structured(Int32(fragment.operation(of: id)), arguments))
                    nu[Int(id)] = m
                    completed[key] = m
                    fresh += 1
                }
            }
        }
        // Certify: N1 on ν, agreement, totality.
        var check: [ArgumentKey: Int32] = [:]
        var compositional = conflict == nil
        var agrees = true
        for id in fragment.storedTerms {
            let m = fragment.meaning(of: id, view: view)
            if m >= 0 && nu[Int(id)] != m { agrees = false }
            let kids = fragment.children(of: id)
            if kids.isEmpty { continue }
            let key = ArgumentKey(head: Int32(fragment.operation(of: id)), kids.map { nu[Int($0)] })
            if let other = check[key], other != nu[Int(id)] { compositional = false }
            check[key] = nu[Int(id)]
        }
        return WesterstahlExtension(
            domainSize: domain, forced: forced, fresh: fresh, shared: shared, agreesWithOriginal: agrees,
            compositional: compositional, total: conflict == nil && !nu.contains(-1), conflict: conflict)
    }
}
