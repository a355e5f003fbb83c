import Autodiff

// Parameter-free activation layers, each wrapping the differentiable Tensor function of
// the same name (PyTorch `torch.nn.Tanh`, `Sigmoid`, `ReLU`, `LeakyReLU`, `ELU`, `SELU`, `SiLU`).

/// `tanh(x)` as a layer.
public struct Tanh: Module {
    /// A tanh layer.
    public init() {}
    /// None.
    public var namedParameters: [(name: String, parameter: Parameter)] { [] }
    /// `tanh(input)`.
    public func callAsFunction(_ input: Tensor) -> Tensor { input.tanh() }
}

/// `σ(x) = 1 / (1 + e^−x)` as a layer.
public struct Sigmoid: Module {
    /// A sigmoid layer.
    public init() {}
    /// None.
    public var namedParameters: [(name: String, parameter: Parameter)] { [] }
    /// `σ(input)`.
    public func callAsFunction(_ input: Tensor) -> Tensor { input.sigmoid() }
}

/// `max(0, x)` as a layer (Nair & Hinton 2010).
public struct ReLU: Module {
    /// A ReLU layer.
    public init() {}
    /// None.
    public var namedParameters: [(name: String, parameter: Parameter)] { [] }
    /// `max(0, input)`.
    public func callAsFunction(_ input: Tensor) -> Tensor { input.relu() }
}

/// Leaky ReLU: `x` for `x ≥ 0`, `α·x` otherwise, α = 0.01 by default (Maas, Hannun & Ng 2013).
public struct LeakyReLU: Module {
    /// The slope α for negative inputs.
    public let negativeSlope: Float
    /// A leaky ReLU with slope `negativeSlope` (PyTorch's default 0.01).
    public init(negativeSlope: Float = 0.01) { self.negativeSlope = negativeSlope }
    /// None.
    public var namedParameters: [(name: String, parameter: Parameter)] { [] }
    /// The leaky ReLU of `input`.
    public func callAsFunction(_ input: Tensor) -> Tensor { input.leakyRelu(negativeSlope: negativeSlope) }
}

/// ELU: `x` for `x > 0`, `α(eˣ − 1)` otherwise (Clevert et al. 2016).
public struct ELU: Module {
    /// The saturation value −α for large negative inputs.
    public let alpha: Float
    /// An ELU with the given α (PyTorch's default 1).
    public init(alpha: Float = 1) { self.alpha = alpha }
    /// None.
    public var namedParameters: [(name: String, parameter: Parameter)] { [] }
    /// The ELU of `input`.
    public func callAsFunction(_ input: Tensor) -> Tensor { input.elu(alpha: alpha) }
}

/// SELU: `λx` for `x > 0`, `λα(eˣ − 1)` otherwise with λ = 1.0507009873…, α = 1.6732632… (Klambauer et
/// al. 2017), which keeps activations near mean 0, variance 1.
public struct SELU: Module {
    /// A SELU layer.
    public init() {}
    /// None.
    public var namedParameters: [(name: String, parameter: Parameter)] { [] }
    /// The SELU of `input`.
    public func callAsFunction(_ input: Tensor) -> Tensor { input.selu() }
}

/// Swish: `x · σ(βx)` (Ramachandran et al. 2017); β = 1 is SiLU.
public struct Swish: Module {
    /// The β inside the sigmoid.
    public let beta: Float
    /// A swish layer (β = 1 by default).
    public init(beta: Float = 1) { self.beta = beta }
    /// None.
    public var namedParameters: [(name: String, parameter: Parameter)] { [] }
    /// The swish of `input`.
    public func callAsFunction(_ input: Tensor) -> Tensor { input.swish(beta: beta) }
}
