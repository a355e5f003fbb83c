import Autodiff
import NeuralNet

/// The shape of a Q network: hidden sizes and the "magics" of DQN that change the network.
public struct QNetworkConfiguration: Codable, Equatable, Sendable {
    /// Hidden layer sizes of the trunk.
    public var hidden = [256, 256]
    /// Dueling heads `Q = V + A − mean_a A` (Wang et al., "Dueling network architectures for deep reinforcement
    /// learning", ICML 2016).
    public var dueling = false
    /// Noisy heads (Fortunato et al. 2018).
    public var noisy = false
    /// Atoms of the return distribution; 1 for expected values, 51 for C51 (Bellemare, Dabney & Munos, "A
    /// distributional perspective on reinforcement learning", ICML 2017).
    public var atoms = 1
    /// Smallest atom.
    public var valueMin = -100.0
    /// Largest atom.
    public var valueMax = 100.0

    /// The defaults (a plain DQN with two hidden layers of 256).
    public init() {}

    /// The atoms' positions `z_i`.
    public var support: [Float] {
        guard atoms > 1 else { return [0] }
        let step = (valueMax - valueMin) / Double(atoms - 1)
        return (0..<atoms).map { Float(valueMin + Double($0) * step) }
    }
}

/// A dense head that is a plain or a noisy linear layer.
public enum DenseHead: Module {
    case plain(Linear)
    case noisy(NoisyLinear)

    public var namedParameters: [(name: String, parameter: Parameter)] {
        switch self {
        case .plain(let layer): layer.namedParameters
        case .noisy(let layer): layer.namedParameters
        }
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        switch self {
        case .plain(let layer): layer(input)
        case .noisy(let layer): layer(input)
        }
    }
}

/// A Q network for discrete actions: a ReLU trunk, then one head (`Q(s, ·)`) or dueling value and advantage heads,
/// each giving expected values or, with atoms, logits of a categorical return distribution per action.
public struct QNetwork: ParameterContainer {
    /// The configuration.
    public let configuration: QNetworkConfiguration
    /// Actions.
    public let actions: Int
    /// The trunk.
    public let trunk: MultilayerPerceptron
    /// The advantage head (or the only head).
    public let advantageHead: DenseHead
    /// The value head of a dueling network.
    public let valueHead: DenseHead?

    /// A network for `observationSize` inputs and `actions` actions.
    public init(
        observationSize: Int, actions: Int, configuration: QNetworkConfiguration, using generator: inout RandomGenerator
    ) {
        self.configuration = configuration
        self.actions = actions
        trunk = MultilayerPerceptron(
            sizes: [observationSize] + configuration.hidden, activation: .relu, activateOutput: true,
            using: &generator)
        let width = configuration.hidden.last ?? observationSize
        func head(_ outputs: Int) -> DenseHead {
            configuration.noisy
                ? .noisy(NoisyLinear(inputSize: width, outputSize: outputs, using: &generator))
                : .plain(Linear(inputSize: width, outputSize: outputs, using: &generator))
        }
        advantageHead = head(actions * configuration.atoms)
        valueHead = configuration.dueling ? head(configuration.atoms) : nil
    }

    public var namedParameters: [(name: String, parameter: Parameter)] {
        prefixed("trunk", trunk) + prefixed("advantage", advantageHead)
            + (valueHead.map { prefixed("value", $0) } ?? [])
    }

    /// The noisy layers (for resampling noise).
    public var noisyLayers: [NoisyLinear] {
        [advantageHead, valueHead].compactMap { head in
            if case .noisy(let layer) = head { return layer }
            return nil
        }
    }

    /// Resamples the noise of noisy heads.
    public func resetNoise(using generator: inout RandomGenerator) {
        for layer in noisyLayers { layer.resetNoise(using: &generator) }
    }

    /// Turns head noise on (training) or off (evaluation with the mean weights).
    public func setNoise(enabled: Bool) {
        for layer in noisyLayers { layer.noise.enabled = enabled }
    }

    /// The heads' outputs `[N, actions, atoms]`: dueling combines `V + A − mean_a A` per atom.
    public func outputs(_ observations: Tensor) -> Tensor {
        let features = trunk(observations)
        let rows = observations.shape[0]
        let atoms = configuration.atoms
        let advantages = advantageHead(features).reshaped([rows, actions, atoms])
        guard let valueHead else { return advantages }
        let values = valueHead(features).reshaped([rows, 1, atoms])
        return values + advantages - advantages.mean(axis: 1, keepingDimensions: true)
    }

    /// Log-probabilities `[N, actions, atoms]` of the return distributions (atoms > 1).
    public func logDistributions(_ observations: Tensor) -> Tensor {
        outputs(observations).logSoftmax(axis: -1)
    }

    /// `Q(s, ·)` as `[N, actions]`: the outputs themselves, or `Σ_i z_i p_i` of the distributions.
    public func qValues(_ observations: Tensor) -> Tensor {
        let rows = observations.shape[0]
        guard configuration.atoms > 1 else { return outputs(observations).reshaped([rows, actions]) }
        let probabilities = logDistributions(observations).exp()
        let support = Tensor(shape: [1, 1, configuration.atoms], scalars: configuration.support)
        return (probabilities * support).sum(axis: -1)
    }
}
