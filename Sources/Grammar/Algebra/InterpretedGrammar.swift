/// A syntactic category with its features and the semantic type of its meanings.
public struct Category: Sendable {
    /// The name (`NP`).
    public let name: String
    /// Features and their parameter types (`num: Num`).
    public let features: [(name: String, type: String)]
    /// The semantic type of the category's values at one point of evaluation.
    public let type: SemanticType
}

/// Where a mother's feature value comes from.
enum FeatureSource: Sendable {
    case unset
    case constant(Int)
    case variable(Int)
}

/// A daughter's feature requirement: a constant it must unify with, or a variable it binds.
enum FeatureRequirement: Sendable {
    case constant(Int)
    case variable(Int)
}

/// A syntactic condition over the daughters' features (`when NP.num == VP.num`), decided per feature bucket.
indirect enum FeatureCondition: Sendable {
    case feature(daughter: Int, feature: Int)
    case constant(Int)
    case equal(FeatureCondition, FeatureCondition)
    case notEqual(FeatureCondition, FeatureCondition)
    case and(FeatureCondition, FeatureCondition)
    case or(FeatureCondition, FeatureCondition)
    case not(FeatureCondition)
    case truth(Bool)

    /// Feature values are unification-like: an unset value (-1) is compatible with anything for `==`.
    func value(_ features: [[Int]]) -> Int {
        switch self {
        case .feature(let d, let f): return features[d][f]
        case .constant(let c): return c
        default: return holds(features) ? 1 : 0
        }
    }

    func holds(_ features: [[Int]]) -> Bool {
        switch self {
        case .equal(let a, let b):
            let x = a.value(features)
            let y = b.value(features)
            return x < 0 || y < 0 || x == y
        case .notEqual(let a, let b):
            let x = a.value(features)
            let y = b.value(features)
            return x >= 0 && y >= 0 && x != y
        case .and(let a, let b): return a.holds(features) && b.holds(features)
        case .or(let a, let b): return a.holds(features) || b.holds(features)
        case .not(let a): return !a.holds(features)
        case .truth(let b): return b
        case .feature, .constant: return value(features) > 0
        }
    }
}

/// How an operation builds its surface form.
enum FormSpecification: Sendable {
    /// An atom: its tokens.
    case tokens([String])
    /// Concatenation of daughters' forms (`.daughter`) and syncategorematic tokens, in order.
    case concatenation([FormItem])
    /// A general form expression over the daughters' token sequences (`form = v ++ "twice"`).
    case general(Code)
}

/// One piece of a concatenative form.
enum FormItem: Sendable {
    case daughter(Int)
    case token(String)
}

/// A named partial operation of the syntactic algebra (a rule, or a lexical atom with arity 0), with its semantic
/// rule.
public struct Operation: Sendable {
    /// Index in ``InterpretedGrammar/operations``.
    public let index: Int
    /// The rule name, or the form of a lexical atom.
    public let name: String
    /// Index of the mother category.
    public let category: Int
    /// Daughter categories in argument order (empty for atoms).
    public let daughterCategories: [Int]
    /// Daughter names usable in the semantics.
    public let daughterNames: [String]
    /// Whether this is a lexical entry (an atom of the algebra).
    public let isLexical: Bool
    /// Whether the semantic rule reads surface forms (`form(X)`, `yield`) — not form-independent (N13).
    public let readsForms: Bool
    /// Whether the semantic rule reads the context of use directly (`ctx`) — its G_F depends on the context (N11c).
    public let readsContext: Bool
    /// Whether the operation has a semantic definedness condition (`requires`), flagged by the Kracht lint.
    public let hasSemanticCondition: Bool
    /// Where it was declared.
    public let location: SourceLocation

    let motherFeatures: [FeatureSource]
    let daughterRequirements: [[(feature: Int, requirement: FeatureRequirement)]]
    let variableCount: Int
    let condition: FeatureCondition?
    let requirement: Code?
    let semantics: Code
    let form: FormSpecification
    /// The semantic rule as written (for printing logical forms); daughters are referred to by `daughterNames`.
    let sourceSemantics: Expression?

    /// Number of arguments.
    public var arity: Int { daughterCategories.count }
}

/// A compiled non-compositional stipulation.
struct CompiledOverride: Sendable {
    enum Target: Sendable {
        case string(category: Int, tokens: [String])
        case term(CompiledPattern)
    }
    let target: Target
    let semantics: Code
    let location: SourceLocation
    let description: String
}

/// A term pattern with operations resolved to indices.
indirect enum CompiledPattern: Sendable {
    case wildcard
    /// Any lexical atom with these tokens, or the 0-ary operation with this name.
    case atom(String)
    case operation(Int, [CompiledPattern])
}

/// Enumeration bounds: depth (an atom has depth 1), yield length in tokens, and total number of terms.
public struct EnumerationBounds: Sendable, Equatable {
    /// Maximum term depth (atoms have depth 1).
    public var maxDepth: Int
    /// Maximum yield length in tokens (`nil`: no bound).
    public var maxLength: Int?
    /// Maximum number of terms (enumeration stops there and reports truncation).
    public var maxTerms: Int

    /// The largest accepted `maxDepth`: deeper terms would make printing a witness recurse too deep.
    public static let maximumDepth = 1000

    /// Bounds with the given limits.
    public init(maxDepth: Int = 4, maxLength: Int? = nil, maxTerms: Int = 1_000_000) {
        self.maxDepth = maxDepth
        self.maxLength = maxLength
        self.maxTerms = maxTerms
    }
}

/// A linguistic-context declaration compiled (N12).
struct CompiledLinguisticContexts: Sendable {
    let names: [String]
    let root: Int
    /// ψ: key (operation, position 0-based, mother context) → daughter context.
    let embedding: [Int: Int]
    /// μ(t, ξ) per category: code of `\v xi. …` and its result type.
    let meanings: [Int: (code: Code, type: SemanticType)]

    func embed(operation: Int, position: Int, mother: Int) -> Int {
        embedding[Self.key(operation, position, mother)] ?? embedding[Self.key(operation, position, -1)] ?? mother
    }

    static func key(_ operation: Int, _ position: Int, _ mother: Int) -> Int {
        (operation * 64 + position) * 1024 + (mother + 1)
    }
}

/// A grammar ready to enumerate and check: syntactic algebra (categories, operations), finite model, semantic rules,
/// overrides, meaning levels, bounds and requested checks.
public final class InterpretedGrammar {
    /// `grammar Name ;`
    public let name: String
    /// The file it came from.
    public let file: String
    /// The finite model (entities, worlds, contexts, constants).
    public let model: FiniteModel
    /// Categories in declaration order.
    public let categories: [Category]
    /// Operations: lexical atoms and rules, in declaration order.
    public let operations: [Operation]
    /// The start category (sentences), if declared.
    public let start: Int?
    /// Default enumeration bounds from the file.
    public let bounds: EnumerationBounds
    /// Checks requested in the file's `check { }` block (notion names with optional argument).
    public let requestedChecks: [(name: String, argument: String?)]
    /// The meaning level for complex terms (default: extension).
    public let meaningLevel: MeaningLevel
    /// The meaning level for lexical atoms, if different (`meaning lexical = intension ;`).
    public let lexicalMeaningLevel: MeaningLevel?
    /// Per-category meaning levels.
    public let categoryMeaningLevels: [Int: MeaningLevel]
    /// Non-fatal remarks (e.g. unused declarations).
    public internal(set) var warnings: [String] = []

    let overrides: [CompiledOverride]
    let projections: [Int: (code: Code, type: SemanticType)]
    let linguistic: CompiledLinguisticContexts?
    /// Parameter type name per (category, feature) for printing.
    let parameterNames: [String: [String]]

    init(
        name: String, file: String, model: FiniteModel, categories: [Category], operations: [Operation],
        start: Int?, bounds: EnumerationBounds, requestedChecks: [(String, String?)], meaningLevel: MeaningLevel,
        lexicalMeaningLevel: MeaningLevel?, categoryMeaningLevels: [Int: MeaningLevel],
        overrides: [CompiledOverride], projections: [Int: (code: Code, type: SemanticType)],
        linguistic: CompiledLinguisticContexts?, parameterNames: [String: [String]]
    ) {
        self.name = name
        self.file = file
        self.model = model
        self.categories = categories
        self.operations = operations
        self.start = start
        self.bounds = bounds
        self.requestedChecks = requestedChecks
        self.meaningLevel = meaningLevel
        self.lexicalMeaningLevel = lexicalMeaningLevel
        self.categoryMeaningLevels = categoryMeaningLevels
        self.overrides = overrides
        self.projections = projections
        self.linguistic = linguistic
        self.parameterNames = parameterNames
    }

    /// The category with `name`.
    public func category(named name: String) -> Int? { categories.firstIndex { $0.name == name } }

    /// The operation with `name` (rules by name; atoms by their form).
    public func operation(named name: String) -> Int? { operations.firstIndex { $0.name == name } }

    /// Rules whose semantics read surface forms (N13).
    public var formReadingOperations: [Operation] { operations.filter(\.readsForms) }

    /// Whether the grammar declares any override.
    public var hasOverrides: Bool { !overrides.isEmpty }

    /// Descriptions of the overrides (`VP "kick the bucket"`).
    public var overrideDescriptions: [String] { overrides.map(\.description) }
}
