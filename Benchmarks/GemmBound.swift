import CBLAS

/// The "GEMM-only" bound of a training step: the time its matrix products take through `cblas_sgemm` alone, on
/// preallocated buffers, with nothing else (no elementwise work, no allocation, no tape).
///
/// A step can be no faster than this on the same BLAS, so `montague / gemm-bound` (a fraction ≤ 1) says how much of
/// the step is spent outside the products. Each plan lists the products of the step as the model computes them —
/// the forward GEMMs, and for each one the input-gradient and weight-gradient GEMMs its backward pass needs (none
/// for an input that takes no gradient, e.g. the data of the first layer). The variant is reported as
/// impl "gemm-bound" in the same unit as the case (steps/s or tokens/s).
struct GemmPlan {
    /// One `C[m, n] = op(A)[m, k] · op(B)[k, n]`, row-major, repeated `count` times.
    struct Product {
        let transposeA: Bool
        let transposeB: Bool
        let m: Int
        let n: Int
        let k: Int
        var count = 1
    }

    let products: [Product]

    /// The forward product `x[m, k] · Wᵀ` with `W` stored `[n, k]` (a `Linear` layer), and its backward products:
    /// `dW = Gᵀ·x` (`[n, k]`) and, when `inputGradient`, `dx = G·W` (`[m, k]`).
    static func linear(rows m: Int, inputs k: Int, outputs n: Int, inputGradient: Bool, count: Int = 1)
        -> [Product]
    {
        var products = [
            Product(transposeA: false, transposeB: true, m: m, n: n, k: k, count: count),
            Product(transposeA: true, transposeB: false, m: n, n: k, k: m, count: count),
        ]
        if inputGradient {
            products.append(Product(transposeA: false, transposeB: false, m: m, n: k, k: n, count: count))
        }
        return products
    }

    /// Floating-point operations of one pass over the plan (`2mnk` per product).
    var operations: Double {
        products.reduce(0) { $0 + 2 * Double($1.m) * Double($1.n) * Double($1.k) * Double($1.count) }
    }

    /// A benchmark variant running every product of the plan once per iteration.
    func variant(unitsPerIteration: Double) -> BenchmarkVariant {
        let largestA = products.map { $0.m * $0.k }.max() ?? 0
        let largestB = products.map { $0.k * $0.n }.max() ?? 0
        let largestC = products.map { $0.m * $0.n }.max() ?? 0
        let a = DirectOutput(count: largestA)
        let b = DirectOutput(count: largestB)
        let c = DirectOutput(count: largestC)
        for i in 0..<largestA { a.pointer[i] = Float(i % 7) * 0.01 }
        for i in 0..<largestB { b.pointer[i] = Float(i % 5) * 0.01 }
        let products = self.products
        return BenchmarkVariant(implementation: "gemm-bound", unitsPerIteration: unitsPerIteration) {
            for product in products {
                let lda = product.transposeA ? product.m : product.k
                let ldb = product.transposeB ? product.k : product.n
                for _ in 0..<product.count {
                    cblas_sgemm(
                        CblasRowMajor, product.transposeA ? CblasTrans : CblasNoTrans,
                        product.transposeB ? CblasTrans : CblasNoTrans,
                        Int32(product.m), Int32(product.n), Int32(product.k), 1,
                        a.pointer.baseAddress, Int32(lda), b.pointer.baseAddress, Int32(ldb),
                        0, c.pointer.baseAddress, Int32(product.n))
                }
            }
            blackHole(c.pointer[0])
        }
    }
}

extension GemmPlan {
    /// The MLP step (784-256-256-10, batch 128): three `Linear` layers forward, and backward their weight
    /// gradients plus the input gradients of the second and third layers (the data takes none). 8 products.
    static let mlp = GemmPlan(
        products: linear(rows: 128, inputs: 784, outputs: 256, inputGradient: false)
            + linear(rows: 128, inputs: 256, outputs: 256, inputGradient: true)
            + linear(rows: 128, inputs: 256, outputs: 10, inputGradient: true))

    /// The LSTM language-model step (v10000 e128 h256 b32 t35): the input projection of all 35 steps in one
    /// product (its input gradient feeds the embedding), the recurrent product `h·W_hhᵀ` once per step with its
    /// weight and state gradients, and the output layer on all 1,120 positions.
    static let lstmLanguageModel = GemmPlan(
        products: linear(rows: 35 * 32, inputs: 128, outputs: 4 * 256, inputGradient: true)
            + linear(rows: 32, inputs: 256, outputs: 4 * 256, inputGradient: true, count: 35)
            + linear(rows: 35 * 32, inputs: 256, outputs: 10_000, inputGradient: true))

    /// The GRU seq2seq step (v5000 e256 h256 b32 t20): the encoder's input projection in one product and its
    /// recurrent product per step; per decoder step the input and recurrent products of the cell and the
    /// `Linear` 512→256 of the attentional vector; the output layer on all 640 positions. Attention's batched
    /// products (32 × `[1, 256]·[256, 20]` and back per step, under 1% of the operations) are left out.
    static let seq2seq = GemmPlan(
        products: linear(rows: 20 * 32, inputs: 256, outputs: 3 * 256, inputGradient: true)
            + linear(rows: 32, inputs: 256, outputs: 3 * 256, inputGradient: true, count: 20)
            + linear(rows: 32, inputs: 256, outputs: 3 * 256, inputGradient: true, count: 20)
            + linear(rows: 32, inputs: 256, outputs: 3 * 256, inputGradient: true, count: 20)
            + linear(rows: 32, inputs: 512, outputs: 256, inputGradient: true, count: 20)
            + linear(rows: 20 * 32, inputs: 256, outputs: 5_000, inputGradient: true))

    /// SeqGAN's discriminator step (``TextCNN``, embedding 64, widths 1–10, 15, 20 with the filter counts
    /// `filterCounts`, batch 64 of 20 tokens): per width `w` with `F` filters the convolution as one product of the
    /// `[64·(20 − w + 1), w·64]` patch matrix with the `[F, w·64]` kernels, and its two dense backward products
    /// (kernel and patch gradients, as PyTorch's convolution backward computes them); the highway layer's two
    /// `Linear` maps and the output layer. (Montague's own convolution backward is sparse, see
    /// `Tensor.convolutionMaxPool1D`, so this bound can be exceeded.)
    static func seqGANDiscriminator(filterCounts: [Int], batch: Int = 64, length: Int = 20, embedding: Int = 64)
        -> GemmPlan
    {
        let widths = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20]
        let features = filterCounts.reduce(0, +)
        var products: [Product] = []
        for (width, filters) in zip(widths, filterCounts) {
            products += linear(
                rows: batch * (length - width + 1), inputs: width * embedding, outputs: filters, inputGradient: true)
        }
        products += linear(rows: batch, inputs: features, outputs: features, inputGradient: true, count: 2)
        products += linear(rows: batch, inputs: features, outputs: 2, inputGradient: true)
        return GemmPlan(products: products)
    }

    /// SeqGAN's teacher-forced generator step (LSTM e32 h32, vocabulary 5,000, batch 64 of 20 tokens): the input
    /// projection of all steps in one product (its input gradient feeds the embedding), the recurrent product per
    /// step, the output layer on all 1,280 positions — each with its backward products.
    static let seqGANMaximumLikelihood = GemmPlan(
        products: linear(rows: 20 * 64, inputs: 32, outputs: 4 * 32, inputGradient: true)
            + linear(rows: 64, inputs: 32, outputs: 4 * 32, inputGradient: true, count: 20)
            + linear(rows: 20 * 64, inputs: 32, outputs: 5_000, inputGradient: true))

    /// SeqGAN's REINFORCE generator step: sampling 64 × 20 tokens (per step the input, recurrent and output
    /// products, forward only), then the teacher-forced pass over the samples with its backward products
    /// (``seqGANMaximumLikelihood``).
    static let seqGANGenerator = GemmPlan(
        products: [
            Product(transposeA: false, transposeB: true, m: 64, n: 4 * 32, k: 32, count: 20),
            Product(transposeA: false, transposeB: true, m: 64, n: 4 * 32, k: 32, count: 20),
            Product(transposeA: false, transposeB: true, m: 64, n: 5_000, k: 32, count: 20),
        ] + seqGANMaximumLikelihood.products)
}
