import Autodiff

/// What training and evaluation need from a sequence-to-sequence model, whatever its architecture: the recurrent
/// ``Seq2SeqModel`` and the ``TransformerSeq2SeqModel`` both conform, so one trainer and one decoder loop serve
/// both.
public protocol Seq2SeqTransducer: ParameterContainer {
    /// Number of target symbols (0 padding, 1 `<bos>`, 2 `<eos>` included).
    var targetVocabularySize: Int { get }

    /// Mean per-token cross-entropy of `targets` given `sources`, reading gold previous tokens with probability
    /// `goldProbability` and the model's own choices otherwise (scheduled sampling), one coin per position or per
    /// sequence (`mode`); dropout from `generator`.
    func loss(
        sources: [[Int]], targets: [[Int]], goldProbability: Float, mode: TeacherForcingMode,
        choice: ScheduledSamplingChoice, using generator: inout RandomGenerator
    ) -> Tensor

    /// Greedy decoding of a batch of sources.
    func greedyDecode(_ sources: [[Int]], maxLength: Int) -> [Seq2SeqHypothesis]

    /// Beam search for one source, hypotheses best first.
    func beamSearch(_ source: [Int], width: Int, maxLength: Int, lengthPenalty: Float) -> [Seq2SeqHypothesis]
}

extension Seq2SeqTransducer {
    /// The loss with one coin per target position (``TeacherForcingMode/token``).
    public func loss(
        sources: [[Int]], targets: [[Int]], goldProbability: Float, choice: ScheduledSamplingChoice,
        using generator: inout RandomGenerator
    ) -> Tensor {
        loss(
            sources: sources, targets: targets, goldProbability: goldProbability, mode: .token, choice: choice,
            using: &generator)
    }
}

extension Seq2SeqModel: Seq2SeqTransducer {
    /// ``Seq2SeqConfiguration/targetVocabularySize``.
    public var targetVocabularySize: Int { configuration.targetVocabularySize }
}

extension TransformerSeq2SeqModel: Seq2SeqTransducer {
    /// ``TransformerSeq2SeqConfiguration/targetVocabularySize``.
    public var targetVocabularySize: Int { configuration.targetVocabularySize }

    /// The teacher-forced loss when `goldProbability` is 1. Below 1, in ``TeacherForcingMode/token`` mode,
    /// two-pass scheduled sampling for Transformers (Mihaylova & Martins 2019): a first pass without gradients gives
    /// the model's choice at every position, each decoder input after `<bos>` is replaced by the choice for the
    /// previous position with probability `1 − goldProbability`, and the loss is that of a second, ordinary pass on
    /// the mixed inputs. In ``TeacherForcingMode/sequence`` mode (Lake & Baroni 2018) each example is teacher-forced
    /// with probability `goldProbability`, else free-running: its decoder inputs are the model's own choices,
    /// decoded one position at a time with the key/value cache and no gradients (as many as its target has tokens,
    /// `<eos>` included if chosen), and the loss is that of one ordinary pass on those inputs — the inputs a
    /// recurrent decoder reads when fed its own predictions, without dropout in the decoding.
    public func loss(
        sources: [[Int]], targets: [[Int]], goldProbability: Float, mode: TeacherForcingMode,
        choice: ScheduledSamplingChoice, using generator: inout RandomGenerator
    ) -> Tensor {
        let inputs = scheduledSamplingInputs(
            sources: sources, targets: targets, goldProbability: goldProbability, mode: mode, choice: choice,
            using: &generator)
        guard let inputs else { return loss(sources: sources, targets: targets, using: &generator) }
        return loss(sources: sources, decoderInputs: inputs, targets: targets, using: &generator)
    }

    /// The decoder inputs of scheduled sampling (`<bos>` and one token per target token of each example), or `nil`
    /// when every example reads the gold tokens (teacher forcing).
    func scheduledSamplingInputs(
        sources: [[Int]], targets: [[Int]], goldProbability: Float, mode: TeacherForcingMode,
        choice: ScheduledSamplingChoice, using generator: inout RandomGenerator
    ) -> [[Int]]? {
        let coins = TeacherForcingCoins(
            goldProbability: goldProbability, mode: mode, batchSize: targets.count, using: &generator)
        guard coins.mayReadPredictions else { return nil }
        let gold = targets.map { [SequenceVocabulary.beginning] + $0 }
        switch mode {
        case .token:
            let choices = firstPassChoices(sources: sources, inputs: gold, choice: choice, using: &generator)
            return gold.enumerated().map { b, row in
                row.enumerated().map { t, token in
                    t > 0 && !coins.readsGold(sequence: b, using: &generator) ? choices[b][t - 1] : token
                }
            }
        case .sequence:
            let free = targets.indices.filter { !coins.sequenceReadsGold[$0] }
            let decoded = freeRunningInputs(
                sources: free.map { sources[$0] }, lengths: free.map { targets[$0].count }, choice: choice,
                using: &generator)
            var inputs = gold
            for (row, b) in free.enumerated() { inputs[b] = decoded[row] }
            return inputs
        }
    }

    /// The model's choice (`choice`) at every position of one teacher-forced pass over `inputs`, without gradients
    /// or dropout: `result[b][t]` is the token chosen after reading `inputs[b][0...t]`.
    private func firstPassChoices(
        sources: [[Int]], inputs: [[Int]], choice: ScheduledSamplingChoice, using generator: inout RandomGenerator
    ) -> [[Int]] {
        let vocabulary = configuration.targetVocabularySize
        let length = inputs.map(\.count).max() ?? 1
        let flat: [Int] = withoutGradients {
            var none: RandomGenerator? = nil
            let logits = self.logits(encoding: encode(sources), targetInputs: inputs, dropoutUsing: &none)
                .reshaped([inputs.count * length, vocabulary])
            return choice.tokens(logits: logits, using: &generator)
        }
        return inputs.indices.map { Array(flat[($0 * length)..<(($0 + 1) * length)]) }
    }

    /// Free-running decoder inputs: `<bos>` followed by the model's own `lengths[b]` successive choices, each read
    /// back as the next input (decoding does not stop at `<eos>`); key/value cache, no gradients, no dropout.
    func freeRunningInputs(
        sources: [[Int]], lengths: [Int], choice: ScheduledSamplingChoice, using generator: inout RandomGenerator
    ) -> [[Int]] {
        guard !sources.isEmpty else { return [] }
        return withoutGradients {
            let encoding = encode(sources)
            var states = initialStates(for: encoding)
            var inputs = [[Int]](repeating: [SequenceVocabulary.beginning], count: sources.count)
            var previous = [Int](repeating: SequenceVocabulary.beginning, count: sources.count)
            for _ in 0..<(lengths.max() ?? 0) {
                let step = decodeStep(previousTokens: previous, states: states, encoding: encoding)
                states = step.states
                previous = choice.tokens(logits: step.logits, using: &generator)
                for b in sources.indices where inputs[b].count <= lengths[b] { inputs[b].append(previous[b]) }
            }
            return inputs
        }
    }

    /// The loss of `targets` for explicit decoder inputs (each `<bos>` + as many tokens as its target).
    func loss(sources: [[Int]], decoderInputs: [[Int]], targets: [[Int]], using generator: inout RandomGenerator)
        -> Tensor
    {
        var random: RandomGenerator? = configuration.layer.dropout > 0 ? generator : nil
        defer { if let random { generator = random } }
        let encoding = encode(sources, dropoutUsing: &random)
        let length = decoderInputs.map(\.count).max() ?? 1
        var labels = [Int](repeating: SequenceVocabulary.padding, count: targets.count * length)
        for (b, target) in targets.enumerated() {
            for (t, token) in (target + [SequenceVocabulary.end]).enumerated() { labels[b * length + t] = token }
        }
        let logits = self.logits(encoding: encoding, targetInputs: decoderInputs, dropoutUsing: &random)
        return crossEntropy(
            logits: logits.reshaped([targets.count * length, configuration.targetVocabularySize]), targets: labels,
            ignoreIndex: SequenceVocabulary.padding)
    }
}

/// Training and evaluation steps for any ``Seq2SeqTransducer`` (the architecture-independent counterparts of
/// ``Seq2SeqTrainer/trainStep(_:sources:targets:goldProbability:configuration:optimizer:using:)`` and
/// ``Seq2SeqTrainer/exactMatchAccuracy(_:on:maxLength:beamWidth:lengthPenalty:)``).
public enum Seq2SeqTransducerTraining {
    /// One gradient step: loss at `goldProbability`, gradients, optional global-norm clipping, optimizer step.
    /// Returns the batch's mean per-token loss.
    public static func trainStep<Model: Seq2SeqTransducer>(
        _ model: Model, sources: [[Int]], targets: [[Int]], goldProbability: Float,
        configuration: Seq2SeqTrainingConfiguration, optimizer: any Optimizer, using generator: inout RandomGenerator
    ) -> Float {
        let loss = model.loss(
            sources: sources, targets: targets, goldProbability: goldProbability,
            mode: configuration.teacherForcingMode, choice: configuration.samplingChoice, using: &generator)
        var grads = gradients(of: loss, wrt: model.parameterValues)
        if let norm = configuration.gradientClipNorm { grads = clipByGlobalNorm(grads, maxNorm: norm).clipped }
        optimizer.step(grads)
        return loss.item
    }

    /// Decoded targets: greedy in batches of `batchSize` for `beamWidth` 1, else each source's best hypothesis.
    public static func predict<Model: Seq2SeqTransducer>(
        _ model: Model, sources: [[Int]], maxLength: Int, beamWidth: Int = 1, lengthPenalty: Float = 0,
        batchSize: Int = 128
    ) -> [[Int]] {
        precondition(beamWidth > 0 && batchSize > 0, "Seq2SeqTransducerTraining.predict: invalid sizes")
        if beamWidth == 1 {
            var result: [[Int]] = []
            for start in stride(from: 0, to: sources.count, by: batchSize) {
                let chunk = Array(sources[start..<min(sources.count, start + batchSize)])
                result += model.greedyDecode(chunk, maxLength: maxLength).map(\.tokens)
            }
            return result
        }
        return sources.map {
            model.beamSearch($0, width: beamWidth, maxLength: maxLength, lengthPenalty: lengthPenalty).first?.tokens
                ?? []
        }
    }

    /// Fraction of pairs decoded exactly (Lake & Baroni 2018), and the predictions.
    public static func exactMatchAccuracy<Model: Seq2SeqTransducer>(
        _ model: Model, on pairs: Seq2SeqEncodedPairs, maxLength: Int, beamWidth: Int = 1, lengthPenalty: Float = 0
    ) -> (accuracy: Double, predictions: [[Int]]) {
        let predictions = predict(
            model, sources: pairs.sources, maxLength: maxLength, beamWidth: beamWidth, lengthPenalty: lengthPenalty)
        let correct = zip(predictions, pairs.targets).filter { $0 == $1 }.count
        return (pairs.count == 0 ? 0 : Double(correct) / Double(pairs.count), predictions)
    }
}

/// The network family of a sequence-to-sequence run.
public enum Seq2SeqArchitecture: String, Sendable, Equatable, CaseIterable, Codable {
    /// ``Seq2SeqModel``: recurrent encoder and decoder with attention.
    case recurrent
    /// ``TransformerSeq2SeqModel``.
    case transformer
}
