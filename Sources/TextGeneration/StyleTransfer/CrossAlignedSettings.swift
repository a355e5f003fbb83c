import Autodiff
import Corpus
import Foundation
import MontagueSupport
import NeuralNet

/// The settings of `--method cross-aligned`, stored in the model directory's hyperparameters.
public struct CrossAlignedSettings: Codable, Equatable, Sendable {
    /// Word embedding width.
    public var embeddingSize: Int
    /// Width of the style part of the decoder state.
    public var styleSize: Int
    /// Width of the content vector.
    public var contentSize: Int
    /// Discriminator convolution widths.
    public var filterWidths: [Int]
    /// Filters per width.
    public var filterCount: Int
    /// Dropout in training.
    public var dropout: Float
    /// Soft-decoding temperature γ.
    public var temperature: Float
    /// Words seen fewer times become `<unk>`.
    public var minimumCount: Int
    /// Largest vocabulary (special tokens included), or nil.
    public var maximumVocabulary: Int?
    /// Held-out sentences per style transferred at each validation (the score is GM of classifier accuracy and
    /// source-BLEU).
    public var validationSentences: Int
    /// Optimization.
    public var training: CrossAlignedTraining.Options
    /// `back-translation`: probability of dropping each input word in the denoising loss (nil: 0.1).
    public var wordDropout: Float?
    /// `back-translation`: largest displacement of the local input shuffle (nil: 3).
    public var shuffleDistance: Int?
    /// `back-translation`: weight of the back-translation loss (nil: 1).
    public var backTranslationWeight: Float?
    /// `cycle`: how the generator learns from the discriminators (nil: Gumbel-softmax).
    public var generatorTraining: GeneratorTraining?
    /// `cycle`, `stargan`, `conditional`: temperature of the Gumbel-softmax samples (nil: 0.5).
    public var gumbelTemperature: Float?
    /// `cycle`, `stargan`, `common-space`: weight of cycle consistency (nil: 1; 0 switches it off).
    public var cycleWeight: Float?
    /// `common-space`: weight of semantic consistency (nil: 1; 0 switches it off).
    public var semanticWeight: Float?
    /// `stargan`: weight of the style-classification terms (nil: 1).
    public var classificationWeight: Float?
    /// Whether the decoder attends over the encoder states (Luong et al. 2015; nil: no).
    public var attention: Bool?
    /// `cycle` with policy gradient: Monte Carlo rollouts per prefix for per-token rewards (Yu et al. 2017; nil or
    /// 0: one whole-sentence reward).
    public var rollouts: Int?
    /// `dual-rl`: pseudo pairs, reinforcement learning rate and annealing (nil: ``DualRLSettings``' defaults).
    public var dualRL: DualRLSettings?
    /// `back-translation`: a style-conditioned Transformer encoder–decoder (``BackTranslationTransformer``) instead
    /// of the GRU autoencoder (nil: the GRU; model directories written before this setting existed have none).
    public var transformer: DualRLTransformerSettings?

    /// The loss weights of the adversarial methods with their defaults filled in (ρ is the adversarial weight of
    /// ``CrossAlignedTraining/Options``).
    public var adversarialWeights: AdversarialStyleWeights {
        AdversarialStyleWeights(
            adversarial: training.adversarialWeight, cycle: cycleWeight ?? 1, reconstruction: 1,
            semantic: semanticWeight ?? 1, classification: classificationWeight ?? 1)
    }

    /// Shen et al.'s Yelp settings (vocabulary: words seen at least 5 times).
    public init(
        embeddingSize: Int = 100, styleSize: Int = 200, contentSize: Int = 500, filterWidths: [Int] = [1, 2, 3, 4, 5],
        filterCount: Int = 128, dropout: Float = 0.5, temperature: Float = 0.1, minimumCount: Int = 5,
        maximumVocabulary: Int? = nil, validationSentences: Int = 200,
        training: CrossAlignedTraining.Options = CrossAlignedTraining.Options()
    ) {
        self.embeddingSize = embeddingSize
        self.styleSize = styleSize
        self.contentSize = contentSize
        self.filterWidths = filterWidths
        self.filterCount = filterCount
        self.dropout = dropout
        self.temperature = temperature
        self.minimumCount = minimumCount
        self.maximumVocabulary = maximumVocabulary
        self.validationSentences = validationSentences
        self.training = training
    }

    /// The network configuration for a vocabulary and a style count.
    public func configuration(vocabulary: Vocabulary, styleCount: Int, discriminators: Bool = true)
        -> CrossAlignedAutoencoder.Configuration
    {
        CrossAlignedAutoencoder.Configuration(
            vocabularySize: vocabulary.count, styleCount: styleCount, embeddingSize: embeddingSize,
            styleSize: styleSize, contentSize: contentSize, filterWidths: filterWidths, filterCount: filterCount,
            dropout: dropout, temperature: temperature, paddingIndex: vocabulary.paddingIndex,
            discriminators: discriminators, attention: attention ?? false)
    }

    /// The denoising and back-translation settings with their defaults filled in.
    var backTranslation: CrossAlignedTraining.BackTranslation {
        CrossAlignedTraining.BackTranslation(
            wordDropout: wordDropout ?? 0.1, shuffleDistance: shuffleDistance ?? 3, weight: backTranslationWeight ?? 1)
    }

    /// Checks the values a user can set.
    ///
    /// - Throws: ``InputError`` naming the first invalid setting.
    public func validate() throws {
        if minimumCount < 1 { throw InputError("minimum count must be at least 1") }
        if let maximumVocabulary, maximumVocabulary < 5 {
            throw InputError("the vocabulary needs room for the 4 special tokens and one word")
        }
        if validationSentences < 0 { throw InputError("validation sentences must be ≥ 0") }
        if let problem = training.problem { throw InputError(problem) }
        if let wordDropout, !(0..<1).contains(wordDropout) { throw InputError("word dropout must be in [0, 1)") }
        if let shuffleDistance, shuffleDistance < 0 { throw InputError("the shuffle distance must be ≥ 0") }
        if let backTranslationWeight, !(backTranslationWeight >= 0 && backTranslationWeight.isFinite) {
            throw InputError("the back-translation weight must be ≥ 0")
        }
        for (name, value) in [
            ("cycle", cycleWeight), ("semantic", semanticWeight), ("classification", classificationWeight),
        ] {
            if let value, !(value >= 0 && value.isFinite) { throw InputError("the \(name) weight must be ≥ 0") }
        }
        if let rollouts, !(0...64).contains(rollouts) { throw InputError("rollouts must be in 0…64") }
        if let problem = dualRL?.problem { throw InputError(problem) }
        if let transformer {
            if transformer.layers < 1 { throw InputError("the Transformer needs at least one layer") }
            if let problem = transformer.network.problem { throw InputError(problem) }
        }
        if let gumbelTemperature, !(gumbelTemperature > 0 && gumbelTemperature.isFinite) {
            throw InputError("the Gumbel-softmax temperature must be positive")
        }
        let probe = CrossAlignedAutoencoder.Configuration(
            vocabularySize: 5, styleCount: 2, embeddingSize: embeddingSize, styleSize: styleSize,
            contentSize: contentSize, filterWidths: filterWidths, filterCount: filterCount, dropout: dropout,
            temperature: temperature)
        if let problem = probe.problem { throw InputError(problem) }
    }

    /// The settings without the step budget (a resumed run may extend it).
    var withoutBudget: CrossAlignedSettings {
        var copy = self
        copy.training.steps = 0
        return copy
    }
}

/// The `cross-aligned` half of ``StyleTransferRun``: vocabulary, network, resumable training, loading.
enum CrossAlignedRun {
    static let vocabularyFile = "vocabulary.json"

    /// Builds the vocabulary (or reads it when continuing), trains, and leaves the best weights in `output`.
    static func train(
        settings: CrossAlignedSettings, method: StyleTransferMethod, styles: [String], train: StyleCorpus,
        validation: StyleCorpus,
        classifier: StyleClassifier?, bleuTokenizer: BLEUTokenizer, maximumLength: Int, output: ModelDirectory,
        continuing: Bool, timeLimit: Double?, metricsURL: URL?, log: ((String) -> Void)?,
        synchronizer: (any GradientSynchronizer)? = nil, pseudoPairs: DualRLPseudoPairs? = nil,
        shouldStop: () -> Bool = { false }
    ) throws -> CrossAlignedTraining.Summary {
        let vocabulary: Vocabulary
        if continuing {
            vocabulary = try loadVocabulary(from: output)
        } else {
            vocabulary = Vocabulary(
                tokens: train.sentences.joined().joined(), minimumCount: settings.minimumCount,
                maximumSize: settings.maximumVocabulary)
            try vocabulary.save(to: output.file(vocabularyFile).path)
        }
        log?("\(method.rawValue): vocabulary \(vocabulary.count)")
        if method == .dualRL {
            guard let pseudoPairs, let classifier else {
                throw InputError("dual-rl needs the template's pseudo-parallel pairs and the style classifier")
            }
            if synchronizer != nil { log?("dual-rl trains on one process: the other ranks only repeat it") }
            return try trainDualRL(
                settings: settings, styles: styles, train: train, validation: validation, pseudoPairs: pseudoPairs,
                vocabulary: vocabulary, classifier: classifier, bleuTokenizer: bleuTokenizer,
                maximumLength: maximumLength, output: output, timeLimit: timeLimit, metricsURL: metricsURL, log: log,
                shouldStop: shouldStop)
        }
        let backTranslation = method == .backTranslation
        if settings.transformer != nil && !backTranslation {
            throw InputError("a Transformer network is available for back-translation and dual-rl only")
        }
        var generator = RandomGenerator(seed: settings.training.seed)
        let adversarial = method.adversarialNetwork(
            settings: settings, vocabulary: vocabulary, styleCount: styles.count, using: &generator)
        let model =
            adversarial?.autoencoder
            ?? CrossAlignedAutoencoder(
                settings.configuration(
                    vocabulary: vocabulary, styleCount: styles.count, discriminators: !backTranslation),
                using: &generator)
        let ids = train.sentences.map { list in list.map { vocabulary.encode($0) } }
        let probe = validation.sentences.map { Array($0.prefix(settings.validationSentences)) }
        let bleu = BLEU(tokenizer: bleuTokenizer)
        let validateSystem: (any StyleTransferSystem) throws -> [String: Double] = { system in
            var outputs: [String] = []
            var sources: [String] = []
            var reconstructions: [String] = []
            var hits = 0
            var total = 0
            for (style, sentences) in probe.enumerated() where !sentences.isEmpty {
                let target = styles.count == 2 ? 1 - style : (style + 1) % styles.count
                let transferred = system.transfer(
                    sentences, from: Array(repeating: style, count: sentences.count), to: target)
                outputs += transferred.map { $0.joined(separator: " ") }
                // The same sentences decoded to their own style: whether the autoencoder copies at all.
                reconstructions += system.transfer(
                    sentences, from: Array(repeating: style, count: sentences.count), to: style
                ).map { $0.joined(separator: " ") }
                sources += sentences.map { $0.joined(separator: " ") }
                if let classifier {
                    hits += classifier.predict(transferred).filter { $0 == target }.count
                    total += transferred.count
                }
            }
            guard !outputs.isEmpty else { return [:] }
            let sourceBLEU = try bleu.corpusScore(hypotheses: outputs, references: [sources]).score
            var metrics = [
                "source_bleu": sourceBLEU,
                "reconstruction_bleu": try bleu.corpusScore(hypotheses: reconstructions, references: [sources]).score,
            ]
            if total > 0 {
                let accuracy = Double(hits) / Double(total)
                metrics["accuracy"] = accuracy
                metrics["score"] = (accuracy * 100 * sourceBLEU).squareRoot()
            }
            return metrics
        }
        if backTranslation, let transformer = settings.transformer {
            if let problem = BackTranslationTransformer.problem(
                settings: transformer, vocabularySize: vocabulary.count, styleCount: styles.count)
            {
                throw InputError(problem)
            }
            var generator = RandomGenerator(seed: settings.training.seed)
            let network = BackTranslationTransformer(
                settings: transformer, dropout: settings.dropout, vocabulary: vocabulary, styleCount: styles.count,
                using: &generator)
            return try BackTranslationTransformerTraining.run(
                network: network, sentences: ids, vocabulary: vocabulary, options: settings.training,
                backTranslation: settings.backTranslation, directory: output, timeLimit: timeLimit,
                metricsURL: metricsURL,
                validate: { network in
                    try validateSystem(
                        BackTranslationTransformerTransfer(
                            model: network, vocabulary: vocabulary, maximumLength: maximumLength))
                }, log: log, synchronizer: synchronizer, shouldStop: shouldStop)
        }
        let validate: (CrossAlignedAutoencoder) throws -> [String: Double] = { model in
            try validateSystem(
                CrossAlignedTransfer(model: model, vocabulary: vocabulary, maximumLength: maximumLength))
        }
        if let adversarial {
            return try AdversarialStyleTraining.run(
                network: adversarial, sentences: ids, vocabulary: vocabulary, options: settings.training,
                directory: output, timeLimit: timeLimit, metricsURL: metricsURL, validate: validate, log: log,
                synchronizer: synchronizer, shouldStop: shouldStop)
        }
        return try CrossAlignedTraining.run(
            model: model, sentences: ids, vocabulary: vocabulary, options: settings.training,
            backTranslation: backTranslation ? settings.backTranslation : nil, directory: output,
            timeLimit: timeLimit, metricsURL: metricsURL, validate: validate, log: log, synchronizer: synchronizer,
            shouldStop: shouldStop)
    }

    /// The `dual-rl` branch of ``train(settings:method:styles:train:validation:classifier:bleuTokenizer:maximumLength:output:continuing:timeLimit:metricsURL:log:synchronizer:pseudoPairs:)``.
    static func trainDualRL(
        settings: CrossAlignedSettings, styles: [String], train: StyleCorpus, validation: StyleCorpus,
        pseudoPairs: DualRLPseudoPairs, vocabulary: Vocabulary, classifier: StyleClassifier,
        bleuTokenizer: BLEUTokenizer, maximumLength: Int, output: ModelDirectory, timeLimit: Double?,
        metricsURL: URL?, log: ((String) -> Void)?, shouldStop: () -> Bool = { false }
    ) throws -> CrossAlignedTraining.Summary {
        let dual = settings.dualRL ?? DualRLSettings()
        let pairs = pseudoPairs.pairs.map { list in
            list.map { (input: vocabulary.encode($0.input), output: vocabulary.encode($0.output)) }
        }
        guard pairs.allSatisfy({ !$0.isEmpty }) else {
            throw InputError(
                "dual-rl: the template method changed no sentence of a style, so there are no pseudo-parallel pairs "
                    + "(lower --threshold)")
        }
        log?("dual-rl: pseudo-parallel pairs \(pairs.map { String($0.count) }.joined(separator: ", "))")
        var generator = RandomGenerator(seed: settings.training.seed)
        let network = DualRLStyleTransfer(settings: settings, vocabulary: vocabulary, using: &generator)
        let probe = validation.sentences.map { Array($0.prefix(settings.validationSentences)) }
        let bleu = BLEU(tokenizer: bleuTokenizer)
        let validate: (DualRLStyleTransfer) throws -> [String: Double] = { network in
            let system = DualRLTransfer(network: network, vocabulary: vocabulary, maximumLength: maximumLength)
            var outputs: [String] = []
            var sources: [String] = []
            var hits = 0
            for (style, sentences) in probe.enumerated() where !sentences.isEmpty {
                let transferred = system.transfer(
                    sentences, from: Array(repeating: style, count: sentences.count), to: 1 - style)
                outputs += transferred.map { $0.joined(separator: " ") }
                sources += sentences.map { $0.joined(separator: " ") }
                hits += classifier.predict(transferred).filter { $0 == 1 - style }.count
            }
            guard !outputs.isEmpty else { return [:] }
            let sourceBLEU = try bleu.corpusScore(hypotheses: outputs, references: [sources]).score
            let accuracy = Double(hits) / Double(outputs.count)
            return [
                "source_bleu": sourceBLEU, "accuracy": accuracy, "score": (accuracy * 100 * sourceBLEU).squareRoot(),
            ]
        }
        return try DualRLTraining.run(
            network: network, sentences: train.sentences.map { list in list.map { vocabulary.encode($0) } },
            pseudoPairs: pairs, vocabulary: vocabulary, options: settings.training, settings: dual,
            maximumLength: maximumLength,
            styleProbabilities: { sentences, target in
                classifier.probabilities(sentences.map { vocabulary.decode($0) }).map { Double($0[target]) }
            }, directory: output, timeLimit: timeLimit, metricsURL: metricsURL, validate: validate, log: log,
            shouldStop: shouldStop)
    }

    /// The trained `dual-rl` system in `directory`.
    static func loadDualRL(from directory: ModelDirectory, settings: CrossAlignedSettings, maximumLength: Int) throws
        -> DualRLTransfer
    {
        let vocabulary = try loadVocabulary(from: directory)
        if let problem = settings.configuration(vocabulary: vocabulary, styleCount: 2, discriminators: false).problem {
            throw ModelDirectoryError(path: directory.manifestURL.path, "invalid dual-rl settings: \(problem)")
        }
        var generator = RandomGenerator(seed: 0)
        let network = DualRLStyleTransfer(settings: settings, vocabulary: vocabulary, using: &generator)
        try directory.loadWeights(into: network)
        return DualRLTransfer(network: network, vocabulary: vocabulary, maximumLength: maximumLength)
    }

    static func loadVocabulary(from directory: ModelDirectory) throws -> Vocabulary {
        try directory.readVocabulary(vocabularyFile)
    }

    /// The trained transfer system in `directory`.
    static func load(
        from directory: ModelDirectory, settings: CrossAlignedSettings, styleCount: Int, maximumLength: Int,
        method: StyleTransferMethod
    ) throws -> any StyleTransferSystem {
        let vocabulary = try loadVocabulary(from: directory)
        if let transformer = settings.transformer {
            guard method == .backTranslation else {
                throw ModelDirectoryError(
                    path: directory.manifestURL.path, "a Transformer network is recorded for \(method.rawValue)")
            }
            if let problem = BackTranslationTransformer.problem(
                settings: transformer, vocabularySize: vocabulary.count, styleCount: styleCount)
            {
                throw ModelDirectoryError(path: directory.manifestURL.path, "invalid Transformer settings: \(problem)")
            }
            guard (0..<1).contains(settings.dropout) else {
                throw ModelDirectoryError(path: directory.manifestURL.path, "invalid dropout \(settings.dropout)")
            }
            var generator = RandomGenerator(seed: 0)
            let network = BackTranslationTransformer(
                settings: transformer, dropout: settings.dropout, vocabulary: vocabulary, styleCount: styleCount,
                using: &generator)
            try directory.loadWeights(into: network)
            return BackTranslationTransformerTransfer(
                model: network, vocabulary: vocabulary, maximumLength: maximumLength)
        }
        let configuration = settings.configuration(
            vocabulary: vocabulary, styleCount: styleCount, discriminators: method == .crossAligned)
        if let problem = configuration.problem {
            throw ModelDirectoryError(path: directory.manifestURL.path, "invalid cross-aligned settings: \(problem)")
        }
        var generator = RandomGenerator(seed: 0)
        if let network = method.adversarialNetwork(
            settings: settings, vocabulary: vocabulary, styleCount: styleCount, using: &generator)
        {
            try directory.loadWeights(into: network)
            return CrossAlignedTransfer(
                model: network.autoencoder, vocabulary: vocabulary, maximumLength: maximumLength)
        }
        let model = CrossAlignedAutoencoder(configuration, using: &generator)
        try directory.loadWeights(into: model)
        return CrossAlignedTransfer(model: model, vocabulary: vocabulary, maximumLength: maximumLength)
    }
}
