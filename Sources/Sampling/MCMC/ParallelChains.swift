import Autodiff
import Foundation

/// Runs several Markov chains at once on `DispatchQueue.concurrentPerform` (chains from dispersed
/// starts are what R-hat compares, Gelman & Rubin 1992), deterministically: chain `c` owns `RandomGenerator(seed: chainSeed(master, c))` and
/// writes only its own slot, so the results do not depend on how the chains are scheduled.
public enum ParallelChains {
    /// The seed of chain `index`: SplitMix64's finalizer (Steele, Lea & Flood 2014) of `master + (index + 1)·γ`,
    /// `γ = 0x9E3779B97F4A7C15`, so neighbouring chains get unrelated streams.
    public static func chainSeed(master: UInt64, chain index: Int) -> UInt64 {
        var z = master &+ UInt64(index + 1) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `body(c, &generatorᶜ)` for `c` in `0..<count`, concurrently; results in chain order.
    public static func run<Result: Sendable>(
        count: Int, seed: UInt64, _ body: @Sendable (Int, inout RandomGenerator) -> Result
    ) -> [Result] {
        let slots = ResultSlots<Result>(count: count)
        DispatchQueue.concurrentPerform(iterations: count) { chain in
            var generator = RandomGenerator(seed: chainSeed(master: seed, chain: chain))
            slots.store(body(chain, &generator), at: chain)
        }
        return slots.results
    }
}

/// Results produced on several threads: each slot is written once, under a lock.
final class ResultSlots<Result: Sendable>: @unchecked Sendable {
    private var slots: [Result?]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func store(_ result: Result, at index: Int) {
        lock.lock()
        slots[index] = result
        lock.unlock()
    }

    var results: [Result] {
        lock.lock()
        defer { lock.unlock() }
        return slots.compactMap { $0 }
    }
}
