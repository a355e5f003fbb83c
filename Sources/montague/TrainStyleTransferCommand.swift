import ArgumentParser
import Corpus
import Distributed
import Foundation
import MontagueSupport
import NeuralNet
import TextGeneration

extension StyleTransferMethod: ExpressibleByArgument {}
extension GeneratorTraining: ExpressibleByArgument {}
extension DualRLContentReward: ExpressibleByArgument {}
extension MarkerEditStyleScorer: ExpressibleByArgument {}
extension MarkerEditSearch: ExpressibleByArgument {}
extension DualRLStyleReward: ExpressibleByArgument {}
extension DualRLBaseline: ExpressibleByArgument {}
extension DualRLPseudoPairSource: ExpressibleByArgument {}

/// `montague train style-transfer --style NAME=FILE --style NAME=FILE --output DIR`.
struct TrainStyleTransferCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "style-transfer",
        abstract: "Train a text style-transfer model on non-parallel corpora of two or more styles.",
        discussion: """
            Each --style names a style and a plain-text file of its sentences (one per line); or --corpus reads \
            one labelled corpus (XML through the Corpus module's profiles, e.g. --unit review/text --label \
            review@sentiment) whose label values are the styles. A held-out part of \
            each style is kept for validation, and a TextCNN style classifier (Kim 2014) is trained for \
            evaluation, with one small language model per style that measures the fluency of transferred sentences \
            (--lm-steps). Methods: template — delete the source's attribute markers (n-grams whose salience for \
            its style reaches --threshold), retrieve the target-style sentence with the most similar content and \
            insert its markers (Li et al. 2018, TemplateBased); retrieve-only — output the retrieved sentence; \
            cross-aligned — the cross-aligned autoencoder of Shen et al. 2017 (a GRU encoder-decoder whose \
            decoder hidden states are aligned across styles by adversarial discriminators), trained for --steps \
            or --time-limit, keeping the weights with the best validation GM; the same command again continues \
            the run; back-translation — the same encoder-decoder trained by denoising and back-translation \
            without discriminators (Lample et al. 2019), with --arch transformer a Transformer encoder-decoder \
            whose decoder starts from a target-style token (dropout 0.1 unless --dropout is given); cycle — direct transformation with one TextCNN \
            discriminator per style and cycle consistency, the generator learning through Gumbel-softmax or \
            policy gradient (--generator-training); common-space — a shared latent space with a hidden-space \
            discriminator, cycle and semantic consistency; stargan — one label-controlled generator for two or \
            more styles and a discriminator that also classifies the style (Choi et al. 2018); conditional — a \
            conditional GAN from noise and a style label with mismatched-pair negatives; dual-rl — two attentive \
            copy seq2seq models, one per direction, warm-started for --pretrain-steps on pseudo-parallel pairs made \
            by the template method (or marker-edit: --pseudo-pair-source) and then trained by dual reinforcement learning, rewarded by the classifier's \
            target-style probability and by the other model's probability of restoring the source (Luo et al. \
            2019); with --arch transformer the two are Transformer encoder-decoders; marker-edit — the source's \
            markers replaced one at a time by the retrieved or frequent target marker (or deletion) that the \
            classifier and a target-style trigram model score best (after Li et al. 2018). --classifier-from DIR \
            reuses an earlier model's classifier. Then `montague predict DIR --to STYLE < input.txt` and \
            `montague evaluate DIR` (target-style accuracy, source-BLEU, reference BLEU with --refs, perplexity).

            Examples:
              montague train style-transfer --style neg=sentiment.train.0 --style pos=sentiment.train.1 --output runs/yelp
              montague train style-transfer --style modern=train.modern --style original=train.original \\
                --method template --threshold 5 --output runs/shakespeare
              montague train style-transfer --style neg=sentiment.train.0 --style pos=sentiment.train.1 \\
                --method cross-aligned --time-limit 20m --metrics runs/yelp-ca.jsonl --output runs/yelp-ca
              montague train style-transfer --style neg=sentiment.train.0 --style pos=sentiment.train.1 \
                --method cycle --classifier-from runs/yelp --time-limit 20m --output runs/yelp-cycle
            """)

    @Option(name: .long, help: "A style and its sentences, NAME=FILE (repeatable; at least two styles).")
    var style: [String] = []

    @Option(
        name: .long,
        help: """
            A labelled corpus instead of --style files (repeatable: XML read through its profile, or plain text): \
            each text unit's style is the value of its label (--style-label).
            """)
    var corpus: [String] = []

    @Option(help: "Format profile of --corpus: auto, tei, bosak, tmx, generic.")
    var profile: String = "auto"

    @Option(help: "Generic profile of --corpus: the element path of text units (repeatable, e.g. review/text).")
    var unit: [String] = []

    @Option(help: "Generic profile of --corpus: an attribute that becomes a label, [name=][path]@attribute.")
    var label: [String] = []

    @Option(
        name: .customLong("style-label"),
        help: "The label of --corpus units whose value is the style (default: the units' only label).")
    var styleLabel: String?

    @Option(
        name: .long,
        help: """
            template, retrieve-only, cross-aligned, back-translation, cycle, common-space, stargan, conditional, \
            dual-rl or marker-edit.
            """)
    var method: StyleTransferMethod = .template

    @Option(name: .long, help: "The model directory to write.")
    var output: String

    @Option(
        name: .long,
        help: """
            Tokenizer: whitespace (pre-tokenized text), default (Montague's word tokenizer), or subwords: bpe:N, \
            unigram:N (trained on the style files) or a tokenizer.json file.
            """)
    var tokenizer = TokenizerSpecification.words(.whitespace)

    @Flag(name: .long, help: "Lowercase tokens.")
    var lowercase = false

    @Option(name: .customLong("max-length"), help: "Longest sentence kept, in tokens.")
    var maxLength = 50

    @Option(
        name: .customLong("valid-fraction"), help: "Fraction of each style held out for validation (at most 1,000).")
    var validFraction = 0.01

    @Option(name: .customLong("marker-order"), help: "Longest attribute marker (n-gram order).")
    var markerOrder = 4

    @Option(name: .long, help: "Salience threshold γ of attribute markers.")
    var threshold = 15.0

    @Option(name: .customLong("classifier-epochs"), help: "Epochs of the evaluation classifier (0: none).")
    var classifierEpochs = 2

    @Option(
        name: .customLong("classifier-from"),
        help: """
            Reuse the style classifier (and language models) of this earlier style-transfer model directory instead \
            of training them; its styles, tokenizer and lowercasing must match this run's.
            """)
    var classifierFrom: String?

    @Option(
        name: .customLong("classifier-word-vectors"),
        help: """
            Start the TextCNN classifier's embeddings from pretrained vectors (word2vec or GloVe text format; the \
            embedding width becomes their dimension).
            """)
    var classifierWordVectors: String?

    @Option(
        name: .customLong("lm-steps"),
        help: "Steps of each style's language model, which measures the fluency of outputs in evaluate (0: none).")
    var lmSteps = 300

    @Option(
        name: .customLong("edit-lm-weight"),
        help: "marker-edit: weight of the target style's trigram language model in a candidate edit's score (1).")
    var editLMWeight: Double?

    @Option(
        name: .customLong("edit-insertion-penalty"),
        help: "marker-edit: score subtracted per inserted word of a candidate edit (1; 0.5 with left-to-right).")
    var editInsertionPenalty: Double?

    @Option(
        name: .customLong("edit-style-scorer"),
        help: """
            marker-edit: what scores a candidate's style: language-models (default: the styles' trigram models as a \
            naive-Bayes classifier, so the TextCNN evaluate reports stays independent) or classifier (that TextCNN).
            """)
    var editStyleScorer: MarkerEditStyleScorer?

    @Option(
        name: .customLong("edit-search"),
        help: """
            marker-edit: which marker spans are edited: minimal (default: the fewest spans whose edit flips the \
            style by the style scorer; the others are kept) or left-to-right (every span, in order).
            """)
    var editSearch: MarkerEditSearch?

    @Option(
        name: .customLong("edit-flip-margin"),
        help: "marker-edit --edit-search minimal: a candidate is flipped when P(target) ≥ σ(margin) (5).")
    var editFlipMargin: Double?

    @Option(
        name: .customLong("edit-max-edits"),
        help: "marker-edit --edit-search minimal: most marker spans edited (3).")
    var editMaxEdits: Int?

    @Flag(
        name: .customLong("edit-negation"), inversion: .prefixedNo,
        help: """
            marker-edit --edit-search minimal: a span may also be negated ("not" before it) or lose its leading \
            negation (default: on).
            """)
    var editNegation: Bool?

    @Option(name: .customLong("bleu-tokenizer"), help: "BLEU tokenizer for evaluate: none (pre-tokenized) or 13a.")
    var bleuTokenizer: BLEUTokenizer = .none

    @Option(name: .long, help: "Seed of the split and the classifier.")
    var seed: UInt64 = 0

    @OptionGroup(title: "cross-aligned") var neural: CrossAlignedOptions

    func run() throws {
        // Under mpirun every rank trains the network on its part of each batch; rank 0 writes the model directory,
        // the other ranks a scratch directory deleted at the end (docs/distributed.md).
        let world = try ProcessGroup.world()
        let rankOutput = RankOutput(path: output, group: world)
        defer { rankOutput.removeScratch() }
        try world.runTraining(cleanup: rankOutput.removeScratch) { try train(world: world, output: rankOutput.path) }
    }

    private func train(world: ProcessGroup, output: String) throws {
        if world.size > 1 && world.isMainRank {
            print("data-parallel training on \(world.size) ranks (\(world.backendDescription))")
        }
        if classifierWordVectors != nil && (classifierFrom != nil || classifierEpochs == 0) {
            throw ValidationError(
                "--classifier-word-vectors needs a classifier trained here (--classifier-epochs ≥ 1, "
                    + "no --classifier-from)")
        }
        let files = try style.map(StyleCorpus.parseSpecification)
        if neural.arch == .transformer && method != .dualRL && method != .backTranslation {
            throw ValidationError(
                "--arch transformer applies to --method back-translation and --method dual-rl only"
                    + (method == .crossAligned
                        ? " (cross-aligned aligns the GRU decoder's states under soft decoding from one content "
                            + "vector; an attention decoder has no such bottleneck, see docs/text-generation.md)"
                        : ""))
        }
        var recipe = StyleTransferRecipe(
            method: method, tokenization: tokenizer.words, lowercase: lowercase, maximumLength: maxLength,
            validationFraction: validFraction, markerOrder: markerOrder, markerThreshold: threshold,
            bleuTokenizer: bleuTokenizer, seed: seed,
            crossAligned: method.isNeural
                ? try neural.settings(seed: seed, method: method, storedDropout: storedDropout(output: output)) : nil,
            languageModels: lmSteps > 0 ? StyleLanguageModels.Settings(steps: lmSteps) : nil)
        recipe.subwords = tokenizer.subwords
        if method == .markerEdit {
            // The minimal-edit search with its validation-chosen setting unless --edit-search left-to-right is
            // asked for, which keeps the plain method's own defaults (insertion penalty 0.5).
            let defaults: MarkerEditSettings =
                editSearch == .leftToRight ? MarkerEditSettings() : .minimalEdits
            recipe.markerEdit = MarkerEditSettings(
                languageModelWeight: editLMWeight ?? defaults.languageModelWeight,
                insertionPenalty: editInsertionPenalty ?? defaults.insertionPenalty,
                styleScorer: editStyleScorer ?? defaults.styleScorer, search: editSearch ?? defaults.search,
                flipMargin: editFlipMargin ?? defaults.flipMargin, maximumEdits: editMaxEdits ?? defaults.maximumEdits,
                negation: editNegation ?? defaults.negation)
            if recipe.markerEdit?.search != .minimal
                && (editFlipMargin != nil || editMaxEdits != nil || editNegation != nil)
            {
                throw ValidationError(
                    "--edit-flip-margin, --edit-max-edits and --edit-negation apply to --edit-search minimal only")
            }
        } else if editLMWeight != nil || editInsertionPenalty != nil || editStyleScorer != nil || editSearch != nil
            || editFlipMargin != nil || editMaxEdits != nil || editNegation != nil
        {
            throw ValidationError(
                "--edit-lm-weight, --edit-insertion-penalty, --edit-style-scorer, --edit-search, --edit-flip-margin, "
                    + "--edit-max-edits and --edit-negation apply to --method marker-edit only")
        }
        var units: (loader: CorpusLoader, label: String?)?
        if !corpus.isEmpty {
            guard let kind = ProfileKind(rawValue: profile) else {
                throw ValidationError(
                    "unknown profile '\(profile)': use one of "
                        + ProfileKind.allCases.map(\.rawValue).joined(separator: ", ")
                )
            }
            let generic =
                unit.isEmpty && label.isEmpty && kind != .generic
                ? nil : try GenericProfileSpecification(units: unit, labels: label)
            let loader = try CorpusLoader(
                paths: corpus, options: CorpusLoadOptions(profile: ProfileConfiguration(kind: kind, generic: generic)))
            units = (loader, styleLabel)
        }
        Interruption.install()
        let summary = try StyleTransferRun.train(
            recipe, files: files, output: ModelDirectory(path: output), units: units,
            classifierEpochs: classifierEpochs,
            classifierWordVectors: try classifierWordVectors.map { try WordVectors.load(URL(fileURLWithPath: $0)) },
            timeLimit: neural.timeLimit?.seconds,
            metricsURL: neural.metrics.flatMap { world.isMainRank ? URL(fileURLWithPath: $0) : nil },
            evaluators: try classifierFrom.map { try StyleEvaluatorSource.load(from: ModelDirectory(path: $0)) },
            log: { if world.isMainRank { FileHandle.standardError.write(Data(($0 + "\n").utf8)) } },
            synchronizer: world.size > 1 ? DataParallelSynchronizer(group: world) : nil,
            shouldStop: { Interruption.isRequested })
        let interrupted = summary.training?.stoppedByTimeLimit == true && Interruption.isRequested
        guard world.isMainRank else {
            if interrupted { throw ExitCode(130) }
            return
        }
        print("training sentences per style: \(summary.trainingSentences.map(String.init).joined(separator: ", "))")
        print("held-out sentences per style: \(summary.validationSentences.map(String.init).joined(separator: ", "))")
        if !summary.markerCounts.isEmpty {
            print("attribute markers per style: \(summary.markerCounts.map(String.init).joined(separator: ", "))")
        }
        if let training = summary.training {
            let stop =
                interrupted
                ? " (interrupted: saved; the same command continues)"
                : training.stoppedByTimeLimit ? " (time limit reached)" : ""
            print("steps: \(training.steps)\(stop)")
            if let best = training.bestScore { print(String(format: "best validation GM: %.2f", best)) }
        }
        if let accuracy = summary.classifierAccuracy {
            print(String(format: "style classifier held-out accuracy: %.4f", accuracy))
        }
        print("model: \(output)")
        if interrupted { throw ExitCode(130) }
    }

    /// The dropout recorded in the style-transfer model directory `output`, when it holds a neural run to continue
    /// (an unreadable manifest is reported when the run reads it).
    private func storedDropout(output: String) -> Float? {
        let directory = ModelDirectory(path: output)
        guard directory.exists, let manifest = try? directory.readManifest(expecting: StyleTransferRun.kind) else {
            return nil
        }
        return (try? manifest.hyperparameters(as: StyleTransferRecipe.self))?.crossAligned?.dropout
    }
}

/// The options of `--method cross-aligned`.
struct CrossAlignedOptions: ParsableArguments {
    @Option(name: .long, help: "Optimizer steps (cross-aligned).")
    var steps = 10_000

    @Option(name: .customLong("time-limit"), help: "Stop training after this wall-clock time: 90s, 45m, 2h.")
    var timeLimit: WallClockBudget?

    @Option(name: .long, help: "JSON Lines file of training and validation metrics.")
    var metrics: String?

    @Option(name: .customLong("batch-size"), help: "Sentences per batch, split evenly between the styles.")
    var batchSize = 64

    @Option(
        name: .customLong("learning-rate"),
        help: "Adam's learning rate (β₁ = 0.5; back-translation --arch transformer: β₁ = 0.9, β₂ = 0.98).")
    var learningRate: Float = 5e-4

    @Option(name: .customLong("embedding-size"), help: "Word embedding width.")
    var embeddingSize = 100

    @Option(name: .customLong("style-size"), help: "Width of the style part of the decoder state.")
    var styleSize = 200

    @Option(name: .customLong("content-size"), help: "Width of the content vector.")
    var contentSize = 500

    @Option(name: .customLong("filter-widths"), help: "Discriminator convolution widths, comma-separated.")
    var filterWidths = "1,2,3,4,5"

    @Option(name: .customLong("filter-count"), help: "Discriminator filters per width.")
    var filterCount = 128

    @Option(
        name: .long,
        help: """
            Dropout in training (default 0.5, Shen et al. 2017's; --arch transformer: 0.1, Vaswani et al. 2017's; a \
            continued run keeps its recorded value).
            """)
    var dropout: Float?

    @Option(name: .long, help: "Temperature γ of the soft decoding that feeds the discriminators.")
    var temperature: Float = 0.1

    @Option(name: .customLong("adversarial-weight"), help: "Weight ρ of the adversarial loss.")
    var adversarialWeight: Float = 1

    @Option(name: .customLong("word-dropout"), help: "back-translation: input word dropout of the denoising loss.")
    var wordDropout: Float?

    @Option(name: .customLong("shuffle-distance"), help: "back-translation: largest move of the local input shuffle.")
    var shuffleDistance: Int?

    @Option(
        name: .customLong("back-translation-weight"), help: "back-translation: weight of the back-translation loss.")
    var backTranslationWeight: Float?

    @Option(
        name: .customLong("generator-training"),
        help: "cycle: how the generator learns from the discriminators: gumbel or policy-gradient.")
    var generatorTraining: GeneratorTraining?

    @Option(
        name: .customLong("gumbel-temperature"),
        help: "cycle, stargan, conditional: temperature of the Gumbel-softmax samples (default 0.5).")
    var gumbelTemperature: Float?

    @Option(
        name: .customLong("cycle-weight"), help: "cycle, stargan, common-space: weight of cycle consistency (0: off).")
    var cycleWeight: Float?

    @Option(name: .customLong("semantic-weight"), help: "common-space: weight of semantic consistency (0: off).")
    var semanticWeight: Float?

    @Option(
        name: .customLong("classification-weight"), help: "stargan: weight of the discriminator's style classification."
    )
    var classificationWeight: Float?

    @Flag(
        name: .long,
        help: """
            Let the decoder attend over the encoder's states (Luong et al. 2015), so content need not pass through \
            the fixed-size content vector.
            """)
    var attention = false

    @Option(
        name: .customLong("pretrain-steps"),
        help: """
            Steps of reconstruction alone (autoencoder pre-training) before the adversarial and cycle terms start; \
            dual-rl: steps of MLE on the pseudo-parallel pairs before reinforcement learning (default: half of \
            --steps).
            """)
    var pretrainSteps: Int?

    @Option(
        name: .long,
        help: """
            cycle with --generator-training policy-gradient: Monte Carlo rollouts per prefix, giving every token \
            its own reward (SeqGAN, Yu et al. 2017); 0: one whole-sentence reward.
            """)
    var rollouts: Int?

    @Option(
        name: .customLong("pseudo-pairs"),
        help: "dual-rl: sentences per style transferred by the template method into pseudo-parallel pairs (20000).")
    var pseudoPairs: Int?

    @Option(
        name: .customLong("pseudo-pair-source"),
        help: """
            dual-rl: the system whose transfers make the pseudo-parallel pairs: template (Li et al. 2018's \
            TemplateBased, the default) or marker-edit (--method marker-edit's default minimal edits); the warm \
            start learns to restore real sentences from that system's transfers.
            """)
    var pseudoPairSource: DualRLPseudoPairSource?

    @Option(
        name: .customLong("rl-learning-rate"),
        help: "dual-rl: Adam's learning rate after the warm start (--learning-rate is the warm start's; 1e-4).")
    var rlLearningRate: Float?

    @Option(
        name: .customLong("anneal-steps"),
        help: """
            dual-rl: reinforcement steps after which the gap between pseudo-pair MLE updates grows by 10 % \
            (at most 100; 0: no pseudo-pair term after the warm start; 1000).
            """)
    var annealSteps: Int?

    @Option(
        name: .customLong("content-reward"),
        help: """
            dual-rl: the content reward: relative (σ of the sample's reconstruction log-likelihood minus the greedy \
            transfer's) or token-probability (the dual model's mean per-token probability of restoring the source, \
            for sample and greedy baseline alike).
            """)
    var contentReward: DualRLContentReward?

    @Option(
        name: .customLong("style-reward"),
        help: """
            dual-rl: the style reward: probability (the classifier's probability of the target style) or binary (1 \
            when the classifier picks the target style; Luo et al.'s code).
            """)
    var styleReward: DualRLStyleReward?

    @Option(
        name: .customLong("rl-baseline"),
        help: """
            dual-rl: subtracted from each sample's reward: greedy (the greedy transfer's reward, self-critical), \
            batch-mean, or none (Luo et al.'s code).
            """)
    var rlBaseline: DualRLBaseline?

    @Option(
        name: .customLong("content-weight"),
        help: """
            dual-rl: weight b of the content reward in the reward (1+b)·s·c/(s+b·c) (1: harmonic mean; Luo et al.'s \
            code: 0.25).
            """)
    var contentWeight: Double?

    @Flag(
        name: .customLong("back-translate-samples"),
        help: "dual-rl: the dual model also learns to restore each source from its sampled transfer.")
    var backTranslateSamples = false

    @Option(
        name: .long,
        help: """
            dual-rl and back-translation: the network: recurrent (dual-rl: attentive GRU with copy; \
            back-translation: the GRU autoencoder) or transformer (the encoder-decoder of `train seq2seq --arch \
            transformer`; sizes from --layers, --model-size, --heads, --feed-forward; --dropout applies, default \
            0.1).
            """)
    var arch: Seq2SeqArchitecture = .recurrent

    @Option(name: .long, help: "--arch transformer: encoder (and decoder) layers (2).")
    var layers: Int?

    @Option(name: .customLong("model-size"), help: "--arch transformer: model size D (128).")
    var modelSize: Int?

    @Option(name: .long, help: "--arch transformer: attention heads, dividing D (4).")
    var heads: Int?

    @Option(name: .customLong("feed-forward"), help: "--arch transformer: feed-forward inner size (4·D).")
    var feedForward: Int?

    @Option(name: .customLong("min-count"), help: "Words seen fewer times become <unk>.")
    var minCount = 5

    @Option(name: .customLong("max-vocabulary"), help: "Largest vocabulary, special tokens included.")
    var maxVocabulary: Int?

    @Option(name: .customLong("eval-every"), help: "Steps between validations and checkpoints.")
    var evalEvery = 500

    @Option(
        name: .customLong("validation-sentences"), help: "Held-out sentences per style transferred at each validation.")
    var validationSentences = 200

    /// The dropout when `--dropout` is not given: the value `stored` in the model directory being continued, else
    /// 0.1 for a Transformer (Vaswani et al. 2017) and 0.5 for the recurrent networks (Shen et al. 2017).
    func defaultDropout(stored: Float?) -> Float { stored ?? (arch == .transformer ? 0.1 : 0.5) }

    /// The network and training settings of the flags; `storedDropout` is the dropout recorded in the model
    /// directory being continued, if any.
    func settings(seed: UInt64, method: StyleTransferMethod, storedDropout: Float? = nil) throws
        -> CrossAlignedSettings
    {
        let widths = filterWidths.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        let parsed = widths.compactMap { $0 }
        guard !parsed.isEmpty, parsed.count == widths.count else {
            throw ValidationError("--filter-widths: expected comma-separated integers, got '\(filterWidths)'")
        }
        var settings = CrossAlignedSettings(
            embeddingSize: embeddingSize, styleSize: styleSize, contentSize: contentSize, filterWidths: parsed,
            filterCount: filterCount, dropout: dropout ?? defaultDropout(stored: storedDropout),
            temperature: temperature, minimumCount: minCount,
            maximumVocabulary: maxVocabulary, validationSentences: validationSentences,
            training: CrossAlignedTraining.Options(
                batchSize: batchSize, learningRate: learningRate, adversarialWeight: adversarialWeight,
                steps: steps, evaluationInterval: evalEvery, seed: seed))
        settings.wordDropout = wordDropout
        settings.shuffleDistance = shuffleDistance
        settings.backTranslationWeight = backTranslationWeight
        settings.generatorTraining = generatorTraining
        settings.gumbelTemperature = gumbelTemperature
        settings.cycleWeight = cycleWeight
        settings.semanticWeight = semanticWeight
        settings.classificationWeight = classificationWeight
        settings.attention = attention ? true : nil
        settings.training.pretrainingSteps = pretrainSteps
        settings.rollouts = rollouts
        var transformer: DualRLTransformerSettings?
        switch arch {
        case .recurrent:
            let given =
                [("--layers", layers), ("--model-size", modelSize), ("--heads", heads)]
                + [("--feed-forward", feedForward)]
            if let flag = given.first(where: { $0.1 != nil }) {
                throw ValidationError("\(flag.0) applies only to --arch transformer")
            }
        case .transformer:
            let network = Seq2SeqTransformerSettings(
                modelSize: modelSize ?? 128, headCount: heads ?? 4, feedForwardSize: feedForward)
            transformer = DualRLTransformerSettings(network: network, layers: layers ?? 2)
            if method == .backTranslation {  // recorded with the back-translation settings, not dual-rl's
                settings.transformer = transformer
                transformer = nil
            }
        }
        if pseudoPairs != nil || rlLearningRate != nil || annealSteps != nil || transformer != nil
            || contentReward != nil || styleReward != nil || rlBaseline != nil || contentWeight != nil
            || backTranslateSamples || pseudoPairSource != nil
        {
            let defaults = DualRLSettings()
            settings.dualRL = DualRLSettings(
                pseudoPairs: pseudoPairs ?? defaults.pseudoPairs,
                reinforcementLearningRate: rlLearningRate ?? defaults.reinforcementLearningRate,
                annealSteps: annealSteps ?? defaults.annealSteps, transformer: transformer,
                contentReward: contentReward, styleReward: styleReward, baseline: rlBaseline,
                contentWeight: contentWeight, backTranslateSamples: backTranslateSamples ? true : nil,
                pseudoPairSource: pseudoPairSource)
        }
        return settings
    }
}
