/// The notions of compositionality the checker decides (numbered N1–N14 as in docs/compositionality.md).
public enum Notion: String, CaseIterable, Sendable, Codable {
    /// N1 Funct / C_local: μ(F(p⃗)) is a function of F and μ(p1)…μ(pk).
    case funct
    /// N2 Domain principle: subterms of meaningful terms are meaningful.
    case domain
    /// N3 Subst (plural): substituting synonyms for several constituents preserves meaning.
    case subst
    /// N4 1-Subst: substituting a synonym for one constituent preserves meaning.
    case subst1
    /// N5 Husserl's principle: synonyms have the same category (accept the same frames).
    case husserl
    /// N6 Global compositionality: μ(t) is a function of t's skeleton and its atoms' meanings.
    case global
    /// N7 C_coll: the weaker, collective notion — in every context c, μ(t, c) is a function of t's whole structure,
    /// c and its atoms' meanings in c (docs/compositionality.md, N7; SEP wording not verified, see docs/compositionality.md).
    case coll
    /// N8 C_ref: N1 with extensions (reference) as meanings.
    case ref
    /// N9 Reverse compositionality: μ(F(p⃗)) determines μ(p1)…μ(pk).
    case reverse
    /// N10 Hodges' fregean extension by partition refinement.
    case fregean
    /// N11a C_stand: N1 on characters (standing meanings).
    case stand
    /// N11b C_occ weak: N1 in each context, with G_F allowed to depend on the context.
    case occWeak = "occ-weak"
    /// N11c C_occ strong: N1 across contexts with one context-free G_F.
    case occStrong = "occ-strong"
    /// N12 Linguistic-context compositionality (Pagin & Westerståhl 2010).
    case lcontext
    /// N13 Form-reading lint (Kracht's independence; ccg2lambda-style `child0_surf`).
    case lint
    /// N14 Systematicity: the induced G_F equals the declared semantic rule.
    case systematic

    /// The label with its number in docs/compositionality.md (`N1`, …).
    public var label: String {
        switch self {
        case .funct: return "N1 Funct / C_local"
        case .domain: return "N2 Domain principle"
        case .subst: return "N3 Subst (plural)"
        case .subst1: return "N4 1-Subst"
        case .husserl: return "N5 Husserl's principle"
        case .global: return "N6 Global C"
        case .coll: return "N7 C_coll (collective)"
        case .ref: return "N8 C_ref"
        case .reverse: return "N9 Reverse compositionality"
        case .fregean: return "N10 Fregean extension (Hodges)"
        case .stand: return "N11a C_stand"
        case .occWeak: return "N11b C_occ weak"
        case .occStrong: return "N11c C_occ strong"
        case .lcontext: return "N12 Linguistic-context compositionality"
        case .lint: return "N13 Form-reading lint (Kracht)"
        case .systematic: return "N14 Systematicity"
        }
    }

    /// Parses a notion name as written in `check { }` or `--notion` (accepts aliases such as `local`, `N1`,
    /// `context(weak)`).
    public init?(checkName: String, argument: String? = nil) {
        let name = checkName.lowercased()
        if let n = Notion(rawValue: name) {
            self = n
            return
        }
        let aliases: [String: Notion] = [
            "local": .funct, "c_local": .funct, "n1": .funct, "n2": .domain, "n3": .subst, "n4": .subst1,
            "1-subst": .subst1, "n5": .husserl, "n6": .global, "n7": .coll, "c_coll": .coll, "collective": .coll,
            "n8": .ref, "c_ref": .ref, "n9": .reverse,
            "inverse": .reverse, "n10": .fregean, "n11a": .stand, "c_stand": .stand, "n11b": .occWeak,
            "n11c": .occStrong, "weak": .occWeak, "strong": .occStrong, "n12": .lcontext, "n13": .lint,
            "n14": .systematic, "systematicity": .systematic,
        ]
        if let n = aliases[name] {
            self = n
            return
        }
        if name == "context" {
            switch argument?.lowercased() {
            case "weak", nil: self = .occWeak
            case "strong": self = .occStrong
            case "stand": self = .stand
            default: return nil
            }
            return
        }
        return nil
    }
}
