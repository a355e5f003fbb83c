/// A layer or model: owns named parameters and maps an input tensor to an output tensor.
///
/// The Swift counterpart of PyTorch's `torch.nn.Module` with a single-tensor `forward`: call it as `layer(x)`.
/// Parameters come from ``ParameterContainer`` (their names are the keys in checkpoints).
public protocol Module: ParameterContainer {
    /// The forward pass.
    func callAsFunction(_ input: Tensor) -> Tensor
}
