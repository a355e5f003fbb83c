import Testing
import _MontagueTestSupport

@testable import Autodiff

/// `matmul` of one matrix with a batch of matrices (a convolution's kernel times its patches), which runs one product
/// per batch entry on the shared left operand, against the broadcasting path (the left operand given a batch axis of
/// extent 1, copied per entry), and the log of the products it runs.
@Suite("Ops: matmul with a shared left operand")
struct SharedLeftMatmulTests {
    var generator = RandomGenerator(seed: 23)

    @Test(arguments: [false, true])
    mutating func matchesBroadcastingPath(transposeA: Bool) {
        let a = Tensor.normal(transposeA ? [4, 3] : [3, 4], using: &generator).requiringGradient()
        let b = Tensor.normal([2, 5, 4, 6], using: &generator).requiringGradient()
        let shared = Tensor.matmul(a, b, transposeA: transposeA)
        let broadcast = Tensor.matmul(a.reshaped([1, 1] + a.shape), b, transposeA: transposeA)
        #expect(shared.shape == [2, 5, 3, 6])
        #expect(broadcast.shape == shared.shape)
        expectClose(shared.scalars, broadcast.scalars, "values")
        let seed = Tensor.normal(shared.shape, using: &generator)
        let sharedGradients = gradients(of: shared, wrt: [a, b], seed: seed)
        let broadcastGradients = gradients(of: broadcast, wrt: [a, b], seed: seed)
        for (name, (got, expected)) in zip(["a", "b"], zip(sharedGradients, broadcastGradients)) {
            #expect(got.shape == expected.shape, "\(name)")
            expectClose(got.scalars, expected.scalars, name)
        }
    }

    @Test(arguments: [false, true])
    mutating func gradientsFirstAndSecondOrder(transposeA: Bool) {
        let a = Tensor.normal(transposeA ? [3, 2] : [2, 3], using: &generator) * 0.5
        let b = Tensor.normal([2, 3, 2], using: &generator) * 0.5
        let first = checkGradients(at: [a, b]) { Tensor.matmul($0[0], $0[1], transposeA: transposeA) }
        #expect(first.passes(), "\(first)")
        let second = checkSecondOrderGradients(at: [a, b]) {
            Tensor.matmul($0[0], $0[1], transposeA: transposeA).tanh()
        }
        #expect(second.passes(), "\(second)")
    }

    @Test func knownValues() {
        // [[1, 2]]·[[1], [1]] = [[3]] and [[1, 2]]·[[2], [-1]] = [[0]].
        let y = Tensor.matmul(Tensor([[1, 2]]), Tensor(shape: [2, 2, 1], scalars: [1, 1, 2, -1]))
        #expect(y == Tensor(shape: [2, 1, 1], scalars: [3, 0]))
        // A product with an empty inner extent is zero; the gradient of the shared operand is the sum over entries.
        #expect(Tensor.matmul(Tensor.zeros([2, 0]), Tensor.zeros([3, 0, 4])) == Tensor.zeros([3, 2, 4]))
        let a = Tensor([[1, 1]]).requiringGradient()
        let b = Tensor(shape: [2, 2, 1], scalars: [1, 2, 3, 4])
        #expect(gradient(of: Tensor.matmul(a, b).sum(), wrt: a) == Tensor([[4, 6]]))
    }

    @Test mutating func matrixProductLogRecordsTheProductsRun() {
        let a = Tensor.normal([3, 4], using: &generator).requiringGradient()
        let b = Tensor.normal([2, 4, 5], using: &generator)
        let products = MatrixProductLog.record {
            _ = gradient(of: Tensor.matmul(a, b).sum(), wrt: a)
        }
        // Forward: one [3, 4]·[4, 2·5] over both entries side by side; backward: dA = [3, 2·5]·[4, 2·5]ᵀ.
        let forward = MatrixProductLog.Product(transposeA: false, transposeB: false, m: 3, n: 10, k: 4)
        let backward = MatrixProductLog.Product(transposeA: false, transposeB: true, m: 3, n: 4, k: 10)
        #expect(products == [forward, backward])
        #expect(forward.operations == 240)
        // Nothing is logged outside `record`.
        _ = Tensor.matmul(a, b)
        #expect(MatrixProductLog.record {}.isEmpty)
    }
}
