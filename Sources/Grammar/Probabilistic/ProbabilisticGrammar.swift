import MontagueSupport

/// A grammar with rule probabilities: a probabilistic context-free grammar over the syntactic algebra's operations,
/// conditioned on feature agreement (docs/probabilistic-grammars.md).
///
/// Each operation `F` with mother category `C` (rules and lexical entries alike) has a weight `w(F) ≥ 0` from the
/// file's `weights { }` block (1 by default) and the probability `p(F | C) = w(F) / Σ_{G : C} w(G)`. A derivation
/// `t` weighs `P₀(t) = Π_{nodes} p(F | C)` (Booth & Thompson 1973). Feature agreement makes some derivations
/// ill-formed, and recursion can leave mass on infinite derivations, so the distribution is normalised over the
/// finite well-formed derivations of the start category:
///
/// ```
/// P(t) = P₀(t) / Z,    Z = Σ_{t well-formed, finite, of category S} P₀(t),    P(s) = Σ_{yield(t) = s} P(t)
/// ```
///
/// `Z` is the least fixpoint of the partition equations over the grounded node types (category × feature values),
/// found by iteration as for the consistency of a PCFG (Booth & Thompson 1973; Etessami & Yannakakis 2009); `P(s)`
/// by the inside algorithm over the chart parser's packed forest (Baker 1979; Lari & Young 1990), summing over every
/// derivation, so ambiguity is counted exactly. Sampling is exact: top-down, each node's expansion is drawn with
/// probability `p(F | C) Π Z(children) / Z(node)` (the conditional distribution given well-formedness).
public final class ProbabilisticGrammar {
    /// The grammar.
    public let grammar: InterpretedGrammar
    /// The start category.
    public let start: Int
    /// The weight of each operation (index as in ``InterpretedGrammar/operations``).
    public let weights: [Double]
    /// `p(F | C)` of each operation.
    public let probabilities: [Double]
    /// Node types: a category with feature values (the enumerator's buckets).
    let types: [(category: Int, features: [Int])]
    /// Grounded productions: an operation over child types building a mother type.
    let productions: [(operation: Int, children: [Int], mother: Int)]
    let productionsByMother: [[Int]]
    /// The partition function per type: the total `P₀` of the finite derivations of that type.
    let partition: [Double]
    /// Types of the start category.
    let startTypes: [Int]
    /// `Z`: the total `P₀` of the finite well-formed derivations of the start category.
    public let normalizer: Double
    /// Whether the partition iteration converged (it may not for a critical grammar).
    public let converged: Bool
    let parser: ChartParser

    /// The largest number of grounded productions accepted (each is an operation over a tuple of feature types).
    public static let maximumProductions = 2_000_000

    /// Loads a `.mont` grammar with an optional `weights { }` block (NLTK `.fcfg` grammars get uniform weights).
    public static func load(path: String, valuation: String? = nil) throws -> ProbabilisticGrammar {
        if path.hasSuffix(".fcfg") || path.hasSuffix(".cfg") {
            return try ProbabilisticGrammar(
                grammar: NLTKImporter.load(grammarPath: path, valuationPath: valuation), weights: nil)
        }
        let source = try readTextFile(path)
        return try compile(source: source, file: path)
    }

    /// Compiles `.mont` source text with its `weights { }` block; `file` labels diagnostics.
    public static func compile(source: String, file: String = "<string>") throws(GrammarErrors)
        -> ProbabilisticGrammar
    {
        let syntax = try GrammarParser.parse(source, file: file)
        let grammar = try GrammarLoader.compile(syntax)
        return try ProbabilisticGrammar(grammar: grammar, weights: syntax.weights, source: source)
    }

    /// Attaches `weights` (nil: every operation weighs 1) to a compiled grammar.
    ///
    /// Throws located errors for weights naming no operation, weights given twice, a missing start category, a
    /// non-concatenative operation, and a start category without any finite well-formed derivation of positive
    /// weight.
    public init(grammar: InterpretedGrammar, weights declaration: WeightsDeclaration?, source: String? = nil)
        throws(GrammarErrors)
    {
        let lines = source.map { $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) } ?? []
        func error(_ message: String, _ location: SourceLocation) -> GrammarError {
            GrammarError(message, at: location, sourceLine: lines[safe: location.line - 1])
        }
        let fileStart = SourceLocation(file: grammar.file, line: 1, column: 1)
        var errors: [GrammarError] = []
        let operations = grammar.operations
        // Weights.
        var defaultWeight = 1.0
        var explicit = [Double?](repeating: nil, count: operations.count)
        var sawDefault = false
        for entry in declaration?.entries ?? [] {
            let matched: [Int]
            switch entry.target {
            case .default:
                if sawDefault { errors.append(error("the default weight is given twice", entry.location)) }
                sawDefault = true
                defaultWeight = entry.weight
                continue
            case .rule(let name):
                matched = operations.indices.filter { !operations[$0].isLexical && operations[$0].name == name }
                if matched.isEmpty {
                    errors.append(error("no rule named '\(GrammarError.quoted(name))'", entry.location))
                    continue
                }
            case .lexical(let form, let category):
                var candidates = operations.indices.filter {
                    operations[$0].isLexical && operations[$0].name == form
                }
                if candidates.isEmpty {
                    errors.append(error("no lexical entry \"\(GrammarError.quoted(form))\"", entry.location))
                    continue
                }
                if let category {
                    candidates = candidates.filter { grammar.categories[operations[$0].category].name == category }
                    if candidates.isEmpty {
                        errors.append(
                            error(
                                "no lexical entry \"\(GrammarError.quoted(form))\" of category \(GrammarError.quoted(category))",
                                entry.location))
                        continue
                    }
                }
                matched = candidates
            }
            for op in matched {
                if explicit[op] != nil {
                    let name = Self.describe(operations[op])
                    errors.append(error("the weight of \(name) is given twice", entry.location))
                }
                explicit[op] = entry.weight
            }
        }
        var startCategory = -1
        if let start = grammar.start {
            startCategory = start
        } else {
            errors.append(error("a probabilistic grammar needs a start category ('start S ;')", fileStart))
        }
        for operation in operations {
            if case .general = operation.form {
                errors.append(
                    error(
                        "operation \(operation.name) has a general form; probabilistic grammars and the chart parser need concatenative rules",
                        operation.location))
            }
        }
        if !errors.isEmpty { throw GrammarErrors(errors) }
        self.grammar = grammar
        self.start = startCategory
        let weights = explicit.map { $0 ?? defaultWeight }
        self.weights = weights
        var totals = [Double](repeating: 0, count: grammar.categories.count)
        for (op, operation) in operations.enumerated() { totals[operation.category] += weights[op] }
        self.probabilities = operations.indices.map {
            let total = totals[operations[$0].category]
            return total > 0 ? weights[$0] / total : 0
        }
        // Grounding.
        let grounding: Grounding
        do throws(GrammarError) {
            grounding = try Grounding(grammar: grammar, limit: Self.maximumProductions)
        } catch {
            throw GrammarErrors([error])
        }
        self.types = grounding.types
        self.productions = grounding.productions
        var byMother = [[Int]](repeating: [], count: grounding.types.count)
        for (p, production) in grounding.productions.enumerated() { byMother[production.mother].append(p) }
        self.productionsByMother = byMother
        // Partition function: least fixpoint by Gauss–Seidel iteration from 0.
        var z = [Double](repeating: 0, count: grounding.types.count)
        var converged = false
        let probabilities = self.probabilities
        for _ in 0..<100_000 {
            var change = 0.0
            for t in z.indices {
                var total = 0.0
                for p in byMother[t] {
                    let production = grounding.productions[p]
                    var term = probabilities[production.operation]
                    for child in production.children { term *= z[child] }
                    total += term
                }
                change = max(change, abs(total - z[t]) / max(1, total))
                z[t] = total
            }
            if change <= 1e-15 {
                converged = true
                break
            }
        }
        self.partition = z
        self.converged = converged
        self.startTypes = grounding.types.indices.filter { grounding.types[$0].category == startCategory }
        self.normalizer = startTypes.reduce(0) { $0 + z[$1] }
        self.parser = ChartParser(grammar)
        guard normalizer > 0 else {
            throw GrammarErrors([
                error(
                    "the weighted grammar derives no sentence of \(grammar.categories[startCategory].name) with positive probability",
                    fileStart)
            ])
        }
    }

    static func describe(_ operation: Operation) -> String {
        operation.isLexical ? "\"\(GrammarError.quoted(operation.name))\"" : operation.name
    }

    // MARK: - Scoring

    /// `log P(s)` of the token sequence `tokens` in the start category (natural logarithm; `-infinity` when the
    /// grammar does not derive it), summing over all its derivations by the inside algorithm.
    public func logProbability(of tokens: [String]) -> Double {
        let forest = parser.parse(tokens)
        let roots = forest.roots(category: start)
        if roots.isEmpty { return -Double.infinity }
        let inside = insideProbabilities(forest)
        let total = roots.reduce(0) { $0 + inside[$1] }
        return total > 0 ? log(total) - log(normalizer) : -Double.infinity
    }

    /// `log P(s)` of a sentence given as words separated by spaces.
    public func logProbability(ofSentence sentence: String) -> Double {
        logProbability(of: sentence.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init))
    }

    /// The inside probability `β(node)` of every node of `forest`: the total `P₀` of the node's derivations.
    ///
    /// Nodes of one span are solved together by fixpoint iteration (exact after as many rounds as the longest
    /// chain of unary rules and empty constituents inside the span; geometric convergence when they form cycles).
    public func insideProbabilities(_ forest: ParseForest) -> [Double] {
        var inside = [Double](repeating: 0, count: forest.nodes.count)
        var first = 0
        while first < forest.nodes.count {
            var last = first
            while last + 1 < forest.nodes.count, forest.nodes[last + 1].start == forest.nodes[first].start,
                forest.nodes[last + 1].end == forest.nodes[first].end
            {
                last += 1
            }
            for _ in 0..<10_000 {
                var change = 0.0
                for node in first...last {
                    var total = 0.0
                    for edge in forest.nodes[node].edges {
                        var term = probabilities[edge.operation]
                        for child in edge.children { term *= inside[child] }
                        total += term
                    }
                    change = max(change, abs(total - inside[node]) / max(1e-300, total))
                    inside[node] = total
                }
                if change <= 1e-15 { break }
            }
            first = last + 1
        }
        return inside
    }

    /// `log P(t)` of one derivation given by its operations (each node once, in any order).
    public func logProbability(ofDerivation operations: [Int]) -> Double {
        operations.reduce(-log(normalizer)) { $0 + log(probabilities[$1]) }
    }

    // MARK: - Sampling

    /// A sampled sentence with its derivation.
    public struct Sample: Sendable, Equatable {
        /// The tokens.
        public var tokens: [String]
        /// The derivation's operations in preorder (each operation's arguments follow it).
        public var derivation: [Int]
        /// `log P(t)` of the derivation (not of the sentence, which may have several derivations).
        public var derivationLogProbability: Double

        /// The sentence (tokens joined by spaces).
        public var sentence: String { tokens.joined(separator: " ") }
    }

    /// Draws one derivation of the start category exactly from `P(t)`.
    ///
    /// Throws when the derivation grows past `maximumNodes` nodes (a grammar close to criticality has derivations
    /// of unbounded expected size).
    public func sample(using generator: inout SplitMix64, maximumNodes: Int = 100_000) throws(GrammarError) -> Sample {
        var derivation: [Int] = []
        var logProbability = -log(normalizer)
        // Choose the root type, then expand in preorder with an explicit stack of pending types.
        var pending = [draw(startTypes.map { partition[$0] }, &generator).map { startTypes[$0] } ?? startTypes[0]]
        var tokens: [String] = []
        // Tokens are produced in surface order: the stack holds types still to expand and tokens still to emit.
        var surface: [SurfaceItem] = [.type(pending.removeLast())]
        while let item = surface.popLast() {
            switch item {
            case .token(let token):
                tokens.append(token)
            case .type(let type):
                let candidates = productionsByMother[type]
                let weightsOfCandidates = candidates.map { p -> Double in
                    let production = productions[p]
                    return production.children.reduce(probabilities[production.operation]) { $0 * partition[$1] }
                }
                guard let choice = draw(weightsOfCandidates, &generator) else { continue }
                let production = productions[candidates[choice]]
                derivation.append(production.operation)
                logProbability += log(probabilities[production.operation])
                if derivation.count > maximumNodes {
                    throw GrammarError(
                        "a sampled derivation grew past \(maximumNodes) nodes; lower the weights of recursive rules",
                        at: SourceLocation(file: grammar.file, line: 1, column: 1))
                }
                switch grammar.operations[production.operation].form {
                case .tokens(let words):
                    tokens += words
                case .concatenation(let items):
                    // Push in reverse so the leftmost item is expanded first (preorder of daughters by position).
                    for formItem in items.reversed() {
                        switch formItem {
                        case .token(let token): surface.append(.token(token))
                        case .daughter(let d): surface.append(.type(production.children[d]))
                        }
                    }
                case .general:
                    break
                }
            }
        }
        // Concatenative rules list their daughters in surface order, so surface order is argument preorder.
        return Sample(tokens: tokens, derivation: derivation, derivationLogProbability: logProbability)
    }

    /// `count` samples from a generator seeded with `seed`.
    public func samples(count: Int, seed: UInt64, maximumNodes: Int = 100_000) throws(GrammarError) -> [Sample] {
        var generator = SplitMix64(seed: seed)
        var out: [Sample] = []
        out.reserveCapacity(max(0, count))
        for _ in 0..<max(0, count) { out.append(try sample(using: &generator, maximumNodes: maximumNodes)) }
        return out
    }

    enum SurfaceItem {
        case type(Int)
        case token(String)
    }

    /// Index drawn with probability proportional to `weights` (nil when they are all zero).
    func draw(_ weights: [Double], _ generator: inout SplitMix64) -> Int? {
        let total = weights.reduce(0, +)
        guard total > 0 else { return nil }
        var u = generator.nextUnitDouble() * total
        for (i, w) in weights.enumerated() where w > 0 {
            u -= w
            if u < 0 { return i }
        }
        return weights.lastIndex { $0 > 0 }
    }

    // MARK: - Meanings

    /// The reading (term, logical form, meaning) of a derivation given in preorder, or nil when it is not a
    /// well-formed preorder or is deeper than ``EnumerationBounds/maximumDepth``.
    public func reading(ofDerivation derivation: [Int]) -> Reading? {
        var builder = DerivationBuilder(grammar: grammar, bounds: grammar.bounds)
        return reading(ofDerivation: derivation, builder: &builder)
    }

    /// The reading of a derivation built into `builder`'s fragment (shared across derivations, so that rule
    /// evaluations are memoised across them).
    func reading(ofDerivation derivation: [Int], builder: inout DerivationBuilder) -> Reading? {
        // Right to left, each operation's arguments are the top entries of the stack, first argument on top.
        var stack: [Int32] = []
        for op in derivation.reversed() {
            guard op >= 0, op < grammar.operations.count else { return nil }
            let arity = grammar.operations[op].arity
            guard stack.count >= arity else { return nil }
            let children = Array(stack.suffix(arity).reversed())
            stack.removeLast(arity)
            let id = builder.add(operation: op, children: children)
            if builder.fragment.depth(of: id) > EnumerationBounds.maximumDepth { return nil }
            stack.append(id)
        }
        guard stack.count == 1, let id = stack.first else { return nil }
        var forms: [Int32: Expression] = [:]
        return ChartInterpreter.reading(of: id, in: builder.fragment, logicalForms: &forms)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
