import ArgumentParser
import Distributed
import Foundation
import NeuralNet
import TextGeneration

extension TextTokenization: ExpressibleByArgument {}

/// `--tokenizer` of `train lm`: words (`whitespace`, `default`) or subwords (`bpe:N`, `unigram:N`, a
/// `tokenizer.json`).
struct LanguageModelTokenizerChoice: ExpressibleByArgument {
    /// The word tokenization (used when `subwords` is nil).
    var words: TextTokenization = .whitespace
    /// The subword specification text.
    var subwords: String?

    init?(argument: String) {
        if let words = TextTokenization(rawValue: argument) {
            self.words = words
        } else if argument.hasPrefix("bpe:") || argument.hasPrefix("unigram:") || argument.hasSuffix(".json") {
            subwords = argument
        } else {
            return nil
        }
    }

    init(words: TextTokenization) { self.words = words }

    static var defaultValueDescription: String { "whitespace" }
}

/// `montague train lm --train FILE [--valid FILE] --output DIR`: a word-level LSTM language model.
struct TrainLMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lm",
        abstract: "Train a word-level LSTM language model on plain text (one sentence per line).",
        discussion: """
            Sentences are read one per line and tokenized on whitespace (pre-tokenized corpora), by Montague's \
            word tokenizer (--tokenizer default), or into subwords (--tokenizer bpe:8000, unigram:8000, or a \
            tokenizer.json; the tokenizer is saved in the model directory); each is trained with a beginning and an end token. The model \
            directory (--output) holds the manifest, weights, vocabulary and training state: the same command \
            again continues a stopped run (same flags; --steps may grow), sample with `montague predict DIR --n 10`, measure \
            perplexity with `montague evaluate DIR --data FILE`.

            Examples:
              montague train lm --train corpus.txt --valid dev.txt --steps 2000 --output runs/lm
              montague train lm --train corpus.txt --valid dev.txt --steps 4000 --output runs/lm   # continues
              mpirun -np 2 montague train lm --train corpus.txt --output runs/lm   # data-parallel, docs/distributed.md
            """)

    @Option(name: .long, help: "Training sentences, one per line.")
    var train: String

    @Option(name: .long, help: "Validation sentences (perplexity every --eval-every steps).")
    var valid: String?

    @Option(name: .long, help: "The model directory to write.")
    var output: String

    @Option(
        name: .long,
        help: """
            whitespace (pre-tokenized text), default (Montague's word tokenizer), bpe:N or unigram:N (a subword \
            tokenizer of N tokens trained on --train), or a Hugging Face tokenizer.json.
            """)
    var tokenizer = LanguageModelTokenizerChoice(words: .whitespace)

    @Flag(name: .long, help: "Lowercase tokens.")
    var lowercase = false

    @Option(name: .customLong("min-count"), help: "Tokens seen fewer times become <unk>.")
    var minCount = 1

    @Option(name: .customLong("max-vocabulary"), help: "Largest vocabulary, special tokens included.")
    var maxVocabulary: Int?

    @Option(name: .customLong("max-length"), help: "Truncate training sentences to this many tokens.")
    var maxLength = 50

    @Option(name: .long, help: "Embedding size.")
    var embedding = 64

    @Option(name: .long, help: "LSTM hidden size.")
    var hidden = 128

    @Option(name: .long, help: "Stacked LSTM layers.")
    var layers = 1

    @Option(name: .long, help: "Dropout probability in training.")
    var dropout: Float = 0

    @Option(name: .customLong("batch-size"), help: "Sentences per step (per rank under mpirun).")
    var batchSize = 32

    @Option(name: .long, help: "Adam learning rate.")
    var lr: Float = 2e-3

    @Option(name: .long, help: "Clip the gradients' global norm (0: no clipping).")
    var clip: Float = 5

    @Option(name: .long, help: "Total optimizer steps.")
    var steps = 1000

    @Option(name: .customLong("eval-every"), help: "Steps between validation measurements and checkpoints.")
    var evalEvery = 200

    @Option(name: .long, help: "Seed of initialization, data order and dropout.")
    var seed: UInt64 = 0

    @Option(name: .long, help: "Write metrics as JSON lines to this file.")
    var metrics: String?

    func run() throws {
        // Under mpirun every rank trains on its shard; without it, one process as always (docs/distributed.md).
        let world = try ProcessGroup.world()
        let rankOutput = RankOutput(path: output, group: world)
        defer { rankOutput.removeScratch() }
        if world.size > 1 && world.isMainRank {
            print("data-parallel training on \(world.size) ranks (\(world.backendDescription))")
        }
        let recipe = LanguageModelRecipe(
            tokenization: tokenizer.words, subwords: tokenizer.subwords, lowercase: lowercase, minimumCount: minCount,
            maximumVocabulary: maxVocabulary,
            maximumLength: maxLength, embeddingSize: embedding, hiddenSize: hidden, layerCount: layers,
            dropout: dropout, batchSize: batchSize, learningRate: lr, maxGradientNorm: clip, steps: steps,
            evaluationInterval: evalEvery, seed: seed)
        let summary: LanguageModelRun.Summary
        do {
            summary = try LanguageModelRun.train(
                recipe, trainPath: train, validPath: valid, output: ModelDirectory(path: rankOutput.path),
                metricsURL: world.isMainRank ? metrics.map { URL(fileURLWithPath: $0) } : nil,
                progress: world.isMainRank ? ProgressReporter(totalSteps: steps) : nil,
                synchronizer: world.size > 1 ? DataParallelSynchronizer(group: world) : nil)
            try world.finalize()
        } catch  where world.size > 1 {
            // The other ranks may wait in a collective call: stop them all, with this rank's message.
            rankOutput.removeScratch()
            world.abortJob(message: CommandFailure.message(for: error))
        }
        guard world.isMainRank else { return }
        print(
            "trained \(summary.steps) steps on \(summary.trainingSentences) sentences, vocabulary \(summary.vocabularySize)"
        )
        if let loss = summary.trainingLoss { print(String(format: "training loss %.4f", loss)) }
        if let perplexity = summary.validationPerplexity {
            print(String(format: "validation perplexity %.2f on %d sentences", perplexity, summary.validationSentences))
        }
        print("model: \(output)")
    }
}
