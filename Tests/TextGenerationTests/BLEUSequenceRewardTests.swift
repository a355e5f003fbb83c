import Autodiff
import Testing

@testable import TextGeneration

@Suite("PG-BLEU: BLEU of token sequences against a reference set as a policy-gradient reward")
struct BLEUSequenceRewardTests {
    /// Random sequences over a small vocabulary, so n-grams repeat across references.
    static func sequences(count: Int, seed: UInt64, lengths: ClosedRange<Int> = 3...9) -> [[Int]] {
        var generator = RandomGenerator(seed: seed)
        return (0..<count).map { _ in
            let length = lengths.lowerBound + generator.nextInt(below: lengths.count)
            return (0..<length).map { _ in generator.nextInt(below: 5) }
        }
    }

    @Test("The statistics and scores equal BLEU's own multi-reference sentence BLEU on the same tokens")
    func equalsSentenceBLEU() {
        let references = Self.sequences(count: 30, seed: 1)
        let hypotheses = Self.sequences(count: 40, seed: 2, lengths: 1...11)
        for smoothing in [BLEU.Smoothing.floor(0.1), .exponential, .none] {
            let reward = BLEUSequenceReward(references: references, smoothing: smoothing)
            let text = references.map { $0.map(String.init).joined(separator: " ") }
            for (hypothesis, value) in zip(hypotheses, reward.rewards(for: hypotheses)) {
                let line = hypothesis.map(String.init).joined(separator: " ")
                let expected = reward.bleu.statistics(hypothesis: line, references: text)
                #expect(reward.statistics(of: hypothesis) == expected, "\(hypothesis)")
                #expect(abs(value - reward.bleu.score(expected).score / 100) < 1e-12)
                #expect((0...1).contains(value))
            }
        }
    }

    @Test("A reference scores 1; a sequence sharing no token with any reference scores 0")
    func extremes() {
        let references = [[1, 2, 3, 4, 1], [2, 2, 3, 1, 4]]
        let reward = BLEUSequenceReward(references: references)
        let values = reward.rewards(for: [references[1], [7, 8, 9, 7, 8]])
        #expect(abs(values[0] - 1) < 1e-12)
        #expect(values[1] == 0)
    }

    @Test("SeqGAN with the BLEU reward trains, and its rewards are BLEU's, not the discriminator's")
    func seqGANWithBLEUReward() {
        let oracle = TinySeqGAN.oracle()
        let data = TinySeqGAN.data(oracle)
        var configuration = TinySeqGAN.configuration()
        configuration.reward = .bleu
        let trainer = SeqGANTrainer(configuration, realSequences: data, oracle: oracle)
        var rewards: [Double] = []
        while trainer.round < configuration.totalRounds {
            if let reward = trainer.runRound()["mean_reward"] { rewards.append(reward) }
        }
        #expect(rewards.count == configuration.adversarialRounds)
        #expect(rewards.allSatisfy { (0...1).contains($0) })
        var discriminatorConfiguration = TinySeqGAN.configuration()
        discriminatorConfiguration.reward = .discriminator
        let other = SeqGANTrainer(discriminatorConfiguration, realSequences: data, oracle: oracle)
        var otherRewards: [Double] = []
        while other.round < discriminatorConfiguration.totalRounds {
            if let reward = other.runRound()["mean_reward"] { otherRewards.append(reward) }
        }
        #expect(rewards != otherRewards)
    }
}
