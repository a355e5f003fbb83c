import Testing

@testable import Autodiff

/// Max and average pooling. Expected values from PyTorch 2.13.0 (see `NeuralOpsReference`).
@Suite("Neural ops: pooling")
struct PoolingTests {
    @Test func maxPool2dMatchesPyTorch() {
        let input = NeuralOpsReference.wave([1, 2, 5, 6])
        // F.max_pool2d(x, (3, 2), stride=(2, 2), padding=(1, 1))
        let output = maxPool2d(input, kernelSize: (3, 2), stride: (2, 2), padding: (1, 1))
        #expect(output.shape == [1, 2, 3, 4])
        #expect(
            output.scalars == [
                0.3, 0.99, 0.85, 0.99, 0.66, 0.99, 0.85, 0.99, 0.33, 0.99, 0.87, 0.98, 0.64, 0.98,
                0.62, -0.33, 0.61, 0.98, 0.88, 0.98, 0.61, 0.97, 0.6, -0.29,
            ])
        // F.max_pool2d(x, 2, dilation=2)
        let dilated = maxPool2d(input, kernelSize: (2, 2), dilation: (2, 2))
        #expect(dilated.shape == [1, 2, 2, 2])
        #expect(dilated.scalars == [0.99, 0.99, 0.66, 0.87, 0.64, 0.88, 0.97, 0.97])
    }

    @Test func avgPool2dCountsPaddingLikePyTorch() {
        let input = NeuralOpsReference.wave([1, 2, 5, 6])
        // F.avg_pool2d(x, (3, 2), stride=(2, 2), padding=(1, 1))  (count_include_pad=True)
        let output = avgPool2d(input, kernelSize: (3, 2), stride: (2, 2), padding: (1, 1))
        #expect(output.shape == [1, 2, 3, 4])
        let expected: [Float] = [
            -0.113333, 0.0966667, 0.313333, 0.0633333, 0.00166667, -0.00166667, -0.00666666, -0.00166667, -0.108333,
            0.106667, 0.311667, 0.0566667, 0.166667, 0.2, -0.21, -0.165, -0.00333333, -0.00333334, 0.00166667, 0.005,
            0.166667, 0.19, -0.215, -0.163333,
        ]
        #expect(NeuralOpsReference.close(output.scalars, expected, tolerance: 1e-5), "\(output)")
    }

    @Test func pooling1dMatchesPyTorch() {
        let input = NeuralOpsReference.wave([1, 2, 9])
        // F.max_pool1d(x, 3, stride=2, padding=1)
        let maximum = maxPool1d(input, kernelSize: 3, stride: 2, padding: 1)
        #expect(maximum.shape == [1, 2, 5])
        #expect(maximum.scalars == [0.84, 0.99, 0.68, -0.61, -0.37, 0.85, 0.99, 0.66, -0.63, -0.36])
        // F.avg_pool1d(x, 3, stride=2, padding=1) and F.avg_pool1d(x, 2)
        let average = avgPool1d(input, kernelSize: 3, stride: 2, padding: 1)
        #expect(
            NeuralOpsReference.close(
                average.scalars,
                [
                    0.38, 0.836667, 0.0366667, -0.823333, -0.416667, 0.386667,
                    0.833333, 0.0166667, -0.83, -0.413333,
                ], tolerance: 1e-5))
        let plain = avgPool1d(input, kernelSize: 2)
        #expect(plain.shape == [1, 2, 4])
        #expect(NeuralOpsReference.close(plain.scalars, [0.57, 0.835, -0.285, -0.93, 0.58, 0.825, -0.305, -0.93]))
    }

    @Test func maxPoolRoutesGradientToTheArgmax() {
        let x = Tensor(shape: [1, 1, 2, 4], scalars: [1, 5, 2, 0, 3, 4, 7, 6]).requiringGradient()
        let pooled = maxPool2d(x, kernelSize: (2, 2))
        #expect(pooled.scalars == [5, 7])
        let g = gradients(of: pooled, wrt: [x], seed: Tensor(shape: [1, 1, 1, 2], scalars: [10, 20]))[0]
        #expect(g.scalars == [0, 10, 0, 0, 0, 0, 20, 0])
        // Overlapping windows that share a maximum accumulate its gradient.
        let row = Tensor(shape: [1, 1, 5], scalars: [0, 9, 1, 2, 3]).requiringGradient()
        let overlapping = maxPool1d(row, kernelSize: 2, stride: 1)
        #expect(overlapping.scalars == [9, 9, 2, 3])
        #expect(gradient(of: overlapping.sum(), wrt: row).scalars == [0, 2, 0, 1, 1])
    }

    @Test func poolingGradientsFirstAndSecondOrder() {
        let x = NeuralOpsReference.distinct([2, 2, 4, 5], seed: 3)
        let cases: [(String, ([Tensor]) -> Tensor)] = [
            ("maxPool2d", { maxPool2d($0[0], kernelSize: (3, 2), stride: (1, 2), padding: (1, 1)) }),
            ("maxPool2d dilated", { maxPool2d($0[0], kernelSize: (2, 2), stride: (1, 1), dilation: (2, 2)) }),
            ("avgPool2d", { avgPool2d($0[0], kernelSize: (2, 3), stride: (2, 1), padding: (1, 1)) }),
            ("maxPool1d", { maxPool1d($0[0].reshaped([4, 4, 5]), kernelSize: 3, stride: 2, padding: 1) }),
            ("avgPool1d", { avgPool1d($0[0].reshaped([4, 4, 5]), kernelSize: 2, stride: 1, padding: 1) }),
        ]
        for (name, pool) in cases {
            let first = checkGradients(at: [x], epsilon: 1e-2, pool)
            #expect(first.passes(), "\(name): \(first)")
            let second = checkSecondOrderGradients(at: [x], epsilon: 1e-2) { inputs in
                let y = pool(inputs)
                return y * y
            }
            #expect(second.passes(), "\(name) second order: \(second)")
        }
    }
}
