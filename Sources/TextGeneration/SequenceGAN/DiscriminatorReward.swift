import Autodiff

/// SeqGAN's reward: the discriminator's probability that a complete sequence is real (class 1), `D_φ(Y)`
/// (Yu et al. 2017, eq. 4).
public struct DiscriminatorReward: SequenceReward {
    /// The discriminator (class 0 generated, class 1 real).
    public let discriminator: TextCNN
    /// Sequences scored per batch.
    public let batchSize: Int

    /// The reward of `discriminator`.
    public init(discriminator: TextCNN, batchSize: Int = 512) {
        self.discriminator = discriminator
        self.batchSize = batchSize
    }

    /// `D(real | sequence)` for each sequence.
    public func rewards(for sequences: [[Int]]) -> [Double] {
        discriminator.probabilities(sequences, batchSize: batchSize).map { Double($0[1]) }
    }
}
