import Autodiff
import Foundation
import NeuralNet

/// Batched ancestral sampling from a ``SequenceGenerator`` (an LSTM ``LanguageModel`` or a decoder-only
/// ``TransformerLanguageModel``): every sequence of a batch advances one token at a time (an LSTM step, or an
/// incremental Transformer step with the key/value cache), each token drawn from the full softmax by the inverse CDF
/// with one uniform draw.
///
/// The building block of policy-gradient sequence training: the generator's samples (the actions of REINFORCE),
/// and the Monte Carlo completions of prefixes that give per-token rewards (Yu et al. 2017, "SeqGAN", eq. 4).
public enum SequenceSampler {
    /// The state of a batch of partial sequences: the generator's state after the last fed token (LSTM states or a
    /// key/value cache) and the next-token probabilities `[B·V]` (row-major) they give.
    public struct Cursor<State> {
        /// The generator's state after the last fed token.
        public var states: State
        /// Next-token probabilities, row `b` at `b·V ..< (b+1)·V`.
        public var probabilities: [Float]
        /// Sequences in the batch.
        public var batchSize: Int
    }

    /// Feeds one token per sequence (`tokens.count` sequences) to `model` after `states` (nil: the empty prefix)
    /// and returns the cursor after it, with probabilities at `temperature`. No gradients are recorded.
    public static func advance<Model: SequenceGenerator>(
        _ model: Model, tokens: [Int], after states: Model.DecodingState?, temperature: Float = 1
    ) -> Cursor<Model.DecodingState> {
        precondition(!tokens.isEmpty, "SequenceSampler.advance: no tokens")
        precondition(temperature > 0, "SequenceSampler.advance: temperature \(temperature) must be positive")
        return withoutGradients {
            let batch = tokens.count
            let (logits, next) = model.nextTokenLogits(feeding: tokens, after: states)
            var scaled = logits
            if temperature != 1 { scaled = scaled / temperature }
            return Cursor(states: next, probabilities: scaled.softmax(axis: -1).scalars, batchSize: batch)
        }
    }

    /// One token per row of `cursor`'s probabilities, by the inverse CDF (one uniform per row, in row order).
    public static func draw<State>(
        from cursor: Cursor<State>, vocabularySize: Int, using generator: inout RandomGenerator
    ) -> [Int] {
        var tokens = [Int](repeating: vocabularySize - 1, count: cursor.batchSize)
        cursor.probabilities.withUnsafeBufferPointer { buffer in
            for row in 0..<cursor.batchSize {
                let uniform = Float(generator.nextUnitDouble())
                var cumulative: Float = 0
                let base = row * vocabularySize
                for token in 0..<vocabularySize {
                    cumulative += buffer[base + token]
                    if cumulative > uniform {
                        tokens[row] = token
                        break
                    }
                }
            }
        }
        return tokens
    }

    /// Completes a batch from `cursor` by `count` further tokens each (the first drawn from the cursor's
    /// probabilities), returning the new tokens of each sequence.
    public static func complete<Model: SequenceGenerator>(
        _ model: Model, from cursor: Cursor<Model.DecodingState>, count: Int, temperature: Float = 1,
        using generator: inout RandomGenerator
    ) -> [[Int]] {
        var rows = [[Int]](repeating: [], count: cursor.batchSize)
        guard count > 0 else { return rows }
        var current = cursor
        for step in 0..<count {
            let tokens = draw(from: current, vocabularySize: model.vocabularySize, using: &generator)
            for row in 0..<tokens.count { rows[row].append(tokens[row]) }
            if step + 1 < count {
                current = advance(model, tokens: tokens, after: current.states, temperature: temperature)
            }
        }
        return rows
    }

    /// Draws `count` sequences of exactly `length` tokens from `model`, each started by feeding `startToken`
    /// (which is not part of the result); `batchSize` sequences advance together.
    public static func sample<Model: SequenceGenerator>(
        from model: Model, count: Int, length: Int, startToken: Int, temperature: Float = 1,
        batchSize: Int = 500, using generator: inout RandomGenerator
    ) -> [[Int]] {
        precondition(count >= 0 && length >= 0 && batchSize > 0, "SequenceSampler.sample: invalid sizes")
        var sequences: [[Int]] = []
        sequences.reserveCapacity(count)
        var start = 0
        while start < count {
            let batch = min(batchSize, count - start)
            if length == 0 {
                sequences += Array(repeating: [], count: batch)
            } else {
                let cursor = advance(
                    model, tokens: Array(repeating: startToken, count: batch), after: nil, temperature: temperature)
                sequences += complete(model, from: cursor, count: length, temperature: temperature, using: &generator)
            }
            start += batch
        }
        return sequences
    }
}
