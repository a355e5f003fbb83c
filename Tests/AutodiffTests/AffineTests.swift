import Testing
import _MontagueTestSupport

@testable import Autodiff

/// The fused affine op `x·Wᵀ + b` against the same map from `matmul` and a broadcast addition.
@Suite("Neural ops: affine")
struct AffineTests {
    var generator = RandomGenerator(seed: 11)

    @Test mutating func matchesMatmulPlusBias() {
        let x = Tensor.normal([5, 3], using: &generator).requiringGradient()
        let w = Tensor.normal([4, 3], using: &generator).requiringGradient()
        let b = Tensor.normal([4], using: &generator).requiringGradient()
        let fused = Tensor.affine(x, weight: w, bias: b)
        let unfused = Tensor.matmul(x, w, transposeB: true) + b
        #expect(fused.shape == [5, 4])
        expectClose(fused.scalars, unfused.scalars, "values")
        let seed = Tensor.normal([5, 4], using: &generator)
        let fusedGradients = gradients(of: fused, wrt: [x, w, b], seed: seed)
        let unfusedGradients = gradients(of: unfused, wrt: [x, w, b], seed: seed)
        for (name, (got, expected)) in zip(["x", "weight", "bias"], zip(fusedGradients, unfusedGradients)) {
            #expect(got.shape == expected.shape, "\(name)")
            expectClose(got.scalars, expected.scalars, name)
        }
    }

    @Test func knownValues() {
        // [[1, 2]]·[[1, 0], [0, 1], [1, 1]]ᵀ + [10, 20, 30] = [[11, 22, 33]]
        let y = Tensor.affine(
            Tensor([[1, 2]]), weight: Tensor([[1, 0], [0, 1], [1, 1]]), bias: Tensor([10, 20, 30]))
        #expect(y == Tensor([[11, 22, 33]]))
        // An empty inner extent leaves the bias rows.
        let empty = Tensor.affine(Tensor.zeros([2, 0]), weight: Tensor.zeros([3, 0]), bias: Tensor([1, 2, 3]))
        #expect(empty == Tensor([[1, 2, 3], [1, 2, 3]]))
    }

    @Test mutating func gradientsFirstAndSecondOrder() {
        let x = Tensor.normal([3, 4], using: &generator) * 0.5
        let w = Tensor.normal([2, 4], using: &generator) * 0.5
        let b = Tensor.normal([2], using: &generator) * 0.5
        let first = checkGradients(at: [x, w, b]) { Tensor.affine($0[0], weight: $0[1], bias: $0[2]) }
        #expect(first.passes(), "\(first)")
        let second = checkSecondOrderGradients(at: [x, w, b]) {
            Tensor.affine($0[0], weight: $0[1], bias: $0[2]).tanh()
        }
        #expect(second.passes(), "\(second)")
    }

    @Test mutating func onlyTrackedInputsGetGradients() {
        let x = Tensor.normal([2, 3], using: &generator)
        let w = Tensor.normal([4, 3], using: &generator).requiringGradient()
        let b = Tensor.normal([4], using: &generator)
        let y = Tensor.affine(x, weight: w, bias: b)
        let dw = gradient(of: y.sum(), wrt: w)
        // d(Σ x·Wᵀ)/dW[j, c] = Σ_rows x[row, c] for every output j.
        let columnSums = (0..<3).map { c in x.scalars[c] + x.scalars[3 + c] }
        expectClose(dw.scalars, (0..<4).flatMap { _ in columnSums }, "dW")
    }
}
