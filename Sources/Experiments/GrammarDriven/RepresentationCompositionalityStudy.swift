import Autodiff
import Foundation
import Grammar
import MontagueSupport
import NeuralNet
import TextGeneration

/// Where the vectors of a compositionality study come from.
public enum RepresentationSource: String, CaseIterable, Codable, Sendable {
    /// The sum of a random vector per operation of the derivation: exactly additive, TRE 0 (a sanity check).
    case additive
    /// A random vector per expression, independent of its structure: the non-compositional baseline.
    case random
    /// The root state of an untrained Child-Sum Tree-LSTM (Tai et al. 2015) run over the derivation, each node
    /// reading a random vector of its operation: structure-following but not additive.
    case treeLSTM = "tree-lstm"
    /// The final hidden state of an LSTM language model trained on the grammar's sample, after reading the
    /// sentence.
    case languageModel = "lm"
    /// The posterior mean of a sentence VAE (Bowman et al. 2016) trained on the grammar's sample.
    case sentenceVAE = "sentence-vae"
    /// The final state of the LSTM encoder of a seq2seq model (Sutskever et al. 2014) trained on the sample to
    /// write each sentence's meaning tokens.
    case seq2seq
    /// The root state of a Child-Sum Tree-LSTM over the derivation (Tai et al. 2015) trained, with the same
    /// decoder, to write the meaning tokens: structure given, composition learned.
    case trainedTreeLSTM = "trained-tree-lstm"
    /// A random vector per distinct meaning the grammar assigns: a representation that encodes the meaning
    /// exactly and nothing else (a sanity check for the meaning-map study).
    case meaning
}

/// The settings of a compositionality study.
public struct RepresentationStudySettings: Codable, Equatable, Sendable {
    /// The sources compared, in table order.
    public var sources: [RepresentationSource]
    /// Distinct expressions measured (fewer when the sample has fewer).
    public var expressions: Int
    /// Sentences the grammar samples to find the expressions and to train the learned sources.
    public var trainingSamples: Int
    /// Vector width of every source (LSTM width, latent size of the VAE, random and additive dimension).
    public var dimension: Int
    /// Training epochs of the learned sources.
    public var epochs: Int
    /// Longest sentence (words) used.
    public var maximumLength: Int
    /// Seed of the sample, initializations and training.
    public var seed: UInt64

    /// Settings with small defaults.
    public init(
        sources: [RepresentationSource] = RepresentationSource.allCases, expressions: Int = 300,
        trainingSamples: Int = 2000, dimension: Int = 32, epochs: Int = 10, maximumLength: Int = 30, seed: UInt64 = 1
    ) {
        self.sources = sources
        self.expressions = expressions
        self.trainingSamples = trainingSamples
        self.dimension = dimension
        self.epochs = epochs
        self.maximumLength = maximumLength
        self.seed = seed
    }
}

/// One row of a compositionality study.
public struct RepresentationStudyRow: Codable, Sendable, Equatable {
    /// The source.
    public var source: RepresentationSource
    /// TRE with the derivation's operations as primitives (a bag of operations; Andreas 2019).
    public var treOperations: Double
    /// TRE with operations in their argument slots as primitives.
    public var treSlots: Double
    /// TRE divided by the mean norm of the representations (scale-free, comparable across sources).
    public var relativeTRE: Double
    /// Topographic similarity between representation distances and meaning edit distances.
    public var topographicSimilarity: Double
    /// Expressions measured.
    public var expressions: Int
    /// The last epoch's mean cross entropy per meaning token of a learned encoder with its decoder (seq2seq,
    /// trained-tree-lstm); nil for the other sources.
    public var trainingLoss: Double?
}

/// Compositionality of learned representations against a grammar's derivations: TRE (Andreas 2019) and
/// topographic similarity (Brighton & Kirby 2006) of sequence models' sentence vectors next to structure-following
/// and random baselines, on expressions whose derivations and meanings the grammar gives exactly
/// (``DerivationCompositionality``; docs/probabilistic-grammars.md).
public enum RepresentationCompositionalityStudy {
    /// An expression of the study.
    public struct Expression: Sendable {
        /// Its words.
        public var words: [String]
        /// Its derivation.
        public var term: Term
        /// Its meaning's tokens (a rendered meaning split at spaces).
        public var meaning: [String]
    }

    /// Distinct sampled expressions (the first `count`) with their derivations and meanings, and the whole
    /// sample's sentences (for training).
    ///
    /// - Throws: the grammar's sampling error.
    public static func expressions(
        of grammar: ProbabilisticGrammar, settings: RepresentationStudySettings
    ) throws -> (expressions: [Expression], sample: [[String]]) {
        let samples = try grammar.samples(count: settings.trainingSamples, seed: settings.seed)
            .filter { !$0.tokens.isEmpty && $0.tokens.count <= settings.maximumLength }
        var seen = Set<String>()
        var out: [Expression] = []
        for sample in samples where out.count < settings.expressions && !seen.contains(sample.sentence) {
            seen.insert(sample.sentence)
            guard let reading = grammar.reading(ofDerivation: sample.derivation) else { continue }
            var meaning = reading.meaning
            if meaning.hasPrefix("[") && meaning.hasSuffix("]") { meaning = String(meaning.dropFirst().dropLast()) }
            out.append(
                Expression(
                    words: sample.tokens, term: reading.term,
                    meaning: meaning.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)))
        }
        return (out, samples.map(\.tokens))
    }

    /// Runs the study: one row per source.
    ///
    /// - Throws: ``InputError`` when the grammar yields fewer than 3 expressions; the grammar's sampling error.
    public static func run(
        _ grammar: ProbabilisticGrammar, settings: RepresentationStudySettings
    ) throws -> [RepresentationStudyRow] {
        guard settings.dimension > 0, settings.epochs >= 0, settings.expressions >= 3, settings.trainingSamples > 0,
            settings.maximumLength > 0
        else { throw InputError("sizes must be positive and at least 3 expressions are needed") }
        let (expressions, sample) = try expressions(of: grammar, settings: settings)
        guard expressions.count >= 3 else {
            throw InputError("the grammar's sample has only \(expressions.count) distinct expressions; need 3")
        }
        var all = settings
        all.expressions = Int.max
        let learning = settings.sources.contains(.seq2seq) || settings.sources.contains(.trainedTreeLSTM)
        let training = learning ? try Self.expressions(of: grammar, settings: all).expressions : []
        var rows: [RepresentationStudyRow] = []
        for source in settings.sources {
            let (vectors, loss) = try representations(
                source, of: expressions, grammar: grammar, sample: sample, training: training, settings: settings)
            var row = row(source, vectors: vectors, expressions: expressions)
            row.trainingLoss = loss
            rows.append(row)
        }
        return rows
    }

    /// TRE and topographic similarity of `vectors`.
    static func row(_ source: RepresentationSource, vectors: [[Double]], expressions: [Expression])
        -> RepresentationStudyRow
    {
        let terms = expressions.map(\.term)
        let operations = DerivationCompositionality.treeReconstructionError(
            representations: vectors, derivations: terms, primitives: .operations, ridge: 1e-6)
        let slots = DerivationCompositionality.treeReconstructionError(
            representations: vectors, derivations: terms, primitives: .slots, ridge: 1e-6)
        let meanNorm =
            vectors.map { v in v.reduce(0) { $0 + $1 * $1 }.squareRoot() }.reduce(0, +)
            / Double(max(vectors.count, 1))
        return RepresentationStudyRow(
            source: source, treOperations: operations.error, treSlots: slots.error,
            relativeTRE: meanNorm > 0 ? operations.error / meanNorm : 0,
            topographicSimilarity: DerivationCompositionality.topographicSimilarity(
                representations: vectors, meanings: expressions.map(\.meaning)),
            expressions: expressions.count)
    }

    /// The vectors of `source` for the expressions, with the learned encoders' last training loss (nil for the
    /// other sources).
    static func representations(
        _ source: RepresentationSource, of expressions: [Expression], grammar: ProbabilisticGrammar,
        sample: [[String]], training: [Expression] = [], settings: RepresentationStudySettings
    ) throws -> (vectors: [[Double]], trainingLoss: Double?) {
        let d = settings.dimension
        var generator = RandomGenerator(seed: settings.seed &+ 11)
        func randomVector() -> [Double] { (0..<d).map { _ in generator.nextStandardNormal() } }
        switch source {
        case .random:
            return (expressions.map { _ in randomVector() }, nil)
        case .meaning:
            var table: [[String]: [Double]] = [:]
            return (
                expressions.map { expression in
                    if let vector = table[expression.meaning] { return vector }
                    let vector = randomVector()
                    table[expression.meaning] = vector
                    return vector
                }, nil
            )
        case .additive:
            var table: [String: [Double]] = [:]
            let vectors = expressions.map { expression in
                var sum = [Double](repeating: 0, count: d)
                for primitive in DerivationCompositionality.primitives(of: expression.term) {
                    if table[primitive] == nil { table[primitive] = randomVector() }
                    for i in 0..<d { sum[i] += table[primitive]?[i] ?? 0 }
                }
                return sum
            }
            return (vectors, nil)
        case .treeLSTM:
            let cell = ChildSumTreeLSTMCell(inputSize: d, hiddenSize: d, using: &generator)
            var inputs: [String: Tensor] = [:]
            func state(_ term: Term) -> LSTMState {
                let name = term.isAtom ? "\"" + term.yield + "\"" : term.operation
                if inputs[name] == nil {
                    inputs[name] = Tensor(shape: [1, d], scalars: randomVector().map(Float.init))
                }
                return cell(inputs[name] ?? Tensor.zeros([1, d]), children: term.arguments.map(state))
            }
            return (withoutGradients { expressions.map { state($0.term).hidden.scalars.map(Double.init) } }, nil)
        case .languageModel:
            let vocabulary = GrammarVocabulary(words: sample.joined())
            var configuration = LanguageModelTraining.Configuration(
                vocabularySize: vocabulary.count, embeddingSize: d, hiddenSize: d, initializationSeed: settings.seed,
                batchSize: 32, learningRate: 5e-3)
            let sequences = sample.map { [GrammarVocabulary.start] + vocabulary.encode($0) + [GrammarVocabulary.end] }
            configuration.loop = TrainingConfiguration(
                totalSteps: max(1, settings.epochs * ((sequences.count + 31) / 32)), seed: settings.seed)
            let model = try LanguageModelTraining.run(configuration, training: sequences).model
            let vectors = withoutGradients {
                expressions.map { expression in
                    let tokens = [GrammarVocabulary.start] + vocabulary.encode(expression.words)
                    let states = model.logits(IndexTensor(shape: [tokens.count, 1], indices: tokens)).states
                    return states[0].hidden.scalars.map(Double.init)
                }
            }
            return (vectors, nil)
        case .seq2seq, .trainedTreeLSTM:
            let encoder = MeaningEncoderTraining(
                kind: source == .seq2seq ? .sequence : .tree, expressions: training + expressions, dimension: d,
                using: &generator)
            let loss = encoder.train(
                training.isEmpty ? expressions : training, epochs: settings.epochs, batchSize: 32, learningRate: 5e-3,
                using: &generator)
            return (encoder.representations(expressions), settings.epochs > 0 ? loss : nil)
        case .sentenceVAE:
            var generatorSettings = GrammarGeneratorSettings(
                method: .sentenceVAE, trainingSamples: settings.trainingSamples, evaluationSamples: 2,
                maximumLength: settings.maximumLength, embeddingSize: d, hiddenSize: 2 * d, latentSize: d,
                batchSize: 32, pretrainEpochs: 0, rounds: max(1, settings.epochs), seed: settings.seed)
            generatorSettings.evaluationInterval = max(1, settings.epochs)
            let run = try GrammarGeneratorExperiment.run(grammar, settings: generatorSettings)
            guard let model = run.sentenceVAE else { return (expressions.map { _ in randomVector() }, nil) }
            let encoded = expressions.map {
                [GrammarVocabulary.start] + run.vocabulary.encode($0.words) + [GrammarVocabulary.end]
            }
            let means = SentenceVAETraining.encode(model, encoded).scalars
            let latent = model.configuration.latentSize
            return ((0..<expressions.count).map { b in means[(b * latent)..<((b + 1) * latent)].map(Double.init) }, nil)
        }
    }

    /// The study as a Markdown table.
    public static func table(_ rows: [RepresentationStudyRow]) -> String {
        var lines = [
            "| representation | TRE (operations) | TRE (slots) | TRE / mean norm | topographic similarity | expressions | training loss |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for row in rows {
            lines.append(
                "| \(row.source.rawValue) | " + String(format: "%.4f", row.treOperations) + " | "
                    + String(format: "%.4f", row.treSlots) + " | " + String(format: "%.4f", row.relativeTRE) + " | "
                    + String(format: "%.4f", row.topographicSimilarity) + " | \(row.expressions) | "
                    + (row.trainingLoss.map { String(format: "%.4f", $0) } ?? "–") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
