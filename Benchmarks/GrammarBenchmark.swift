// Grammar benchmark: enumerate a fragment and decide N1 (functionality / C_local) on it, for growing fragment sizes.
// Needs the `Grammar` module in the MontagueBenchmarks target's dependencies.
#if canImport(Grammar)
    import Grammar

    /// One measured fragment size.
    struct GrammarBenchmarkRow {
        /// Terms enumerated and checked.
        var terms: Int
        /// Wall-clock seconds for enumeration + N1.
        var seconds: Double
        /// Distinct meanings interned (memory is proportional to this, not to `terms`).
        var distinctMeanings: Int
    }

    /// Arithmetic modulo 10 with ten numerals and two binary operations: depth ≤ 3 has 88 210 terms, depth 4 has
    /// billions, so `maxTerms` sets the fragment size exactly. Meanings: 10 values.
    let grammarBenchmarkSource = """
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

    /// Enumerates and checks N1 on fragments of `sizes` terms (streaming the deepest layer); returns one row per
    /// size. The target is 1 000 000 terms in under 10 s in release, growing linearly.
    func runGrammarBenchmark(sizes: [Int] = [125_000, 250_000, 500_000, 1_000_000]) -> [GrammarBenchmarkRow] {
        var rows: [GrammarBenchmarkRow] = []
        for size in sizes {
            guard let grammar = try? GrammarLoader.compile(source: grammarBenchmarkSource, file: "benchmark.mont") else {
                return rows
            }
            var options = CheckOptions(notions: [.funct], bounds: EnumerationBounds(maxDepth: 4, maxTerms: size))
            options.reportsAmbiguities = false
            options.tracksDeclaredRules = false
            let clock = ContinuousClock()
            var report: CheckReport?
            let elapsed = clock.measure { report = CompositionalityChecker.check(grammar, options: options) }
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            rows.append(
                GrammarBenchmarkRow(
                    terms: report?.termCount ?? 0, seconds: seconds, distinctMeanings: report?.distinctMeanings ?? 0))
        }
        return rows
    }

    /// Prints the rows as a Markdown table (for docs/benchmarks.md).
    func printGrammarBenchmark() {
        print("| terms | seconds | terms/s | distinct meanings |")
        print("|---:|---:|---:|---:|")
        for row in runGrammarBenchmark() {
            let rate = row.seconds > 0 ? Int(Double(row.terms) / row.seconds) : 0
            let milliseconds = Int((row.seconds * 1000).rounded())
            print("| \(row.terms) | \(milliseconds / 1000).\(String(1000 + milliseconds % 1000).dropFirst()) | \(rate) | \(row.distinctMeanings) |")
        }
    }
#endif
