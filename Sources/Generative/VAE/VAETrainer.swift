import Foundation
import MontagueSupport
import NeuralNet

/// Everything that defines a VAE run: the model, optimization and seed (stored in the manifest).
public struct VAETrainingConfiguration: Codable, Sendable, Equatable {
    /// The model.
    public var model: VAEConfiguration
    /// Examples per batch.
    public var batchSize = 128
    /// Adam step size.
    public var learningRate: Float = 1e-3
    /// The seed of initialization, batches and noise.
    public var seed: UInt64 = 0

    /// A configuration for `model`.
    public init(model: VAEConfiguration) { self.model = model }

    /// The first problem with the values, or nil.
    public func problem() -> String? {
        if model.dataSize <= 0 || model.latentSize <= 0 || model.hiddenSizes.contains(where: { $0 <= 0 }) {
            return "network sizes must be positive"
        }
        if batchSize < 1 { return "batch size must be positive" }
        if !(learningRate > 0) { return "learning rate must be positive" }
        return nil
    }
}

/// Trains a ``VariationalAutoencoder`` by stochastic gradient ascent on the ELBO (Adam, one reparameterized sample
/// per example), deterministic from the seed and resumable.
public final class VAETrainer {
    /// The run's definition.
    public let configuration: VAETrainingConfiguration
    /// The training data.
    public let data: PointSet
    /// The model.
    public let model: VariationalAutoencoder
    /// Adam over every parameter.
    public let optimizer: Adam
    /// Updates done.
    public private(set) var stepCount = 0
    /// The run's random generator.
    public private(set) var random: RandomGenerator

    /// A new run.
    public init(configuration: VAETrainingConfiguration, data: PointSet) {
        precondition(configuration.problem() == nil, "VAETrainer: \(configuration.problem() ?? "")")
        precondition(data.dimension == configuration.model.dataSize, "VAETrainer: data dimension ≠ configuration")
        self.configuration = configuration
        self.data = data
        var random = RandomGenerator(seed: configuration.seed)
        model = VariationalAutoencoder(configuration: configuration.model, using: &random)
        optimizer = Adam(model.parameters, learningRate: configuration.learningRate)
        self.random = random
    }

    /// One Adam step on a random batch; returns `loss` (−ELBO in nats per example).
    @discardableResult
    public func step() -> [String: Double] {
        let batch = data.randomBatch(size: configuration.batchSize, using: &random)
        let loss = model.loss(batch, using: &random)
        optimizer.step(gradients(of: loss, wrt: model.parameterValues))
        stepCount += 1
        return ["loss": Double(loss.item)]
    }

    /// The optimizer, the random generator and the step count.
    public func trainingState() -> TrainingStateArchive {
        var state = TrainingStateArchive()
        state.store(optimizer: optimizer, as: "vae")
        state.store(generator: random, as: "train")
        state["step"] = String(stepCount)
        return state
    }

    /// Restores what ``trainingState()`` stored.
    public func restore(_ state: TrainingStateArchive) throws {
        let step = try state.integer("step")
        let random = try state.generator("train")
        try state.restore(optimizer: optimizer, from: "vae")
        self.random = random
        stepCount = step
    }
}

/// Held-out quality of a VAE: mean ELBO and mean importance-weighted bound (nats per example; the negated bound is
/// the importance-weighted NLL estimate of Burda et al. 2016).
public struct VAEEvaluation: Sendable, Equatable, Codable {
    /// Mean single-sample ELBO.
    public var elbo: Double
    /// Mean importance-weighted bound with ``samples`` draws.
    public var importanceWeightedBound: Double
    /// Draws per example of the bound.
    public var samples: Int

    /// Evaluates `model` on `data` in batches of at most 256, drawing from a generator seeded with `seed`.
    public static func evaluate(
        _ model: VariationalAutoencoder, on data: PointSet, samples: Int = 100, seed: UInt64 = 0
    ) -> VAEEvaluation {
        var generator = RandomGenerator(seed: seed)
        var (elboSum, boundSum) = (0.0, 0.0)
        withoutGradients {
            var start = 0
            while start < data.count {
                let end = Swift.min(start + 256, data.count)
                let batch = data.batch(Array(start..<end))
                elboSum += Double(model.elbo(batch, using: &generator).sum().item)
                boundSum += Double(model.importanceWeightedBound(batch, samples: samples, using: &generator).sum().item)
                start = end
            }
        }
        let n = Double(Swift.max(data.count, 1))
        return VAEEvaluation(elbo: elboSum / n, importanceWeightedBound: boundSum / n, samples: samples)
    }
}
