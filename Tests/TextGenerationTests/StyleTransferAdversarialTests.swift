import Autodiff
import Corpus
import Foundation
import MontagueSupport
import NeuralNet
import Testing

@testable import TextGeneration

@Suite("Style transfer: cycle, common-space, StarGAN, conditional GAN; reusing a classifier")
struct StyleTransferAdversarialTests {
    static let methods: [StyleTransferMethod] = [.cycle, .commonSpace, .stargan, .conditional]

    /// Tiny settings: a step takes milliseconds in a debug build.
    static func settings(steps: Int, method: StyleTransferMethod, dropout: Float = 0) -> CrossAlignedSettings {
        var settings = CrossAlignedSettings(
            embeddingSize: 8, styleSize: 4, contentSize: 12, filterWidths: [1, 2], filterCount: 4, dropout: dropout,
            minimumCount: 1, validationSentences: 6,
            training: CrossAlignedTraining.Options(
                batchSize: 8, learningRate: 1e-2, steps: steps, evaluationInterval: 3, seed: 5))
        settings.gumbelTemperature = 0.5
        _ = method
        return settings
    }

    static func toyBatch(_ vocabulary: Vocabulary, styles: Int = 2) -> [(ids: [Int], style: Int)] {
        let sentences: [([String], Int)] = [
            (["the", "soup", "was", "great"], 0), (["the", "bread", "was", "good"], 0),
            (["the", "soup", "was", "awful"], 1), (["the", "bread", "was", "bad"], 1),
            (["my", "soup", "is", "great"], 0), (["my", "bread", "is", "bad"], 1),
        ]
        return sentences.map { (vocabulary.encode($0.0), $0.1 % styles) }
            + (styles > 2
                ? [(vocabulary.encode(["thou", "art", "good"]), 2), (vocabulary.encode(["art", "thou"]), 2)]
                : [])
    }

    static let toyVocabulary = Vocabulary(
        tokens: ["the", "soup", "was", "great", "bread", "good", "awful", "bad", "my", "is", "thou", "art"])

    static func network(_ method: StyleTransferMethod, styles: Int = 2, seed: UInt64 = 3)
        -> any AdversarialStyleTransferNetwork
    {
        var generator = RandomGenerator(seed: seed)
        guard
            let network = method.adversarialNetwork(
                settings: settings(steps: 1, method: method), vocabulary: toyVocabulary, styleCount: styles,
                using: &generator)
        else { preconditionFailure("\(method) has no adversarial network") }
        return network
    }

    @Test("Losses are finite; generator and discriminator gradients reach their parameters", arguments: methods)
    func gradientsFlow(method: StyleTransferMethod) throws {
        let network = Self.network(method)
        let batch = Self.toyBatch(Self.toyVocabulary)
        var generator = RandomGenerator(seed: 11)
        let losses = network.losses(batch: batch, vocabulary: Self.toyVocabulary, step: 0, using: &generator)
        #expect(losses.generator.shape == [] && losses.generator.item.isFinite && losses.generator.item > 0)
        let discriminatorLoss = try #require(losses.discriminator)
        #expect(discriminatorLoss.item.isFinite && discriminatorLoss.item > 0)
        #expect(losses.metrics.values.allSatisfy { $0.isFinite })
        #expect(losses.metrics["reconstruction"] != nil && losses.metrics["adversarial"] != nil)
        let encoder = network.autoencoder.encoder.weights.weightIH.value
        #expect(gradients(of: losses.generator, wrt: [encoder])[0].scalars.contains { abs($0) > 0 })
        let discriminatorParameters = network.discriminatorNamedParameters.map(\.parameter.value)
        #expect(!discriminatorParameters.isEmpty)
        let discriminatorGradients = gradients(of: discriminatorLoss, wrt: discriminatorParameters)
        #expect(discriminatorGradients.contains { $0.scalars.contains { abs($0) > 0 } })
        // Parameter names are unique and split generator / discriminators.
        let names = network.namedParameters.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(names.filter { $0.hasPrefix("generator.") }.count == network.autoencoder.generatorNamedParameters.count)
    }

    @Test(
        "Pre-training steps (--pretrain-steps) train reconstruction alone, then the adversary starts",
        arguments: methods)
    func pretrainingGatesTheAdversary(method: StyleTransferMethod) throws {
        var settings = Self.settings(steps: 4, method: method)
        settings.training.pretrainingSteps = 2
        var seed = RandomGenerator(seed: 3)
        let network = try #require(
            method.adversarialNetwork(
                settings: settings, vocabulary: Self.toyVocabulary, styleCount: 2, using: &seed))
        let batch = Self.toyBatch(Self.toyVocabulary)
        var generator = RandomGenerator(seed: 11)
        let early = network.losses(batch: batch, vocabulary: Self.toyVocabulary, step: 1, using: &generator)
        #expect(early.discriminator == nil && early.adversarial == nil)
        #expect(early.metrics["reconstruction"] != nil)
        let late = network.losses(batch: batch, vocabulary: Self.toyVocabulary, step: 2, using: &generator)
        #expect(late.discriminator != nil && late.adversarial != nil)
    }

    @Test(
        "Conditional GAN with attention: sentences from noise (no source) pass gradients through a normalized softmax")
    func conditionalAttentionNoiseGradients() throws {
        var settings = Self.settings(steps: 1, method: .conditional)
        settings.attention = true
        var seed = RandomGenerator(seed: 3)
        let network = ConditionalStyleGAN(
            settings: settings, vocabulary: Self.toyVocabulary, styleCount: 2, using: &seed)
        var generator = RandomGenerator(seed: 11)
        let losses = network.losses(
            batch: Self.toyBatch(Self.toyVocabulary), vocabulary: Self.toyVocabulary, step: 0, using: &generator)
        let adversarial = try #require(losses.adversarial)
        let bias = try #require(network.autoencoder.output.bias)
        // The output bias shifts every logit of a step alike; through a softmax the gradient with respect to it
        // sums to zero over the vocabulary. Through `exp` of raw logits (no copy mixture to normalize them) it
        // does not, and grows with the logits until it overflows.
        let gradient = gradients(of: adversarial, wrt: [bias.value])[0].scalars
        let magnitude = gradient.map { abs($0) }.reduce(0, +)
        #expect(magnitude > 0 && magnitude.isFinite)
        #expect(abs(gradient.reduce(0, +)) <= 1e-3 * magnitude)
    }

    @Test("The adversarial term reaches the generator (through Gumbel-softmax, policy gradient or the latent space)")
    func adversarialSignal() throws {
        for (method, training) in [
            (StyleTransferMethod.cycle, GeneratorTraining.gumbel), (.cycle, .policyGradient), (.stargan, .gumbel),
            (.conditional, .gumbel), (.commonSpace, .gumbel),
        ] {
            var settings = Self.settings(steps: 1, method: method)
            settings.generatorTraining = training
            settings.training.adversarialWeight = 1
            settings.cycleWeight = 0
            settings.semanticWeight = 0
            var seed = RandomGenerator(seed: 3)
            let network = try #require(
                method.adversarialNetwork(
                    settings: settings, vocabulary: Self.toyVocabulary, styleCount: 2, using: &seed))
            var generator = RandomGenerator(seed: 13)
            let losses = network.losses(
                batch: Self.toyBatch(Self.toyVocabulary), vocabulary: Self.toyVocabulary, step: 0, using: &generator)
            let adversarial = try #require(losses.adversarial, "\(method) \(training)")
            #expect(adversarial.item.isFinite)
            // The adversary's verdict reaches the decoder (the encoder for the latent-space discriminator).
            let target =
                method == .commonSpace
                ? network.autoencoder.encoder.weights.weightIH.value
                : network.autoencoder.decoder.weights.weightIH.value
            #expect(
                gradients(of: adversarial, wrt: [target])[0].scalars.contains { abs($0) > 0 }, "\(method) \(training)")
            if training == .policyGradient { #expect((0...1).contains(losses.metrics["reward"] ?? -1)) }
        }
    }

    @Test("Discriminators learn to tell real from transferred sentences; reconstruction falls", arguments: methods)
    func learningSignal(method: StyleTransferMethod) throws {
        let network = Self.network(method, seed: 7)
        let batch = Self.toyBatch(Self.toyVocabulary)
        let discriminatorOptimizer = Adam(network.discriminatorNamedParameters.map(\.parameter), learningRate: 3e-2)
        let generatorOptimizer = Adam(network.autoencoder.generatorNamedParameters.map(\.parameter), learningRate: 1e-2)
        func losses() -> AdversarialStyleLosses {
            var generator = RandomGenerator(seed: 21)
            return network.losses(batch: batch, vocabulary: Self.toyVocabulary, step: 0, using: &generator)
        }
        let first = losses()
        let firstDiscriminator = try #require(first.discriminator).item
        for _ in 0..<40 {
            let current = losses()
            let loss = try #require(current.discriminator)
            discriminatorOptimizer.step(gradients(of: loss, wrt: discriminatorOptimizer.parameters.map(\.value)))
        }
        let trained = try #require(losses().discriminator).item
        #expect(trained < firstDiscriminator * 0.9, "\(method): \(firstDiscriminator) → \(trained)")
        let firstReconstruction = try #require(first.metrics["reconstruction"])
        for _ in 0..<12 {
            let current = losses()
            generatorOptimizer.step(gradients(of: current.generator, wrt: generatorOptimizer.parameters.map(\.value)))
        }
        let reconstruction = try #require(losses().metrics["reconstruction"])
        #expect(reconstruction < firstReconstruction * 0.9, "\(method): \(firstReconstruction) → \(reconstruction)")
    }

    @Test("Soft sentences encode like their one-hot words; Gumbel samples are one-hot and masked by length")
    func softEncoding() {
        let network = Self.network(.cycle)
        let model = network.autoencoder
        let vocabulary = Self.toyVocabulary
        let sentences = [vocabulary.encode(["the", "soup", "was"]), vocabulary.encode(["my", "bread"])]
        let lengths = sentences.map(\.count)
        let steps = (0..<3).map { t in
            Tensor.oneHot(
                IndexTensor(shape: [2], indices: sentences.map { t < $0.count ? $0[t] : vocabulary.paddingIndex }),
                classes: vocabulary.count)
                * Tensor(shape: [2, 1], scalars: lengths.map { t < $0 ? 1 : 0 })
        }
        var none: RandomGenerator? = nil
        let direct = model.encode(sentences, styles: [0, 1], dropoutUsing: &none).scalars
        let soft = model.encode(distributions: steps, lengths: lengths, styles: [0, 1]).scalars
        #expect(zip(direct, soft).allSatisfy { abs($0 - $1) < 1e-5 })
        var generator = RandomGenerator(seed: 1)
        let samples = model.gumbelDecode(
            initial: model.initialState(content: Tensor.zeros([2, 12]), styles: [1, 0]), lengths: [4, 2],
            vocabulary: vocabulary, temperature: 0.5, using: &generator)
        #expect(samples.count == 4 && samples.allSatisfy { $0.shape == [2, vocabulary.count] })
        for (t, sample) in samples.enumerated() {
            let rows = [Array(sample.scalars[0..<vocabulary.count]), Array(sample.scalars[vocabulary.count...])]
            #expect(rows[0].reduce(0, +) == 1 && rows[0].filter { $0 == 1 }.count == 1)
            #expect(rows[1].reduce(0, +) == (t < 2 ? 1 : 0))
        }
    }

    static func recipe(_ method: StyleTransferMethod, steps: Int) -> StyleTransferRecipe {
        StyleTransferRecipe(
            method: method, validationFraction: 0.1, seed: 2, crossAligned: settings(steps: steps, method: method))
    }

    @Test("Each method trains into a model directory, continues, round-trips and transfers", arguments: methods)
    func modelDirectory(method: StyleTransferMethod) throws {
        let root = try StyleTransferCrossAlignedTests.temporaryRoot("adversarial-\(method.rawValue)")
        defer { try? FileManager.default.removeItem(at: root) }
        let (positive, negative) = try SyntheticStyles.write(to: root, count: 20)
        let files = [("pos", positive), ("neg", negative)]
        let output = ModelDirectory(url: root.appendingPathComponent("model"))
        let summary = try StyleTransferRun.train(
            Self.recipe(method, steps: 3), files: files, output: output, classifierEpochs: 1,
            classifierEmbeddingSize: 8)
        #expect(summary.training?.steps == 3)
        let continued = try StyleTransferRun.train(
            Self.recipe(method, steps: 4), files: files, output: output, classifierEpochs: 1,
            classifierEmbeddingSize: 8)
        #expect(continued.training?.steps == 4)
        let model = try TrainedStyleTransfer.load(from: output)
        #expect(model.recipe.method == method)
        let transfer = try #require(model.system as? CrossAlignedTransfer)
        // The saved weights are what was loaded.
        let saved = try SafetensorsFile.read(from: output.weightsURL)
        let embedding = try #require(saved.tensors["generator.embedding.weight"])
        #expect(embedding.scalars == transfer.model.embedding.weight.value.scalars)
        #expect(saved.tensors.keys.contains { !$0.hasPrefix("generator.") })
        let outputs = try model.transfer([model.tokenize("the soup was great ."), []], to: 1)
        #expect(outputs.count == 2 && outputs.allSatisfy { $0.count <= model.recipe.maximumLength })
        let report = try model.evaluate(inputs: try model.validationSentences().enumerated().map { ($0, nil, $1, []) })
        #expect(report.accuracy != nil && report.directions.count == 2)
    }

    @Test(
        "A stop request (Ctrl-C in the CLI) saves after the current step and the same call continues",
        arguments: [StyleTransferMethod.crossAligned, .cycle])
    func stopRequest(method: StyleTransferMethod) throws {
        let root = try StyleTransferCrossAlignedTests.temporaryRoot("stop-\(method.rawValue)")
        defer { try? FileManager.default.removeItem(at: root) }
        let (positive, negative) = try SyntheticStyles.write(to: root, count: 20)
        let files = [("pos", positive), ("neg", negative)]
        let output = ModelDirectory(url: root.appendingPathComponent("model"))
        var asked = 0
        let stopped = try StyleTransferRun.train(
            Self.recipe(method, steps: 5), files: files, output: output, classifierEpochs: 1,
            classifierEmbeddingSize: 8,
            shouldStop: {
                asked += 1
                return asked > 2
            })
        #expect(stopped.training?.steps == 2 && stopped.training?.stoppedByTimeLimit == true)
        #expect(FileManager.default.fileExists(atPath: output.trainingStateURL.path))
        let continued = try StyleTransferRun.train(
            Self.recipe(method, steps: 5), files: files, output: output, classifierEpochs: 1,
            classifierEmbeddingSize: 8)
        #expect(continued.training?.steps == 5 && continued.training?.stoppedByTimeLimit == false)
    }

    @Test("StarGAN serves three styles with one generator")
    func threeStyles() throws {
        let network = Self.network(.stargan, styles: 3)
        let batch = Self.toyBatch(Self.toyVocabulary, styles: 3)
        var generator = RandomGenerator(seed: 2)
        let losses = network.losses(batch: batch, vocabulary: Self.toyVocabulary, step: 0, using: &generator)
        #expect(losses.generator.item.isFinite && losses.metrics["classification"] != nil)
        var targetsGenerator = RandomGenerator(seed: 4)
        let sources = [0, 1, 2, 0, 1, 2, 2, 1]
        let targets = AdversarialStyleParts.targets(for: sources, styleCount: 3, using: &targetsGenerator)
        #expect(zip(sources, targets).allSatisfy { $0 != $1 && (0..<3).contains($1) })
        let outputs = network.autoencoder.transfer(
            batch.map(\.ids), from: batch.map(\.style), to: batch.map { ($0.style + 1) % 3 },
            vocabulary: Self.toyVocabulary, maximumLength: 6)
        #expect(outputs.count == batch.count && outputs.allSatisfy { $0.count <= 6 })
    }

    @Test("A classifier is reused from another model directory, and refused when it does not fit")
    func classifierReuse() throws {
        let root = try StyleTransferCrossAlignedTests.temporaryRoot("classifier-from")
        defer { try? FileManager.default.removeItem(at: root) }
        let (positive, negative) = try SyntheticStyles.write(to: root, count: 30)
        let files = [("pos", positive), ("neg", negative)]
        let source = ModelDirectory(url: root.appendingPathComponent("source"))
        _ = try StyleTransferRun.train(
            StyleTransferRecipe(validationFraction: 0.1, markerOrder: 2, markerThreshold: 5, seed: 2), files: files,
            output: source, classifierEpochs: 1, classifierEmbeddingSize: 8)
        let evaluators = try StyleEvaluatorSource.load(from: source)
        let output = ModelDirectory(url: root.appendingPathComponent("cycle"))
        var messages: [String] = []
        let summary = try StyleTransferRun.train(
            Self.recipe(.cycle, steps: 2), files: files, output: output, classifierEpochs: 1, evaluators: evaluators
        ) { messages.append($0) }
        #expect(messages.contains { $0.contains("reusing the style classifier") })
        #expect(!messages.contains { $0.contains("training the style classifier") })
        #expect(summary.classifierAccuracy == evaluators.classifierAccuracy)
        let model = try TrainedStyleTransfer.load(from: output)
        #expect(model.recipe.classifier == evaluators.classifierSettings)
        let classifier = try #require(model.classifier)
        let held = try model.validationSentences().joined().map { $0 }
        #expect(classifier.predict(held) == evaluators.classifier.predict(held))

        // Styles in another order, other lowercasing, other data, a directory without classifier: refused.
        #expect(throws: InputError.self) {
            _ = try StyleTransferRun.train(
                Self.recipe(.cycle, steps: 1), files: [("neg", negative), ("pos", positive)],
                output: ModelDirectory(url: root.appendingPathComponent("order")), evaluators: evaluators)
        }
        var lowercase = Self.recipe(.cycle, steps: 1)
        lowercase.lowercase = true
        #expect(throws: InputError.self) {
            _ = try StyleTransferRun.train(
                lowercase, files: files, output: ModelDirectory(url: root.appendingPathComponent("lower")),
                evaluators: evaluators)
        }
        let otherPositive = root.appendingPathComponent("other-pos.txt")
        let otherNegative = root.appendingPathComponent("other-neg.txt")
        try "zebra quokka\nyak ibex\n".write(to: otherPositive, atomically: true, encoding: .utf8)
        try "lynx okapi\ngnu tapir\n".write(to: otherNegative, atomically: true, encoding: .utf8)
        #expect(throws: InputError.self) {
            _ = try StyleTransferRun.train(
                Self.recipe(.cycle, steps: 1), files: [("pos", otherPositive.path), ("neg", otherNegative.path)],
                output: ModelDirectory(url: root.appendingPathComponent("other")), evaluators: evaluators)
        }
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("other").path))
        let bare = ModelDirectory(url: root.appendingPathComponent("bare"))
        _ = try StyleTransferRun.train(
            StyleTransferRecipe(validationFraction: 0.1, markerOrder: 2, markerThreshold: 5, seed: 2), files: files,
            output: bare, classifierEpochs: 0)
        #expect(throws: ModelDirectoryError.self) { _ = try StyleEvaluatorSource.load(from: bare) }
        #expect(throws: ModelDirectoryError.self) {
            _ = try StyleEvaluatorSource.load(from: ModelDirectory(url: root.appendingPathComponent("missing")))
        }
        let coverage = StyleEvaluatorSource.coverage(
            of: evaluators.classifier.vocabulary,
            on: StyleCorpus(styles: ["a", "b"], sentences: [[["soup", "zzz"]], []]))
        #expect(coverage == 0.5)
    }

    /// Any mutation of a source directory's manifest or classifier vocabulary gives a source or a thrown error.
    @Test("Mutated classifier directories are loaded or refused, never a trap")
    func mutatedClassifierDirectories() throws {
        let root = try StyleTransferCrossAlignedTests.temporaryRoot("classifier-from-fuzz")
        defer { try? FileManager.default.removeItem(at: root) }
        let (positive, negative) = try SyntheticStyles.write(to: root, count: 12)
        let source = ModelDirectory(url: root.appendingPathComponent("source"))
        _ = try StyleTransferRun.train(
            StyleTransferRecipe(validationFraction: 0.1, markerOrder: 2, markerThreshold: 5, seed: 2),
            files: [("pos", positive), ("neg", negative)], output: source, classifierEpochs: 1,
            classifierEmbeddingSize: 4)
        var generator = RandomGenerator(seed: 29)
        let alphabet = Array("{}[]\":,0123456789-e.abcnrstu \n".utf8)
        var loaded = 0
        for file in [source.manifestURL, source.file(StyleClassifier.vocabularyFile)] {
            let original = try Data(contentsOf: file)
            for _ in 0..<40 {
                var bytes = Array(original)
                for _ in 0..<(1 + generator.nextInt(below: 3)) {
                    let position = generator.nextInt(below: bytes.count)
                    switch generator.nextInt(below: 3) {
                    case 0: bytes[position] = alphabet[generator.nextInt(below: alphabet.count)]
                    case 1: bytes.remove(at: position)
                    default: bytes.insert(alphabet[generator.nextInt(below: alphabet.count)], at: position)
                    }
                    if bytes.isEmpty { bytes = [UInt8(ascii: "{")] }
                }
                try Data(bytes).write(to: file)
                do {
                    let reused = try StyleEvaluatorSource.load(from: source)
                    #expect(reused.classifier.settings.network.classCount == reused.recipe.styles.count)
                    loaded += 1
                } catch {
                    #expect(!String(describing: error).isEmpty)
                }
            }
            try original.write(to: file)
        }
        #expect(loaded < 80)
        #expect(try StyleEvaluatorSource.load(from: source).recipe.styles == ["pos", "neg"])
    }
}
