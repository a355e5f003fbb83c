import Autodiff

/// A pooling function behind a ``PoolingLayer``: the window geometry type (`Int` for 1-D, `(Int, Int)` for 2-D) and
/// the functional op it calls (``maxPool1d(_:kernelSize:stride:padding:dilation:)`` and friends).
public protocol PoolingOperation {
    /// `Int` (length) for 1-D pooling, `(Int, Int)` (rows, columns) for 2-D pooling.
    associatedtype Size
    /// No padding in this geometry (`0` or `(0, 0)`).
    static var zeroPadding: Size { get }
    /// Pools `input` with the given window, stride and padding.
    static func pool(_ input: Tensor, kernelSize: Size, stride: Size, padding: Size) -> Tensor
}

/// A parameter-free pooling layer (PyTorch's `torch.nn.MaxPool1d`, `MaxPool2d`, `AvgPool1d`, `AvgPool2d`): one
/// implementation for the four layers ``MaxPool1D``, ``MaxPool2D``, ``AvgPool1D``, ``AvgPool2D``, which only differ
/// in the op they call.
///
/// ```swift
/// let x = Tensor(shape: [1, 1, 2, 4], scalars: [1, 5, 2, 0, 3, 4, 8, 1])
/// print(MaxPool2D(kernelSize: (2, 2))(x).scalars)    // [5, 8]
/// print(AvgPool1D(kernelSize: 2)(Tensor(shape: [1, 1, 4], scalars: [1, 5, 2, 0])).scalars)   // [3, 1]
/// ```
public struct PoolingLayer<Operation: PoolingOperation>: Module {
    /// Window size.
    public let kernelSize: Operation.Size
    /// Step between windows; defaults to `kernelSize`.
    public let stride: Operation.Size
    /// Padding on each side (never wins a max; counted as zeros in a mean).
    public let padding: Operation.Size

    /// A pooling layer; `stride` defaults to `kernelSize` as in PyTorch.
    public init(
        kernelSize: Operation.Size, stride: Operation.Size? = nil, padding: Operation.Size = Operation.zeroPadding
    ) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
    }

    /// None.
    public var namedParameters: [(name: String, parameter: Parameter)] { [] }

    /// `Operation.pool` of `input`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        Operation.pool(input, kernelSize: kernelSize, stride: stride, padding: padding)
    }
}

/// ``maxPool1d(_:kernelSize:stride:padding:dilation:)`` over `[N, C, L]`.
public enum MaxPooling1D: PoolingOperation {
    /// `0`.
    public static var zeroPadding: Int { 0 }
    /// `maxPool1d(input, kernelSize:stride:padding:)`.
    public static func pool(_ input: Tensor, kernelSize: Int, stride: Int, padding: Int) -> Tensor {
        maxPool1d(input, kernelSize: kernelSize, stride: stride, padding: padding)
    }
}

/// ``maxPool2d(_:kernelSize:stride:padding:dilation:)`` over `[N, C, H, W]`.
public enum MaxPooling2D: PoolingOperation {
    /// `(0, 0)`.
    public static var zeroPadding: (Int, Int) { (0, 0) }
    /// `maxPool2d(input, kernelSize:stride:padding:)`.
    public static func pool(_ input: Tensor, kernelSize: (Int, Int), stride: (Int, Int), padding: (Int, Int)) -> Tensor
    {
        maxPool2d(input, kernelSize: kernelSize, stride: stride, padding: padding)
    }
}

/// ``avgPool1d(_:kernelSize:stride:padding:)`` over `[N, C, L]` (padded zeros counted).
public enum AveragePooling1D: PoolingOperation {
    /// `0`.
    public static var zeroPadding: Int { 0 }
    /// `avgPool1d(input, kernelSize:stride:padding:)`.
    public static func pool(_ input: Tensor, kernelSize: Int, stride: Int, padding: Int) -> Tensor {
        avgPool1d(input, kernelSize: kernelSize, stride: stride, padding: padding)
    }
}

/// ``avgPool2d(_:kernelSize:stride:padding:)`` over `[N, C, H, W]` (padded zeros counted).
public enum AveragePooling2D: PoolingOperation {
    /// `(0, 0)`.
    public static var zeroPadding: (Int, Int) { (0, 0) }
    /// `avgPool2d(input, kernelSize:stride:padding:)`.
    public static func pool(_ input: Tensor, kernelSize: (Int, Int), stride: (Int, Int), padding: (Int, Int)) -> Tensor
    {
        avgPool2d(input, kernelSize: kernelSize, stride: stride, padding: padding)
    }
}

/// 1-D max pooling as a layer (`torch.nn.MaxPool1d`): `[N, C, L]` → `[N, C, Lout]`; no parameters.
public typealias MaxPool1D = PoolingLayer<MaxPooling1D>
/// 2-D max pooling as a layer (`torch.nn.MaxPool2d`): `[N, C, H, W]` → `[N, C, Hout, Wout]`; no parameters.
public typealias MaxPool2D = PoolingLayer<MaxPooling2D>
/// 1-D average pooling as a layer (`torch.nn.AvgPool1d`, padded zeros counted): `[N, C, L]` → `[N, C, Lout]`.
public typealias AvgPool1D = PoolingLayer<AveragePooling1D>
/// 2-D average pooling as a layer (`torch.nn.AvgPool2d`, padded zeros counted): `[N, C, H, W]` → `[N, C, Hout, Wout]`.
public typealias AvgPool2D = PoolingLayer<AveragePooling2D>
