/// AdamW: Adam with decoupled weight decay.
///
/// Loshchilov & Hutter, "Decoupled Weight Decay Regularization" (ICLR 2019). Follows `torch.optim.AdamW`
/// (https://pytorch.org/docs/stable/generated/torch.optim.AdamW.html): the parameter shrinks first,
/// `θ ← θ·(1 − γ·λ)`, then takes the ``Adam`` step on the unpenalized gradient. Note PyTorch's default λ = 0.01.
///
/// State: `"<index>.exp_avg"`, `"<index>.exp_avg_sq"` and with AMSGrad `"<index>.max_exp_avg_sq"`.
public final class AdamW: Optimizer {
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
    /// λ, the decoupled decay rate (θ shrinks by γ·λ each step); PyTorch default 1e-2.
    public let weightDecay: Float
    /// Whether to use the AMSGrad variant; PyTorch default false.
    public let amsgrad: Bool
    /// Number of steps applied (t).
    public var stepCount: Int { moments.stepCount }

    private var moments: AdamMoments

    /// Creates an AdamW optimizer over `parameters` (pass `model.parameters`), with PyTorch's defaults.
    public init(
        _ parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
        epsilon: Float = 1e-8, weightDecay: Float = 1e-2, amsgrad: Bool = false
    ) {
        AdamMoments.checkHyperparameters(learningRate, beta1, beta2, epsilon, weightDecay, op: "AdamW")
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.amsgrad = amsgrad
        moments = AdamMoments(parameters: parameters, amsgrad: amsgrad)
    }

    /// Applies one update: decoupled decay, then the Adam step.
    public func step(_ gradients: [Tensor]) {
        OptimizerSupport.checkGradients(gradients, for: parameters, op: "AdamW")
        moments.step(
            parameters: parameters, gradients: gradients, learningRate: learningRate, beta1: beta1, beta2: beta2,
            epsilon: epsilon, l2Penalty: 0, decoupledDecay: weightDecay)
    }

    /// `exp_avg`, `exp_avg_sq` (and `max_exp_avg_sq`) per parameter.
    public var stateTensors: [String: Tensor] { moments.stateTensors(parameters: parameters) }

    /// Restores the moment estimates and the step count.
    public func loadState(_ tensors: [String: Tensor], stepCount: Int) throws {
        try moments.load(tensors, stepCount: stepCount, parameters: parameters)
    }
}
