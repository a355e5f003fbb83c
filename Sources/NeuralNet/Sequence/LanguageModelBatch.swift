/// Token sequences laid out for next-token prediction: time-major inputs `[T, B]`, the targets shifted by one,
/// and each sequence's length.
///
/// Sequence `b` of length `n` gives inputs `s[0..<n−1]` and targets `s[1..<n]`; shorter sequences are padded
/// (input token `paddingToken`, target ``ignoredTarget``), and `T` is the longest `n − 1`.
public struct LanguageModelBatch: Sendable, Equatable {
    /// The target value of padded positions (skipped by the loss).
    public static let ignoredTarget = -1

    /// Input tokens, time-major `[T, B]`.
    public let inputs: IndexTensor
    /// Target tokens in the row-major order of `[T, B]`; ``ignoredTarget`` at padding.
    public let targets: [Int]
    /// Number of real input positions of each sequence (`n − 1`).
    public let lengths: [Int]

    /// A batch of `sequences` (each at least two tokens), padded with `paddingToken`.
    public init(sequences: [[Int]], paddingToken: Int = 0) {
        precondition(!sequences.isEmpty, "LanguageModelBatch: no sequences")
        precondition(
            sequences.allSatisfy { $0.count >= 2 },
            "LanguageModelBatch: every sequence needs at least 2 tokens, got lengths \(sequences.map(\.count))")
        let batch = sequences.count
        let lengths = sequences.map { $0.count - 1 }
        let steps = lengths.max() ?? 0
        var inputs = [Int](repeating: paddingToken, count: steps * batch)
        var targets = [Int](repeating: Self.ignoredTarget, count: steps * batch)
        for (b, sequence) in sequences.enumerated() {
            for t in 0..<lengths[b] {
                inputs[t * batch + b] = sequence[t]
                targets[t * batch + b] = sequence[t + 1]
            }
        }
        self.inputs = IndexTensor(shape: [steps, batch], indices: inputs)
        self.targets = targets
        self.lengths = lengths
    }

    /// A batch from its parts (inputs `[T, B]`, time-major targets, lengths), as ``replacingInputs(_:)`` builds it.
    init(inputs: IndexTensor, targets: [Int], lengths: [Int]) {
        self.inputs = inputs
        self.targets = targets
        self.lengths = lengths
    }

    /// Number of predicted (non-padding) tokens.
    public var tokenCount: Int { lengths.reduce(0, +) }
}
