import Autodiff

extension Seq2SeqModel {
    /// The mean per-token cross-entropy of `targets` given `sources` (token indices without `<bos>`/`<eos>`):
    /// the decoder reads `<bos> y₁ … yₙ` and is trained to emit `y₁ … yₙ <eos>`; padding is ignored.
    ///
    /// With probability `goldProbability` (ε of ``ScheduledSampling``) the decoder reads the gold previous token;
    /// otherwise it reads its own prediction from the previous step (`choice`: argmax or a sample), computed from
    /// the logits' values with no gradient through it. `mode` says what one coin decides (``TeacherForcingMode``):
    /// each position after the first independently (`token`, Bengio et al. 2015), or each example's whole target
    /// (`sequence`, Lake & Baroni 2018: teacher-forced or free-running). `goldProbability = 1` is teacher forcing.
    /// Dropout (probability `configuration.dropout`) and the coin flips draw from `generator`.
    public func loss(
        sources: [[Int]], targets: [[Int]], goldProbability: Float = 1, mode: TeacherForcingMode = .token,
        choice: ScheduledSamplingChoice = .argmax, using generator: inout RandomGenerator
    ) -> Tensor {
        var unrecorded: [[Int]]? = nil
        return loss(
            sources: sources, targets: targets, goldProbability: goldProbability, mode: mode, choice: choice,
            using: &generator, recordingInputs: &unrecorded)
    }

    /// ``loss(sources:targets:goldProbability:mode:choice:using:)``, and when `record` is non-nil on entry, the
    /// decoder inputs it read (`<bos>` and one token per target token of each example) are stored in it.
    func loss(
        sources: [[Int]], targets: [[Int]], goldProbability: Float, mode: TeacherForcingMode,
        choice: ScheduledSamplingChoice, using generator: inout RandomGenerator, recordingInputs record: inout [[Int]]?
    ) -> Tensor {
        precondition(
            sources.count == targets.count && !targets.isEmpty && targets.allSatisfy { !$0.isEmpty },
            "Seq2SeqModel.loss: \(sources.count) sources and \(targets.count) targets (each target nonempty)")
        let batch = targets.count
        let steps = (targets.map(\.count).max() ?? 0) + 1
        let dropout = configuration.dropout
        var encoderGenerator: RandomGenerator? = dropout > 0 ? RandomGenerator(seed: generator.next()) : nil
        var random = generator
        let coins = TeacherForcingCoins(
            goldProbability: goldProbability, mode: mode, batchSize: batch, using: &random)
        let regularize = { (x: Tensor) -> Tensor in
            dropout > 0 ? x.dropout(probability: dropout, training: true, using: &random) : x
        }
        let encoding = encode(sources, regularize: regularize, dropoutUsing: &encoderGenerator)
        var states = encoding.initialStates
        var previous = [Int](repeating: SequenceVocabulary.beginning, count: batch)
        var stepLogits: [Tensor] = []
        stepLogits.reserveCapacity(steps)
        var labels = [Int](repeating: SequenceVocabulary.padding, count: steps * batch)
        let sampling = coins.mayReadPredictions
        let recording = record != nil
        var inputs = recording ? [[Int]](repeating: [SequenceVocabulary.beginning], count: batch) : []
        for t in 0..<steps {
            if t > 0 {
                let predictions =
                    sampling
                    ? choice.tokens(logits: stepLogits[t - 1].detached(), using: &random) : []
                for b in 0..<batch {
                    let valid = t - 1 < targets[b].count
                    previous[b] = valid ? targets[b][t - 1] : SequenceVocabulary.padding
                    if sampling && valid && !coins.readsGold(sequence: b, using: &random) {
                        previous[b] = predictions[b]
                    }
                    if recording && valid { inputs[b].append(previous[b]) }
                }
            }
            for b in 0..<batch {
                let count = targets[b].count
                labels[t * batch + b] =
                    t < count ? targets[b][t] : (t == count ? SequenceVocabulary.end : SequenceVocabulary.padding)
            }
            let step = decodeStep(
                previousTokens: previous, states: states, encoding: encoding, regularize: regularize)
            states = step.states
            stepLogits.append(step.logits)
        }
        generator = random
        if recording { record = inputs }
        let logits = Tensor.stack(stepLogits, axis: 0).reshaped([steps * batch, configuration.targetVocabularySize])
        return crossEntropy(logits: logits, targets: labels, ignoreIndex: SequenceVocabulary.padding)
    }
}
