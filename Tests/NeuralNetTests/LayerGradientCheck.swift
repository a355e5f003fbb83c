import NeuralNet

/// Finite-difference check of a layer's gradients with respect to both its inputs and its parameters.
///
/// Parameters are perturbed in place with `Parameter.update(scalars:)` and restored, so the layer under test is
/// exercised exactly as users call it. Returns the largest error `|analytic − numeric| / (1 + |numeric|)`.
func layerGradientError(
    inputs: [Tensor], parameters: [Parameter], epsilon: Float = 1e-2, _ function: ([Tensor]) -> Tensor
) -> Float {
    let leaves = inputs.map { $0.requiringGradient() }
    let output = function(leaves)
    var generator = RandomGenerator(seed: 11)
    let weights = Tensor.uniform(output.shape, low: 0.5, high: 1.5, using: &generator)
    let analytic = gradients(of: output, wrt: leaves + parameters.map(\.value), seed: weights)

    func weightedOutputAt(_ xs: [Tensor]) -> Double {
        let value = function(xs)
        var total = 0.0
        for (v, w) in zip(value.scalars, weights.scalars) { total += Double(v) * Double(w) }
        return total
    }
    func weightedOutput() -> Double { weightedOutputAt(inputs) }
    var maxError: Float = 0
    func record(_ analyticValue: Float, _ numeric: Double) {
        let error = abs(analyticValue - Float(numeric)) / (1 + abs(Float(numeric)))
        maxError = max(maxError, error.isNaN ? .infinity : error)
    }
    var points = inputs
    for (index, input) in inputs.enumerated() {
        for s in 0..<input.count {
            var scalars = input.scalars
            scalars[s] += epsilon
            points[index] = Tensor(shape: input.shape, scalars: scalars)
            let plus = weightedOutputAt(points)
            scalars[s] -= 2 * epsilon
            points[index] = Tensor(shape: input.shape, scalars: scalars)
            let minus = weightedOutputAt(points)
            points[index] = input
            record(analytic[index].scalars[s], (plus - minus) / (2 * Double(epsilon)))
        }
    }
    for (index, parameter) in parameters.enumerated() {
        let original = parameter.value.scalars
        for s in 0..<original.count {
            var scalars = original
            scalars[s] += epsilon
            parameter.update(scalars: scalars)
            let plus = weightedOutput()
            scalars[s] -= 2 * epsilon
            parameter.update(scalars: scalars)
            let minus = weightedOutput()
            parameter.update(scalars: original)
            record(analytic[inputs.count + index].scalars[s], (plus - minus) / (2 * Double(epsilon)))
        }
    }
    return maxError
}
