import Testing

@testable import Autodiff

/// im2col / col2im and the convolutions. Expected values from PyTorch 2.13.0 (see `NeuralOpsReference`).
@Suite("Neural ops: im2col and convolution")
struct ConvolutionTests {
    var generator = RandomGenerator(seed: 5)

    @Test func slidingWindowOutputSizesFollowPyTorch() {
        let window = SlidingWindow2D(
            channels: 3, inputHeight: 7, inputWidth: 10, kernelSize: (3, 4), stride: (2, 3),
            padding: (1, 2), dilation: (2, 1))
        // ⌊(7 + 2 − 2·2 − 1) / 2⌋ + 1 = 3, ⌊(10 + 4 − 3 − 1) / 3⌋ + 1 = 4
        #expect(window.outputHeight == 3)
        #expect(window.outputWidth == 4)
        #expect(window.patchSize == 36)
        #expect(window.windowCount == 12)
    }

    @Test func im2colLaysOutWindowsAsColumnsLikeUnfold() {
        // One 3×3 image of 0…8, 2×2 kernel, padding 1, stride 2: windows at (−1,−1), (−1,1), (1,−1), (1,1).
        let image = Tensor(shape: [1, 1, 3, 3], scalars: (0..<9).map(Float.init))
        let columns = image.im2col(kernelSize: (2, 2), stride: (2, 2), padding: (1, 1))
        // Row = kernel position, column = window: F.unfold(x, 2, padding=1, stride=2).
        #expect(columns.shape == [1, 4, 4])
        #expect(
            columns.scalars == [
                0, 0, 0, 4,
                0, 0, 3, 5,
                0, 1, 0, 7,
                0, 2, 6, 8,
            ])
        // col2im adds every entry back to its pixel: pixel counts of a stride-1 3×3 cover of 4×4 by 2×2 windows.
        let ones = Tensor.ones([1, 4, 9])
        let counts = ones.col2im(SlidingWindow2D(channels: 1, inputHeight: 4, inputWidth: 4, kernelSize: (2, 2)))
        #expect(counts.scalars == [1, 2, 2, 1, 2, 4, 4, 2, 2, 4, 4, 2, 1, 2, 2, 1])
    }

    @Test func im2colAndCol2imMatchPyTorchUnfoldAndFold() {
        let input = NeuralOpsReference.wave([1, 2, 5, 6])
        let window = SlidingWindow2D(
            channels: 2, inputHeight: 5, inputWidth: 6, kernelSize: (2, 3), stride: (2, 3),
            padding: (1, 2), dilation: (1, 2))
        // F.unfold(x, (2, 3), dilation=(1, 2), padding=(1, 2), stride=(2, 3))
        let unfolded = input.im2col(window)
        #expect(unfolded.shape == [1, 12, 6])
        #expect(
            unfolded.scalars == [
                0, 0, 0, -0.88, 0, 0.86, 0, 0, -0.98, 0.31, 0.33, 0.65, 0, 0, -0.37, 0.99, 0.99, -0.64, 0, 0.84, 0,
                0.02, 0,
                -0.87, 0.3, 0.68, 0.66, -0.98, -0.98, 0.34, 0.99, -0.61, -0.63, -0.36, -0.34, 0.98, 0, 0, 0, 0.88, 0,
                -0.04, 0, 0, 0.36, 0.62, 0.61, -0.99, 0, 0, 0.98, -0.66, -0.68, -0.29, 0, -0.01, 0, -0.85, 0, 0.89,
                0.64,
                -0.99, -0.99, 0.37, 0.39, 0.6, -0.65, -0.33, -0.31, 0.98, 0.97, -0.69,
            ])
        // F.fold(unfolded, (5, 6), (2, 3), …): the windows cover every pixel at most once; column 4 never.
        let folded = unfolded.col2im(window)
        #expect(folded.shape == [1, 2, 5, 6])
        let covered = input.scalars.enumerated().map { $0.offset % 6 == 4 ? 0 : $0.element }
        #expect(folded.scalars == covered)
    }

    @Test mutating func col2imIsTheAdjointOfIm2colAndBothDifferentiateTwice() {
        let window = SlidingWindow2D(
            channels: 2, inputHeight: 4, inputWidth: 5, kernelSize: (2, 3), stride: (1, 2),
            padding: (1, 1), dilation: (2, 1))
        let x = Tensor.normal([2, 2, 4, 5], using: &generator)
        let y = Tensor.normal([2, window.patchSize, window.windowCount], using: &generator)
        // ⟨im2col(x), y⟩ = ⟨x, col2im(y)⟩
        let left = (x.im2col(window) * y).sum().item
        let right = (x * y.col2im(window)).sum().item
        #expect(abs(left - right) < 1e-4)

        let small = SlidingWindow2D(channels: 1, inputHeight: 3, inputWidth: 3, kernelSize: (2, 2), padding: (1, 0))
        let image = Tensor.normal([1, 1, 3, 3], using: &generator)
        let patches = Tensor.normal([1, small.patchSize, small.windowCount], using: &generator)
        let forward = checkSecondOrderGradients(at: [image]) { x in (x[0].im2col(small) * x[0].im2col(small)).exp() }
        #expect(forward.passes(), "\(forward)")
        let adjoint = checkSecondOrderGradients(at: [patches]) { x in x[0].col2im(small).exp() }
        #expect(adjoint.passes(), "\(adjoint)")
    }

    @Test func conv1dMatchesPyTorch() {
        let input = NeuralOpsReference.wave([2, 2, 7])
        let weight = Tensor(shape: [3, 2, 3], scalars: NeuralOpsReference.halfWaveShiftedUp)
        let bias = Tensor([0.1, -0.2, 0.3])
        // F.conv1d(x, w, b, stride=2, padding=1, dilation=2)
        let output = conv1d(input, weight: weight, bias: bias, stride: 2, padding: 1, dilation: 2)
        #expect(output.shape == [2, 3, 3])
        let expected: [Float] = [
            0.6219, -0.0043, 0.327, -0.3414, -0.0627, 0.234, 0.2074, 0.5641, -0.1096, -0.3031,
            0.2315, 0.0262, -0.2918, -0.4007, -0.746, 0.4583, 0.1044, 0.7786,
        ]
        #expect(NeuralOpsReference.close(output.scalars, expected), "\(output)")
    }

    @Test func conv2dMatchesPyTorch() {
        let input = NeuralOpsReference.wave([1, 2, 5, 4])
        let weight = Tensor(shape: [2, 2, 2, 3], scalars: NeuralOpsReference.halfWaveShiftedDown)
        // F.conv2d(x, w, b, stride=(2, 1), padding=(1, 2), dilation=(2, 1))
        let output = conv2d(
            input, weight: weight, bias: Tensor([0.25, -0.5]), stride: (2, 1), padding: (1, 2),
            dilation: (2, 1))
        #expect(output.shape == [1, 2, 3, 6])
        let expected: [Float] = [
            -0.1956, -0.2868, 0.0447, 0.344, 0.084, 0.0322, -0.0204, -0.0303, 0.2159, -0.2182, -0.5299, -0.3421,
            0.703, 1.0593, 1.0824, 0.6131, 0.4505, 0.3302, -0.1466, -0.0084, -0.1024, 0.1596, 0.3482, 0.0704,
            -0.8569, -0.9664, -0.7352, 0.0211, -0.0513, -0.2722, -1.0236, -1.2162, -0.9153, -0.6973, -0.8572, -0.8107,
        ]
        #expect(NeuralOpsReference.close(output.scalars, expected), "\(output)")
        // F.conv2d(x, w) (stride 1, no padding, no bias)
        let plain = conv2d(input, weight: weight)
        #expect(plain.shape == [1, 2, 4, 2])
        let expectedPlain: [Float] = [
            -0.2745, 0.648, 0.7015, -0.2102, -1.0519, -0.2528, 1.2744, 0.6812, 0.4519,
            0.4041, -0.3894, -0.4556, 0.2921, 0.4542, -0.1454, -0.3944,
        ]
        #expect(NeuralOpsReference.close(plain.scalars, expectedPlain), "\(plain)")
    }

    @Test mutating func conv1dGradientsFirstAndSecondOrder() {
        let x = Tensor.normal([2, 2, 6], using: &generator) * 0.5
        let w = Tensor.normal([3, 2, 3], using: &generator) * 0.5
        let b = Tensor.normal([3], using: &generator) * 0.5
        let first = checkGradients(at: [x, w, b]) {
            conv1d($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 2, dilation: 2)
        }
        #expect(first.passes(), "\(first)")
        let second = checkSecondOrderGradients(at: [x, w, b]) {
            conv1d($0[0], weight: $0[1], bias: $0[2], stride: 1, padding: 1).exp()
        }
        #expect(second.passes(), "\(second)")
    }

    @Test mutating func conv2dGradientsFirstAndSecondOrder() {
        let x = Tensor.normal([2, 2, 4, 4], using: &generator) * 0.5
        let w = Tensor.normal([2, 2, 2, 3], using: &generator) * 0.5
        let b = Tensor.normal([2], using: &generator) * 0.5
        let first = checkGradients(at: [x, w, b]) {
            conv2d($0[0], weight: $0[1], bias: $0[2], stride: (2, 1), padding: (1, 2), dilation: (1, 2))
        }
        #expect(first.passes(), "\(first)")
        let second = checkSecondOrderGradients(at: [x, w, b]) { inputs in
            let y = conv2d(inputs[0], weight: inputs[1], bias: inputs[2], stride: (1, 2), padding: (1, 1))
            return y * y
        }
        #expect(second.passes(), "\(second)")
        let secondExp = checkSecondOrderGradients(at: [x, w]) {
            conv2d($0[0], weight: $0[1], padding: (0, 1), dilation: (2, 1)).exp()
        }
        #expect(secondExp.passes(), "\(secondExp)")
    }
}
