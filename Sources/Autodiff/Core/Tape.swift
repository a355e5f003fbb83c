import Synchronization

/// The rule that maps the gradient of an op's output to the gradients of its inputs.
///
/// It receives the output gradient, the op's inputs (with their tape nodes) and the op's output, and returns one
/// gradient per input (`nil` where the input takes no gradient). Rules are written with differentiable `Tensor` ops,
/// so in create-graph mode the returned gradients are themselves on the tape and can be differentiated again.
/// A rule must not capture the output tensor (that would make a cycle); it gets it as an argument instead.
public typealias BackwardRule = @Sendable (_ gradient: Tensor, _ inputs: [Tensor], _ output: Tensor) -> [Tensor?]

/// One recorded operation on the define-by-run tape.
///
/// Nodes hold their inputs and the scalars of their output, never the output tensor itself, so there are no
/// reference cycles. `id` increases with creation, which makes decreasing `id` a reverse topological order.
public final class TapeNode: @unchecked Sendable {
    @usableFromInline static let counter = Atomic<UInt64>(0)
    @usableFromInline static let live = Atomic<Int>(0)

    /// How many nodes exist right now, over all graphs. A training loop whose graphs are freed keeps this flat.
    public static var liveCount: Int { live.load(ordering: .relaxed) }

    deinit { TapeNode.live.subtract(1, ordering: .relaxed) }

    /// Creation order; every input node has a smaller id.
    public let id: UInt64
    /// The op name, for error messages and debugging.
    public let op: String
    @usableFromInline let inputs: [Tensor]
    @usableFromInline let backward: BackwardRule?
    @usableFromInline let outputShape: [Int]
    @usableFromInline let outputScalars: [Float]
    /// For a slice: where the output sits in the input (its lower bounds). Lets the first-order backward pass add
    /// the gradient straight into that box of the input's gradient instead of padding it to full size.
    @usableFromInline let sliceLowerBounds: [Int]?

    /// A leaf: a tensor the user asked gradients for.
    @usableFromInline
    init(leafShape: [Int]) {
        id = TapeNode.counter.add(1, ordering: .relaxed).newValue
        TapeNode.live.add(1, ordering: .relaxed)
        op = "leaf"
        inputs = []
        backward = nil
        outputShape = leafShape
        outputScalars = []
        sliceLowerBounds = nil
    }

    @usableFromInline
    init(
        op: String, inputs: [Tensor], outputShape: [Int], outputScalars: [Float], sliceLowerBounds: [Int]? = nil,
        backward: @escaping BackwardRule
    ) {
        id = TapeNode.counter.add(1, ordering: .relaxed).newValue
        TapeNode.live.add(1, ordering: .relaxed)
        self.op = op
        self.inputs = inputs
        self.backward = backward
        self.outputShape = outputShape
        self.outputScalars = outputScalars
        self.sliceLowerBounds = sliceLowerBounds
    }

    @usableFromInline var isLeaf: Bool { backward == nil }
}

/// Whether ops record themselves on the tape.
public enum GradientMode {
    @TaskLocal public static var isRecording: Bool = true
}

/// State of the backward pass being run, for backward rules.
@usableFromInline
enum BackwardPass {
    /// In a create-graph pass: the nodes whose gradients lead to a target. `nil` outside such a pass (a
    /// first-order pass detaches the other inputs instead, see `applyRule`).
    @TaskLocal @usableFromInline static var relevantNodes: Set<ObjectIdentifier>? = nil
}

extension Tensor {
    /// Inside a backward rule: whether the pass being run needs this input's gradient — it requires gradients and
    /// some target of ``gradients(of:wrt:seed:createGraph:)`` depends on it. A rule that skips the gradient of an
    /// input for which this is `false` returns `nil` there and saves the work (e.g. the weight gradient of a layer
    /// when only the gradient with respect to its input is asked for, as in a gradient penalty). Outside a backward
    /// pass it is ``requiresGradient``.
    @inlinable
    public var isGradientNeeded: Bool {
        guard let node else { return false }
        guard let relevant = BackwardPass.relevantNodes else { return true }
        return relevant.contains(ObjectIdentifier(node))
    }
}

/// Runs `body` without recording: results carry no tape (inference, target networks, optimizer updates).
@inlinable
public func withoutGradients<R>(_ body: () throws -> R) rethrows -> R {
    try GradientMode.$isRecording.withValue(false) { try body() }
}

/// Runs `body` recording again, even inside ``withoutGradients(_:)``.
@inlinable
public func withGradients<R>(_ body: () throws -> R) rethrows -> R {
    try GradientMode.$isRecording.withValue(true) { try body() }
}

extension Tensor {
    /// Builds the result of an op, recording it on the tape when recording is on and an input requires gradients.
    ///
    /// This is how every differentiable op is defined: compute `scalars` with a raw kernel, then hand the backward
    /// rule over. The rule only runs during ``gradients(of:wrt:seed:createGraph:)``.
    ///
    /// `sliceLowerBounds` marks a slice of its single input (the output is the box of `shape` starting there); the
    /// first-order pass then accumulates into that box directly. `backward` must still be the full rule (used in
    /// create-graph mode).
    @inlinable
    public static func recorded(
        _ op: String, shape: [Int], scalars: [Float], inputs: [Tensor], sliceLowerBounds: [Int]? = nil,
        backward: @escaping BackwardRule
    ) -> Tensor {
        var tracked = false
        for input in inputs where input.node != nil {
            tracked = true
            break
        }
        guard tracked, GradientMode.isRecording else {
            return Tensor(shape: shape, scalars: scalars, node: nil)
        }
        let node = TapeNode(
            op: op, inputs: inputs, outputShape: shape, outputScalars: scalars, sliceLowerBounds: sliceLowerBounds,
            backward: backward)
        return Tensor(shape: shape, scalars: scalars, node: node)
    }
}
