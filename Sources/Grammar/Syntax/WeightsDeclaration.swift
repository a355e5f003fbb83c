/// The `weights { … }` block of a probabilistic grammar: a non-negative weight per operation (rule or lexical
/// entry), normalised per mother category into rule probabilities (docs/probabilistic-grammars.md).
///
/// ```
/// weights {
///   default = 1 ;          -- every operation not listed (1 when omitted)
///   Plus = 2 ; Times = 1 ; -- rules by name
///   "0" = 0.5 ;            -- lexical entries by their form
///   "can" : V = 2 ;        -- one entry of a form that has several categories
/// }
/// ```
public struct WeightsDeclaration: Sendable {
    /// What one line of the block weighs.
    public enum Target: Sendable, Equatable {
        /// `default = w ;`: every operation without its own weight.
        case `default`
        /// `Name = w ;`: the rule named `Name`.
        case rule(String)
        /// `"form" = w ;` or `"form" : Cat = w ;`: the lexical entries with this form (of this category).
        case lexical(form: String, category: String?)
    }

    /// One `target = weight ;` line.
    public struct Entry: Sendable {
        /// What is weighed.
        public var target: Target
        /// The weight (finite, non-negative).
        public var weight: Double
        /// Where the line starts.
        public var location: SourceLocation
    }

    /// The lines in writing order (several blocks are concatenated).
    public var entries: [Entry] = []

    /// An empty block.
    public init() {}
}

extension GrammarParser {
    /// `weights { target = number ; … }`
    mutating func parseWeightsDeclaration(into syntax: inout GrammarSyntax) throws(GrammarError) {
        advance()
        var declaration = syntax.weights ?? WeightsDeclaration()
        try expect("{")
        while !isSymbol("}") && current.kind != .endOfFile {
            attempt { p throws(GrammarError) in declaration.entries.append(try p.parseWeightEntry()) }
        }
        try expect("}")
        syntax.weights = declaration
    }

    mutating func parseWeightEntry() throws(GrammarError) -> WeightsDeclaration.Entry {
        let start = here
        let target: WeightsDeclaration.Target
        if current.kind == .string {
            let form = current.text
            advance()
            var category: String?
            if accept(":") { category = try identifier("category").value }
            target = .lexical(form: form, category: category)
        } else {
            let name = try identifier("a rule name, a quoted lexical form or 'default'")
            target = name.value == "default" ? .default : .rule(name.value)
        }
        try expect("=")
        let weight = try parseWeight()
        try expect(";", "after the weight")
        return WeightsDeclaration.Entry(target: target, weight: weight, location: start)
    }

    /// A non-negative decimal number: `2`, `0.25`, `.5` is not accepted (write `0.5`).
    mutating func parseWeight() throws(GrammarError) -> Double {
        guard current.kind == .integer else {
            let found = current.kind == .endOfFile ? "end of file" : "'\(current.text)'"
            throw error("expected a weight (a non-negative number such as 2 or 0.25) but found \(found)")
        }
        let first = current
        var text = current.text
        advance()
        // A fraction must be written without spaces: `0.25`.
        if isSymbol("."), current.line == first.line, current.column == first.column + first.text.count,
            next.kind == .integer, next.line == current.line, next.column == current.column + 1
        {
            advance()
            text += "." + current.text
            advance()
        }
        guard let value = Double(text), value.isFinite else {
            throw error("weight \(text) is too large", at: first)
        }
        return value
    }
}
