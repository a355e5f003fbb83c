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
    /// Whether the backward rule may add products straight into the gradients already accumulated for its inputs
    /// (``GradientAccumulator``): set by matrix products, whose weight gradients are large and summed over many
    /// uses of one weight (a decoder's output layer over the time steps).
    @usableFromInline let addsGradientsInPlace: Bool

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
        addsGradientsInPlace = false
    }

    @usableFromInline
    init(
        op: String, inputs: [Tensor], outputShape: [Int], outputScalars: [Float], sliceLowerBounds: [Int]? = nil,
        addsGradientsInPlace: Bool = false, backward: @escaping BackwardRule
    ) {
        id = TapeNode.counter.add(1, ordering: .relaxed).newValue
        TapeNode.live.add(1, ordering: .relaxed)
        self.op = op
        self.inputs = inputs
        self.backward = backward
        self.outputShape = outputShape
        self.outputScalars = outputScalars
        self.sliceLowerBounds = sliceLowerBounds
        self.addsGradientsInPlace = addsGradientsInPlace
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
    /// In a first-order pass, while the rule of a node with ``TapeNode/addsGradientsInPlace`` runs: the gradients
    /// accumulated so far for its inputs. `nil` otherwise.
    @TaskLocal @usableFromInline static var accumulator: GradientAccumulator? = nil
}

/// The gradients accumulated so far for the inputs of the node whose backward rule is running (first-order pass
/// only), so that a matrix product can add its gradient into one with a single GEMM (BLAS `β = 1`) instead of
/// writing a fresh buffer that the pass then adds element by element. The pass puts every buffer back after the
/// rule, used or not. `@unchecked Sendable`: one backward pass owns it, and only the thread running that pass's
/// rules (synchronously, one at a time) touches it.
@usableFromInline
final class GradientAccumulator: @unchecked Sendable {
    /// Accumulated gradients by input node.
    var buffers: [ObjectIdentifier: [Float]]

    init(buffers: [ObjectIdentifier: [Float]]) { self.buffers = buffers }

    /// Adds `a·b` (`m × k` times `k × n`, given by `body`'s GEMM) into the accumulated gradient of `target` when there
    /// is one of `count` scalars: `body` gets its buffer and must add into it. Returns whether it did.
    func add(into target: Tensor, count: Int, _ body: (UnsafeMutablePointer<Float>) -> Void) -> Bool {
        guard let node = target.node else { return false }
        let key = ObjectIdentifier(node)
        guard var buffer = buffers.removeValue(forKey: key) else { return false }
        defer { buffers[key] = buffer }
        guard buffer.count == count, count > 0 else { return false }
        buffer.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
        return true
    }
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
        recorded(
            op, shape: shape, scalars: scalars, inputs: inputs, sliceLowerBounds: sliceLowerBounds,
            addsGradientsInPlace: false, backward: backward)
    }

    /// ``recorded(_:shape:scalars:inputs:sliceLowerBounds:backward:)`` for a rule that may add gradients in place
    /// (``TapeNode/addsGradientsInPlace``).
    @inlinable
    static func recorded(
        _ op: String, shape: [Int], scalars: [Float], inputs: [Tensor], sliceLowerBounds: [Int]? = nil,
        addsGradientsInPlace: Bool, backward: @escaping BackwardRule
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
            addsGradientsInPlace: addsGradientsInPlace, backward: backward)
        return Tensor(shape: shape, scalars: scalars, node: node)
    }
}
