import Autodiff
import Foundation
import MontagueSupport
import NeuralNet
import Testing
import _MontagueTestSupport

@testable import TextGeneration

/// Tiny SeqGAN settings that run in a debug build in well under a second per round.
enum TinySeqGAN {
    static func configuration(method: SeqGANMethod = .seqgan) -> SeqGANConfiguration {
        SeqGANConfiguration(
            method: method, vocabularySize: 6, sequenceLength: 4, embeddingSize: 4, hiddenSize: 6, batchSize: 8,
            generatorLearningRate: 0.05, pretrainEpochs: 2, discriminatorPretrainRounds: 1, adversarialRounds: 2,
            generatorSteps: 1, discriminatorSteps: 1, discriminatorEpochs: 1, negativeCount: 16,
            discriminatorEmbeddingSize: 4, discriminatorFilterScale: 0.02, rolloutCount: 2, evaluationInterval: 1,
            evaluationSamples: 32, trainingSamples: 48, seed: 3)
    }

    static func oracle() -> LanguageModel {
        var generator = RandomGenerator(seed: 11)
        return LanguageModel(vocabularySize: 6, embeddingSize: 4, hiddenSize: 5, using: &generator)
    }

    static func data(_ oracle: LanguageModel) -> [[Int]] {
        var generator = RandomGenerator(seed: 12)
        return SequenceSampler.sample(from: oracle, count: 48, length: 4, startToken: 0, using: &generator)
    }
}

@Suite("SeqGAN and policy-gradient sequence training")
struct SeqGANTests {
    @Test("Batched sampling follows the model: first-token frequencies match its softmax")
    func samplerFollowsModel() {
        let model = TinySeqGAN.oracle()
        var a = RandomGenerator(seed: 5)
        let samples = SequenceSampler.sample(from: model, count: 6000, length: 3, startToken: 0, using: &a)
        #expect(samples.allSatisfy { $0.count == 3 && $0.allSatisfy { (0..<6).contains($0) } })
        let probabilities = model.logits(IndexTensor(shape: [1, 1], indices: [0])).logits.softmax(axis: -1).scalars
        for token in 0..<6 {
            let frequency = Double(samples.filter { $0[0] == token }.count) / 6000
            let p = Double(probabilities[token])
            // 4 standard errors of a binomial proportion.
            #expect(abs(frequency - p) <= 4 * (p * (1 - p) / 6000).squareRoot() + 1e-3, "token \(token)")
        }
        var b = RandomGenerator(seed: 5)
        #expect(SequenceSampler.sample(from: model, count: 6000, length: 3, startToken: 0, using: &b) == samples)
    }

    @Test("Rollout rewards: the last token gets the sequence's reward; a reward fixed by the prefix is exact")
    func rolloutRewards() {
        let model = TinySeqGAN.oracle()
        var generator = RandomGenerator(seed: 1)
        let sequences = [[1, 2, 3, 4], [5, 0, 1, 2], [2, 2, 2, 2]]
        // Depends only on the first token, which every completion keeps: every Q equals R(Y).
        let firstToken = FunctionSequenceReward { Double($0[0]) }
        let rollout = MonteCarloRollout(policy: model, rolloutCount: 3, startToken: 0)
        let q = rollout.tokenRewards(for: sequences, reward: firstToken, using: &generator)
        for (b, sequence) in sequences.enumerated() {
            #expect(q[b] == [Double](repeating: Double(sequence[0]), count: 4))
        }
        // Depends on the last token: the last position gets exactly R(Y); earlier ones a Monte Carlo mean.
        let lastToken = FunctionSequenceReward { Double($0[3]) }
        let q2 = rollout.tokenRewards(for: sequences, reward: lastToken, using: &generator)
        for (b, sequence) in sequences.enumerated() {
            #expect(q2[b][3] == Double(sequence[3]))
            #expect(q2[b][0] >= 0 && q2[b][0] <= 5)
        }
    }

    /// REINFORCE on a vocabulary of 3 and sequences of 2 tokens: the gradient of the expected reward, computed
    /// exactly by enumerating the 9 sequences, equals the Monte Carlo score-function estimate within 4 standard
    /// errors (estimated per coordinate from the per-sample gradients' spread, conservatively via batches).
    @Test("REINFORCE's estimate equals the exact gradient of the expected reward (enumeration)")
    func reinforceMatchesEnumeration() {
        var initialization = RandomGenerator(seed: 21)
        let model = LanguageModel(vocabularySize: 3, embeddingSize: 2, hiddenSize: 3, using: &initialization)
        let reward: ([Int]) -> Double = { Double($0[0] == 2 ? 1 : 0) + 0.5 * Double($0[1]) }
        // Exact: ∇ Σ_y p(y) R(y), p(y) = exp(−Σ_t nll_t).
        var all: [[Int]] = []
        for a in 0..<3 { for b in 0..<3 { all.append([a, b]) } }
        let batch = LanguageModelBatch(sequences: all.map { [0] + $0 })
        let logits = model.logits(batch.inputs).logits.reshaped([-1, 3])
        let nll = crossEntropy(logits: logits, targets: batch.targets, reduction: .none).reshaped([2, 9])
        let probabilities = (-nll.sum(axis: 0)).exp()
        let expected = (probabilities * Tensor(shape: [9], scalars: all.map { Float(reward($0)) })).sum()
        let exact = gradients(of: expected, wrt: model.parameterValues)
        // Monte Carlo: batches of samples, the loss's gradient × T (the loss averages over tokens) is −∇E[R].
        var sampling = RandomGenerator(seed: 22)
        var estimator = SequencePolicyGradient()
        let batches = 40
        var estimates: [[Float]] = []
        for _ in 0..<batches {
            let samples = SequenceSampler.sample(
                from: model, count: 500, length: 2, startToken: 0, using: &sampling)
            let rewards = samples.map { sample in [Double](repeating: reward(sample), count: 2) }
            let loss = estimator.loss(of: model, sequences: samples, tokenRewards: rewards, startToken: 0)
            let grads = gradients(of: loss, wrt: model.parameterValues)
            estimates.append(grads.flatMap { $0.scalars.map { -2 * $0 } })
        }
        let exactFlat = exact.flatMap(\.scalars)
        var checked = 0
        for index in exactFlat.indices {
            let values = estimates.map { Double($0[index]) }
            let mean = values.reduce(0, +) / Double(batches)
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(batches - 1)
            let standardError = (variance / Double(batches)).squareRoot()
            #expect(
                abs(mean - Double(exactFlat[index])) <= 4 * standardError + 1e-4,
                "coordinate \(index): estimate \(mean) ± \(standardError), exact \(exactFlat[index])")
            checked += 1
        }
        #expect(checked == model.parameterCount)
        #expect(exactFlat.contains { abs($0) > 1e-3 })
    }

    @Test("Policy gradient raises the expected reward; baselines keep it unbiased")
    func policyGradientLearns() {
        for baseline in [SequenceBaseline.none, .batchMean, .movingAverage(decay: 0.9)] {
            var initialization = RandomGenerator(seed: 4)
            let model = LanguageModel(vocabularySize: 4, embeddingSize: 3, hiddenSize: 4, using: &initialization)
            let adam = Adam(model.parameters, learningRate: 0.05)
            let reward = FunctionSequenceReward { sequence in Double(sequence.filter { $0 == 3 }.count) / 3 }
            var random = RandomGenerator(seed: 5)
            var estimator = SequencePolicyGradient(baseline: baseline, entropyCoefficient: 0.001)
            func meanReward() -> Double {
                var evaluation = RandomGenerator(seed: 99)
                let samples = SequenceSampler.sample(
                    from: model, count: 400, length: 3, startToken: 0, using: &evaluation)
                return reward.rewards(for: samples).reduce(0, +) / 400
            }
            let before = meanReward()
            for _ in 0..<30 {
                let samples = SequenceSampler.sample(from: model, count: 32, length: 3, startToken: 0, using: &random)
                let rewards = reward.rewards(for: samples).map { [Double](repeating: $0, count: 3) }
                let loss = estimator.loss(of: model, sequences: samples, tokenRewards: rewards, startToken: 0)
                adam.step(gradients(of: loss, wrt: model.parameterValues))
            }
            let after = meanReward()
            #expect(after > before + 0.2, "\(baseline): \(before) → \(after)")
        }
    }

    @Test("MLE pretraining lowers the generator's NLL of the data; rounds follow the schedule")
    func maximumLikelihood() {
        let oracle = TinySeqGAN.oracle()
        var configuration = TinySeqGAN.configuration(method: .mle)
        configuration.pretrainEpochs = 6
        configuration.adversarialRounds = 1
        let trainer = SeqGANTrainer(configuration, realSequences: TinySeqGAN.data(oracle), oracle: oracle)
        let before = trainer.evaluate()
        #expect(configuration.totalRounds == 7)
        while trainer.round < configuration.totalRounds {
            #expect(trainer.nextStage == (trainer.round < 6 ? .generatorPretraining : .maximumLikelihood))
            #expect(trainer.runRound()["mle_loss"] != nil)
        }
        let after = trainer.evaluate()
        #expect((after["nll_data"] ?? .infinity) < (before["nll_data"] ?? 0) - 0.1, "\(before) → \(after)")
        #expect(after["nll_oracle"] != nil)
    }

    @Test("Scheduled sampling: rounds after pretraining follow ε's schedule, ε = 1 is MLE, a resumed run is exact")
    func scheduledSampling() throws {
        let oracle = TinySeqGAN.oracle()
        let data = TinySeqGAN.data(oracle)  // 48 sequences, batch 8: 6 batches per epoch
        var configuration = TinySeqGAN.configuration(method: .scheduledSampling)
        configuration.adversarialRounds = 3
        configuration.scheduledSampling = .linear(start: 1, slope: 0.05, minimum: 0.2)
        #expect(configuration.totalRounds == 5)
        let straight = SeqGANTrainer(configuration, realSequences: data, oracle: oracle)
        var epsilons: [Double] = []
        while straight.round < configuration.totalRounds {
            let pretraining = straight.round < configuration.pretrainEpochs
            #expect(straight.nextStage == (pretraining ? .generatorPretraining : .scheduledSampling))
            let metrics = straight.runRound()
            if !pretraining {
                epsilons.append(metrics["gold_probability"] ?? .nan)
                #expect(metrics["ss_loss"].map(\.isFinite) == true)
            }
        }
        // The last batch of scheduled-sampling epoch e (0-based) is batch 6e + 5: ε = 1 − 0.05·(6e + 5).
        #expect(zip(epsilons, [0.75, 0.45, 0.2]).allSatisfy { abs($0 - $1) < 1e-6 }, "\(epsilons)")
        // Continued from round 3 (after one scheduled-sampling epoch): the same generator at the end.
        let first = SeqGANTrainer(configuration, realSequences: data, oracle: oracle)
        while first.round < 3 { first.runRound() }
        let second = SeqGANTrainer(configuration, realSequences: data, oracle: oracle)
        try second.restore(from: first.archive())
        while second.round < configuration.totalRounds { second.runRound() }
        #expect(straight.generator.parameterValues.map(\.scalars) == second.generator.parameterValues.map(\.scalars))
        // ε = 1 is teacher forcing: after one epoch, the same generator as the MLE baseline (later epochs shuffle
        // differently, as scheduled sampling draws its coins from the run's generator).
        var alwaysGold = configuration
        alwaysGold.scheduledSampling = .constant(1)
        alwaysGold.adversarialRounds = 1
        var baseline = alwaysGold
        baseline.method = .mle
        let mle = SeqGANTrainer(baseline, realSequences: data, oracle: oracle)
        let gold = SeqGANTrainer(alwaysGold, realSequences: data, oracle: oracle)
        while mle.round < alwaysGold.totalRounds {
            let scheduled = gold.runRound()
            let maximumLikelihood = mle.runRound()
            if let loss = scheduled["ss_loss"] {
                #expect(abs(loss - (maximumLikelihood["mle_loss"] ?? .nan)) < 1e-5)
            }
        }
        let difference =
            zip(mle.generator.parameterValues, gold.generator.parameterValues).map { a, b in
                zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? 0
            }.max() ?? 0
        #expect(difference < 1e-4)
        // With ε decaying the generator differs from the MLE one (the comparison above can fail).
        let decayed =
            zip(mle.generator.parameterValues, straight.generator.parameterValues).map { a, b in
                zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? 0
            }.max() ?? 0
        #expect(decayed > 1e-3)
    }

    @Test("A SeqGAN run restored from its archive continues bit for bit")
    func resumeIsExact() throws {
        let oracle = TinySeqGAN.oracle()
        let data = TinySeqGAN.data(oracle)
        var configuration = TinySeqGAN.configuration()
        configuration.baseline = .movingAverage(decay: 0.5)
        let straight = SeqGANTrainer(configuration, realSequences: data, oracle: oracle)
        var stages: [SeqGANStage] = []
        while straight.round < configuration.totalRounds {
            stages.append(straight.nextStage)
            let metrics = straight.runRound()
            if stages.last == .adversarial {
                #expect(metrics["mean_reward"].map { (0...1).contains($0) } == true)
                #expect(metrics["discriminator_loss"] != nil)
            }
        }
        #expect(
            stages == [
                .generatorPretraining, .generatorPretraining, .discriminatorPretraining, .adversarial, .adversarial,
            ])
        for split in [1, 3, 4] {
            let first = SeqGANTrainer(configuration, realSequences: data, oracle: oracle)
            while first.round < split { first.runRound() }
            let archive = first.archive()
            let second = SeqGANTrainer(configuration, realSequences: data, oracle: oracle)
            try second.restore(from: archive)
            #expect(second.round == split)
            while second.round < configuration.totalRounds { second.runRound() }
            for model in [(straight.generator, second.generator), (straight.rollout, second.rollout)] {
                #expect(model.0.parameterValues.map(\.scalars) == model.1.parameterValues.map(\.scalars))
            }
            #expect(
                straight.discriminator.parameterValues.map(\.scalars)
                    == second.discriminator.parameterValues.map(\.scalars))
            #expect(straight.random == second.random)
            #expect(straight.policyGradient.movingAverage == second.policyGradient.movingAverage)
        }
    }

    @Test("Gumbel-softmax generator: one-hot forward, soft backward into the generator; gumbel runs resume exactly")
    func gumbel() throws {
        let model = TinySeqGAN.oracle()
        let grads = gumbelSamplingGradients(model)
        #expect(grads.allSatisfy { $0.scalars.contains { $0 != 0 } })
        #expect(GumbelTemperature(initial: 1, minimum: 0.2, decayRate: 0.1).value(atStep: 0) == 1)
        #expect(GumbelTemperature(initial: 1, minimum: 0.2, decayRate: 0.1).value(atStep: 100) == 0.2)

        let oracle = TinySeqGAN.oracle()
        let data = TinySeqGAN.data(oracle)
        var configuration = TinySeqGAN.configuration(method: .gumbel)
        configuration.gumbelTemperature = GumbelTemperature(initial: 1, minimum: 0.3, decayRate: 0.5)
        let straight = SeqGANTrainer(configuration, realSequences: data, oracle: oracle)
        var last: [String: Double] = [:]
        while straight.round < configuration.totalRounds { last = straight.runRound() }
        #expect(last["generator_loss"]?.isFinite == true)
        #expect(last["temperature"].map { abs($0 - 1 * Foundation.exp(-1.0)) < 1e-6 } == true)
        let first = SeqGANTrainer(configuration, realSequences: data, oracle: oracle)
        while first.round < 4 { first.runRound() }
        let second = SeqGANTrainer(configuration, realSequences: data, oracle: oracle)
        try second.restore(from: first.archive())
        while second.round < configuration.totalRounds { second.runRound() }
        #expect(straight.generator.parameterValues.map(\.scalars) == second.generator.parameterValues.map(\.scalars))
        #expect(straight.generatorStepCount == 2 && second.generatorStepCount == 2)
    }

    @Test("A model directory stopped and run again ends where an uninterrupted run ends")
    func modelDirectoryResume() throws {
        let root = try TestData.temporaryDirectory("seqgan-run")
        defer { try? FileManager.default.removeItem(at: root) }
        let dataURL = root.appendingPathComponent("real.txt")
        try TokenSequenceFile.render(TinySeqGAN.data(TinySeqGAN.oracle())).write(
            to: dataURL, atomically: true, encoding: .utf8)
        let record = SeqGANRun.Record(
            configuration: TinySeqGAN.configuration(), oracle: nil, train: dataURL.path)
        let whole = ModelDirectory(url: root.appendingPathComponent("whole"))
        let summary = try SeqGANRun.train(record, output: whole)
        #expect(summary.rounds == 5 && summary.stopReason == "completed")
        let parts = ModelDirectory(url: root.appendingPathComponent("parts"))
        var calls = 0
        let stopped = try SeqGANRun.train(
            record, output: parts,
            shouldStop: {
                calls += 1
                return calls > 3
            })
        #expect(stopped.rounds == 3 && stopped.stopReason == "interrupted")
        var events: [SeqGANRun.Event] = []
        let finished = try SeqGANRun.train(record, output: parts, report: { events.append($0) })
        #expect(finished.rounds == 5)
        if case .resumed(let round) = events.first { #expect(round == 3) } else { Issue.record("no resume event") }
        let (a, _) = try SeqGANRun.load(whole)
        let (b, loaded) = try SeqGANRun.load(parts)
        #expect(loaded == record)
        #expect(a.parameterValues.map(\.scalars) == b.parameterValues.map(\.scalars))
        var other = record
        other.configuration.hiddenSize = 7
        #expect(throws: ModelDirectoryError.self) { try SeqGANRun.train(other, output: parts) }
        let metrics = try SeqGANRun.evaluate(b, record: loaded, count: 20, seed: 1)
        #expect(metrics["distinct_1"].map { $0 > 0 && $0 <= 1 } == true)
        #expect(metrics["nll_oracle"] == nil)
    }

    @Test("Token-id files: located errors for bad ids and lengths; mutated files never trap")
    func tokenSequenceFile() throws {
        #expect(
            try TokenSequenceFile.parse("1 2 3\n\n4 5 0\n", path: "f", length: 3, vocabularySize: 6)
                == [[1, 2, 3], [4, 5, 0]])
        do {
            _ = try TokenSequenceFile.parse("1 2 3\n4  x 0\n", path: "f", length: 3, vocabularySize: 6)
            Issue.record("no error")
        } catch let error as InputError {
            #expect(error.location == SourceLocation(file: "f", line: 2, column: 4))
        }
        #expect(throws: InputError.self) {
            try TokenSequenceFile.parse("1 2\n", path: "f", length: 3, vocabularySize: 6)
        }
        #expect(throws: InputError.self) {
            try TokenSequenceFile.parse("1 2 6\n", path: "f", length: 3, vocabularySize: 6)
        }
        #expect(throws: InputError.self) {
            try TokenSequenceFile.parse("\n \n", path: "f", length: 3, vocabularySize: 6)
        }
        let seed = Array("1 2 3\n4 5 0\n0 0 1\n".utf8)
        let alphabet = Array("0123456789 \t\n\r-x+é".utf8)
        var random = RandomGenerator(seed: 77)
        var parsed = 0
        for _ in 0..<500 {
            var bytes = seed
            for _ in 0..<(1 + random.nextInt(below: 4)) {
                switch random.nextInt(below: 3) {
                case 0 where !bytes.isEmpty: bytes.remove(at: random.nextInt(below: bytes.count))
                case 1:
                    bytes.insert(
                        alphabet[random.nextInt(below: alphabet.count)], at: random.nextInt(below: bytes.count + 1))
                default:
                    if !bytes.isEmpty { bytes[random.nextInt(below: bytes.count)] = UInt8(random.nextInt(below: 256)) }
                }
            }
            do {
                let sequences = try TokenSequenceFile.parse(
                    String(decoding: bytes, as: UTF8.self), path: "m", length: 3, vocabularySize: 6)
                #expect(sequences.allSatisfy { $0.count == 3 && $0.allSatisfy { (0..<6).contains($0) } })
                parsed += 1
            } catch let error as InputError {
                #expect(error.location?.file == "m")
            }
        }
        #expect(parsed > 0 && parsed < 500)
    }
}

/// Gumbel-softmax sampling from `model` (vocabulary 6, 3 sequences of 4 tokens): hard samples are one-hot and soft
/// ones lie inside the simplex (checked); returns the gradients of a straight-through sample's weighted sum with
/// respect to every parameter of `model`.
func gumbelSamplingGradients(_ model: some SequenceGenerator) -> [Tensor] {
    var random = RandomGenerator(seed: 8)
    let hard = GumbelSoftmaxGenerator.sample(
        model, count: 3, length: 4, startToken: 0, temperature: 0.5, hard: true, using: &random)
    #expect(hard.shape == [3, 4, 6])
    for row in 0..<12 {
        let values = Array(hard.scalars[(row * 6)..<((row + 1) * 6)])
        #expect(values.filter { $0 == 1 }.count == 1 && values.filter { $0 == 0 }.count == 5)
    }
    let soft = GumbelSoftmaxGenerator.sample(
        model, count: 3, length: 4, startToken: 0, temperature: 2, hard: false, using: &random)
    for row in 0..<12 {
        let values = soft.scalars[(row * 6)..<((row + 1) * 6)]
        #expect(abs(values.reduce(0, +) - 1) < 1e-5 && values.allSatisfy { $0 > 0 && $0 < 1 })
    }
    let weights = Tensor.uniform([3, 4, 6], low: -1, high: 1, using: &random)
    let straightThrough = GumbelSoftmaxGenerator.sample(
        model, count: 3, length: 4, startToken: 0, temperature: 0.5, hard: true, using: &random)
    let grads = gradients(of: (straightThrough * weights).sum(), wrt: model.parameterValues)
    return grads
}
