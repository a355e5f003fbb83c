internal import CVectorKernels
import Foundation

#if arch(x86_64) && canImport(_Builtin_intrinsics)
internal import _Builtin_intrinsics.intel
#endif

/// Adam: adaptive moment estimation, with weight decay as an L2 penalty on the gradient and optional AMSGrad.
///
/// Kingma & Ba, "Adam: A Method for Stochastic Optimization" (ICLR 2015); AMSGrad from Reddi et al., "On the
/// Convergence of Adam and Beyond" (ICLR 2018). Follows `torch.optim.Adam`
/// (https://pytorch.org/docs/stable/generated/torch.optim.Adam.html), at step t:
///
/// ```
/// g ← g + λ·θ
/// m ← β₁·m + (1 − β₁)·g            v ← β₂·v + (1 − β₂)·g²
/// v̂ ← max(v̂, v) with AMSGrad, else v̂ = v
/// θ ← θ − γ/(1 − β₁ᵗ) · m / (√v̂ / √(1 − β₂ᵗ) + ε)
/// ```
///
/// State: `"<index>.exp_avg"` (m), `"<index>.exp_avg_sq"` (v) and with AMSGrad `"<index>.max_exp_avg_sq"`.
/// For decoupled weight decay use ``AdamW``.
public final class Adam: Optimizer {
    /// The parameters updated by ``step(_:)``.
    public let parameters: [Parameter]
    /// γ, PyTorch default 1e-3.
    public var learningRate: Float
    /// β₁, PyTorch default 0.9.
    public let beta1: Float
    /// β₂, PyTorch default 0.999.
    public let beta2: Float
    /// ε, PyTorch default 1e-8.
    public let epsilon: Float
    /// λ, added to the gradient as an L2 penalty; PyTorch default 0.
    public let weightDecay: Float
    /// Whether to use the AMSGrad variant; PyTorch default false.
    public let amsgrad: Bool
    /// Number of steps applied (t).
    public var stepCount: Int { moments.stepCount }

    private var moments: AdamMoments

    /// Creates an Adam optimizer over `parameters` (pass `model.parameters`), with PyTorch's defaults.
    public init(
        _ parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
        epsilon: Float = 1e-8, weightDecay: Float = 0, amsgrad: Bool = false
    ) {
        AdamMoments.checkHyperparameters(learningRate, beta1, beta2, epsilon, weightDecay, op: "Adam")
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.amsgrad = amsgrad
        moments = AdamMoments(parameters: parameters, amsgrad: amsgrad)
    }

    /// Applies one update (see the type's documentation for the formula).
    public func step(_ gradients: [Tensor]) {
        OptimizerSupport.checkGradients(gradients, for: parameters, op: "Adam")
        moments.step(
            parameters: parameters, gradients: gradients, learningRate: learningRate, beta1: beta1, beta2: beta2,
            epsilon: epsilon, l2Penalty: weightDecay, decoupledDecay: 0)
    }

    /// `exp_avg`, `exp_avg_sq` (and `max_exp_avg_sq`) per parameter.
    public var stateTensors: [String: Tensor] { moments.stateTensors(parameters: parameters) }

    /// Restores the moment estimates and the step count.
    public func loadState(_ tensors: [String: Tensor], stepCount: Int) throws {
        try moments.load(tensors, stepCount: stepCount, parameters: parameters)
    }
}

/// The scalars of one Adam step, derived once per step (see ``AdamMoments/step(parameters:gradients:learningRate:beta1:beta2:epsilon:l2Penalty:decoupledDecay:)``).
struct AdamConstants {
    let shrink: Float
    let l2Penalty: Float
    let oneMinusBeta1: Float
    let beta2: Float
    let oneMinusBeta2: Float
    /// γ·√(1 − β₂ᵗ)/(1 − β₁ᵗ).
    let scaledStepSize: Float
    /// ε·√(1 − β₂ᵗ).
    let scaledEpsilon: Float
}

/// The moment estimates and the update kernel shared by ``Adam`` and ``AdamW``.
struct AdamMoments {
    var stepCount = 0
    let amsgrad: Bool
    var firstMoments: [[Float]]
    var secondMoments: [[Float]]
    var maxSecondMoments: [[Float]]

    init(parameters: [Parameter], amsgrad: Bool) {
        self.amsgrad = amsgrad
        firstMoments = OptimizerSupport.zeroBuffers(for: parameters)
        secondMoments = OptimizerSupport.zeroBuffers(for: parameters)
        maxSecondMoments = amsgrad ? OptimizerSupport.zeroBuffers(for: parameters) : []
    }

    static func checkHyperparameters(
        _ learningRate: Float, _ beta1: Float, _ beta2: Float, _ epsilon: Float, _ weightDecay: Float, op: String
    ) {
        precondition(learningRate >= 0, "\(op): invalid learning rate \(learningRate)")
        precondition(epsilon >= 0, "\(op): invalid epsilon \(epsilon)")
        precondition((0..<1).contains(beta1), "\(op): invalid beta1 \(beta1)")
        precondition((0..<1).contains(beta2), "\(op): invalid beta2 \(beta2)")
        precondition(weightDecay >= 0, "\(op): invalid weight decay \(weightDecay)")
    }

    /// One Adam step. `l2Penalty` is added to the gradient (Adam's weight decay); `decoupledDecay` shrinks the
    /// parameter by `1 − γ·decoupledDecay` first (AdamW's).
    mutating func step(
        parameters: [Parameter], gradients: [Tensor], learningRate: Float, beta1: Float, beta2: Float,
        epsilon: Float, l2Penalty: Float, decoupledDecay: Float
    ) {
        stepCount += 1
        // Bias corrections in double precision, as PyTorch computes them from a Python float step.
        let t = Double(stepCount)
        // γ/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε) = γ√(1 − β₂ᵗ)/(1 − β₁ᵗ) · m / (√v + ε√(1 − β₂ᵗ)): the same update
        // with one division per element instead of two (the square root and the divisions bound the kernel's
        // speed); the two forms differ by rounding only.
        let correction2Root = (1 - Foundation.pow(Double(beta2), t)).squareRoot()
        let scaledStepSize = Float(Double(learningRate) / (1 - Foundation.pow(Double(beta1), t)) * correction2Root)
        let scaledEpsilon = Float(Double(epsilon) * correction2Root)
        let shrink = Float(1 - Double(learningRate) * Double(decoupledDecay))
        // Complements in double precision, as PyTorch forms them from Python floats.
        let (oneMinusBeta1, oneMinusBeta2) = (Float(1 - Double(beta1)), Float(1 - Double(beta2)))
        let amsgrad = self.amsgrad
        for (index, parameter) in parameters.enumerated() {
            let count = parameter.value.count
            var maxMoments = amsgrad ? maxSecondMoments[index] : []
            if amsgrad { maxSecondMoments[index] = [] }  // keep the buffer uniquely referenced while it is written
            // θ is read and the new θ written at the same index by the same lane, so it does not matter whether
            // `updateScalars` hands out one buffer (in place) or two (the spare buffer while a graph holds θ).
            parameter.updateScalars { theta, next in
                gradients[index].scalars.withUnsafeBufferPointer { grad in
                    firstMoments[index].withUnsafeMutableBufferPointer { m in
                        secondMoments[index].withUnsafeMutableBufferPointer { v in
                            maxMoments.withUnsafeMutableBufferPointer { vMax in
                                // Element-wise: chunks over threads give the same bits as one thread.
                                Kernels.parallelFor(count) { range in
                                    guard let theta = theta.baseAddress, let out = next.baseAddress,
                                        let grad = grad.baseAddress,
                                        let m = m.baseAddress, let v = v.baseAddress
                                    else { return }
                                    let constants = AdamConstants(
                                        shrink: shrink, l2Penalty: l2Penalty, oneMinusBeta1: oneMinusBeta1,
                                        beta2: beta2, oneMinusBeta2: oneMinusBeta2,
                                        scaledStepSize: scaledStepSize, scaledEpsilon: scaledEpsilon)
                                    if amsgrad, let vMax = vMax.baseAddress {
                                        AdamMoments.updateAMSGrad(
                                            range, theta: theta, gradient: grad, m: m, v: v,
                                            vMax: vMax, out: out, constants)
                                    } else {
                                        AdamMoments.updateVectorized(
                                            range, theta: theta, gradient: grad, m: m, v: v, out: out,
                                            constants)
                                    }
                                }
                            }
                        }
                    }
                }
            }
            if amsgrad { maxSecondMoments[index] = maxMoments }
        }
    }

    /// ``update(_:theta:gradient:m:v:out:_:)`` through the widest vectors of the processor (AVX-512 or AVX2, chosen
    /// at run time; `montague_adam_update` in `CVectorKernels`): the same operations in the same order, so the same
    /// bits, with two to four times fewer square roots and divisions issued than eight lanes in SSE. `lanes`
    /// (16, 8 or 1) narrows the width for tests; 0 is the widest.
    @inline(__always)
    static func updateVectorized(
        _ range: Range<Int>, theta: UnsafePointer<Float>, gradient: UnsafePointer<Float>,
        m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>,
        _ c: AdamConstants, lanes: Int32 = 0
    ) {
        let start = range.lowerBound
        montague_adam_update_lanes(
            lanes, theta + start, gradient + start, m + start, v + start, out + start, range.count,
            MontagueAdamConstants(
                shrink: c.shrink, l2Penalty: c.l2Penalty, oneMinusBeta1: c.oneMinusBeta1, beta2: c.beta2,
                oneMinusBeta2: c.oneMinusBeta2, scaledStepSize: c.scaledStepSize, scaledEpsilon: c.scaledEpsilon))
    }

    /// The update of `range` in one pass: moments, then the parameter, eight lanes at a time (`SIMD8<Float>`; the
    /// compiler does not vectorize the scalar loop by itself over five buffers that might alias). Every lane does
    /// the same IEEE operations in the same order as the scalar tail, so the result does not depend on where a
    /// chunk starts.
    @inline(__always)
    static func update(
        _ range: Range<Int>, theta: UnsafePointer<Float>, gradient: UnsafePointer<Float>,
        m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>,
        _ c: AdamConstants
    ) {
        typealias Lanes = SIMD8<Float>
        var i = range.lowerBound
        let end = range.upperBound
        while i &+ Lanes.scalarCount <= end {
            let p = UnsafeRawPointer(theta + i).loadUnaligned(as: Lanes.self) * c.shrink
            let g = UnsafeRawPointer(gradient + i).loadUnaligned(as: Lanes.self) + c.l2Penalty * p
            var mi = UnsafeRawPointer(m + i).loadUnaligned(as: Lanes.self)
            var vi = UnsafeRawPointer(v + i).loadUnaligned(as: Lanes.self)
            mi += c.oneMinusBeta1 * (g - mi)
            vi = vi * c.beta2 + c.oneMinusBeta2 * g * g
            let denominator = squareRoot(vi) + c.scaledEpsilon
            UnsafeMutableRawPointer(m + i).storeBytes(of: mi, as: Lanes.self)
            UnsafeMutableRawPointer(v + i).storeBytes(of: vi, as: Lanes.self)
            UnsafeMutableRawPointer(out + i).storeBytes(of: p - c.scaledStepSize * (mi / denominator), as: Lanes.self)
            i &+= Lanes.scalarCount
        }
        while i < end {
            let p = theta[i] * c.shrink
            let g = gradient[i] + c.l2Penalty * p
            m[i] += c.oneMinusBeta1 * (g - m[i])
            v[i] = v[i] * c.beta2 + c.oneMinusBeta2 * g * g
            let denominator = v[i].squareRoot() + c.scaledEpsilon
            out[i] = p - c.scaledStepSize * (m[i] / denominator)
            i &+= 1
        }
    }

    /// The correctly rounded square root of each lane. On x86-64 two SSE `sqrtps` (baseline x86-64, no build flag):
    /// `Float.squareRoot()` and `SIMD8.squareRoot()` keep libm's `errno` path for negative inputs, which makes them
    /// one scalar `sqrtss` plus a branch per lane and was most of the update's instructions. Same bits either way.
    @inline(__always)
    static func squareRoot(_ x: SIMD8<Float>) -> SIMD8<Float> {
        #if arch(x86_64) && canImport(_Builtin_intrinsics)
        return SIMD8(lowHalf: _mm_sqrt_ps(x.lowHalf), highHalf: _mm_sqrt_ps(x.highHalf))
        #else
        return x.squareRoot()
        #endif
    }

    /// ``update(_:theta:gradient:m:v:out:_:)`` with AMSGrad's running maximum of `v` in the denominator.
    @inline(__always)
    static func updateAMSGrad(
        _ range: Range<Int>, theta: UnsafePointer<Float>, gradient: UnsafePointer<Float>,
        m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, vMax: UnsafeMutablePointer<Float>,
        out: UnsafeMutablePointer<Float>, _ c: AdamConstants
    ) {
        for i in range {
            let p = theta[i] * c.shrink
            let g = gradient[i] + c.l2Penalty * p
            m[i] += c.oneMinusBeta1 * (g - m[i])
            v[i] = v[i] * c.beta2 + c.oneMinusBeta2 * g * g
            vMax[i] = Swift.max(vMax[i], v[i])
            let denominator = vMax[i].squareRoot() + c.scaledEpsilon
            out[i] = p - c.scaledStepSize * (m[i] / denominator)
        }
    }

    var slotNames: [String] { amsgrad ? ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"] : ["exp_avg", "exp_avg_sq"] }

    func stateTensors(parameters: [Parameter]) -> [String: Tensor] {
        var slots = [("exp_avg", firstMoments), ("exp_avg_sq", secondMoments)]
        if amsgrad { slots.append(("max_exp_avg_sq", maxSecondMoments)) }
        return OptimizerSupport.export(slots.map { (name: $0.0, buffers: $0.1) }, parameters: parameters)
    }

    mutating func load(_ tensors: [String: Tensor], stepCount: Int, parameters: [Parameter]) throws {
        let slots = try OptimizerSupport.importSlots(
            slotNames, from: tensors, parameters: parameters, stepCount: stepCount)
        firstMoments = slots[0]
        secondMoments = slots[1]
        if amsgrad { maxSecondMoments = slots[2] }
        self.stepCount = stepCount
    }
}
