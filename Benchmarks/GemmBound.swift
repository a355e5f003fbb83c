import Autodiff
import CBLAS

/// The "GEMM-only" bound of a training step: the time its matrix products take through `cblas_sgemm` alone, on
/// preallocated buffers, with nothing else (no elementwise work, no allocation, no tape).
///
/// A step can be no faster than this on the same BLAS, so `montague / gemm-bound` (a fraction ≤ 1) says how much of
/// the step is spent outside the products. The plan is not written by hand per model: it is the list of products
/// one call of the step actually runs, recorded by Autodiff's ``MatrixProductLog`` (every `Tensor` product goes
/// through one logged `cblas_sgemm` call), so it follows the model as it changes and covers every training row
/// alike. The variant is reported as impl "gemm-bound" in the same unit as the case (steps/s or tokens/s).
struct GemmPlan {
    /// One recorded product shape, run `count` times in a row.
    struct Product {
        let shape: MatrixProductLog.Product
        var count: Int
    }

    /// The products in the order the step ran them, consecutive equal shapes merged.
    let products: [Product]

    /// The products one call of `body` runs (the call is untimed; a training step may evolve its state).
    init(recording body: () -> Void) {
        var products: [Product] = []
        for shape in MatrixProductLog.record(body) {
            if let last = products.last, last.shape == shape {
                products[products.count - 1].count += 1
            } else {
                products.append(Product(shape: shape, count: 1))
            }
        }
        self.products = products
    }

    /// Number of products of one pass over the plan.
    var productCount: Int { products.reduce(0) { $0 + $1.count } }

    /// Floating-point operations of one pass over the plan (`2mnk` per product).
    var operations: Double { products.reduce(0) { $0 + $1.shape.operations * Double($1.count) } }

    /// A benchmark variant running every product of the plan once per iteration.
    func variant(unitsPerIteration: Double) -> BenchmarkVariant {
        let largestA = products.map { $0.shape.m * $0.shape.k }.max() ?? 0
        let largestB = products.map { $0.shape.k * $0.shape.n }.max() ?? 0
        let largestC = products.map { $0.shape.m * $0.shape.n }.max() ?? 0
        let a = DirectOutput(count: largestA)
        let b = DirectOutput(count: largestB)
        let c = DirectOutput(count: largestC)
        for i in 0..<largestA { a.pointer[i] = Float(i % 7) * 0.01 }
        for i in 0..<largestB { b.pointer[i] = Float(i % 5) * 0.01 }
        let products = self.products
        return BenchmarkVariant(implementation: "gemm-bound", unitsPerIteration: unitsPerIteration) {
            for product in products {
                let shape = product.shape
                let lda = shape.transposeA ? shape.m : shape.k
                let ldb = shape.transposeB ? shape.k : shape.n
                for _ in 0..<product.count {
                    cblas_sgemm(
                        CblasRowMajor, shape.transposeA ? CblasTrans : CblasNoTrans,
                        shape.transposeB ? CblasTrans : CblasNoTrans,
                        Int32(shape.m), Int32(shape.n), Int32(shape.k), 1,
                        a.pointer.baseAddress, Int32(lda), b.pointer.baseAddress, Int32(ldb),
                        0, c.pointer.baseAddress, Int32(shape.n))
                }
            }
            blackHole(c.pointer[0])
        }
    }
}

extension BenchmarkCase {
    /// A training-step case: Montague's step (impl "montague"), any further variants of it, and the step's GEMM-only
    /// bound (impl "gemm-bound"), whose products are recorded from one untimed call of `step`.
    static func trainingStep(
        _ name: String, metric: BenchmarkMetric, unitsPerIteration: Double,
        otherVariants: [BenchmarkVariant] = [], step: @escaping () -> Void
    ) -> BenchmarkCase {
        let plan = GemmPlan(recording: step)
        printError(
            "# \(name): gemm-bound replays \(plan.productCount) products "
                + "(\(plan.products.count) shapes), \(formatted(plan.operations / 1e9)) GFLOP per step")
        let montague = BenchmarkVariant(implementation: "montague", unitsPerIteration: unitsPerIteration, body: step)
        return BenchmarkCase(
            name: name, metric: metric,
            variants: [montague] + otherVariants + [plan.variant(unitsPerIteration: unitsPerIteration)])
    }
}

/// Three significant decimals, for the progress lines.
private func formatted(_ value: Double) -> String {
    let scaled = (value * 1000).rounded() / 1000
    return "\(scaled)"
}
