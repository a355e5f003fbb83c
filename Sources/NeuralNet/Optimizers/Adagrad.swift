/// Adagrad: per-coordinate step sizes shrinking with the accumulated squared gradients.
///
/// Duchi, Hazan & Singer, "Adaptive Subgradient Methods for Online Learning and Stochastic Optimization" (JMLR 2011).
/// Follows `torch.optim.Adagrad` (https://pytorch.org/docs/stable/generated/torch.optim.Adagrad.html), at step t
/// with η the learning-rate decay:
///
/// ```
/// g ← g + λ·θ
/// γₜ ← γ / (1 + (t − 1)·η)
/// s ← s + g²                     (s starts at the initial accumulator value)
/// θ ← θ − γₜ · g / (√s + ε)
/// ```
///
/// State: `"<index>.sum"`.
public final class Adagrad: Optimizer {
    /// The parameters updated by ``step(_:)``.
    public let parameters: [Parameter]
    /// γ, PyTorch default 1e-2.
    public var learningRate: Float
    /// η, PyTorch default 0.
    public let learningRateDecay: Float
    /// λ (L2 penalty added to the gradient), PyTorch default 0.
    public let weightDecay: Float
    /// The starting value of every accumulator, PyTorch default 0.
    public let initialAccumulatorValue: Float
    /// ε, PyTorch default 1e-10.
    public let epsilon: Float
    /// Number of steps applied.
    public private(set) var stepCount = 0

    private var sums: [[Float]]

    /// Creates an Adagrad optimizer over `parameters` (pass `model.parameters`), with PyTorch's defaults.
    public init(
        _ parameters: [Parameter], learningRate: Float = 1e-2, learningRateDecay: Float = 0, weightDecay: Float = 0,
        initialAccumulatorValue: Float = 0, epsilon: Float = 1e-10
    ) {
        precondition(learningRate >= 0, "Adagrad: invalid learning rate \(learningRate)")
        precondition(learningRateDecay >= 0, "Adagrad: invalid learning rate decay \(learningRateDecay)")
        precondition(weightDecay >= 0, "Adagrad: invalid weight decay \(weightDecay)")
        precondition(
            initialAccumulatorValue >= 0,
            "Adagrad: invalid initial accumulator value \(initialAccumulatorValue)")
        precondition(epsilon >= 0, "Adagrad: invalid epsilon \(epsilon)")
        self.parameters = parameters
        self.learningRate = learningRate
        self.learningRateDecay = learningRateDecay
        self.weightDecay = weightDecay
        self.initialAccumulatorValue = initialAccumulatorValue
        self.epsilon = epsilon
        sums = OptimizerSupport.zeroBuffers(for: parameters, value: initialAccumulatorValue)
    }

    /// Applies one update (see the type's documentation for the formula).
    public func step(_ gradients: [Tensor]) {
        OptimizerSupport.checkGradients(gradients, for: parameters, op: "Adagrad")
        stepCount += 1
        let decayedRate = Float(Double(learningRate) / (1 + Double(stepCount - 1) * Double(learningRateDecay)))
        let (decay, epsilon) = (weightDecay, epsilon)
        for (index, parameter) in parameters.enumerated() {
            let count = parameter.value.count
            let updated = parameter.value.scalars.withUnsafeBufferPointer { theta in
                gradients[index].scalars.withUnsafeBufferPointer { grad in
                    sums[index].withUnsafeMutableBufferPointer { s in
                        [Float](unsafeUninitializedCapacity: count) { out, initialized in
                            Kernels.parallelFor(count) { range in
                                for i in range {
                                    let g = grad[i] + decay * theta[i]
                                    s[i] += g * g
                                    out[i] = theta[i] - decayedRate * (g / (s[i].squareRoot() + epsilon))
                                }
                            }
                            initialized = count
                        }
                    }
                }
            }
            parameter.update(scalars: updated)
        }
    }

    /// `"<index>.sum"` per parameter.
    public var stateTensors: [String: Tensor] {
        OptimizerSupport.export([("sum", sums)], parameters: parameters)
    }

    /// Restores the accumulators and the step count.
    public func loadState(_ tensors: [String: Tensor], stepCount: Int) throws {
        let slots = try OptimizerSupport.importSlots(
            ["sum"], from: tensors, parameters: parameters, stepCount: stepCount)
        sums = slots[0]
        self.stepCount = stepCount
    }
}
