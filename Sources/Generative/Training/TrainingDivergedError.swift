import MontagueSupport
import NeuralNet

/// A training run stopped because a loss stopped being a finite number (e.g. f-GAN with the reverse KL at a large
/// step size). The model directory keeps its last checkpoint, saved before the divergence.
public struct TrainingDivergedError: LocatedError, Equatable {
    /// The model directory.
    public var location: SourceLocation?
    /// What happened.
    public var message: String

    /// The error for `metric` taking `value` at `step`.
    public init(directory: ModelDirectory, step: Int, metric: String, value: Double) {
        location = SourceLocation(file: directory.url.path)
        message =
            "training diverged at step \(step) (\(metric) = \(value)); the directory keeps its last checkpoint, if any, "
            + "from before — try a smaller --lr"
    }

    /// The error for the first metric of `metrics`, in name order, that `watched` selects and that is not finite;
    /// nil when every watched metric is finite. One step's check, shared by the GAN, VAE and style-transfer loops.
    public init?(
        firstNonFiniteOf metrics: [String: Double], directory: ModelDirectory, step: Int,
        watched: (String) -> Bool = { _ in true }
    ) {
        guard
            let (name, value) = metrics.filter({ watched($0.key) && !$0.value.isFinite }).min(by: { $0.key < $1.key })
        else { return nil }
        self.init(directory: directory, step: step, metric: name, value: value)
    }
}
