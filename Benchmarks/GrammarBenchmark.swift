// Grammar benchmark: N1 (functionality / C_local) enumeration + check on fragments of 125k … 1M terms.
//
// The workload lives in the library (`Grammar.FunctionalityBenchmark`). To enable this entry point, add "Grammar"
// to the MontagueBenchmarks target's dependencies in Package.swift and define the compilation condition
// (or delete the #if): `swiftSettings: [.define("MONTAGUE_GRAMMAR_BENCHMARK")]`. Call `printGrammarBenchmark()`
// from main.swift. Target: 1 000 000 terms in under 10 s in release; growth should be linear.
#if MONTAGUE_GRAMMAR_BENCHMARK
import Grammar

/// Prints the N1 benchmark as a Markdown table.
func printGrammarBenchmark() {
    print("## Grammar: N1 enumeration + check (arithmetic mod 10)")
    print(FunctionalityBenchmark.markdownTable(FunctionalityBenchmark.run()))
}
#endif
