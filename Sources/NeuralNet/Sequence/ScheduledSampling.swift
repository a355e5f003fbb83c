import Autodiff
import Foundation

/// How often a decoder in training reads the gold previous token instead of its own previous prediction.
///
/// Scheduled sampling (Bengio, Vinyals, Jaitly & Shazeer 2015, "Scheduled Sampling for Sequence Prediction with
/// Recurrent Neural Networks"): at every target position after the first, independently per token, the decoder
/// reads the gold previous token with probability `εᵢ` and the model's own previous prediction otherwise; `εᵢ`
/// decays with the training step `i` so training moves from teacher forcing towards the test-time regime. This is
/// the paper's remedy for the mismatch between training (gold previous tokens) and inference (the model's own
/// previous predictions).
/// No gradient flows through the choice or through the predicted token (as in the paper).
public enum ScheduledSampling: Sendable, Equatable, Codable {
    /// Always the gold token (`ε = 1`): plain teacher forcing.
    case teacherForcing
    /// A fixed `ε`.
    case constant(Float)
    /// `εᵢ = max(minimum, start − slope·i)` (the paper's linear decay, `ε = minimum`, `k = start`, `c = slope`).
    case linear(start: Float, slope: Float, minimum: Float)
    /// `εᵢ = kⁱ` with `k < 1` (the paper's exponential decay), floored at `minimum`.
    case exponential(k: Float, minimum: Float)
    /// `εᵢ = k / (k + exp(i / k))` with `k ≥ 1` (the paper's inverse sigmoid decay).
    case inverseSigmoid(k: Float)

    /// `εᵢ`, the probability of reading the gold previous token at training step `step` (0-based), in `[0, 1]`.
    public func goldProbability(atStep step: Int) -> Float {
        let i = Float(step)
        let value: Float
        switch self {
        case .teacherForcing: value = 1
        case .constant(let epsilon): value = epsilon
        case .linear(let start, let slope, let minimum): value = Swift.max(minimum, start - slope * i)
        case .exponential(let k, let minimum): value = Swift.max(minimum, Float(pow(Double(k), Double(step))))
        case .inverseSigmoid(let k): value = k / (k + Float(exp(Double(i) / Double(k))))
        }
        return Swift.min(1, Swift.max(0, value))
    }

    /// Whether the gold token is always read (no model predictions are needed during training).
    public var isTeacherForcing: Bool {
        switch self {
        case .teacherForcing: true
        case .constant(let epsilon): epsilon >= 1
        default: false
        }
    }
}

/// Which of the model's previous predictions scheduled sampling feeds back: the most likely token, or a token
/// drawn from the model's distribution (the paper samples; the argmax is a common deterministic variant).
public enum ScheduledSamplingChoice: String, Sendable, Equatable, CaseIterable, Codable {
    /// `argmax_k p(k)`.
    case argmax
    /// `k ~ p`.
    case sample

    /// One token per row of `logits [B, V]`: the argmax, or a draw from the softmax (from `generator`).
    public func tokens(logits: Tensor, using generator: inout RandomGenerator) -> [Int] {
        switch self {
        case .argmax: logits.argmax(axis: 1).indices
        case .sample: sampleCategorical(logits: logits, using: &generator)
        }
    }
}

/// What one coin of scheduled sampling decides: a single target position, or a whole training sequence.
///
/// `token` is Bengio et al. 2015's scheduled sampling: every position after the first reads the gold previous
/// token with probability ε, independently. `sequence` is the protocol of Lake & Baroni 2018 ("Generalization
/// without Systematicity", SCAN: "teacher forcing half of the time"): each training sequence draws once — with
/// probability ε its whole target is teacher-forced, otherwise the decoder reads its own previous predictions at
/// every position (free running). With ε = 1 both are teacher forcing; with ε = 0 both are free running.
public enum TeacherForcingMode: String, Sendable, Equatable, CaseIterable, Codable {
    /// One coin per target position (Bengio et al. 2015).
    case token
    /// One coin per training sequence (Lake & Baroni 2018).
    case sequence
}

/// The coins of scheduled sampling for one batch, in either ``TeacherForcingMode``: whether sequence `b` reads
/// the gold token at a position after the first. In `sequence` mode the batch's coins are drawn once, in sequence
/// order, when the batch starts; in `token` mode one coin is drawn per question. Nothing is drawn when
/// `goldProbability` is 1 (teacher forcing), so that setting consumes no randomness in either mode.
public struct TeacherForcingCoins: Sendable {
    /// ε, the probability of reading the gold token.
    public let goldProbability: Float
    /// Per-token or per-sequence coins.
    public let mode: TeacherForcingMode
    /// `sequence` mode: whether each sequence of the batch is teacher-forced.
    public private(set) var sequenceReadsGold: [Bool]

    /// The coins of a batch of `batchSize` sequences (`sequence` mode draws them now from `generator`).
    public init(
        goldProbability: Float, mode: TeacherForcingMode, batchSize: Int, using generator: inout RandomGenerator
    ) {
        self.goldProbability = goldProbability
        self.mode = mode
        if mode == .sequence && goldProbability < 1 {
            sequenceReadsGold = (0..<batchSize).map { _ in generator.nextUnitFloat() < goldProbability }
        } else {
            sequenceReadsGold = Array(repeating: true, count: batchSize)
        }
    }

    /// Whether some position may read a model prediction (false: plain teacher forcing, nothing to predict).
    public var mayReadPredictions: Bool {
        switch mode {
        case .token: goldProbability < 1
        case .sequence: sequenceReadsGold.contains(false)
        }
    }

    /// Whether sequence `b` reads the gold token at its next position (draws a coin in `token` mode when ε < 1).
    public func readsGold(sequence b: Int, using generator: inout RandomGenerator) -> Bool {
        switch mode {
        case .token: goldProbability >= 1 || generator.nextUnitFloat() < goldProbability
        case .sequence: sequenceReadsGold[b]
        }
    }
}

extension ScheduledSampling {
    /// Parses `teacher-forcing`, `constant:ε`, `linear:start,slope,minimum`, `exponential:k[,minimum]` or
    /// `inverse-sigmoid:k` (the forms `montague train seq2seq --scheduled-sampling` takes); `nil` if malformed or
    /// out of range (probabilities in [0, 1], `0 < k < 1` for exponential, `k ≥ 1` for inverse sigmoid).
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        let name = parts.first ?? ""
        let numbers = parts.count > 1 ? parts[1].split(separator: ",").map { Float($0) } : []
        guard numbers.allSatisfy({ $0 != nil && $0?.isFinite == true }) else { return nil }
        let values = numbers.compactMap { $0 }
        let probability: (Float) -> Bool = { (0...1).contains($0) }
        switch (name, values.count) {
        case ("teacher-forcing", 0): self = .teacherForcing
        case ("constant", 1) where probability(values[0]): self = .constant(values[0])
        case ("linear", 3) where values[1] >= 0 && probability(values[2]):
            self = .linear(start: values[0], slope: values[1], minimum: values[2])
        case ("exponential", 1) where values[0] > 0 && values[0] < 1: self = .exponential(k: values[0], minimum: 0)
        case ("exponential", 2) where values[0] > 0 && values[0] < 1 && probability(values[1]):
            self = .exponential(k: values[0], minimum: values[1])
        case ("inverse-sigmoid", 1) where values[0] >= 1: self = .inverseSigmoid(k: values[0])
        default: return nil
        }
    }
}
