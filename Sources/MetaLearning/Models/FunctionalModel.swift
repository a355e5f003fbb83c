import Autodiff
import NeuralNet

/// A model that can be evaluated with substituted parameter tensors ("functional parameters"), so an inner loop of
/// meta-learning can run on adapted copies θ′ = θ − α∇L(θ) without mutating the model.
///
/// MAML (Finn, Abbeel & Levine, "Model-Agnostic Meta-Learning for Fast Adaptation of Deep Networks", ICML 2017)
/// differentiates the query loss at θ′ with respect to θ; that is only possible when the forward pass takes θ′ as
/// tensors on the tape. The tensors passed to ``callAsFunction(_:parameters:)`` follow the order and shapes of
/// ``ParameterContainer/namedParameters``; calling the model without them uses the parameters' current values.
public protocol FunctionalModel: Module {
    /// The forward pass with `parameters` in place of the model's own (same order and shapes as
    /// ``ParameterContainer/namedParameters``).
    func callAsFunction(_ input: Tensor, parameters: [Tensor]) -> Tensor
}

extension FunctionalModel {
    /// The forward pass with the model's current parameters.
    public func callAsFunction(_ input: Tensor) -> Tensor { self(input, parameters: parameterValues) }

    /// Checks that `parameters` match the model's parameters one to one (a programmer error otherwise).
    @inlinable
    func checkParameters(_ parameters: [Tensor], op: String) {
        let own = namedParameters
        precondition(
            parameters.count == own.count, "\(op): \(parameters.count) parameter tensors for \(own.count) parameters")
        for (tensor, named) in zip(parameters, own) {
            precondition(
                tensor.shape == named.parameter.shape,
                "\(op): parameter '\(named.name)' has shape \(named.parameter.shape), got \(tensor.shape)")
        }
    }
}

/// The nonlinearity between the layers of a ``FunctionalMLP``.
public enum HiddenActivation: String, Codable, Sendable, CaseIterable {
    /// max(x, 0), as in Finn et al. 2017's sinusoid network.
    case relu
    /// tanh(x).
    case tanh

    @inlinable
    func apply(_ x: Tensor) -> Tensor {
        switch self {
        case .relu: x.relu()
        case .tanh: x.tanh()
        }
    }
}

/// A multilayer perceptron evaluated on substituted parameters: the model of the sinusoid experiments
/// (1-40-40-1 with ReLU in Finn et al. 2017) and the embedding network of the metric-based learners.
///
/// Layer `l` computes `x·Wₗᵀ + bₗ` with `Wₗ` of shape `[out, in]` (as `torch.nn.Linear`, with its default
/// initialization); the activation follows every layer but the last. Parameters are named `layers.l.weight` and
/// `layers.l.bias`.
public struct FunctionalMLP: FunctionalModel, Sendable {
    /// The width of each layer, input first (`[1, 40, 40, 1]`).
    public let sizes: [Int]
    /// The nonlinearity after each hidden layer.
    public let activation: HiddenActivation
    /// The weights `[out, in]` and biases `[out]`, layer by layer.
    public let weights: [Parameter]
    /// The biases, layer by layer.
    public let biases: [Parameter]

    /// A network of the given widths, with PyTorch's default `Linear` initialization drawn from `generator`.
    public init(sizes: [Int], activation: HiddenActivation = .relu, using generator: inout RandomGenerator) {
        precondition(sizes.count >= 2 && sizes.allSatisfy { $0 > 0 }, "FunctionalMLP: invalid sizes \(sizes)")
        self.sizes = sizes
        self.activation = activation
        var weights: [Parameter] = []
        var biases: [Parameter] = []
        for layer in 0..<(sizes.count - 1) {
            let linear = Linear(inputSize: sizes[layer], outputSize: sizes[layer + 1], using: &generator)
            weights.append(linear.weight)
            biases.append(linear.bias ?? Parameter(Tensor.zeros([sizes[layer + 1]])))
        }
        self.weights = weights
        self.biases = biases
    }

    /// `layers.l.weight`, `layers.l.bias` for each layer.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        var result: [(name: String, parameter: Parameter)] = []
        for layer in weights.indices {
            result.append((name: "layers.\(layer).weight", parameter: weights[layer]))
            result.append((name: "layers.\(layer).bias", parameter: biases[layer]))
        }
        return result
    }

    /// The forward pass on `input` of shape `[batch, sizes[0]]` with the given weights and biases, interleaved
    /// as in ``namedParameters``.
    public func callAsFunction(_ input: Tensor, parameters: [Tensor]) -> Tensor {
        precondition(
            parameters.count == 2 * weights.count,
            "FunctionalMLP: \(parameters.count) parameter tensors for \(2 * weights.count) parameters")
        precondition(
            input.rank == 2 && input.shape[1] == sizes[0],
            "FunctionalMLP: input shape \(input.shape) is not [batch, \(sizes[0])]")
        var x = input
        for layer in weights.indices {
            x = Tensor.matmul(x, parameters[2 * layer], transposeB: true) + parameters[2 * layer + 1]
            if layer < weights.count - 1 { x = activation.apply(x) }
        }
        return x
    }
}

/// A ``FunctionalModel`` that can also run a whole meta-batch at once: every parameter tensor carries a leading task
/// axis (`[T, …]`, one adapted copy per task) and the inputs are `[T, n, features]`. This is what `jax.vmap` does to
/// MAML's per-task function; here it turns T small tapes into one with T-batched GEMMs, so the per-op cost is paid
/// once per meta-batch instead of once per task.
public protocol TaskBatchedFunctionalModel: FunctionalModel {
    /// Outputs `[T, n, outputs]` of `inputs` `[T, n, features]` under per-task parameters (each of shape
    /// `[T] + shape`, in ``ParameterContainer/namedParameters`` order).
    func callAsFunction(taskBatch inputs: Tensor, parameters: [Tensor]) -> Tensor
}

extension FunctionalMLP: TaskBatchedFunctionalModel {
    /// The forward pass of T tasks at once: `x·Wₜᵀ + bₜ` per task with batched GEMMs.
    public func callAsFunction(taskBatch inputs: Tensor, parameters: [Tensor]) -> Tensor {
        precondition(
            parameters.count == 2 * weights.count,
            "FunctionalMLP: \(parameters.count) parameter tensors for \(2 * weights.count) parameters")
        precondition(
            inputs.rank == 3 && inputs.shape[2] == sizes[0],
            "FunctionalMLP: task-batched input shape \(inputs.shape) is not [tasks, batch, \(sizes[0])]")
        let tasks = inputs.shape[0]
        var x = inputs
        for layer in weights.indices {
            let bias = parameters[2 * layer + 1]
            precondition(
                parameters[2 * layer].rank == 3 && parameters[2 * layer].shape[0] == tasks
                    && bias.shape == [tasks, sizes[layer + 1]],
                "FunctionalMLP: task-batched parameters of layer \(layer) have shapes "
                    + "\(parameters[2 * layer].shape), \(bias.shape)")
            x =
                Tensor.matmul(x, parameters[2 * layer], transposeB: true)
                + bias.reshaped([tasks, 1, sizes[layer + 1]])
            if layer < weights.count - 1 { x = activation.apply(x) }
        }
        return x
    }
}
