import Autodiff
import Foundation
import Generative
import MontagueSupport
import NeuralNet
import Testing
import _MontagueTestSupport

@testable import TextGeneration

@Suite("Sentence VAE")
struct SentenceVAETests {
    static func tinyModel(seed: UInt64 = 1) -> SentenceVAE {
        var generator = RandomGenerator(seed: seed)
        return SentenceVAE(
            SentenceVAE.Configuration(vocabularySize: 9, embeddingSize: 4, hiddenSize: 6, latentSize: 3),
            using: &generator)
    }

    /// `<s>`=2, `</s>`=3, words 4…8.
    static let sentences: [[Int]] = [
        [2, 4, 5, 3], [2, 6, 7, 8, 3], [2, 4, 4, 5, 6, 3], [2, 8, 3], [2, 5, 6, 7, 3],
    ]

    @Test("KL per dimension sums to the closed form and agrees with a Monte Carlo estimate")
    func klTerm() {
        var generator = RandomGenerator(seed: 3)
        let q = DiagonalGaussian(
            mean: Tensor.uniform([4, 3], low: -1, high: 1, using: &generator),
            logVariance: Tensor.uniform([4, 3], low: -1, high: 0.5, using: &generator))
        let perDimension = SentenceVAETraining.klPerDimension(q)
        let closed = q.klDivergenceFromStandardNormal().scalars
        for b in 0..<4 {
            let sum = perDimension.scalars[(3 * b)..<(3 * b + 3)].reduce(0, +)
            #expect(abs(sum - closed[b]) < 1e-5)
        }
        // Monte Carlo: E_q[log q(z) − log p(z)] over 20,000 draws, within 4 standard errors.
        var estimates = [Double](repeating: 0, count: 4)
        var squares = [Double](repeating: 0, count: 4)
        let draws = 20_000
        for _ in 0..<(draws / 100) {
            for _ in 0..<100 {
                let z = q.sample(using: &generator)
                let difference = (q.logDensity(z) - standardNormalLogDensity(z)).scalars
                for b in 0..<4 {
                    estimates[b] += Double(difference[b])
                    squares[b] += Double(difference[b] * difference[b])
                }
            }
        }
        for b in 0..<4 {
            let mean = estimates[b] / Double(draws)
            let standardError = ((squares[b] / Double(draws) - mean * mean) / Double(draws)).squareRoot()
            #expect(abs(mean - Double(closed[b])) < 4 * standardError + 1e-3, "row \(b): \(mean) vs \(closed[b])")
        }
        // Free bits: below λ every dimension counts λ and passes no gradient.
        #expect(abs(SentenceVAETraining.klTerm(q, freeBits: 10).item - 30) < 1e-4)
        let mean = q.mean.requiringGradient()
        let clamped = SentenceVAETraining.klTerm(DiagonalGaussian(mean: mean, logVariance: q.logVariance), freeBits: 10)
        #expect(gradients(of: clamped, wrt: [mean])[0].scalars.allSatisfy { $0 == 0 })
    }

    @Test("Gradients of the KL term and the reconstruction NLL pass finite differences")
    func gradientChecks() {
        var generator = RandomGenerator(seed: 4)
        let mean = Tensor.uniform([2, 3], low: -1, high: 1, using: &generator)
        let logVariance = Tensor.uniform([2, 3], low: -1, high: 0.5, using: &generator)
        let kl = checkGradients(at: [mean, logVariance]) { inputs in
            SentenceVAETraining.klTerm(DiagonalGaussian(mean: inputs[0], logVariance: inputs[1]), freeBits: 0.3)
        }
        #expect(kl.passes(tolerance: 2e-2), "\(kl)")
        let model = Self.tinyModel()
        let batch = SentenceVAEBatch(sequences: Array(Self.sentences.prefix(3)))
        let z = Tensor.uniform([3, 3], low: -1, high: 1, using: &generator)
        let reconstruction = checkGradients(at: [z], epsilon: 1e-2) { inputs in
            model.reconstructionNLL(batch.decoder, z: inputs[0])
        }
        #expect(reconstruction.passes(tolerance: 2e-2), "\(reconstruction)")
    }

    @Test("The importance-weighted bound is at least the ELBO and tightens with k")
    func importanceWeightedBound() {
        let model = Self.tinyModel()
        let bounds = [1, 8, 64].map {
            SentenceVAETraining.evaluate(model, on: Self.sentences, samples: $0, seed: 5)
        }
        #expect(bounds[2].importanceWeightedNLL <= bounds[1].importanceWeightedNLL + 1e-3)
        #expect(bounds[1].importanceWeightedNLL <= bounds[0].importanceWeightedNLL + 0.05)
        #expect(bounds[2].importanceWeightedNLL <= -bounds[2].elbo + 1e-3)
        #expect(bounds[2].kl > 0 && bounds[2].activeUnits <= 3 && bounds[2].sentences == 5)
        let tokens = Double(Self.sentences.map { $0.count - 1 }.reduce(0, +))
        expectClose(bounds[2].perplexity, Foundation.exp(bounds[2].importanceWeightedNLL * 5 / tokens), tolerance: 1e-6)
    }

    @Test("KL annealing schedules and their command-line forms")
    func annealing() {
        #expect(KLAnnealing.linear(steps: 10).weight(atStep: 0) == 0)
        #expect(KLAnnealing.linear(steps: 10).weight(atStep: 5) == 0.5)
        #expect(KLAnnealing.linear(steps: 10).weight(atStep: 50) == 1)
        #expect(abs(KLAnnealing.sigmoid(rate: 0.01, midpoint: 100).weight(atStep: 100) - 0.5) < 1e-6)
        #expect(KLAnnealing.sigmoid(rate: 0.01, midpoint: 100).weight(atStep: 1000) > 0.99)
        let cyclical = KLAnnealing.cyclical(period: 10, rampFraction: 0.5)
        #expect([0, 2, 5, 9, 10, 12].map(cyclical.weight(atStep:)) == [0, 0.4, 1, 1, 0, 0.4])
        #expect(KLAnnealing(specification: "cyclical:10") == cyclical)
        #expect(KLAnnealing(specification: "sigmoid:0.0025,2500") == .sigmoid(rate: 0.0025, midpoint: 2500))
        #expect(KLAnnealing(specification: "constant:0.5") == .constant(0.5))
        for bad in ["", "linear", "linear:-1", "sigmoid:1", "cyclical:0", "cyclical:10,2", "constant:x", "warm:3"] {
            #expect(KLAnnealing(specification: bad) == nil, "\(bad)")
        }
    }

    @Test("Word dropout replaces tokens after <s> and never padding")
    func wordDropout() {
        let batch = SentenceVAEBatch(sequences: Self.sentences)
        var generator = RandomGenerator(seed: 6)
        let inputs = batch.decoder.inputs
        let none = SentenceVAETraining.wordDropout(
            inputs, lengths: batch.decoder.lengths, rate: 0, unknown: 1, using: &generator)
        #expect(none.indices == inputs.indices)
        let all = SentenceVAETraining.wordDropout(
            inputs, lengths: batch.decoder.lengths, rate: 0.999_999, unknown: 1, using: &generator)
        let (steps, count) = (inputs.shape[0], inputs.shape[1])
        for t in 0..<steps {
            for b in 0..<count {
                let value = all.indices[t * count + b]
                if t == 0 {
                    #expect(value == 2)
                } else if t < batch.decoder.lengths[b] {
                    #expect(value == 1)
                } else {
                    #expect(value == inputs.indices[t * count + b])
                }
            }
        }
    }

    @Test("Training lowers the loss; a run continued from its directory equals an uninterrupted one")
    func runAndResume() throws {
        let root = try TestData.temporaryDirectory("sentence-vae")
        defer { try? FileManager.default.removeItem(at: root) }
        let train = root.appendingPathComponent("train.txt")
        let lines = ["the cat sat", "a dog ran far", "the dog sat", "a cat ran", "the bird flew far away"]
        try (0..<8).map { lines[$0 % lines.count] }.joined(separator: "\n").write(
            to: train, atomically: true, encoding: .utf8)
        var recipe = SentenceVAERecipe(
            embeddingSize: 4, hiddenSize: 8, latentSize: 2,
            objective: SentenceVAEObjective(annealing: .linear(steps: 4), wordDropout: 0.2, freeBits: 0.05),
            batchSize: 4, learningRate: 0.02, steps: 6, evaluationInterval: 3, importanceSamples: 4, seed: 2)
        let whole = ModelDirectory(url: root.appendingPathComponent("whole"))
        let summary = try SentenceVAERun.train(recipe, trainPath: train.path, validPath: nil, output: whole)
        #expect(summary.steps == 6 && summary.vocabularySize == 14)
        recipe.steps = 3
        let parts = ModelDirectory(url: root.appendingPathComponent("parts"))
        _ = try SentenceVAERun.train(recipe, trainPath: train.path, validPath: train.path, output: parts)
        recipe.steps = 6
        let continued = try SentenceVAERun.train(recipe, trainPath: train.path, validPath: nil, output: parts)
        #expect(continued.steps == 6)
        let a = try TrainedSentenceVAE.load(from: whole)
        let b = try TrainedSentenceVAE.load(from: parts)
        #expect(a.model.parameterValues.map(\.scalars) == b.model.parameterValues.map(\.scalars))
        #expect(b.sample(count: 3, selection: .sample(), seed: 1).count == 3)
        #expect(b.sample(count: 3, selection: .sample(), seed: 1) == b.sample(count: 3, selection: .sample(), seed: 1))
        #expect(b.reconstruct(["the cat sat", "a dog ran"]).count == 2)
        #expect(b.interpolate("the cat sat", "a dog ran far", steps: 4).count == 5)
        let evaluation = try b.evaluate(file: train.path, samples: 3, seed: 0)
        #expect(evaluation.sentences == 8 && evaluation.importanceWeightedNLL.isFinite)
        var other = recipe
        other.latentSize = 3
        #expect(throws: ModelDirectoryError.self) {
            try SentenceVAERun.train(other, trainPath: train.path, validPath: nil, output: parts)
        }
        // Learning: 60 steps at β = 1 lower the ELBO loss on this tiny corpus.
        var learning = recipe
        learning.steps = 60
        learning.objective = SentenceVAEObjective(annealing: .constant(1), wordDropout: 0, freeBits: 0)
        var initialization = RandomGenerator(seed: 9)
        let model = SentenceVAE(
            SentenceVAERun.configuration(learning, vocabularySize: 14), using: &initialization)
        let ids = lines.map { a.encode(a.tokens($0)) }
        let before = SentenceVAETraining.evaluate(model, on: ids, samples: 1, seed: 1).elbo
        let adam = Adam(model.parameters, learningRate: 0.03)
        var random = RandomGenerator(seed: 10)
        let batch = SentenceVAEBatch(sequences: ids)
        for step in 0..<60 {
            let (loss, _, _, _) = SentenceVAETraining.loss(
                model, batch: batch, objective: learning.objective, step: step, unknownToken: 1, using: &random)
            adam.step(gradients(of: loss, wrt: model.parameterValues))
        }
        let after = SentenceVAETraining.evaluate(model, on: ids, samples: 1, seed: 1).elbo
        #expect(after > before + 2, "ELBO \(before) → \(after)")
    }

    @Test(
        "Subwords: a byte-level BPE is trained, saved beside the vocabulary, reused on resume and decoded back to text")
    func subwordTokenizer() throws {
        let root = try TestData.temporaryDirectory("sentence-vae-bpe")
        defer { try? FileManager.default.removeItem(at: root) }
        let train = root.appendingPathComponent("train.txt")
        let lines = [
            "the cats sat", "a dog ran farther", "the dogs sat", "a cat ran", "the birds flew far away — naïve",
        ]
        try (0..<10).map { lines[$0 % lines.count] }.joined(separator: "\n").write(
            to: train, atomically: true, encoding: .utf8)
        var recipe = SentenceVAERecipe(
            subwords: "bpe:280", embeddingSize: 4, hiddenSize: 8, latentSize: 2, batchSize: 4, steps: 2,
            evaluationInterval: 2, importanceSamples: 2, seed: 3)
        let directory = ModelDirectory(url: root.appendingPathComponent("model"))
        _ = try SentenceVAERun.train(recipe, trainPath: train.path, validPath: nil, output: directory)
        let tokenizerURL = directory.file(TrainedSentenceVAE.tokenizerFile)
        let saved = try Data(contentsOf: tokenizerURL)
        let trained = try TrainedSentenceVAE.load(from: directory)
        #expect(trained.subwords != nil)
        #expect(try directory.readManifest(expecting: TrainedSentenceVAE.kind).files.keys.contains("tokenizer.json"))
        for line in lines {
            let pieces = trained.tokens(line)
            #expect(!pieces.isEmpty && pieces.count <= recipe.maximumLength)
            #expect(trained.render(trained.encode(pieces)) == line)
        }
        // A word the tokenizer never saw still round-trips through bytes.
        #expect(trained.render(trained.encode(trained.tokens("zebra"))) == "zebra")
        recipe.steps = 4
        _ = try SentenceVAERun.train(recipe, trainPath: train.path, validPath: nil, output: directory)
        #expect(try Data(contentsOf: tokenizerURL) == saved)
        #expect(try TrainedSentenceVAE.load(from: directory).sample(count: 2, selection: .sample(), seed: 1).count == 2)
        var invalid = recipe
        invalid.subwords = "bpe:12"
        #expect(throws: InputError.self) { try invalid.validate() }
    }
}
