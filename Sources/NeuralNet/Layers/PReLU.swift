import Autodiff

/// Parametric ReLU with a learned slope (He et al. 2015; `torch.nn.PReLU`):
///
/// ```
/// y = x        if x ≥ 0
/// y = α·x      otherwise
/// ```
/// α is one scalar (`channelCount = 1`) or one per channel on axis 1 (`[N, C, …]` inputs, or the last axis of a
/// rank-1 input), initialised to 0.25 as in PyTorch. Parameter `weight` of shape `[channelCount]`.
/// Computed as `max(0, x) + α·min(0, x)` so the gradient reaches α.
public struct PReLU: Module {
    /// α, shape `[channelCount]`.
    public let weight: Parameter

    /// A PReLU with `channelCount` slopes, all `initialSlope`.
    public init(channelCount: Int = 1, initialSlope: Float = 0.25) {
        precondition(channelCount > 0, "PReLU: channelCount \(channelCount) must be positive")
        weight = Parameter(Tensor.full([channelCount], initialSlope))
    }

    /// Number of slopes.
    public var channelCount: Int { weight.shape[0] }

    /// `weight`.
    public var namedParameters: [(name: String, parameter: Parameter)] { [(name: "weight", parameter: weight)] }

    /// The PReLU of `input`; with several slopes the channels are axis 1 (or axis 0 of a rank-1 input).
    public func callAsFunction(_ input: Tensor) -> Tensor {
        let slopes: Tensor
        if channelCount == 1 {
            slopes = weight.value.reshaped([])
        } else {
            let axis = input.rank == 1 ? 0 : 1
            precondition(
                input.rank >= 1 && input.shape[axis] == channelCount,
                "PReLU: input shape \(input.shape) has no \(channelCount) channels on axis \(axis)")
            var shape = [Int](repeating: 1, count: input.rank - axis)
            shape[0] = channelCount
            slopes = weight.value.reshaped(shape)
        }
        let negativePart = input - input.relu()  // min(0, x)
        return input.relu() + slopes * negativePart
    }
}
