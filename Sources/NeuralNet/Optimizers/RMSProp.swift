/// RMSProp: gradient steps scaled by a running root mean square of the gradients.
///
/// Hinton, Srivastava & Swersky, Neural Networks for Machine Learning, lecture 6e (2012); the centered variant from
/// Graves, "Generating Sequences With Recurrent Neural Networks" (2013). Follows `torch.optim.RMSprop`
/// (https://pytorch.org/docs/stable/generated/torch.optim.RMSprop.html), with α the smoothing constant:
///
/// ```
/// g ← g + λ·θ
/// v ← α·v + (1 − α)·g²
/// centered:  ḡ ← α·ḡ + (1 − α)·g,   d ← √(v − ḡ²) + ε     else  d ← √v + ε
/// momentum μ > 0:  b ← μ·b + g/d,  θ ← θ − γ·b             else  θ ← θ − γ·g/d
/// ```
///
/// Unlike ``SGD``, the momentum buffer starts at zero. State: `"<index>.square_avg"`, and `"<index>.momentum_buffer"`
/// (μ > 0), `"<index>.grad_avg"` (centered).
public final class RMSProp: Optimizer {
    /// The parameters updated by ``step(_:)``.
    public let parameters: [Parameter]
    /// γ, PyTorch default 1e-2.
    public var learningRate: Float
    /// α, the smoothing constant; PyTorch default 0.99.
    public let alpha: Float
    /// ε, PyTorch default 1e-8.
    public let epsilon: Float
    /// λ (L2 penalty added to the gradient), PyTorch default 0.
    public let weightDecay: Float
    /// μ, PyTorch default 0.
    public let momentum: Float
    /// Normalize by the estimated variance instead of the raw second moment; PyTorch default false.
    public let centered: Bool
    /// Number of steps applied.
    public private(set) var stepCount = 0

    private var squareAverages: [[Float]]
    private var gradientAverages: [[Float]]
    private var momentumBuffers: [[Float]]

    /// Creates an RMSProp optimizer over `parameters` (pass `model.parameters`), with PyTorch's defaults.
    public init(
        _ parameters: [Parameter], learningRate: Float = 1e-2, alpha: Float = 0.99, epsilon: Float = 1e-8,
        weightDecay: Float = 0, momentum: Float = 0, centered: Bool = false
    ) {
        precondition(learningRate >= 0, "RMSProp: invalid learning rate \(learningRate)")
        precondition(alpha >= 0, "RMSProp: invalid alpha \(alpha)")
        precondition(epsilon >= 0, "RMSProp: invalid epsilon \(epsilon)")
        precondition(weightDecay >= 0, "RMSProp: invalid weight decay \(weightDecay)")
        precondition(momentum >= 0, "RMSProp: invalid momentum \(momentum)")
        self.parameters = parameters
        self.learningRate = learningRate
        self.alpha = alpha
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.momentum = momentum
        self.centered = centered
        squareAverages = OptimizerSupport.zeroBuffers(for: parameters)
        gradientAverages = centered ? OptimizerSupport.zeroBuffers(for: parameters) : []
        momentumBuffers = momentum > 0 ? OptimizerSupport.zeroBuffers(for: parameters) : []
    }

    /// Applies one update (see the type's documentation for the formula).
    public func step(_ gradients: [Tensor]) {
        OptimizerSupport.checkGradients(gradients, for: parameters, op: "RMSProp")
        let (lr, alpha, oneMinusAlpha, epsilon) = (learningRate, alpha, Float(1 - Double(alpha)), epsilon)
        let (decay, mu, centered, useMomentum) = (weightDecay, momentum, centered, momentum > 0)
        for (index, parameter) in parameters.enumerated() {
            let count = parameter.value.count
            // Scratch for the gradient and the denominator, so each optional slot is touched in its own loop.
            var decayed = [Float](repeating: 0, count: count)
            var denominators = [Float](repeating: 0, count: count)
            parameter.value.scalars.withUnsafeBufferPointer { theta in
                gradients[index].scalars.withUnsafeBufferPointer { grad in
                    decayed.withUnsafeMutableBufferPointer { g in
                        denominators.withUnsafeMutableBufferPointer { d in
                            squareAverages[index].withUnsafeMutableBufferPointer { v in
                                var means = centered ? gradientAverages[index] : []
                                if centered { gradientAverages[index] = [] }  // unique while written
                                means.withUnsafeMutableBufferPointer { mean in
                                    // Element-wise: chunks over threads give the same bits as one thread.
                                    Kernels.parallelFor(count) { range in
                                        for i in range {
                                            g[i] = grad[i] + decay * theta[i]
                                            v[i] = v[i] * alpha + oneMinusAlpha * g[i] * g[i]
                                            d[i] = v[i]
                                        }
                                        if centered {
                                            for i in range {
                                                mean[i] += oneMinusAlpha * (g[i] - mean[i])
                                                d[i] -= mean[i] * mean[i]
                                            }
                                        }
                                        for i in range { d[i] = d[i].squareRoot() + epsilon }
                                    }
                                }
                                if centered { gradientAverages[index] = means }
                            }
                        }
                    }
                }
            }
            let updated = parameter.value.scalars.withUnsafeBufferPointer { theta in
                decayed.withUnsafeBufferPointer { g in
                    denominators.withUnsafeBufferPointer { d in
                        [Float](unsafeUninitializedCapacity: count) { out, initialized in
                            if useMomentum {
                                momentumBuffers[index].withUnsafeMutableBufferPointer { b in
                                    Kernels.parallelFor(count) { range in
                                        for i in range {
                                            b[i] = b[i] * mu + g[i] / d[i]
                                            out[i] = theta[i] - lr * b[i]
                                        }
                                    }
                                }
                            } else {
                                Kernels.parallelFor(count) { range in
                                    for i in range { out[i] = theta[i] - lr * (g[i] / d[i]) }
                                }
                            }
                            initialized = count
                        }
                    }
                }
            }
            parameter.update(scalars: updated)
        }
        stepCount += 1
    }

    private var slotNames: [String] {
        ["square_avg"] + (momentum > 0 ? ["momentum_buffer"] : []) + (centered ? ["grad_avg"] : [])
    }

    /// `square_avg`, and `momentum_buffer` / `grad_avg` when enabled, per parameter.
    public var stateTensors: [String: Tensor] {
        var slots: [(name: String, buffers: [[Float]])] = [("square_avg", squareAverages)]
        if momentum > 0 { slots.append(("momentum_buffer", momentumBuffers)) }
        if centered { slots.append(("grad_avg", gradientAverages)) }
        return OptimizerSupport.export(slots, parameters: parameters)
    }

    /// Restores the running averages, momentum buffers and the step count.
    public func loadState(_ tensors: [String: Tensor], stepCount: Int) throws {
        let slots = try OptimizerSupport.importSlots(
            slotNames, from: tensors, parameters: parameters, stepCount: stepCount)
        squareAverages = slots[0]
        var next = 1
        if momentum > 0 {
            momentumBuffers = slots[next]
            next += 1
        }
        if centered { gradientAverages = slots[next] }
        self.stepCount = stepCount
    }
}
