#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Compositionality measures for emergent or learned message protocols (docs/compositionality.md): topographic
/// similarity, positional and bag-of-symbols disentanglement, and tree reconstruction error with additive
/// composition. Meanings are attribute-value vectors, messages symbol sequences (both as integer codes).
public enum CompositionalityMetrics {
    // MARK: - Topographic similarity

    /// Distances between messages.
    public enum MessageDistance: Sendable {
        /// Number of differing positions (equal lengths).
        case hamming
        /// Levenshtein edit distance.
        case edit
    }

    /// Topographic similarity (Brighton & Kirby 2006; Lazaridou et al. 2018): Spearman's ρ between all pairwise
    /// meaning distances (Hamming over attributes) and message distances.
    public static func topographicSimilarity(
        meanings: [[Int]], messages: [[Int]], messageDistance: MessageDistance = .hamming
    ) -> Double {
        var a: [Double] = []
        var b: [Double] = []
        for i in meanings.indices {
            for j in (i + 1)..<meanings.count {
                a.append(Double(hamming(meanings[i], meanings[j])))
                switch messageDistance {
                case .hamming: b.append(Double(hamming(messages[i], messages[j])))
                case .edit: b.append(Double(editDistance(messages[i], messages[j])))
                }
            }
        }
        return spearman(a, b)
    }

    static func hamming(_ x: [Int], _ y: [Int]) -> Int {
        zip(x, y).filter { $0 != $1 }.count + abs(x.count - y.count)
    }

    static func editDistance(_ x: [Int], _ y: [Int]) -> Int {
        var previous = Array(0...y.count)
        for i in 1...max(1, x.count) where !x.isEmpty {
            var current = [i] + Array(repeating: 0, count: y.count)
            for j in 1...max(1, y.count) where !y.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return x.isEmpty ? y.count : previous[y.count]
    }

    /// Spearman's rank correlation (average ranks for ties); 0 if either side is constant.
    public static func spearman(_ x: [Double], _ y: [Double]) -> Double {
        pearson(ranks(x), ranks(y))
    }

    static func ranks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && values[order[j + 1]] == values[order[i]] { j += 1 }
            let rank = Double(i + j) / 2 + 1
            for k in i...j { ranks[order[k]] = rank }
            i = j + 1
        }
        return ranks
    }

    static func pearson(_ x: [Double], _ y: [Double]) -> Double {
        let n = Double(x.count)
        guard n > 1 else { return 0 }
        let mx = x.reduce(0, +) / n
        let my = y.reduce(0, +) / n
        var sxy = 0.0
        var sxx = 0.0
        var syy = 0.0
        for (a, b) in zip(x, y) {
            sxy += (a - mx) * (b - my)
            sxx += (a - mx) * (a - mx)
            syy += (b - my) * (b - my)
        }
        guard sxx > 0, syy > 0 else { return 0 }
        return sxy / (sxx * syy).squareRoot()
    }

    // MARK: - Disentanglement

    static func entropy(_ values: [Int]) -> Double {
        var counts: [Int: Int] = [:]
        for v in values { counts[v, default: 0] += 1 }
        let n = Double(values.count)
        return -counts.values.reduce(0.0) { h, c in
            let p = Double(c) / n
            return h + p * log2(p)
        }
    }

    static func mutualInformation(_ x: [Int], _ y: [Int]) -> Double {
        entropy(x) + entropy(y) - entropy(zip(x, y).map { $0 &* 1_000_003 &+ $1 })
    }

    static func log2(_ x: Double) -> Double {
        #if canImport(Glibc)
        return x > 0 ? Glibc.log2(x) : 0
        #else
        return x > 0 ? Darwin.log2(x) : 0
        #endif
    }

    /// The information gap of features (one per position or per symbol) with respect to the attributes:
    /// mean over features j with H(f_j) > 0 of (I(f_j; a_best) − I(f_j; a_second)) / H(f_j).
    static func informationGap(features: [[Int]], attributes: [[Int]]) -> Double {
        var total = 0.0
        var counted = 0
        for feature in features {
            let h = entropy(feature)
            guard h > 1e-12 else { continue }
            let informations = attributes.map { mutualInformation(feature, $0) }.sorted(by: >)
            let gap = informations[0] - (informations.count > 1 ? informations[1] : 0)
            total += gap / h
            counted += 1
        }
        return counted == 0 ? 0 : total / Double(counted)
    }

    /// Positional disentanglement (Chaabouni et al. 2020, "Compositionality and generalization in emergent
    /// languages"; EGG `information_gap_representation`): features are the symbols at each message position.
    public static func positionalDisentanglement(meanings: [[Int]], messages: [[Int]]) -> Double {
        let length = messages.map(\.count).max() ?? 0
        let features = (0..<length).map { j in messages.map { j < $0.count ? $0[j] : -1 } }
        let attributes = (0..<(meanings.first?.count ?? 0)).map { k in meanings.map { $0[k] } }
        return informationGap(features: features, attributes: attributes)
    }

    /// Bag-of-symbols disentanglement (Chaabouni et al. 2020): features are the counts of each symbol.
    public static func bagOfSymbolsDisentanglement(meanings: [[Int]], messages: [[Int]]) -> Double {
        let symbols = Set(messages.joined()).sorted()
        let features = symbols.map { s in messages.map { m in m.filter { $0 == s }.count } }
        let attributes = (0..<(meanings.first?.count ?? 0)).map { k in meanings.map { $0[k] } }
        return informationGap(features: features, attributes: attributes)
    }

    // MARK: - Tree reconstruction error

    /// Tree reconstruction error (Andreas 2019, ICLR) with additive composition: learn one vector per primitive
    /// (attribute = value) so that the sum of a meaning's primitives reconstructs the message's representation
    /// (one-hot symbols per position, concatenated); TRE is the mean Euclidean residual. The least-squares fit is
    /// solved exactly (normal equations with a 1e-9 ridge) instead of by RMSprop.
    public static func treeReconstructionError(meanings: [[Int]], messages: [[Int]], vocabularySize: Int) -> Double {
        let attributes = meanings.first?.count ?? 0
        var primitiveIndex: [[Int]: Int] = [:]
        for m in meanings {
            for (k, v) in m.enumerated() where primitiveIndex[[k, v]] == nil {
                primitiveIndex[[k, v]] = primitiveIndex.count
            }
        }
        let p = primitiveIndex.count
        let length = messages.map(\.count).max() ?? 0
        let dimension = length * vocabularySize
        // X (n × p) indicators, Y (n × d) one-hot representations.
        let x: [[Double]] = meanings.map { m in
            var row = [Double](repeating: 0, count: p)
            for k in 0..<attributes { row[primitiveIndex[[k, m[k]]]!] = 1 }
            return row
        }
        let y: [[Double]] = messages.map { message in
            var row = [Double](repeating: 0, count: dimension)
            for (j, s) in message.enumerated() { row[j * vocabularySize + s] = 1 }
            return row
        }
        // (XᵀX + λI) W = XᵀY.
        var a = [[Double]](repeating: [Double](repeating: 0, count: p), count: p)
        var b = [[Double]](repeating: [Double](repeating: 0, count: dimension), count: p)
        for (xr, yr) in zip(x, y) {
            for i in 0..<p where xr[i] != 0 {
                for j in 0..<p { a[i][j] += xr[i] * xr[j] }
                for d in 0..<dimension { b[i][d] += xr[i] * yr[d] }
            }
        }
        for i in 0..<p { a[i][i] += 1e-9 }
        let w = solve(a, b)
        var total = 0.0
        for (xr, yr) in zip(x, y) {
            var squared = 0.0
            for d in 0..<dimension {
                var predicted = 0.0
                for i in 0..<p where xr[i] != 0 { predicted += w[i][d] }
                squared += (predicted - yr[d]) * (predicted - yr[d])
            }
            total += squared.squareRoot()
        }
        return meanings.isEmpty ? 0 : total / Double(meanings.count)
    }

    /// Gaussian elimination with partial pivoting for A X = B.
    static func solve(_ a: [[Double]], _ b: [[Double]]) -> [[Double]] {
        var a = a
        var b = b
        let n = a.count
        for column in 0..<n {
            let pivot = (column..<n).max { abs(a[$0][column]) < abs(a[$1][column]) } ?? column
            a.swapAt(column, pivot)
            b.swapAt(column, pivot)
            let diagonal = a[column][column]
            guard abs(diagonal) > 1e-300 else { continue }
            for row in 0..<n where row != column {
                let factor = a[row][column] / diagonal
                if factor == 0 { continue }
                for k in column..<n { a[row][k] -= factor * a[column][k] }
                for k in b[row].indices { b[row][k] -= factor * b[column][k] }
            }
        }
        for row in 0..<n {
            let diagonal = a[row][row]
            if abs(diagonal) > 1e-300 { b[row] = b[row].map { $0 / diagonal } }
        }
        return b
    }
}
