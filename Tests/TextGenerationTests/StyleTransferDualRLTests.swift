import Autodiff
import Corpus
import Foundation
import MontagueSupport
import NeuralNet
import Testing
import _MontagueTestSupport

@testable import TextGeneration

/// A two-style corpus of long sentences whose style is one swapped word near the end:
/// `DET NOUN FILLER… VERB ADJ .`, with 8–12 filler words drawn at random (content the model can only copy) and the
/// adjective from the pair of the noun's group, its style picking the member. The ideal transfer swaps the adjective,
/// so its source-BLEU is high (about 88 for these lengths) and known.
enum LongSwappedWordStyles {
    static let groups: [(nouns: [String], adjectives: [String])] = [
        (["food", "pizza", "soup", "pasta"], ["tasty", "bland"]),
        (["waiter", "staff", "owner", "host"], ["friendly", "rude"]),
        (["place", "room", "view", "price"], ["good", "bad"]),
    ]
    static let fillers = [
        "after", "we", "came", "back", "from", "the", "long", "walk", "near", "river", "with", "two", "old", "friends",
        "on", "a", "cold", "monday", "evening", "and", "then", "again", "at", "lunch", "for", "my", "sister",
        "birthday",
        "party", "downtown",
    ]

    /// `count` sentences of `style` with their ideal transfers to the other style.
    static func sentences(style: Int, count: Int, seed: UInt64) -> [(sentence: [String], transfer: [String])] {
        var generator = SplitMix64(seed: seed &+ UInt64(style) &* 7919)
        func pick<T>(_ list: [T]) -> T { list[Int(generator.next() % UInt64(list.count))] }
        return (0..<count).map { _ in
            let group = pick(groups)
            let length = 8 + Int(generator.next() % 5)
            let head =
                [pick(["the", "our", "my"]), pick(group.nouns)] + (0..<length).map { _ in pick(fillers) }
                + [pick(["was", "is"])]
            return (head + [group.adjectives[style], "."], head + [group.adjectives[1 - style], "."])
        }
    }

    /// Whether `sentence` carries an adjective of `style` and none of the other style.
    static func hasStyle(_ sentence: [String], _ style: Int) -> Bool {
        let own = Set(groups.map { $0.adjectives[style] })
        let other = Set(groups.map { $0.adjectives[1 - style] })
        return sentence.contains { own.contains($0) } && !sentence.contains { other.contains($0) }
    }
}

@Suite("Dual reinforcement learning for style transfer (Luo et al. 2019)")
struct StyleTransferDualRLTests {
    static let toyVocabulary = Vocabulary(
        tokens: ["the", "soup", "was", "great", "bread", "good", "awful", "bad", "my", "is"])

    static func tinySettings(steps: Int, pretraining: Int) -> CrossAlignedSettings {
        var settings = CrossAlignedSettings(
            embeddingSize: 8, styleSize: 4, contentSize: 12, filterWidths: [1], filterCount: 2, dropout: 0,
            minimumCount: 1, validationSentences: 4,
            training: CrossAlignedTraining.Options(
                batchSize: 4, learningRate: 1e-2, steps: steps, evaluationInterval: 3, seed: 2))
        settings.training.pretrainingSteps = pretraining
        settings.dualRL = DualRLSettings(pseudoPairs: 50, reinforcementLearningRate: 1e-3, annealSteps: 2)
        return settings
    }

    @Test("The reward is the harmonic mean; the pseudo-pair gap grows by 10 % per interval up to 100")
    func rewardAndAnnealing() {
        #expect(DualRLTraining.harmonicMean(1, 1) == 1)
        #expect(abs(DualRLTraining.harmonicMean(0.5, 1) - 2.0 / 3) < 1e-12)
        #expect(DualRLTraining.harmonicMean(0, 0) == 0)
        #expect(DualRLTraining.harmonicMean(0, 0.9) == 0)
        let settings = DualRLSettings(annealSteps: 10)
        #expect(settings.pseudoGap(afterReinforcementSteps: 0) == 1)
        #expect(settings.pseudoGap(afterReinforcementSteps: 80) == 2)  // 1.1⁸ ≈ 2.14
        #expect(settings.pseudoGap(afterReinforcementSteps: 10_000) == 100)
        #expect(DualRLSettings(annealSteps: 0).pseudoGap(afterReinforcementSteps: 5) == nil)
        #expect(DualRLSettings(pseudoPairs: 0).problem != nil)
        #expect(DualRLSettings(reinforcementLearningRate: .nan).problem != nil)
    }

    @Test("One reinforcement direction: rewards in [0, 1]; the policy term reaches f only, back-translation g only")
    func reinforcementGradients() throws {
        let vocabulary = Self.toyVocabulary
        var seed = RandomGenerator(seed: 5)
        let network = DualRLStyleTransfer(
            settings: Self.tinySettings(steps: 1, pretraining: 0), vocabulary: vocabulary, using: &seed)
        let sources = [["the", "soup", "was", "awful"], ["my", "bread", "is", "bad"], []].map { vocabulary.encode($0) }
        var generator = RandomGenerator(seed: 7)
        let losses = DualRLTraining.reinforcementLoss(
            network: network, sources: sources, target: 1, vocabulary: vocabulary, maximumLength: 8,
            styleProbability: { $0.map { Double($0.count % 3) / 2 } }, using: &generator)
        #expect(losses.rewards.total.count == 3)
        for values in [losses.rewards.style, losses.rewards.content, losses.rewards.total, losses.rewards.baseline] {
            #expect(values.allSatisfy { (0...1).contains($0) }, "\(values)")
        }
        #expect(losses.backTranslation.item.isFinite && losses.policy.item.isFinite)
        let f = network.models[1].decoder.weights.weightIH.value
        let g = network.models[0].decoder.weights.weightIH.value
        let back = gradients(of: losses.backTranslation, wrt: [f, g])
        #expect(back[0].scalars.allSatisfy { $0 == 0 })
        #expect(back[1].scalars.contains { $0 != 0 })
        // A batch whose advantages are all zero gives no policy gradient; otherwise f moves.
        let policy = gradients(of: losses.policy, wrt: [f, g])
        #expect(policy[1].scalars.allSatisfy { $0 == 0 })
        let advantages = zip(losses.rewards.total, losses.rewards.baseline).map { $0 - $1 }
        #expect(policy[0].scalars.contains { $0 != 0 } == advantages.contains { $0 != 0 })
    }

    @Test("The token-probability content reward scores sample and greedy transfer alike (the baseline's own measure)")
    func tokenProbabilityContentReward() throws {
        let vocabulary = Self.toyVocabulary
        var seed = RandomGenerator(seed: 5)
        let network = DualRLStyleTransfer(
            settings: Self.tinySettings(steps: 1, pretraining: 0), vocabulary: vocabulary, using: &seed)
        let sources = [["the", "soup", "was", "awful"], ["my", "bread", "is", "bad"]].map { vocabulary.encode($0) }
        let style: ([[Int]]) -> [Double] = { $0.map { Double($0.count % 3) / 2 } }
        for measure in DualRLContentReward.allCases {
            var generator = RandomGenerator(seed: 7)
            let rewards = DualRLTraining.reinforcementLoss(
                network: network, sources: sources, target: 1, vocabulary: vocabulary, maximumLength: 8,
                styleProbability: style, contentReward: measure, using: &generator
            ).rewards
            var none: RandomGenerator? = nil
            let nll = { (inputs: [[Int]]) in
                network.negativeLogLikelihoods(
                    outputs: sources, inputs: inputs, target: 0, vocabulary: vocabulary, dropoutUsing: &none
                ).scalars.map(Double.init)
            }
            let (sampleNLL, greedyNLL) = (nll(rewards.samples), nll(rewards.greedy))
            let greedyStyle = style(rewards.greedy)
            for row in sources.indices {
                let tokens = Double(sources[row].count + 1)
                let expected: (content: Double, baseline: Double) =
                    measure == .relative
                    ? (1 / (1 + exp(sampleNLL[row] - greedyNLL[row])), 0.5)
                    : (exp(-sampleNLL[row] / tokens), exp(-greedyNLL[row] / tokens))
                #expect(abs(rewards.content[row] - expected.content) < 1e-4, "\(measure)")
                let baseline = DualRLTraining.harmonicMean(greedyStyle[row], expected.baseline)
                #expect(abs(rewards.baseline[row] - baseline) < 1e-4, "\(measure)")
            }
        }
    }

    @Test("The combined reward: b = 1 is the harmonic mean, b = 0.25 leans towards the content reward")
    func combinedReward() throws {
        for (style, content) in [(1.0, 1.0), (0.5, 1.0), (0.2, 0.7), (0.0, 0.9)] {
            #expect(
                abs(
                    DualRLTraining.combinedReward(style, content, contentWeight: 1)
                        - DualRLTraining.harmonicMean(style, content)) < 1e-12)
        }
        // (1 + 0.25)·1·0.1 / (1 + 0.025) and (1 + 0.25)·0.1·1 / (0.1 + 0.25).
        #expect(abs(DualRLTraining.combinedReward(1, 0.1, contentWeight: 0.25) - 0.125 / 1.025) < 1e-12)
        #expect(abs(DualRLTraining.combinedReward(0.1, 1, contentWeight: 0.25) - 0.125 / 0.35) < 1e-12)
        #expect(DualRLTraining.combinedReward(0, 0, contentWeight: 0.25) == 0)
        #expect(DualRLSettings(contentWeight: 0).problem != nil)
        #expect(DualRLSettings(contentWeight: .infinity).problem != nil)
        #expect(DualRLSettings(contentWeight: 0.25).problem == nil)
        // A directory written before these settings existed reads them as nil (the old behaviour).
        let old = #"{"annealSteps":1000,"pseudoPairs":10000,"reinforcementLearningRate":0.0001}"#
        let decoded = try JSONDecoder().decode(DualRLSettings.self, from: Data(old.utf8))
        #expect(decoded == DualRLSettings(pseudoPairs: 10_000))
        #expect(decoded.styleReward == nil && decoded.baseline == nil && decoded.contentWeight == nil)
        let luo = DualRLSettings(styleReward: .binary, baseline: DualRLBaseline.none, contentWeight: 0.25)
        let encoded = try JSONEncoder().encode(luo)
        #expect(try JSONDecoder().decode(DualRLSettings.self, from: encoded) == luo)
    }

    @Test("Binary style reward, batch-mean and no baseline, back-translation on samples")
    func rewardOptions() throws {
        let vocabulary = Self.toyVocabulary
        var seed = RandomGenerator(seed: 5)
        let network = DualRLStyleTransfer(
            settings: Self.tinySettings(steps: 1, pretraining: 0), vocabulary: vocabulary, using: &seed)
        let sources = [
            ["the", "soup", "was", "awful"], ["my", "bread", "is", "bad"], ["the", "bread", "was", "bad"],
        ]
        .map { vocabulary.encode($0) }
        let probability: ([[Int]]) -> [Double] = { $0.map { Double($0.count % 4) / 3 } }
        for baseline in DualRLBaseline.allCases {
            var generator = RandomGenerator(seed: 7)
            let losses = DualRLTraining.reinforcementLoss(
                network: network, sources: sources, target: 1, vocabulary: vocabulary, maximumLength: 8,
                styleProbability: probability, styleReward: .binary, baselineKind: baseline, contentWeight: 0.25,
                using: &generator)
            let rewards = losses.rewards
            let expectedStyle = probability(rewards.samples).map { $0 > 0.5 ? 1.0 : 0.0 }
            #expect(rewards.style == expectedStyle)
            for row in sources.indices {
                let total = DualRLTraining.combinedReward(
                    expectedStyle[row], rewards.content[row], contentWeight: 0.25)
                #expect(abs(rewards.total[row] - total) < 1e-12)
            }
            let advantages = zip(rewards.total, rewards.baseline).map { $0 - $1 }
            switch baseline {
            case .none:
                #expect(rewards.baseline.allSatisfy { $0 == 0 })
                #expect(advantages.allSatisfy { $0 >= 0 })
            case .batchMean:
                #expect(abs(advantages.reduce(0, +)) < 1e-12)
                #expect(Set(rewards.baseline).count == 1)
            case .greedy:
                let greedyStyle = probability(rewards.greedy).map { $0 > 0.5 ? 1.0 : 0.0 }
                for row in sources.indices {
                    let expected = DualRLTraining.combinedReward(greedyStyle[row], 0.5, contentWeight: 0.25)
                    #expect(abs(rewards.baseline[row] - expected) < 1e-12)
                }
            }
        }
        // Back-translation on samples: the mean of g's losses on greedy transfers and on samples.
        var generator = RandomGenerator(seed: 7)
        let both = DualRLTraining.reinforcementLoss(
            network: network, sources: sources, target: 1, vocabulary: vocabulary, maximumLength: 8,
            styleProbability: probability, backTranslateSamples: true, using: &generator)
        var none: RandomGenerator? = nil
        let nll = { (inputs: [[Int]]) in
            network.negativeLogLikelihoods(
                outputs: sources, inputs: inputs, target: 0, vocabulary: vocabulary, dropoutUsing: &none
            ).scalars.reduce(0, +)
        }
        let expected = (nll(both.rewards.greedy) + nll(both.rewards.samples)) / Float(2 * sources.count)
        #expect(abs(both.backTranslation.item - expected) < 1e-3 * max(1, abs(expected)))
        #expect(both.rewards.samples != both.rewards.greedy)
    }

    @Test(
        "Pseudo pairs: the template's transfer of a real sentence is the input, unchanged ones dropped; file round trip"
    )
    func pseudoPairs() throws {
        let corpus = StyleCorpus(
            styles: ["neg", "pos"],
            sentences: [
                (0..<30).map { ["the", ["soup", "bread", "tea"][$0 % 3], "was", "awful", "today"] },
                (0..<30).map { ["the", ["soup", "bread", "tea"][$0 % 3], "was", "great", "today"] },
            ])
        let markers = AttributeMarkers(corpus: corpus, maximumOrder: 2, smoothing: 1, threshold: 5)
        let template = TemplateTransfer(corpus: corpus, markers: markers)
        let pairs = DualRLPseudoPairs(corpus: corpus, template: template, perStyle: 10, seed: 1)
        #expect(pairs.pairs.map(\.count) == [10, 10])
        for (style, list) in pairs.pairs.enumerated() {
            for pair in list {
                #expect(pair.output.contains(style == 0 ? "awful" : "great"))
                #expect(pair.input.contains(style == 0 ? "great" : "awful"), "\(pair)")
            }
        }
        let root = try StyleTransferCrossAlignedTests.temporaryRoot("dual-pairs")
        defer { try? FileManager.default.removeItem(at: root) }
        let directory = ModelDirectory(url: root)
        try directory.create()
        try pairs.save(to: directory, styles: corpus.styles)
        #expect(try DualRLPseudoPairs.load(from: directory, styles: corpus.styles) == pairs)
    }

    @Test("Mutated pseudo-pair files are read or refused with a located error, never a trap")
    func mutatedPseudoPairs() throws {
        let root = try StyleTransferCrossAlignedTests.temporaryRoot("dual-fuzz")
        defer { try? FileManager.default.removeItem(at: root) }
        let directory = ModelDirectory(url: root)
        try directory.create()
        let original = Data("the soup was great\tthe soup was awful\nmy tea is good\tmy tea is bad\n".utf8)
        var generator = SplitMix64(seed: 11)
        var refused = 0
        for _ in 0..<200 {
            var bytes = [UInt8](original)
            for _ in 0..<(1 + Int(generator.next() % 4)) {
                let position = Int(generator.next() % UInt64(bytes.count))
                switch generator.next() % 3 {
                case 0: bytes[position] = UInt8(truncatingIfNeeded: generator.next())
                case 1: bytes.remove(at: position)
                default: bytes.insert([9, 10, 0xFF][Int(generator.next() % 3)], at: position)
                }
                if bytes.isEmpty { bytes = [9] }
            }
            for name in ["neg", "pos"] {
                try Data(bytes).write(to: directory.file(DualRLPseudoPairs.file(name)))
            }
            do {
                let loaded = try DualRLPseudoPairs.load(from: directory, styles: ["neg", "pos"])
                #expect(loaded.pairs.count == 2)
            } catch {
                refused += 1
                #expect(!"\(error)".isEmpty)
            }
        }
        #expect(refused > 0)
    }

    static func writeToyStyles(to root: URL, count: Int, seed: UInt64) throws -> [(style: String, path: String)] {
        try (0..<2).map { style in
            let url = root.appendingPathComponent("style\(style).txt")
            try LongSwappedWordStyles.sentences(style: style, count: count, seed: seed).map {
                $0.sentence.joined(separator: " ")
            }.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
            return (["neg", "pos"][style], url.path)
        }
    }

    static func recipe(_ settings: CrossAlignedSettings) -> StyleTransferRecipe {
        StyleTransferRecipe(
            method: .dualRL, maximumLength: 30, validationFraction: 0.1, markerOrder: 2, markerThreshold: 5, seed: 1,
            crossAligned: settings)
    }

    @Test("dual-rl trains a few steps into a model directory, continues, round-trips and transfers")
    func modelDirectory() throws {
        let root = try StyleTransferCrossAlignedTests.temporaryRoot("dual-dir")
        defer { try? FileManager.default.removeItem(at: root) }
        let files = try Self.writeToyStyles(to: root, count: 30, seed: 1)
        let output = ModelDirectory(url: root.appendingPathComponent("model"))
        var settings = Self.tinySettings(steps: 4, pretraining: 2)
        let first = try StyleTransferRun.train(
            Self.recipe(settings), files: files, output: output, classifierEpochs: 1, classifierEmbeddingSize: 8)
        #expect(first.training?.steps == 4)
        #expect(first.training?.lastMetrics["reward"] != nil)
        settings.training.steps = 6
        let second = try StyleTransferRun.train(
            Self.recipe(settings), files: files, output: output, classifierEpochs: 1, classifierEmbeddingSize: 8)
        #expect(second.training?.steps == 6)
        let loaded = try TrainedStyleTransfer.load(from: output)
        #expect(loaded.recipe.method == .dualRL)
        let inputs = [["the", "soup", "came", "back", "was", "tasty", "."], ["my", "host", "is", "rude", "."]]
        let outputs = try loaded.transfer(inputs, from: 0, to: 1)
        #expect(outputs.count == 2)
        #expect(try loaded.transfer(inputs, from: 1, to: 1) == inputs)
        let report = try loaded.evaluate(inputs: [(style: 0, target: nil, sentences: inputs, references: [])])
        #expect(report.accuracy != nil)
        // Other settings into the same directory are refused, the error naming each changed flag.
        var other = settings
        other.embeddingSize = 6
        other.training.learningRate = 2e-2
        let error = try #require(throws: ModelDirectoryError.self) {
            try StyleTransferRun.train(Self.recipe(other), files: files, output: output, classifierEpochs: 1)
        }
        #expect(error.message.contains("--embedding-size 6 given, 8 stored"), "\(error.message)")
        #expect(error.message.contains("--learning-rate 0.02 given, 0.01 stored"), "\(error.message)")
        #expect(!error.message.contains("--style-size"), "\(error.message)")
        // The default source was recorded although not given; giving it explicitly continues the run.
        #expect(loaded.recipe.crossAligned?.dualRL?.pseudoPairSource == .template)
        var explicit = settings
        explicit.dualRL?.pseudoPairSource = .template
        explicit.training.steps = 7
        let third = try StyleTransferRun.train(
            Self.recipe(explicit), files: files, output: output, classifierEpochs: 1, classifierEmbeddingSize: 8)
        #expect(third.training?.steps == 7)
    }

    @Test("Marker-edit pseudo pairs: the edit of a real sentence is the input; the same sentences as the template's")
    func markerEditPseudoPairs() throws {
        let corpus = StyleCorpus(
            styles: ["neg", "pos"],
            sentences: [
                (0..<30).map { ["the", ["soup", "bread", "tea"][$0 % 3], "was", "awful", "today"] },
                (0..<30).map { ["the", ["soup", "bread", "tea"][$0 % 3], "was", "great", "today"] },
            ])
        let markers = AttributeMarkers(corpus: corpus, maximumOrder: 2, smoothing: 1, threshold: 5)
        let edited = StyleTransferRun.pseudoPairs(
            source: .markerEdit, corpus: corpus, markers: markers, classifier: nil, perStyle: 10, seed: 1)
        let template = StyleTransferRun.pseudoPairs(
            source: .template, corpus: corpus, markers: markers, classifier: nil, perStyle: 10, seed: 1)
        #expect(edited.pairs.map(\.count) == [10, 10])
        for (style, list) in edited.pairs.enumerated() {
            for pair in list {
                #expect(pair.output.contains(style == 0 ? "awful" : "great"))
                #expect(pair.input.contains(style == 0 ? "great" : "awful"), "\(pair)")
                #expect(!pair.input.contains(style == 0 ? "awful" : "great"), "\(pair)")
            }
        }
        #expect(edited.pairs.map { $0.map(\.output) } == template.pairs.map { $0.map(\.output) })
    }

    @Test("--pseudo-pair-source marker-edit: recorded in the manifest, round-tripped, a changed source refused")
    func markerEditSourceInModelDirectory() throws {
        let root = try StyleTransferCrossAlignedTests.temporaryRoot("dual-edit-source")
        defer { try? FileManager.default.removeItem(at: root) }
        let files = try Self.writeToyStyles(to: root, count: 30, seed: 1)
        let output = ModelDirectory(url: root.appendingPathComponent("model"))
        var settings = Self.tinySettings(steps: 3, pretraining: 3)
        settings.dualRL?.pseudoPairSource = .markerEdit
        let first = try StyleTransferRun.train(
            Self.recipe(settings), files: files, output: output, classifierEpochs: 1, classifierEmbeddingSize: 8)
        #expect(first.training?.steps == 3)
        let manifest = try String(contentsOf: output.manifestURL, encoding: .utf8)
        #expect(manifest.contains("\"pseudoPairSource\" : \"marker-edit\""), "\(manifest)")
        let recipe = try output.readManifest(expecting: StyleTransferRun.kind).hyperparameters(
            as: StyleTransferRecipe.self)
        #expect(recipe.crossAligned?.dualRL?.pseudoPairSource == .markerEdit)
        #expect(recipe == (try JSONDecoder().decode(StyleTransferRecipe.self, from: JSONEncoder().encode(recipe))))
        // The pairs on disk are marker edits: each input differs from its output, and they are read back.
        let pairs = try DualRLPseudoPairs.load(from: output, styles: ["neg", "pos"])
        #expect(pairs.pairs.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.input != $0.output } })
        // Continuing with the template source, or without the flag (the template default), is refused by name.
        for source in [DualRLPseudoPairSource.template, nil] {
            var changed = settings
            changed.dualRL?.pseudoPairSource = source
            changed.training.steps = 4
            let error = try #require(throws: ModelDirectoryError.self) {
                try StyleTransferRun.train(Self.recipe(changed), files: files, output: output, classifierEpochs: 1)
            }
            #expect(
                error.message.contains("--pseudo-pair-source template given, marker-edit stored"), "\(error.message)")
        }
        // The same source continues.
        settings.training.steps = 4
        let second = try StyleTransferRun.train(
            Self.recipe(settings), files: files, output: output, classifierEpochs: 1, classifierEmbeddingSize: 8)
        #expect(second.training?.steps == 4)
        #expect(
            try TrainedStyleTransfer.load(from: output).recipe.crossAligned?.dualRL?.pseudoPairSource == .markerEdit)
    }

    @Test("dual-rl refuses three styles and a run without a classifier, before writing anything")
    func refusals() throws {
        let root = try StyleTransferCrossAlignedTests.temporaryRoot("dual-bad")
        defer { try? FileManager.default.removeItem(at: root) }
        var files = try Self.writeToyStyles(to: root, count: 10, seed: 1)
        let output = ModelDirectory(url: root.appendingPathComponent("model"))
        #expect(throws: InputError.self) {
            try StyleTransferRun.train(
                Self.recipe(Self.tinySettings(steps: 2, pretraining: 1)), files: files, output: output,
                classifierEpochs: 0)
        }
        files.append((style: "old", path: files[0].path))
        #expect(throws: InputError.self) {
            try StyleTransferRun.train(
                Self.recipe(Self.tinySettings(steps: 2, pretraining: 1)), files: files, output: output,
                classifierEpochs: 1)
        }
        #expect(!output.exists)
    }

    @Test(
        "dual-rl flips the swapped word (accuracy ≥ 0.9) and keeps the rest (source-BLEU ≥ 80)",
        .enabled(if: BuildConfiguration.isRelease))
    func flipsAndKeepsContent() throws {
        let root = try StyleTransferCrossAlignedTests.temporaryRoot("dual-flip")
        defer { try? FileManager.default.removeItem(at: root) }
        let files = try Self.writeToyStyles(to: root, count: 600, seed: 1)
        var settings = CrossAlignedSettings(
            embeddingSize: 32, styleSize: 16, contentSize: 48, filterWidths: [1], filterCount: 2, dropout: 0,
            minimumCount: 1, validationSentences: 30,
            training: CrossAlignedTraining.Options(
                batchSize: 32, learningRate: 3e-3, steps: 900, evaluationInterval: 150, seed: 1))
        settings.training.pretrainingSteps = 600
        settings.dualRL = DualRLSettings(pseudoPairs: 600, reinforcementLearningRate: 5e-4, annealSteps: 100)
        let output = ModelDirectory(url: root.appendingPathComponent("model"))
        _ = try StyleTransferRun.train(Self.recipe(settings), files: files, output: output, classifierEpochs: 2)
        let model = try TrainedStyleTransfer.load(from: output)
        var outputs: [String] = []
        var sources: [String] = []
        var ideals: [String] = []
        var hits = 0
        for style in 0..<2 {
            let test = LongSwappedWordStyles.sentences(style: style, count: 50, seed: 2)
            let transferred = try model.transfer(test.map(\.sentence), from: style, to: 1 - style)
            hits += transferred.filter { LongSwappedWordStyles.hasStyle($0, 1 - style) }.count
            outputs += transferred.map { $0.joined(separator: " ") }
            sources += test.map { $0.sentence.joined(separator: " ") }
            ideals += test.map { $0.transfer.joined(separator: " ") }
        }
        let bleu = BLEU(tokenizer: .none)
        let accuracy = Double(hits) / Double(outputs.count)
        let sourceBLEU = try bleu.corpusScore(hypotheses: outputs, references: [sources]).score
        let idealSourceBLEU = try bleu.corpusScore(hypotheses: ideals, references: [sources]).score
        let idealBLEU = try bleu.corpusScore(hypotheses: outputs, references: [ideals]).score
        let samples = outputs.prefix(3)
        #expect(idealSourceBLEU > 85)
        #expect(accuracy >= 0.9, "accuracy \(accuracy), source-BLEU \(sourceBLEU), ideal \(idealBLEU): \(samples)")
        #expect(sourceBLEU >= 80, "accuracy \(accuracy), source-BLEU \(sourceBLEU), ideal \(idealBLEU): \(samples)")
        #expect(idealBLEU >= 80, "accuracy \(accuracy), source-BLEU \(sourceBLEU), ideal \(idealBLEU): \(samples)")
    }
}
