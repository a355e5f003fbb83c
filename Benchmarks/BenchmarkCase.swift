/// What a benchmark reports: the unit of work per second.
enum BenchmarkMetric: String {
    /// Floating-point operations per second, in units of 10⁹ (a matrix product of `m×k·k×n` is `2mkn` operations).
    case gigaflopsPerSecond = "GFLOP/s"
    /// Optimizer steps per second (forward, backward, update).
    case stepsPerSecond = "steps/s"
    /// Training tokens per second (batch × sequence length per step).
    case tokensPerSecond = "tokens/s"

    /// Divisor from raw units per second to the reported value.
    var scale: Double { self == .gigaflopsPerSecond ? 1e9 : 1 }
}

/// One implementation of a case, e.g. `Tensor.matmul` ("montague") or a direct `cblas_sgemm` call ("cblas").
struct BenchmarkVariant {
    /// The `impl` field of the JSON line: "montague", "cblas" (PyTorch runs in bench/pytorch_reference.py).
    let implementation: String
    /// Units of the metric one call of `body` performs (operations, steps or tokens).
    let unitsPerIteration: Double
    /// One iteration. Must leave its inputs as it found them (or evolve them harmlessly, like a training step).
    let body: () -> Void
}

/// A named workload measured under one or more implementations on the same data.
///
/// The harness interleaves the variants' samples so a noisy neighbour on a shared machine slows all of them alike.
struct BenchmarkCase {
    /// The `case` field of the JSON line; must match the name used by bench/pytorch_reference.py.
    let name: String
    /// What the value measures.
    let metric: BenchmarkMetric
    /// The implementations to compare.
    let variants: [BenchmarkVariant]
}

/// A registered benchmark: its name, and a factory that builds its data only when the case is selected (or returns
/// `nil` while the case is a hook waiting for an implementation).
struct BenchmarkEntry {
    /// The case name (the `case` field of the JSON line).
    let name: String
    /// Builds the case: allocates and fills its data.
    let make: () -> BenchmarkCase?
}

/// Keeps a value alive and opaque to the optimizer so the work that produced it is not removed.
@inline(never)
func blackHole<T>(_ value: T) {
    withExtendedLifetime(value) {}
}
