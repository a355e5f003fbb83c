import Foundation
import Generative
import NeuralNet
import Testing

/// The GAN losses against their formulas, WGAN-GP's penalty through second order, EBGAN's pull-away term.
@Suite("Adversarial objectives and the gradient penalty")
struct AdversarialObjectiveTests {
    let real = Tensor(shape: [3, 1], scalars: [1.0, -0.5, 2.0])
    let fake = Tensor(shape: [2, 1], scalars: [-1.0, 0.3])

    static func softplus(_ x: Double) -> Double { Foundation.log(1 + Foundation.exp(x)) }

    @Test func minimaxAndNonSaturatingLosses() {
        let d = MinimaxGANObjective().discriminatorLoss(real: real, fake: fake).item
        let expectedD =
            [1.0, -0.5, 2.0].map { Self.softplus(-$0) }.reduce(0, +) / 3
            + [-1.0, 0.3].map { Self.softplus($0) }.reduce(0, +) / 2
        #expect(abs(Double(d) - expectedD) < 1e-5)
        let minimax = MinimaxGANObjective().generatorLoss(fake: fake).item
        #expect(abs(Double(minimax) + [-1.0, 0.3].map { Self.softplus($0) }.reduce(0, +) / 2) < 1e-5)
        let nonSaturating = NonSaturatingGANObjective().generatorLoss(fake: fake).item
        #expect(abs(Double(nonSaturating) - [-1.0, 0.3].map { Self.softplus(-$0) }.reduce(0, +) / 2) < 1e-5)
    }

    @Test func leastSquaresCodes() {
        let objective = LeastSquaresGANObjective(a: -1, b: 1, c: 0)
        let d = objective.discriminatorLoss(real: real, fake: fake).item
        let expected = 0.5 * ([0.0, 2.25, 1.0].reduce(0, +) / 3) + 0.5 * ([0.0, 1.69].reduce(0, +) / 2)
        #expect(abs(Double(d) - expected) < 1e-5)
        #expect(abs(Double(objective.generatorLoss(fake: fake).item) - 0.5 * (1.0 + 0.09) / 2) < 1e-5)
    }

    @Test func wassersteinLossAndClipping() {
        #expect(abs(WassersteinObjective().discriminatorLoss(real: real, fake: fake).item - (-0.35 - 2.5 / 3)) < 1e-5)
        let parameter = Parameter(Tensor([0.5, -0.002, -3]))
        WeightClipping(bound: 0.01).apply(to: [parameter])
        #expect(parameter.value.scalars == [0.01, -0.002, -0.01])
    }

    /// A linear critic D(x) = w·x has ∇ₓD = w everywhere, so both penalties have closed forms.
    @Test func penaltyOfALinearCriticHasItsClosedForm() {
        let w = Tensor(shape: [2, 1], scalars: [1.5, 2.0])  // ‖w‖ = 2.5
        var generator = RandomGenerator(seed: 1)
        let points = Tensor.normal([4, 2], using: &generator)
        let twoSided = WGANGradientPenalty(weight: 10, form: .twoSided).penalty(critic: { $0.matmul(w) }, at: points)
        #expect(abs(twoSided.item - 10 * 1.5 * 1.5) < 1e-4)
        let oneSided = WGANGradientPenalty(weight: 10, form: .oneSided).penalty(critic: { $0.matmul(w) }, at: points)
        #expect(abs(oneSided.item - 10 * 1.5) < 1e-4)
        let small = Tensor(shape: [2, 1], scalars: [0.3, 0.4])  // ‖w‖ = 0.5: only the two-sided form penalizes
        #expect(WGANGradientPenalty(form: .oneSided).penalty(critic: { $0.matmul(small) }, at: points).item == 0)
        #expect(
            abs(WGANGradientPenalty(form: .twoSided).penalty(critic: { $0.matmul(small) }, at: points).item - 2.5)
                < 1e-4)
    }

    /// The penalty's gradient in an MLP critic's weights (a second-order quantity) against finite differences.
    @Test(arguments: WGANGradientPenalty.Form.allCases)
    func penaltyGradientMatchesFiniteDifferences(_ form: WGANGradientPenalty.Form) {
        var generator = RandomGenerator(seed: 4)
        let real = Tensor.normal([5, 2], using: &generator)
        let fake = Tensor.normal([5, 2], using: &generator) * 0.5
        let w1 = Tensor.normal([2, 6], standardDeviation: 1.2, using: &generator)
        let b1 = Tensor.normal([6], standardDeviation: 0.3, using: &generator)
        let w2 = Tensor.normal([6, 1], standardDeviation: 1.2, using: &generator)
        var mixing = RandomGenerator(seed: 11)
        let points = WGANGradientPenalty.interpolates(real: real, fake: fake, using: &mixing)
        let penalty = WGANGradientPenalty(weight: 10, form: form)
        let check = checkGradients(at: [w1, b1, w2], epsilon: 1e-3) { p in
            penalty.penalty(critic: { ($0.matmul(p[0]) + p[1]).tanh().matmul(p[2]) }, at: points)
        }
        #expect(check.passes(), "\(check)")
    }

    @Test func interpolatesLieOnTheSegments() {
        let real = Tensor([[0, 0], [1, 1]])
        let fake = Tensor([[2, 0], [1, 3]])
        var generator = RandomGenerator(seed: 2)
        let points = WGANGradientPenalty.interpolates(real: real, fake: fake, using: &generator)
        #expect(points.scalars[1] == 0)  // first segment is horizontal
        #expect(points.scalars[0] >= 0 && points.scalars[0] <= 2)
        #expect(points.scalars[2] == 1)  // second segment is vertical at x = 1
        #expect(!points.requiresGradient)
    }

    @Test func pullAwayTermOfOrthogonalAndParallelCodes() {
        let orthogonal = Tensor([[1, 0], [0, 2]])
        #expect(abs(EBGANObjective.pullAwayTerm(orthogonal).item) < 1e-6)
        let parallel = Tensor([[1, 1], [2, 2], [-1, -1]])
        #expect(abs(EBGANObjective.pullAwayTerm(parallel).item - 1) < 1e-5)
        let objective = EBGANObjective(margin: 1, pullAwayWeight: 0)
        let d = objective.discriminatorLoss(realEnergy: Tensor([0.2, 0.4]), fakeEnergy: Tensor([0.5, 3]))
        #expect(abs(d.item - (0.3 + 0.25)) < 1e-6)
    }

    @Test func infoGANLossIsCrossEntropyPlusHalfSquaredError() {
        let codes = InfoGANCodes(categories: 3, continuousCount: 1)
        let q = Tensor([[2, 0, 0, 0.5], [0, 0, 0, -0.5]])
        let c = Tensor([[1, 0, 0, 0.5], [0, 0, 1, 0.5]])
        let loss = codes.mutualInformationLoss(qOutput: q, codes: c, labels: [0, 2]).item
        let ce1 = -(2 - Foundation.log(Foundation.exp(2.0) + 2))
        let ce2 = Foundation.log(3.0)
        #expect(abs(Double(loss) - ((ce1 + ce2) / 2 + 0.5 * (0 + 1) / 2)) < 1e-5)
        var generator = RandomGenerator(seed: 3)
        let (sampled, labels) = codes.sample(count: 5, using: &generator)
        for row in 0..<5 {
            #expect(sampled.scalars[row * 4 + labels[row]] == 1)
            #expect(abs(sampled.scalars[row * 4 + 3]) <= 1)
        }
    }
}
