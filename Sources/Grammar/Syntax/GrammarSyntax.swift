/// A name with the place it was written.
public struct Located<Value: Sendable>: Sendable {
    /// The value.
    public var value: Value
    /// Where it was written.
    public var location: SourceLocation

    /// `value` written at `location`.
    public init(_ value: Value, at location: SourceLocation) {
        self.value = value
        self.location = location
    }
}

/// A feature value in a category reference: a parameter constructor (`Sg`) or a unification variable (`?n`).
public enum FeatureValue: Sendable, Equatable {
    case constant(String)
    case variable(String)
}

/// A category as written in a rule or lexical entry: `NP`, `NP[num=Sg]`, `NP[num=?n]`.
public struct CategoryReference: Sendable {
    /// The base category.
    public var name: String
    /// Feature constraints in writing order.
    public var features: [(name: String, value: FeatureValue)]
    /// Where it was written.
    public var location: SourceLocation
}

/// One item on the right-hand side of a concatenative rule: a daughter (optionally labelled `a:S`) or a
/// syncategorematic token (`"and"`).
public enum RuleItem: Sendable {
    case daughter(label: String?, category: CategoryReference)
    case token(String, SourceLocation)
}

/// `Name : Mother -> items when … requires … => sem ;` or the general `op Name (x : A, …) : Mother { … }`.
public struct RuleDeclaration: Sendable {
    /// The operation name (unique).
    public var name: Located<String>
    /// The category (with feature constraints) of the result.
    public var mother: CategoryReference
    /// Daughters and tokens in surface order; for general operations the daughters only.
    public var items: [RuleItem]
    /// Syntactic definedness condition over daughters' features (`NP.num == VP.num`).
    public var condition: Expression?
    /// Semantic definedness condition over daughters' meanings (flagged by the Kracht lint).
    public var requirement: Expression?
    /// The semantic rule; `nil` for a unary rule means identity.
    public var semantics: Expression?
    /// The surface form of a general (possibly non-concatenative) operation; `nil` means concatenation of `items`.
    public var form: Expression?
}

/// `"John" : NP[num=Sg] = \P. P(john) ;`
public struct LexicalDeclaration: Sendable {
    /// The surface string (may contain several tokens: `"kick the bucket"`).
    public var form: Located<String>
    /// The category.
    public var category: CategoryReference
    /// The meaning.
    public var semantics: Expression
}

/// A term pattern in a term-level override: `ComplV(kick, DetN(the, bucket))`, an atom, or `_`.
public indirect enum TermPattern: Sendable {
    case wildcard
    case atom(String)
    case operation(String, [TermPattern])
}

/// An explicit non-compositional stipulation.
public struct OverrideDeclaration: Sendable {
    /// What the override applies to.
    public enum Target: Sendable {
        /// Every term of the category with this surface string.
        case string(category: String, form: String)
        /// Every term matching the pattern.
        case term(TermPattern)
    }
    /// The target.
    public var target: Target
    /// The stipulated meaning.
    public var semantics: Expression
    /// Where it was written.
    public var location: SourceLocation
}

/// A constant of the finite model: `dog : e -> t = { fido } ;` or NLTK style `dog => { fido }`.
public struct ConstantDeclaration: Sendable {
    /// The constant's name.
    public var name: Located<String>
    /// The declared type (`nil` for NLTK `=>` entries, whose type is inferred from the value).
    public var type: SemanticType?
    /// The value.
    public var value: Expression
}

/// The `model { … }` block.
public struct ModelDeclaration: Sendable {
    /// `entities = { … }`.
    public var entities: [Located<String>] = []
    /// `worlds = { … }`.
    public var worlds: [Located<String>] = []
    /// `actual = w0`.
    public var actualWorld: Located<String>?
    /// Constants in writing order.
    public var constants: [ConstantDeclaration] = []
}

/// The `contexts { … }` block: typed parameters and named contexts that set them.
public struct ContextsDeclaration: Sendable {
    /// `param speaker : e ;`
    public var parameters: [(name: Located<String>, type: SemanticType)] = []
    /// `c1 = { speaker = john, … } ;`
    public var contexts: [(name: Located<String>, settings: [(Located<String>, Expression)])] = []
}

/// `cat NP [num:Num] : (e -> t) -> t ;`
public struct CategoryDeclaration: Sendable {
    /// The category name.
    public var name: Located<String>
    /// Declared features and their parameter types.
    public var features: [(name: String, type: String)]
    /// The semantic type of the category's meanings (per point of evaluation).
    public var type: SemanticType
}

/// Meaning levels: which aspect of a term's computed semantic value the checks compare.
public enum MeaningLevel: String, Sendable, CaseIterable {
    /// The value at the actual world (in each context): truth values, individuals, sets.
    case `extension`
    /// The function from worlds to extensions (in each context).
    case intension
    /// The function from contexts and worlds to extensions (Kaplan's character).
    case character
    /// The term's structure with its lexical items' intensions at the leaves (hyperintensional).
    case structured
}

/// The whole file as parsed (before name resolution and type checking).
public struct GrammarSyntax: Sendable {
    /// `grammar Name ;`
    public var name: String = "Grammar"
    /// The file name used in diagnostics.
    public var file: String
    /// The full source (to quote lines in diagnostics).
    public var source: String
    /// `start S ;`
    public var start: Located<String>?
    /// `model { }`
    public var model = ModelDeclaration()
    /// `contexts { }`
    public var contexts = ContextsDeclaration()
    /// `param Num = Sg | Pl ;`
    public var parameters: [(name: Located<String>, constructors: [String])] = []
    /// `cat …`
    public var categories: [CategoryDeclaration] = []
    /// `lexicon { }`
    public var lexicon: [LexicalDeclaration] = []
    /// `rules { }`
    public var rules: [RuleDeclaration] = []
    /// `overrides { }`
    public var overrides: [OverrideDeclaration] = []
    /// `meaning = level ;`
    public var meaningLevel: Located<MeaningLevel>?
    /// `meaning lexical = level ;`
    public var lexicalMeaningLevel: Located<MeaningLevel>?
    /// `meaning Cat = level ;`
    public var categoryMeaningLevels: [(category: Located<String>, level: MeaningLevel)] = []
    /// `project Cat = \v. … ;`: the observed meaning is a function of the computed value.
    public var projections: [(category: Located<String>, function: Expression)] = []
    /// `enumerate { max_depth = 5 ; … }`
    public var bounds: [(key: Located<String>, value: Int)] = []
    /// `check { funct ; … }`
    public var checks: [(name: Located<String>, argument: String?)] = []
    /// `linguistic { … }` (N12).
    public var linguistic: LinguisticContextDeclaration?
    /// `weights { … }`: rule weights of a probabilistic grammar (docs/probabilistic-grammars.md).
    public var weights: WeightsDeclaration?
}

/// The `linguistic { }` block for linguistic-context compositionality (Pagin & Westerståhl 2010, N12).
///
/// ```
/// linguistic {
///   contexts = Top | AddArg | MulLeft | MulRight ;   -- ξ
///   root = Top ;                                    -- context of a whole expression
///   Mul.1 = MulLeft ; Mul.2 = MulRight ;            -- ψ(F, i, ξ) (defaults to ξ)
///   meaning E = \v xi. … ;                          -- μ(t, ξ) from the computed value v
/// }
/// ```
public struct LinguisticContextDeclaration: Sendable {
    /// Context names ξ.
    public var contexts: [Located<String>] = []
    /// The context of a root term.
    public var root: Located<String>?
    /// ψ: (operation, argument position 1-based, optional mother context) → daughter context.
    public var embeddings: [(operation: Located<String>, position: Int, motherContext: String?, context: String)] = []
    /// μ(t, ξ) per category as `\v xi. …` (xi is a string naming the context).
    public var meanings: [(category: Located<String>, function: Expression)] = []
}
