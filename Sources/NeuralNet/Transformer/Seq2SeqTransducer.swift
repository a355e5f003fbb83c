import Autodiff

/// What training and evaluation need from a sequence-to-sequence model, whatever its architecture: the recurrent
/// ``Seq2SeqModel`` and the ``TransformerSeq2SeqModel`` both conform, so one trainer and one decoder loop serve
/// both.
public protocol Seq2SeqTransducer: ParameterContainer {
    /// Number of target symbols (0 padding, 1 `<bos>`, 2 `<eos>` included).
    var targetVocabularySize: Int { get }

    /// Mean per-token cross-entropy of `targets` given `sources`, reading gold previous tokens with probability
    /// `goldProbability` and the model's own choices otherwise (scheduled sampling); dropout from `generator`.
    func loss(
        sources: [[Int]], targets: [[Int]], goldProbability: Float, choice: ScheduledSamplingChoice,
        using generator: inout RandomGenerator
    ) -> Tensor

    /// Greedy decoding of a batch of sources.
    func greedyDecode(_ sources: [[Int]], maxLength: Int) -> [Seq2SeqHypothesis]

    /// Beam search for one source, hypotheses best first.
    func beamSearch(_ source: [Int], width: Int, maxLength: Int, lengthPenalty: Float) -> [Seq2SeqHypothesis]
}

extension Seq2SeqModel: Seq2SeqTransducer {
    /// ``Seq2SeqConfiguration/targetVocabularySize``.
    public var targetVocabularySize: Int { configuration.targetVocabularySize }
}

extension TransformerSeq2SeqModel: Seq2SeqTransducer {
    /// ``TransformerSeq2SeqConfiguration/targetVocabularySize``.
    public var targetVocabularySize: Int { configuration.targetVocabularySize }

    /// The teacher-forced loss when `goldProbability` is 1; below 1, two-pass scheduled sampling for Transformers
    /// (Mihaylova & Martins 2019): a first pass without gradients gives the model's choice at every position, each
    /// decoder input after `<bos>` is replaced by the choice for the previous position with probability
    /// `1 − goldProbability`, and the loss is that of a second, ordinary pass on the mixed inputs.
    public func loss(
        sources: [[Int]], targets: [[Int]], goldProbability: Float, choice: ScheduledSamplingChoice,
        using generator: inout RandomGenerator
    ) -> Tensor {
        guard goldProbability < 1 else { return loss(sources: sources, targets: targets, using: &generator) }
        let vocabulary = configuration.targetVocabularySize
        let inputs = targets.map { [SequenceVocabulary.beginning] + $0 }
        let length = inputs.map(\.count).max() ?? 1
        let choices: [Int] = withoutGradients {
            var none: RandomGenerator? = nil
            let logits = self.logits(encoding: encode(sources), targetInputs: inputs, dropoutUsing: &none)
                .reshaped([targets.count * length, vocabulary])
            switch choice {
            case .argmax: return logits.argmax(axis: 1).indices
            case .sample: return sampleCategorical(logits: logits, using: &generator)
            }
        }
        let mixed = inputs.enumerated().map { b, row in
            row.enumerated().map { t, token in
                t > 0 && generator.nextUnitFloat() >= goldProbability ? choices[b * length + t - 1] : token
            }
        }
        return loss(sources: sources, decoderInputs: mixed, targets: targets, using: &generator)
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
            choice: configuration.samplingChoice, using: &generator)
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
