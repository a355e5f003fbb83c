import Autodiff
import NeuralNet

/// The nonlinearity between the layers of a ``MultilayerPerceptron``.
public enum HiddenActivation: String, Codable, Sendable, CaseIterable {
    case tanh, relu

    @inlinable
    func apply(_ x: Tensor) -> Tensor {
        switch self {
        case .tanh: x.tanh()
        case .relu: x.relu()
        }
    }
}

/// Fully connected layers with a nonlinearity between them (none after the last unless `activateOutput`): the
/// policy, value and Q networks of the classic-control agents. Parameters are named `layers.<i>.weight|bias`.
public struct MultilayerPerceptron: Module {
    /// The layers in order.
    public let layers: [Linear]
    /// The nonlinearity.
    public let activation: HiddenActivation
    /// Whether the nonlinearity also follows the last layer (a shared trunk's features).
    public let activateOutput: Bool

    /// Layers of `sizes[0] → sizes[1] → … → sizes.last`, initialized as `torch.nn.Linear`.
    public init(
        sizes: [Int], activation: HiddenActivation = .tanh, activateOutput: Bool = false,
        using generator: inout RandomGenerator
    ) {
        precondition(sizes.count >= 2, "MultilayerPerceptron: needs an input and an output size, got \(sizes)")
        var layers: [Linear] = []
        for index in 0..<(sizes.count - 1) {
            layers.append(Linear(inputSize: sizes[index], outputSize: sizes[index + 1], using: &generator))
        }
        self.layers = layers
        self.activation = activation
        self.activateOutput = activateOutput
    }

    /// Input size.
    public var inputSize: Int { layers[0].inputSize }
    /// Output size.
    public var outputSize: Int { layers[layers.count - 1].outputSize }

    public var namedParameters: [(name: String, parameter: Parameter)] {
        layers.enumerated().flatMap { index, layer in prefixed("layers.\(index)", layer) }
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        var x = input
        for (index, layer) in layers.enumerated() {
            x = layer(x)
            if index < layers.count - 1 || activateOutput { x = activation.apply(x) }
        }
        return x
    }
}

/// Copies every parameter value of `source` into `target` (same names and shapes): hard target-network updates.
public func copyParameters(from source: some ParameterContainer, to target: some ParameterContainer) {
    for (from, to) in zip(source.parameters, target.parameters) { to.update(scalars: from.value.scalars) }
}

/// Polyak averaging `θ' ← τ·θ + (1 − τ)·θ'` of target parameters (Lillicrap et al., DDPG, 2016).
public func softUpdate(from source: some ParameterContainer, to target: some ParameterContainer, tau: Float) {
    for (from, to) in zip(source.parameters, target.parameters) {
        var scalars = to.value.scalars
        let values = from.value.scalars
        for index in scalars.indices { scalars[index] = tau * values[index] + (1 - tau) * scalars[index] }
        to.update(scalars: scalars)
    }
}

/// A batch of observations as a `[count, size]` tensor.
@inlinable
public func observationBatch(_ observations: [[Float]]) -> Tensor {
    let size = observations.first?.count ?? 0
    var scalars: [Float] = []
    scalars.reserveCapacity(observations.count * size)
    for observation in observations { scalars.append(contentsOf: observation) }
    return Tensor(shape: [observations.count, size], scalars: scalars)
}
