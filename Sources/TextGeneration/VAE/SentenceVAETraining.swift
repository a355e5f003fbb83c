import Autodiff
import Foundation
import Generative
import NeuralNet

/// The training objective of a ``SentenceVAE``: `L = NLL + β(step)·KL`, with KL annealing, word dropout and
/// optional free bits.
public struct SentenceVAEObjective: Codable, Equatable, Sendable {
    /// The KL weight over training.
    public var annealing: KLAnnealing
    /// Word dropout (Bowman et al. 2016, §3.1): each decoder input token after `<s>` is replaced by `<unk>` with
    /// this probability, so the decoder must lean on `z`.
    public var wordDropout: Float
    /// Free bits (Kingma et al. 2016, "Improved variational inference with inverse autoregressive flow", §C.8):
    /// each latent dimension's batch-mean KL counts at least this many nats; 0 turns it off.
    public var freeBits: Float

    /// An objective.
    public init(annealing: KLAnnealing = .linear(steps: 2000), wordDropout: Float = 0.25, freeBits: Float = 0) {
        self.annealing = annealing
        self.wordDropout = wordDropout
        self.freeBits = freeBits
    }
}

/// Sentences laid out for a ``SentenceVAE``: the encoder reads each sentence's tokens after `<s>` (through
/// `</s>`), the decoder predicts them from `<s>` on.
public struct SentenceVAEBatch: Sendable {
    /// Encoder tokens, time-major `[T, B]`.
    public let encoderTokens: IndexTensor
    /// Encoder lengths.
    public let encoderLengths: [Int]
    /// Decoder inputs and targets.
    public let decoder: LanguageModelBatch

    /// A batch of `sequences`, each `<s> … </s>` (at least two tokens), padded with `paddingToken`.
    public init(sequences: [[Int]], paddingToken: Int = 0) {
        decoder = LanguageModelBatch(sequences: sequences, paddingToken: paddingToken)
        let bodies = sequences.map { Array($0.dropFirst()) }
        let steps = bodies.map(\.count).max() ?? 1
        var indices = [Int](repeating: paddingToken, count: steps * bodies.count)
        for (b, body) in bodies.enumerated() {
            for (t, token) in body.enumerated() { indices[t * bodies.count + b] = token }
        }
        encoderTokens = IndexTensor(shape: [steps, bodies.count], indices: indices)
        encoderLengths = bodies.map(\.count)
    }

    /// Predicted tokens.
    public var tokenCount: Int { decoder.tokenCount }
}

/// Held-out quality of a sentence VAE (nats per sentence unless said otherwise).
public struct SentenceVAEEvaluation: Codable, Equatable, Sendable {
    /// Mean single-sample ELBO `E_q[log p(x|z)] − KL`.
    public var elbo: Double
    /// Mean reconstruction NLL `−E_q[log p(x|z)]` (one sample).
    public var reconstruction: Double
    /// Mean `KL(q(z|x) ‖ N(0, I))`.
    public var kl: Double
    /// Latent dimensions whose posterior mean varies across sentences (variance > 0.01; Burda et al. 2016).
    public var activeUnits: Int
    /// The importance-weighted NLL bound `−log (1/k) Σ p(x, zᵢ)/q(zᵢ|x)` (Burda et al. 2016), mean per sentence.
    public var importanceWeightedNLL: Double
    /// `exp` of the importance-weighted NLL per predicted token.
    public var perplexity: Double
    /// Importance samples `k`.
    public var samples: Int
    /// Sentences evaluated.
    public var sentences: Int

    /// The values by name (for manifests and `--json`).
    public var metrics: [String: Double] {
        [
            "elbo": elbo, "reconstruction_nll": reconstruction, "kl": kl, "active_units": Double(activeUnits),
            "iw_nll": importanceWeightedNLL, "iw_perplexity": perplexity, "iw_samples": Double(samples),
            "sentences": Double(sentences),
        ]
    }
}

/// Training loss, evaluation and decoding of a ``SentenceVAE`` (Bowman et al. 2016).
public enum SentenceVAETraining {
    /// `KL(q ‖ N(0, I))` per sentence and dimension `[B, D]`: `−½ (1 + log σ² − μ² − σ²)`.
    public static func klPerDimension(_ posterior: DiagonalGaussian) -> Tensor {
        ((posterior.logVariance + 1) - posterior.mean.squared() - posterior.logVariance.exp()) * -0.5
    }

    /// The KL term of the loss: the batch-mean KL summed over dimensions, or with free bits
    /// `Σ_d max(λ, mean_b KL_bd)`.
    public static func klTerm(_ posterior: DiagonalGaussian, freeBits: Float) -> Tensor {
        let perDimension = klPerDimension(posterior).mean(axis: 0)
        guard freeBits > 0 else { return perDimension.sum() }
        return perDimension.clamped(min: freeBits, max: Float.greatestFiniteMagnitude).sum()
    }

    /// `inputs` with every token but the first (`<s>`) of each real position replaced by `unknown` with
    /// probability `rate`, one uniform draw per position in row-major order.
    public static func wordDropout(
        _ inputs: IndexTensor, lengths: [Int], rate: Float, unknown: Int, using generator: inout RandomGenerator
    ) -> IndexTensor {
        guard rate > 0 else { return inputs }
        let (steps, batch) = (inputs.shape[0], inputs.shape[1])
        var indices = inputs.indices
        for t in 1..<max(steps, 1) {
            for b in 0..<batch where t < lengths[b] {
                if generator.nextUnitFloat() < rate { indices[t * batch + b] = unknown }
            }
        }
        return IndexTensor(shape: inputs.shape, indices: indices)
    }

    /// The loss of one batch at 0-based `step` and its parts (per sentence, for logging).
    public static func loss(
        _ model: SentenceVAE, batch: SentenceVAEBatch, objective: SentenceVAEObjective, step: Int, unknownToken: Int,
        using generator: inout RandomGenerator
    ) -> (loss: Tensor, reconstruction: Double, kl: Double, beta: Float) {
        let posterior = model.posterior(batch.encoderTokens, lengths: batch.encoderLengths)
        let z = posterior.sample(using: &generator)
        let inputs = wordDropout(
            batch.decoder.inputs, lengths: batch.decoder.lengths, rate: objective.wordDropout, unknown: unknownToken,
            using: &generator)
        let reconstruction = model.reconstructionNLL(batch.decoder, z: z, inputs: inputs).mean()
        let kl = klTerm(posterior, freeBits: objective.freeBits)
        let beta = objective.annealing.weight(atStep: step)
        let exactKL = Double(posterior.klDivergenceFromStandardNormal().mean().item)
        return (reconstruction + kl * beta, Double(reconstruction.item), exactKL, beta)
    }

    /// ELBO, reconstruction, KL, active units and the importance-weighted NLL bound with `samples` draws per
    /// sentence, over `sequences` (each `<s> … </s>`), drawing from a generator seeded with `seed`.
    public static func evaluate(
        _ model: SentenceVAE, on sequences: [[Int]], samples: Int = 100, batchSize: Int = 64, seed: UInt64 = 0
    ) -> SentenceVAEEvaluation {
        precondition(samples > 0 && batchSize > 0, "SentenceVAETraining.evaluate: samples and batch size > 0")
        var generator = RandomGenerator(seed: seed)
        var (elbo, reconstruction, kl, bound) = (0.0, 0.0, 0.0, 0.0)
        var tokens = 0
        var means: [[Float]] = []
        withoutGradients {
            for start in stride(from: 0, to: sequences.count, by: batchSize) {
                let batch = SentenceVAEBatch(
                    sequences: Array(sequences[start..<min(start + batchSize, sequences.count)]))
                let count = batch.encoderLengths.count
                let posterior = model.posterior(batch.encoderTokens, lengths: batch.encoderLengths)
                let latent = model.configuration.latentSize
                let meanScalars = posterior.mean.scalars
                for b in 0..<count { means.append(Array(meanScalars[(b * latent)..<((b + 1) * latent)])) }
                let klValues = posterior.klDivergenceFromStandardNormal()
                let single = model.reconstructionNLL(batch.decoder, z: posterior.sample(using: &generator))
                reconstruction += single.scalars.reduce(0.0) { $0 + Double($1) }
                kl += klValues.scalars.reduce(0.0) { $0 + Double($1) }
                var logWeights: [Tensor] = []
                for _ in 0..<samples {
                    let z = posterior.sample(using: &generator)
                    let logJoint = -model.reconstructionNLL(batch.decoder, z: z) + standardNormalLogDensity(z)
                    logWeights.append(logJoint - posterior.logDensity(z))
                }
                let logMean =
                    Tensor.stack(logWeights, axis: 0).logSumExp(axis: 0) - Float(Foundation.log(Double(samples)))
                bound += logMean.scalars.reduce(0.0) { $0 + Double($1) }
                tokens += batch.tokenCount
            }
        }
        let n = Double(max(sequences.count, 1))
        elbo = -(reconstruction + kl) / n
        var active = 0
        if let latent = means.first?.count, means.count > 1 {
            for d in 0..<latent {
                let values = means.map { Double($0[d]) }
                let average = values.reduce(0, +) / Double(values.count)
                let variance = values.map { ($0 - average) * ($0 - average) }.reduce(0, +) / Double(values.count - 1)
                if variance > 0.01 { active += 1 }
            }
        }
        return SentenceVAEEvaluation(
            elbo: elbo, reconstruction: reconstruction / n, kl: kl / n, activeUnits: active,
            importanceWeightedNLL: -bound / n, perplexity: Foundation.exp(-bound / Double(max(tokens, 1))),
            samples: samples, sentences: sequences.count)
    }

    /// Decodes one sentence per row of `z [B, D]`: from `beginToken`, tokens chosen by `selection` until
    /// `endToken` (not included) or `maximumLength` tokens.
    public static func decode(
        _ model: SentenceVAE, z: Tensor, beginToken: Int, endToken: Int, maximumLength: Int,
        selection: TokenSelection = .greedy, using generator: inout RandomGenerator
    ) -> [[Int]] {
        let count = z.shape[0]
        let vocabulary = model.configuration.vocabularySize
        return withoutGradients {
            var results = [[Int]](repeating: [], count: count)
            var finished = [Bool](repeating: false, count: count)
            var tokens = [Int](repeating: beginToken, count: count)
            var states: [LSTMState]? = nil
            for _ in 0..<maximumLength {
                let (logits, next) = model.decode(
                    IndexTensor(shape: [1, count], indices: tokens), z: z, states: states)
                states = next
                let scalars = logits.scalars
                for b in 0..<count {
                    let token = selection.select(
                        from: Array(scalars[(b * vocabulary)..<((b + 1) * vocabulary)]), using: &generator)
                    tokens[b] = token
                    if finished[b] { continue }
                    if token == endToken { finished[b] = true } else { results[b].append(token) }
                }
                if finished.allSatisfy({ $0 }) { break }
            }
            return results
        }
    }

    /// Sentences from the prior: `z ~ N(0, I)`, decoded by `selection`.
    public static func sample(
        _ model: SentenceVAE, count: Int, beginToken: Int, endToken: Int, maximumLength: Int,
        selection: TokenSelection, using generator: inout RandomGenerator
    ) -> [[Int]] {
        let latent = model.configuration.latentSize
        var noise = [Float](repeating: 0, count: count * latent)
        for i in noise.indices { noise[i] = Float(generator.nextStandardNormal()) }
        return decode(
            model, z: Tensor(shape: [count, latent], scalars: noise), beginToken: beginToken, endToken: endToken,
            maximumLength: maximumLength, selection: selection, using: &generator)
    }

    /// The posterior means of sentences (each `<s> … </s>`), `[B, D]`.
    public static func encode(_ model: SentenceVAE, _ sequences: [[Int]]) -> Tensor {
        withoutGradients {
            let batch = SentenceVAEBatch(sequences: sequences)
            return model.posterior(batch.encoderTokens, lengths: batch.encoderLengths).mean
        }
    }

    /// The homotopy between two sentences (Bowman et al. 2016, §4.3): greedy decodings of
    /// `z = (1 − t)·μ(a) + t·μ(b)` for `t = 0, 1/steps, …, 1`.
    public static func interpolate(
        _ model: SentenceVAE, from a: [Int], to b: [Int], steps: Int, beginToken: Int, endToken: Int,
        maximumLength: Int
    ) -> [[Int]] {
        precondition(steps > 0, "SentenceVAETraining.interpolate: steps must be positive")
        let means = encode(model, [a, b]).scalars
        let latent = model.configuration.latentSize
        var points: [Float] = []
        for i in 0...steps {
            let t = Float(i) / Float(steps)
            for d in 0..<latent { points.append((1 - t) * means[d] + t * means[latent + d]) }
        }
        var unused = RandomGenerator(seed: 0)
        return decode(
            model, z: Tensor(shape: [steps + 1, latent], scalars: points), beginToken: beginToken, endToken: endToken,
            maximumLength: maximumLength, using: &unused)
    }
}
