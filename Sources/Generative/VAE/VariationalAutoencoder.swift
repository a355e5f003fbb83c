import Foundation
import NeuralNet

/// The sizes and observation model of a ``VariationalAutoencoder``.
public struct VAEConfiguration: Codable, Sendable, Equatable {
    /// Data dimensions `D` (2 for points, 64 for 8×8 digits).
    public var dataSize: Int
    /// Latent dimensions.
    public var latentSize: Int
    /// Hidden widths of the encoder (the decoder mirrors them).
    public var hiddenSizes: [Int]
    /// The hidden nonlinearity.
    public var activation: HiddenActivation
    /// The decoder's observation model.
    public var likelihood: DecoderLikelihood

    /// A configuration.
    public init(
        dataSize: Int, latentSize: Int, hiddenSizes: [Int] = [128], activation: HiddenActivation = .relu,
        likelihood: DecoderLikelihood
    ) {
        self.dataSize = dataSize
        self.latentSize = latentSize
        self.hiddenSizes = hiddenSizes
        self.activation = activation
        self.likelihood = likelihood
    }
}

/// A variational autoencoder: amortized variational inference with an encoder `q_φ(z | x) = N(μ_φ(x), σ²_φ(x))`,
/// a standard-normal prior and a decoder `p_θ(x | z)` (Kingma & Welling, "Auto-Encoding Variational Bayes",
/// ICLR 2014).
///
/// Trained by maximizing the evidence lower bound with one reparameterized sample,
/// ```
/// ELBO(x) = E_q[log p_θ(x | z)] − KL(q_φ(z | x) ‖ N(0, I))  ≤  log p_θ(x),
/// ```
/// the KL in closed form. The log-likelihood is estimated by the importance-weighted bound of Burda, Grosse &
/// Salakhutdinov ("Importance Weighted Autoencoders", ICLR 2016), `log (1/K) Σ_k p(x, z_k) / q(z_k | x)`, which is
/// ≥ the ELBO in expectation and tends to `log p(x)` as K grows.
public struct VariationalAutoencoder: ParameterContainer {
    /// The sizes and observation model.
    public let configuration: VAEConfiguration
    /// `x ↦ (μ, log σ²)`, output width `2 · latentSize`.
    public let encoder: MultilayerPerceptron
    /// `z ↦` logits (Bernoulli) or means (Gaussian).
    public let decoder: MultilayerPerceptron
    /// The Gaussian decoder's per-dimension `log σ²` (nil for Bernoulli).
    public let decoderLogVariance: Parameter?

    /// A freshly initialized model.
    public init(configuration: VAEConfiguration, using generator: inout RandomGenerator) {
        self.configuration = configuration
        let hidden = configuration.hiddenSizes
        encoder = MultilayerPerceptron(
            sizes: [configuration.dataSize] + hidden + [2 * configuration.latentSize],
            activation: configuration.activation, using: &generator)
        decoder = MultilayerPerceptron(
            sizes: [configuration.latentSize] + hidden.reversed() + [configuration.dataSize],
            activation: configuration.activation, using: &generator)
        decoderLogVariance =
            configuration.likelihood == .gaussian ? Parameter(Tensor.zeros([configuration.dataSize])) : nil
    }

    public var namedParameters: [(name: String, parameter: Parameter)] {
        prefixed("encoder", encoder) + prefixed("decoder", decoder)
            + (decoderLogVariance.map { [(name: "decoder.log_variance", parameter: $0)] } ?? [])
    }

    /// `q_φ(z | x)` for a batch `x` of shape `[N, D]`.
    public func posterior(_ x: Tensor) -> DiagonalGaussian {
        let output = encoder(x)
        let latent = configuration.latentSize
        return DiagonalGaussian(
            mean: output.slice(axis: 1, range: 0..<latent),
            logVariance: output.slice(axis: 1, range: latent..<(2 * latent)))
    }

    /// The decoder's raw output for latents `z` (`[N, latentSize]`).
    public func decode(_ z: Tensor) -> Tensor { decoder(z) }

    /// `log p_θ(x | z)` per sample.
    public func reconstructionLogLikelihood(of x: Tensor, given z: Tensor) -> Tensor {
        configuration.likelihood.logLikelihood(of: x, output: decode(z), logVariance: decoderLogVariance?.value)
    }

    /// The single-sample ELBO per sample (`[N]`), differentiable in every parameter.
    public func elbo(_ x: Tensor, using generator: inout RandomGenerator) -> Tensor {
        let q = posterior(x)
        let z = q.sample(using: &generator)
        return reconstructionLogLikelihood(of: x, given: z) - q.klDivergenceFromStandardNormal()
    }

    /// The training loss `−mean ELBO` (nats per example).
    public func loss(_ x: Tensor, using generator: inout RandomGenerator) -> Tensor {
        -elbo(x, using: &generator).mean()
    }

    /// The importance-weighted bound with `samples` draws per example (`[N]`); `samples = 1` is an unbiased ELBO
    /// estimate with the sampled (not analytic) KL.
    public func importanceWeightedBound(_ x: Tensor, samples: Int, using generator: inout RandomGenerator) -> Tensor {
        precondition(samples >= 1, "importanceWeightedBound: samples \(samples) must be ≥ 1")
        let q = posterior(x)
        var logWeights: [Tensor] = []
        logWeights.reserveCapacity(samples)
        for _ in 0..<samples {
            let z = q.sample(using: &generator)
            logWeights.append(
                reconstructionLogLikelihood(of: x, given: z) + standardNormalLogDensity(z) - q.logDensity(z))
        }
        let stacked = Tensor.stack(logWeights, axis: 0)  // [K, N]
        return stacked.logSumExp(axis: 0) - Float(Foundation.log(Double(samples)))
    }

    /// `count` samples in data space: `z ~ N(0, I)`, then the decoder's mean (probabilities for Bernoulli).
    public func sample(count: Int, using generator: inout RandomGenerator) -> Tensor {
        let z = Tensor.normal([count, configuration.latentSize], using: &generator)
        return configuration.likelihood.mean(of: decode(z))
    }
}
