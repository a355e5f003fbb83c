import Grammar
import MontagueSupport

/// The compositional-generalisation splits of a grammar's language.
public enum CompositionalSplitKind: String, Sendable, CaseIterable, Codable {
    /// Random split with a test fraction.
    case random
    /// Train on short outputs, test on long ones (SCAN "length", Lake & Baroni 2018).
    case length
    /// One primitive seen in training only in isolation (SCAN "add primitive"), optionally oversampled.
    case addPrimitive = "add-primitive"
    /// Maximum compound divergence (Keysers et al. 2020): atoms distributed alike, compounds as differently as
    /// possible.
    case mcd
}

/// Options of ``CompositionalSplits/generate(_:options:)``.
public struct CompositionalSplitOptions: Sendable {
    /// The split.
    public var kind: CompositionalSplitKind = .random
    /// Test fraction for `random` and `mcd`.
    public var testFraction = 0.2
    /// For `mcd`: the training fraction (nil: every example not in test). Below `1 − testFraction` the rest of
    /// the language is left out, which lets the split reach a high compound divergence (Keysers et al.'s SCAN
    /// splits likewise use a subset of the commands).
    public var trainFraction: Double?
    /// For `length`: the longest output (in tokens) kept for training.
    public var lengthThreshold = 22
    /// For `add-primitive`: the held-out primitive.
    public var primitive: String?
    /// For `add-primitive`: the fraction of the training set the isolated primitive is repeated to (SCAN: 0.1).
    public var primitiveFraction: Double?
    /// Seed.
    public var seed: UInt64 = 1
    /// Enumeration bounds (nil: the grammar's).
    public var bounds: EnumerationBounds?
    /// For `mcd`: the largest atom divergence the greedy construction accepts while it can (Keysers et al. keep
    /// it near 0).
    public var maximumAtomDivergence = 0.02
    /// For `mcd`: candidates scored per greedy step.
    public var candidatesPerStep = 64

    /// Default options.
    public init() {}
}

/// A split with its atom and compound divergences.
public struct CompositionalSplit: Sendable {
    /// Training examples (with repetitions where the split oversamples).
    public var train: [Example]
    /// Test examples.
    public var test: [Example]
    /// The kind of split.
    public var kind: CompositionalSplitKind
    /// `D_A = 1 − C_0.5(F_A ‖ G_A)` between the train (F) and test (G) distributions of atoms.
    public var atomDivergence: Double
    /// `D_C = 1 − C_0.1(F_C ‖ G_C)` between the train and test distributions of compounds.
    public var compoundDivergence: Double
}

/// Compositional-generalisation splits generated from a grammar, and their divergences (Keysers et al. 2020,
/// "Measuring compositional generalization", ICLR).
///
/// Atoms are the operations of a derivation (rules by name, lexical atoms by form); compounds are its depth-2
/// subterms `F(G₁, …, Gₙ)` (an operation with its arguments' operations). The Chernoff coefficient
/// `C_α(P ‖ Q) = Σ_k p_k^α q_k^(1−α)` compares distributions; `D_A` uses α = 0.5, `D_C` α = 0.1 as in the paper.
/// The `random`, `length` and `add-primitive` splits are ``DataSetGenerator``'s (which reproduce SCAN's files);
/// `mcd` is built greedily: starting from one random example on each side, each step adds to the side furthest
/// below its target size the candidate (of a random sample) that keeps `D_A` within the bound and makes `D_C`
/// largest; with a training fraction below `1 − testFraction` the examples left over are not used. Compounds are unweighted (the paper down-weights compounds that mostly occur inside one larger
/// compound).
public enum CompositionalSplits {
    /// An example with the atoms and compounds of its derivation.
    struct Analysed {
        let example: Example
        /// Atom counts by atom id, sorted by id (so that sums are taken in a fixed order).
        let atoms: [(key: Int, value: Double)]
        /// Compound counts by compound id, sorted by id.
        let compounds: [(key: Int, value: Double)]
    }

    /// Generates the split of the grammar's start-category expressions.
    public static func generate(_ grammar: InterpretedGrammar, options: CompositionalSplitOptions) throws(GrammarError)
        -> CompositionalSplit
    {
        let bounds = options.bounds ?? grammar.bounds
        var atomIDs: [String: Int] = [:]
        var compoundIDs: [String: Int] = [:]
        let analysed = analyse(grammar, bounds: bounds, atomIDs: &atomIDs, compoundIDs: &compoundIDs)
        let byInput = Dictionary(analysed.map { ($0.example, $0) }, uniquingKeysWith: { first, _ in first })
        let dataSet: (train: [Example], test: [Example])
        switch options.kind {
        case .mcd:
            dataSet = maximumCompoundDivergence(analysed, options: options)
        default:
            var generation = GenerationOptions()
            generation.split = options.kind == .random ? .random : options.kind == .length ? .length : .addPrimitive
            generation.testFraction = options.testFraction
            generation.lengthThreshold = options.lengthThreshold
            generation.primitive = options.primitive
            generation.primitiveFraction = options.primitiveFraction
            generation.seed = options.seed
            generation.bounds = bounds
            let generated = try DataSetGenerator.generate(grammar, options: generation)
            dataSet = (generated.train, generated.test)
        }
        let train = dataSet.train.compactMap { byInput[$0] }
        let test = dataSet.test.compactMap { byInput[$0] }
        return CompositionalSplit(
            train: dataSet.train, test: dataSet.test, kind: options.kind,
            atomDivergence: divergence(train.map(\.atoms), test.map(\.atoms), alpha: 0.5),
            compoundDivergence: divergence(train.map(\.compounds), test.map(\.compounds), alpha: 0.1))
    }

    /// The examples of ``DataSetGenerator/examples(_:bounds:)`` with their first derivation's atoms and compounds.
    static func analyse(
        _ grammar: InterpretedGrammar, bounds: EnumerationBounds, atomIDs: inout [String: Int],
        compoundIDs: inout [String: Int]
    ) -> [Analysed] {
        let examples = DataSetGenerator.examples(grammar, bounds: bounds)
        let fragment = Enumerator.enumerate(grammar, options: EnumerationOptions(bounds: bounds))
        var terms: [String: Term] = [:]
        for id in fragment.storedTerms {
            if let start = grammar.start, fragment.category(of: id) != start { continue }
            let yield = fragment.yield(of: id)
            if terms[yield] == nil { terms[yield] = fragment.term(id) }
        }
        func intern(_ name: String, _ table: inout [String: Int]) -> Int {
            if let id = table[name] { return id }
            table[name] = table.count
            return table.count - 1
        }
        return examples.map { example in
            var atoms: [Int: Double] = [:]
            var compounds: [Int: Double] = [:]
            var stack = terms[example.input].map { [$0] } ?? []
            while let node = stack.popLast() {
                atoms[intern(label(node), &atomIDs), default: 0] += 1
                if !node.arguments.isEmpty {
                    let compound = label(node) + "(" + node.arguments.map(label).joined(separator: ", ") + ")"
                    compounds[intern(compound, &compoundIDs), default: 0] += 1
                }
                stack += node.arguments
            }
            return Analysed(
                example: example, atoms: atoms.sorted { $0.key < $1.key },
                compounds: compounds.sorted { $0.key < $1.key })
        }
    }

    static func label(_ term: Term) -> String { term.isAtom ? "\"" + term.yield + "\"" : term.operation }

    /// `1 − C_α(F ‖ G)` between the summed counts of two sets of examples (0 when either is empty).
    static func divergence(
        _ train: [[(key: Int, value: Double)]], _ test: [[(key: Int, value: Double)]], alpha: Double
    ) -> Double {
        var f: [Int: Double] = [:]
        var g: [Int: Double] = [:]
        for row in train { for (k, v) in row { f[k, default: 0] += v } }
        for row in test { for (k, v) in row { g[k, default: 0] += v } }
        let totalF = f.keys.sorted().reduce(0) { $0 + (f[$1] ?? 0) }
        let totalG = g.keys.sorted().reduce(0) { $0 + (g[$1] ?? 0) }
        guard totalF > 0, totalG > 0 else { return 0 }
        var coefficient = 0.0
        for k in f.keys.sorted() {
            if let v = f[k], let w = g[k] { coefficient += pow(v / totalF, alpha) * pow(w / totalG, 1 - alpha) }
        }
        return 1 - coefficient
    }

    /// Running Chernoff coefficient of two count vectors: `S = Σ_k a_k^α b_k^(1−α)`, `C = S / (A^α B^(1−α))`.
    struct RunningCoefficient {
        let alpha: Double
        var train: [Int: Double] = [:]
        var test: [Int: Double] = [:]
        var totalTrain = 0.0
        var totalTest = 0.0
        var sum = 0.0

        func term(_ a: Double, _ b: Double) -> Double { a > 0 && b > 0 ? pow(a, alpha) * pow(b, 1 - alpha) : 0 }

        /// The divergence `1 − C` if `counts` were added to one side.
        func divergence(adding counts: [(key: Int, value: Double)], toTest: Bool) -> Double {
            var s = sum
            var added = 0.0
            for (k, v) in counts {
                let a = train[k] ?? 0
                let b = test[k] ?? 0
                s += toTest ? term(a, b + v) - term(a, b) : term(a + v, b) - term(a, b)
                added += v
            }
            let trainTotal = totalTrain + (toTest ? 0 : added)
            let testTotal = totalTest + (toTest ? added : 0)
            guard trainTotal > 0, testTotal > 0 else { return 0 }
            return 1 - s / (pow(trainTotal, alpha) * pow(testTotal, 1 - alpha))
        }

        mutating func add(_ counts: [(key: Int, value: Double)], toTest: Bool) {
            for (k, v) in counts {
                let a = train[k] ?? 0
                let b = test[k] ?? 0
                if toTest {
                    sum += term(a, b + v) - term(a, b)
                    test[k] = b + v
                    totalTest += v
                } else {
                    sum += term(a + v, b) - term(a, b)
                    train[k] = a + v
                    totalTrain += v
                }
            }
        }
    }

    /// The greedy maximum-compound-divergence split.
    static func maximumCompoundDivergence(_ analysed: [Analysed], options: CompositionalSplitOptions) -> (
        train: [Example], test: [Example]
    ) {
        var generator = SplitMix64(seed: options.seed)
        var pool = Array(analysed.indices)
        generator.shuffle(&pool)
        let testTarget = Int((Double(analysed.count) * options.testFraction).rounded())
        let trainTarget = min(
            analysed.count - testTarget,
            options.trainFraction.map { Int((Double(analysed.count) * $0).rounded()) } ?? analysed.count)
        var atoms = RunningCoefficient(alpha: 0.5)
        var compounds = RunningCoefficient(alpha: 0.1)
        var train: [Example] = []
        var test: [Example] = []
        func place(_ position: Int, toTest: Bool) {
            let item = analysed[pool[position]]
            atoms.add(item.atoms, toTest: toTest)
            compounds.add(item.compounds, toTest: toTest)
            if toTest { test.append(item.example) } else { train.append(item.example) }
            pool.swapAt(position, pool.count - 1)
            pool.removeLast()
        }
        if trainTarget > 0, !pool.isEmpty { place(0, toTest: false) }
        if testTarget > 0, !pool.isEmpty { place(0, toTest: true) }
        while !pool.isEmpty, train.count < trainTarget || test.count < testTarget {
            let testShare = testTarget == 0 ? 1 : Double(test.count) / Double(testTarget)
            let trainShare = trainTarget == 0 ? 1 : Double(train.count) / Double(trainTarget)
            let toTest = test.count < testTarget && (testShare <= trainShare || train.count >= trainTarget)
            var best = -1
            var bestScore = -Double.infinity
            let sampleSize = min(options.candidatesPerStep, pool.count)
            for _ in 0..<sampleSize {
                let position = generator.nextInt(below: pool.count)
                let item = analysed[pool[position]]
                let atomDivergence = atoms.divergence(adding: item.atoms, toTest: toTest)
                let compoundDivergence = compounds.divergence(adding: item.compounds, toTest: toTest)
                let excess = max(0, atomDivergence - options.maximumAtomDivergence)
                let score = compoundDivergence - 10 * excess
                if score > bestScore {
                    bestScore = score
                    best = position
                }
            }
            place(max(0, best), toTest: toTest)
        }
        return (train, test)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
