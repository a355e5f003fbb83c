import Autodiff

/// 1-D max pooling as a layer (`torch.nn.MaxPool1d`): `[N, C, L]` → `[N, C, Lout]`; no parameters.
public struct MaxPool1D: Module {
    /// Window length.
    public let kernelSize: Int
    /// Step between windows; defaults to `kernelSize`.
    public let stride: Int
    /// Padding (never wins the max).
    public let padding: Int

    /// A pooling layer; `stride` defaults to `kernelSize` as in PyTorch.
    public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
    }

    /// None.
    public var namedParameters: [(name: String, parameter: Parameter)] { [] }

    /// ``maxPool1d(_:kernelSize:stride:padding:dilation:)`` of `input`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        maxPool1d(input, kernelSize: kernelSize, stride: stride, padding: padding)
    }
}

/// 2-D max pooling as a layer (`torch.nn.MaxPool2d`): `[N, C, H, W]` → `[N, C, Hout, Wout]`; no parameters.
public struct MaxPool2D: Module {
    /// Window size (rows, columns).
    public let kernelSize: (Int, Int)
    /// Step between windows; defaults to `kernelSize`.
    public let stride: (Int, Int)
    /// Padding (never wins the max).
    public let padding: (Int, Int)

    /// A pooling layer; `stride` defaults to `kernelSize` as in PyTorch.
    public init(kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0)) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
    }

    /// None.
    public var namedParameters: [(name: String, parameter: Parameter)] { [] }

    /// ``maxPool2d(_:kernelSize:stride:padding:dilation:)`` of `input`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        maxPool2d(input, kernelSize: kernelSize, stride: stride, padding: padding)
    }
}

/// 1-D average pooling as a layer (`torch.nn.AvgPool1d`, padded zeros counted): `[N, C, L]` → `[N, C, Lout]`.
public struct AvgPool1D: Module {
    /// Window length.
    public let kernelSize: Int
    /// Step between windows; defaults to `kernelSize`.
    public let stride: Int
    /// Zero padding (counted in the mean).
    public let padding: Int

    /// A pooling layer; `stride` defaults to `kernelSize` as in PyTorch.
    public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
    }

    /// None.
    public var namedParameters: [(name: String, parameter: Parameter)] { [] }

    /// ``avgPool1d(_:kernelSize:stride:padding:)`` of `input`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        avgPool1d(input, kernelSize: kernelSize, stride: stride, padding: padding)
    }
}

/// 2-D average pooling as a layer (`torch.nn.AvgPool2d`, padded zeros counted): `[N, C, H, W]` → `[N, C, Hout, Wout]`.
public struct AvgPool2D: Module {
    /// Window size (rows, columns).
    public let kernelSize: (Int, Int)
    /// Step between windows; defaults to `kernelSize`.
    public let stride: (Int, Int)
    /// Zero padding (counted in the mean).
    public let padding: (Int, Int)

    /// A pooling layer; `stride` defaults to `kernelSize` as in PyTorch.
    public init(kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0)) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
    }

    /// None.
    public var namedParameters: [(name: String, parameter: Parameter)] { [] }

    /// ``avgPool2d(_:kernelSize:stride:padding:)`` of `input`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        avgPool2d(input, kernelSize: kernelSize, stride: stride, padding: padding)
    }
}
