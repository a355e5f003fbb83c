import Autodiff
import Generative
import NeuralNet

/// A conditional variational autoencoder for sentences (Sohn, Lee & Yan 2015, "Learning structured output
/// representation using deep conditional generative models"), built on the sentence VAE of Bowman et al. 2016: the
/// condition `c` (a meaning, a style, a topic) is encoded as `e_c` by a ``ConditionEncoder`` — a label's learned
/// vector, or an LSTM's final state over the condition's tokens (a SCAN action sequence, a logical form, which may
/// be unseen in training) — the posterior reads the sentence and the condition, and the decoder reads the latent
/// code and the condition:
///
/// ```
/// q(z | x, c) = N(μ([h_x; e_c]), diag σ²([h_x; e_c]))      h_x: the encoder LSTM's last state
/// p(x | z, c) = the decoder LSTM of ``SentenceVAE`` with latent [z; e_c]       p(z | c) = N(0, I)
/// loss = −log p(x | z, c) + β · KL(q(z | x, c) ‖ N(0, I))
/// ```
///
/// To generate for a label, draw `z ~ N(0, I)` and decode from `[z; e_c]`. The decoder, embedding and encoder LSTM
/// are those of a ``SentenceVAE`` whose latent width is `latentSize + conditionSize` (its own posterior layers are
/// not used and not trained). Parameters: `vae.…` (without `vae.mean` and `vae.logVariance`), `condition.…`
/// (`condition.weight` for labels), `posteriorMean.…`, `posteriorLogVariance.…`. The methods taking `[Int]`
/// conditions are for labels; those taking `[[Int]]` take each condition as `[label]` or as a token sequence.
///
/// ```swift
/// var generator = RandomGenerator(seed: 0)
/// let model = ConditionalSentenceVAE(
///     conditionCount: 3, vocabularySize: 8, embeddingSize: 4, hiddenSize: 8, latentSize: 2, conditionSize: 3,
///     using: &generator)
/// let loss = model.loss(sequences: [[0, 4, 5, 1], [0, 6, 1]], conditions: [2, 0], klWeight: 0.5,
///                       wordDropout: 0, unknownToken: 2, using: &generator)
/// let sentences = model.sample(conditions: [1, 1], beginToken: 0, endToken: 1, maximumLength: 6, using: &generator)
/// ```
public struct ConditionalSentenceVAE: ParameterContainer {
    /// Embedding, encoder LSTM and the decoder over `[z; e_c]`.
    public let vae: SentenceVAE
    /// The condition encoder `c ↦ e_c`.
    public let condition: ConditionEncoder
    /// `[h_x; e_c]` → μ.
    public let posteriorMean: Linear
    /// `[h_x; e_c]` → log σ².
    public let posteriorLogVariance: Linear
    /// Width of `z`.
    public let latentSize: Int

    /// A model over `conditionCount` labels with parameters drawn from `generator`.
    public init(
        conditionCount: Int, vocabularySize: Int, embeddingSize: Int, hiddenSize: Int, latentSize: Int,
        conditionSize: Int, using generator: inout RandomGenerator
    ) {
        precondition(conditionCount > 0, "ConditionalSentenceVAE: label count \(conditionCount) must be positive")
        self.init(
            condition: .label(count: conditionCount), vocabularySize: vocabularySize, embeddingSize: embeddingSize,
            hiddenSize: hiddenSize, latentSize: latentSize, conditionSize: conditionSize, using: &generator)
    }

    /// A model reading its conditions as `condition` says, with parameters drawn from `generator` (the sentence
    /// VAE's, then the condition encoder's, then the posterior layers); `conditionSize` is the width of `e_c`.
    public init(
        condition encoding: ConditionEncoding, vocabularySize: Int, embeddingSize: Int, hiddenSize: Int,
        latentSize: Int, conditionSize: Int, using generator: inout RandomGenerator
    ) {
        precondition(
            latentSize > 0 && conditionSize > 0,
            "ConditionalSentenceVAE: latent and condition sizes must be positive")
        vae = SentenceVAE(
            SentenceVAE.Configuration(
                vocabularySize: vocabularySize, embeddingSize: embeddingSize, hiddenSize: hiddenSize,
                latentSize: latentSize + conditionSize),
            using: &generator)
        condition = ConditionEncoder(
            encoding, outputSize: conditionSize, embeddingSize: embeddingSize, using: &generator)
        posteriorMean = Linear(inputSize: hiddenSize + conditionSize, outputSize: latentSize, using: &generator)
        posteriorLogVariance = Linear(
            inputSize: hiddenSize + conditionSize, outputSize: latentSize, using: &generator)
        self.latentSize = latentSize
    }

    /// Number of labels (of condition tokens, reserved ones included, for sequence conditions).
    public var conditionCount: Int { condition.embedding.vocabularySize }

    /// The trained parameters (the sentence VAE's own posterior layers left out).
    public var namedParameters: [(name: String, parameter: Parameter)] {
        prefixed("vae", vae).filter { !$0.name.hasPrefix("vae.mean.") && !$0.name.hasPrefix("vae.logVariance.") }
            + prefixed("condition", condition) + prefixed("posteriorMean", posteriorMean)
            + prefixed("posteriorLogVariance", posteriorLogVariance)
    }

    /// `e_c` for a batch of labels `[B, K]`.
    public func labelVectors(_ conditions: [Int]) -> Tensor { conditionVectors(conditions.map { [$0] }) }

    /// `e_c` for a batch of conditions (each `[label]` or a token sequence) `[B, K]`.
    public func conditionVectors(_ conditions: [[Int]]) -> Tensor { condition(conditions) }

    /// `q(z | x, c)` of a batch of labels.
    public func posterior(_ batch: SentenceVAEBatch, conditions: [Int]) -> DiagonalGaussian {
        posterior(batch, conditionVectors: labelVectors(conditions))
    }

    /// `q(z | x, c)` of a batch, given `e_c`.
    func posterior(_ batch: SentenceVAEBatch, conditionVectors: Tensor) -> DiagonalGaussian {
        let state = vae.encoder(vae.embedding(batch.encoderTokens), lengths: batch.encoderLengths).finalStates[0]
        let input = Tensor.concatenate([state.hidden, conditionVectors], axis: 1)
        return DiagonalGaussian(mean: posteriorMean(input), logVariance: posteriorLogVariance(input))
    }

    /// The negative ELBO with the KL term weighted by `klWeight` (mean over the batch), and its two parts: the
    /// reconstruction NLL per sentence and the KL divergence per sentence (nats). Each sequence is `<s> … </s>`;
    /// `wordDropout` replaces decoder inputs by `unknownToken` (Bowman et al. 2016).
    public func loss(
        sequences: [[Int]], conditions: [Int], klWeight: Float, wordDropout: Float, unknownToken: Int,
        using generator: inout RandomGenerator
    ) -> (loss: Tensor, reconstruction: Double, kl: Double) {
        loss(
            sequences: sequences, conditions: conditions.map { [$0] }, klWeight: klWeight, wordDropout: wordDropout,
            unknownToken: unknownToken, using: &generator)
    }

    /// ``loss(sequences:conditions:klWeight:wordDropout:unknownToken:using:)`` for conditions given as `[label]`
    /// or token sequences.
    public func loss(
        sequences: [[Int]], conditions: [[Int]], klWeight: Float, wordDropout: Float, unknownToken: Int,
        using generator: inout RandomGenerator
    ) -> (loss: Tensor, reconstruction: Double, kl: Double) {
        precondition(sequences.count == conditions.count, "ConditionalSentenceVAE.loss: one condition per sequence")
        let batch = SentenceVAEBatch(sequences: sequences)
        let vectors = conditionVectors(conditions)
        let posterior = posterior(batch, conditionVectors: vectors)
        let z = Tensor.concatenate([posterior.sample(using: &generator), vectors], axis: 1)
        let inputs = SentenceVAETraining.wordDropout(
            batch.decoder.inputs, lengths: batch.decoder.lengths, rate: wordDropout, unknown: unknownToken,
            using: &generator)
        let reconstruction = vae.reconstructionNLL(batch.decoder, z: z, inputs: inputs).mean()
        let kl = SentenceVAETraining.klTerm(posterior, freeBits: 0)
        return (reconstruction + kl * klWeight, Double(reconstruction.item), Double(kl.item))
    }

    /// One sentence per label, decoded from `z ~ N(0, I)` by sampling each token at `temperature` (without
    /// gradients; the begin token is not part of the result, decoding stops after `endToken`).
    public func sample(
        conditions: [Int], beginToken: Int, endToken: Int, maximumLength: Int, temperature: Float = 1,
        using generator: inout RandomGenerator
    ) -> [[Int]] {
        sample(
            conditions: conditions.map { [$0] }, beginToken: beginToken, endToken: endToken,
            maximumLength: maximumLength, temperature: temperature, using: &generator)
    }

    /// ``sample(conditions:beginToken:endToken:maximumLength:temperature:using:)`` for conditions given as
    /// `[label]` or token sequences.
    public func sample(
        conditions: [[Int]], beginToken: Int, endToken: Int, maximumLength: Int, temperature: Float = 1,
        using generator: inout RandomGenerator
    ) -> [[Int]] {
        guard !conditions.isEmpty else { return [] }
        let z = withoutGradients {
            Tensor.concatenate(
                [Tensor.normal([conditions.count, latentSize], using: &generator), conditionVectors(conditions)],
                axis: 1)
        }
        return SentenceVAETraining.decode(
            vae, z: z, beginToken: beginToken, endToken: endToken, maximumLength: maximumLength,
            selection: .sample(temperature: temperature), using: &generator)
    }
}
