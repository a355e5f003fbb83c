// Grammar benchmark: N1 (functionality / C_local) enumeration + check on fragments of 125k … 1M terms.
//
// The workload lives in the library (`Grammar.FunctionalityBenchmark`); `MontagueBenchmarks --grammar` runs it
// (`make bench-grammar`). Target: 1 000 000 terms in under 10 s in release; growth should be linear.
import Grammar

/// Prints the N1 benchmark as a Markdown table.
func printGrammarBenchmark() {
    print("## Grammar: N1 enumeration + check (arithmetic mod 10)")
    print(FunctionalityBenchmark.markdownTable(FunctionalityBenchmark.run()))
}
