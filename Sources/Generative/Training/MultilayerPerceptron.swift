import NeuralNet

/// The hidden-layer nonlinearity of a ``MultilayerPerceptron``.
public enum HiddenActivation: String, Codable, Sendable, CaseIterable {
    /// `max(0, x)`.
    case relu
    /// `tanh x`.
    case tanh
    /// `max(0.2x, x)`, the usual choice for GAN discriminators (Radford et al., "DCGAN", 2016).
    case leakyReLU = "leaky-relu"

    func layer() -> any Module {
        switch self {
        case .relu: ReLU()
        case .tanh: Tanh()
        case .leakyReLU: LeakyReLU(negativeSlope: 0.2)
        }
    }
}

/// A fully connected network `Linear → activation → … → Linear` (no activation after the last layer): the
/// generators, discriminators, encoders and decoders of the generative models on vectors (2-D points, 8×8 digits).
///
/// Parameters are named `net.<index>.weight` / `net.<index>.bias` (PyTorch's `nn.Sequential` numbering, activations
/// counted), so checkpoints are stable.
public struct MultilayerPerceptron: Module {
    /// Layer widths from input to output, at least two entries.
    public let sizes: [Int]
    /// The layers.
    public let network: Sequential

    /// A network with the given widths, initialized from `generator` (PyTorch's `nn.Linear` default).
    public init(sizes: [Int], activation: HiddenActivation, using generator: inout RandomGenerator) {
        precondition(sizes.count >= 2 && sizes.allSatisfy { $0 > 0 }, "MultilayerPerceptron: bad sizes \(sizes)")
        self.sizes = sizes
        var layers: [any Module] = []
        for index in 0..<(sizes.count - 1) {
            layers.append(Linear(inputSize: sizes[index], outputSize: sizes[index + 1], using: &generator))
            if index < sizes.count - 2 { layers.append(activation.layer()) }
        }
        network = Sequential(layers)
    }

    /// Input width.
    public var inputSize: Int { sizes[0] }
    /// Output width.
    public var outputSize: Int { sizes[sizes.count - 1] }

    /// `net.<index>.weight` and `net.<index>.bias` per linear layer.
    public var namedParameters: [(name: String, parameter: Parameter)] { prefixed("net", network) }

    /// The network applied to `input` (`[N, inputSize]`).
    public func callAsFunction(_ input: Tensor) -> Tensor { network(input) }
}

/// Several parameter containers seen as one, with prefixed names (a GAN's generator and discriminator in one
/// weights file: `generator.net.0.weight`, `discriminator.net.0.weight`).
public struct NamedParameterGroup: ParameterContainer {
    /// The members and their prefixes, in order.
    public let members: [(prefix: String, container: any ParameterContainer)]

    /// A group of `members`.
    public init(_ members: [(prefix: String, container: any ParameterContainer)]) { self.members = members }

    /// Every member's parameters, named `<prefix>.<name>`.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        members.flatMap { member in
            member.container.namedParameters.map { (name: member.prefix + "." + $0.name, parameter: $0.parameter) }
        }
    }
}
