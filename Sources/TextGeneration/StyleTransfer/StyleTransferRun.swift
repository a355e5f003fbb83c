import Autodiff
import Corpus
import Foundation
import MontagueSupport
import NeuralNet

/// The style-transfer methods `montague train style-transfer --method` offers.
public enum StyleTransferMethod: String, Codable, CaseIterable, Sendable {
    /// Delete the source's attribute markers, retrieve the most similar target-style sentence, insert its markers
    /// (Li et al. 2018, TemplateBased).
    case template
    /// The most similar target-style sentence itself (Li et al. 2018, RetrieveOnly).
    case retrieveOnly = "retrieve-only"
    /// The cross-aligned autoencoder (Shen et al. 2017): ``CrossAlignedAutoencoder``.
    case crossAligned = "cross-aligned"
    /// The same encoder–decoder trained by denoising and back-translation instead of discriminators (Lample et al.
    /// 2019): ``CrossAlignedTraining/BackTranslation``.
    case backTranslation = "back-translation"
    /// Direct transformation with per-style discriminators and cycle consistency: ``CycleStyleTransfer``.
    case cycle
    /// A shared latent space with a hidden-space discriminator, cycle and semantic consistency:
    /// ``CommonSpaceStyleTransfer``.
    case commonSpace = "common-space"
    /// One label-controlled generator for k ≥ 2 styles and a style-classifying discriminator (Choi et al. 2018):
    /// ``StarGANStyleTransfer``.
    case stargan
    /// A conditional GAN from noise and a style label with mismatched-pair negatives: ``ConditionalStyleGAN``.
    case conditional
    /// Two attentive copy seq2seq models, one per direction, warm-started on template pseudo-pairs and trained by
    /// dual reinforcement learning with a style and a content reward (Luo et al. 2019): ``DualRLStyleTransfer``.
    case dualRL = "dual-rl"
    /// The source's markers replaced by candidate target markers chosen by the style classifier and a target-style
    /// language model (after Li et al. 2018's delete-retrieve-generate): ``MarkerEditTransfer``.
    case markerEdit = "marker-edit"

    /// Whether the method trains a network (and can continue a run).
    public var isNeural: Bool { self != .template && self != .retrieveOnly && self != .markerEdit }

    /// The adversarial network of `cycle`, `common-space`, `stargan` and `conditional` (nil for the others).
    public func adversarialNetwork(
        settings: CrossAlignedSettings, vocabulary: Vocabulary, styleCount: Int, using generator: inout RandomGenerator
    ) -> (any AdversarialStyleTransferNetwork)? {
        switch self {
        case .cycle:
            CycleStyleTransfer(settings: settings, vocabulary: vocabulary, styleCount: styleCount, using: &generator)
        case .commonSpace:
            CommonSpaceStyleTransfer(
                settings: settings, vocabulary: vocabulary, styleCount: styleCount, using: &generator)
        case .stargan:
            StarGANStyleTransfer(settings: settings, vocabulary: vocabulary, styleCount: styleCount, using: &generator)
        case .conditional:
            ConditionalStyleGAN(settings: settings, vocabulary: vocabulary, styleCount: styleCount, using: &generator)
        case .template, .retrieveOnly, .crossAligned, .backTranslation, .dualRL, .markerEdit: nil
        }
    }
}

/// Everything needed to rebuild a style-transfer model: stored as the model directory's hyperparameters.
public struct StyleTransferRecipe: Codable, Equatable, Sendable {
    /// The method.
    public var method: StyleTransferMethod
    /// Style names, in order.
    public var styles: [String]
    /// Tokenization of the input files (ignored when ``subwords`` is set).
    public var tokenization: TextTokenization
    /// A subword tokenizer instead of words: `bpe:N` or `unigram:N` (trained on the style files) or the path of a
    /// Hugging Face `tokenizer.json`; nil for words. The tokenizer is saved in the model directory.
    public var subwords: String?
    /// Lowercase tokens.
    public var lowercase: Bool
    /// Longest sentence kept (tokens).
    public var maximumLength: Int
    /// Fraction of each style held out for validation.
    public var validationFraction: Double
    /// Longest attribute marker (n-gram order).
    public var markerOrder: Int
    /// Salience smoothing λ.
    public var markerSmoothing: Double
    /// Salience threshold γ.
    public var markerThreshold: Double
    /// The evaluation classifier's settings (nil: none trained).
    public var classifier: StyleClassifier.Settings?
    /// BLEU tokenizer used by `evaluate` (`none` for pre-tokenized corpora).
    public var bleuTokenizer: BLEUTokenizer
    /// Seed of the split and the classifier.
    public var seed: UInt64
    /// The settings of `cross-aligned` (nil for the other methods).
    public var crossAligned: CrossAlignedSettings?
    /// The per-style language models that measure fluency in `evaluate` (nil: none trained).
    public var languageModels: StyleLanguageModels.Settings?
    /// The settings of `marker-edit` (nil for the other methods; nil with `marker-edit`:
    /// ``MarkerEditSettings/minimalEdits``).
    public var markerEdit: MarkerEditSettings?

    /// A recipe with Li et al.'s Yelp settings (markers up to 4-grams, λ = 1, γ = 15).
    public init(
        method: StyleTransferMethod = .template, styles: [String] = [], tokenization: TextTokenization = .whitespace,
        lowercase: Bool = false, maximumLength: Int = 50, validationFraction: Double = 0.01, markerOrder: Int = 4,
        markerSmoothing: Double = 1, markerThreshold: Double = 15, classifier: StyleClassifier.Settings? = nil,
        bleuTokenizer: BLEUTokenizer = .none, seed: UInt64 = 0, crossAligned: CrossAlignedSettings? = nil,
        languageModels: StyleLanguageModels.Settings? = nil
    ) {
        self.crossAligned = crossAligned
        self.subwords = nil
        self.languageModels = languageModels
        self.method = method
        self.styles = styles
        self.tokenization = tokenization
        self.lowercase = lowercase
        self.maximumLength = maximumLength
        self.validationFraction = validationFraction
        self.markerOrder = markerOrder
        self.markerSmoothing = markerSmoothing
        self.markerThreshold = markerThreshold
        self.classifier = classifier
        self.bleuTokenizer = bleuTokenizer
        self.seed = seed
    }
}

/// A markers file entry.
struct MarkerLexicon: Codable {
    var styles: [String]
    var markers: [[String: Double]]
}

/// Trains style-transfer models from style corpora into model directories — the library entry point of
/// `montague train style-transfer`.
public enum StyleTransferRun {
    /// The model kind written to manifests.
    public static let kind = "style-transfer"
    static let markersFile = "markers.json"
    /// The subword tokenizer file, for models trained on subwords.
    public static let tokenizerFile = "tokenizer.json"
    static func poolFile(_ style: String) -> String { "train-\(style).txt" }
    static func validationFile(_ style: String) -> String { "valid-\(style).txt" }

    /// What training produced.
    public struct Summary: Sendable {
        /// Training sentences per style.
        public var trainingSentences: [Int]
        /// Held-out sentences per style.
        public var validationSentences: [Int]
        /// Marker n-grams per style (empty for neural methods).
        public var markerCounts: [Int]
        /// The classifier's held-out accuracy, if one was trained.
        public var classifierAccuracy: Double?
        /// The network's training run, for neural methods.
        public var training: CrossAlignedTraining.Summary?
    }

    /// Trains per `recipe` on `files` and writes `output`: manifest, held-out validation sentences, the evaluation
    /// classifier, and the method's own files — marker lexicon and retrieval pools for `template` and
    /// `retrieve-only`; vocabulary, weights and training state for `cross-aligned`. Given the same command again,
    /// a neural run continues from its training state (the step budget may grow).
    ///
    /// - Parameters:
    ///   - classifierEpochs: epochs of the TextCNN style classifier (0: none; `evaluate` then reports no accuracy).
    ///   - classifierEmbeddingSize: the classifier's embedding width.
    ///   - classifierWordVectors: pretrained vectors that start the classifier's embeddings (their dimension is
    ///     then its width).
    ///   - timeLimit: seconds after which a neural run saves and stops.
    ///   - shouldStop: asked before every step of a neural run (e.g. after Ctrl-C); true saves and stops it like the
    ///     time limit, and the same call continues it.
    ///   - metricsURL: JSON Lines log of a neural run.
    ///   - evaluators: an earlier model directory's classifier (and language models) to reuse instead of training
    ///     them (`classifierEpochs` and the recipe's language-model settings are then ignored).
    /// - Throws: ``InputError`` for bad corpora or settings, ``ModelDirectoryError`` when `output` holds another
    ///   model.
    public static func train(
        _ recipe: StyleTransferRecipe, files: [(style: String, path: String)], output: ModelDirectory,
        units: (loader: CorpusLoader, label: String?)? = nil, classifierEpochs: Int = 2,
        classifierEmbeddingSize: Int = 128, classifierWordVectors: WordVectors? = nil, timeLimit: Double? = nil,
        metricsURL: URL? = nil,
        evaluators: StyleEvaluatorSource? = nil, log: ((String) -> Void)? = nil,
        synchronizer: (any GradientSynchronizer)? = nil, shouldStop: () -> Bool = { false }
    ) throws -> Summary {
        guard (0..<1).contains(recipe.validationFraction) else {
            throw InputError("the validation fraction must be in [0, 1)")
        }
        guard recipe.markerOrder >= 1, recipe.markerThreshold > 0, recipe.markerSmoothing > 0 else {
            throw InputError("marker order, threshold and smoothing must be positive")
        }
        guard recipe.maximumLength >= 1 else { throw InputError("maximum length must be positive") }
        guard classifierEpochs >= 0 else { throw InputError("classifier epochs must be ≥ 0") }
        if let timeLimit, !(timeLimit > 0) { throw InputError("the time limit must be positive") }
        if let problem = recipe.languageModels?.problem { throw InputError(problem) }
        var recipe = recipe
        if recipe.method == .markerEdit {
            let settings = recipe.markerEdit ?? .minimalEdits
            if let problem = settings.problem { throw InputError(problem) }
            recipe.markerEdit = settings
        } else {
            recipe.markerEdit = nil
        }
        if recipe.method.isNeural {
            let settings = recipe.crossAligned ?? CrossAlignedSettings()
            try settings.validate()
            recipe.crossAligned = settings
        } else {
            recipe.crossAligned = nil
        }
        if units != nil && !files.isEmpty {
            throw InputError("give the styles either as --style files or as one labelled corpus, not both")
        }
        let labelled = try units.map { try StyleCorpus.labelledTexts(from: $0.loader, label: $0.label) }
        if let labelled, labelled.unlabelled > 0 {
            log?("\(labelled.unlabelled) units without a style label skipped")
        }
        var subwords: SubwordTokenizer?
        if let text = recipe.subwords {
            guard let specification = SubwordTokenizer.Specification(text) else {
                throw InputError(
                    "subword tokenizer '\(Escaping.visible(text))': use bpe:N (N ≥ 257), unigram:N (N ≥ 2) "
                        + "or a tokenizer.json file")
            }
            if output.exists, FileManager.default.fileExists(atPath: output.file(tokenizerFile).path) {
                subwords = try SubwordTokenizer.load(from: output.file(tokenizerFile))
            } else if let reused = try evaluators?.subwordTokenizer(for: recipe) {
                // The classifier reads the source's pieces: keep that tokenizer.
                subwords = reused
            } else {
                var texts: [String] = labelled.map { Array($0.texts.joined()) } ?? []
                for (_, path) in files {
                    texts += try TextScoring.TextFile(contentsOf: path).lines.map {
                        recipe.lowercase ? $0.lowercased() : $0
                    }
                }
                subwords = try SubwordTokenizer.make(specification, texts: texts)
            }
        }
        let corpus =
            try labelled.map {
                try StyleCorpus.tokenizing(
                    styles: $0.styles, texts: $0.texts, tokenization: recipe.tokenization, lowercase: recipe.lowercase,
                    maximumLength: recipe.maximumLength, subwords: subwords)
            }
            ?? StyleCorpus.load(
                files: files, tokenization: recipe.tokenization, lowercase: recipe.lowercase,
                maximumLength: recipe.maximumLength, subwords: subwords)
        var dataFingerprints: [String: String] = [:]
        for (style, path) in files { dataFingerprints["\(style)=\(path)"] = PlainTextCorpus.fingerprint(of: path) }
        for path in units?.loader.files ?? [] { dataFingerprints[path] = PlainTextCorpus.fingerprint(of: path) }
        try evaluators?.checkCompatibility(with: recipe, corpus: corpus)
        if recipe.method == .markerEdit, evaluators == nil, classifierEpochs == 0 {
            throw InputError(
                "marker-edit chooses edits by the style classifier: give --classifier-epochs ≥ 1 or --classifier-from")
        }
        if recipe.method == .dualRL {
            guard corpus.styles.count == 2 else {
                throw InputError("dual-rl transfers between exactly two styles (got \(corpus.styles.count))")
            }
            guard evaluators != nil || classifierEpochs > 0 || output.exists else {
                throw InputError(
                    "dual-rl rewards the target style by the style classifier: give --classifier-epochs ≥ 1 or "
                        + "--classifier-from")
            }
        }
        if output.exists {
            return try continueRun(
                recipe, corpus: corpus, output: output, timeLimit: timeLimit, metricsURL: metricsURL, log: log,
                synchronizer: synchronizer, shouldStop: shouldStop)
        }
        try output.create()
        try subwords?.save(to: output.file(tokenizerFile))
        let (train, validation) = corpus.split(validationFraction: recipe.validationFraction, seed: recipe.seed)
        log?("styles: " + zip(corpus.styles, train.sentences).map { "\($0) \($1.count)" }.joined(separator: ", "))
        var finalRecipe = recipe
        finalRecipe.styles = corpus.styles
        var directoryFiles: [String: String] = [:]
        if subwords != nil { directoryFiles[tokenizerFile] = "the subword tokenizer (Hugging Face tokenizer.json)" }
        var markerCounts: [Int] = []
        var dualRLMarkers: AttributeMarkers?
        if !recipe.method.isNeural || recipe.method == .dualRL {
            let markers = AttributeMarkers(
                corpus: train, maximumOrder: recipe.markerOrder, smoothing: recipe.markerSmoothing,
                threshold: recipe.markerThreshold)
            markerCounts = markers.markers.map(\.count)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try AtomicFile.write(
                try encoder.encode(MarkerLexicon(styles: corpus.styles, markers: markers.markers)),
                to: output.file(markersFile))
            directoryFiles[markersFile] = "attribute markers per style with their salience"
            if recipe.method == .dualRL { dualRLMarkers = markers }
        }
        for (style, name) in corpus.styles.enumerated() {
            try AtomicFile.write(
                train.sentences[style].map { $0.joined(separator: " ") + "\n" }.joined(),
                to: output.file(poolFile(name)))
            try AtomicFile.write(
                validation.sentences[style].map { $0.joined(separator: " ") + "\n" }.joined(),
                to: output.file(validationFile(name)))
            directoryFiles[poolFile(name)] = "training sentences of style \(name)"
            directoryFiles[validationFile(name)] = "held-out sentences of style \(name)"
        }
        var classifierAccuracy: Double?
        var classifier: StyleClassifier?
        var languageModelSettings = recipe.languageModels
        if let evaluators {
            log?("reusing the style classifier of \(evaluators.directory.url.path)")
            if evaluators.recipe.seed != recipe.seed
                || evaluators.recipe.validationFraction != recipe.validationFraction
            {
                log?(
                    "note: that run split its data with another seed or fraction; its classifier may have seen "
                        + "this run's held-out sentences")
            }
            let copied = try evaluators.copy(to: output, withLanguageModels: recipe.languageModels != nil)
            directoryFiles.merge(copied.files) { $1 }
            languageModelSettings = copied.languageModels
            finalRecipe.languageModels = copied.languageModels
            if copied.languageModels == nil && recipe.languageModels != nil {
                log?("that directory has no language models: perplexity will not be measured")
            }
            classifier = evaluators.classifier
            finalRecipe.classifier = evaluators.classifierSettings
            classifierAccuracy = evaluators.classifierAccuracy
        } else if classifierEpochs > 0 {
            log?("training the style classifier (TextCNN, \(classifierEpochs) epochs)")
            let trained = try StyleClassifier.train(
                corpus: train, validation: validation, embeddingSize: classifierEmbeddingSize, epochs: classifierEpochs,
                seed: recipe.seed, wordVectors: classifierWordVectors, showsProgress: log != nil
            ) { record in
                log?(
                    String(
                        format: "  epoch %d: loss %.4f, held-out accuracy %.4f", record.epoch, record.loss,
                        record.validationAccuracy ?? .nan))
            }
            try trained.save(to: output)
            classifier = trained
            finalRecipe.classifier = trained.settings
            directoryFiles[StyleClassifier.weightsFile] = "the TextCNN style classifier's weights"
            directoryFiles[StyleClassifier.vocabularyFile] = "the classifier's vocabulary"
            let held = zip(validation.sentences.indices, validation.sentences).flatMap { style, list in
                list.map { ($0, style) }
            }
            if !held.isEmpty {
                let predictions = trained.predict(held.map(\.0))
                classifierAccuracy = Double(zip(predictions, held).filter { $0 == $1.1 }.count) / Double(held.count)
            }
        }
        if evaluators == nil, let settings = languageModelSettings {
            log?("training one language model per style (\(settings.steps) steps each)")
            let models = try StyleLanguageModels.train(
                corpus: train, validation: validation, settings: settings, seed: recipe.seed, log: log)
            try models.save(to: output, styles: corpus.styles)
            directoryFiles[StyleLanguageModels.vocabularyFile] = "the language models' vocabulary"
            for name in corpus.styles {
                directoryFiles[StyleLanguageModels.weightsFile(name)] = "the language model of style \(name) (fluency)"
            }
        }
        var metrics: [String: Double] = [:]
        if let classifierAccuracy { metrics["classifier.valid_accuracy"] = classifierAccuracy }
        var trainingSummary: CrossAlignedTraining.Summary?
        if var settings = finalRecipe.crossAligned {
            directoryFiles[CrossAlignedRun.vocabularyFile] = "the network's vocabulary"
            directoryFiles[ModelDirectory.weightsName] = "the \(recipe.method.rawValue) network (best validation GM)"
            directoryFiles[ModelDirectory.trainingStateName] = "the training state (to continue the run)"
            var pseudoPairs: DualRLPseudoPairs?
            if let markers = dualRLMarkers {
                // The source is recorded even when it is the default, so the manifest says what made the pairs.
                var dual = settings.dualRL ?? DualRLSettings()
                let source = dual.pseudoPairSource ?? .template
                dual.pseudoPairSource = source
                settings.dualRL = dual
                finalRecipe.crossAligned = settings
                log?(
                    "dual-rl: \(source.rawValue) transfers of up to \(dual.pseudoPairs) sentences per style "
                        + "(pseudo-parallel pairs)")
                let pairs = Self.pseudoPairs(
                    source: source, corpus: train, markers: markers, classifier: classifier, perStyle: dual.pseudoPairs,
                    seed: recipe.seed)
                log?(
                    "dual-rl: "
                        + zip(corpus.styles, pairs.pairs).map { "\($1.count) pairs into \($0)" }.joined(separator: ", ")
                )
                try pairs.save(to: output, styles: corpus.styles)
                for name in corpus.styles {
                    directoryFiles[DualRLPseudoPairs.file(name)] = "pseudo-parallel pairs into \(name) (dual-rl)"
                }
                pseudoPairs = pairs
            }
            // The manifest comes first, so a run stopped before its end is recognized and continued.
            try output.writeManifest(
                ModelManifest(
                    kind: kind, hyperparameters: finalRecipe, dataFingerprints: dataFingerprints, metrics: metrics,
                    files: directoryFiles))
            let summary = try CrossAlignedRun.train(
                settings: settings, method: recipe.method, styles: corpus.styles,
                train: train, validation: validation,
                classifier: classifier, bleuTokenizer: recipe.bleuTokenizer, maximumLength: recipe.maximumLength,
                output: output, continuing: false, timeLimit: timeLimit, metricsURL: metricsURL, log: log,
                synchronizer: synchronizer, pseudoPairs: pseudoPairs, shouldStop: shouldStop)
            trainingSummary = summary
            metrics.merge(Self.metrics(of: summary)) { $1 }
        }
        try output.writeManifest(
            ModelManifest(
                kind: kind, hyperparameters: finalRecipe, dataFingerprints: dataFingerprints, metrics: metrics,
                files: directoryFiles))
        return Summary(
            trainingSentences: train.sentences.map(\.count), validationSentences: validation.sentences.map(\.count),
            markerCounts: markerCounts, classifierAccuracy: classifierAccuracy, training: trainingSummary)
    }

    /// dual-rl's pseudo-parallel pairs: up to `perStyle` training sentences of each style transferred by `source`
    /// (marker editing with its default settings, whose trigram style scorer leaves `classifier` unused).
    static func pseudoPairs(
        source: DualRLPseudoPairSource, corpus: StyleCorpus, markers: AttributeMarkers, classifier: StyleClassifier?,
        perStyle: Int, seed: UInt64
    ) -> DualRLPseudoPairs {
        switch source {
        case .template:
            return DualRLPseudoPairs(
                corpus: corpus, template: TemplateTransfer(corpus: corpus, markers: markers), perStyle: perStyle,
                seed: seed)
        case .markerEdit:
            let system = MarkerEditTransfer(corpus: corpus, markers: markers, settings: .minimalEdits) {
                sentences, target in
                guard let classifier else { return sentences.map { _ in 0 } }
                return classifier.probabilities(sentences.map { $0.isEmpty ? ["<unk>"] : $0 }).map {
                    Foundation.log(Double(max($0[target], 1e-9)))
                }
            }
            return DualRLPseudoPairs(corpus: corpus, perStyle: perStyle, seed: seed) {
                system.transfer($0, from: $1, to: $2)
            }
        }
    }

    static func metrics(of summary: CrossAlignedTraining.Summary) -> [String: Double] {
        var metrics = ["train.steps": Double(summary.steps)]
        for (key, value) in summary.lastMetrics { metrics["train.\(key)"] = value }
        if let best = summary.bestScore { metrics["valid.best_gm"] = best }
        return metrics
    }

    /// `recipe` as continued runs compare it: no step budget, and dual-rl's settings with their defaults filled in
    /// (so a run recorded without them matches flags that give the defaults).
    static func comparable(_ recipe: StyleTransferRecipe) -> StyleTransferRecipe {
        var copy = recipe
        copy.crossAligned = recipe.crossAligned?.withoutBudget
        if recipe.method == .dualRL {
            var dual = copy.crossAligned?.dualRL ?? DualRLSettings()
            dual.pseudoPairSource = dual.pseudoPairSource ?? .template
            copy.crossAligned?.dualRL = dual
        }
        return copy
    }

    /// The settings of a continued run compared flag by flag: `given` (the flags of this call, their defaults
    /// included) against the recipe `stored` in the model directory. Every setting is fixed but the step budget
    /// (`--steps`), which may grow.
    public static func continuationCheck(given: StyleTransferRecipe, stored: StyleTransferRecipe)
        -> ContinuedRunSettings
    {
        var check = ContinuedRunSettings()
        func fixed<Value: Equatable>(_ flag: String, _ value: (StyleTransferRecipe) -> Value) {
            check.fixed(flag, stored: value(stored), given: value(given))
        }
        fixed("--method") { $0.method.rawValue }
        fixed("--style") { $0.styles.joined(separator: ",") }
        fixed("--tokenizer") { $0.subwords ?? $0.tokenization.rawValue }
        fixed("--lowercase") { $0.lowercase }
        fixed("--max-length") { $0.maximumLength }
        fixed("--valid-fraction") { $0.validationFraction }
        fixed("--marker-order") { $0.markerOrder }
        fixed("--threshold") { $0.markerThreshold }
        fixed("--bleu-tokenizer") { $0.bleuTokenizer.rawValue }
        fixed("--seed") { $0.seed }
        let a = comparable(stored).crossAligned ?? CrossAlignedSettings()
        let b = comparable(given).crossAligned ?? CrossAlignedSettings()
        func network<Value: Equatable>(_ flag: String, _ value: (CrossAlignedSettings) -> Value) {
            check.fixed(flag, stored: value(a), given: value(b))
        }
        func optionalNetwork<Value: Equatable>(_ flag: String, _ value: (CrossAlignedSettings) -> Value?) {
            check.fixed(flag, stored: value(a), given: .some(value(b)), text: { $0.map { "\($0)" } ?? "(unset)" })
        }
        network("--embedding-size") { $0.embeddingSize }
        network("--style-size") { $0.styleSize }
        network("--content-size") { $0.contentSize }
        network("--filter-widths") { $0.filterWidths.map(String.init).joined(separator: ",") }
        network("--filter-count") { $0.filterCount }
        network("--dropout") { $0.dropout }
        network("--temperature") { $0.temperature }
        network("--min-count") { $0.minimumCount }
        optionalNetwork("--max-vocabulary") { $0.maximumVocabulary }
        network("--validation-sentences") { $0.validationSentences }
        network("--batch-size") { $0.training.batchSize }
        network("--learning-rate") { $0.training.learningRate }
        network("--adversarial-weight") { $0.training.adversarialWeight }
        network("--eval-every") { $0.training.evaluationInterval }
        optionalNetwork("--pretrain-steps") { $0.training.pretrainingSteps }
        optionalNetwork("--word-dropout") { $0.wordDropout }
        optionalNetwork("--shuffle-distance") { $0.shuffleDistance }
        optionalNetwork("--back-translation-weight") { $0.backTranslationWeight }
        optionalNetwork("--generator-training") { $0.generatorTraining?.rawValue }
        optionalNetwork("--gumbel-temperature") { $0.gumbelTemperature }
        optionalNetwork("--cycle-weight") { $0.cycleWeight }
        optionalNetwork("--semantic-weight") { $0.semanticWeight }
        optionalNetwork("--classification-weight") { $0.classificationWeight }
        network("--attention") { $0.attention ?? false }
        optionalNetwork("--rollouts") { $0.rollouts }
        let transformer = { (settings: CrossAlignedSettings) in settings.dualRL?.transformer ?? settings.transformer }
        network("--arch") { transformer($0) == nil ? "recurrent" : "transformer" }
        optionalNetwork("--layers") { transformer($0)?.layers }
        optionalNetwork("--model-size") { transformer($0)?.network.modelSize }
        optionalNetwork("--heads") { transformer($0)?.network.headCount }
        optionalNetwork("--feed-forward") { transformer($0)?.network.feedForwardSize }
        optionalNetwork("--pseudo-pairs") { $0.dualRL?.pseudoPairs }
        optionalNetwork("--pseudo-pair-source") { $0.dualRL?.pseudoPairSource?.rawValue }
        optionalNetwork("--rl-learning-rate") { $0.dualRL?.reinforcementLearningRate }
        optionalNetwork("--anneal-steps") { $0.dualRL?.annealSteps }
        optionalNetwork("--content-reward") { $0.dualRL?.contentReward?.rawValue }
        optionalNetwork("--style-reward") { $0.dualRL?.styleReward?.rawValue }
        optionalNetwork("--rl-baseline") { $0.dualRL?.baseline?.rawValue }
        optionalNetwork("--content-weight") { $0.dualRL?.contentWeight }
        network("--back-translate-samples") { $0.dualRL?.backTranslateSamples ?? false }
        check.changeable(
            "--steps", stored: stored.crossAligned?.training.steps ?? 0, given: given.crossAligned?.training.steps)
        return check
    }

    /// Continues the neural run in `output` when it was started with the same settings.
    static func continueRun(
        _ recipe: StyleTransferRecipe, corpus: StyleCorpus, output: ModelDirectory, timeLimit: Double?,
        metricsURL: URL?, log: ((String) -> Void)?, synchronizer: (any GradientSynchronizer)? = nil,
        shouldStop: () -> Bool = { false }
    ) throws -> Summary {
        let manifest = try output.readManifest(expecting: kind)
        let previous: StyleTransferRecipe
        do {
            previous = try manifest.hyperparameters(as: StyleTransferRecipe.self)
        } catch {
            throw ModelDirectoryError(path: output.manifestURL.path, "malformed hyperparameters: \(error)")
        }
        guard recipe.method.isNeural, previous.method == recipe.method, let settings = recipe.crossAligned else {
            throw ModelDirectoryError(path: output.url.path, "already holds a model; choose another --output")
        }
        var given = recipe
        given.styles = corpus.styles
        let check = continuationCheck(given: given, stored: previous)
        try check.verify(output)
        for note in check.notes { log?(note) }
        var comparable = Self.comparable(given)
        comparable.styles = previous.styles
        comparable.classifier = previous.classifier
        comparable.languageModels = previous.languageModels
        guard comparable == Self.comparable(previous) else {
            // A setting no flag sets (a library caller's) differs.
            throw ModelDirectoryError(
                path: output.manifestURL.path,
                "holds a model trained with other settings; give the same settings to continue it, or another output")
        }
        // The stored settings with the new budget: a dual-rl source recorded explicitly stays recorded.
        var continued = previous.crossAligned ?? settings
        continued.training.steps = settings.training.steps
        var finalRecipe = previous
        finalRecipe.crossAligned = continued
        let pools = try previous.styles.map { style in
            try TextScoring.TextFile(contentsOf: output.file(poolFile(style)).path).lines.map {
                $0.split(separator: " ").map(String.init)
            }
        }
        let held = try previous.styles.map { style in
            try TextScoring.TextFile(contentsOf: output.file(validationFile(style)).path).lines.map {
                $0.split(separator: " ").map(String.init)
            }
        }
        let classifier = try previous.classifier.map { try StyleClassifier.load(from: output, settings: $0) }
        let summary = try CrossAlignedRun.train(
            settings: continued, method: recipe.method, styles: previous.styles,
            train: StyleCorpus(styles: previous.styles, sentences: pools),
            validation: StyleCorpus(styles: previous.styles, sentences: held), classifier: classifier,
            bleuTokenizer: previous.bleuTokenizer, maximumLength: previous.maximumLength, output: output,
            continuing: true, timeLimit: timeLimit, metricsURL: metricsURL, log: log, synchronizer: synchronizer,
            pseudoPairs: previous.method == .dualRL
                ? try DualRLPseudoPairs.load(from: output, styles: previous.styles) : nil, shouldStop: shouldStop)
        var metrics = manifest.metrics
        metrics.merge(Self.metrics(of: summary)) { $1 }
        try output.writeManifest(
            ModelManifest(
                kind: kind, hyperparameters: finalRecipe, dataFingerprints: manifest.dataFingerprints,
                metrics: metrics, files: manifest.files))
        return Summary(
            trainingSentences: pools.map(\.count), validationSentences: held.map(\.count), markerCounts: [],
            classifierAccuracy: manifest.metrics["classifier.valid_accuracy"], training: summary)
    }
}
