/// A highway network (Srivastava, Greff & Schmidhuber 2015): each
/// layer gates between a transform of its input and the input itself,
///
/// ```
/// g = σ(x·W_gᵀ + b_g)          (the paper's carry gate C = 1 − T, with transform gate T = 1 − g)
/// z = f(x·W_hᵀ + b_h)
/// h = g ⊙ x + (1 − g) ⊙ z
/// ```
/// the GRU update without time input or reset gate. `f` is ReLU by default. Sublayers `layer{i}.gate` and
/// `layer{i}.transform` (``Linear`` of size D → D); the gate bias starts at `gateBias` (default +1, i.e. the
/// paper's transform-gate bias −1, so layers start close to the identity, as the paper recommends).
public struct Highway: Module {
    /// The gate of each layer.
    public let gates: [Linear]
    /// The transform of each layer.
    public let transforms: [Linear]
    /// The nonlinearity `f`.
    public let activation: @Sendable (Tensor) -> Tensor

    /// `layerCount` highway layers of width `size`, drawn from `generator` (gate then transform per layer).
    public init(
        size: Int, layerCount: Int = 1, gateBias: Float = 1,
        activation: @escaping @Sendable (Tensor) -> Tensor = { $0.relu() },
        using generator: inout RandomGenerator
    ) {
        precondition(size > 0 && layerCount > 0, "Highway: invalid size \(size) or layerCount \(layerCount)")
        var gates: [Linear] = []
        var transforms: [Linear] = []
        for _ in 0..<layerCount {
            let gate = Linear(inputSize: size, outputSize: size, using: &generator)
            gate.bias?.update(Tensor.full([size], gateBias))
            gates.append(gate)
            transforms.append(Linear(inputSize: size, outputSize: size, using: &generator))
        }
        self.gates = gates
        self.transforms = transforms
        self.activation = activation
    }

    /// `layer{i}.gate.…`, `layer{i}.transform.…`.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        zip(gates, transforms).enumerated().flatMap { index, pair in
            prefixed("layer\(index).gate", pair.0) + prefixed("layer\(index).transform", pair.1)
        }
    }

    /// The highway layers applied to `input [..., size]`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        zip(gates, transforms).reduce(input) { x, pair in
            let gate = pair.0(x).sigmoid()
            return gate * x + (1 - gate) * activation(pair.1(x))
        }
    }
}
