// Grammar benchmarks: N1 (functionality / C_local) enumeration + check on fragments of 125k … 1M terms, and the
// performance cliffs: enumeration under a length bound, ambiguity detection on unary recursion, and all ten
// fragment-based notions on a million terms.
//
// The N1 workload lives in the library (`Grammar.FunctionalityBenchmark`); `MontagueBenchmarks --grammar` runs
// everything (`make bench-grammar`). Targets (release): 1 000 000 terms of N1 under 10 s with linear growth;
// palindromes at max length 8 under 1 s; ambiguity reporting within 2× of `--no-ambiguities`; the ten notions on
// 1 000 000 terms under 10 s and 200 MB.
import Foundation
import Grammar

/// Prints the grammar benchmarks as Markdown tables.
func printGrammarBenchmark() {
    print("## Grammar: N1 enumeration + check (arithmetic mod 10)")
    print(FunctionalityBenchmark.markdownTable(FunctionalityBenchmark.run()))
    print("")
    print("## Grammar: performance cliffs")
    print("| case | terms | seconds | CPU seconds | peak RSS (MB) |")
    print("|---|---:|---:|---:|---:|")
    for row in grammarCliffCases() {
        print(
            "| \(row.name) | \(row.terms) | \(String(format: "%.3f", row.seconds)) | "
                + "\(String(format: "%.3f", row.cpuSeconds)) | \(row.peakMegabytes) |")
    }
}

/// One measured case (peak RSS: the process's high-water mark, `VmHWM`, after the case; CPU seconds: the process's
/// processor time, which a loaded machine does not inflate as it does the wall clock).
struct GrammarCliffRow {
    var name: String
    var terms: Int
    var seconds: Double
    var cpuSeconds: Double
    var peakMegabytes: Int
}

func measureCheck(_ name: String, _ source: String, _ options: CheckOptions) -> GrammarCliffRow? {
    guard let grammar = try? GrammarLoader.compile(source: source, file: "benchmark.mont") else { return nil }
    let wallClock = ContinuousClock()
    var report: CheckReport?
    let processorStart = clock()
    let elapsed = wallClock.measure { report = CompositionalityChecker.check(grammar, options: options) }
    let cpuSeconds = Double(clock() - processorStart) / Double(CLOCKS_PER_SEC)
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    return GrammarCliffRow(
        name: name, terms: report?.termCount ?? 0, seconds: seconds, cpuSeconds: cpuSeconds,
        peakMegabytes: Int(peakResidentMegabytes().rounded()))
}

func grammarCliffCases() -> [GrammarCliffRow] {
    var rows: [GrammarCliffRow] = []
    // All ten fragment-based notions on 1 000 000 terms (first, so the peak RSS is this case's).
    let ten: [Notion] = [.funct, .domain, .subst, .subst1, .husserl, .global, .reverse, .fregean, .systematic, .lint]
    var tenOptions = CheckOptions(notions: ten, bounds: EnumerationBounds(maxDepth: 4, maxTerms: 1_000_000))
    tenOptions.reportsAmbiguities = false
    if let row = measureCheck("ten notions, arithmetic mod 10", FunctionalityBenchmark.source, tenOptions) {
        rows.append(row)
    }
    // Enumeration under a length bound: binary concatenation over {a, b}, form-reading rule.
    let palindromes = """
        grammar Palindromes ; start S ; cat S : t ;
        lexicon { "a" : S = true ; "b" : S = true ; }
        rules { Concat : S -> S S => reverse(yield) == yield ; }
        """
    for length in [7, 8] {
        var options = CheckOptions(
            notions: [.funct], bounds: EnumerationBounds(maxDepth: length, maxLength: length, maxTerms: 10_000_000))
        options.reportsAmbiguities = false
        if let row = measureCheck("palindromes, max length \(length), N1", palindromes, options) { rows.append(row) }
    }
    // Ambiguity detection on unary recursion, with and without.
    let unary = """
        grammar Unary ; start N ; cat N : int ;
        lexicon { "a" : N = 1 ; "b" : N = 2 ; }
        rules { S : N -> N "s" => N + 1 ; T : N -> "t" N => N ; }
        """
    for ambiguities in [true, false] {
        var options = CheckOptions(notions: [.funct], bounds: EnumerationBounds(maxDepth: 18, maxTerms: 10_000_000))
        options.reportsAmbiguities = ambiguities
        let name = "unary recursion depth 18, N1 " + (ambiguities ? "with" : "without") + " ambiguities"
        if let row = measureCheck(name, unary, options) { rows.append(row) }
    }
    return rows
}
