/// Whether a Neural Turing Machine head reads the memory or writes it (Graves, Wayne & Danihelka 2014, §3.1–3.2).
public enum NeuralTuringMachineHeadKind: Sendable, Equatable {
    /// Emits addressing parameters only; the machine reads `r = Σᵢ wᵢ Mᵢ` at its weights.
    case read
    /// Emits addressing parameters plus an erase vector `e` and an add vector `a`.
    case write
}

/// The parameters one head emits at one step (Graves et al. 2014, §3.3 and Figure 2: the addressing
/// parameters k, β, g, s, γ, and for a write head the erase and add vectors e, a), all batched over `B`.
///
/// The squashing functions follow the paper: `β = softplus(·) ≥ 0`, `g = σ(·) ∈ (0, 1)`, `s = softmax(·)` over the
/// allowed shifts, `γ = 1 + softplus(·) ≥ 1`, `e = σ(·) ∈ (0, 1)`; the key `k` and the add vector `a` are
/// unconstrained.
public struct NeuralTuringMachineHeadOutput {
    /// Key `k [B, M]` compared with every slot by cosine similarity.
    public var key: Tensor
    /// Key strength `β [B, 1]`.
    public var strength: Tensor
    /// Interpolation gate `g [B, 1]` between content weights (1) and the previous weights (0).
    public var gate: Tensor
    /// Shift distribution `s [B, S]` over the shifts `−S/2 … S/2`.
    public var shift: Tensor
    /// Sharpening exponent `γ [B, 1]`.
    public var sharpening: Tensor
    /// Erase vector `e [B, M]` (write heads only).
    public var erase: Tensor?
    /// Add vector `a [B, M]` (write heads only).
    public var add: Tensor?
}

/// A read or write head of a Neural Turing Machine (Graves, Wayne & Danihelka 2014, §3):
/// a ``Linear`` map from the controller output to the head's parameters (``NeuralTuringMachineHeadOutput``) and the
/// addressing pipeline of ``NeuralTuringMachineMemory`` (content → interpolation → shift → sharpening).
///
/// ```swift
/// var generator = RandomGenerator(seed: 0)
/// let head = NeuralTuringMachineHead(kind: .write, controllerSize: 8, memoryWidth: 4, using: &generator)
/// let emitted = head.emit(Tensor.zeros([2, 8]))               // key [2, 4], erase [2, 4], …
/// let memory = Tensor.uniform([2, 6, 4], low: -1, high: 1, using: &generator)
/// let previous = Tensor.oneHot(IndexTensor([0, 0]), classes: 6)
/// let weights = head.address(emitted, memory: memory, previous: previous)   // [2, 6], rows sum to 1
/// ```
/// Parameters `projection.weight [P, C]`, `projection.bias [P]` with `P = M + 3 + S` for a read head and
/// `P = 3M + 3 + S` for a write head (rows: k, β, g, s, γ, then e, a).
public struct NeuralTuringMachineHead: ParameterContainer {
    /// Read or write.
    public let kind: NeuralTuringMachineHeadKind
    /// Width M of a memory slot.
    public let memoryWidth: Int
    /// Number S of allowed shifts (odd: −S/2 … S/2).
    public let shiftCount: Int
    /// Controller output → head parameters.
    public let projection: Linear

    /// A head for a controller of `controllerSize` outputs over slots of width `memoryWidth`, drawn from
    /// `generator` (PyTorch's `Linear` initialization).
    public init(
        kind: NeuralTuringMachineHeadKind, controllerSize: Int, memoryWidth: Int, shiftCount: Int = 3,
        using generator: inout RandomGenerator
    ) {
        precondition(
            controllerSize > 0 && memoryWidth > 0 && shiftCount > 0 && shiftCount % 2 == 1,
            "NeuralTuringMachineHead: controller size \(controllerSize), memory width \(memoryWidth) must be "
                + "positive and shift count \(shiftCount) positive and odd")
        self.kind = kind
        self.memoryWidth = memoryWidth
        self.shiftCount = shiftCount
        let size = memoryWidth + 3 + shiftCount + (kind == .write ? 2 * memoryWidth : 0)
        projection = Linear(inputSize: controllerSize, outputSize: size, using: &generator)
    }

    /// `projection.weight`, `projection.bias`.
    public var namedParameters: [(name: String, parameter: Parameter)] { prefixed("projection", projection) }

    /// The head's parameters for the controller output `controllerOutput [B, C]`.
    public func emit(_ controllerOutput: Tensor) -> NeuralTuringMachineHeadOutput {
        precondition(
            controllerOutput.rank == 2 && controllerOutput.shape[1] == projection.inputSize,
            "NeuralTuringMachineHead: controller output \(controllerOutput.shape) is not [B, \(projection.inputSize)]")
        let width = memoryWidth
        var sizes = [width, 1, 1, shiftCount, 1]
        if kind == .write { sizes += [width, width] }
        let parts = projection(controllerOutput).split(sizes: sizes, axis: 1)
        return NeuralTuringMachineHeadOutput(
            key: parts[0], strength: parts[1].softplus(), gate: parts[2].sigmoid(), shift: parts[3].softmax(axis: 1),
            sharpening: parts[4].softplus() + 1, erase: kind == .write ? parts[5].sigmoid() : nil,
            add: kind == .write ? parts[6] : nil)
    }

    /// The head's weights `[B, N]` over `memory [B, N, M]` given its emitted parameters and its `previous [B, N]`
    /// weights: ``NeuralTuringMachineMemory/contentWeights(memory:key:strength:)`` followed by
    /// ``NeuralTuringMachineMemory/locationWeights(content:previous:gate:shift:sharpening:)``.
    public func address(_ emitted: NeuralTuringMachineHeadOutput, memory: Tensor, previous: Tensor) -> Tensor {
        let content = NeuralTuringMachineMemory.contentWeights(
            memory: memory, key: emitted.key, strength: emitted.strength)
        return NeuralTuringMachineMemory.locationWeights(
            content: content, previous: previous, gate: emitted.gate, shift: emitted.shift,
            sharpening: emitted.sharpening)
    }
}
