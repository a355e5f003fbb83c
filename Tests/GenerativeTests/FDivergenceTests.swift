import Foundation
import Generative
import NeuralNet
import Testing

/// f-GAN's divergences (Nowozin et al. 2016): conjugates, activations and the variational bound.
@Suite("f-divergences: conjugates, activations, optimal critics")
struct FDivergenceTests {
    /// `sup_u {u t − f(u)}` by a dense log-spaced grid then golden-section refinement around the best grid point.
    static func numericConjugate(_ divergence: FDivergence, _ t: Double) -> Double {
        let objective = { (u: Double) in u * t - divergence.f(u) }
        var bestU = 1e-6
        var bestValue = -Double.infinity
        var u = 1e-6
        while u < 1e4 {
            let value = objective(u)
            if value > bestValue { (bestU, bestValue) = (u, value) }
            u *= 1.01
        }
        var (low, high) = (bestU / 1.02, bestU * 1.02)
        let ratio = (5.0.squareRoot() - 1) / 2
        for _ in 0..<200 {
            let a = high - ratio * (high - low)
            let b = low + ratio * (high - low)
            if objective(a) > objective(b) { high = b } else { low = a }
        }
        return Swift.max(bestValue, objective((low + high) / 2))
    }

    @Test(arguments: FDivergence.allCases)
    func conjugateMatchesTheNumericSupremum(_ divergence: FDivergence) {
        // t = f′(u₀) puts the maximizer at the interior point u₀.
        for u0 in [0.2, 0.5, 1.0, 2.0, 5.0] {
            let t = divergence.derivative(u0)
            let closed = divergence.conjugate(t)
            let numeric = Self.numericConjugate(divergence, t)
            #expect(
                abs(closed - numeric) < 1e-6 * Swift.max(1, abs(closed)),
                "\(divergence) t=\(t): \(closed) vs \(numeric)")
            // Fenchel–Young at the maximizer: f(u₀) + f*(t) = u₀ t.
            #expect(abs(divergence.f(u0) + closed - u0 * t) < 1e-9)
        }
    }

    @Test(arguments: FDivergence.allCases)
    func optimalCriticAttainsTheTrueDivergence(_ divergence: FDivergence) {
        let p = [0.1, 0.2, 0.3, 0.4]
        let q = [0.25, 0.25, 0.4, 0.1]
        let truth = divergence.divergence(p, q)
        let optimal = zip(p, q).map { divergence.derivative($0 / $1) }
        #expect(abs(divergence.variationalBound(critic: optimal, p, q) - truth) < 1e-12)
        #expect(truth > divergence.divergence(p, p) + 1e-3)  // D_f(P ‖ P) = f(1) = 0 except for the GAN form
        // Any other critic in the conjugate's domain gives less.
        let perturbed = optimal.enumerated().map { $0.offset == 1 ? $0.element - 0.05 : $0.element }
        #expect(divergence.variationalBound(critic: perturbed, p, q) < truth)
    }

    @Test(arguments: FDivergence.allCases)
    func tensorActivationAndConjugateAgreeWithTheScalarForms(_ divergence: FDivergence) {
        let values: [Float] = [-3, -1, -0.2, 0, 0.4, 1.5, 3]
        let v = Tensor(values)
        let activation = divergence.activation(v)
        let composed = divergence.conjugateOfActivation(v)
        for (index, raw) in values.enumerated() {
            let t = divergence.activation(Double(raw))
            #expect(abs(Double(activation.scalars[index]) - t) < 1e-5, "\(divergence) g(\(raw))")
            #expect(abs(Double(composed.scalars[index]) - divergence.conjugate(t)) < 1e-4 * Swift.max(1, abs(t)))
        }
    }

    @Test func ganDivergenceIsTwiceJensenShannonMinusLogFour() {
        let p = [0.5, 0.3, 0.2]
        let q = [0.2, 0.2, 0.6]
        let m = zip(p, q).map { ($0 + $1) / 2 }
        let kl = { (a: [Double], b: [Double]) in zip(a, b).reduce(0) { $0 + $1.0 * Foundation.log($1.0 / $1.1) } }
        let js = 0.5 * kl(p, m) + 0.5 * kl(q, m)
        #expect(abs(FDivergence.jensenShannon.divergence(p, q) - 2 * js) < 1e-12)
        #expect(abs(FDivergence.gan.divergence(p, q) - (2 * js - Foundation.log(4))) < 1e-12)
        // At P = Q the optimal discriminator is ½ everywhere and the minimax value is −log 4.
        #expect(abs(FDivergence.gan.divergence(p, p) + Foundation.log(4)) < 1e-12)
        #expect(abs(FDivergence.gan.derivative(1) - Foundation.log(0.5)) < 1e-12)
    }

    @Test func fganCriticLossIsTheNegatedBound() {
        let objective = FGANObjective(divergence: .kullbackLeibler)
        let real = Tensor([0.5, 1.0])
        let fake = Tensor([0.0, -1.0])
        let expected = (0.5 + 1.0) / 2 - (Foundation.exp(-1.0) + Foundation.exp(-2.0)) / 2
        #expect(abs(Double(objective.divergenceEstimate(real: real, fake: fake).item) - expected) < 1e-6)
    }
}
