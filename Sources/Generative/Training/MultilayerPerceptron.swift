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
    /// Convolutions before the fully connected layers (a convolutional critic), whose ``ConvolutionalEncoder/outputSize``
    /// is `sizes[0]`; nil: none.
    public let convolutionalInput: ConvolutionalEncoder?
    /// Convolutions after the fully connected layers (an up-convolutional generator), whose
    /// ``UpsamplingDecoder/inputSize`` is the last entry of `sizes`; nil: none.
    public let convolutionalOutput: UpsamplingDecoder?

    /// A network with the given widths, initialized from `generator` (PyTorch's `nn.Linear` default).
    ///
    /// With `maxoutPieces` k > 1 every hidden unit is a maxout unit (Goodfellow et al., "Maxout Networks", ICML
    /// 2013): its linear layer has k outputs per unit and the unit takes their maximum, in place of `activation`
    /// (the discriminators of Goodfellow et al. 2014 and of PacGAN's 2-D experiments).
    ///
    /// With `batchNorm`, every hidden linear layer is followed by batch normalization (Ioffe & Szegedy, "Batch
    /// Normalization", ICML 2015) before its nonlinearity — the generators of DCGAN (Radford et al. 2016), InfoGAN
    /// (Chen et al. 2016) and PacGAN (Lin et al. 2018). The normalization layers count in the parameter numbering.
    ///
    /// With `minibatchFeature`, the last linear layer also sees ``MinibatchStandardDeviation``'s batch statistic
    /// (one extra input), a discriminator that can detect a collapsed generator (Karras et al. 2018).
    public init(
        sizes: [Int], activation: HiddenActivation, maxoutPieces: Int = 1, batchNorm: Bool = false,
        minibatchFeature: Bool = false, convolutionalInput: ConvolutionalEncoder? = nil,
        convolutionalOutput: UpsamplingDecoder? = nil, using generator: inout RandomGenerator
    ) {
        precondition(sizes.count >= 2 && sizes.allSatisfy { $0 > 0 }, "MultilayerPerceptron: bad sizes \(sizes)")
        precondition(
            convolutionalInput.map { $0.outputSize == sizes[0] } ?? true
                && convolutionalOutput.map { $0.inputSize == sizes[sizes.count - 1] } ?? true,
            "MultilayerPerceptron: the convolutions do not fit the sizes \(sizes)")
        self.convolutionalInput = convolutionalInput
        self.convolutionalOutput = convolutionalOutput
        precondition(maxoutPieces >= 1, "MultilayerPerceptron: maxout pieces \(maxoutPieces) must be ≥ 1")
        self.sizes = sizes
        var layers: [any Module] = []
        for index in 0..<(sizes.count - 1) {
            let hidden = index < sizes.count - 2
            let width = hidden ? sizes[index + 1] * maxoutPieces : sizes[index + 1]
            var inputWidth = sizes[index]
            if !hidden && minibatchFeature {
                layers.append(MinibatchStandardDeviation())
                inputWidth += 1
            }
            layers.append(Linear(inputSize: inputWidth, outputSize: width, using: &generator))
            if hidden && batchNorm { layers.append(BatchNorm1d(featureCount: width)) }
            if hidden { layers.append(maxoutPieces > 1 ? Maxout(pieces: maxoutPieces) : activation.layer()) }
        }
        network = Sequential(layers)
    }

    /// The batch-normalization layers, in forward order (empty without `batchNorm`).
    public var batchNormLayers: [BatchNorm] {
        network.layers.compactMap { $0 as? BatchNorm } + (convolutionalOutput?.norms ?? [])
    }

    /// Input width.
    public var inputSize: Int { convolutionalInput?.inputSize ?? sizes[0] }
    /// Output width.
    public var outputSize: Int {
        convolutionalOutput.map { $0.side * $0.side } ?? sizes[sizes.count - 1]
    }

    /// `net.<index>.weight` and `net.<index>.bias` per linear layer (and `input.conv.<index>.…`,
    /// `output.conv.<index>.…` for the convolutions).
    public var namedParameters: [(name: String, parameter: Parameter)] {
        (convolutionalInput.map { prefixed("input", $0) } ?? []) + prefixed("net", network)
            + (convolutionalOutput.map { prefixed("output", $0) } ?? [])
    }

    /// The network applied to `input` (`[N, inputSize]`).
    public func callAsFunction(_ input: Tensor) -> Tensor {
        let features = network(convolutionalInput?(input) ?? input)
        return convolutionalOutput?(features) ?? features
    }

    /// The network with inverted dropout of probability `hiddenDropout` on every hidden layer's output (as in the
    /// discriminator of Goodfellow et al. 2014), masks drawn from `generator`; `hiddenDropout` 0 is the plain network.
    ///
    /// With `frozen`, the parameters enter as constants: gradients still flow to `input`, but none is computed for
    /// the parameters (a discriminator seen by the generator's update, whose own weights that update leaves alone,
    /// so the backward pass skips one weight GEMM per layer).
    public func callAsFunction(
        _ input: Tensor, hiddenDropout: Float, frozen: Bool = false, using generator: inout RandomGenerator
    ) -> Tensor {
        guard hiddenDropout > 0 || frozen else { return self(input) }
        return forward(input, hiddenDropout: hiddenDropout, frozen: frozen, using: &generator).output
    }

    /// The output and the last hidden layer's features (after its nonlinearity and dropout, before the minibatch
    /// feature and the output layer): the shared body of a discriminator whose features also feed another head,
    /// such as InfoGAN's `Q` (Chen et al. 2016). `hiddenDropout` and `frozen` as in
    /// ``callAsFunction(_:hiddenDropout:frozen:using:)``; the generator is drawn from only when `hiddenDropout` > 0.
    public func outputAndFeatures(
        _ input: Tensor, hiddenDropout: Float = 0, frozen: Bool = false, using generator: inout RandomGenerator
    ) -> (output: Tensor, features: Tensor) {
        forward(input, hiddenDropout: hiddenDropout, frozen: frozen, using: &generator)
    }

    /// The index of the first layer of the output block (the minibatch feature, if any, and the last linear layer).
    private var outputBlockStart: Int {
        let layers = network.layers
        guard let last = layers.lastIndex(where: { $0 is Linear }) else { return layers.count }
        return last > 0 && layers[last - 1] is MinibatchStandardDeviation ? last - 1 : last
    }

    private func forward(
        _ input: Tensor, hiddenDropout: Float, frozen: Bool, using generator: inout RandomGenerator
    ) -> (output: Tensor, features: Tensor) {
        var x = convolutionalInput?.forward(input, frozen: frozen) ?? input
        var features = x
        let featureIndex = outputBlockStart
        for (index, layer) in network.layers.enumerated() {
            if index == featureIndex { features = x }
            if frozen, let linear = layer as? Linear {
                let weight = linear.weight.value.detached()
                x =
                    linear.bias.map { Tensor.affine(x, weight: weight, bias: $0.value.detached()) }
                    ?? Tensor.matmul(x, weight, transposeB: true)
                continue
            }
            x = layer(x)
            let isActivation = !(layer is Linear || layer is BatchNorm || layer is MinibatchStandardDeviation)
            if hiddenDropout > 0 && isActivation {
                x = x.dropout(probability: hiddenDropout, training: true, using: &generator)
            }
        }
        return (convolutionalOutput?.forward(x, frozen: frozen) ?? x, features)
    }
}

/// A maxout unit (Goodfellow et al. 2013): `[N, units · pieces]` to `[N, units]`, the maximum over each unit's
/// `pieces` consecutive inputs.
public struct Maxout: Module {
    /// Inputs per unit.
    public let pieces: Int

    /// A maxout over groups of `pieces`.
    public init(pieces: Int) {
        precondition(pieces >= 1, "Maxout: pieces \(pieces) must be ≥ 1")
        self.pieces = pieces
    }

    /// None.
    public var namedParameters: [(name: String, parameter: Parameter)] { [] }

    /// The maximum over each group of `pieces` consecutive values of the last axis of a `[N, units · pieces]` input.
    ///
    /// One pass finds each group's maximum and marks its first arg-max; the backward pass routes each output's
    /// gradient to that input (`g` broadcast over the group times the constant one-hot mask), an expression of
    /// differentiable ops, so the unit differentiates to any order (WGAN-GP's penalty through a maxout critic). Where
    /// values tie exactly for the maximum, the first gets the whole gradient.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        precondition(
            input.rank == 2 && input.shape[1] % pieces == 0, "Maxout: input \(input.shape) not [N, units·\(pieces)]")
        guard pieces > 1 else { return input }
        let (rows, units, pieces) = (input.shape[0], input.shape[1] / pieces, pieces)
        var output = [Float](repeating: 0, count: rows * units)
        var winners = [Float](repeating: 0, count: input.count)
        input.scalars.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in
                winners.withUnsafeMutableBufferPointer { mask in
                    for group in 0..<(rows * units) {
                        let base = group * pieces
                        var best = base
                        var value = x[base]
                        for index in (base + 1)..<(base + pieces) where x[index] > value {
                            value = x[index]
                            best = index
                        }
                        y[group] = value
                        mask[best] = 1
                    }
                }
            }
        }
        let mask = Tensor(shape: input.shape, scalars: winners)
        return Tensor.recorded("maxout", shape: [rows, units], scalars: output, inputs: [input]) { gradient, _, _ in
            [
                gradient.reshaped([rows, units, 1]).expanded(to: [rows, units, pieces]).reshaped([
                    rows, units * pieces,
                ]) * mask
            ]
        }
    }
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
