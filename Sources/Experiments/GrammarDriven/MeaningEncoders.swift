import Autodiff
import Grammar
import NeuralNet

/// Encoders trained to express a grammar's meanings, for the compositionality study: an encoder reads an
/// expression — its words (an LSTM: the encoder of a seq2seq model, Sutskever et al. 2014) or its derivation (a
/// Child-Sum Tree-LSTM, Tai et al. 2015, over the derivation's nodes, each reading a learned vector of its
/// operation or word) — and an LSTM decoder started from the encoder's final or root state `(h, c)` writes the
/// meaning's tokens. Both are trained together by maximum likelihood of the meaning; the representation measured is
/// the encoder's hidden state `h`.
struct MeaningEncoderTraining {
    /// Which encoder.
    enum Kind { case sequence, tree }

    let kind: Kind
    let dimension: Int
    /// Word ids (sequence encoder) or node-label ids (tree encoder), `0` unknown.
    let inputIDs: [String: Int]
    /// Meaning-token ids: 0 `<s>`, 1 `</s>`, 2 unknown.
    let meaningIDs: [String: Int]
    let embedding: Embedding
    let sequenceEncoder: LSTM
    let treeCell: ChildSumTreeLSTMCell
    let decoder: LanguageModel

    /// The label of a derivation node: a word's form in quotes, or the operation's name.
    static func label(_ term: Term) -> String { term.isAtom ? "\"" + term.yield + "\"" : term.operation }

    static func labels(_ term: Term) -> [String] { [label(term)] + term.arguments.flatMap(labels) }

    init(
        kind: Kind, expressions: [RepresentationCompositionalityStudy.Expression], dimension: Int,
        using generator: inout RandomGenerator
    ) {
        self.kind = kind
        self.dimension = dimension
        var inputs: [String: Int] = [:]
        let units = expressions.flatMap { kind == .sequence ? $0.words : Self.labels($0.term) }
        for unit in Set(units).sorted() { inputs[unit] = inputs.count + 1 }
        inputIDs = inputs
        var meanings: [String: Int] = [:]
        for token in Set(expressions.flatMap(\.meaning)).sorted() { meanings[token] = meanings.count + 3 }
        meaningIDs = meanings
        embedding = Embedding(vocabularySize: inputs.count + 1, dimension: dimension, using: &generator)
        sequenceEncoder = LSTM(inputSize: dimension, hiddenSize: dimension, using: &generator)
        treeCell = ChildSumTreeLSTMCell(inputSize: dimension, hiddenSize: dimension, using: &generator)
        decoder = LanguageModel(
            vocabularySize: meanings.count + 3, embeddingSize: dimension, hiddenSize: dimension, using: &generator)
    }

    /// The trained parameters: the embedding, the chosen encoder and the decoder.
    var parameters: [Parameter] {
        let encoder = kind == .sequence ? sequenceEncoder.parameters : treeCell.parameters
        return embedding.parameters + encoder + decoder.parameters
    }

    /// The encoder's states `(h, c)` of a batch, `[B, d]` each.
    func encode(_ batch: [RepresentationCompositionalityStudy.Expression]) -> LSTMState {
        switch kind {
        case .sequence:
            let steps = batch.map(\.words.count).max() ?? 1
            var indices = [Int](repeating: 0, count: max(steps, 1) * batch.count)
            for (b, expression) in batch.enumerated() {
                for (t, word) in expression.words.enumerated() { indices[t * batch.count + b] = inputIDs[word] ?? 0 }
            }
            let tokens = IndexTensor(shape: [max(steps, 1), batch.count], indices: indices)
            return sequenceEncoder(embedding(tokens), lengths: batch.map { max(1, $0.words.count) }).finalStates[0]
        case .tree:
            func state(_ term: Term) -> LSTMState {
                let id = inputIDs[Self.label(term)] ?? 0
                return treeCell(embedding(IndexTensor(shape: [1], indices: [id])), children: term.arguments.map(state))
            }
            let roots = batch.map { state($0.term) }
            return LSTMState(
                hidden: Tensor.concatenate(roots.map(\.hidden), axis: 0),
                cell: Tensor.concatenate(roots.map(\.cell), axis: 0))
        }
    }

    /// Mean cross entropy per meaning token of a batch.
    func loss(_ batch: [RepresentationCompositionalityStudy.Expression]) -> Tensor {
        let sequences = batch.map { [0] + $0.meaning.map { meaningIDs[$0] ?? 2 } + [1] }
        let target = LanguageModelBatch(sequences: sequences)
        let logits = decoder.logits(target.inputs, lengths: target.lengths, initialStates: [encode(batch)]).logits
        return crossEntropy(
            logits: logits.reshaped([-1, decoder.vocabularySize]), targets: target.targets,
            ignoreIndex: LanguageModelBatch.ignoredTarget)
    }

    /// Trains on `expressions` for `epochs` epochs of shuffled batches (Adam, global-norm clipping at 5); returns
    /// the last epoch's mean loss.
    @discardableResult
    func train(
        _ expressions: [RepresentationCompositionalityStudy.Expression], epochs: Int, batchSize: Int,
        learningRate: Float, using generator: inout RandomGenerator
    ) -> Double {
        let parameters = parameters
        let adam = Adam(parameters, learningRate: learningRate)
        var last = 0.0
        for _ in 0..<epochs {
            var total = 0.0
            let batches = GrammarGeneratorExperiment.shuffledBatches(
                expressions.indices.map { [$0] }, size: batchSize, using: &generator)
            for batch in batches {
                let loss = loss(batch.map { expressions[$0[0]] })
                let grads = clipByGlobalNorm(gradients(of: loss, wrt: parameters.map(\.value)), maxNorm: 5).clipped
                adam.step(grads)
                total += Double(loss.item)
            }
            last = total / Double(max(batches.count, 1))
        }
        return last
    }

    /// The hidden states `h` of `expressions`, one vector each.
    func representations(_ expressions: [RepresentationCompositionalityStudy.Expression]) -> [[Double]] {
        withoutGradients {
            stride(from: 0, to: expressions.count, by: 64).flatMap { start -> [[Double]] in
                let batch = Array(expressions[start..<min(start + 64, expressions.count)])
                let hidden = encode(batch).hidden.scalars
                return (0..<batch.count).map { b in hidden[(b * dimension)..<((b + 1) * dimension)].map(Double.init) }
            }
        }
    }
}
