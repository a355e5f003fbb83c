/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight decay.
///
/// Follows `torch.optim.SGD` (https://pytorch.org/docs/stable/generated/torch.optim.SGD.html), with μ the momentum,
/// τ the dampening, λ the weight decay and γ the learning rate:
///
/// ```
/// g ← g + λ·θ
/// if μ ≠ 0:  b ← g at the first step, else b ← μ·b + (1 − τ)·g
///            g ← g + μ·b  (Nesterov)   or   g ← b
/// θ ← θ − γ·g
/// ```
///
/// State: `"<index>.momentum_buffer"` when μ ≠ 0.
public final class SGD: Optimizer {
    /// The parameters updated by ``step(_:)``.
    public let parameters: [Parameter]
    /// γ, PyTorch default 1e-3.
    public var learningRate: Float
    /// μ, PyTorch default 0.
    public let momentum: Float
    /// τ, PyTorch default 0.
    public let dampening: Float
    /// λ (L2 penalty added to the gradient), PyTorch default 0.
    public let weightDecay: Float
    /// Nesterov momentum (needs μ > 0 and τ = 0), PyTorch default false.
    public let nesterov: Bool
    /// Number of steps applied.
    public private(set) var stepCount = 0

    private var momentumBuffers: [[Float]]

    /// Creates an SGD optimizer over `parameters` (pass `model.parameters`), with PyTorch's defaults.
    public init(
        _ parameters: [Parameter], learningRate: Float = 1e-3, momentum: Float = 0, dampening: Float = 0,
        weightDecay: Float = 0, nesterov: Bool = false
    ) {
        precondition(learningRate >= 0, "SGD: invalid learning rate \(learningRate)")
        precondition(momentum >= 0, "SGD: invalid momentum \(momentum)")
        precondition(weightDecay >= 0, "SGD: invalid weight decay \(weightDecay)")
        precondition(
            !nesterov || (momentum > 0 && dampening == 0),
            "SGD: Nesterov momentum requires a momentum and zero dampening")
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        momentumBuffers = momentum != 0 ? OptimizerSupport.zeroBuffers(for: parameters) : []
    }

    /// Applies one update (see the type's documentation for the formula).
    public func step(_ gradients: [Tensor]) {
        OptimizerSupport.checkGradients(gradients, for: parameters, op: "SGD")
        let (lr, mu, decay, keep) = (learningRate, momentum, weightDecay, Float(1 - Double(dampening)))
        let first = stepCount == 0
        let useMomentum = momentum != 0
        let nesterov = self.nesterov
        for (index, parameter) in parameters.enumerated() {
            let count = parameter.value.count
            // Each element is read and written at the same index by one thread, so `theta` and `next` may alias
            // (in place) or not (the parameter's spare buffer while the step's graph still holds θ).
            parameter.updateScalars { theta, next in
                gradients[index].scalars.withUnsafeBufferPointer { grad in
                    if useMomentum {
                        momentumBuffers[index].withUnsafeMutableBufferPointer { buffer in
                            Kernels.parallelFor(count) { range in
                                for i in range {
                                    let g = grad[i] + decay * theta[i]
                                    let b = first ? g : mu * buffer[i] + keep * g
                                    buffer[i] = b
                                    next[i] = theta[i] - lr * (nesterov ? g + mu * b : b)
                                }
                            }
                        }
                    } else {
                        Kernels.parallelFor(count) { range in
                            for i in range { next[i] = theta[i] - lr * (grad[i] + decay * theta[i]) }
                        }
                    }
                }
            }
        }
        stepCount += 1
    }

    /// `"<index>.momentum_buffer"` per parameter when momentum is on; empty otherwise.
    public var stateTensors: [String: Tensor] {
        momentum != 0
            ? OptimizerSupport.export([("momentum_buffer", momentumBuffers)], parameters: parameters) : [:]
    }

    /// Restores the momentum buffers and the step count.
    public func loadState(_ tensors: [String: Tensor], stepCount: Int) throws {
        let slots = try OptimizerSupport.importSlots(
            momentum != 0 ? ["momentum_buffer"] : [], from: tensors, parameters: parameters,
            stepCount: stepCount)
        if momentum != 0 { momentumBuffers = slots[0] }
        self.stepCount = stepCount
    }
}
