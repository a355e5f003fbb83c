import Autodiff
import Foundation

/// How a Transformer knows token positions.
public enum PositionalEncodingKind: String, Sendable, Equatable, CaseIterable, Codable {
    /// Fixed sines and cosines added to the embeddings (Vaswani et al. 2017, §3.5).
    case sinusoidal
    /// A learned vector per position added to the embeddings (Gehring et al. 2017; Devlin et al. 2019).
    case learned
    /// Queries and keys rotated by position-dependent angles inside attention (Su et al. 2021, RoFormer).
    case rotary
}

/// The fixed sinusoidal position table of Vaswani et al. 2017, §3.5:
///
/// ```
/// PE(p, 2i) = sin(p / 10000^(2i/D)),   PE(p, 2i+1) = cos(p / 10000^(2i/D))
/// ```
public enum SinusoidalPositionalEncoding {
    /// Rows for positions `offset ..< offset + length`, shape `[length, dimension]`.
    public static func table(length: Int, dimension: Int, offset: Int = 0) -> Tensor {
        precondition(length >= 0 && dimension > 0 && offset >= 0, "SinusoidalPositionalEncoding: invalid sizes")
        var scalars = [Float](repeating: 0, count: length * dimension)
        for p in 0..<length {
            let position = Double(offset + p)
            for i in stride(from: 0, to: dimension, by: 2) {
                let angle = position / Foundation.pow(10_000, Double(i) / Double(dimension))
                scalars[p * dimension + i] = Float(Foundation.sin(angle))
                if i + 1 < dimension { scalars[p * dimension + i + 1] = Float(Foundation.cos(angle)) }
            }
        }
        return Tensor(shape: [length, dimension], scalars: scalars)
    }
}

/// A learned vector per position (Gehring et al. 2017; BERT, Devlin et al. 2019), parameter `weight
/// [maximumLength, D]` drawn from N(0, 0.02²). Positions beyond the table reuse its last row.
public struct LearnedPositionalEmbedding: ParameterContainer {
    /// The table.
    public let weight: Parameter

    /// A table for `maximumLength` positions.
    public init(maximumLength: Int, dimension: Int, using generator: inout RandomGenerator) {
        precondition(maximumLength > 0 && dimension > 0, "LearnedPositionalEmbedding: invalid sizes")
        weight = Parameter(Tensor.normal([maximumLength, dimension], using: &generator) * 0.02)
    }

    /// `weight`.
    public var namedParameters: [(name: String, parameter: Parameter)] { [(name: "weight", parameter: weight)] }

    /// Rows for positions `offset ..< offset + length`, shape `[length, D]`.
    public func callAsFunction(length: Int, offset: Int = 0) -> Tensor {
        let last = weight.value.shape[0] - 1
        let rows = (0..<length).map { min(offset + $0, last) }
        return weight.value.indexSelect(axis: 0, indices: IndexTensor(rows))
    }
}

/// Rotary position embedding (Su et al. 2021, "RoFormer: Enhanced Transformer with Rotary Position Embedding"):
/// each head's query and key vectors are rotated pairwise by angles `p·θᵢ`, `θᵢ = base^(−2i/d)`, so their dot
/// product depends only on the relative position. Pairs are `(xᵢ, x_{i+d/2})` (the "rotate half" layout of
/// GPT-NeoX): `x·cos + rotateHalf(x)·sin` with `rotateHalf([x₁; x₂]) = [−x₂; x₁]`. No parameters.
public struct RotaryPositionalEmbedding: Sendable {
    /// Head size d (even).
    public let headSize: Int
    /// The angle base (10 000 in the paper).
    public let base: Double

    /// Rotations for heads of size `headSize`.
    public init(headSize: Int, base: Double = 10_000) {
        precondition(headSize > 0 && headSize % 2 == 0, "RotaryPositionalEmbedding: headSize \(headSize) must be even")
        self.headSize = headSize
        self.base = base
    }

    /// `cos` and `sin` tables `[length, d]` for positions `offset ..< offset + length`.
    func tables(length: Int, offset: Int) -> (cos: Tensor, sin: Tensor) {
        let half = headSize / 2
        var cosines = [Float](repeating: 0, count: length * headSize)
        var sines = cosines
        for p in 0..<length {
            for i in 0..<half {
                let angle = Double(offset + p) * Foundation.pow(base, -2 * Double(i) / Double(headSize))
                let (c, s) = (Float(Foundation.cos(angle)), Float(Foundation.sin(angle)))
                cosines[p * headSize + i] = c
                cosines[p * headSize + i + half] = c
                sines[p * headSize + i] = s
                sines[p * headSize + i + half] = s
            }
        }
        return (
            Tensor(shape: [length, headSize], scalars: cosines), Tensor(shape: [length, headSize], scalars: sines)
        )
    }

    /// `x [B, h, T, d]` rotated for positions `offset ..< offset + T` (differentiable).
    public func callAsFunction(_ x: Tensor, offset: Int = 0) -> Tensor {
        precondition(
            x.rank == 4 && x.shape[3] == headSize,
            "RotaryPositionalEmbedding: input \(x.shape) is not [B, h, T, \(headSize)]")
        let (cosines, sines) = tables(length: x.shape[2], offset: offset)
        let halves = x.split(count: 2, axis: 3)
        let rotated = Tensor.concatenate([-halves[1], halves[0]], axis: 3)
        return x * cosines + rotated * sines
    }
}
