import Grammar

/// Compositionality of learned representations measured against grammar derivations: tree reconstruction error
/// and topographic similarity (docs/probabilistic-grammars.md).
///
/// The representations are any real vectors a model assigns to expressions (encoder states, sentence embeddings);
/// the derivations are the grammar's terms of the same expressions, so the structure a representation should
/// reflect is known exactly.
public enum DerivationCompositionality {
    /// Which parts of a derivation count as primitives of the additive composition.
    public enum Primitives: String, Sendable, CaseIterable, Codable {
        /// Each node's operation (rule name, or the atom's form): a bag of operations.
        case operations
        /// Each node's operation with the argument slot it fills in its parent (`Twice/1:"walk"`), so that the
        /// same word in different roles gets different vectors.
        case slots
    }

    /// The primitives of a derivation, one per node (a multiset).
    public static func primitives(of term: Term, _ kind: Primitives = .operations) -> [String] {
        var out: [String] = []
        var stack: [(Term, String)] = [(term, "")]
        while let (node, slot) = stack.popLast() {
            let name = node.isAtom ? "\"" + node.yield + "\"" : node.operation
            out.append(kind == .slots ? slot + name : name)
            for (i, argument) in node.arguments.enumerated() {
                stack.append((argument, node.operation + "/" + String(i + 1) + ":"))
            }
        }
        return out
    }

    /// The result of a tree-reconstruction fit.
    public struct TreeReconstruction: Sendable {
        /// TRE: the mean Euclidean distance between each representation and its reconstruction.
        public var error: Double
        /// The distance for each expression.
        public var residuals: [Double]
        /// The fitted vector of each primitive.
        public var primitiveVectors: [String: [Double]]
    }

    /// Tree reconstruction error (Andreas 2019, "Measuring compositionality in representation learning", ICLR)
    /// with additive composition: fit one vector `η_p` per primitive so that `f̂(t) = Σ_{p ∈ t} η_p` is closest to
    /// the representation `f(x)` in squared Euclidean distance; TRE is the mean Euclidean residual
    /// `(1/N) Σ_i ‖f(x_i) − f̂(t_i)‖`. The least-squares fit is solved exactly (normal equations with a `ridge`
    /// on the diagonal) instead of by gradient descent; it is 0 exactly when the representations are additive in
    /// the primitives.
    ///
    /// - Precondition: one representation per derivation, all of the same dimension.
    public static func treeReconstructionError(
        representations: [[Double]], derivations: [Term], primitives kind: Primitives = .operations,
        ridge: Double = 1e-9
    ) -> TreeReconstruction {
        precondition(
            representations.count == derivations.count,
            "treeReconstructionError: \(representations.count) representations for \(derivations.count) derivations")
        let dimension = representations.first?.count ?? 0
        precondition(
            representations.allSatisfy { $0.count == dimension },
            "treeReconstructionError: representations of different dimensions")
        var index: [String: Int] = [:]
        var names: [String] = []
        let counts: [[Int: Double]] = derivations.map { term in
            var row: [Int: Double] = [:]
            for p in primitives(of: term, kind) {
                let i = index[p] ?? names.count
                if i == names.count {
                    index[p] = i
                    names.append(p)
                }
                row[i, default: 0] += 1
            }
            return row
        }
        let p = names.count
        // (XᵀX + λI) W = XᵀY.
        var gram = [Double](repeating: 0, count: p * p)
        var right = [Double](repeating: 0, count: p * dimension)
        for (row, y) in zip(counts, representations) {
            for (i, xi) in row {
                for (j, xj) in row { gram[i * p + j] += xi * xj }
                for d in 0..<dimension { right[i * dimension + d] += xi * y[d] }
            }
        }
        for i in 0..<p { gram[i * p + i] += ridge }
        let weights = solveSymmetric(gram, right, size: p, columns: dimension)
        var residuals: [Double] = []
        for (row, y) in zip(counts, representations) {
            var squared = 0.0
            for d in 0..<dimension {
                var predicted = 0.0
                for (i, xi) in row { predicted += xi * weights[i * dimension + d] }
                squared += (predicted - y[d]) * (predicted - y[d])
            }
            residuals.append(squared.squareRoot())
        }
        var vectors: [String: [Double]] = [:]
        for (i, name) in names.enumerated() { vectors[name] = Array(weights[(i * dimension)..<((i + 1) * dimension)]) }
        let error = residuals.isEmpty ? 0 : residuals.reduce(0, +) / Double(residuals.count)
        return TreeReconstruction(error: error, residuals: residuals, primitiveVectors: vectors)
    }

    /// Solves `A X = B` for a symmetric positive definite `A` (`size × size`, row-major) by Cholesky
    /// factorisation; `B` is `size × columns`.
    static func solveSymmetric(_ a: [Double], _ b: [Double], size n: Int, columns m: Int) -> [Double] {
        var l = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                var sum = a[i * n + j]
                for k in 0..<j { sum -= l[i * n + k] * l[j * n + k] }
                if i == j {
                    l[i * n + i] = max(sum, 1e-300).squareRoot()
                } else {
                    l[i * n + j] = sum / l[j * n + j]
                }
            }
        }
        var x = b
        for c in 0..<m {
            // L y = b, then Lᵀ x = y.
            for i in 0..<n {
                var sum = x[i * m + c]
                for k in 0..<i { sum -= l[i * n + k] * x[k * m + c] }
                x[i * m + c] = sum / l[i * n + i]
            }
            for i in stride(from: n - 1, through: 0, by: -1) {
                var sum = x[i * m + c]
                for k in (i + 1)..<max(i + 1, n) { sum -= l[k * n + i] * x[k * m + c] }
                x[i * m + c] = sum / l[i * n + i]
            }
        }
        return x
    }

    /// Topographic similarity (Brighton & Kirby 2006; Lazaridou et al. 2018): Spearman's ρ between the pairwise
    /// Euclidean distances of the representations and the pairwise edit distances of the meanings (token
    /// sequences, e.g. SCAN action sequences or a logical form's symbols).
    public static func topographicSimilarity(representations: [[Double]], meanings: [[String]]) -> Double {
        precondition(
            representations.count == meanings.count,
            "topographicSimilarity: \(representations.count) representations for \(meanings.count) meanings")
        var codes: [String: Int] = [:]
        let coded = meanings.map { tokens in
            tokens.map { token -> Int in
                if let c = codes[token] { return c }
                codes[token] = codes.count
                return codes.count - 1
            }
        }
        var a: [Double] = []
        var b: [Double] = []
        for i in representations.indices {
            for j in (i + 1)..<representations.count {
                var squared = 0.0
                for (x, y) in zip(representations[i], representations[j]) { squared += (x - y) * (x - y) }
                a.append(squared.squareRoot())
                b.append(Double(editDistance(coded[i], coded[j])))
            }
        }
        return CompositionalityMetrics.spearman(a, b)
    }

    /// Levenshtein distance.
    static func editDistance(_ x: [Int], _ y: [Int]) -> Int {
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var previous = Array(0...y.count)
        var current = previous
        for i in 1...x.count {
            current[0] = i
            for j in 1...y.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[y.count]
    }
}
