import ArgumentParser
import Corpus
import Foundation
import MontagueSupport
import NeuralNet
import TextGeneration

/// `--kl-annealing` of `train sentence-vae`.
extension KLAnnealing: ExpressibleByArgument {
    public init?(argument: String) { self.init(specification: argument) }
    public static var allValueStrings: [String] {
        ["constant:BETA", "linear:STEPS", "sigmoid:RATE,MIDPOINT", "cyclical:PERIOD[,RAMP]"]
    }
}

/// `montague train sentence-vae --train FILE [--valid FILE] --output DIR`: a sentence VAE (Bowman et al. 2016).
struct TrainSentenceVAECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sentence-vae",
        abstract: "Train a sentence VAE (Bowman et al. 2016) on plain text (one sentence per line).",
        discussion: """
            An LSTM encoder gives a diagonal Gaussian posterior over a latent code z; an LSTM decoder conditioned on \
            z (its initial state and every input) reconstructs the sentence. The loss is NLL + β·KL with β annealed \
            (--kl-annealing linear:STEPS, sigmoid:RATE,MIDPOINT as Bowman et al., cyclical:PERIOD[,RAMP] as Fu et \
            al. 2019, or constant:BETA), word dropout on the decoder inputs (--word-dropout) and optional free \
            bits per latent dimension (--free-bits). The run ends by reporting ELBO, reconstruction NLL, KL, active \
            units and the importance-weighted NLL bound (--iw-samples) on --valid (or the training file).

            `montague predict DIR --n 10` samples from the prior (--temperature, --top-k, --top-p; greedy with \
            --beam 1); `predict DIR --input FILE` reconstructs each line; `predict DIR --input FILE --n K` prints \
            the homotopy in K steps between lines 1 and 2, 3 and 4, …; `montague evaluate DIR --data FILE` \
            reports the bounds. Running the same command again continues the run (--steps may grow).

            Examples:
              montague train sentence-vae --train ptb.train.txt --valid ptb.valid.txt --steps 5000 \\
                --kl-annealing sigmoid:0.0025,2500 --word-dropout 0.25 --output runs/svae
              montague predict runs/svae --n 5 --seed 3
            """)

    @Option(name: .long, help: "Training sentences, one per line.")
    var train: String

    @Option(name: .long, help: "Validation sentences.")
    var valid: String?

    @Option(name: .long, help: "The model directory to write.")
    var output: String

    @Option(
        name: .long,
        help: """
            Tokenizer: whitespace (pre-tokenized text), default (Montague's word tokenizer), or subwords: bpe:N, \
            unigram:N (trained on --train) or a tokenizer.json file.
            """)
    var tokenizer = TokenizerSpecification.words(.whitespace)

    @Flag(name: .long, help: "Lowercase tokens.")
    var lowercase = false

    @Option(name: .customLong("min-count"), help: "Tokens seen fewer times become <unk> (default 1).")
    var minimumCount = 1

    @Option(name: .customLong("max-vocabulary"), help: "Largest vocabulary, special tokens included.")
    var maximumVocabulary: Int?

    @Option(name: .customLong("max-length"), help: "Truncate sentences to this many tokens (default 40).")
    var maximumLength = 40

    @Option(name: .long, help: "Embedding width (default 64).")
    var embedding = 64

    @Option(name: .long, help: "LSTM width (default 128).")
    var hidden = 128

    @Option(name: .long, help: "Latent dimensions (default 16).")
    var latent = 16

    @Option(name: .customLong("kl-annealing"), help: "β over training (default linear:2000).")
    var annealing: KLAnnealing = .linear(steps: 2000)

    @Option(name: .customLong("word-dropout"), help: "Decoder input word dropout (default 0.25).")
    var wordDropout: Float = 0.25

    @Option(name: .customLong("free-bits"), help: "Minimum KL per latent dimension in nats (default 0: off).")
    var freeBits: Float = 0

    @Option(name: .customLong("batch-size"), help: "Sentences per step (default 32).")
    var batchSize = 32

    @Option(name: .long, help: "Adam learning rate (default 0.001).")
    var lr: Float = 1e-3

    @Option(name: .long, help: "Clip the gradients' global norm (0: no clipping; default 5).")
    var clip: Float = 5

    @Option(name: .long, help: "Optimizer steps (default 2000).")
    var steps = 2000

    @Option(name: .customLong("eval-every"), help: "Steps between validation measurements and saves (default 200).")
    var evalEvery = 200

    @Option(name: .customLong("iw-samples"), help: "Importance samples of the final NLL bound (default 50).")
    var importanceSamples = 50

    @Option(
        name: .customLong("time-limit"),
        help: "Stop this session after this wall-clock time (90s, 45m, 2h); the same command continues.")
    var timeLimit: WallClockBudget?

    @Option(name: .long, help: "Seed of initialization, data order, noise and dropout.")
    var seed: UInt64 = 0

    @Option(name: .long, help: "Write metrics as JSON lines to this file.")
    var metrics: String?

    func validate() throws {
        for (value, flag) in [
            (minimumCount, "--min-count"), (maximumLength, "--max-length"), (embedding, "--embedding"),
            (hidden, "--hidden"), (latent, "--latent"), (batchSize, "--batch-size"), (evalEvery, "--eval-every"),
            (importanceSamples, "--iw-samples"),
        ] {
            try requirePositive(value, flag)
        }
        try requireNonNegative(steps, "--steps")
        try requirePositive(lr, "--lr")
        try requireNonNegative(clip, "--clip")
        try requireNonNegative(freeBits, "--free-bits")
        if !(0..<1).contains(wordDropout) { throw ValidationError("--word-dropout must be in [0, 1)") }
        if let maximumVocabulary, maximumVocabulary < 5 { throw ValidationError("--max-vocabulary must be ≥ 5") }
    }

    func run() throws {
        let recipe = SentenceVAERecipe(
            tokenization: tokenizer.words, subwords: tokenizer.subwords, lowercase: lowercase,
            minimumCount: minimumCount,
            maximumVocabulary: maximumVocabulary, maximumLength: maximumLength, embeddingSize: embedding,
            hiddenSize: hidden, latentSize: latent,
            objective: SentenceVAEObjective(annealing: annealing, wordDropout: wordDropout, freeBits: freeBits),
            batchSize: batchSize, learningRate: lr, maxGradientNorm: clip, steps: steps, evaluationInterval: evalEvery,
            importanceSamples: importanceSamples, seed: seed)
        Interruption.install()
        let summary = try SentenceVAERun.train(
            recipe, trainPath: train, validPath: valid, output: ModelDirectory(path: output),
            metricsURL: metrics.map { URL(fileURLWithPath: $0) }, progress: ProgressReporter(totalSteps: steps),
            timeLimit: timeLimit?.seconds, shouldStop: { Interruption.isRequested })
        print(
            "trained \(summary.steps) steps on \(summary.trainingSentences) sentences, vocabulary \(summary.vocabularySize)"
        )
        if let stop = summary.stop {
            print("stopped (\(stop.rawValue)) after step \(summary.steps); the same command continues the run")
        }
        let e = summary.evaluation
        print(
            String(
                format: "%@: ELBO %.3f  reconstruction %.3f  KL %.3f  active units %d  IW NLL %.3f (k=%d)  "
                    + "IW perplexity %.2f", valid == nil ? "train" : "valid", e.elbo, e.reconstruction, e.kl,
                e.activeUnits, e.importanceWeightedNLL, e.samples, e.perplexity))
        print("model: \(output)")
    }
}
