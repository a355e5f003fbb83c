import Foundation

/// A learning rate as a function of the step: set `optimizer.learningRate = schedule.learningRate(atStep: t)`
/// before each step, with t counting from 0.
///
/// The schedules are the closed forms of PyTorch's `torch.optim.lr_scheduler`
/// (https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate), with PyTorch's `last_epoch` as the
/// step: the value of a PyTorch scheduler after `t` calls of `scheduler.step()`. Values are computed in double
/// precision and rounded once, so they do not drift as PyTorch's recursive forms can in the last bits.
public protocol LearningRateSchedule: Sendable {
    /// The learning rate to use for step `step` (0-based).
    func learningRate(atStep step: Int) -> Float
}

/// The same rate at every step (`torch.optim.lr_scheduler.ConstantLR` with factor 1).
public struct ConstantSchedule: LearningRateSchedule, Equatable {
    /// The rate.
    public var value: Float

    /// A schedule that always returns `value`.
    public init(_ value: Float) { self.value = value }

    /// Returns ``value``.
    public func learningRate(atStep step: Int) -> Float { value }
}

/// Decays the rate by `gamma` every `stepSize` steps: `γ₀ · gamma^⌊t / stepSize⌋`.
///
/// `torch.optim.lr_scheduler.StepLR(optimizer, step_size, gamma=0.1)`.
public struct StepSchedule: LearningRateSchedule, Equatable {
    /// γ₀, the rate at step 0.
    public var initialLearningRate: Float
    /// Number of steps between decays.
    public var stepSize: Int
    /// The decay factor, PyTorch default 0.1.
    public var gamma: Float

    /// A step schedule starting at `initialLearningRate`.
    public init(initialLearningRate: Float, stepSize: Int, gamma: Float = 0.1) {
        precondition(stepSize > 0, "StepSchedule: stepSize \(stepSize) must be positive")
        self.initialLearningRate = initialLearningRate
        self.stepSize = stepSize
        self.gamma = gamma
    }

    /// `γ₀ · gamma^⌊step / stepSize⌋`.
    public func learningRate(atStep step: Int) -> Float {
        precondition(step >= 0, "StepSchedule: negative step \(step)")
        return Float(Double(initialLearningRate) * Foundation.pow(Double(gamma), Double(step / stepSize)))
    }
}

/// Decays the rate by `gamma` every step: `γ₀ · gammaᵗ`.
///
/// `torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma)`.
public struct ExponentialSchedule: LearningRateSchedule, Equatable {
    /// γ₀, the rate at step 0.
    public var initialLearningRate: Float
    /// The per-step decay factor.
    public var gamma: Float

    /// An exponential schedule starting at `initialLearningRate`.
    public init(initialLearningRate: Float, gamma: Float) {
        self.initialLearningRate = initialLearningRate
        self.gamma = gamma
    }

    /// `γ₀ · gamma^step`.
    public func learningRate(atStep step: Int) -> Float {
        precondition(step >= 0, "ExponentialSchedule: negative step \(step)")
        return Float(Double(initialLearningRate) * Foundation.pow(Double(gamma), Double(step)))
    }
}

/// Cosine annealing from γ₀ down to `minimumLearningRate` over `period` steps.
///
/// Loshchilov & Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts" (ICLR 2017), without restarts;
/// `torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=period, eta_min=minimumLearningRate)`:
///
/// ```
/// γₜ = γ_min + (γ₀ − γ_min) · (1 + cos(π·t / period)) / 2
/// ```
///
/// As in PyTorch, past `period` the rate follows the cosine back up (period 2·`period`); stop there or compose.
public struct CosineAnnealingSchedule: LearningRateSchedule, Equatable {
    /// γ₀, the rate at step 0.
    public var initialLearningRate: Float
    /// T_max: the number of steps from γ₀ to the minimum.
    public var period: Int
    /// γ_min (PyTorch's `eta_min`), default 0.
    public var minimumLearningRate: Float

    /// A cosine schedule from `initialLearningRate` to `minimumLearningRate` over `period` steps.
    public init(initialLearningRate: Float, period: Int, minimumLearningRate: Float = 0) {
        precondition(period > 0, "CosineAnnealingSchedule: period \(period) must be positive")
        self.initialLearningRate = initialLearningRate
        self.period = period
        self.minimumLearningRate = minimumLearningRate
    }

    /// `γ_min + (γ₀ − γ_min)(1 + cos(π·step/period))/2`.
    public func learningRate(atStep step: Int) -> Float {
        precondition(step >= 0, "CosineAnnealingSchedule: negative step \(step)")
        let low = Double(minimumLearningRate)
        let cosine = Foundation.cos(Double.pi * Double(step) / Double(period))
        return Float(low + (Double(initialLearningRate) - low) * (1 + cosine) / 2)
    }
}

/// A linear warm-up over the first `warmupSteps` steps, then another schedule restarted at its step 0.
///
/// `torch.optim.lr_scheduler.SequentialLR(optimizer, [LinearLR(optimizer, start_factor, 1.0, total_iters=W),
/// after], milestones=[W])`, with γ₀ = `after.learningRate(atStep: 0)`:
///
/// ```
/// t < W:  γₜ = γ₀ · (s + (1 − s) · t / W)
/// t ≥ W:  γₜ = after(t − W)
/// ```
public struct LinearWarmup<After: LearningRateSchedule>: LearningRateSchedule {
    /// W, the number of warm-up steps.
    public var warmupSteps: Int
    /// s, the fraction of γ₀ used at step 0; PyTorch's `LinearLR` default is 1/3.
    public var startFactor: Float
    /// The schedule that takes over at step W (seeing step 0 there).
    public var after: After

    /// Warms up linearly from `startFactor · γ₀` over `warmupSteps` steps, then follows `after`.
    public init(warmupSteps: Int, startFactor: Float = 1.0 / 3, then after: After) {
        precondition(warmupSteps >= 0, "LinearWarmup: negative warmupSteps \(warmupSteps)")
        precondition(
            startFactor > 0 && startFactor <= 1,
            "LinearWarmup: startFactor \(startFactor) must be in (0, 1] as in PyTorch's LinearLR")
        self.warmupSteps = warmupSteps
        self.startFactor = startFactor
        self.after = after
    }

    /// The warm-up ramp for `step < warmupSteps`, else `after.learningRate(atStep: step − warmupSteps)`.
    public func learningRate(atStep step: Int) -> Float {
        precondition(step >= 0, "LinearWarmup: negative step \(step)")
        guard step < warmupSteps else { return after.learningRate(atStep: step - warmupSteps) }
        let start = Double(startFactor)
        let factor = start + (1 - start) * Double(step) / Double(warmupSteps)
        return Float(Double(after.learningRate(atStep: 0)) * factor)
    }
}

/// A linear warm-up to the peak rate over `warmupSteps` steps, then decay with the inverse square root of the step.
///
/// Vaswani et al., "Attention Is All You Need" (NeurIPS 2017), §5.3: `d^−½ · min(n^−½, n · W^−³ᐟ²)` at update
/// n = t + 1, written with its peak γ₀ (reached at n = W) instead of the model size:
///
/// ```
/// γₜ = γ₀ · min((t + 1) / W, √(W / (t + 1)))
/// ```
///
/// With `warmupSteps` 0 there is no warm-up: γₜ = γ₀ / √(t + 1).
public struct InverseSquareRootSchedule: LearningRateSchedule, Equatable {
    /// γ₀, the rate at the end of the warm-up.
    public var peakLearningRate: Float
    /// W, the number of warm-up steps.
    public var warmupSteps: Int

    /// Warms up linearly to `peakLearningRate` over `warmupSteps` steps, then decays as 1/√step.
    public init(peakLearningRate: Float, warmupSteps: Int) {
        precondition(warmupSteps >= 0, "InverseSquareRootSchedule: negative warmupSteps \(warmupSteps)")
        self.peakLearningRate = peakLearningRate
        self.warmupSteps = warmupSteps
    }

    /// `γ₀ · min((step + 1)/W, √(W/(step + 1)))`.
    public func learningRate(atStep step: Int) -> Float {
        precondition(step >= 0, "InverseSquareRootSchedule: negative step \(step)")
        let n = Double(step + 1)
        guard warmupSteps > 0 else { return Float(Double(peakLearningRate) / n.squareRoot()) }
        let w = Double(warmupSteps)
        return Float(Double(peakLearningRate) * min(n / w, (w / n).squareRoot()))
    }
}

/// A linear warm-up to the peak rate over `warmupSteps` steps, then a cosine decay to `minimumLearningRate` at
/// step `totalSteps` (Loshchilov & Hutter 2017's annealing without restarts, after the warm-up of Goyal et al.
/// 2017, "Accurate, Large Minibatch SGD"):
///
/// ```
/// t < W:       γₜ = γ₀ · (t + 1) / W
/// W ≤ t < T:   γₜ = γ_min + (γ₀ − γ_min) · (1 + cos(π · (t − W) / (T − W))) / 2
/// t ≥ T:       γₜ = γ_min
/// ```
public struct WarmupCosineSchedule: LearningRateSchedule, Equatable {
    /// γ₀, the rate at the end of the warm-up.
    public var peakLearningRate: Float
    /// W, the number of warm-up steps.
    public var warmupSteps: Int
    /// T, the step at which the rate reaches the minimum.
    public var totalSteps: Int
    /// γ_min, default 0.
    public var minimumLearningRate: Float

    /// Warms up over `warmupSteps` steps, then anneals to `minimumLearningRate` by `totalSteps`.
    public init(peakLearningRate: Float, warmupSteps: Int, totalSteps: Int, minimumLearningRate: Float = 0) {
        precondition(warmupSteps >= 0, "WarmupCosineSchedule: negative warmupSteps \(warmupSteps)")
        self.peakLearningRate = peakLearningRate
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
        self.minimumLearningRate = minimumLearningRate
    }

    /// The warm-up ramp, the cosine, or the minimum past `totalSteps`.
    public func learningRate(atStep step: Int) -> Float {
        precondition(step >= 0, "WarmupCosineSchedule: negative step \(step)")
        let peak = Double(peakLearningRate)
        if step < warmupSteps { return Float(peak * Double(step + 1) / Double(warmupSteps)) }
        guard step < totalSteps else { return minimumLearningRate }
        let low = Double(minimumLearningRate)
        let progress = Double(step - warmupSteps) / Double(totalSteps - warmupSteps)
        return Float(low + (peak - low) * (1 + Foundation.cos(Double.pi * progress)) / 2)
    }
}

/// Holds the rate, then decays it linearly to zero (the rule of pix2pix and CycleGAN: Isola et al., "Image-to-Image
/// Translation with Conditional Adversarial Networks", CVPR 2017; Zhu et al., "Unpaired Image-to-Image Translation
/// using Cycle-Consistent Adversarial Networks", ICCV 2017):
///
/// ```
/// t < start:         γₜ = γ₀
/// start ≤ t < end:   γₜ = γ₀ · (end − t) / (end − start)
/// t ≥ end:           γₜ = 0
/// ```
///
/// `torch.optim.lr_scheduler.LambdaLR(optimizer, lambda t: max(0, min(1, (end − t) / (end − start))))`. With γ₀ = 1
/// the schedule is a factor to multiply several optimizers' own rates by (``factor(atStep:)``), as a GAN's
/// generator and critic with different step sizes need. Codable as `{"start", "end", "initialLearningRate"}`; a
/// missing `initialLearningRate` reads as 1.
public struct LinearDecaySchedule: LearningRateSchedule, Codable, Equatable {
    /// γ₀, the rate before `start`.
    public var initialLearningRate: Float
    /// The step at which the decay begins (the last step at the full rate is `start − 1`; step `start` still has γ₀).
    public var start: Int
    /// The step at which the rate reaches zero.
    public var end: Int

    /// Holds `initialLearningRate` until step `start`, then decays it linearly to zero at step `end`.
    public init(initialLearningRate: Float = 1, start: Int, end: Int) {
        self.initialLearningRate = initialLearningRate
        self.start = start
        self.end = end
    }

    /// Whether the decay is well defined: `0 ≤ start < end`.
    public var isValid: Bool { start >= 0 && end > start }

    /// The factor on γ₀ at `step`: 1 before `start`, `(end − step) / (end − start)` (in single precision) up to
    /// `end`, 0 after it.
    public func factor(atStep step: Int) -> Float {
        guard step >= start else { return 1 }
        guard end > start, step < end else { return 0 }
        return Float(end - step) / Float(end - start)
    }

    /// `γ₀ · factor(atStep: step)`.
    public func learningRate(atStep step: Int) -> Float { initialLearningRate * factor(atStep: step) }

    /// The schedule re-planned to reach zero at `newEnd` instead of ``end``, for a run resumed at step `step` (the
    /// next step to take) with a changed step budget, so that the decay ends at the run's new last step:
    ///
    /// - `newEnd == end`, or `newEnd ≤ step` (nothing left to train): the schedule unchanged.
    /// - The decay has not begun and begins before the new end (`step ≤ start < newEnd`): only the end moves; the
    ///   rate stays γ₀ until `start`.
    /// - Otherwise, while the rate at `step` is still positive: a decay from that rate at `step` to zero at
    ///   `newEnd` (`γ₀′ = learningRate(atStep: step)`, `start′ = step`), so the rate is continuous at the resumed
    ///   step — the linear rule of Isola et al. (2017) and Zhu et al. (2017) carried on from where the run is.
    /// - When the decay has already ended (rate zero at `step`), no continuous plan can train; the schedule is then
    ///   the one planned with the new budget from the start (`start`, `newEnd`, γ₀), so the rate rises again to
    ///   `γ₀ · (newEnd − step) / (newEnd − start)`.
    public func replanned(fromStep step: Int, endingAt newEnd: Int) -> LinearDecaySchedule {
        guard newEnd != end, newEnd > step else { return self }
        if step <= start && start < newEnd {
            return LinearDecaySchedule(initialLearningRate: initialLearningRate, start: start, end: newEnd)
        }
        let rate = learningRate(atStep: step)
        guard rate > 0 else {
            return LinearDecaySchedule(initialLearningRate: initialLearningRate, start: min(start, step), end: newEnd)
        }
        return LinearDecaySchedule(initialLearningRate: rate, start: step, end: newEnd)
    }

    private enum CodingKeys: String, CodingKey { case initialLearningRate, start, end }

    /// Reads `start`, `end` and, if present, `initialLearningRate` (default 1).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        initialLearningRate = try container.decodeIfPresent(Float.self, forKey: .initialLearningRate) ?? 1
        start = try container.decode(Int.self, forKey: .start)
        end = try container.decode(Int.self, forKey: .end)
    }
}

/// The learning-rate schedules a training command offers by name (`--lr-schedule`), stored in model directories.
public enum LearningRateScheduleKind: String, Sendable, Equatable, CaseIterable, Codable {
    /// The same rate at every step.
    case constant
    /// ``InverseSquareRootSchedule`` (Vaswani et al. 2017).
    case warmupInverseSqrt = "warmup-inverse-sqrt"
    /// ``WarmupCosineSchedule``.
    case warmupCosine = "warmup-cosine"

    /// The schedule peaking at `learningRate` after `warmupSteps` steps of a run of `totalSteps` steps; `nil` for
    /// ``constant`` (the optimizer's rate is left alone).
    public func schedule(learningRate: Float, warmupSteps: Int, totalSteps: Int) -> (any LearningRateSchedule)? {
        switch self {
        case .constant: nil
        case .warmupInverseSqrt: InverseSquareRootSchedule(peakLearningRate: learningRate, warmupSteps: warmupSteps)
        case .warmupCosine:
            WarmupCosineSchedule(
                peakLearningRate: learningRate, warmupSteps: warmupSteps, totalSteps: max(totalSteps, warmupSteps))
        }
    }
}
