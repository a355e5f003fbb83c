/// A reward of complete token sequences, the signal of policy-gradient sequence training: a discriminator's
/// probability that a sequence is real (SeqGAN), BLEU against references (PG-BLEU), a classifier's score or a
/// grammar's verdict. Per-token rewards come from it through ``MonteCarloRollout``.
public protocol SequenceReward {
    /// One reward per sequence, in order.
    func rewards(for sequences: [[Int]]) -> [Double]
}

/// A ``SequenceReward`` from any function of a sequence.
///
/// ```swift
/// let countOnes = FunctionSequenceReward { sequence in Double(sequence.filter { $0 == 1 }.count) }
/// ```
public struct FunctionSequenceReward: SequenceReward {
    /// The reward of one sequence.
    public let reward: ([Int]) -> Double

    /// Wraps `reward`.
    public init(_ reward: @escaping ([Int]) -> Double) { self.reward = reward }

    /// `reward` of each sequence.
    public func rewards(for sequences: [[Int]]) -> [Double] { sequences.map(reward) }
}
