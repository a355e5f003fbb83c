import Foundation
import NeuralNet

/// A set of real vectors of one dimension, stored row-major: 2-D toy points, flattened 8×8 digits.
public struct PointSet: Sendable, Equatable {
    /// Values per point.
    public let dimension: Int
    /// `count × dimension` values, row-major.
    public let values: [Float]
    /// Optional class labels, one per point (digits).
    public let labels: [Int]?

    /// Points from row-major values.
    public init(dimension: Int, values: [Float], labels: [Int]? = nil) {
        precondition(
            dimension > 0 && values.count % dimension == 0,
            "PointSet: \(values.count) values for dimension \(dimension)")
        precondition(labels == nil || labels?.count == values.count / dimension, "PointSet: label count mismatch")
        self.dimension = dimension
        self.values = values
        self.labels = labels
    }

    /// Number of points.
    public var count: Int { values.count / dimension }

    /// Point `index` as an array.
    public func point(_ index: Int) -> [Float] { Array(values[(index * dimension)..<((index + 1) * dimension)]) }

    /// All points as a `[count, dimension]` tensor.
    public var tensor: Tensor { Tensor(shape: [count, dimension], scalars: values) }

    /// The points at `indices` as a `[k, dimension]` tensor.
    public func batch(_ indices: [Int]) -> Tensor {
        var scalars = [Float]()
        scalars.reserveCapacity(indices.count * dimension)
        for index in indices { scalars.append(contentsOf: values[(index * dimension)..<((index + 1) * dimension)]) }
        return Tensor(shape: [indices.count, dimension], scalars: scalars)
    }

    /// `size` points drawn uniformly with replacement.
    public func randomBatch(size: Int, using generator: inout RandomGenerator) -> Tensor {
        batch((0..<size).map { _ in generator.nextInt(below: count) })
    }

    /// The points at `indices` as a new set (labels kept).
    public func subset(_ indices: [Int]) -> PointSet {
        PointSet(
            dimension: dimension, values: batch(indices).scalars, labels: labels.map { l in indices.map { l[$0] } })
    }

    /// A seeded split into a training part and a held-out part of `heldOutFraction` of the points.
    public func split(heldOutFraction: Double, seed: UInt64) -> (train: PointSet, heldOut: PointSet) {
        var generator = RandomGenerator(seed: seed)
        var order = Array(0..<count)
        for index in stride(from: count - 1, to: 0, by: -1) {
            order.swapAt(index, generator.nextInt(below: index + 1))
        }
        let heldOut = Int((Double(count) * heldOutFraction).rounded())
        return (subset(Array(order[heldOut...])), subset(Array(order[..<heldOut])))
    }

    /// Points from a tensor `[N, D]`.
    public init(_ tensor: Tensor) {
        precondition(tensor.rank == 2, "PointSet: tensor \(tensor.shape) is not [N, D]")
        self.init(dimension: tensor.shape[1], values: tensor.scalars)
    }

    /// The points as CSV, one point per line, values separated by commas.
    public func csv() -> String {
        var text = ""
        for index in 0..<count {
            text += point(index).map { String($0) }.joined(separator: ",") + "\n"
        }
        return text
    }

    /// Reads points from CSV text: one point per line, numbers separated by commas; blank lines and lines starting
    /// with `#` are skipped, and a first line that is not numeric is taken as a header.
    public static func parseCSV(_ text: String, path: String) throws(DataSetError) -> PointSet {
        var values: [Float] = []
        var dimension: Int?
        var lineNumber = 0
        var sawHeader = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let fields = trimmed.split(separator: ",", omittingEmptySubsequences: false)
            var row: [Float] = []
            var column = 1
            var header = false
            for field in fields {
                let token = field.trimmingCharacters(in: .whitespaces)
                guard let value = Float(token), value.isFinite else {
                    if !sawHeader && values.isEmpty && row.isEmpty {
                        header = true
                        break
                    }
                    throw DataSetError(
                        path: path, line: lineNumber, column: column, "'\(token)' is not a finite number")
                }
                row.append(value)
                column += field.count + 1
            }
            if header {
                sawHeader = true
                continue
            }
            if let dimension, dimension != row.count {
                throw DataSetError(
                    path: path, line: lineNumber, column: 1, "\(row.count) values, expected \(dimension) as above")
            }
            dimension = row.count
            values += row
        }
        guard let dimension, dimension > 0, !values.isEmpty else {
            throw DataSetError(path: path, "no points (expected lines of comma-separated numbers)")
        }
        return PointSet(dimension: dimension, values: values)
    }

    /// Reads a points CSV file.
    public static func loadCSV(path: String) throws(DataSetError) -> PointSet {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataSetError(path: path, "cannot read the file")
        }
        return try parseCSV(String(decoding: data, as: UTF8.self), path: path)
    }
}
