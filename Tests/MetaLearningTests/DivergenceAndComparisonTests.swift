import Autodiff
import Foundation
import MetaLearning
import NeuralNet
import Testing

/// Meta-SGD's divergence beyond its trained steps, the optimizer comparison, and the text task.
@Suite("Divergence guard, optimizer comparison, text episodes")
struct DivergenceAndComparisonTests {
    @Test func metaSGDRatesAppliedTooOftenAreReportedAsDivergedNotNaN() throws {
        let configuration = MetaTrainingConfiguration(
            method: .metaSGD, shots: 5, hiddenSizes: [8], innerSteps: 1, metaBatchSize: 2, seed: 3,
            innerRateParameterization: .unconstrained)
        let run = MetaTraining(configuration: configuration)
        // Rates far beyond the stable range 2/λ of the support loss's curvature, as unconstrained Meta-SGD can learn.
        for (name, parameter) in run.namedParameters where name.hasPrefix("inner_rates.") {
            parameter.update(Tensor.full(parameter.shape, 40))
        }
        let summary = try #require(run.innerRateSummary)
        #expect(summary.minimum == 40 && summary.maximum == 40 && summary.negativeFraction == 0)
        let results = run.evaluate(
            sampler: SinusoidTasks(shots: 5, queryCount: 10), episodeCount: 6, checkpoints: [0, 1, 30], seed: 1)
        #expect(results.map(\.steps) == [0, 1, 30])
        #expect(results[0].divergedEpisodes == 0 && results[0].loss.count == 6 && !results[0].beyondTrainedSteps)
        #expect(results[2].beyondTrainedSteps)
        #expect(results[2].divergedEpisodes > 0, "rates of 40 must diverge within 30 steps")
        for result in results {
            #expect(result.loss.mean.isFinite && result.loss.halfWidth.isFinite)
            #expect(result.loss.count + result.divergedEpisodes == 6)
        }
    }

    @Test func adaptationStopsAtTheFirstNonFiniteLoss() {
        var generator = RandomGenerator(seed: 1)
        let model = FunctionalMLP(sizes: [1, 4, 1], using: &generator)
        let episode = SinusoidTasks(shots: 5, queryCount: 5).sampleEpisode(using: &generator)
        let rates = model.parameters.map { _ in Tensor(1e6) }
        let curve = InnerLoop.adaptationCurve(
            model, parameters: model.parameterValues, rates: rates, episode: episode, checkpoints: [0, 2, 50, 100])
        #expect(curve.map(\.steps) == [0, 2, 50, 100])
        #expect(curve[0].loss.isFinite && !curve[3].loss.isFinite)
    }

    @Test func comparedSGDIsPlainGradientDescentAndAdamsFirstStepIsTheSignTimesTheRate() {
        var generator = RandomGenerator(seed: 5)
        let model = FunctionalMLP(sizes: [1, 3, 1], using: &generator)
        let episode = SinusoidTasks(shots: 5, queryCount: 5).sampleEpisode(using: &generator)
        let start = model.parameterValues
        let sgd = OptimizerComparison.optimize(
            .sgd(learningRate: 0.01), model: model, initialization: start, episode: episode, steps: 1)
        let grads = gradients(
            of: episode.supportTargets.loss(of: model(episode.supportInputs, parameters: start)), wrt: start)
        let manual = zip(start, grads).map { ($0 - 0.01 * $1).detached() }
        let manualLoss = episode.supportTargets.loss(of: model(episode.supportInputs, parameters: manual)).item
        #expect(sgd.losses.count == 2 && abs(sgd.losses[1] - Double(manualLoss)) < 1e-5)

        // Adam's first step moves every coordinate by ≈ η·sign(g); with a tiny η the loss change is ≈ −η Σ|g|.
        let eta: Float = 1e-4
        let adam = OptimizerComparison.optimize(
            .adam(learningRate: eta), model: model, initialization: start, episode: episode, steps: 1)
        let l1 = grads.reduce(Float(0)) { $0 + $1.scalars.reduce(0) { $0 + abs($1) } }
        let expected = adam.losses[0] - Double(eta * l1)
        #expect(abs(adam.losses[1] - expected) < 0.05 * Double(eta * l1))
    }

    @Test func learnedOptimizerWithSGDGatesMatchesSGDInTheComparison() {
        var generator = RandomGenerator(seed: 8)
        let model = FunctionalMLP(sizes: [1, 5, 1], using: &generator)
        let lstm = LSTMMetaOptimizer(using: &generator)
        // f = σ(b_F) ≈ 1 and i = σ(b_I) = η with zero gate weights: the LSTM step is SGD at rate η.
        lstm.forgetWeight.update(Tensor.zeros(lstm.forgetWeight.shape))
        lstm.inputWeight.update(Tensor.zeros(lstm.inputWeight.shape))
        lstm.forgetBias.update(Tensor([40]))
        let eta: Float = 0.02
        lstm.inputBias.update(Tensor([Foundation.log(eta / (1 - eta))]))
        let episodes = (0..<2).map { _ in SinusoidTasks(shots: 5, queryCount: 5).sampleEpisode(using: &generator) }
        let comparison = OptimizerComparison.run(
            [.learned(lstm), .sgd(learningRate: eta)], model: model, initialization: model.parameterValues,
            episodes: episodes, steps: 4)
        let learned = comparison.curves[0].meanLosses
        let sgd = comparison.curves[1].meanLosses
        #expect(learned.count == 5)
        for (a, b) in zip(learned, sgd) { #expect(abs(a - b) < 1e-4 * max(1, b)) }
        #expect(sgd[4] < sgd[0])
    }

    @Test func bestRateAvoidsDivergingRates() {
        var generator = RandomGenerator(seed: 6)
        let model = FunctionalMLP(sizes: [1, 8, 1], using: &generator)
        let episodes = (0..<3).map { _ in SinusoidTasks(shots: 5, queryCount: 5).sampleEpisode(using: &generator) }
        let rate = OptimizerComparison.bestRate(
            [1e-4, 0.01, 1e4], adam: false, model: model, initialization: model.parameterValues, episodes: episodes,
            steps: 3)
        #expect(rate == 0.01)
    }

    @Test func bagOfNGramsCountsWordsAndPairsIntoUnitLengthBuckets() {
        let encoder = HashedBagOfNGrams(dimension: 64)
        #expect(
            HashedBagOfNGrams.words("To be, or NOT to be: that's it.") == [
                "to", "be", "or", "not", "to", "be", "that's", "it",
            ])
        let features = encoder.features("to be or not to be")
        #expect(abs(features.reduce(0) { $0 + $1 * $1 } - 1) < 1e-5)
        #expect(features.count == 64 && features.allSatisfy { $0 >= 0 })
        #expect(encoder.features("…!!") == [Float](repeating: 0, count: 64))
        #expect(encoder.features("To be") == encoder.features("to BE"))
    }

    @Test func bagOfNGramsNeverTrapsOnMutatedText() {
        var generator = RandomGenerator(seed: 99)
        let seeds = ["Hamlet. To be, or not to be", "Ay, my lord.", "", "O, O, O, O!", "naïve café — ’tis 💀"]
        let encoder = HashedBagOfNGrams(dimension: 16)
        for index in 0..<300 {
            var bytes = Array(seeds[index % seeds.count].utf8)
            for _ in 0..<(1 + generator.nextInt(below: 6)) {
                let position = bytes.isEmpty ? 0 : generator.nextInt(below: bytes.count + 1)
                switch generator.nextInt(below: 3) {
                case 0: bytes.insert(UInt8(generator.nextInt(below: 256)), at: position)
                case 1 where !bytes.isEmpty: bytes.remove(at: min(position, bytes.count - 1))
                default: if position < bytes.count { bytes[position] = UInt8(generator.nextInt(below: 256)) }
                }
            }
            let features = encoder.features(String(decoding: bytes, as: UTF8.self))
            let total = features.reduce(0) { $0 + $1 * $1 }
            #expect(features.allSatisfy(\.isFinite) && (total == 0 || abs(total - 1) < 1e-4))
        }
    }

    @Test func textClassesAreSplitByGroupAndEpisodesAreWellFormed() {
        let texts = syntheticTexts()
        let testGroups = TextClasses.defaultTestGroups(texts.map(\.group))
        #expect(testGroups == ["play 3"])
        let classes = TextClasses(
            texts: texts + [LabelledText(text: "rare", label: "Rare", group: "play 0")],
            encoder: HashedBagOfNGrams(dimension: 32), minimumCount: 4, testGroups: testGroups)
        #expect(classes.names.count == 12, "the speaker with one text is dropped")
        let train = classes.classes(forTesting: false).map { classes.names[$0] }
        let test = classes.classes(forTesting: true).map { classes.names[$0] }
        #expect(train.count == 9 && test.count == 3 && test.allSatisfy { $0.hasPrefix("play 3/") })
        var generator = RandomGenerator(seed: 1)
        let episode = TextEpisodes(classes: classes, way: 3, shot: 1, queryPerClass: 3, forTesting: true)
            .sampleEpisode(using: &generator)
        #expect(episode.supportInputs.shape == [3, 32] && episode.queryInputs.shape == [9, 32])
        guard case .classes(let labels, let count) = episode.queryTargets else {
            Issue.record("classification targets expected")
            return
        }
        #expect(count == 3 && labels.sorted() == [0, 0, 0, 1, 1, 1, 2, 2, 2])
        #expect(TextClasses.defaultTestGroups(["only"]).isEmpty)
    }

    @Test func prototypicalNetworkLearnsSyntheticSpeakers() {
        let configuration = MetaTrainingConfiguration(
            task: .text, method: .protonet, shots: 1, way: 3, queryCount: 3, hiddenSizes: [16], embeddingSize: 8,
            metaLearningRate: 0.01, metaBatchSize: 2, seed: 2, textFeatures: 32)
        let classes = TextClasses(
            texts: syntheticTexts(), encoder: HashedBagOfNGrams(dimension: 32), minimumCount: 4,
            testGroups: ["play 3"])
        let train = TextEpisodes(classes: classes, way: 3, shot: 1, queryPerClass: 3, forTesting: false)
        let test = TextEpisodes(classes: classes, way: 3, shot: 1, queryPerClass: 3, forTesting: true)
        let run = MetaTraining(configuration: configuration)
        for _ in 0..<30 { run.step(sampler: train) }
        let result = run.evaluate(sampler: test, episodeCount: 10, checkpoints: [0], seed: 3)
        // Each speaker has its own marker word, so one example per class identifies the speaker.
        #expect((result.first?.accuracy?.mean ?? 0) >= 0.8, "chance is 1/3")
    }
}

/// Meta-training survives a meta-batch whose inner loop diverges.
@Suite("Non-finite meta-gradients")
struct NonFiniteMetaGradientTests {
    @Test func aDivergingMetaBatchIsSkippedWithoutTouchingTheParameters() {
        var generator = RandomGenerator(seed: 3)
        let model = FunctionalMLP(sizes: [1, 6, 1], using: &generator)
        let maml = MAML(
            model: model,
            configuration: MAMLConfiguration(
                innerSteps: 3, innerLearningRate: 0.01, learnsInnerRates: true, rateParameterization: .unconstrained))
        for rate in maml.innerRates { rate.update(Tensor.full(rate.shape, 1e20)) }
        let before = maml.namedParameters.map { $0.parameter.value.scalars }
        let episodes = (0..<2).map { _ in SinusoidTasks(shots: 4, queryCount: 3).sampleEpisode(using: &generator) }
        let loss = maml.metaStep(episodes)
        #expect(!loss.isFinite)
        #expect(maml.skippedSteps == 1 && maml.metaOptimizer.stepCount == 0)
        #expect(maml.namedParameters.map { $0.parameter.value.scalars } == before)
        for rate in maml.innerRates { rate.update(Tensor.full(rate.shape, 0.01)) }
        #expect(maml.metaStep(episodes).isFinite && maml.skippedSteps == 1)
    }
}
