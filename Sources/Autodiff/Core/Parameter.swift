/// A trainable tensor with a stable name: a reference-type holder so optimizers update it in place.
///
/// Its `value` is a gradient leaf; ``update(_:)`` replaces the scalars and keeps the leaf identity, so code that
/// captured the parameter keeps seeing the current value.
public final class Parameter: @unchecked Sendable {
    /// The current value; a leaf of the tape.
    public private(set) var value: Tensor

    /// Creates a parameter holding `initialValue` (made a gradient leaf).
    public init(_ initialValue: Tensor) {
        BufferCache.retainFreedMemory()
        value = initialValue.requiringGradient()
    }

    /// The shape of the value.
    public var shape: [Int] { value.shape }

    /// Replaces the scalars (same shape) keeping the tape leaf. Used by optimizers and checkpoint loading.
    public func update(_ newValue: Tensor) {
        precondition(
            newValue.shape == value.shape,
            "Parameter.update: new shape \(newValue.shape) differs from \(value.shape)")
        value = Tensor(shape: value.shape, scalars: newValue.scalars, node: value.node)
    }

    /// Rewrites the scalars in place through `body`, keeping the shape and the tape leaf (optimizer updates).
    ///
    /// When nothing else shares the storage — the usual case once the step's graph has been freed — no memory is
    /// allocated and the update streams over the parameter once; otherwise the scalars are copied first
    /// (copy-on-write), so a tensor taken from ``value`` earlier keeps its values. `body` must not read ``value``.
    public func updateInPlace<Result>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> Result) rethrows -> Result {
        let (shape, node) = (value.shape, value.node)
        var scalars = value.scalars
        value = Tensor(shape: shape, scalars: [], node: node)  // drop this reference so `scalars` can be unique
        defer { value = Tensor(shape: shape, scalars: scalars, node: node) }
        return try scalars.withUnsafeMutableBufferPointer { buffer in try body(buffer) }
    }

    /// Writes the next scalars from the current ones through `body(current, next)`, keeping the shape and the tape
    /// leaf (optimizer updates): `body` must write every element of `next`, reading `current` at the same index
    /// only, because the two may be the same memory.
    ///
    /// A training step's graph (the inputs of its first ops, the `wrt:` array of the gradient call) usually still
    /// holds the current storage when the optimizer runs, so an update in place would first copy it (copy-on-write).
    /// Instead, once that has happened, the parameter keeps a second buffer: each update writes into the buffer of
    /// the step before last — free by then — and keeps the current one as the next spare, so steady-state training
    /// neither copies nor allocates (the double buffering of a compiled step that donates its parameters). When
    /// nothing else shares the storage the update is in place and no second buffer is made. A tensor taken from
    /// ``value`` earlier always keeps its values. `body` must not read ``value``.
    public func updateScalars<Result>(
        _ body: (_ current: UnsafeBufferPointer<Float>, _ next: UnsafeMutableBufferPointer<Float>) throws -> Result
    ) rethrows -> Result {
        let (shape, node) = (value.shape, value.node)
        var scalars = value.scalars
        value = Tensor(shape: shape, scalars: [], node: node)  // drop this reference so `scalars` can be unique
        if spare.count == scalars.count && !scalars.isEmpty {
            var next = spare
            spare = []  // unique again unless an old tensor still holds it (then writing copies it first)
            defer {
                spare = scalars
                value = Tensor(shape: shape, scalars: next, node: node)
            }
            return try scalars.withUnsafeBufferPointer { source in
                try next.withUnsafeMutableBufferPointer { destination in try body(source, destination) }
            }
        }
        let sharedBase = scalars.withUnsafeBufferPointer { $0.baseAddress }
        defer { value = Tensor(shape: shape, scalars: scalars, node: node) }
        return try scalars.withUnsafeMutableBufferPointer { buffer in
            if UnsafePointer(buffer.baseAddress) != sharedBase && buffer.count > 0 {
                // The storage was shared and has just been copied: double-buffer from the next update on.
                spare = [Float](repeating: 0, count: buffer.count)
            }
            return try body(UnsafeBufferPointer(buffer), buffer)
        }
    }

    /// The buffer ``updateScalars(_:)`` writes next (empty until an update found the storage shared).
    private var spare: [Float] = []

    /// Replaces the scalars from raw storage (same count).
    public func update(scalars: [Float]) {
        precondition(
            scalars.count == value.count,
            "Parameter.update(scalars:): \(scalars.count) scalars for shape \(value.shape)")
        value = Tensor(shape: value.shape, scalars: scalars, node: value.node)
    }
}

/// Anything that owns parameters: layers, models, optimizers' targets, checkpoints.
///
/// Names are stable, dot-separated paths (`encoder.lstm.weightIH`) and are the keys in checkpoints.
public protocol ParameterContainer {
    /// Every parameter with its full name, in a deterministic order.
    var namedParameters: [(name: String, parameter: Parameter)] { get }
}

extension ParameterContainer {
    /// The parameters in the order of ``namedParameters``.
    public var parameters: [Parameter] { namedParameters.map(\.parameter) }

    /// The current values, for `gradients(of:wrt:)`.
    public var parameterValues: [Tensor] { namedParameters.map(\.parameter.value) }

    /// Total number of scalars over all parameters.
    public var parameterCount: Int { namedParameters.reduce(0) { $0 + $1.parameter.value.count } }

    /// The parameters of `child`, named `prefix.childName`.
    public func prefixed(_ prefix: String, _ child: some ParameterContainer) -> [(name: String, parameter: Parameter)] {
        child.namedParameters.map { (name: prefix + "." + $0.name, parameter: $0.parameter) }
    }
}
