import Autodiff
import Corpus
import Foundation
import Grammar
import MontagueSupport
import NeuralNet
import TextGeneration

/// How a meaning-conditioned generator is built.
public enum MeaningConditionedMethod: String, CaseIterable, Codable, Sendable {
    /// ``ConditionalLanguageModel`` (class condition: the meaning's embedding starts the LSTM) or
    /// ``SequenceConditionedLanguageModel`` (sequence condition: a meaning-to-sentence sequence-to-sequence model).
    case conditionalLM = "conditional-lm"
    /// The same network with every meaning mapped to one label: the accuracy of ignoring the condition.
    case unconditionalLM = "unconditional-lm"
    /// A conditional GAN trained with mismatched-pair negatives (Mirza & Osindero 2014; Reed et al. 2016):
    /// TextGeneration's ``ConditionalStyleGAN`` with one label per meaning, generating from noise.
    case conditionalGAN = "conditional-gan"
    /// A conditional VAE (Sohn et al. 2015): ``ConditionalSentenceVAE``, generating from its prior.
    case conditionalVAE = "conditional-vae"

    /// Whether the label is the meaning (every method but ``unconditionalLM``).
    public var isConditional: Bool { self != .unconditionalLM }
}

/// How a meaning-conditioned generator reads the meaning it is asked for.
public enum MeaningConditionKind: String, CaseIterable, Codable, Sendable {
    /// One learned vector per distinct meaning of the training sample: only meanings seen in training can be asked
    /// for (fine for the few values of an arithmetic grammar).
    case `class`
    /// The meaning read as a token sequence (a SCAN action sequence, a logical form) by a recurrent encoder: the
    /// conditional LM becomes a meaning-to-sentence sequence-to-sequence model
    /// (``SequenceConditionedLanguageModel``), the conditional VAE's ``ConditionEncoder`` an LSTM; meanings never
    /// seen in training can be asked for.
    case sequence

    /// The default: `class` for the conditional GAN (its condition is a label) and for meanings that are all
    /// integers, `sequence` otherwise.
    public static func automatic(method: MeaningConditionedMethod, meanings: [String]) -> MeaningConditionKind {
        method == .conditionalGAN || MeaningConditionedGeneration.areIntegers(meanings) ? .class : .sequence
    }
}

/// The settings of a meaning-conditioned generation experiment.
public struct MeaningConditionedSettings: Codable, Equatable, Sendable {
    /// The method.
    public var method: MeaningConditionedMethod
    /// (sentence, meaning) pairs sampled from the grammar for training.
    public var trainingSamples: Int
    /// Conditions drawn from the grammar's meaning distribution (a fresh sample) per measurement.
    public var evaluationConditions: Int
    /// Training sentences longer than this many words are left out.
    public var maximumLength: Int
    /// Embedding width.
    public var embeddingSize: Int
    /// LSTM width.
    public var hiddenSize: Int
    /// Sentences per batch.
    public var batchSize: Int
    /// Adam's learning rate.
    public var learningRate: Float
    /// Training epochs.
    public var epochs: Int
    /// Sampling temperature of generation.
    public var temperature: Float
    /// Epochs between measurements (and always after the last).
    public var evaluationInterval: Int
    /// Seed of the samples, initialization, training and generation.
    public var seed: UInt64
    /// Latent dimensions of the conditional VAE (nil: 16).
    public var latentSize: Int?
    /// Word dropout of the conditional VAE's decoder inputs (nil: 0.25).
    public var wordDropout: Float?
    /// How the meaning is read (nil: ``MeaningConditionKind/automatic(method:meanings:)``).
    public var condition: MeaningConditionKind?
    /// Fraction of the sample's distinct meanings held out of training, with every sentence of theirs (a split by
    /// meaning; nil: 0.2 when the meanings are not all integers, else 0).
    public var heldOutFraction: Double?
    /// Attention of the sequence-conditioned LM's decoder over the meaning's tokens (nil: `dot`).
    public var attention: Seq2SeqAttentionKind?

    /// Settings with small defaults.
    public init(
        method: MeaningConditionedMethod = .conditionalLM, trainingSamples: Int = 2000, evaluationConditions: Int = 500,
        maximumLength: Int = 30, embeddingSize: Int = 32, hiddenSize: Int = 64, batchSize: Int = 64,
        learningRate: Float = 5e-3, epochs: Int = 20, temperature: Float = 1, evaluationInterval: Int = 2,
        seed: UInt64 = 1, latentSize: Int? = nil, wordDropout: Float? = nil, condition: MeaningConditionKind? = nil,
        heldOutFraction: Double? = nil, attention: Seq2SeqAttentionKind? = nil
    ) {
        self.latentSize = latentSize
        self.wordDropout = wordDropout
        self.condition = condition
        self.heldOutFraction = heldOutFraction
        self.attention = attention
        self.method = method
        self.trainingSamples = trainingSamples
        self.evaluationConditions = evaluationConditions
        self.maximumLength = maximumLength
        self.embeddingSize = embeddingSize
        self.hiddenSize = hiddenSize
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.epochs = epochs
        self.temperature = temperature
        self.evaluationInterval = evaluationInterval
        self.seed = seed
    }

    /// Checks the values a user can set.
    ///
    /// - Throws: ``InputError`` naming the first invalid setting.
    public func validate() throws(InputError) {
        func check(_ condition: Bool, _ message: String) throws(InputError) {
            if !condition { throw InputError(message) }
        }
        try check(trainingSamples > 0 && evaluationConditions > 0, "sample counts must be positive")
        try check(maximumLength > 0 && embeddingSize > 0 && hiddenSize > 0 && batchSize > 0, "sizes must be positive")
        try check(learningRate > 0 && learningRate.isFinite, "the learning rate must be positive")
        try check(epochs >= 0 && evaluationInterval > 0, "epochs must be ≥ 0 and the interval positive")
        try check(temperature > 0 && temperature.isFinite, "the temperature must be positive")
        try check((latentSize ?? 1) > 0, "the latent size must be positive")
        try check((0..<1).contains(wordDropout ?? 0), "word dropout must be in [0, 1)")
        try check(method != .conditionalGAN || batchSize >= 2, "the conditional GAN needs batches of at least 2")
        try check(
            method != .conditionalGAN || condition != .sequence,
            "the conditional GAN reads its condition as a label only: use --condition class")
        try check((0..<1).contains(heldOutFraction ?? 0), "the held-out fraction must be in [0, 1)")
    }
}

/// One measurement of a meaning-conditioned generator.
public struct MeaningConditionedMeasurement: Codable, Sendable, Equatable {
    /// Epochs done.
    public var epoch: Int
    /// Fraction of generated sentences whose meaning (decided by the grammar) is the condition.
    public var accuracy: Double
    /// Fraction of generated sentences in the language.
    public var validity: Double
    /// Fraction of the correct sentences that are not in the training sample (new expressions of the meaning).
    public var novelty: Double?
    /// Distinct correct sentences per condition value, averaged over the distinct conditions.
    public var distinctCorrect: Double
    /// Mean training loss of the last epoch (nats per token).
    public var loss: Double?
    /// Accuracy on the asked meanings absent from training (held out or never sampled); nil when the generator
    /// cannot be asked for them (a class condition) or there are none.
    public var unseenAccuracy: Double?
    /// Validity of the sentences generated for the unseen meanings.
    public var unseenValidity: Double?

    /// The values by name (`accuracy` and `validity` are those of the meanings seen in training).
    public var metrics: [String: Double] {
        var values = ["accuracy": accuracy, "validity": validity, "distinct_correct": distinctCorrect]
        if let novelty { values["novelty"] = novelty }
        if let loss { values["loss"] = loss }
        if let unseenAccuracy { values["accuracy_unseen"] = unseenAccuracy }
        if let unseenValidity { values["validity_unseen"] = unseenValidity }
        return values
    }
}

/// What a meaning-conditioned experiment produced.
public struct MeaningConditionedRun {
    /// The measurements (the first before training).
    public var measurements: [MeaningConditionedMeasurement]
    /// The meanings the model knows (label order).
    public var meanings: [String]
    /// Fraction of the evaluation conditions whose meaning occurs in the training sample (the others cannot be
    /// asked for and are left out).
    public var knownConditionFraction: Double
    /// The last measurement's (condition, generated sentence) pairs for the meanings seen in training.
    public var finalOutputs: [(meaning: String, sentence: String)]
    /// The same for the asked meanings absent from training (empty for a class condition).
    public var finalUnseenOutputs: [(meaning: String, sentence: String)] = []
    /// Training pairs (sentence, meaning).
    public var trainingPairs: [(sentence: String, meaning: String)]
    /// How the meaning was read.
    public var condition: MeaningConditionKind = .class
    /// The sampled meanings held out of training (split by meaning).
    public var heldOutMeanings: [String] = []
    /// Number of asked meanings absent from training (held out or never sampled).
    public var unseenConditionCount = 0
}

/// Meaning-conditioned generation on a grammar (conditional generation with an exact judge): the condition is a
/// meaning the grammar assigns (the value of an arithmetic expression, a SCAN action sequence, a truth value), the
/// generator is asked for a sentence with that meaning, and the grammar's compositional semantics decides whether
/// the sentence it produced means that (``GrammarOracle/assess(_:)``) — no classifier or BLEU proxy involved.
public enum MeaningConditionedGeneration {
    /// Runs an experiment; `observe` sees each measurement as it is taken.
    ///
    /// - Throws: ``InputError`` for invalid settings or an empty sample; the grammar's sampling error; whatever
    ///   `observe` throws.
    public static func run(
        _ grammar: ProbabilisticGrammar, settings: MeaningConditionedSettings,
        observe: (MeaningConditionedMeasurement) throws -> Void = { _ in }
    ) throws -> MeaningConditionedRun {
        try settings.validate()
        let sampled = try grammar.generate(count: settings.trainingSamples, seed: settings.seed).filter {
            let n = $0.input.split(separator: " ").count
            return n > 0 && n <= settings.maximumLength && $0.output != "⊥"
        }
        guard !sampled.isEmpty else { throw InputError("no sampled sentence is short enough and has a meaning") }
        let sampledMeanings = Array(Set(sampled.map(\.output))).sorted()
        let kind = settings.condition ?? .automatic(method: settings.method, meanings: sampledMeanings)
        let heldOut = heldOutMeanings(
            sampledMeanings,
            fraction: settings.heldOutFraction ?? (areIntegers(sampledMeanings) ? 0 : 0.2), seed: settings.seed)
        let examples = sampled.filter { !heldOut.contains($0.output) }
        guard !examples.isEmpty else { throw InputError("every sampled meaning is held out: lower the fraction") }
        let meanings = Array(Set(examples.map(\.output))).sorted()
        var label: [String: Int] = [:]
        for (i, meaning) in meanings.enumerated() { label[meaning] = i }
        let sentences = examples.map { $0.input.split(separator: " ").map(String.init) }
        let vocabulary = GrammarVocabulary(grammar: grammar, sentences: sentences)
        let oracle = GrammarOracle(grammar: grammar, trainingSample: examples.map(\.input))
        let sequences = sentences.map { [GrammarVocabulary.start] + vocabulary.encode($0) + [GrammarVocabulary.end] }
        let conditional = settings.method.isConditional
        let labels = examples.map { conditional ? label[$0.output] ?? 0 : 0 }
        let length = (sequences.map(\.count).max() ?? 2)
        let evaluation = try grammar.generate(count: settings.evaluationConditions, seed: settings.seed &+ 1)
            .map(\.output)
        let known = evaluation.filter { label[$0] != nil }
        // A class condition cannot be asked for a meaning without a label; ignoring the condition, or reading it as
        // tokens, can.
        let asksUnseen = !conditional || kind == .sequence
        let absent = evaluation.filter { label[$0] == nil && $0 != "⊥" }
        let unseen = asksUnseen ? absent : []
        var run = MeaningConditionedRun(
            measurements: [], meanings: meanings,
            knownConditionFraction: Double(known.count) / Double(max(evaluation.count, 1)), finalOutputs: [],
            trainingPairs: examples.map { ($0.input, $0.output) }, condition: kind,
            heldOutMeanings: heldOut.sorted(), unseenConditionCount: absent.count)

        // `generate` writes one sentence per asked meaning.
        typealias Generate = ([String], inout RandomGenerator) -> [String]
        func measure(epoch: Int, loss: Double?, generate: Generate) throws {
            var generator = RandomGenerator(seed: settings.seed ^ (0xD1B5_4A32_D192_ED03 &* UInt64(epoch + 1)))
            let pairs = zip(known, generate(known, &generator)).map { (meaning: $0, sentence: $1) }
            var measurement = Self.measurement(pairs, oracle: oracle, epoch: epoch, loss: loss)
            if !unseen.isEmpty {
                let unseenPairs = zip(unseen, generate(unseen, &generator)).map { (meaning: $0, sentence: $1) }
                let scored = Self.measurement(unseenPairs, oracle: oracle, epoch: epoch, loss: loss)
                measurement.unseenAccuracy = scored.accuracy
                measurement.unseenValidity = scored.validity
                run.finalUnseenOutputs = unseenPairs
            }
            run.measurements.append(measurement)
            run.finalOutputs = pairs
            try observe(measurement)
        }
        func due(_ epoch: Int) -> Bool { epoch % settings.evaluationInterval == 0 || epoch == settings.epochs }
        let indices = Array(sequences.indices)
        var random = RandomGenerator(seed: settings.seed &+ 2)
        // Measures the untrained model, then trains for the settings' epochs: each shuffles the training
        // sentences into batches, `trainBatch` takes one optimizer step on a batch's members and returns the loss
        // reported for it, and a due epoch is measured with the mean of those losses.
        func train(generate: Generate, trainBatch: ([Int]) throws -> Double) throws {
            try measure(epoch: 0, loss: nil, generate: generate)
            for epoch in 1...max(settings.epochs, 1) where epoch <= settings.epochs {
                let batches = GrammarGeneratorExperiment.shuffledBatches(
                    indices.map { [$0] }, size: settings.batchSize, using: &random)
                var total = 0.0
                for batch in batches { total += try trainBatch(batch.map { $0[0] }) }
                if due(epoch) {
                    try measure(epoch: epoch, loss: total / Double(max(batches.count, 1)), generate: generate)
                }
            }
        }
        // Sequence conditions: the meaning's tokens, ids of a vocabulary of the training meanings' tokens
        // (``SequenceVocabulary``: 0 padding, …, 3 unknown).
        let meaningVocabulary = SequenceVocabulary(meanings.flatMap(meaningTokens))
        func tokens(_ meaning: String) -> [Int] {
            let ids = meaningVocabulary.encode(meaningTokens(meaning))
            return ids.isEmpty ? [SequenceVocabulary.unknown] : ids
        }
        let meaningTokenIDs = examples.map { tokens($0.output) }
        func labelsOf(_ asked: [String]) -> [Int] { asked.map { conditional ? label[$0] ?? 0 : 0 } }

        switch (settings.method, kind) {
        case (.conditionalLM, .sequence):
            var initialization = RandomGenerator(seed: settings.seed)
            let model = SequenceConditionedLanguageModel(
                conditionVocabularySize: meaningVocabulary.count, vocabularySize: vocabulary.count + 1,
                embeddingSize: settings.embeddingSize, hiddenSize: settings.hiddenSize,
                attention: settings.attention ?? .dot, using: &initialization)
            let adam = Adam(model.parameters, learningRate: settings.learningRate)
            // The sequence-to-sequence ids are the grammar vocabulary's shifted by one (`<s>` → `<bos>`,
            // `</s>` → `<eos>`, `<unk>` → unknown; 0 is padding).
            let targets = sequences.map { $0.dropFirst().dropLast().map { $0 + 1 } }
            let generate: Generate = { asked, generator in
                model.sample(
                    conditions: asked.map(tokens), maximumLength: length, temperature: settings.temperature,
                    using: &generator
                ).map { vocabulary.decode($0.map { $0 - 1 }) }
            }
            try train(generate: generate) { members in
                let loss = model.loss(
                    conditions: members.map { meaningTokenIDs[$0] }, sentences: members.map { targets[$0] },
                    using: &random)
                adam.step(clipByGlobalNorm(gradients(of: loss, wrt: model.parameterValues), maxNorm: 5).clipped)
                return Double(loss.item)
            }
        case (.conditionalLM, .class), (.unconditionalLM, _):
            var initialization = RandomGenerator(seed: settings.seed)
            let model = ConditionalLanguageModel(
                conditionCount: conditional ? meanings.count : 1, vocabularySize: vocabulary.count,
                embeddingSize: settings.embeddingSize, hiddenSize: settings.hiddenSize, using: &initialization)
            let adam = Adam(model.parameters, learningRate: settings.learningRate)
            let generate: Generate = { asked, generator in
                model.sample(
                    conditions: labelsOf(asked), startToken: GrammarVocabulary.start, length: length,
                    temperature: settings.temperature, using: &generator
                ).map(vocabulary.decode)
            }
            try train(generate: generate) { members in
                let loss = model.loss(sequences: members.map { sequences[$0] }, conditions: members.map { labels[$0] })
                adam.step(clipByGlobalNorm(gradients(of: loss, wrt: model.parameterValues), maxNorm: 5).clipped)
                return Double(loss.item)
            }
        case (.conditionalVAE, _):
            var initialization = RandomGenerator(seed: settings.seed)
            let model = ConditionalSentenceVAE(
                condition: kind == .sequence
                    ? .sequence(vocabularySize: meaningVocabulary.count) : .label(count: meanings.count),
                vocabularySize: vocabulary.count, embeddingSize: settings.embeddingSize,
                hiddenSize: settings.hiddenSize, latentSize: settings.latentSize ?? 16,
                conditionSize: kind == .sequence ? settings.hiddenSize : settings.embeddingSize,
                using: &initialization)
            let conditionsOf = { (asked: [String]) -> [[Int]] in
                kind == .sequence ? asked.map(tokens) : labelsOf(asked).map { [$0] }
            }
            let trainingConditions = kind == .sequence ? meaningTokenIDs : labels.map { [$0] }
            let adam = Adam(model.parameters, learningRate: settings.learningRate)
            let generate: Generate = { asked, generator in
                model.sample(
                    conditions: conditionsOf(asked), beginToken: GrammarVocabulary.start,
                    endToken: GrammarVocabulary.end, maximumLength: length, temperature: settings.temperature,
                    using: &generator
                ).map(vocabulary.decode)
            }
            let batchesPerEpoch = (sequences.count + settings.batchSize - 1) / settings.batchSize
            let annealing = KLAnnealing.linear(steps: max(1, settings.epochs * batchesPerEpoch / 2))
            var step = 0
            try train(generate: generate) { members in
                let parts = model.loss(
                    sequences: members.map { sequences[$0] }, conditions: members.map { trainingConditions[$0] },
                    klWeight: annealing.weight(atStep: step), wordDropout: settings.wordDropout ?? 0.25,
                    unknownToken: GrammarVocabulary.unknown, using: &random)
                adam.step(clipByGlobalNorm(gradients(of: parts.loss, wrt: model.parameterValues), maxNorm: 5).clipped)
                step += 1
                // The loss reported is the unweighted negative ELBO per sentence.
                return parts.reconstruction + parts.kl
            }
        case (.conditionalGAN, _):
            // `validate` rejects an explicit sequence condition; the automatic one is `class`.
            try runConditionalGAN(
                settings: settings, sentences: sentences, labels: labels, meaningCount: meanings.count,
                labelOf: { label[$0] ?? 0 }, length: length, measure: measure)
        }
        return run
    }

    /// Whether every meaning is an integer (then one class per meaning is the default condition).
    static func areIntegers(_ meanings: [String]) -> Bool { meanings.allSatisfy { Int($0) != nil } }

    /// The tokens of a meaning as the sequence condition reads it: runs of letters, digits and `_`, and every
    /// other character but white space on its own (`I_TURN_LEFT I_WALK` → two tokens; `walk(x) & dog(x)` →
    /// `walk ( x ) & dog ( x )`).
    public static func meaningTokens(_ meaning: String) -> [String] {
        var tokens: [String] = []
        var word = ""
        for character in meaning {
            if character.isLetter || character.isNumber || character == "_" {
                word.append(character)
                continue
            }
            if !word.isEmpty { tokens.append(word) }
            word = ""
            if !character.isWhitespace && character != "," { tokens.append(String(character)) }
        }
        if !word.isEmpty { tokens.append(word) }
        return tokens
    }

    /// `fraction` of the distinct `meanings` (rounded), drawn without replacement by a generator seeded from
    /// `seed`.
    static func heldOutMeanings(_ meanings: [String], fraction: Double, seed: UInt64) -> Set<String> {
        let count = Int((fraction * Double(meanings.count)).rounded())
        guard count > 0 else { return [] }
        var order = meanings.sorted()
        var generator = RandomGenerator(seed: seed &+ 3)
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, generator.nextInt(below: i + 1)) }
        return Set(order.prefix(count))
    }

    /// Trains ``ConditionalStyleGAN`` with one "style" per meaning through ``AdversarialStyleTraining`` (Adam with
    /// β₁ = 0.5, batches with the same number of sentences of every meaning, the rarer meanings oversampled) in a
    /// temporary model directory, measuring every `evaluationInterval` epochs of `⌈N / batch size⌉` steps.
    static func runConditionalGAN(
        settings: MeaningConditionedSettings, sentences: [[String]], labels: [Int], meaningCount: Int,
        labelOf: @escaping (String) -> Int, length: Int,
        measure: (Int, Double?, ([String], inout RandomGenerator) -> [String]) throws -> Void
    ) throws {
        let wordVocabulary = Vocabulary(tokens: sentences.joined())
        var perMeaning = [[[Int]]](repeating: [], count: meaningCount)
        for (sentence, label) in zip(sentences, labels) { perMeaning[label].append(wordVocabulary.encode(sentence)) }
        let network = CrossAlignedSettings(
            embeddingSize: settings.embeddingSize, styleSize: max(2, settings.hiddenSize / 2),
            contentSize: settings.hiddenSize, filterWidths: [1, 2, 3], filterCount: 16, dropout: 0.1,
            temperature: 0.1, minimumCount: 1, validationSentences: 0)
        var initialization = RandomGenerator(seed: settings.seed)
        let gan = ConditionalStyleGAN(
            settings: network, vocabulary: wordVocabulary, styleCount: meaningCount, using: &initialization)
        let stepsPerEpoch = max(1, (sentences.count + settings.batchSize - 1) / settings.batchSize)
        let options = CrossAlignedTraining.Options(
            batchSize: max(settings.batchSize, meaningCount), learningRate: settings.learningRate,
            steps: settings.epochs * stepsPerEpoch, evaluationInterval: settings.evaluationInterval * stepsPerEpoch,
            seed: settings.seed)
        let generate: ([String], inout RandomGenerator) -> [String] = { asked, generator in
            gan.generate(
                styles: asked.map(labelOf), vocabulary: wordVocabulary, maximumLength: length, using: &generator
            ).map { wordVocabulary.decode($0).joined(separator: " ") }
        }
        try measure(0, nil, generate)
        guard settings.epochs > 0 else { return }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "montague-conditional-gan-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let directory = ModelDirectory(url: scratch)
        try ExperimentArtifacts.createDirectory(scratch)
        var step = 0
        try withoutActuallyEscaping(measure) { measure in
            _ = try AdversarialStyleTraining.run(
                network: gan, sentences: perMeaning, vocabulary: wordVocabulary, options: options,
                directory: directory,
                validate: { _ in
                    step = min(step + options.evaluationInterval, options.steps)
                    try measure(step / stepsPerEpoch, nil, generate)
                    return [:]
                })
        }
    }

    /// The grammar's verdict on (condition, generated sentence) pairs.
    static func measurement(
        _ pairs: [(meaning: String, sentence: String)], oracle: GrammarOracle, epoch: Int, loss: Double?
    ) -> MeaningConditionedMeasurement {
        var memo: [String: GrammarOracle.Assessment] = [:]
        var correct = 0
        var valid = 0
        var novel = 0
        var distinct: [String: Set<String>] = [:]
        for pair in pairs {
            let assessment = memo[pair.sentence] ?? oracle.assess(pair.sentence)
            memo[pair.sentence] = assessment
            if assessment.isValid { valid += 1 }
            if assessment.meanings.contains(pair.meaning) {
                correct += 1
                if assessment.isNovel { novel += 1 }
                distinct[pair.meaning, default: []].insert(assessment.sentence)
            }
        }
        let conditions = Set(pairs.map(\.meaning)).count
        return MeaningConditionedMeasurement(
            epoch: epoch, accuracy: Double(correct) / Double(max(pairs.count, 1)),
            validity: Double(valid) / Double(max(pairs.count, 1)),
            novelty: correct > 0 ? Double(novel) / Double(correct) : nil,
            distinctCorrect: Double(distinct.values.reduce(0) { $0 + $1.count }) / Double(max(conditions, 1)),
            loss: loss)
    }
}
