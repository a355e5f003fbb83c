import Foundation
import Synchronization
import Testing
import _MontagueTestSupport

@testable import Autodiff

/// What the training step's non-GEMM work relies on: the needed-inputs mask of backward rules, in-place parameter
/// updates, the affine op with a per-row addend, and the allocator setting for reused buffers.
@Suite("Step overhead: needed inputs, in-place updates, per-row affine")
struct StepOverheadTests {
    var generator = RandomGenerator(seed: 23)

    /// What a probing backward rule saw, one `[x needed, w needed]` per call.
    final class ProbeLog: Sendable {
        let entries = Mutex<[[Bool]]>([])
    }

    /// A `x * w` op whose backward rule records, per input, whether the pass said it needs that gradient.
    static func probedProduct(_ x: Tensor, _ w: Tensor, log: ProbeLog) -> Tensor {
        Tensor.recorded("probe", shape: x.shape, scalars: (x * w).scalars, inputs: [x, w]) { g, inputs, _ in
            log.entries.withLock { $0.append([inputs[0].isGradientNeeded, inputs[1].isGradientNeeded]) }
            return [
                inputs[0].isGradientNeeded ? g * inputs[1] : nil,
                inputs[1].isGradientNeeded ? g * inputs[0] : nil,
            ]
        }
    }

    @Test(arguments: [false, true])
    mutating func backwardRulesSkipInputsNoTargetDependsOn(createGraph: Bool) {
        let x = Tensor.normal([3], using: &generator).requiringGradient()
        let w = Tensor.normal([3], using: &generator).requiringGradient()
        let log = ProbeLog()
        let y = Self.probedProduct(x, w, log: log).sum()
        let dx = gradients(of: y, wrt: [x], createGraph: createGraph)[0]
        expectClose(dx.scalars, w.scalars, "dx")
        #expect(log.entries.withLock { $0 } == [[true, false]])
        let both = gradients(of: y, wrt: [x, w], createGraph: createGraph)
        expectClose(both[1].scalars, x.scalars, "dw")
        #expect(log.entries.withLock { $0.last } == [true, true])
    }

    @Test mutating func secondOrderThroughSkippedWeightGradientStillFlows() {
        // A gradient penalty: d/dw of |d(x·w)/dx|² = d/dw |w|² = 2w, although the inner pass skips dW.
        let x = Tensor.normal([2, 3], using: &generator).requiringGradient()
        let w = Tensor.normal([4, 3], using: &generator).requiringGradient()
        let b = Tensor.normal([4], using: &generator).requiringGradient()
        let y = Tensor.affine(x, weight: w, bias: b).sum()
        let dx = gradients(of: y, wrt: [x], createGraph: true)[0]
        let penalty = (dx * dx).sum()
        let dw = gradient(of: penalty, wrt: w)
        // dx[r, c] = Σ_j w[j, c], so the penalty is 2·Σ_c (Σ_j w[j, c])² and dW[j, c] = 4·Σ_j' w[j', c].
        let columnSums = (0..<3).map { c in (0..<4).reduce(Float(0)) { $0 + w.scalars[$1 * 3 + c] } }
        expectClose(dw.scalars, (0..<4).flatMap { _ in columnSums.map { 4 * $0 } }, "dW of the penalty")
    }

    @Test mutating func affineWithPerRowAddendMatchesMatmulPlusAddend() {
        let x = Tensor.normal([3, 4], using: &generator).requiringGradient()
        let w = Tensor.normal([5, 4], using: &generator).requiringGradient()
        let addend = Tensor.normal([3, 5], using: &generator).requiringGradient()
        let fused = Tensor.affine(x, weight: w, bias: addend)
        let unfused = Tensor.matmul(x, w, transposeB: true) + addend
        expectClose(fused.scalars, unfused.scalars, "values")
        let seed = Tensor.normal([3, 5], using: &generator)
        let got = gradients(of: fused, wrt: [x, w, addend], seed: seed)
        let expected = gradients(of: unfused, wrt: [x, w, addend], seed: seed)
        for (name, (g, e)) in zip(["x", "weight", "addend"], zip(got, expected)) {
            expectClose(g.scalars, e.scalars, name)
        }
        let second = checkSecondOrderGradients(at: [x.detached(), w.detached(), addend.detached()]) {
            Tensor.affine($0[0], weight: $0[1], bias: $0[2]).tanh()
        }
        #expect(second.passes(), "\(second)")
    }

    @Test mutating func inPlaceUpdateKeepsEarlierValuesAndTheLeaf() {
        let parameter = Parameter(Tensor.normal([4], using: &generator))
        let before = parameter.value
        parameter.updateInPlace { buffer in
            for i in buffer.indices { buffer[i] += 1 }
        }
        expectClose(parameter.value.scalars, before.scalars.map { $0 + 1 }, "updated")
        #expect(parameter.value.shape == [4])
        // `before` shared the storage, so the update copied first: the earlier tensor is unchanged.
        #expect(before.scalars != parameter.value.scalars)
        // Still the same leaf: gradients with respect to it work through the new value.
        let loss = (parameter.value * parameter.value).sum()
        let grad = gradient(of: loss, wrt: parameter.value)
        expectClose(grad.scalars, parameter.value.scalars.map { 2 * $0 }, "gradient")
    }

    @Test func logOnePlusMatchesLibmOnTheUnitInterval() {
        var worst: Double = 0
        for k in 0...200_000 {
            let u = k == 0 ? Float(0) : Float(k) / 200_000 * (k % 2 == 0 ? 1 : 1e-3)
            let got = Double(Kernels.logOnePlusInUnitInterval(u))
            let want = Foundation.log1p(Double(u))
            worst = Swift.max(worst, want == 0 ? abs(got) : abs(got - want) / want)
        }
        #expect(worst < 4e-7, "max relative error \(worst)")
        #expect(Kernels.logOnePlusInUnitInterval(1e-30) == 1e-30)
    }

    @Test func softplusOfTheLossMatchesLibmIncludingTheTails() {
        var values = (-12_000...12_000).map { Float($0) / 100 }
        values += [0, -0, 86.99, 87, 87.01, -87, -87.01, 200, -200]  // (±∞ give NaN: the loss subtracts x·t)
        let x = Tensor(values)
        // With target 0 the loss is softplus(x).
        let loss = binaryCrossEntropyWithLogits(logits: x, targets: Tensor.zeros([values.count]), reduction: .none)
        for (value, got) in zip(values, loss.scalars) {
            let v = Double(value)
            let want = Swift.max(v, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(v)))
            // Plus the smallest subnormal: below e⁻¹⁰³ the Float result is 0 or subnormal.
            let tolerance = 5e-7 * want + Double(Float.leastNonzeroMagnitude)
            #expect(abs(Double(got) - want) <= tolerance, "softplus(\(value)) = \(got), want \(want)")
        }
        #expect(binaryCrossEntropyWithLogits(logits: Tensor([.nan]), targets: Tensor([0])).item.isNaN)
    }

    @Test func parametersTurnOnTheBufferCache() {
        _ = Parameter(Tensor.zeros([1]))
        #if canImport(Glibc)
        #expect(BufferCache.isRetainingFreedMemory)
        #endif
    }
}
