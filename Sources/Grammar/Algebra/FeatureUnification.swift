extension Operation {
    /// The mother's feature values when the daughters have `childFeatures`, or nil if the operation is undefined
    /// there (a constant requirement or a shared variable fails to unify, or the `when` condition is false).
    ///
    /// Unset values (-1) unify with anything, as in NLTK's feature unification.
    func motherFeatures(for childFeatures: [[Int]], motherFeatureCount: Int) -> [Int]? {
        var bindings = Array(repeating: -2, count: variableCount)
        for (i, features) in childFeatures.enumerated() {
            for (f, requirement) in daughterRequirements[i] {
                let v = f < features.count ? features[f] : -1
                switch requirement {
                case .constant(let c):
                    if v >= 0 && v != c { return nil }
                case .variable(let k):
                    if v < 0 { continue }
                    if bindings[k] < 0 {
                        bindings[k] = v
                    } else if bindings[k] != v {
                        return nil
                    }
                }
            }
        }
        if let condition, !condition.holds(childFeatures) { return nil }
        var mother = Array(repeating: -1, count: motherFeatureCount)
        for (f, source) in motherFeatures.enumerated() where f < motherFeatureCount {
            switch source {
            case .unset: break
            case .constant(let c): mother[f] = c
            case .variable(let k): mother[f] = max(-1, bindings[k])
            }
        }
        return mother
    }
}
