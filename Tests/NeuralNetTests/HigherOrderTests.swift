import Foundation
import NeuralNet
import Testing

/// Gradients of gradients on the patterns that need them: WGAN-GP's gradient penalty (Gulrajani et al. 2017) and
/// second-order MAML (Finn, Abbeel & Levine 2017), checked against closed forms.
@Suite("Higher-order gradients: MLP, WGAN-GP penalty, MAML meta-gradient")
struct HigherOrderTests {
    @Test func secondOrderThroughASmallMLPWithCrossEntropy() {
        var generator = RandomGenerator(seed: 3)
        let x = Tensor.normal([4, 3], using: &generator)
        let w1 = Tensor.normal([3, 5], standardDeviation: 0.5, using: &generator)
        let b1 = Tensor.normal([5], standardDeviation: 0.1, using: &generator)
        let w2 = Tensor.normal([5, 3], standardDeviation: 0.5, using: &generator)
        let labels = [0, 2, 1, 2]
        let mlp: ([Tensor]) -> Tensor = { p in
            crossEntropy(logits: (x.matmul(p[0]) + p[1]).tanh().matmul(p[2]), targets: labels)
        }
        let first = checkGradients(at: [w1, b1, w2], mlp)
        #expect(first.passes(), "\(first)")
        let second = checkSecondOrderGradients(at: [w1, b1, w2], mlp)
        #expect(second.passes(), "\(second)")
        let sigmoidMLP = checkSecondOrderGradients(at: [w1, b1, w2]) { p in
            ((x.matmul(p[0]) + p[1]).sigmoid().matmul(p[2])).logSoftmax().sum()
        }
        #expect(sigmoidMLP.passes(), "\(sigmoidMLP)")
    }

    /// Critic D(x) = ½ Σᵢ aᵢ xᵢ², so ∇ₓD = a ⊙ x and the penalty P(a) = (‖a ⊙ x̂‖ − 1)² has
    /// ∂P/∂aᵢ = 2(‖a ⊙ x̂‖ − 1) · aᵢ x̂ᵢ² / ‖a ⊙ x̂‖.
    @Test func wganGradientPenaltyMatchesClosedForm() {
        let a = Tensor([0.5, -1.5, 2.0]).requiringGradient()
        let xHat = Tensor([[1.0, 0.5, -0.25]]).requiringGradient()
        let critic = (a * xHat * xHat).sum() * 0.5
        let inputGradient = gradient(of: critic, wrt: xHat, createGraph: true)
        let norm = (inputGradient * inputGradient).sum().sqrt()
        let penalty = (norm - 1) * (norm - 1)
        let penaltyGradient = gradient(of: penalty, wrt: a)

        let av: [Double] = [0.5, -1.5, 2.0]
        let xv: [Double] = [1.0, 0.5, -0.25]
        let normValue = zip(av, xv).map { ($0 * $1) * ($0 * $1) }.reduce(0, +).squareRoot()
        #expect(abs(Double(penalty.item) - (normValue - 1) * (normValue - 1)) < 1e-5)
        for i in 0..<3 {
            let expected = 2 * (normValue - 1) * av[i] * xv[i] * xv[i] / normValue
            #expect(abs(Double(penaltyGradient.scalars[i]) - expected) < 1e-5, "component \(i)")
        }
    }

    /// The same penalty for an MLP critic on interpolates, against finite differences of the whole penalty.
    @Test func wganGradientPenaltyOfAnMLPCritic() {
        var generator = RandomGenerator(seed: 9)
        let real = Tensor.normal([3, 2], using: &generator)
        let fake = Tensor.normal([3, 2], using: &generator)
        let mix = Tensor.uniform([3, 1], using: &generator)
        let w1 = Tensor.normal([2, 4], using: &generator)
        let w2 = Tensor.normal([4, 1], using: &generator)
        let check = checkGradients(at: [w1, w2]) { p in
            let interpolates = (real * mix + fake * (1 - mix)).requiringGradient()
            let scores = interpolates.matmul(p[0]).tanh().matmul(p[1])
            let slopes = gradient(of: scores.sum(), wrt: interpolates, createGraph: true)
            let norms = (slopes * slopes).sum(axis: 1).sqrt()
            return ((norms - 1) * (norms - 1)).mean()
        }
        #expect(check.passes(), "\(check)")
    }

    /// One inner SGD step on a linear-regression task, then the query loss:
    /// w' = w − α∇L_s(w), ∇L_s(w) = 2Xₛᵀ(Xₛw − yₛ)/n, and the meta-gradient
    /// dL_q(w')/dw = (I − 2αXₛᵀXₛ/n) · 2X_qᵀ(X_q w' − y_q)/m.
    @Test func mamlMetaGradientMatchesClosedForm() {
        let supportX: [[Double]] = [[1, 2], [0.5, -1], [2, 0.5]]
        let supportY: [Double] = [1, 0, 2]
        let queryX: [[Double]] = [[1, 1], [-1, 0.5]]
        let queryY: [Double] = [0.5, -1]
        let w0: [Double] = [0.3, -0.2]
        let alpha = 0.1

        func tensor(_ rows: [[Double]]) -> Tensor { Tensor(rows.map { $0.map(Float.init) }) }
        let w = Tensor(shape: [2, 1], scalars: w0.map(Float.init)).requiringGradient()
        let xs = tensor(supportX)
        let ys = Tensor(shape: [3, 1], scalars: supportY.map(Float.init))
        let xq = tensor(queryX)
        let yq = Tensor(shape: [2, 1], scalars: queryY.map(Float.init))
        let supportLoss = ((xs.matmul(w) - ys) * (xs.matmul(w) - ys)).mean()
        let innerGradient = gradient(of: supportLoss, wrt: w, createGraph: true)
        let adapted = w - innerGradient * Float(alpha)
        let queryLoss = ((xq.matmul(adapted) - yq) * (xq.matmul(adapted) - yq)).mean()
        let metaGradient = gradient(of: queryLoss, wrt: w)

        // Closed form in Double.
        func residuals(_ x: [[Double]], _ y: [Double], _ w: [Double]) -> [Double] {
            zip(x, y).map { row, target in row[0] * w[0] + row[1] * w[1] - target }
        }
        func lossGradient(_ x: [[Double]], _ y: [Double], _ w: [Double]) -> [Double] {
            let r = residuals(x, y, w)
            return (0..<2).map { j in 2 * zip(x, r).map { $0[j] * $1 }.reduce(0, +) / Double(x.count) }
        }
        let gs = lossGradient(supportX, supportY, w0)
        let wAdapted = (0..<2).map { w0[$0] - alpha * gs[$0] }
        let gq = lossGradient(queryX, queryY, wAdapted)
        let gram = (0..<2).map { i in (0..<2).map { j in supportX.map { $0[i] * $0[j] }.reduce(0, +) } }
        let expected = (0..<2).map { i in
            (0..<2).map { j in ((i == j ? 1 : 0) - 2 * alpha * gram[i][j] / 3) * gq[j] }.reduce(0, +)
        }
        for i in 0..<2 {
            #expect(abs(Double(metaGradient.scalars[i]) - expected[i]) < 1e-5, "component \(i)")
        }
        // First-order MAML (dropping the Hessian term) differs: the test can tell them apart.
        #expect(abs(Double(metaGradient.scalars[0]) - gq[0]) > 1e-3)
    }
}
