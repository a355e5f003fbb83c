import Autodiff
import Foundation
import NeuralNet

/// How the gates of an ``LSTMMetaOptimizer`` are computed.
public enum MetaOptimizerArchitecture: Codable, Sendable, Equatable {
    /// Gates from the coordinate's own preprocessed gradient and loss, its value θ and the previous gate (Ravi &
    /// Larochelle 2017).
    case cellState
    /// A second, standard coordinatewise LSTM of the given hidden size reads the preprocessed gradients and losses
    /// and remembers them; the gates see its hidden state, θ and the previous gate.
    case withInputLSTM(hiddenSize: Int)
}

/// A learned, coordinatewise optimizer: an LSTM whose cell state is the parameter vector θ, with forget gate f and
/// input gate i computed by small networks shared by every coordinate, and the negative gradient as candidate.
///
/// ```
/// θₜ = fₜ ⊙ θₜ₋₁ + iₜ ⊙ (−∇θ Lₜ)                 (the LSTM cell update cₜ = f ⊙ cₜ₋₁ + i ⊙ zₜ with c = θ)
/// iₜ = σ(W_I · [∇̃ₜ, L̃ₜ, θₜ₋₁, iₜ₋₁] + b_I),  fₜ = σ(W_F · [∇̃ₜ, L̃ₜ, θₜ₋₁, fₜ₋₁] + b_F)
/// ```
///
/// With f = 1 and i = η it is exactly SGD, θₜ = θₜ₋₁ − η∇L. Ravi & Larochelle, "Optimization as a Model for Few-Shot
/// Learning" (ICLR 2017); gradients and losses are preprocessed as in Andrychowicz et al., "Learning to learn by
/// gradient descent by gradient descent" (NeurIPS 2016), appendix A: x ↦ (log|x|/p, sign x) if |x| ≥ e⁻ᵖ, else
/// (−1, eᵖx), p = 10. The gradients fed to the optimizer are treated as constants (both papers drop the second
/// derivatives), so training it is backpropagation through the unrolled updates of θ.
public final class LSTMMetaOptimizer: ParameterContainer {
    /// The gate networks' input construction.
    public let architecture: MetaOptimizerArchitecture
    /// W_F `[features, 1]` and b_F `[1]`.
    public let forgetWeight: Parameter
    /// b_F.
    public let forgetBias: Parameter
    /// W_I `[features, 1]`.
    public let inputWeight: Parameter
    /// b_I.
    public let inputBias: Parameter
    /// The lower LSTM's weights `[4 + H, 4H]` (gates i, f, g, o) and bias `[4H]`, for ``MetaOptimizerArchitecture/withInputLSTM(hiddenSize:)``.
    public let lowerWeight: Parameter?
    /// The lower LSTM's bias.
    public let lowerBias: Parameter?

    /// The preprocessing's p.
    public static let preprocessingExponent: Float = 10

    /// An optimizer with small random gate weights, the forget bias at `forgetBias` (σ(5) ≈ 0.993, close to keeping
    /// θ) and the input bias at `inputBias` (σ(−5) ≈ 0.0067, a small step), as Ravi & Larochelle initialize them.
    public init(
        architecture: MetaOptimizerArchitecture = .cellState, forgetBias: Float = 5, inputBias: Float = -5,
        using generator: inout RandomGenerator
    ) {
        self.architecture = architecture
        let features: Int
        switch architecture {
        case .cellState:
            features = 6
            lowerWeight = nil
            lowerBias = nil
        case .withInputLSTM(let hidden):
            precondition(hidden > 0, "LSTMMetaOptimizer: hidden size \(hidden)")
            features = hidden + 2
            let bound = 1 / Float(hidden).squareRoot()
            lowerWeight = Parameter(
                Tensor.uniform([4 + hidden, 4 * hidden], low: -bound, high: bound, using: &generator))
            lowerBias = Parameter(Tensor.zeros([4 * hidden]))
        }
        forgetWeight = Parameter(Tensor.uniform([features, 1], low: -0.01, high: 0.01, using: &generator))
        self.forgetBias = Parameter(Tensor([forgetBias]))
        inputWeight = Parameter(Tensor.uniform([features, 1], low: -0.01, high: 0.01, using: &generator))
        self.inputBias = Parameter(Tensor([inputBias]))
    }

    /// `forget.weight`, `forget.bias`, `input.weight`, `input.bias`, and `lower.weight`, `lower.bias`.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        var result: [(name: String, parameter: Parameter)] = [
            (name: "forget.weight", parameter: forgetWeight), (name: "forget.bias", parameter: forgetBias),
            (name: "input.weight", parameter: inputWeight), (name: "input.bias", parameter: inputBias),
        ]
        if let lowerWeight, let lowerBias {
            result += [(name: "lower.weight", parameter: lowerWeight), (name: "lower.bias", parameter: lowerBias)]
        }
        return result
    }

    /// The recurrent state over n coordinates: the previous gates and the lower LSTM's state.
    public struct State {
        /// fₜ₋₁, `[n, 1]`.
        public var forget: Tensor
        /// iₜ₋₁, `[n, 1]`.
        public var input: Tensor
        /// The lower LSTM's hidden and cell states `[n, H]` (empty without it).
        public var lower: (hidden: Tensor, cell: Tensor)?

        /// The state cut from the tape (truncated backpropagation through time).
        public func detached() -> State {
            State(
                forget: forget.detached(), input: input.detached(),
                lower: lower.map { (hidden: $0.hidden.detached(), cell: $0.cell.detached()) })
        }
    }

    /// The state before the first step for `coordinates` parameters: gates at their bias values, lower LSTM zero.
    public func initialState(coordinates: Int) -> State {
        let lower: (hidden: Tensor, cell: Tensor)?
        if case .withInputLSTM(let hidden) = architecture {
            lower = (hidden: Tensor.zeros([coordinates, hidden]), cell: Tensor.zeros([coordinates, hidden]))
        } else {
            lower = nil
        }
        return State(
            forget: Tensor.full([coordinates, 1], Self.sigmoid(forgetBias.value.item)),
            input: Tensor.full([coordinates, 1], Self.sigmoid(inputBias.value.item)), lower: lower)
    }

    /// The cell-state update cₜ = f ⊙ cₜ₋₁ + i ⊙ z (z = −∇L for an optimizer).
    @inlinable
    public static func cellUpdate(previous: Tensor, forget: Tensor, input: Tensor, candidate: Tensor) -> Tensor {
        forget * previous + input * candidate
    }

    /// One optimization step: θₜ from θₜ₋₁ `[n, 1]`, the gradient `[n, 1]` (a constant) and the loss.
    ///
    /// - Parameter fixedGates: when given, (f, i) replace the learned gates (f = 1, i = η is SGD).
    public func step(
        theta: Tensor, gradient: Tensor, loss: Float, state: State, fixedGates: (forget: Float, input: Float)? = nil
    ) -> (theta: Tensor, state: State) {
        precondition(
            theta.shape == gradient.shape && theta.rank == 2 && theta.shape[1] == 1,
            "LSTMMetaOptimizer.step: theta \(theta.shape) and gradient \(gradient.shape) must both be [n, 1]")
        let g = gradient.detached()
        if let fixedGates {
            let f = Tensor.full(theta.shape, fixedGates.forget)
            let i = Tensor.full(theta.shape, fixedGates.input)
            return (
                Self.cellUpdate(previous: theta, forget: f, input: i, candidate: -g),
                State(forget: f, input: i, lower: state.lower)
            )
        }
        let n = theta.shape[0]
        let gradientFeatures = Self.preprocessed(g.scalars)
        let lossFeatures = Self.preprocessed([loss])
        var signals = [Float](repeating: 0, count: n * 4)
        for c in 0..<n {
            signals[4 * c] = gradientFeatures[2 * c]
            signals[4 * c + 1] = gradientFeatures[2 * c + 1]
            signals[4 * c + 2] = lossFeatures[0]
            signals[4 * c + 3] = lossFeatures[1]
        }
        let signal = Tensor(shape: [n, 4], scalars: signals)
        var lower = state.lower
        let base: Tensor
        if let lowerWeight, let lowerBias, let previous = state.lower {
            let hidden = previous.hidden.shape[1]
            let gates =
                Tensor.concatenate([signal, previous.hidden], axis: 1).matmul(lowerWeight.value) + lowerBias.value
            let parts = gates.split(count: 4, axis: 1)
            let cell = parts[1].sigmoid() * previous.cell + parts[0].sigmoid() * parts[2].tanh()
            let output = parts[3].sigmoid() * cell.tanh()
            precondition(output.shape == [n, hidden], "LSTMMetaOptimizer: lower LSTM state shape")
            lower = (hidden: output, cell: cell)
            base = output
        } else {
            base = signal
        }
        let forget =
            (Tensor.concatenate([base, theta, state.forget], axis: 1).matmul(forgetWeight.value)
            + forgetBias.value).sigmoid()
        let input =
            (Tensor.concatenate([base, theta, state.input], axis: 1).matmul(inputWeight.value)
            + inputBias.value).sigmoid()
        let updated = Self.cellUpdate(previous: theta, forget: forget, input: input, candidate: -g)
        return (updated, State(forget: forget, input: input, lower: lower))
    }

    /// Andrychowicz et al.'s preprocessing of each value into two features.
    public static func preprocessed(_ values: [Float]) -> [Float] {
        let p = preprocessingExponent
        let threshold = Foundation.exp(-p)
        var result = [Float](repeating: 0, count: 2 * values.count)
        for (index, value) in values.enumerated() {
            if Swift.abs(value) >= threshold {
                result[2 * index] = Foundation.log(Swift.abs(value)) / p
                result[2 * index + 1] = value > 0 ? 1 : -1
            } else {
                result[2 * index] = -1
                result[2 * index + 1] = Foundation.exp(p) * value
            }
        }
        return result
    }

    static func sigmoid(_ x: Float) -> Float { 1 / (1 + Foundation.exp(-x)) }
}

/// Flattening of a model's parameters into one column θ `[n, 1]` and back, for coordinatewise optimizers.
public enum ParameterVector {
    /// The parameters stacked into `[n, 1]` (differentiable).
    public static func flatten(_ parameters: [Tensor]) -> Tensor {
        Tensor.concatenate(parameters.map { $0.reshaped([$0.count]) }, axis: 0).reshaped([
            parameters.reduce(0) { $0 + $1.count }, 1,
        ])
    }

    /// θ `[n, 1]` cut back into tensors of `shapes` (differentiable).
    public static func unflatten(_ theta: Tensor, shapes: [[Int]]) -> [Tensor] {
        let sizes = shapes.map { $0.reduce(1, *) }
        return zip(theta.reshaped([theta.count]).split(sizes: sizes, axis: 0), shapes).map { $0.reshaped($1) }
    }
}

/// Trains an ``LSTMMetaOptimizer`` (optionally with a learned initialization θ₀, as Ravi & Larochelle's c₀) by
/// truncated backpropagation through the unrolled optimization of a model on sampled tasks.
///
/// For each task: θ₀ is the learned initialization or a fresh random one; for t = 1…T the optimizer takes a step
/// on the support loss; the meta-loss is the mean support loss over the unroll window plus the final query loss;
/// every `truncation` steps the meta-parameters take an Adam step and θ and the state are cut from the tape.
public final class LSTMMetaOptimizerTraining<Model: FunctionalModel> {
    /// The optimizer being learned.
    public let optimizer: LSTMMetaOptimizer
    /// The model optimized on each task; its parameters are θ₀ when ``learnsInitialization`` is set.
    public let model: Model
    /// Whether θ₀ is learned (otherwise the model's initial values are used for every task).
    public let learnsInitialization: Bool
    /// T, optimizer steps per task.
    public let unrollSteps: Int
    /// Steps per truncated-BPTT window.
    public let truncation: Int
    /// Adam over the optimizer's parameters (and θ₀).
    public let metaOptimizer: Adam

    /// A training run over `model` with `optimizer`.
    public init(
        optimizer: LSTMMetaOptimizer, model: Model, learnsInitialization: Bool, unrollSteps: Int, truncation: Int,
        metaLearningRate: Float = 1e-3
    ) {
        precondition(
            unrollSteps >= 1 && truncation >= 1,
            "LSTMMetaOptimizerTraining: unroll \(unrollSteps), truncation \(truncation)")
        self.optimizer = optimizer
        self.model = model
        self.learnsInitialization = learnsInitialization
        self.unrollSteps = unrollSteps
        self.truncation = truncation
        metaOptimizer = Adam(
            optimizer.parameters + (learnsInitialization ? model.parameters : []), learningRate: metaLearningRate)
    }

    /// Every trained tensor: the optimizer's (`optimizer.…`) and the model's (`model.…`).
    public var namedParameters: [(name: String, parameter: Parameter)] {
        optimizer.namedParameters.map { (name: "optimizer." + $0.name, parameter: $0.parameter) }
            + model.namedParameters.map { (name: "model." + $0.name, parameter: $0.parameter) }
    }

    /// Meta-trains on one episode; returns the final query loss.
    @discardableResult
    public func metaStep(_ episode: Episode) -> Double {
        let shapes = model.parameters.map(\.shape)
        let metaParameters = metaOptimizer.parameters.map(\.value)
        var theta = ParameterVector.flatten(
            learnsInitialization ? model.parameterValues : model.parameterValues.map { $0.detached() })
        if !theta.requiresGradient { theta = theta.requiringGradient() }
        var state = optimizer.initialState(coordinates: theta.shape[0])
        var windowLoss: Tensor? = nil
        var windowLength = 0
        var finalQuery = 0.0
        for t in 1...unrollSteps {
            let supportLoss = episode.supportTargets.loss(
                of: model(episode.supportInputs, parameters: ParameterVector.unflatten(theta, shapes: shapes)))
            if t > 1 {
                windowLoss = windowLoss.map { $0 + supportLoss } ?? supportLoss
                windowLength += 1
            }
            let gradient = gradients(of: supportLoss, wrt: [theta])[0]
            (theta, state) = optimizer.step(theta: theta, gradient: gradient, loss: supportLoss.item, state: state)
            let last = t == unrollSteps
            if t % truncation == 0 || last {
                var meta = (windowLoss ?? Tensor(0)) / Float(max(windowLength, 1))
                if last {
                    let queryLoss = episode.queryTargets.loss(
                        of: model(episode.queryInputs, parameters: ParameterVector.unflatten(theta, shapes: shapes)))
                    finalQuery = Double(queryLoss.item)
                    meta = meta + queryLoss
                }
                metaOptimizer.step(gradients(of: meta, wrt: metaParameters))
                theta = theta.detached().requiringGradient()
                state = state.detached()
                windowLoss = nil
                windowLength = 0
            }
        }
        return finalQuery
    }

    /// Query losses after each step count in `checkpoints` when the learned optimizer trains the model on the
    /// episode's support set (no meta-update).
    public func adaptationCurve(_ episode: Episode, checkpoints: [Int]) -> [(
        steps: Int, loss: Double, accuracy: Double?
    )] {
        let shapes = model.parameters.map(\.shape)
        var theta = ParameterVector.flatten(model.parameterValues.map { $0.detached() }).requiringGradient()
        var state = optimizer.initialState(coordinates: theta.shape[0])
        var results: [(steps: Int, loss: Double, accuracy: Double?)] = []
        let last = checkpoints.max() ?? 0
        for step in 0...last {
            if checkpoints.contains(step) {
                let output = withoutGradients {
                    model(episode.queryInputs, parameters: ParameterVector.unflatten(theta, shapes: shapes))
                }
                results.append(
                    (
                        steps: step, loss: Double(episode.queryTargets.loss(of: output).item),
                        accuracy: episode.queryTargets.accuracy(of: output)
                    ))
            }
            if step == last { break }
            let loss = episode.supportTargets.loss(
                of: model(episode.supportInputs, parameters: ParameterVector.unflatten(theta, shapes: shapes)))
            let gradient = gradients(of: loss, wrt: [theta])[0]
            let next = withoutGradients {
                optimizer.step(theta: theta.detached(), gradient: gradient, loss: loss.item, state: state)
            }
            theta = next.theta.detached().requiringGradient()
            state = next.state.detached()
        }
        return results
    }
}
