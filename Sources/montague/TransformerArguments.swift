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

extension LearningRateScheduleKind: ExpressibleByArgument {}

/// `--lr-schedule constant|warmup-inverse-sqrt|warmup-cosine --warmup-steps N` (`train lm`, `train seq2seq`): the
/// learning rate given by `--lr` becomes the schedule's peak.
struct LearningRateScheduleArguments: ParsableArguments {
    @Option(
        name: .customLong("lr-schedule"),
        help: """
            Learning-rate schedule: constant (the default), warmup-inverse-sqrt (linear warm-up to --lr, then \
            ∝ 1/√step; Vaswani et al. 2017) or warmup-cosine (linear warm-up, then cosine decay to 0 at the last step).
            """)
    var lrSchedule: LearningRateScheduleKind?

    @Option(name: .customLong("warmup-steps"), help: "Steps of linear warm-up of --lr-schedule (default 0).")
    var warmupSteps: Int?

    func validate() throws {
        if let warmupSteps, warmupSteps < 0 {
            throw ValidationError("--warmup-steps must not be negative, got \(warmupSteps)")
        }
        if warmupSteps != nil, lrSchedule == .constant {
            throw ValidationError("--warmup-steps needs --lr-schedule warmup-inverse-sqrt or warmup-cosine")
        }
    }
}

/// The sizes and choices of a Transformer (`--arch transformer` of `train seq2seq`, `train lm`, `train seqgan`):
/// `--model-size`, `--heads`, `--feed-forward`, `--positions`, `--norm`, `--activation`.
struct TransformerSizeArguments: ParsableArguments {
    @Option(name: .customLong("model-size"), help: "Transformer: model size d_model (default 128).")
    var modelSize: Int?

    @Option(name: .long, help: "Transformer: attention heads, dividing the model size (default 4).")
    var heads: Int?

    @Option(
        name: .customLong("feed-forward"),
        help: "Transformer: inner size of the feed-forward blocks (default 4 × model size).")
    var feedForward: Int?

    @Option(name: .long, help: "Transformer: position encoding (default sinusoidal).")
    var positions: PositionalEncodingKind?

    @Option(name: .long, help: "Transformer: layer norm placement (default pre-norm).")
    var norm: TransformerNormPlacement?

    @Option(name: .long, help: "Transformer: feed-forward activation (default relu).")
    var activation: TransformerActivation?

    func validate() throws {
        if let modelSize { try requirePositive(modelSize, "--model-size") }
        if let heads { try requirePositive(heads, "--heads") }
        if let feedForward { try requirePositive(feedForward, "--feed-forward") }
    }

    /// The flags given, by name (each applies only to a Transformer).
    var givenFlags: [String] {
        [
            (modelSize != nil, "--model-size"), (heads != nil, "--heads"), (feedForward != nil, "--feed-forward"),
            (positions != nil, "--positions"), (norm != nil, "--norm"), (activation != nil, "--activation"),
        ].filter(\.0).map(\.1)
    }

    /// `base` with every flag given applied. A model size without `--feed-forward` also sets the feed-forward size
    /// to 4 × the model size, unless `keepsFeedForward` (a resumed run keeps its recorded size).
    func applied(to base: Seq2SeqTransformerSettings, keepsFeedForward: Bool = false) -> Seq2SeqTransformerSettings {
        var transformer = base
        if let modelSize {
            transformer.modelSize = modelSize
            if !keepsFeedForward { transformer.feedForwardSize = 4 * modelSize }
        }
        transformer.headCount = heads ?? transformer.headCount
        transformer.feedForwardSize = feedForward ?? transformer.feedForwardSize
        transformer.positionalEncoding = positions ?? transformer.positionalEncoding
        transformer.normPlacement = norm ?? transformer.normPlacement
        transformer.activation = activation ?? transformer.activation
        return transformer
    }
}

/// A decoder-only Transformer's sizes and choices (`train lm --arch transformer`, `train seqgan --arch
/// transformer`): ``TransformerSizeArguments`` and `--no-tie`.
struct DecoderTransformerArguments: ParsableArguments {
    @OptionGroup var size: TransformerSizeArguments

    @Flag(
        name: .customLong("no-tie"),
        help: "Transformer: a separate output layer instead of the transposed embedding (Press & Wolf 2017).")
    var noTie = false

    /// The flags given, by name (each applies only to a Transformer).
    var givenFlags: [String] { size.givenFlags + (noTie ? ["--no-tie"] : []) }

    /// The defaults with every flag given applied.
    var settings: Seq2SeqTransformerSettings {
        var transformer = size.applied(to: Seq2SeqTransformerSettings())
        transformer.tiesEmbeddings = !noTie
        return transformer
    }
}
