/// Imports NLTK feature grammars (`.fcfg`) with `SEM` λ-terms and NLTK valuations (`.val`).
public enum NLTKImporter {
    /// Loads an NLTK grammar and (optionally) a valuation file into an interpreted grammar.
    public static func load(grammarPath: String, valuationPath: String?) throws -> InterpretedGrammar {
        throw GrammarError("NLTK import is not available yet", at: SourceLocation(file: grammarPath, line: 1, column: 1))
    }
}
