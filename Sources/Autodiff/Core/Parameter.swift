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
