/// Finite-difference verification of reverse-mode gradients, first and second order.
///
/// The function's output is reduced with fixed random weights `w` (so non-scalar outputs are covered):
/// `L(x) = Σᵢ wᵢ·f(x)ᵢ`, accumulated in `Double`. Each input scalar is perturbed by ±ε and the central difference
/// `(L(x+ε) − L(x−ε)) / 2ε` is compared with the analytic gradient from ``gradients(of:wrt:seed:createGraph:)``.
public struct GradientCheckResult: Sendable, CustomStringConvertible {
    /// Analytic gradients, one per input.
    public let analytic: [Tensor]
    /// Central-difference estimates, one per input.
    public let numeric: [Tensor]
    /// The largest `|analytic − numeric| / (1 + |numeric|)` over all scalars.
    public let maxError: Float

    /// Whether every scalar agrees within `tolerance` (absolute for small values, relative for large ones).
    public func passes(tolerance: Float = 1e-2) -> Bool { maxError <= tolerance }

    public var description: String {
        "GradientCheckResult(maxError: \(maxError), analytic: \(analytic), numeric: \(numeric))"
    }
}

/// Compares the gradients of `function` at `inputs` with central differences.
///
/// - Parameters:
///   - inputs: the points; each is made a gradient leaf inside the check.
///   - epsilon: the finite-difference step; Float32 arithmetic makes 1e-2 … 1e-3 the useful range.
///   - seed: seeds the random output weights.
///   - function: the computation under test; it may return any shape.
public func checkGradients(
    at inputs: [Tensor], epsilon: Float = 1e-2, seed: UInt64 = 7, _ function: ([Tensor]) -> Tensor
) -> GradientCheckResult {
    let leaves = inputs.map { $0.requiringGradient() }
    let output = function(leaves)
    var generator = RandomGenerator(seed: seed)
    let weights = Tensor.uniform(output.shape, low: 0.5, high: 1.5, using: &generator)
    let analytic = gradients(of: output, wrt: leaves, seed: weights)

    func weightedOutput(_ points: [Tensor]) -> Double {
        let value = function(points.map { $0.requiringGradient() })
        var total = 0.0
        for (v, w) in zip(value.scalars, weights.scalars) { total += Double(v) * Double(w) }
        return total
    }

    var numeric: [Tensor] = []
    var maxError: Float = 0
    for (inputIndex, input) in inputs.enumerated() {
        var estimate = [Float](repeating: 0, count: input.count)
        for scalarIndex in 0..<input.count {
            var plus = input.scalars
            plus[scalarIndex] += epsilon
            var minus = input.scalars
            minus[scalarIndex] -= epsilon
            var pointsPlus = inputs
            pointsPlus[inputIndex] = Tensor(shape: input.shape, scalars: plus)
            var pointsMinus = inputs
            pointsMinus[inputIndex] = Tensor(shape: input.shape, scalars: minus)
            let difference = (weightedOutput(pointsPlus) - weightedOutput(pointsMinus)) / (2 * Double(epsilon))
            estimate[scalarIndex] = Float(difference)
            let error =
                abs(analytic[inputIndex].scalars[scalarIndex] - Float(difference)) / (1 + abs(Float(difference)))
            maxError = max(maxError, error.isNaN ? .infinity : error)
        }
        numeric.append(Tensor(shape: input.shape, scalars: estimate))
    }
    return GradientCheckResult(analytic: analytic, numeric: numeric, maxError: maxError)
}

/// Checks second derivatives: the gradient of `h(x) = Σ v ⊙ ∇f(x)` (computed with `createGraph: true`) against
/// central differences of `h`, for fixed random directions `v`. This exercises every backward rule's own backward.
public func checkSecondOrderGradients(
    at inputs: [Tensor], epsilon: Float = 1e-2, seed: UInt64 = 11, _ function: @escaping ([Tensor]) -> Tensor
) -> GradientCheckResult {
    var generator = RandomGenerator(seed: seed)
    let directions = inputs.map { Tensor.uniform($0.shape, low: -1, high: 1, using: &generator) }
    let probe = function(inputs.map { $0.requiringGradient() })
    let weights = Tensor.uniform(probe.shape, low: 0.5, high: 1.5, using: &generator)
    return checkGradients(at: inputs, epsilon: epsilon, seed: seed) { points in
        let output = function(points)
        let firstOrder = gradients(of: output, wrt: points, seed: weights, createGraph: true)
        var total = Tensor(0)
        for (g, v) in zip(firstOrder, directions) { total = total + (g * v).sum() }
        return total
    }
}
