import Autodiff
import Corpus
import Foundation
import MontagueSupport
import NeuralNet
import Testing

@testable import TextGeneration

@Suite("Style transfer: cross-aligned autoencoder (Shen et al. 2017)")
struct StyleTransferCrossAlignedTests {
    /// Tiny settings: a step takes milliseconds in a debug build.
    static func settings(steps: Int, evaluationInterval: Int = 3, dropout: Float = 0.2) -> CrossAlignedSettings {
        CrossAlignedSettings(
            embeddingSize: 8, styleSize: 4, contentSize: 12, filterWidths: [1, 2], filterCount: 4, dropout: dropout,
            minimumCount: 1, validationSentences: 6,
            training: CrossAlignedTraining.Options(
                batchSize: 8, steps: steps, evaluationInterval: evaluationInterval, seed: 5))
    }

    static func recipe(steps: Int) -> StyleTransferRecipe {
        StyleTransferRecipe(
            method: .crossAligned, validationFraction: 0.1, seed: 2, crossAligned: settings(steps: steps))
    }

    static func temporaryRoot(_ name: String) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        return root
    }

    @Test("Batches hold the same number of sentences of each style, of similar lengths, covering the larger style")
    func batches() {
        let short = (0..<5).map { Array(repeating: 7, count: 1 + $0 % 3) }
        let long = (0..<9).map { Array(repeating: 8, count: 2 + $0) }
        let batches = CrossAlignedTraining.batches([short, long], batchSize: 4, seed: 1)
        #expect(batches.count == 5)  // 9 sentences per style after oversampling, 2 per style per batch
        for batch in batches.dropLast() {
            #expect(batch.filter { $0.style == 0 }.count == 2 && batch.filter { $0.style == 1 }.count == 2)
        }
        #expect(Set(batches.joined().filter { $0.style == 1 }.map(\.ids.count)) == Set(long.map(\.count)))
        // Sorted by length inside each style.
        let lengths = batches.joined().filter { $0.style == 1 }.map(\.ids.count)
        #expect(lengths == lengths.sorted())
        #expect(
            CrossAlignedTraining.order(count: 5, epoch: 0, seed: 1)
                != CrossAlignedTraining.order(count: 5, epoch: 1, seed: 1))
    }

    @Test("The adversarial loss reaches the encoder through the soft decoding; the discriminator loss does not need it")
    func gradientsFlow() {
        let vocabulary = Vocabulary(tokens: ["a", "b", "c", "d"])
        var generator = RandomGenerator(seed: 3)
        let model = CrossAlignedAutoencoder(
            .init(
                vocabularySize: vocabulary.count, styleCount: 2, embeddingSize: 4, styleSize: 2, contentSize: 6,
                filterWidths: [1, 2], filterCount: 3, dropout: 0),
            using: &generator)
        let batch: [(ids: [Int], style: Int)] = [
            (vocabulary.encode(["a", "b"]), 0), (vocabulary.encode(["c"]), 0), (vocabulary.encode(["d", "a", "c"]), 1),
            (vocabulary.encode(["b", "b"]), 1),
        ]
        let losses = CrossAlignedTraining.losses(model: model, batch: batch, vocabulary: vocabulary, using: &generator)
        #expect(losses.discriminator.count == 2 && losses.adversarial.count == 2)
        #expect(losses.reconstruction.item > 0 && losses.reconstruction.item.isFinite)
        let encoderWeights = model.encoder.weights.weightIH.value
        let adversarialGradient = gradients(of: losses.adversarial[0], wrt: [encoderWeights])[0]
        #expect(adversarialGradient.scalars.contains { abs($0) > 0 })
        // The style-0 discriminator's loss depends on the style-1 → 0 transfers and on style-0 teacher forcing, not
        // on the style-1 discriminator.
        let otherDiscriminator = model.discriminators[1].output.weight.value
        #expect(gradients(of: losses.discriminator[0], wrt: [otherDiscriminator])[0].scalars.allSatisfy { $0 == 0 })
        // Greedy transfer emits only words (never padding or <s>) and at most the length asked for.
        let outputs = model.transfer(
            batch.map(\.ids), from: [0, 0, 1, 1], to: [1, 1, 0, 0], vocabulary: vocabulary, maximumLength: 5)
        #expect(outputs.count == 4 && outputs.allSatisfy { $0.count <= 5 })
        #expect(
            outputs.joined().allSatisfy { $0 != vocabulary.paddingIndex && $0 != vocabulary.beginningIndex })
    }

    @Test("Training writes a loadable model directory; stopping and continuing equals one uninterrupted run")
    func trainContinueAndLoad() throws {
        let root = try Self.temporaryRoot("cross-aligned")
        defer { try? FileManager.default.removeItem(at: root) }
        let (positive, negative) = try SyntheticStyles.write(to: root, count: 30)
        let files = [("pos", positive), ("neg", negative)]

        let straight = ModelDirectory(url: root.appendingPathComponent("straight"))
        let summary = try StyleTransferRun.train(
            Self.recipe(steps: 6), files: files, output: straight, classifierEpochs: 1, classifierEmbeddingSize: 8)
        #expect(summary.training?.steps == 6)
        #expect(summary.markerCounts.isEmpty)
        for name in [
            ModelDirectory.weightsName, ModelDirectory.trainingStateName, CrossAlignedRun.vocabularyFile,
            StyleClassifier.weightsFile, "valid-pos.txt",
        ] {
            #expect(FileManager.default.fileExists(atPath: straight.file(name).path), "\(name)")
        }

        let split = ModelDirectory(url: root.appendingPathComponent("split"))
        let first = try StyleTransferRun.train(
            Self.recipe(steps: 4), files: files, output: split, classifierEpochs: 1, classifierEmbeddingSize: 8)
        #expect(first.training?.steps == 4)
        let second = try StyleTransferRun.train(
            Self.recipe(steps: 6), files: files, output: split, classifierEpochs: 1, classifierEmbeddingSize: 8)
        #expect(second.training?.steps == 6)
        let a = try #require(try straight.loadTrainingState())
        let b = try #require(try split.loadTrainingState())
        let names = a.tensors.keys.filter { $0.hasPrefix("model.current.") }
        #expect(!names.isEmpty)
        for name in names { #expect(a.tensors[name]?.scalars == b.tensors[name]?.scalars, "\(name)") }

        // Other settings are refused.
        var other = Self.recipe(steps: 8)
        other.crossAligned?.contentSize = 14
        #expect(throws: ModelDirectoryError.self) {
            try StyleTransferRun.train(other, files: files, output: split, classifierEpochs: 1)
        }

        let model = try TrainedStyleTransfer.load(from: straight)
        #expect(model.system is CrossAlignedTransfer)
        let outputs = try model.transfer([model.tokenize("the soup was great ."), []], to: 1)
        #expect(outputs.count == 2)
        let report = try model.evaluate(inputs: try model.validationSentences().enumerated().map { ($0, nil, $1, []) })
        #expect(report.directions.count == 2 && report.accuracy != nil)
    }

    @Test("Per-style language models: a style's sentences are more fluent under its own model; evaluate reports it")
    func languageModels() throws {
        let root = try Self.temporaryRoot("style-lm")
        defer { try? FileManager.default.removeItem(at: root) }
        let (positive, negative) = try SyntheticStyles.write(to: root, count: 60)
        let output = ModelDirectory(url: root.appendingPathComponent("model"))
        let settings = StyleLanguageModels.Settings(
            embeddingSize: 8, hiddenSize: 16, steps: 60, batchSize: 16, learningRate: 1e-2, minimumCount: 1)
        _ = try StyleTransferRun.train(
            StyleTransferRecipe(
                validationFraction: 0.1, markerOrder: 2, markerThreshold: 5, seed: 1, languageModels: settings),
            files: [("pos", positive), ("neg", negative)], output: output, classifierEpochs: 0)
        let model = try TrainedStyleTransfer.load(from: output)
        let models = try #require(model.languageModels)
        let held = try model.validationSentences()
        let own = try #require(models.perplexity(of: held[0], style: 0))
        let other = try #require(models.perplexity(of: held[0], style: 1))
        #expect(own.perplexity > 1 && own.perplexity < other.perplexity, "\(own) \(other)")
        #expect(own.tokens == held[0].reduce(0) { $0 + $1.count + 1 })
        let report = try model.evaluate(inputs: held.enumerated().map { ($0, nil, $1, []) })
        #expect(report.directions.allSatisfy { ($0.perplexity ?? 0) > 1 })
        let combined = try #require(report.perplexity)
        let low = report.directions.compactMap(\.perplexity).min() ?? 0
        let high = report.directions.compactMap(\.perplexity).max() ?? 0
        #expect(combined >= low - 1e-9 && combined <= high + 1e-9)
        #expect(throws: InputError.self) {
            var bad = settings
            bad.steps = 0
            _ = try StyleTransferRun.train(
                StyleTransferRecipe(languageModels: bad), files: [("pos", positive), ("neg", negative)],
                output: ModelDirectory(url: root.appendingPathComponent("bad")))
        }
    }

    @Test("Subword tokenizers: trained, saved in the model directory, used by transfer, and rendered back to text")
    func subwords() throws {
        let root = try Self.temporaryRoot("style-bpe")
        defer { try? FileManager.default.removeItem(at: root) }
        let (positive, negative) = try SyntheticStyles.write(to: root, count: 40)
        let output = ModelDirectory(url: root.appendingPathComponent("model"))
        var recipe = Self.recipe(steps: 2)
        recipe.subwords = "bpe:300"
        _ = try StyleTransferRun.train(
            recipe, files: [("pos", positive), ("neg", negative)], output: output, classifierEpochs: 0)
        #expect(FileManager.default.fileExists(atPath: output.file(StyleTransferRun.tokenizerFile).path))
        let model = try TrainedStyleTransfer.load(from: output)
        let line = "the soup was great ."
        let pieces = model.tokenize(line)
        #expect(model.subwords != nil && !pieces.isEmpty)
        #expect(model.render(pieces) == line)
        let outputs = try model.transfer([pieces], to: 1)
        #expect(outputs.count == 1)
        var bad = recipe
        bad.subwords = "bpe:12"
        #expect(throws: InputError.self) {
            _ = try StyleTransferRun.train(
                bad, files: [("pos", positive), ("neg", negative)],
                output: ModelDirectory(url: root.appendingPathComponent("bad")))
        }
    }

    static func reviewsXML(count: Int) -> String {
        var xml = "<?xml version=\"1.0\"?>\n<reviews>\n"
        for index in 0..<count {
            let positive = SyntheticStyles.sentence(index, adjectives: SyntheticStyles.positive)
            let negative = SyntheticStyles.sentence(index + 1, adjectives: SyntheticStyles.negative)
            xml += "  <review sentiment=\"pos\">\(positive)</review>\n"
            xml += "  <review sentiment=\"neg\">\(negative)</review>\n"
        }
        return xml + "  <review>no label here</review>\n</reviews>\n"
    }

    static func loader(_ path: String) throws -> CorpusLoader {
        try CorpusLoader(
            paths: [path],
            options: CorpusLoadOptions(
                profile: ProfileConfiguration(
                    kind: .generic,
                    generic: try GenericProfileSpecification(units: ["review"], labels: ["review@sentiment"]))))
    }

    @Test("A labelled XML corpus gives the styles through the Corpus module's generic profile")
    func labelledXML() throws {
        let root = try Self.temporaryRoot("style-xml")
        defer { try? FileManager.default.removeItem(at: root) }
        let path = root.appendingPathComponent("reviews.xml")
        try Self.reviewsXML(count: 30).write(to: path, atomically: true, encoding: .utf8)
        let texts = try StyleCorpus.labelledTexts(from: try Self.loader(path.path), label: nil)
        #expect(texts.styles == ["pos", "neg"] && texts.texts.map(\.count) == [30, 30] && texts.unlabelled == 1)
        #expect(throws: InputError.self) { try StyleCorpus.labelledTexts(from: try Self.loader(path.path), label: "x") }
        let output = ModelDirectory(url: root.appendingPathComponent("model"))
        let summary = try StyleTransferRun.train(
            StyleTransferRecipe(validationFraction: 0.1, markerOrder: 2, markerThreshold: 5, seed: 1), files: [],
            output: output, units: (try Self.loader(path.path), "sentiment"), classifierEpochs: 0)
        #expect(summary.trainingSentences == [27, 27])
        let model = try TrainedStyleTransfer.load(from: output)
        #expect(model.recipe.styles == ["pos", "neg"])
        #expect(throws: InputError.self) {
            _ = try StyleTransferRun.train(
                StyleTransferRecipe(), files: [("a", path.path)],
                output: ModelDirectory(url: root.appendingPathComponent("both")),
                units: (try Self.loader(path.path), nil))
        }
    }

    /// Any mutation of a labelled XML corpus gives styles or a thrown error, never a trap.
    @Test("Mutated labelled corpora give styles or errors")
    func mutatedLabelledCorpora() throws {
        let root = try Self.temporaryRoot("style-xml-fuzz")
        defer { try? FileManager.default.removeItem(at: root) }
        let path = root.appendingPathComponent("reviews.xml")
        let original = Array(Self.reviewsXML(count: 4).utf8)
        var generator = RandomGenerator(seed: 23)
        let alphabet = Array("<>/=\"' abcdefgnopsvw&;!?-\n\u{00}".utf8)
        var loaded = 0
        for _ in 0..<120 {
            var bytes = original
            for _ in 0..<(1 + generator.nextInt(below: 4)) {
                let position = generator.nextInt(below: bytes.count)
                switch generator.nextInt(below: 3) {
                case 0: bytes[position] = alphabet[generator.nextInt(below: alphabet.count)]
                case 1: bytes.remove(at: position)
                default: bytes.insert(alphabet[generator.nextInt(below: alphabet.count)], at: position)
                }
                if bytes.isEmpty { bytes = [UInt8(ascii: "<")] }
            }
            try Data(bytes).write(to: path)
            do {
                let texts = try StyleCorpus.labelledTexts(from: try Self.loader(path.path), label: nil)
                #expect(texts.styles.count >= 2 && texts.styles.count == texts.texts.count)
                loaded += 1
            } catch {
                #expect(!String(describing: error).isEmpty)
            }
        }
        #expect(loaded > 0 && loaded < 120)
    }

    @Test("Back-translation noise drops and moves words within bounds; the method trains, saves and loads")
    func backTranslation() throws {
        var generator = RandomGenerator(seed: 9)
        let sentence = Array(10..<30)
        let settings = CrossAlignedTraining.BackTranslation(wordDropout: 0.2, shuffleDistance: 3)
        var dropped = 0
        for _ in 0..<50 {
            let noised = CrossAlignedTraining.noise(sentence, settings: settings, using: &generator)
            #expect(Set(noised).isSubset(of: Set(sentence)) && noised.count == Set(noised).count && !noised.isEmpty)
            dropped += sentence.count - noised.count
            // Among the kept words, none moves more than k places from its rank.
            let kept = sentence.filter { noised.contains($0) }
            for (position, word) in noised.enumerated() {
                #expect(abs((kept.firstIndex(of: word) ?? 0) - position) <= 3)
            }
        }
        #expect(dropped > 50 * 20 / 10 && dropped < 50 * 20 * 3 / 10)  // about 20 % of 1,000 words
        #expect(CrossAlignedTraining.noise([4], settings: .init(wordDropout: 0.99), using: &generator) == [4])

        let root = try Self.temporaryRoot("back-translation")
        defer { try? FileManager.default.removeItem(at: root) }
        let (positive, negative) = try SyntheticStyles.write(to: root, count: 20)
        var recipe = Self.recipe(steps: 3)
        recipe.method = .backTranslation
        let output = ModelDirectory(url: root.appendingPathComponent("model"))
        let summary = try StyleTransferRun.train(
            recipe, files: [("pos", positive), ("neg", negative)], output: output, classifierEpochs: 1,
            classifierEmbeddingSize: 8)
        #expect(summary.training?.steps == 3)
        #expect(summary.training?.lastMetrics["back_translation"] != nil)
        let model = try TrainedStyleTransfer.load(from: output)
        let system = try #require(model.system as? CrossAlignedTransfer)
        #expect(system.model.discriminators.isEmpty)
        #expect(try model.transfer([model.tokenize("the soup was great .")], to: 1).count == 1)
    }

    @Test("Bad cross-aligned settings are input errors")
    func badSettings() throws {
        let root = try Self.temporaryRoot("cross-aligned-bad")
        defer { try? FileManager.default.removeItem(at: root) }
        let (positive, negative) = try SyntheticStyles.write(to: root, count: 10)
        for change in [
            { (s: inout CrossAlignedSettings) in s.contentSize = 0 }, { $0.filterWidths = [] },
            { $0.dropout = 1 }, { $0.training.batchSize = 1 }, { $0.temperature = 0 }, { $0.minimumCount = 0 },
        ] {
            var recipe = Self.recipe(steps: 1)
            var settings = Self.settings(steps: 1)
            change(&settings)
            recipe.crossAligned = settings
            #expect(throws: InputError.self) {
                try StyleTransferRun.train(
                    recipe, files: [("pos", positive), ("neg", negative)],
                    output: ModelDirectory(url: root.appendingPathComponent("m")))
            }
        }
    }

    /// Any mutation of a cross-aligned model directory's manifest, vocabulary or weights loads or throws; never a
    /// trap or a runaway allocation. Mutated training states continue or throw.
    @Test("Mutated model directories and training states load or throw")
    func mutatedDirectoriesLoadOrThrow() throws {
        let root = try Self.temporaryRoot("cross-aligned-fuzz")
        defer { try? FileManager.default.removeItem(at: root) }
        let (positive, negative) = try SyntheticStyles.write(to: root, count: 20)
        let files = [("pos", positive), ("neg", negative)]
        let directory = ModelDirectory(url: root.appendingPathComponent("model"))
        _ = try StyleTransferRun.train(
            Self.recipe(steps: 2), files: files, output: directory, classifierEpochs: 1, classifierEmbeddingSize: 8)
        let names = [
            ModelDirectory.manifestName, CrossAlignedRun.vocabularyFile, ModelDirectory.weightsName,
            ModelDirectory.trainingStateName,
        ]
        let contents = try names.map { try Data(contentsOf: directory.file($0)) }
        var generator = RandomGenerator(seed: 17)
        let alphabet = Array("0123456789-.,:\"{}[]\n abex".utf8)
        var succeeded = 0
        let rounds = 80
        for round in 0..<rounds {
            let which = round % names.count
            var bytes = Array(contents[which])
            for _ in 0..<(1 + generator.nextInt(below: 3)) {
                // Safetensors headers are at the start: aim most binary mutations there.
                let span = which >= 2 && generator.nextInt(below: 4) > 0 ? min(bytes.count, 200) : bytes.count
                let position = generator.nextInt(below: span)
                switch generator.nextInt(below: 3) {
                case 0: bytes[position] = alphabet[generator.nextInt(below: alphabet.count)]
                case 1: bytes.remove(at: position)
                default: bytes.insert(alphabet[generator.nextInt(below: alphabet.count)], at: position)
                }
                if bytes.isEmpty { bytes = [UInt8(ascii: "{")] }
            }
            try Data(bytes).write(to: directory.file(names[which]))
            do {
                if names[which] == ModelDirectory.trainingStateName {
                    _ = try StyleTransferRun.train(
                        Self.recipe(steps: 3), files: files, output: directory, classifierEpochs: 1,
                        classifierEmbeddingSize: 8)
                } else {
                    let model = try TrainedStyleTransfer.load(from: directory)
                    _ = try model.transfer([["the", "soup"]], to: 0)
                }
                succeeded += 1
            } catch {
                #expect(!String(describing: error).isEmpty)
            }
            for (name, data) in zip(names, contents) { try data.write(to: directory.file(name)) }
        }
        #expect(succeeded < rounds)  // the mutations do break some loads
    }
}
