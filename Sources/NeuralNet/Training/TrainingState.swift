/// Everything about a training run besides the model and the optimizer that a resumed run needs to continue bit
/// for bit: the step counter, the random generator, early-stopping progress, the run's seed and elapsed time.
///
/// ``TrainingLoop`` stores it in the metadata of its safetensors checkpoints under `training.*` keys.
public struct TrainingState: Sendable, Equatable {
    /// Optimizer steps done.
    public var step: Int
    /// The seed the run started from (it also determines ``TrainingStep/epochOrder(count:)``).
    public var seed: UInt64
    /// The generator handed to every step (dropout masks, sampling); advanced by the steps.
    public var generator: RandomGenerator
    /// Early-stopping progress, when the run uses it.
    public var earlyStopping: EarlyStopping?
    /// Wall-clock seconds spent in earlier sessions of this run.
    public var elapsedSeconds: Double

    /// The state of a run that has not started.
    public init(seed: UInt64, earlyStopping: EarlyStopping? = nil) {
        step = 0
        self.seed = seed
        generator = RandomGenerator(seed: seed)
        self.earlyStopping = earlyStopping
        elapsedSeconds = 0
    }
}
