import Foundation
import NeuralNet
import Testing

/// A localisation network: flatten `[B, C, H, W]` and regress the six affine parameters with one linear layer that
/// starts at the identity transform (zero weights, bias `[1, 0, 0, 0, 1, 0]`).
private struct AffineRegressor: Module {
    let linear: Linear
    init(pixels: Int) {
        linear = Linear(weight: Tensor.zeros([6, pixels]), bias: SpatialSampling.identityParameters)
    }
    var namedParameters: [(name: String, parameter: Parameter)] { prefixed("linear", linear) }
    func callAsFunction(_ input: Tensor) -> Tensor { linear(input.reshaped([input.shape[0], -1])) }
}

/// `count` images `[count, 1, size, size]` of a Gaussian blob translated from the centre by `(tx, ty)` in normalised
/// units (x right, y down, [−1, 1] spans the image), with the translations `[count, 2]`.
private func translatedBlobs(
    count: Int, size: Int, maximumShift: Float, using generator: inout RandomGenerator
) -> (images: Tensor, shifts: [[Float]]) {
    var pixels: [Float] = []
    var shifts: [[Float]] = []
    for _ in 0..<count {
        let tx = (2 * generator.nextUnitFloat() - 1) * maximumShift
        let ty = (2 * generator.nextUnitFloat() - 1) * maximumShift
        shifts.append([tx, ty])
        pixels += blob(size: size, centre: (tx, ty))
    }
    return (Tensor(shape: [count, 1, size, size], scalars: pixels), shifts)
}

/// A Gaussian blob (σ = 1.5 pixels) centred at `centre` in normalised coordinates (pixel centres at `(2j + 1)/W − 1`).
private func blob(size: Int, centre: (Float, Float)) -> [Float] {
    let sigma: Float = 1.5 * 2 / Float(size)
    return (0..<(size * size)).map { k in
        let x = Float(2 * (k % size) + 1) / Float(size) - 1 - centre.0
        let y = Float(2 * (k / size) + 1) / Float(size) - 1 - centre.1
        return exp(-(x * x + y * y) / (2 * sigma * sigma))
    }
}

@Suite("Spatial transformer learning: a localisation network regresses a known translation")
struct SpatialTransformerLearningTests {
    @Test func localisationNetworkLearnsToUndoKnownTranslations() {
        // Each input is a centred blob translated by a known t; the target brings it back to the centre. The
        // transformer output is input(θ·p), so the exact answer is θ = [I | t]: the localisation network must read
        // t off the pixels. Trained end to end on the image loss only; the regressed θ is checked on held-out images.
        let size = 8
        var generator = RandomGenerator(seed: 21)
        let transformer = SpatialTransformer(
            localization: AffineRegressor(pixels: size * size), outputHeight: size, outputWidth: size)
        let training = translatedBlobs(count: 32, size: size, maximumShift: 0.3, using: &generator)
        let heldOut = translatedBlobs(count: 16, size: size, maximumShift: 0.3, using: &generator)
        // The targets are the inputs resampled with the true θ = [I | t], so the exact θ reaches zero loss (an
        // analytic centred blob would add the bilinear interpolation error as a floor).
        func truth(_ shifts: [[Float]]) -> Tensor {
            Tensor(shape: [shifts.count, 2, 3], scalars: shifts.flatMap { [1, 0, $0[0], 0, 1, $0[1]] })
        }
        func target(_ data: (images: Tensor, shifts: [[Float]])) -> Tensor {
            SpatialSampling.gridSample(
                data.images, grid: SpatialSampling.affineGrid(theta: truth(data.shifts), height: size, width: size))
        }
        let (trainingTarget, heldOutTarget) = (target(training), target(heldOut))
        let optimizer = Adam(transformer.parameters, learningRate: 0.01)
        func loss(_ images: Tensor, _ target: Tensor) -> Tensor { meanSquaredError(transformer(images), target) }
        let initial = loss(heldOut.images, heldOutTarget).item
        for _ in 0..<200 {
            optimizer.step(gradients(of: loss(training.images, trainingTarget), wrt: transformer.parameterValues))
        }
        let final = loss(heldOut.images, heldOutTarget).item
        #expect(final < initial / 500, "held-out loss \(initial) → \(final)")
        let theta = withoutGradients { transformer.localization(heldOut.images) }.scalars
        var worstTranslation: Float = 0
        var worstLinear: Float = 0
        for (n, shift) in heldOut.shifts.enumerated() {
            let row = Array(theta[(6 * n)..<(6 * n + 6)])
            worstTranslation = max(worstTranslation, abs(row[2] - shift[0]), abs(row[5] - shift[1]))
            worstLinear = max(worstLinear, abs(row[0] - 1), abs(row[1]), abs(row[3]), abs(row[4] - 1))
        }
        #expect(worstTranslation < 0.05, "largest translation error \(worstTranslation) (shifts up to 0.3)")
        #expect(worstLinear < 0.1, "largest deviation of the linear part from I: \(worstLinear)")
    }
}
