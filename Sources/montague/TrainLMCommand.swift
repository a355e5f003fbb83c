import ArgumentParser
import Corpus
import Distributed
import Foundation
import MontagueSupport
import NeuralNet
import TextGeneration

extension TextTokenization: ExpressibleByArgument {}

/// `--tokenizer` of the plain-text trainers (`train lm`, `train sentence-vae`, `train style-transfer`): the
/// recipe's word tokenization and subword specification.
extension TokenizerSpecification {
    /// The word tokenization of a recipe: the given one for words; whitespace under subwords (the pieces are the
    /// tokens).
    var words: TextTokenization {
        switch self {
        case .words(.whitespace), .subwords: .whitespace
        case .words: .default
        }
    }

    /// The subword specification a recipe records (`bpe:N`, `unigram:N`, a tokenizer.json path); nil for words.
    var subwords: String? {
        if case .subwords = self { return description }
        return nil
    }
}

extension LanguageModelArchitecture: ExpressibleByArgument {}

/// `montague train lm --train FILE [--valid FILE] --output DIR`: an LSTM, GRU or decoder-only Transformer language
/// model on words or subwords.
struct TrainLMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lm",
        abstract: "Train an LSTM, GRU or Transformer language model on plain text (one sentence per line).",
        discussion: """
            Sentences are read one per line and tokenized on whitespace (pre-tokenized corpora), by Montague's \
            word tokenizer (--tokenizer default), or into subwords (--tokenizer bpe:8000, unigram:8000, or a \
            tokenizer.json; the tokenizer is saved in the model directory); each is trained with a beginning and an \
            end token. --arch lstm (default) or gru stacks recurrent layers (--embedding, --hidden); --arch \
            transformer is a decoder-only Transformer with a causal mask (--model-size, --heads, --feed-forward, \
            --positions, --norm, --activation; the output layer is the transposed embedding unless --no-tie). \
            The model directory (--output) holds the manifest, weights, vocabulary and training state: the same \
            command again continues a stopped run (same flags; --steps may grow); --time-limit stops a session \
            cleanly (saved, continued by the same command). Sample with `montague predict DIR --n 10`, measure \
            perplexity with `montague evaluate DIR --data FILE`.

            Batches: --batch-size sentences, or --batch-tokens N (sentences of similar length, at most N padded \
            tokens per batch); --accumulate K sums the gradients of K batches per optimizer step. \
            --scheduled-sampling feeds the model's own predictions back as inputs with a decaying probability \
            (Bengio et al. 2015): constant:EPS, linear:START,SLOPE,MIN, exponential:K[,MIN], inverse-sigmoid:K \
            (EPS is the probability of the gold token). --sampled-softmax K trains every architecture with a \
            sampled softmax (Jean et al. 2015) of K candidates drawn uniformly per batch; evaluation and sampling \
            use the full softmax. --lr-schedule warmup-inverse-sqrt or warmup-cosine (--warmup-steps N) warms Adam's \
            rate up to --lr and then decays it (Vaswani et al. 2017; cosine to 0 at the last step).

            Examples:
              montague train lm --train corpus.txt --valid dev.txt --steps 2000 --output runs/lm
              montague train lm --train corpus.txt --valid dev.txt --steps 4000 --output runs/lm   # continues
              montague train lm --arch transformer --tokenizer bpe:4000 --layers 2 --model-size 128 \\
                --train corpus.txt --valid dev.txt --time-limit 20m --output runs/tlm
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
    var tokenizer = TokenizerSpecification.words(.whitespace)

    @Flag(name: .long, help: "Lowercase tokens.")
    var lowercase = false

    @Option(name: .customLong("min-count"), help: "Tokens seen fewer times become <unk>.")
    var minCount = 1

    @Option(name: .customLong("max-vocabulary"), help: "Largest vocabulary, special tokens included.")
    var maxVocabulary: Int?

    @Option(name: .customLong("max-length"), help: "Truncate training sentences to this many tokens.")
    var maxLength = 50

    @Option(name: .long, help: "Network: lstm, gru or transformer.")
    var arch: LanguageModelArchitecture = .lstm

    @Option(name: .long, help: "Recurrent: embedding size.")
    var embedding = 64

    @Option(name: .long, help: "Recurrent: hidden size.")
    var hidden = 128

    @Option(name: .long, help: "Stacked layers (default 1; Transformer 2).")
    var layers: Int?

    @OptionGroup var transformer: DecoderTransformerArguments

    @Option(name: .long, help: "Dropout probability in training.")
    var dropout: Float = 0

    @Option(name: .customLong("batch-size"), help: "Sentences per step (per rank under mpirun).")
    var batchSize = 32

    @Option(
        name: .customLong("batch-tokens"),
        help: "Batches of sentences of similar length with at most this many padded tokens (instead of --batch-size).")
    var batchTokens: Int?

    @Option(name: .long, help: "Batches whose gradients are summed into one optimizer step.")
    var accumulate = 1

    @Option(name: .long, help: "Adam learning rate.")
    var lr: Float = 2e-3

    @OptionGroup var schedule: LearningRateScheduleArguments

    @Option(name: .long, help: "Clip the gradients' global norm (0: no clipping).")
    var clip: Float = 5

    @Option(name: .customLong("scheduled-sampling"), help: "Scheduled-sampling decay of ε (see the discussion).")
    var scheduledSampling: ScheduledSampling?

    @Option(name: .customLong("sampling-choice"), help: "Fed-back prediction in scheduled sampling (default argmax).")
    var samplingChoice: ScheduledSamplingChoice = .argmax

    @Option(
        name: .customLong("sampled-softmax"),
        help: "Train with a sampled softmax of this many uniform candidates per batch (evaluation: full softmax).")
    var sampledSoftmax: Int?

    @Option(name: .long, help: "Total optimizer steps.")
    var steps = 1000

    @Option(name: .customLong("eval-every"), help: "Steps between validation measurements and checkpoints.")
    var evalEvery = 200

    @Option(
        name: .customLong("time-limit"),
        help: "Stop this session after this wall-clock time (90s, 45m, 2h); the same command continues.")
    var timeLimit: WallClockBudget?

    @Option(name: .long, help: "Seed of initialization, data order and dropout.")
    var seed: UInt64 = 0

    @Option(name: .long, help: "Write metrics as JSON lines to this file.")
    var metrics: String?

    @Option(
        name: .customLong("word-vectors"),
        help: """
            Start the token embeddings of a new run from pretrained vectors (word2vec or GloVe text format); their \
            dimension must be the embedding width (--embedding, or --model-size for the Transformer).
            """)
    var wordVectors: String?

    func validate() throws {
        if let layers { try requirePositive(layers, "--layers") }
        if let batchTokens { try requirePositive(batchTokens, "--batch-tokens") }
        try requirePositive(accumulate, "--accumulate")
        if let sampledSoftmax {
            try requirePositive(sampledSoftmax, "--sampled-softmax")
            if scheduledSampling != nil {
                throw ValidationError("--sampled-softmax and --scheduled-sampling cannot be combined")
            }
        }
        if schedule.warmupSteps != nil, (schedule.lrSchedule ?? .constant) == .constant {
            throw ValidationError("--warmup-steps needs --lr-schedule warmup-inverse-sqrt or warmup-cosine")
        }
        if arch != .transformer, let flag = transformer.givenFlags.first {
            throw ValidationError("\(flag) applies only to --arch transformer")
        }
    }

    /// The recipe the flags describe.
    func recipe() -> LanguageModelRecipe {
        var recipe = LanguageModelRecipe(
            tokenization: tokenizer.words, subwords: tokenizer.subwords, lowercase: lowercase, minimumCount: minCount,
            maximumVocabulary: maxVocabulary, maximumLength: maxLength, embeddingSize: embedding, hiddenSize: hidden,
            layerCount: layers ?? (arch == .transformer ? 2 : 1), dropout: dropout, batchSize: batchSize,
            learningRate: lr, maxGradientNorm: clip, steps: steps, evaluationInterval: evalEvery, seed: seed,
            architecture: arch, transformer: transformer.settings, accumulationSteps: accumulate,
            batchTokens: batchTokens,
            scheduledSampling: scheduledSampling ?? .teacherForcing, samplingChoice: samplingChoice,
            sampledSoftmaxCount: sampledSoftmax)
        if let kind = schedule.lrSchedule, kind != .constant {
            recipe.learningRateSchedule = kind
            recipe.warmupSteps = schedule.warmupSteps ?? 0
        }
        return recipe
    }

    func run() throws {
        // Under mpirun every rank trains on its shard; without it, one process as always (docs/distributed.md).
        let world = try ProcessGroup.world()
        if world.size > 1 && batchTokens != nil {
            throw ValidationError("--batch-tokens is not sharded across ranks under mpirun; use --batch-size")
        }
        let rankOutput = RankOutput(path: output, group: world)
        defer { rankOutput.removeScratch() }
        if world.size > 1 && world.isMainRank {
            print("data-parallel training on \(world.size) ranks (\(world.backendDescription))")
        }
        let recipe = self.recipe()
        let vectors = try wordVectors.map { try WordVectors.load(URL(fileURLWithPath: $0)) }
        if world.isMainRank,
            let change = LanguageModelRun.replannedSchedule(recipe, output: ModelDirectory(path: output))
        {
            print(
                "note: the warmup-cosine decay was planned over \(change.previousSteps) steps and is now planned over "
                    + "\(change.steps); the learning rate jumps where the run resumes")
        }
        Interruption.install()
        var trained: LanguageModelRun.Summary?
        try world.runTraining(cleanup: rankOutput.removeScratch) {
            trained = try LanguageModelRun.train(
                recipe, trainPath: train, validPath: valid, output: ModelDirectory(path: rankOutput.path),
                metricsURL: world.isMainRank ? metrics.map { URL(fileURLWithPath: $0) } : nil,
                progress: world.isMainRank ? ProgressReporter(totalSteps: steps) : nil, timeLimit: timeLimit?.seconds,
                shouldStop: { Interruption.isRequested },
                synchronizer: world.size > 1 ? DataParallelSynchronizer(group: world) : nil, wordVectors: vectors)
        }
        guard world.isMainRank, let summary = trained else { return }
        print(
            "trained \(summary.steps) steps on \(summary.trainingSentences) sentences, vocabulary \(summary.vocabularySize)"
        )
        if let found = summary.pretrainedEmbeddings, let wordVectors {
            print("embeddings: \(found) of \(summary.vocabularySize) vocabulary entries from \(wordVectors)")
        }
        if let stop = summary.stop {
            print("stopped (\(stop.rawValue)) after step \(summary.steps); the same command continues the run")
        }
        if let loss = summary.trainingLoss { print(String(format: "training loss %.4f", loss)) }
        if let perplexity = summary.validationPerplexity {
            print(String(format: "validation perplexity %.2f on %d sentences", perplexity, summary.validationSentences))
        }
        print("model: \(output)")
    }
}
