import Dispatch
import Foundation
import Synchronization

/// A deterministic parallel loop for the raw kernels: a range of indices split into contiguous chunks, one chunk per
/// thread, run with `DispatchQueue.concurrentPerform`.
///
/// Results never depend on the thread count as long as each output element (or each row of a per-row reduction) is
/// written by one chunk only and no value is summed across chunks: the callers (optimizer updates, softmax,
/// log-softmax, the fused cross-entropy, large elementwise maps) follow that rule, so 1 and N threads give
/// bit-identical results. Work below ``parallelThreshold`` elements stays on the calling thread.
///
/// The thread count follows OpenBLAS, which runs the matrix products: `OPENBLAS_NUM_THREADS` when set (so
/// `OPENBLAS_NUM_THREADS=1` keeps every kernel on one core), else the number of active processors;
/// `MONTAGUE_NUM_THREADS` overrides it for these kernels only. Set ``threadCount`` to change it for the process,
/// or use ``withThreadCount(_:_:)`` for one task.
///
/// Only loops whose bodies are written out at the call site are split: a generic kernel that calls a closure
/// argument per element (``unary(_:_:)``, ``binary(_:_:outputShape:_:)``) would lose its inlining and vectorization
/// inside the per-chunk closure (measured 4× slower per element), so those stay on one thread.
/// This mirrors PyTorch's intra-op parallelism (`at::parallel_for` with a grain size,
/// https://pytorch.org/docs/stable/notes/cpu_threading_torchscript_inference.html).
extension Kernels {
    /// Element count from which kernels split their work over threads (64 Ki, small enough for a 5000-class row
    /// block, large enough that a dispatch costs less than a few percent of the loop).
    public static let parallelThreshold = 1 << 16

    static let threadCountStorage = Atomic<Int>(defaultThreadCount())

    @TaskLocal
    static var threadCountOverride: Int?

    /// `MONTAGUE_NUM_THREADS`, else `OPENBLAS_NUM_THREADS`, when it is a positive integer; else the active
    /// processor count (OpenBLAS's own default).
    static func defaultThreadCount() -> Int {
        let environment = ProcessInfo.processInfo.environment
        for name in ["MONTAGUE_NUM_THREADS", "OPENBLAS_NUM_THREADS"] {
            if let value = environment[name], let count = Int(value), count > 0 { return count }
        }
        return Swift.max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    /// The number of threads parallel kernels use (≥ 1), process-wide; a ``withThreadCount(_:_:)`` scope wins over it.
    public static var threadCount: Int {
        get { threadCountOverride ?? threadCountStorage.load(ordering: .relaxed) }
        set {
            precondition(newValue >= 1, "Kernels.threadCount: needs at least 1 thread, got \(newValue)")
            threadCountStorage.store(newValue, ordering: .relaxed)
        }
    }

    /// Runs `body` with parallel kernels using `count` threads in the current task (and the tasks it creates).
    public static func withThreadCount<Result>(_ count: Int, _ body: () throws -> Result) rethrows -> Result {
        precondition(count >= 1, "Kernels.withThreadCount: needs at least 1 thread, got \(count)")
        return try $threadCountOverride.withValue(count) { try body() }
    }

    /// Calls `body` on contiguous, disjoint sub-ranges covering `0..<count`, in parallel when `count · cost` reaches
    /// ``parallelThreshold`` and ``threadCount`` > 1, else once on the whole range on the calling thread.
    ///
    /// `cost` is the work per index in elements (a row of `C` classes: `C`), so that rows count by their size.
    /// The split depends only on `count` and the thread count; `body` must write disjoint outputs per index.
    @inlinable
    public static func parallelFor(_ count: Int, cost: Int = 1, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let work = count &* Swift.max(cost, 1)
        guard work >= parallelThreshold else { return body(0..<count) }
        let threads = Swift.min(threadCount, count, Swift.max(1, work / (parallelThreshold / 2)))
        guard threads > 1 else { return body(0..<count) }
        withoutActuallyEscaping(body) { body in
            let chunks = UncheckedSendableBox(body)
            DispatchQueue.concurrentPerform(iterations: threads) { chunk in
                let start = count * chunk / threads
                let end = count * (chunk + 1) / threads
                chunks.value(start..<end)
            }
        }
    }
}

/// Carries a value the caller promises to use without data races (disjoint writes) across `concurrentPerform`.
@usableFromInline
struct UncheckedSendableBox<Value>: @unchecked Sendable {
    @usableFromInline let value: Value
    @inlinable init(_ value: Value) { self.value = value }
}
