import Autodiff
import Foundation
import Testing
import _MontagueTestSupport

/// The fused LSTM / GRU gate ops against the same formulas written with elementwise ops: values, first-order
/// gradients (raw backward pass) and second-order gradients (the recorded backward rule).
@Suite("Fused recurrent gate ops")
struct RecurrentGatesTests {
    static let (batch, hidden) = (2, 3)

    /// Deterministic, distinct values in about ±1.5 (away from saturation, so finite differences are accurate).
    static func values(_ shape: [Int], _ offset: Double) -> Tensor {
        let count = shape.reduce(1, *)
        return Tensor(shape: shape, scalars: (0..<count).map { Float(1.5 * sin(0.61 * Double($0) + offset)) })
    }

    /// `c' = σ(f)c + σ(i)tanh(g)` and `h' = σ(o)tanh(c')` with unfused ops.
    static func lstmReference(gates: Tensor, cell: Tensor) -> (hidden: Tensor, cell: Tensor) {
        let parts = gates.split(count: 4, axis: 1)
        let next = parts[1].sigmoid() * cell + parts[0].sigmoid() * parts[2].tanh()
        return (parts[3].sigmoid() * next.tanh(), next)
    }

    /// PyTorch's GRU update with unfused ops.
    static func gruReference(inputGates: Tensor, hiddenGates: Tensor, state: Tensor) -> Tensor {
        let x = inputGates.split(count: 3, axis: 1)
        let h = hiddenGates.split(count: 3, axis: 1)
        let reset = (x[0] + h[0]).sigmoid()
        let update = (x[1] + h[1]).sigmoid()
        let candidate = (x[2] + reset * h[2]).tanh()
        return (1 - update) * candidate + update * state
    }

    static func lstmFused(gates: Tensor, cell: Tensor) -> (hidden: Tensor, cell: Tensor) {
        let next = Tensor.lstmCellUpdate(gates: gates, cell: cell)
        return (Tensor.lstmHiddenOutput(gates: gates, cell: next), next)
    }

    let gates = values([batch, 4 * hidden], 0.3)
    let cell = values([batch, hidden], 1.1)
    let inputGates = values([batch, 3 * hidden], 0.7)
    let hiddenGates = values([batch, 3 * hidden], 2.3)
    let state = values([batch, hidden], 0.2) * 0.6

    @Test func valuesMatchTheUnfusedFormulas() {
        let fused = Self.lstmFused(gates: gates, cell: cell)
        let reference = Self.lstmReference(gates: gates, cell: cell)
        expectClose(fused.cell.scalars, reference.cell.scalars, tolerance: 1e-6, "lstm cell")
        expectClose(fused.hidden.scalars, reference.hidden.scalars, tolerance: 1e-6, "lstm hidden")
        let gru = Tensor.gruCellUpdate(inputGates: inputGates, hiddenGates: hiddenGates, state: state)
        let gruReference = Self.gruReference(inputGates: inputGates, hiddenGates: hiddenGates, state: state)
        expectClose(gru.scalars, gruReference.scalars, tolerance: 1e-6, "gru")
        #expect(gru.shape == [Self.batch, Self.hidden])
    }

    @Test func firstOrderGradientsMatchTheUnfusedOps() {
        // A loss that weighs every output differently, so every gradient entry is exercised.
        let weightsH = Self.values([Self.batch, Self.hidden], 0.9)
        let weightsC = Self.values([Self.batch, Self.hidden], 1.7)
        func lstmLoss(_ step: (Tensor, Tensor) -> (hidden: Tensor, cell: Tensor), _ a: Tensor, _ c: Tensor) -> Tensor {
            let next = step(a, c)
            return (next.hidden * weightsH).sum() + (next.cell * weightsC).sum()
        }
        let (a, c) = (gates.requiringGradient(), cell.requiringGradient())
        let fused = gradients(of: lstmLoss(Self.lstmFused, a, c), wrt: [a, c])
        let reference = gradients(of: lstmLoss(Self.lstmReference, a, c), wrt: [a, c])
        for k in 0..<2 { expectClose(fused[k].scalars, reference[k].scalars, tolerance: 1e-5, "lstm input \(k)") }

        let (x, h, s) = (inputGates.requiringGradient(), hiddenGates.requiringGradient(), state.requiringGradient())
        let gruFused = gradients(
            of: (Tensor.gruCellUpdate(inputGates: x, hiddenGates: h, state: s) * weightsH).sum(), wrt: [x, h, s])
        let gruReference = gradients(
            of: (Self.gruReference(inputGates: x, hiddenGates: h, state: s) * weightsH).sum(), wrt: [x, h, s])
        for k in 0..<3 { expectClose(gruFused[k].scalars, gruReference[k].scalars, tolerance: 1e-5, "gru input \(k)") }
    }

    @Test func gradientChecksPass() {
        let lstm = checkGradients(at: [gates, cell]) { xs in
            let next = Self.lstmFused(gates: xs[0], cell: xs[1])
            return (next.hidden * next.hidden).sum() + next.cell.sum()
        }
        #expect(lstm.passes(), "\(lstm)")
        let gru = checkGradients(at: [inputGates, hiddenGates, state]) { xs in
            let next = Tensor.gruCellUpdate(inputGates: xs[0], hiddenGates: xs[1], state: xs[2])
            return (next * next).sum()
        }
        #expect(gru.passes(), "\(gru)")
    }

    @Test func secondOrderGradientChecksPass() {
        let lstm = checkSecondOrderGradients(at: [gates, cell]) { xs in
            let next = Self.lstmFused(gates: xs[0], cell: xs[1])
            return (next.hidden * next.hidden).sum() + (next.cell * next.cell).sum()
        }
        #expect(lstm.passes(), "\(lstm)")
        let gru = checkSecondOrderGradients(at: [inputGates, hiddenGates, state]) { xs in
            let next = Tensor.gruCellUpdate(inputGates: xs[0], hiddenGates: xs[1], state: xs[2])
            return (next * next).sum()
        }
        #expect(gru.passes(), "\(gru)")
    }

    @Test func inputsWithoutGradientsGetNone() {
        // Only the state requires gradients: the rule must still give it the right one (G ⊙ z for the GRU).
        let s = state.requiringGradient()
        let fused = gradient(
            of: Tensor.gruCellUpdate(inputGates: inputGates, hiddenGates: hiddenGates, state: s).sum(), wrt: s)
        let reference = gradient(
            of: Self.gruReference(inputGates: inputGates, hiddenGates: hiddenGates, state: s).sum(), wrt: s)
        expectClose(fused.scalars, reference.scalars, tolerance: 1e-6, "gru state only")
    }
}
