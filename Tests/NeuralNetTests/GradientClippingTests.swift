import NeuralNet
import Testing

@Suite("Gradient clipping by global norm (torch.nn.utils.clip_grad_norm_)")
struct GradientClippingTests {
    @Test func scalesDownToMaxNorm() {
        // ‖([3, 4], [[12]])‖ = √(9 + 16 + 144) = 13; c = 6.5 / (13 + 1e-6) ≈ 0.5 (torch gives 1.49999988,
        // 1.99999988, 5.99999952).
        let (clipped, norm) = clipByGlobalNorm([Tensor([3, 4]), Tensor([[12]])], maxNorm: 6.5)
        #expect(norm == 13)
        #expect(clipped[0].shape == [2] && clipped[1].shape == [1, 1])
        let expected: [Float] = [1.49999988, 1.99999988, 5.99999952]
        let got = clipped[0].scalars + clipped[1].scalars
        for (a, b) in zip(got, expected) { #expect(abs(a - b) <= 1e-6, "\(got)") }
        let clippedNorm = got.reduce(0) { $0 + $1 * $1 }.squareRoot()
        #expect(abs(clippedNorm - 6.5) < 1e-5)
    }

    @Test func leavesSmallGradientsAlone() {
        let gradients = [Tensor([0.3, -0.4]), Tensor([[0, 0], [0, 0]])]
        let (clipped, norm) = clipByGlobalNorm(gradients, maxNorm: 1)
        #expect(abs(norm - 0.5) < 1e-7)
        #expect(clipped == gradients)
    }

    @Test func emptyAndZeroGradients() {
        #expect(clipByGlobalNorm([], maxNorm: 1).norm == 0)
        let (clipped, norm) = clipByGlobalNorm([Tensor.zeros([3])], maxNorm: 0)
        #expect(norm == 0)
        #expect(clipped[0].scalars == [0, 0, 0])
    }
}
