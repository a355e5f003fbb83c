import Autodiff
import NeuralNet

/// A language model conditioned on a token sequence — a meaning written as tokens (a SCAN action sequence, a
/// logical form) — trained by maximum likelihood: a meaning-to-sentence sequence-to-sequence model (Sutskever,
/// Vinyals & Le 2014) whose LSTM encoder reads the condition and whose decoder starts from the encoder's final state
/// and attends over its outputs (Luong, Pham & Manning 2015; Bahdanau, Cho & Bengio 2015):
///
/// ```
/// p(s | m) = Πₜ softmax(W h̃ₜ + b)[sₜ],   h̃ₜ = tanh(W_c [hₜ; Σᵢ αₜᵢ mᵢ]),   hₜ = LSTM(E[sₜ₋₁], hₜ₋₁),   h₀ = enc(m)
/// ```
///
/// Unlike ``ConditionalLanguageModel``, whose conditions are labels seen in training, a condition here is read
/// token by token, so the model can be asked for meanings it never saw (the generalization Lake & Baroni 2018 test
/// in the other direction, commands to actions). Token ids follow ``SequenceVocabulary`` on both sides: 0 padding,
/// 1 `<bos>`, 2 `<eos>`, 3 `<unk>`. Parameters are the ``Seq2SeqModel``'s names prefixed with `seq2seq.`.
///
/// ```swift
/// var generator = RandomGenerator(seed: 0)
/// let model = SequenceConditionedLanguageModel(
///     conditionVocabularySize: 6, vocabularySize: 7, embeddingSize: 4, hiddenSize: 8, using: &generator)
/// let loss = model.loss(conditions: [[4, 5], [4]], sentences: [[5, 6], [4]], using: &generator)
/// let sentences = model.sample(conditions: [[5, 4]], maximumLength: 5, using: &generator)
/// ```
public struct SequenceConditionedLanguageModel: ParameterContainer {
    /// The encoder–decoder network.
    public let seq2seq: Seq2SeqModel<LSTMCell>

    /// A model with parameters drawn from `generator`: one-layer LSTM encoder and decoder of width `hiddenSize`,
    /// `attention` over the encoder's outputs (`.none`: the decoder reads only the encoder's final state).
    public init(
        conditionVocabularySize: Int, vocabularySize: Int, embeddingSize: Int, hiddenSize: Int,
        attention: Seq2SeqAttentionKind = .dot, using generator: inout RandomGenerator
    ) {
        seq2seq = Seq2SeqModel(
            Seq2SeqConfiguration(
                sourceVocabularySize: conditionVocabularySize, targetVocabularySize: vocabularySize,
                embeddingSize: embeddingSize, hiddenSize: hiddenSize, attention: attention),
            using: &generator)
    }

    /// `seq2seq.…`.
    public var namedParameters: [(name: String, parameter: Parameter)] { prefixed("seq2seq", seq2seq) }

    /// Number of sentence token ids, reserved ones included.
    public var vocabularySize: Int { seq2seq.configuration.targetVocabularySize }

    /// Mean cross entropy per predicted token (each sentence's words and `<eos>`) of `sentences` (word ids, without
    /// `<bos>`/`<eos>`, each nonempty) given their `conditions` (each nonempty), teacher forced.
    public func loss(conditions: [[Int]], sentences: [[Int]], using generator: inout RandomGenerator) -> Tensor {
        precondition(
            conditions.count == sentences.count, "SequenceConditionedLanguageModel.loss: one condition per sentence")
        return seq2seq.loss(sources: conditions, targets: sentences, using: &generator)
    }

    /// One sentence per condition, drawn ancestrally token by token at `temperature` (without gradients): word
    /// ids up to (not including) `<eos>`, at most `maximumLength` of them.
    public func sample(
        conditions: [[Int]], maximumLength: Int, temperature: Float = 1, using generator: inout RandomGenerator
    ) -> [[Int]] {
        guard !conditions.isEmpty else { return [] }
        return withoutGradients {
            let encoding = seq2seq.encode(conditions)
            var states = encoding.initialStates
            var previous = [Int](repeating: SequenceVocabulary.beginning, count: conditions.count)
            var sentences = [[Int]](repeating: [], count: conditions.count)
            var finished = [Bool](repeating: false, count: conditions.count)
            let selection = TokenSelection.sample(temperature: temperature)
            let width = vocabularySize
            for _ in 0..<maximumLength where finished.contains(false) {
                let step = seq2seq.decodeStep(previousTokens: previous, states: states, encoding: encoding)
                states = step.states
                let logits = step.logits.scalars
                for b in conditions.indices {
                    let token = selection.select(
                        from: Array(logits[(b * width)..<((b + 1) * width)]), using: &generator)
                    previous[b] = token
                    if finished[b] { continue }
                    if token == SequenceVocabulary.end { finished[b] = true } else { sentences[b].append(token) }
                }
            }
            return sentences
        }
    }
}
