import Testing

@testable import Autodiff

/// Matrix products that add their gradient straight into the one accumulated so far for an input (first-order
/// passes): the result must equal the recorded (create-graph) pass, which sums fresh gradients, for weights and
/// inputs used many times, in either order of creation, and with other consumers in between.
@Suite("Autodiff: matrix-product gradients added in place")
struct InPlaceGradientAccumulationTests {
    func expectClose(_ a: Tensor, _ b: Tensor, _ label: String) {
        #expect(a.shape == b.shape, "\(label)")
        let worst = zip(a.scalars, b.scalars).map { Swift.abs($0 - $1) / Swift.max(1, Swift.abs($1)) }.max() ?? 0
        #expect(worst < 1e-5, "\(label): \(worst)")
    }

    @Test func aWeightUsedAtEveryStepGetsTheSummedGradient() {
        var generator = RandomGenerator(seed: 31)
        let weight = (Tensor.normal([7, 5], using: &generator) * 0.3).requiringGradient()
        let bias = Tensor.normal([7], using: &generator).requiringGradient()
        let table = Tensor.normal([7, 5], using: &generator).requiringGradient()
        let start = Tensor.normal([3, 5], using: &generator).requiringGradient()
        func loss() -> Tensor {
            // A decoder-like loop: the output layer (affine) and a soft feedback (matmul with a shared table) at
            // every step, the state also feeding the next step.
            var state = start
            var total = start.sum() * 0
            for step in 0..<4 {
                let logits = Tensor.affine(state, weight: weight, bias: bias)
                let distribution = (logits * Float(step + 1) * 0.5).softmax(axis: -1)
                let feedback = distribution.matmul(table)  // [3, 5]
                state = (state + feedback).tanh()
                total = total + (logits * logits).sum() * 0.01 + state.sum()
            }
            // One more use of the weight through a transposed product.
            return total + Tensor.matmul(state, weight, transposeB: true).sum()
        }
        let targets = [weight, bias, table, start]
        let first = gradients(of: loss(), wrt: targets)
        let recorded = gradients(of: loss(), wrt: targets, createGraph: true)
        for (index, (a, b)) in zip(first, recorded).enumerated() { expectClose(a, b, "target \(index)") }
        #expect(first[0].scalars.contains { $0 != 0 } && first[2].scalars.contains { $0 != 0 })
    }

    @Test func inputsUsedByTwoProductsAndAReLULayer() {
        var generator = RandomGenerator(seed: 32)
        let x = Tensor.normal([4, 6], using: &generator).requiringGradient()
        let w1 = Tensor.normal([6, 6], using: &generator).requiringGradient()
        let b1 = Tensor.normal([6], using: &generator).requiringGradient()
        func loss() -> Tensor {
            let hidden = Tensor.affine(x, weight: w1, bias: b1).relu()  // the fused affine-ReLU node
            let again = Tensor.affine(hidden, weight: w1, bias: b1).relu()
            let mixed = Tensor.matmul(x, w1) + Tensor.matmul(again, w1, transposeB: true)
            return (mixed * mixed).sum() + x.reshaped([24]).sum()
        }
        let targets = [x, w1, b1]
        let first = gradients(of: loss(), wrt: targets)
        let recorded = gradients(of: loss(), wrt: targets, createGraph: true)
        for (index, (a, b)) in zip(first, recorded).enumerated() { expectClose(a, b, "target \(index)") }
    }

    @Test func theGradientsAreThoseOfFiniteDifferences() {
        var generator = RandomGenerator(seed: 33)
        let x = Tensor.normal([2, 3], using: &generator)
        let w = Tensor.normal([3, 3], using: &generator)
        let check = checkGradients(at: [x, w]) { inputs in
            var h = inputs[0]
            for _ in 0..<3 { h = Tensor.affine(h, weight: inputs[1], bias: Tensor.zeros([3])).tanh() }
            return h.matmul(inputs[1])
        }
        #expect(check.passes(), "\(check)")
    }
}
