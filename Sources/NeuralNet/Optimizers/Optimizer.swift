/// A first-order optimizer: turns gradients into in-place updates of the parameters it was created with.
///
/// The loop follows PyTorch's `torch.optim` (https://pytorch.org/docs/stable/optim.html), minus `zero_grad`
/// (our gradients are values, not accumulators):
///
/// ```swift
/// let optimizer = Adam(model.parameters, learningRate: 1e-3)
/// let loss = lossFunction(model(x), y)
/// optimizer.step(gradients(of: loss, wrt: model.parameterValues))
/// ```
///
/// Updates run on the raw scalars (no tape) and are written back with ``Parameter/update(scalars:)``, so the
/// parameters stay the same tape leaves. The state (moment estimates, momentum buffers, step count) can be exported
/// as named tensors and imported again, which is how ``Checkpoint`` resumes training bit for bit. State tensors are
/// named `"<parameter index>.<slot>"` (`"0.exp_avg"`), the keys of PyTorch's `optimizer.state_dict()["state"]`.
public protocol Optimizer: AnyObject {
    /// The parameters updated by ``step(_:)``, in the order gradients are passed.
    var parameters: [Parameter] { get }
    /// The step size; learning-rate schedules set it between steps.
    var learningRate: Float { get set }
    /// How many updates have been applied (PyTorch's `state["step"]`).
    var stepCount: Int { get }
    /// Applies one update given one gradient per parameter (same order and shapes as ``parameters``).
    func step(_ gradients: [Tensor])
    /// The optimizer's state as named tensors (`"<index>.<slot>"`), for checkpoints.
    var stateTensors: [String: Tensor] { get }
    /// Replaces the state with tensors from ``stateTensors`` of an optimizer of the same kind over parameters of the
    /// same shapes. Throws a ``CheckpointError`` listing every missing, unexpected or misshapen tensor, and then
    /// leaves the optimizer untouched.
    func loadState(_ tensors: [String: Tensor], stepCount: Int) throws
}

extension Optimizer {
    /// The name stored in checkpoints to check that state is loaded into the same kind of optimizer.
    public var kindName: String { String(describing: type(of: self)) }
}

/// Helpers shared by the optimizers: argument checks and state export / import over per-parameter buffers.
enum OptimizerSupport {
    /// Stops with a message naming `op` when the gradients do not match the parameters one to one.
    static func checkGradients(_ gradients: [Tensor], for parameters: [Parameter], op: String) {
        precondition(
            gradients.count == parameters.count,
            "\(op).step: \(gradients.count) gradients for \(parameters.count) parameters")
        for (index, (gradient, parameter)) in zip(gradients, parameters).enumerated() {
            precondition(
                gradient.shape == parameter.shape,
                "\(op).step: gradient \(index) has shape \(gradient.shape), parameter has \(parameter.shape)")
        }
    }

    /// One zero buffer per parameter.
    static func zeroBuffers(for parameters: [Parameter], value: Float = 0) -> [[Float]] {
        parameters.map { [Float](repeating: value, count: $0.value.count) }
    }

    /// Named tensors for the given slots: `"<index>.<slot>"` with the parameter's shape.
    static func export(_ slots: [(name: String, buffers: [[Float]])], parameters: [Parameter]) -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for slot in slots {
            for (index, buffer) in slot.buffers.enumerated() {
                result["\(index).\(slot.name)"] = Tensor(shape: parameters[index].shape, scalars: buffer)
            }
        }
        return result
    }

    /// The shapes ``export(_:parameters:)`` produces for `slotNames`.
    static func expectedShapes(slotNames: [String], parameters: [Parameter]) -> [String: [Int]] {
        var result: [String: [Int]] = [:]
        for name in slotNames {
            for (index, parameter) in parameters.enumerated() { result["\(index).\(name)"] = parameter.shape }
        }
        return result
    }

    /// Reads the buffers of `slotNames` from `tensors`, or throws a ``CheckpointError`` listing every problem.
    /// Returns one array of per-parameter buffers per slot, in the order of `slotNames`.
    static func importSlots(
        _ slotNames: [String], from tensors: [String: Tensor], parameters: [Parameter], stepCount: Int
    ) throws -> [[[Float]]] {
        var problems = CheckpointError.layoutProblems(
            expected: expectedShapes(slotNames: slotNames, parameters: parameters),
            found: tensors.mapValues(\.shape))
        if stepCount < 0 { problems.append(.invalidMetadata(key: "step", value: "\(stepCount)")) }
        if !problems.isEmpty { throw CheckpointError(problems: problems) }
        return slotNames.map { name in
            parameters.indices.map { index in tensors["\(index).\(name)"]?.scalars ?? [] }
        }
    }
}
