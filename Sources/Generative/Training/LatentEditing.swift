import NeuralNet

/// Latent-space editing with a trained GAN (Zhu et al., "Generative Visual Manipulation on the Natural Image
/// Manifold", ECCV 2016): starting from a code `z₀` (e.g. an encoder's code of the image to edit), find
/// ```
/// z* = argmin_z  U(G(z)) + λ₁ ‖z − z₀‖² − λ₂ D(G(z))
/// ```
/// where `U` scores how far `G(z)` is from satisfying the user's constraint, the second term keeps the edit close
/// to the original, and the third keeps it realistic by the critic's judgement. Minimized by Adam on `z` only;
/// `G`, `D` and `U` are closures over fixed networks (their parameters are not updated).
public struct LatentEditing {
    /// `λ₁`, the weight of staying near `z₀`.
    public var proximityWeight: Float
    /// `λ₂`, the weight of the critic's realism score.
    public var realismWeight: Float
    /// Adam steps.
    public var steps: Int
    /// Adam step size.
    public var learningRate: Float

    /// An editor.
    public init(proximityWeight: Float = 0.1, realismWeight: Float = 0.1, steps: Int = 200, learningRate: Float = 0.05)
    {
        precondition(steps >= 0 && learningRate > 0, "LatentEditing: steps \(steps), learning rate \(learningRate)")
        self.proximityWeight = proximityWeight
        self.realismWeight = realismWeight
        self.steps = steps
        self.learningRate = learningRate
    }

    /// The objective at `z` (batch `[N, latent]`; summed over the batch).
    public func objective(
        _ z: Tensor, start: Tensor, generator: (Tensor) -> Tensor, critic: (Tensor) -> Tensor,
        constraint: (Tensor) -> Tensor
    ) -> Tensor {
        let image = generator(z)
        return constraint(image) + (z - start).squared().sum() * proximityWeight - critic(image).sum() * realismWeight
    }

    /// Optimizes from `start`; returns the edited codes and the objective before and after.
    public func edit(
        from start: Tensor, generator: (Tensor) -> Tensor, critic: (Tensor) -> Tensor,
        constraint: (Tensor) -> Tensor
    ) -> (codes: Tensor, initialObjective: Float, finalObjective: Float) {
        let code = Parameter(start.detached())
        let optimizer = Adam([code], learningRate: learningRate)
        let fixedStart = start.detached()
        let initial = objective(
            code.value, start: fixedStart, generator: generator, critic: critic, constraint: constraint)
        for _ in 0..<steps {
            let loss = objective(
                code.value, start: fixedStart, generator: generator, critic: critic, constraint: constraint)
            optimizer.step([gradient(of: loss, wrt: code.value)])
        }
        let final = withoutGradients {
            objective(code.value, start: fixedStart, generator: generator, critic: critic, constraint: constraint)
        }
        return (code.value.detached(), initial.item, final.item)
    }
}
