import NeuralNet

/// The network family of a GAN's generator and critic.
public enum NetworkArchitecture: String, Codable, Sendable, CaseIterable {
    /// Fully connected networks only.
    case mlp
    /// On square one-channel images (e.g. 8×8 digits): a critic whose fully connected layers sit on a
    /// ``ConvolutionalEncoder`` and a generator whose fully connected layers feed an ``UpsamplingDecoder`` — the
    /// convolutional discriminator and up-convolutional generator of DCGAN (Radford et al., "Unsupervised
    /// Representation Learning with Deep Convolutional Generative Adversarial Networks", ICLR 2016) and of InfoGAN's
    /// MNIST networks (Chen et al., "InfoGAN", NeurIPS 2016, Appendix C.1), scaled down to small images.
    case conv
    /// The convolutional critic of ``conv`` with the fully connected generator of ``mlp``.
    case convCritic = "conv-critic"

    /// Whether the critic has a ``ConvolutionalEncoder``.
    public var convolutionalCritic: Bool { self != .mlp }
    /// Whether the generator has an ``UpsamplingDecoder``.
    public var convolutionalGenerator: Bool { self == .conv }
}

/// Nearest-neighbour upsampling by 2 of `[N, C, H, W]` to `[N, C, 2H, 2W]` (differentiable: the backward pass sums
/// each 2×2 block).
func upsampledByTwo(_ x: Tensor) -> Tensor {
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    return x.reshaped([n, c, h, 1, w, 1]).expanded(to: [n, c, h, 2, w, 2]).reshaped([n, c, 2 * h, 2 * w])
}

/// A 3×3 convolution whose parameters may enter as constants (`frozen`: gradients flow to the input only).
func convolve(_ x: Tensor, _ layer: Conv2D, frozen: Bool) -> Tensor {
    guard frozen else { return layer(x) }
    return conv2d(
        x, weight: layer.weight.value.detached(), bias: layer.bias?.value.detached(), stride: layer.stride,
        padding: layer.padding)
}

/// The convolutional front of a critic on square one-channel images: rows of `side²` pixels are viewed as
/// `[N, 1, side, side]` and pass through 3×3 convolutions of stride 2 and padding 1, each followed by LeakyReLU
/// (slope 0.2, as in DCGAN's discriminator) and halving the side; the result is flattened to
/// ``outputSize`` features for the fully connected layers after it.
public struct ConvolutionalEncoder: Module {
    /// The images' side (the input rows have `side²` pixels).
    public let side: Int
    /// The convolutions, in order.
    public let layers: [Conv2D]

    /// An encoder with one stride-2 convolution per entry of `channels` (its output channels), initialized from
    /// `generator`. `side` must be divisible by `2^channels.count`.
    public init(side: Int, channels: [Int], using generator: inout RandomGenerator) {
        precondition(
            !channels.isEmpty && side > 0 && side % (1 << channels.count) == 0,
            "ConvolutionalEncoder: side \(side) is not divisible by 2^\(channels.count)")
        self.side = side
        var input = 1
        var layers: [Conv2D] = []
        for output in channels {
            layers.append(
                Conv2D(
                    inChannels: input, outChannels: output, kernelSize: (3, 3), stride: (2, 2), padding: (1, 1),
                    using: &generator))
            input = output
        }
        self.layers = layers
    }

    /// Input width: `side²`.
    public var inputSize: Int { side * side }
    /// Output width: the last convolution's channels times the remaining side squared.
    public var outputSize: Int {
        let remaining = side >> layers.count
        return (layers.last?.weight.value.shape[0] ?? 1) * remaining * remaining
    }

    /// `conv.<index>.weight` and `conv.<index>.bias`.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        layers.enumerated().flatMap { index, layer in
            layer.namedParameters.map { (name: "conv.\(index).\($0.name)", parameter: $0.parameter) }
        }
    }

    /// The features of `input` (`[N, side²]`), shape `[N, outputSize]`.
    public func callAsFunction(_ input: Tensor) -> Tensor { forward(input, frozen: false) }

    /// The features, with the parameters as constants when `frozen`.
    public func forward(_ input: Tensor, frozen: Bool) -> Tensor {
        var x = input.reshaped([input.shape[0], 1, side, side])
        for layer in layers { x = convolve(x, layer, frozen: frozen).leakyRelu(negativeSlope: 0.2) }
        return x.reshaped([input.shape[0], outputSize])
    }
}

/// The convolutional back of a generator for square one-channel images: the fully connected layers' output
/// `[N, channels₀ · s²]` (with `s = side / 2^k` for `k` upsamplings) passes through ReLU, is viewed as
/// `[N, channels₀, s, s]`, and each block upsamples by 2 (nearest neighbour) and applies a 3×3 convolution of
/// padding 1 — ReLU between blocks, none after the last, whose single channel is flattened to `[N, side²]`
/// (upsampling followed by convolution in place of DCGAN's transposed convolutions, which avoids their checkerboard
/// artefacts: Odena, Dumoulin & Olah, "Deconvolution and Checkerboard Artifacts", Distill 2016).
public struct UpsamplingDecoder: Module {
    /// The images' side.
    public let side: Int
    /// Channels of the input grid.
    public let inputChannels: Int
    /// The convolutions, one per upsampling; the last has one output channel.
    public let layers: [Conv2D]
    /// With `batchNorm`: batch normalization after every convolution but the last (before its ReLU), as in DCGAN's
    /// and InfoGAN's generators; empty otherwise.
    public let norms: [BatchNorm2d]

    /// A decoder from `channels[0]` channels through `channels[1...]` to one channel, one upsampling per step,
    /// initialized from `generator`. `side` must be divisible by `2^channels.count`.
    public init(side: Int, channels: [Int], batchNorm: Bool = false, using generator: inout RandomGenerator) {
        precondition(
            !channels.isEmpty && side > 0 && side % (1 << channels.count) == 0,
            "UpsamplingDecoder: side \(side) is not divisible by 2^\(channels.count)")
        self.side = side
        inputChannels = channels[0]
        let outputs = Array(channels.dropFirst()) + [1]
        layers = zip(channels, outputs).map { input, output in
            Conv2D(
                inChannels: input, outChannels: output, kernelSize: (3, 3), padding: (1, 1), using: &generator)
        }
        norms = batchNorm ? outputs.dropLast().map { BatchNorm2d(featureCount: $0) } : []
    }

    /// Side of the input grid.
    public var inputSide: Int { side >> layers.count }
    /// Input width: `channels₀ · inputSide²`.
    public var inputSize: Int { inputChannels * inputSide * inputSide }

    /// `conv.<index>.weight` and `conv.<index>.bias` (and `norm.<index>.weight`, `norm.<index>.bias`).
    public var namedParameters: [(name: String, parameter: Parameter)] {
        layers.enumerated().flatMap { index, layer in
            layer.namedParameters.map { (name: "conv.\(index).\($0.name)", parameter: $0.parameter) }
        }
            + norms.enumerated().flatMap { index, norm in
                norm.namedParameters.map { (name: "norm.\(index).\($0.name)", parameter: $0.parameter) }
            }
    }

    /// The images (`[N, side²]`, no output activation) for the fully connected output `input`.
    public func callAsFunction(_ input: Tensor) -> Tensor { forward(input, frozen: false) }

    /// The images, with the parameters as constants when `frozen`.
    public func forward(_ input: Tensor, frozen: Bool) -> Tensor {
        let n = input.shape[0]
        var x = input.relu().reshaped([n, inputChannels, inputSide, inputSide])
        for (index, layer) in layers.enumerated() {
            x = convolve(upsampledByTwo(x), layer, frozen: frozen)
            if index < norms.count { x = norms[index](x) }
            if index < layers.count - 1 { x = x.relu() }
        }
        return x.reshaped([n, side * side])
    }
}
