import Autodiff
import Foundation
import MontagueSupport
import NeuralNet
import Testing
import _MontagueTestSupport

@testable import TextGeneration

/// Tiny Transformer-generator settings (one layer, d 8, 2 heads) on ``TinySeqGAN``'s oracle data.
enum TinyTransformerSeqGAN {
    static func configuration(method: SeqGANMethod = .seqgan, dropout: Float? = nil) -> SeqGANConfiguration {
        var configuration = TinySeqGAN.configuration(method: method)
        configuration.architecture = .transformer
        configuration.transformer = Seq2SeqTransformerSettings(modelSize: 8, headCount: 2, feedForwardSize: 16)
        configuration.layerCount = 1
        configuration.dropout = dropout
        return configuration
    }

    static func generator(seed: UInt64 = 31, positions: PositionalEncodingKind = .sinusoidal)
        -> TransformerLanguageModel
    {
        var initialization = RandomGenerator(seed: seed)
        return TransformerLanguageModel(
            TransformerLanguageModelConfiguration(
                vocabularySize: 6, modelSize: 8, headCount: 2, feedForwardSize: 16, layerCount: 2, dropout: 0,
                positionalEncoding: positions, maximumLength: 8),
            using: &initialization)
    }
}

@Suite("SeqGAN with a Transformer generator")
struct SeqGANTransformerTests {
    @Test("Incremental sampling with the key/value cache equals the full causal forward pass on the prefix")
    func cachedStepsEqualFullPass() {
        for positions in [PositionalEncodingKind.sinusoidal, .learned, .rotary] {
            let model = TinyTransformerSeqGAN.generator(positions: positions)
            var random = RandomGenerator(seed: 2)
            let prefixes = [[0, 3, 1, 5], [0, 2, 2, 4], [0, 5, 0, 1]]
            var cursor = SequenceSampler.advance(model, tokens: prefixes.map { $0[0] }, after: nil)
            for t in 1..<4 {
                cursor = SequenceSampler.advance(model, tokens: prefixes.map { $0[t] }, after: cursor.states)
            }
            var none: RandomGenerator? = nil
            let full = model.logits(
                batchMajor: IndexTensor(shape: [3, 4], indices: prefixes.flatMap { $0 }), dropoutUsing: &none)
            let rows = full.reshaped([12, 6]).softmax(axis: -1).scalars
            for b in 0..<3 {
                let last = Array(rows[((b * 4 + 3) * 6)..<((b * 4 + 4) * 6)])
                let cached = Array(cursor.probabilities[(b * 6)..<((b + 1) * 6)])
                #expect(zip(last, cached).allSatisfy { abs($0 - $1) < 1e-5 }, "\(positions) row \(b)")
            }
            // Samples are deterministic per seed and in the vocabulary.
            let a = SequenceSampler.sample(from: model, count: 5, length: 4, startToken: 0, using: &random)
            var again = RandomGenerator(seed: 2)
            #expect(SequenceSampler.sample(from: model, count: 5, length: 4, startToken: 0, using: &again) == a)
            #expect(a.allSatisfy { $0.count == 4 && $0.allSatisfy { (0..<6).contains($0) } })
        }
    }

    @Test("Rollouts by a Transformer: a complete sequence's last token gets its reward; prefix-fixed rewards are exact")
    func rolloutOfCompleteSequence() {
        let model = TinyTransformerSeqGAN.generator()
        var generator = RandomGenerator(seed: 1)
        let sequences = [[1, 2, 3, 4], [5, 0, 1, 2], [2, 2, 2, 2]]
        let rollout = MonteCarloRollout(policy: model, rolloutCount: 3, startToken: 0)
        let firstToken = FunctionSequenceReward { Double($0[0]) }
        let q = rollout.tokenRewards(for: sequences, reward: firstToken, using: &generator)
        for (b, sequence) in sequences.enumerated() {
            #expect(q[b] == [Double](repeating: Double(sequence[0]), count: 4))
        }
        let whole = FunctionSequenceReward { Double($0.reduce(0, +)) }
        let q2 = rollout.tokenRewards(for: sequences, reward: whole, using: &generator)
        for (b, sequence) in sequences.enumerated() {
            #expect(q2[b][3] == Double(sequence.reduce(0, +)))
            // Each completion keeps the prefix: its sum is at least the prefix's.
            for t in 0..<3 { #expect(q2[b][t] >= Double(sequence[...t].reduce(0, +))) }
        }
    }

    @Test("Gumbel-softmax through a Transformer: one-hot forward, gradients reach every parameter")
    func gumbelThroughTransformer() {
        let model = TinyTransformerSeqGAN.generator()
        let grads = gumbelSamplingGradients(model)
        for (named, gradient) in zip(model.namedParameters, grads) {
            #expect(gradient.scalars.contains { $0 != 0 }, "no gradient for \(named.name)")
        }
    }

    @Test("Every method trains a few rounds with a Transformer generator, deterministically")
    func everyMethodTrains() {
        let oracle = TinySeqGAN.oracle()
        let data = TinySeqGAN.data(oracle)
        var settings: [(String, SeqGANConfiguration)] = [
            ("mle", TinyTransformerSeqGAN.configuration(method: .mle, dropout: 0.1)),
            ("scheduled-sampling", TinyTransformerSeqGAN.configuration(method: .scheduledSampling)),
            ("seqgan", TinyTransformerSeqGAN.configuration(method: .seqgan)),
            ("gumbel", TinyTransformerSeqGAN.configuration(method: .gumbel)),
        ]
        var bleu = TinyTransformerSeqGAN.configuration(method: .seqgan)
        bleu.reward = .bleu
        settings.append(("pg-bleu", bleu))
        settings[1].1.scheduledSampling = .linear(start: 0.8, slope: 0.05, minimum: 0.2)
        var selfCritical = TinyTransformerSeqGAN.configuration(method: .seqgan)
        selfCritical.baseline = .selfCritical
        settings.append(("self-critical", selfCritical))
        for (name, configuration) in settings {
            #expect(throws: Never.self) { try configuration.validate() }
            let a = SequenceGANTrainer<TransformerLanguageModel>(configuration, realSequences: data, oracle: oracle)
            let b = SequenceGANTrainer<TransformerLanguageModel>(configuration, realSequences: data, oracle: oracle)
            let initial = a.generator.parameterValues.map(\.scalars)
            var last: [String: Double] = [:]
            while a.round < configuration.totalRounds {
                last = a.runRound()
                b.runRound()
            }
            #expect(last.values.allSatisfy { $0.isFinite }, "\(name): \(last)")
            let key: String =
                switch configuration.method {
                case .mle: "mle_loss"
                case .scheduledSampling: "ss_loss"
                case .seqgan: "mean_reward"
                case .gumbel: "generator_loss"
                }
            #expect(last[key] != nil, "\(name): \(last)")
            #expect(a.generator.parameterValues.map(\.scalars) == b.generator.parameterValues.map(\.scalars), "\(name)")
            #expect(a.generator.parameterValues.map(\.scalars) != initial, "\(name)")
            #expect(a.random == b.random, "\(name)")
            let evaluation = a.evaluate()
            #expect(evaluation["nll_oracle"].map(\.isFinite) == true && evaluation["nll_data"] != nil, "\(name)")
        }
    }

    @Test("MLE epochs lower a Transformer generator's NLL of the data")
    func maximumLikelihoodLearns() {
        let oracle = TinySeqGAN.oracle()
        var configuration = TinyTransformerSeqGAN.configuration(method: .mle)
        configuration.pretrainEpochs = 6
        configuration.adversarialRounds = 0
        let trainer = SequenceGANTrainer<TransformerLanguageModel>(
            configuration, realSequences: TinySeqGAN.data(oracle), oracle: oracle)
        let before = trainer.evaluate()
        while trainer.round < configuration.totalRounds { trainer.runRound() }
        let after = trainer.evaluate()
        #expect((after["nll_data"] ?? .infinity) < (before["nll_data"] ?? 0) - 0.1, "\(before) → \(after)")
    }

    @Test(
        "A Transformer SeqGAN run restored from its archive continues bit for bit; the rollout copies the Transformer")
    func resumeIsExact() throws {
        let oracle = TinySeqGAN.oracle()
        let data = TinySeqGAN.data(oracle)
        for method in [SeqGANMethod.seqgan, .gumbel, .scheduledSampling] {
            var configuration = TinyTransformerSeqGAN.configuration(method: method, dropout: 0.1)
            configuration.baseline = .movingAverage(decay: 0.5)
            let straight = SequenceGANTrainer<TransformerLanguageModel>(
                configuration, realSequences: data, oracle: oracle)
            while straight.round < configuration.totalRounds { straight.runRound() }
            for split in [1, 3, 4] {
                let first = SequenceGANTrainer<TransformerLanguageModel>(
                    configuration, realSequences: data, oracle: oracle)
                while first.round < split { first.runRound() }
                let second = SequenceGANTrainer<TransformerLanguageModel>(
                    configuration, realSequences: data, oracle: oracle)
                try second.restore(from: first.archive())
                while second.round < configuration.totalRounds { second.runRound() }
                for model in [(straight.generator, second.generator), (straight.rollout, second.rollout)] {
                    #expect(
                        model.0.parameterValues.map(\.scalars) == model.1.parameterValues.map(\.scalars),
                        "\(method) split \(split)")
                }
                #expect(
                    straight.discriminator.parameterValues.map(\.scalars)
                        == second.discriminator.parameterValues.map(\.scalars))
                #expect(straight.random == second.random)
            }
        }
        // The delayed update mixes every Transformer parameter: θ_β ← r·θ_β + (1 − r)·θ.
        var configuration = TinyTransformerSeqGAN.configuration()
        configuration.rolloutUpdateRate = 0.5
        let trainer = SequenceGANTrainer<TransformerLanguageModel>(configuration, realSequences: data, oracle: oracle)
        while trainer.round < configuration.totalRounds - 1 { trainer.runRound() }
        #expect(trainer.nextStage == .adversarial)
        let before = trainer.rollout.parameterValues.map(\.scalars)
        trainer.runRound()
        let generator = trainer.generator.parameterValues.map(\.scalars)
        let after = trainer.rollout.parameterValues.map(\.scalars)
        for (index, values) in after.enumerated() {
            for (j, value) in values.enumerated() {
                #expect(abs(value - (0.5 * before[index][j] + 0.5 * generator[index][j])) < 1e-6)
            }
        }
        #expect(after != generator)
    }

    @Test("A Transformer model directory: resumed runs end as uninterrupted ones; loads, samples and evaluates")
    func modelDirectory() throws {
        let root = try TestData.temporaryDirectory("seqgan-transformer-run")
        defer { try? FileManager.default.removeItem(at: root) }
        let dataURL = root.appendingPathComponent("real.txt")
        try TokenSequenceFile.render(TinySeqGAN.data(TinySeqGAN.oracle())).write(
            to: dataURL, atomically: true, encoding: .utf8)
        let record = SeqGANRun.Record(
            configuration: TinyTransformerSeqGAN.configuration(), oracle: nil, train: dataURL.path)
        let whole = ModelDirectory(url: root.appendingPathComponent("whole"))
        #expect(try SeqGANRun.train(record, output: whole).rounds == 5)
        let parts = ModelDirectory(url: root.appendingPathComponent("parts"))
        var calls = 0
        let stopped = try SeqGANRun.train(
            record, output: parts,
            shouldStop: {
                calls += 1
                return calls > 3
            })
        #expect(stopped.rounds == 3)
        #expect(try SeqGANRun.train(record, output: parts).rounds == 5)
        let (a, _) = try SeqGANRun.load(whole)
        let (b, loaded) = try SeqGANRun.load(parts)
        #expect(loaded == record && loaded.configuration.generatorArchitecture == .transformer)
        #expect(b is TransformerLanguageModel)
        #expect(a.parameterValues.map(\.scalars) == b.parameterValues.map(\.scalars))
        let samples = SeqGANRun.sample(b, record: loaded, count: 4, seed: 2)
        #expect(samples.count == 4 && samples.allSatisfy { $0.count == 4 })
        let metrics = try SeqGANRun.evaluate(b, record: loaded, count: 20, seed: 1)
        #expect(metrics["distinct_1"].map { $0 > 0 && $0 <= 1 } == true)
        // Another network in the same directory is refused; an LSTM directory cannot seed a Transformer run.
        var lstm = record
        lstm.configuration.architecture = nil
        lstm.configuration.transformer = nil
        lstm.configuration.layerCount = nil
        #expect(throws: ModelDirectoryError.self) { try SeqGANRun.train(lstm, output: parts) }
        let lstmDirectory = ModelDirectory(url: root.appendingPathComponent("lstm"))
        var pretrain = lstm
        pretrain.configuration.method = .mle
        pretrain.configuration.adversarialRounds = 0
        _ = try SeqGANRun.train(pretrain, output: lstmDirectory)
        var seeded = record
        seeded.initializedFrom = lstmDirectory.url.path
        #expect(throws: ModelDirectoryError.self) {
            try SeqGANRun.train(seeded, output: ModelDirectory(url: root.appendingPathComponent("seeded")))
        }
        // Transformer settings on an LSTM generator, and SeqGAN's N(0, σ²) initialization on a Transformer, are
        // refused.
        var mixed = lstm
        mixed.configuration.dropout = 0.1
        #expect(throws: InputError.self) { try mixed.configuration.validate() }
        var initialized = record
        initialized.configuration.generatorInitialStandardDeviation = 0.1
        #expect(throws: InputError.self) { try initialized.configuration.validate() }
    }
}
