/// The N1 benchmark workload: enumerate a fragment of arithmetic modulo 10 (ten numerals, two binary operations;
/// depth ≤ 3 has 88 210 terms and depth 4 billions, so `maxTerms` sets the size exactly) and decide N1 on it,
/// streaming the deepest layer. Memory is proportional to the distinct meanings (10), not to the fragment.
public enum FunctionalityBenchmark {
    /// One measured fragment size.
    public struct Row: Sendable {
        /// Terms enumerated and checked.
        public var terms: Int
        /// Wall-clock seconds for enumeration + N1.
        public var seconds: Double
        /// Distinct meanings interned.
        public var distinctMeanings: Int
        /// Whether N1 held (it does: the rules are functions of the meanings).
        public var holds: Bool
    }

    /// The benchmark grammar.
    public static let source = """
        grammar ModArithmetic ;
        start N ;
        cat N : int ;
        lexicon {
          "0" : N = 0 ; "1" : N = 1 ; "2" : N = 2 ; "3" : N = 3 ; "4" : N = 4 ;
          "5" : N = 5 ; "6" : N = 6 ; "7" : N = 7 ; "8" : N = 8 ; "9" : N = 9 ;
        }
        rules {
          Plus  : N -> "(" N "+" N ")" => (N1 + N2) mod 10 ;
          Times : N -> "(" N "*" N ")" => (N1 * N2) mod 10 ;
        }
        """

    /// Runs enumeration + N1 for each size (release build: about 0.8 s for 1 000 000 terms on this machine).
    public static func run(sizes: [Int] = [125_000, 250_000, 500_000, 1_000_000]) -> [Row] {
        var rows: [Row] = []
        for size in sizes {
            guard let grammar = try? GrammarLoader.compile(source: source, file: "benchmark.mont") else { return rows }
            var options = CheckOptions(notions: [.funct], bounds: EnumerationBounds(maxDepth: 4, maxTerms: size))
            options.reportsAmbiguities = false
            options.tracksDeclaredRules = false
            let clock = ContinuousClock()
            var report: CheckReport?
            let elapsed = clock.measure { report = CompositionalityChecker.check(grammar, options: options) }
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            rows.append(
                Row(
                    terms: report?.termCount ?? 0, seconds: seconds, distinctMeanings: report?.distinctMeanings ?? 0,
                    holds: report?.allHold ?? false))
        }
        return rows
    }

    /// The rows as a Markdown table (for docs/benchmarks.md).
    public static func markdownTable(_ rows: [Row]) -> String {
        var lines = ["| terms | seconds | terms/s | distinct meanings | N1 |", "|---:|---:|---:|---:|:---|"]
        for row in rows {
            let rate = row.seconds > 0 ? Int(Double(row.terms) / row.seconds) : 0
            let milliseconds = Int((row.seconds * 1000).rounded())
            let seconds = "\(milliseconds / 1000)." + String(String(1000 + milliseconds % 1000).dropFirst())
            lines.append(
                "| \(row.terms) | \(seconds) | \(rate) | \(row.distinctMeanings) | \(row.holds ? "holds" : "fails") |")
        }
        return lines.joined(separator: "\n")
    }
}
