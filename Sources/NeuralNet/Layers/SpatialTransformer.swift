import Foundation

/// Spatial transformer sampling (Jaderberg, Simonyan, Zisserman & Kavukcuoglu 2015:
/// a linear map sends output coordinates to input coordinates, and since they are not
/// integers the input is interpolated). PyTorch semantics of `F.affine_grid` / `F.grid_sample` with
/// `align_corners = false`, bilinear interpolation and zero padding; coordinates are normalised to [−1, 1].
public enum SpatialSampling {
    /// The identity affine map `[1, 0, 0, 0, 1, 0]` (θ = [I | 0] flattened row-major): the usual initial bias of a
    /// localisation network's last layer, with zero weights, so training starts from the identity transform
    /// (as in the experiments of Jaderberg et al. 2015).
    public static var identityParameters: Tensor { Tensor([1, 0, 0, 0, 1, 0]) }

    /// The sampling grid `[B, H, W, 2]` (x, y in [−1, 1]) of the affine maps `theta [B, 2, 3]` over an output of
    /// `height × width`: `(x_s, y_s) = θ · (x_t, y_t, 1)` with `x_t = (2j + 1)/W − 1`, `y_t = (2i + 1)/H − 1`.
    public static func affineGrid(theta: Tensor, height: Int, width: Int) -> Tensor {
        precondition(
            theta.rank == 3 && theta.shape[1] == 2 && theta.shape[2] == 3 && height > 0 && width > 0,
            "affineGrid: theta \(theta.shape) is not [B, 2, 3] or size \(height)×\(width) is empty")
        var base = [Float]()
        base.reserveCapacity(height * width * 3)
        for i in 0..<height {
            for j in 0..<width {
                base += [Float(2 * j + 1) / Float(width) - 1, Float(2 * i + 1) / Float(height) - 1, 1]
            }
        }
        let points = Tensor(shape: [1, height * width, 3], scalars: base)
        return Tensor.matmul(points, theta, transposeB: true).reshaped([theta.shape[0], height, width, 2])
    }

    /// Bilinear samples `[B, C, Ho, Wo]` of `input [B, C, H, W]` at `grid [B, Ho, Wo, 2]`; points outside read 0.
    ///
    /// Differentiable in both the input (through a gather) and the grid (the bilinear weights are tensor ops of the
    /// grid; the integer corners are constants, so the gradient has kinks at pixel centres).
    public static func gridSample(_ input: Tensor, grid: Tensor) -> Tensor {
        precondition(
            input.rank == 4 && grid.rank == 4 && grid.shape[3] == 2 && grid.shape[0] == input.shape[0],
            "gridSample: input \(input.shape) and grid \(grid.shape) are not [B, C, H, W] and [B, Ho, Wo, 2]")
        let (batch, channels, height, width) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        let points = grid.shape[1] * grid.shape[2]
        let flatGrid = grid.reshaped([batch, points, 2])
        let x = ((flatGrid.slice(axis: 2, range: 0..<1) + 1) * Float(width) - 1) / 2  // [B, P, 1] pixel units
        let y = ((flatGrid.slice(axis: 2, range: 1..<2) + 1) * Float(height) - 1) / 2
        let x0 = x.scalars.map { $0.rounded(.down) }
        let y0 = y.scalars.map { $0.rounded(.down) }
        let fx = x - Tensor(shape: x.shape, scalars: x0)  // weight of the right column
        let fy = y - Tensor(shape: y.shape, scalars: y0)
        // Rows of [B·H·W + 1, C]; the extra last row is zeros for out-of-range corners.
        let pixels = Tensor.concatenate(
            [
                input.permuted([0, 2, 3, 1]).reshaped([batch * height * width, channels]), Tensor.zeros([1, channels]),
            ],
            axis: 0)
        let outside = batch * height * width
        func corner(_ dx: Int, _ dy: Int) -> Tensor {
            var indices = [Int](repeating: outside, count: batch * points)
            for b in 0..<batch {
                for p in 0..<points {
                    let column = Int(x0[b * points + p]) + dx
                    let row = Int(y0[b * points + p]) + dy
                    if (0..<width).contains(column) && (0..<height).contains(row) {
                        indices[b * points + p] = (b * height + row) * width + column
                    }
                }
            }
            return pixels.indexSelect(axis: 0, indices: IndexTensor(shape: [batch, points], indices: indices))
        }
        let sampled =
            corner(0, 0) * ((1 - fx) * (1 - fy)) + corner(1, 0) * (fx * (1 - fy)) + corner(0, 1) * ((1 - fx) * fy)
            + corner(1, 1) * (fx * fy)  // [B, P, C]
        return sampled.permuted([0, 2, 1]).reshaped([batch, channels, grid.shape[1], grid.shape[2]])
    }
}

/// A spatial transformer layer: a localisation network predicts `θ [B, 6]` (read as `[B, 2, 3]`) from the input,
/// which is then resampled on the affine grid of size `outputHeight × outputWidth` (see ``SpatialSampling``).
/// Parameters are the localisation network's, prefixed `localization.`.
///
/// ```swift
/// var generator = RandomGenerator(seed: 0)
/// // A localisation network that starts at the identity transform: zero weights, identity bias.
/// let regressor = Sequential([
///     Linear(inputSize: 8, outputSize: 16, using: &generator), Tanh(),
///     Linear(weight: Tensor.zeros([6, 16]), bias: SpatialSampling.identityParameters),
/// ])
/// struct Flatten: Module {
///     var namedParameters: [(name: String, parameter: Parameter)] { [] }
///     func callAsFunction(_ input: Tensor) -> Tensor { input.reshaped([input.shape[0], -1]) }
/// }
/// let transformer = SpatialTransformer(
///     localization: Sequential([Flatten(), regressor]), outputHeight: 2, outputWidth: 4)
/// let images = Tensor.uniform([3, 1, 2, 4], low: 0, high: 1, using: &generator)
/// let error = (transformer(images) - images).abs().max().item
/// print(error < 1e-5)   // true: the identity transform reproduces the input
/// ```
public struct SpatialTransformer<Localization: Module>: Module {
    /// Maps the input `[B, C, H, W]` to affine parameters `[B, 6]`.
    public let localization: Localization
    /// Output height.
    public let outputHeight: Int
    /// Output width.
    public let outputWidth: Int

    /// A transformer with the given localisation network and output size.
    public init(localization: Localization, outputHeight: Int, outputWidth: Int) {
        self.localization = localization
        self.outputHeight = outputHeight
        self.outputWidth = outputWidth
    }

    /// `localization.…`.
    public var namedParameters: [(name: String, parameter: Parameter)] { prefixed("localization", localization) }

    /// The resampled input `[B, C, outputHeight, outputWidth]`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        let theta = localization(input).reshaped([input.shape[0], 2, 3])
        let grid = SpatialSampling.affineGrid(theta: theta, height: outputHeight, width: outputWidth)
        return SpatialSampling.gridSample(input, grid: grid)
    }
}
