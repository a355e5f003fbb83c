import Autodiff
import Foundation
import Generative
import NeuralNet

/// A variational autoencoder for sentences (Bowman, Vilnis, Vinyals, Dai, Józefowicz & Bengio 2016, "Generating
/// sentences from a continuous space"): an LSTM encoder reads the sentence, its last state gives the mean and
/// log-variance of a diagonal Gaussian posterior `q(z | x)` (``DiagonalGaussian``), `z` is drawn by the
/// reparameterization trick, and an LSTM decoder conditioned on `z` — its initial hidden state `tanh(W·z + b)` and
/// `z` concatenated to every input embedding — models `p(x | z)` token by token. The prior is `N(0, I)`.
///
/// Parameters: `embedding.weight` (shared by encoder and decoder), `encoder.…`, `mean.…`, `logVariance.…`,
/// `latentToHidden.…`, `decoder.…`, `output.…`.
public struct SentenceVAE: ParameterContainer {
    /// Sizes.
    public struct Configuration: Codable, Equatable, Sendable {
        /// Tokens in the vocabulary.
        public var vocabularySize: Int
        /// Embedding width.
        public var embeddingSize: Int
        /// Encoder and decoder LSTM width.
        public var hiddenSize: Int
        /// Latent dimensions.
        public var latentSize: Int

        /// Sizes of a sentence VAE.
        public init(vocabularySize: Int, embeddingSize: Int = 64, hiddenSize: Int = 128, latentSize: Int = 16) {
            self.vocabularySize = vocabularySize
            self.embeddingSize = embeddingSize
            self.hiddenSize = hiddenSize
            self.latentSize = latentSize
        }
    }

    /// The sizes.
    public let configuration: Configuration
    /// Token vectors, shared.
    public let embedding: Embedding
    /// The encoder LSTM.
    public let encoder: LSTM
    /// Encoder state → μ.
    public let mean: Linear
    /// Encoder state → log σ².
    public let logVariance: Linear
    /// z → the decoder's initial hidden state.
    public let latentToHidden: Linear
    /// The decoder LSTM (input: embedding ⊕ z).
    public let decoder: LSTM
    /// Decoder state → logits.
    public let output: Linear

    /// A model with parameters drawn from `generator`.
    public init(_ configuration: Configuration, using generator: inout RandomGenerator) {
        precondition(
            configuration.vocabularySize > 0 && configuration.embeddingSize > 0 && configuration.hiddenSize > 0
                && configuration.latentSize > 0, "SentenceVAE: sizes must be positive, got \(configuration)")
        self.configuration = configuration
        embedding = Embedding(
            vocabularySize: configuration.vocabularySize, dimension: configuration.embeddingSize, using: &generator)
        encoder = LSTM(inputSize: configuration.embeddingSize, hiddenSize: configuration.hiddenSize, using: &generator)
        mean = Linear(inputSize: configuration.hiddenSize, outputSize: configuration.latentSize, using: &generator)
        logVariance = Linear(
            inputSize: configuration.hiddenSize, outputSize: configuration.latentSize, using: &generator)
        latentToHidden = Linear(
            inputSize: configuration.latentSize, outputSize: configuration.hiddenSize, using: &generator)
        decoder = LSTM(
            inputSize: configuration.embeddingSize + configuration.latentSize, hiddenSize: configuration.hiddenSize,
            using: &generator)
        output = Linear(
            inputSize: configuration.hiddenSize, outputSize: configuration.vocabularySize, using: &generator)
    }

    /// `embedding.…`, `encoder.…`, `mean.…`, `logVariance.…`, `latentToHidden.…`, `decoder.…`, `output.…`.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        prefixed("embedding", embedding) + prefixed("encoder", encoder) + prefixed("mean", mean)
            + prefixed("logVariance", logVariance) + prefixed("latentToHidden", latentToHidden)
            + prefixed("decoder", decoder) + prefixed("output", output)
    }

    /// `q(z | x)` of padded sentences: time-major `tokens [T, B]` with each sentence's length.
    public func posterior(_ tokens: IndexTensor, lengths: [Int]) -> DiagonalGaussian {
        let state = encoder(embedding(tokens), lengths: lengths).finalStates[0]
        return DiagonalGaussian(mean: mean(state.hidden), logVariance: logVariance(state.hidden))
    }

    /// The decoder's initial states for latent codes `z [B, D]`.
    public func initialStates(_ z: Tensor) -> [LSTMState] {
        let hidden = latentToHidden(z).tanh()
        return [LSTMState(hidden: hidden, cell: Tensor.zeros(hidden.shape))]
    }

    /// Decoder logits `[T, B, V]` for time-major inputs `[T, B]` given `z [B, D]` (and the states to continue
    /// from; nil: the states `z` gives), with the final states.
    public func decode(
        _ inputs: IndexTensor, z: Tensor, lengths: [Int]? = nil, states: [LSTMState]? = nil
    ) -> (logits: Tensor, states: [LSTMState]) {
        let steps = inputs.shape[0]
        let repeated = Tensor.stack(Array(repeating: z, count: steps), axis: 0)
        let input = Tensor.concatenate([embedding(inputs), repeated], axis: 2)
        let result = decoder(input, lengths: lengths, initialStates: states ?? initialStates(z))
        return (output(result.outputs), result.finalStates)
    }

    /// `−log p(x | z)` per sentence `[B]` (summed over its predicted tokens) for a next-token batch, feeding
    /// `inputs` (e.g. the batch's inputs after word dropout) instead of the batch's own when given.
    public func reconstructionNLL(_ batch: LanguageModelBatch, z: Tensor, inputs: IndexTensor? = nil) -> Tensor {
        let (logits, _) = decode(inputs ?? batch.inputs, z: z, lengths: batch.lengths)
        let steps = batch.inputs.shape[0]
        let count = batch.inputs.shape[1]
        let losses = crossEntropy(
            logits: logits.reshaped([steps * count, configuration.vocabularySize]), targets: batch.targets,
            ignoreIndex: LanguageModelBatch.ignoredTarget, reduction: .none)
        return losses.reshaped([steps, count]).sum(axis: 0)
    }
}
