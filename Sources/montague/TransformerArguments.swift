import ArgumentParser
import Corpus
import NeuralNet

// Command-line spellings of the Transformer choices (shared by every command with `--arch transformer`).
extension Seq2SeqArchitecture: ExpressibleByArgument {}
extension PositionalEncodingKind: ExpressibleByArgument {}
extension TransformerNormPlacement: ExpressibleByArgument {}
extension TransformerActivation: ExpressibleByArgument {}
extension Seq2SeqParallelFormat: ExpressibleByArgument {}

/// `--tokenizer default|whitespace|bpe:N|unigram:N|FILE.json` for any command (parsed by Corpus's
/// ``TokenizerSpecification``).
extension TokenizerSpecification: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
    public static var allValueStrings: [String] { spellings }
    public var defaultValueDescription: String { description }
}
