/// The controller of a ``NeuralTuringMachine`` (Graves, Wayne & Danihelka 2014, §3 and §4: "an LSTM controller or
/// a feed-forward controller").
public enum NeuralTuringMachineController: Sendable, Equatable {
    /// An ``LSTMCell`` over `[x; r_{t−1}]` with `hiddenSize` units; its hidden vector is the controller output.
    case lstm(hiddenSize: Int)
    /// One layer `h = tanh(W [x; r_{t−1}] + b)` with `hiddenSize` units: all state lives in the memory.
    case feedForward(hiddenSize: Int)

    /// The number of controller outputs.
    public var hiddenSize: Int {
        switch self {
        case .lstm(let size), .feedForward(let size): size
        }
    }
}

/// The recurrent state of a ``NeuralTuringMachine`` between steps, batched over `B`.
public struct NeuralTuringMachineState {
    /// The LSTM controller's state (`nil` for a feed-forward controller).
    public var controller: LSTMState?
    /// The memory `[B, N, M]`.
    public var memory: Tensor
    /// Each read head's last weights `[B, N]`.
    public var readWeights: [Tensor]
    /// Each write head's last weights `[B, N]`.
    public var writeWeights: [Tensor]
    /// Each read head's last read vector `[B, M]` (fed to the controller at the next step).
    public var reads: [Tensor]

    /// A state from its parts.
    public init(
        controller: LSTMState?, memory: Tensor, readWeights: [Tensor], writeWeights: [Tensor], reads: [Tensor]
    ) {
        self.controller = controller
        self.memory = memory
        self.readWeights = readWeights
        self.writeWeights = writeWeights
        self.reads = reads
    }
}

/// A Neural Turing Machine (Graves, Wayne & Danihelka 2014: like a memory network,
/// but it also modifies the memory). At step t, with the read vectors `r_{t−1}` of the last step:
///
/// ```
/// h_t = controller([x_t; r_{t−1}])
/// for each write head:  w = address(head(h_t), M, w_{t−1});   M ← M ⊙ (1 − w eᵀ) + w aᵀ
/// for each read head:   w = address(head(h_t), M, w_{t−1});   r_t = Mᵀ w
/// y_t = W_y [h_t; r_t] + b_y                                    (logits; apply σ or softmax in the loss)
/// ```
/// with `address` = content → interpolation → shift → sharpening (``NeuralTuringMachineHead``,
/// ``NeuralTuringMachineMemory``). Writes come before reads within a step (the order of the DNC, Graves et al.
/// 2016), so a read may see what was just written. The initial memory is a fixed `[N, M]` draw from
/// U(−1/√(N+M), 1/√(N+M)) (as in the reference implementation pytorch-ntm), not trained; every head starts focused
/// on slot 0 and the initial read vectors are zero.
///
/// ```swift
/// var generator = RandomGenerator(seed: 0)
/// let machine = NeuralTuringMachine(
///     inputSize: 3, outputSize: 2, controller: .lstm(hiddenSize: 16), memorySlots: 8, memoryWidth: 4,
///     using: &generator)
/// let inputs = Tensor.uniform([5, 2, 3], low: 0, high: 1, using: &generator)   // [T, B, I]
/// let (outputs, final) = machine(inputs)                                       // outputs [5, 2, 2]
/// print(outputs.shape, final.memory.shape)                                     // [5, 2, 2] [2, 8, 4]
/// ```
/// Parameters: `controller.…` (``LSTMCell`` or ``Linear``), `read{k}.projection.…`, `write{k}.projection.…`,
/// `output.…`.
public struct NeuralTuringMachine: ParameterContainer {
    /// The controller kind and size.
    public let controllerKind: NeuralTuringMachineController
    /// The LSTM controller (when `controllerKind` is `.lstm`).
    public let lstmController: LSTMCell?
    /// The feed-forward controller (when `controllerKind` is `.feedForward`).
    public let feedForwardController: Linear?
    /// The read heads.
    public let readHeads: [NeuralTuringMachineHead]
    /// The write heads.
    public let writeHeads: [NeuralTuringMachineHead]
    /// `[h_t; r_t] → y_t`.
    public let output: Linear
    /// The memory every sequence starts from, `[N, M]` (a constant, not a parameter).
    public let initialMemory: Tensor

    /// A machine for inputs of `inputSize` and outputs of `outputSize` features, drawn from `generator`
    /// (controller, heads — write heads first — output layer, initial memory).
    public init(
        inputSize: Int, outputSize: Int, controller: NeuralTuringMachineController = .lstm(hiddenSize: 32),
        memorySlots: Int = 16, memoryWidth: Int = 8, readHeadCount: Int = 1, writeHeadCount: Int = 1,
        shiftCount: Int = 3, using generator: inout RandomGenerator
    ) {
        precondition(
            inputSize > 0 && outputSize > 0 && controller.hiddenSize > 0 && memorySlots > 0 && memoryWidth > 0
                && readHeadCount >= 0 && writeHeadCount >= 0 && shiftCount <= memorySlots,
            "NeuralTuringMachine: invalid sizes (input \(inputSize), output \(outputSize), controller "
                + "\(controller.hiddenSize), memory \(memorySlots)×\(memoryWidth), heads \(readHeadCount) read / "
                + "\(writeHeadCount) write, \(shiftCount) shifts)")
        controllerKind = controller
        let controllerInput = inputSize + readHeadCount * memoryWidth
        switch controller {
        case .lstm(let hidden):
            lstmController = LSTMCell(inputSize: controllerInput, hiddenSize: hidden, using: &generator)
            feedForwardController = nil
        case .feedForward(let hidden):
            lstmController = nil
            feedForwardController = Linear(inputSize: controllerInput, outputSize: hidden, using: &generator)
        }
        writeHeads = (0..<writeHeadCount).map { _ in
            NeuralTuringMachineHead(
                kind: .write, controllerSize: controller.hiddenSize, memoryWidth: memoryWidth,
                shiftCount: shiftCount, using: &generator)
        }
        readHeads = (0..<readHeadCount).map { _ in
            NeuralTuringMachineHead(
                kind: .read, controllerSize: controller.hiddenSize, memoryWidth: memoryWidth,
                shiftCount: shiftCount, using: &generator)
        }
        output = Linear(
            inputSize: controller.hiddenSize + readHeadCount * memoryWidth, outputSize: outputSize, using: &generator)
        let bound = 1 / Float(memorySlots + memoryWidth).squareRoot()
        initialMemory = Tensor.uniform([memorySlots, memoryWidth], low: -bound, high: bound, using: &generator)
    }

    /// Number of memory slots N.
    public var memorySlots: Int { initialMemory.shape[0] }
    /// Width M of a slot.
    public var memoryWidth: Int { initialMemory.shape[1] }
    /// Number of input features.
    public var inputSize: Int {
        (lstmController?.inputSize ?? feedForwardController?.inputSize ?? 0) - readHeads.count * memoryWidth
    }

    /// `controller.…`, `read{k}.…`, `write{k}.…`, `output.…`.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        var named: [(name: String, parameter: Parameter)] = []
        if let lstmController { named += prefixed("controller", lstmController) }
        if let feedForwardController { named += prefixed("controller", feedForwardController) }
        for (k, head) in readHeads.enumerated() { named += prefixed("read\(k)", head) }
        for (k, head) in writeHeads.enumerated() { named += prefixed("write\(k)", head) }
        return named + prefixed("output", output)
    }

    /// The state every sequence starts from: the initial memory, all heads on slot 0, zero reads.
    public func initialState(batchSize: Int) -> NeuralTuringMachineState {
        precondition(batchSize > 0, "NeuralTuringMachine.initialState: batch size \(batchSize) must be positive")
        let (slots, width) = (memorySlots, memoryWidth)
        let memory = initialMemory.reshaped([1, slots, width]).expanded(to: [batchSize, slots, width])
        let focus = Tensor.oneHot(IndexTensor([Int](repeating: 0, count: batchSize)), classes: slots)
        return NeuralTuringMachineState(
            controller: lstmController?.zeroState(batchSize: batchSize), memory: memory,
            readWeights: readHeads.map { _ in focus }, writeWeights: writeHeads.map { _ in focus },
            reads: readHeads.map { _ in Tensor.zeros([batchSize, width]) })
    }

    /// One step: the output logits `[B, O]` for `input [B, I]` and the next state.
    public func step(_ input: Tensor, state: NeuralTuringMachineState) -> (
        output: Tensor, state: NeuralTuringMachineState
    ) {
        let batch = state.memory.shape[0]
        precondition(
            input.rank == 2 && input.shape == [batch, inputSize],
            "NeuralTuringMachine.step: input \(input.shape) is not [\(batch), \(inputSize)]")
        let controllerInput = Tensor.concatenate([input] + state.reads, axis: 1)
        var next = state
        let hidden: Tensor
        if let lstmController, let controllerState = state.controller {
            let updated = lstmController(controllerInput, state: controllerState)
            next.controller = updated
            hidden = updated.hidden
        } else if let feedForwardController {
            hidden = feedForwardController(controllerInput).tanh()
        } else {
            preconditionFailure("NeuralTuringMachine.step: an LSTM controller needs a state with a controller part")
        }
        for (k, head) in writeHeads.enumerated() {
            let emitted = head.emit(hidden)
            let weights = head.address(emitted, memory: next.memory, previous: state.writeWeights[k])
            next.writeWeights[k] = weights
            if let erase = emitted.erase, let add = emitted.add {
                next.memory = NeuralTuringMachineMemory.write(
                    memory: next.memory, weights: weights, erase: erase, add: add)
            }
        }
        for (k, head) in readHeads.enumerated() {
            let weights = head.address(head.emit(hidden), memory: next.memory, previous: state.readWeights[k])
            next.readWeights[k] = weights
            next.reads[k] = NeuralTuringMachineMemory.read(memory: next.memory, weights: weights)
        }
        return (output(Tensor.concatenate([hidden] + next.reads, axis: 1)), next)
    }

    /// Runs `inputs [T, B, I]` from `state` (default: ``initialState(batchSize:)``): the output logits `[T, B, O]`
    /// and the final state.
    public func callAsFunction(_ inputs: Tensor, state: NeuralTuringMachineState? = nil) -> (
        outputs: Tensor, finalState: NeuralTuringMachineState
    ) {
        precondition(
            inputs.rank == 3 && inputs.shape[0] > 0 && inputs.shape[2] == inputSize,
            "NeuralTuringMachine: inputs \(inputs.shape) are not [T, B, \(inputSize)] with T > 0")
        var current = state ?? initialState(batchSize: inputs.shape[1])
        var outputs: [Tensor] = []
        for t in 0..<inputs.shape[0] {
            let (y, next) = step(inputs.slice(axis: 0, range: t..<(t + 1)).squeezed(axis: 0), state: current)
            outputs.append(y)
            current = next
        }
        return (Tensor.stack(outputs, axis: 0), current)
    }
}
