import Foundation
import NeuralNet

/// Where a generative model's training data comes from, as named on the command line:
/// `ring8`, `grid25`, `swissroll` (seeded toys), `digits:PATH` (the UCI digits CSV, plain or gzip) or a points CSV.
public enum DataSource: Codable, Sendable, Equatable, CustomStringConvertible {
    /// A seeded 2-D toy with `count` training points.
    case toy(ToyDistribution, count: Int)
    /// The UCI digits at a path.
    case digits(path: String)
    /// A CSV of points.
    case points(path: String)

    /// Parses `ring8`, `grid25`, `swissroll`, `digits:PATH` or a file path (anything else); toys get `toyCount`
    /// points. Returns nil for an empty specification or `digits:` without a path.
    public init?(specification: String, toyCount: Int = 10_000) {
        if let toy = ToyDistribution(rawValue: specification) {
            self = .toy(toy, count: toyCount)
        } else if specification.hasPrefix("digits:") {
            let path = String(specification.dropFirst("digits:".count))
            guard !path.isEmpty else { return nil }
            self = .digits(path: path)
        } else {
            guard !specification.isEmpty else { return nil }
            self = .points(path: specification)
        }
    }

    public var description: String {
        switch self {
        case .toy(let toy, _): toy.rawValue
        case .digits(let path): "digits:" + path
        case .points(let path): path
        }
    }

    /// Loads (or, for toys, draws with `seed`) the points.
    public func load(seed: UInt64) throws(DataSetError) -> PointSet {
        switch self {
        case .toy(let toy, let count): toy.sample(count: count, seed: seed &+ 0x5EED)
        case .digits(let path): try DigitsDataset.load(path: path)
        case .points(let path): try PointSet.loadCSV(path: path)
        }
    }

    /// The toy, if the data is one (its modes define the mode-coverage metrics).
    public var toy: ToyDistribution? {
        if case .toy(let toy, _) = self { return toy }
        return nil
    }

    /// Whether the data are 8×8 digit images.
    public var isDigits: Bool {
        if case .digits = self { return true }
        return false
    }

    /// Size and modification time of a file source, for the manifest's data fingerprints.
    public var fingerprint: [String: String] {
        switch self {
        case .toy: return [:]
        case .digits(let path), .points(let path):
            let attributes = try? FileManager.default.attributesOfItem(atPath: path)
            let size = (attributes?[.size] as? NSNumber)?.intValue ?? -1
            let date = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            return [path: "size \(size), modified \(Int(date))"]
        }
    }
}
