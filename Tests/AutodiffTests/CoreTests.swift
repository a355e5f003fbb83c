import Foundation
import Testing

@testable import Autodiff

@Suite("Autodiff core: tape, broadcasting, matmul")
struct CoreTests {
    var generator = RandomGenerator(seed: 1)

    @Test func broadcastingAddMatchesNumPy() {
        let a = Tensor([[1, 2, 3], [4, 5, 6]])
        let b = Tensor([10, 20, 30])
        #expect((a + b).scalars == [11, 22, 33, 14, 25, 36])
        let column = Tensor(shape: [2, 1], scalars: [100, 200])
        #expect((a + column).scalars == [101, 102, 103, 204, 205, 206])
        let row = Tensor(shape: [1, 3], scalars: [1, 1, 1])
        #expect((column * row).shape == [2, 3])
        #expect((column * row).scalars == [100, 100, 100, 200, 200, 200])
        #expect(Broadcasting.shape([2, 1, 4], [3, 1]) == [2, 3, 4])
        #expect(Broadcasting.shape([2, 3], [4]) == nil)
    }

    @Test mutating func arithmeticGradientsWithBroadcasting() {
        let a = Tensor.uniform([2, 3], low: 0.5, high: 2, using: &generator)
        let b = Tensor.uniform([3], low: 0.5, high: 2, using: &generator)
        let c = Tensor.uniform([2, 1], low: 0.5, high: 2, using: &generator)
        let result = checkGradients(at: [a, b, c]) { x in (x[0] + x[1]) * x[2] - x[0] / x[1] + 3 / x[2] }
        #expect(result.passes(), "\(result)")
        let second = checkSecondOrderGradients(at: [a, b, c]) { x in (x[0] * x[1]) / x[2] }
        #expect(second.passes(), "\(second)")
    }

    @Test mutating func matmulGradientsFirstAndSecondOrder() {
        let a = Tensor.normal([3, 4], using: &generator)
        let b = Tensor.normal([4, 2], using: &generator)
        let product = a.matmul(b)
        #expect(product.shape == [3, 2])
        let expected00 = (0..<4).reduce(Float(0)) { $0 + a[0, $1] * b[$1, 0] }
        #expect(abs(product[0, 0] - expected00) < 1e-5)
        #expect(checkGradients(at: [a, b]) { $0[0].matmul($0[1]) }.passes())
        #expect(checkSecondOrderGradients(at: [a, b]) { x in x[0].matmul(x[1]).exp() }.passes())
        for (ta, tb) in [(false, true), (true, false), (true, true)] {
            let lhs = ta ? a.transposed() : a
            let rhs = tb ? b.transposed() : b
            let flagged = Tensor.matmul(lhs, rhs, transposeA: ta, transposeB: tb)
            #expect(flagged == product)
            let check = checkSecondOrderGradients(at: [lhs, rhs]) { x in
                Tensor.matmul(x[0], x[1], transposeA: ta, transposeB: tb).exp()
            }
            #expect(check.passes(), "transposeA \(ta) transposeB \(tb): \(check)")
        }
    }

    @Test mutating func batchedMatmulBroadcastsBatchAxes() {
        let a = Tensor.normal([2, 3, 4], using: &generator)
        let b = Tensor.normal([4, 5], using: &generator)
        let c = Tensor.normal([1, 4, 5], using: &generator)
        #expect(a.matmul(b).shape == [2, 3, 5])
        #expect(a.matmul(c).shape == [2, 3, 5])
        #expect(checkGradients(at: [a, b]) { $0[0].matmul($0[1]) }.passes())
        #expect(checkGradients(at: [a, c]) { $0[0].matmul($0[1]) }.passes())
        #expect(checkSecondOrderGradients(at: [a, c]) { x in x[0].matmul(x[1]).exp() }.passes())
    }

    @Test mutating func shapeOpsAndReductions() {
        let x = Tensor.normal([2, 3, 4], using: &generator)
        #expect(x.permuted(2, 0, 1).shape == [4, 2, 3])
        #expect(x.permuted(2, 0, 1)[3, 1, 2] == x[1, 2, 3])
        #expect(x.sum(alongAxes: [0, 2]).shape == [3])
        #expect(x.sum(axis: 1, keepingDimensions: true).shape == [2, 1, 4])
        #expect(abs(x.sum().item - x.scalars.reduce(0, +)) < 1e-4)
        #expect(abs(x.mean(axis: -1)[1, 2] - (0..<4).reduce(0) { $0 + x[1, 2, $1] } / 4) < 1e-5)
        let checks: [([Tensor]) -> Tensor] = [
            { $0[0].permuted(1, 2, 0).exp() },
            { $0[0].reshaped(6, -1).matmul($0[0].reshaped(4, 6)) },
            { $0[0].sum(alongAxes: [0, 2]).exp() },
            { $0[0].mean(axis: 1, keepingDimensions: true) * $0[0] },
            { $0[0].reshaped(2, 1, 3, 4).expanded(to: [2, 5, 3, 4]).exp() },
        ]
        for (index, function) in checks.enumerated() {
            #expect(checkGradients(at: [x], function).passes(), "case \(index)")
            #expect(checkSecondOrderGradients(at: [x], function).passes(), "second order, case \(index)")
        }
    }

    @Test func sharedTensorAccumulatesGradient() {
        let w = Tensor([2, 3]).requiringGradient()
        // f = Σ w·w + Σ w  ⇒  ∇f = 2w + 1
        let f = (w * w).sum() + w.sum()
        #expect(gradient(of: f, wrt: w).scalars == [5, 7])
    }

    @Test func unreachableTargetGetsZerosAndDetachStopsFlow() {
        let a = Tensor([1, 2]).requiringGradient()
        let b = Tensor([3, 4]).requiringGradient()
        let f = (a * b.detached()).sum()
        let grads = gradients(of: f, wrt: [a, b])
        #expect(grads[0].scalars == [3, 4])
        #expect(grads[1].scalars == [0, 0])
        let g = withoutGradients { (a * a).sum() }
        #expect(!g.requiresGradient)
    }

    @Test func secondDerivativeOfCubeIsExact() {
        // f(x) = x³ ⇒ f' = 3x², f'' = 6x
        let x = Tensor([2]).requiringGradient()
        let f = (x * x * x).sum()
        let first = gradient(of: f, wrt: x, createGraph: true)
        #expect(first.scalars == [12])
        #expect(first.requiresGradient)
        let second = gradient(of: first.sum(), wrt: x)
        #expect(second.scalars == [12])
        #expect(!gradient(of: f, wrt: x).requiresGradient)
    }

    @Test func graphIsFreedWhenLossIsDropped() {
        weak var weakNode: TapeNode?
        do {
            let w = Tensor([1, 2, 3]).requiringGradient()
            let loss = (w * w).exp().sum()
            weakNode = loss.node
            #expect(weakNode != nil)
            _ = gradients(of: loss, wrt: [w], createGraph: true)
        }
        #expect(weakNode == nil)
    }

    @Test func parameterUpdateKeepsLeafIdentity() {
        let p = Parameter(Tensor([1, 2]))
        let before = p.value.node
        p.update(Tensor([5, 6]))
        #expect(p.value.scalars == [5, 6])
        #expect(p.value.node === before)
        let f = (p.value * p.value).sum()
        #expect(gradient(of: f, wrt: p.value).scalars == [10, 12])
    }

    @Test func randomGeneratorIsDeterministic() {
        var g1 = RandomGenerator(seed: 99)
        var g2 = RandomGenerator(seed: 99)
        #expect(Tensor.normal([8], using: &g1) == Tensor.normal([8], using: &g2))
        var g3 = RandomGenerator(seed: 3)
        let sample = Tensor.normal([20000], mean: 1, standardDeviation: 2, using: &g3)
        let mean = sample.mean().item
        let variance = (sample - mean).exp().count > 0 ? ((sample - mean) * (sample - mean)).mean().item : 0
        #expect(abs(mean - 1) < 0.05)
        #expect(abs(variance - 4) < 0.15)
        let bits = Tensor.bernoulli([10000], probability: 0.3, using: &g3).mean().item
        #expect(abs(bits - 0.3) < 0.02)
        #expect(Tensor.linspace(0, 1, count: 5).scalars == [0, 0.25, 0.5, 0.75, 1])
        #expect(Tensor.arange(0, 5, step: 2).scalars == [0, 2, 4])
        #expect(Tensor.eye(2, 3).scalars == [1, 0, 0, 0, 1, 0])
    }
}

@Suite("Gradient checker")
struct GradientCheckerTests {
    @Test func detectsAWrongBackwardRule() {
        let x = Tensor([0.3, -0.7, 1.1])
        let wrongFirst = checkGradients(at: [x]) {
            $0[0].elementwise("wrongExp", { Foundation.exp($0) }) { g, _, y in g * y * 2 }
        }
        #expect(!wrongFirst.passes())
        // Right first derivative, wrong second derivative: d/dx exp must be exp, here it is a constant.
        let wrongSecond = checkSecondOrderGradients(at: [x]) {
            $0[0].elementwise("wrongSecond", { Foundation.exp($0) }) { g, x, _ in
                g * Tensor(shape: x.shape, scalars: x.scalars.map { Foundation.exp($0) })
            }
        }
        #expect(
            checkGradients(at: [x]) {
                $0[0].elementwise("rightFirst", { Foundation.exp($0) }) { g, x, _ in
                    g * Tensor(shape: x.shape, scalars: x.scalars.map { Foundation.exp($0) })
                }
            }.passes())
        #expect(!wrongSecond.passes())
    }
}

@Suite("Broadcasting edge cases")
struct BroadcastingEdgeCaseTests {
    @Test func scalarExpandsToAnyShape() {
        let scalar = Tensor(3)
        #expect(scalar.expanded(to: [2, 3]).scalars == [Float](repeating: 3, count: 6))
        let leaf = Tensor(2).requiringGradient()
        let check = checkGradients(at: [Tensor(2)]) { $0[0].expanded(to: [2, 2]).exp() }
        #expect(check.passes())
        #expect(gradient(of: leaf.expanded(to: [4]).sum(), wrt: leaf).scalars == [4])
    }
}

@Suite("Backward engine: first-order buffers agree with create-graph tensors")
struct BackwardEngineTests {
    @Test func slicesAccumulateIntoTheirBoxes() {
        var generator = RandomGenerator(seed: 5)
        let x = Tensor.normal([6, 3, 4], using: &generator).requiringGradient()
        let weights = Tensor.normal([6, 3, 4], using: &generator)
        func loss() -> Tensor {
            // Overlapping slices, split pieces and a reuse of the whole tensor.
            var total = (x * weights).sum()
            for (index, piece) in x.split(count: 6, axis: 0).enumerated() {
                total = total + (piece * Float(index + 1)).exp().sum()
            }
            total =
                total + (x.slice(axis: 2, range: 1..<3) * x.slice(axis: 2, range: 1..<3)).sum()
                + x.slice(axis: 2, range: 0..<2).sum()
            return total
        }
        let raw = gradient(of: loss(), wrt: x)
        let recorded = gradient(of: loss(), wrt: x, createGraph: true)
        #expect(raw.shape == recorded.shape)
        for (a, b) in zip(raw.scalars, recorded.scalars) { #expect(abs(a - b) <= 1e-4 * max(1, abs(b))) }
        #expect(
            checkGradients(at: [x.detached()]) { xs in
                xs[0].split(count: 3, axis: 0).enumerated().reduce(Tensor(0)) {
                    $0 + ($1.element * Float($1.offset)).exp().sum()
                }
            }.passes())
    }
}
