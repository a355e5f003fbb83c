import Autodiff
import Foundation
import MontagueSupport

/// Points for mixture fitting read from CSV: one point per row, comma-separated numbers; a first row that is not
/// numeric is a header.
public enum PointsCSV {
    /// The points of CSV `text`; `path` names the source in errors.
    ///
    /// - Throws: ``InputError`` at the offending line and column for a non-numeric field, a row of another length,
    ///   or a file without data rows.
    public static func parse(_ text: String, path: String) throws(InputError) -> [[Double]] {
        var points: [[Double]] = []
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            var row: [Double] = []
            var column = 1
            var badColumn: Int?
            for field in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
                if let value = Double(field.trimmingCharacters(in: .whitespaces)), value.isFinite {
                    row.append(value)
                } else if badColumn == nil {
                    badColumn = column
                }
                column += field.unicodeScalars.count + 1
            }
            if let badColumn {
                if points.isEmpty && lineNumber == 1 { continue }  // a header
                throw InputError(
                    "not a finite number", at: SourceLocation(file: path, line: lineNumber, column: badColumn))
            }
            if let first = points.first, first.count != row.count {
                throw InputError(
                    "\(row.count) columns, expected \(first.count)",
                    at: SourceLocation(file: path, line: lineNumber, column: 1))
            }
            points.append(row)
        }
        guard !points.isEmpty else { throw InputError("no data rows", at: SourceLocation(file: path)) }
        return points
    }

    /// The points of the CSV file at `path`.
    public static func read(path: String) throws(InputError) -> [[Double]] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError("cannot read the file", at: SourceLocation(file: path))
        }
        return try parse(String(decoding: data, as: UTF8.self), path: path)
    }
}

/// Initial parameters of a Gaussian mixture in scikit-learn's parameterization (`weights_init`, `means_init`,
/// `precisions_init`), read from JSON:
///
/// ```json
/// {"weights": [0.5, 0.5], "means": [[0, 0], [5, 5]], "precisions": [[[1, 0], [0, 1]], [[1, 0], [0, 1]]]}
/// ```
///
/// Precisions are inverse covariances: `K` matrices `d × d` for full covariances, `K` vectors of `d` inverse
/// variances for diagonal ones.
public struct GaussianMixtureInitialization: Sendable, Equatable {
    /// Mixing weights (positive, summing to 1 within 1e-6).
    public var weights: [Double]
    /// Means, one row of `d` values per component.
    public var means: [[Double]]
    /// Precision matrices (`[[[Double]]]` flattened row-major per component) or inverse variances.
    public var precisions: [[Double]]
    /// Whether the precisions are full matrices.
    public var isFull: Bool

    /// Parses the JSON `data`; `path` names the file in errors.
    ///
    /// - Throws: ``InputError`` for malformed JSON, missing keys, ragged shapes, weights that are not a
    ///   distribution, or precisions that are not positive definite.
    public init(json data: Data, path: String) throws(InputError) {
        let location = SourceLocation(file: path)
        func fail(_ message: String) -> InputError { InputError(message, at: location) }
        let object: [String: Any]
        do {
            guard let parsed = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw fail("expected a JSON object with weights, means and precisions")
            }
            object = parsed
        } catch let error as InputError {
            throw error
        } catch {
            throw fail("malformed JSON")
        }
        func numbers(_ value: Any?, _ name: String) throws(InputError) -> [Double] {
            guard let array = value as? [Any] else { throw fail("'\(name)' must be an array of numbers") }
            var result: [Double] = []
            for element in array {
                guard let number = element as? NSNumber, number.doubleValue.isFinite else {
                    throw fail("'\(name)' must hold finite numbers")
                }
                result.append(number.doubleValue)
            }
            return result
        }
        let weights = try numbers(object["weights"], "weights")
        guard let meanRows = object["means"] as? [Any], let precisionRows = object["precisions"] as? [Any] else {
            throw fail("'means' and 'precisions' must be arrays")
        }
        var means: [[Double]] = []
        for row in meanRows { means.append(try numbers(row, "means")) }
        let k = weights.count
        guard k > 0, means.count == k, precisionRows.count == k else {
            throw fail("\(k) weights, \(means.count) means and \(precisionRows.count) precisions: counts must agree")
        }
        guard let d = means.first?.count, d > 0, means.allSatisfy({ $0.count == d }) else {
            throw fail("every mean must have the same, positive number of values")
        }
        guard weights.allSatisfy({ $0 > 0 }), abs(weights.reduce(0, +) - 1) < 1e-6 else {
            throw fail("weights must be positive and sum to 1")
        }
        var precisions: [[Double]] = []
        var isFull = false
        for (c, entry) in precisionRows.enumerated() {
            if let matrix = entry as? [Any], matrix.first is [Any] {
                isFull = true
                var flat: [Double] = []
                for row in matrix { flat += try numbers(row, "precisions") }
                guard matrix.count == d, flat.count == d * d else {
                    throw fail("precision \(c) must be a \(d) × \(d) matrix")
                }
                precisions.append(flat)
            } else {
                let diagonal = try numbers(entry, "precisions")
                guard diagonal.count == d, diagonal.allSatisfy({ $0 > 0 }) else {
                    throw fail("precision \(c) must hold \(d) positive inverse variances")
                }
                precisions.append(diagonal)
            }
        }
        guard precisions.allSatisfy({ $0.count == (isFull ? d * d : d) }) else {
            throw fail("precisions must be all matrices or all vectors")
        }
        self.weights = weights
        self.means = means
        self.precisions = precisions
        self.isFull = isFull
        _ = try model(path: path)
    }

    /// The mixture these parameters describe (covariances are the inverted precisions).
    ///
    /// - Throws: ``InputError`` when a precision matrix is not symmetric positive definite.
    public func model(path: String) throws(InputError) -> GaussianMixtureModel {
        var covariances: [[Double]] = []
        let d = means[0].count
        for (c, precision) in precisions.enumerated() {
            if !isFull {
                covariances.append(precision.map { 1 / $0 })
                continue
            }
            for i in 0..<d {
                for j in 0..<i where abs(precision[i * d + j] - precision[j * d + i]) > 1e-9 {
                    throw InputError("precision \(c) is not symmetric", at: SourceLocation(file: path))
                }
            }
            let factor: CholeskyFactor
            do {
                factor = try CholeskyFactor(matrix: precision, order: d)
            } catch {
                throw InputError("precision \(c) is not positive definite", at: SourceLocation(file: path))
            }
            // Σ = P⁻¹ = L⁻ᵀ L⁻¹ with P = L Lᵀ.
            let inverse = factor.inverseLower()
            var covariance = [Double](repeating: 0, count: d * d)
            for i in 0..<d {
                for j in 0..<d {
                    var sum = 0.0
                    for r in max(i, j)..<d { sum += inverse[r * d + i] * inverse[r * d + j] }
                    covariance[i * d + j] = sum
                }
            }
            covariances.append(covariance)
        }
        return GaussianMixtureModel(
            weights: weights, means: means, covariances: covariances, covarianceType: isFull ? .full : .diagonal)
    }
}

/// A fitted Gaussian mixture with its information criteria and hard assignments: the outcome of
/// ``GaussianMixtureRun/fit(_:options:)``.
public struct GaussianMixtureResult: Sendable {
    /// The best of the restarts (highest final mean log-likelihood).
    public let fit: GaussianMixtureFit
    /// Which restart it was (0-based).
    public let bestRestart: Int
    /// The mean log-likelihood of the final model on the data.
    public let meanLogLikelihood: Double
    /// Free parameters: `K − 1` weights, `K d` means, `K d(d+1)/2` (full) or `K d` (diagonal) covariances.
    public let parameterCount: Int
    /// Bayesian information criterion `−2 log L + p log n` (Schwarz 1978; lower is better).
    public let bic: Double
    /// Akaike information criterion `−2 log L + 2p` (Akaike 1974; lower is better).
    public let aic: Double
    /// The most responsible component of every point.
    public let assignments: [Int]
}

/// `montague gmm fit` as a library call: EM with restarts or a pinned initialization, information criteria,
/// assignments.
public enum GaussianMixtureRun {
    /// The options of a fit.
    public struct Options: Sendable {
        /// Number of components.
        public var components: Int
        /// Full or diagonal covariances.
        public var covarianceType: GaussianMixtureModel.CovarianceType
        /// Seed of the first restart's k-means++ initialization (restart `r` uses `seed + r`).
        public var seed: UInt64
        /// Number of k-means++ restarts, the best kept (scikit-learn `n_init`).
        public var restarts: Int
        /// A pinned start instead of k-means++ (then one run).
        public var initialization: GaussianMixtureModel?
        /// Convergence threshold on the change of mean log-likelihood.
        public var tolerance: Double
        /// Added to covariance diagonals.
        public var covarianceRegularization: Double
        /// Iteration cap per run.
        public var maximumIterations: Int

        /// Options with scikit-learn's defaults.
        public init(
            components: Int, covarianceType: GaussianMixtureModel.CovarianceType = .full, seed: UInt64 = 0,
            restarts: Int = 1, initialization: GaussianMixtureModel? = nil, tolerance: Double = 1e-3,
            covarianceRegularization: Double = 1e-6, maximumIterations: Int = 100
        ) {
            self.components = components
            self.covarianceType = covarianceType
            self.seed = seed
            self.restarts = restarts
            self.initialization = initialization
            self.tolerance = tolerance
            self.covarianceRegularization = covarianceRegularization
            self.maximumIterations = maximumIterations
        }
    }

    /// Fits `points` with `options`.
    ///
    /// - Throws: ``SamplingError`` for too few points, a pinned start of the wrong shape, or a singular
    ///   covariance.
    public static func fit(_ points: [[Double]], options: Options) throws(SamplingError) -> GaussianMixtureResult {
        let em = GaussianMixtureEM(
            components: options.components, covarianceType: options.covarianceType, tolerance: options.tolerance,
            covarianceRegularization: options.covarianceRegularization,
            maximumIterations: options.maximumIterations)
        var best: (fit: GaussianMixtureFit, restart: Int, score: Double)?
        if let start = options.initialization {
            let fit = try em.fit(points, initialization: .given(start))
            best = (fit, 0, try fit.model.meanLogLikelihood(points: points))
        } else {
            for restart in 0..<max(1, options.restarts) {
                let fit = try em.fit(
                    points, initialization: .kMeansPlusPlus(seed: options.seed &+ UInt64(restart)))
                let score = try fit.model.meanLogLikelihood(points: points)
                if best == nil || score > (best?.score ?? -.infinity) { best = (fit, restart, score) }
            }
        }
        guard let best else { throw .invalidParameter("no restart ran") }
        let model = best.fit.model
        let n = points.count
        let d = model.dimension
        let k = model.componentCount
        let covarianceParameters = options.covarianceType == .full ? k * d * (d + 1) / 2 : k * d
        let p = (k - 1) + k * d + covarianceParameters
        let logLikelihood = best.score * Double(n)
        let (_, responsibilities) = try em.expectationStep(points: points.flatMap { $0 }, model: model)
        return GaussianMixtureResult(
            fit: best.fit, bestRestart: best.restart, meanLogLikelihood: best.score, parameterCount: p,
            bic: -2 * logLikelihood + Double(p) * log(Double(n)), aic: -2 * logLikelihood + 2 * Double(p),
            assignments: argmaxRows(responsibilities, columns: k))
    }

    /// The column of the largest value in each row of a row-major table.
    public static func argmaxRows(_ values: [Double], columns: Int) -> [Int] {
        stride(from: 0, to: values.count, by: columns).map { start in
            var best = 0
            for c in 1..<max(1, columns) where values[start + c] > values[start + best] { best = c }
            return best
        }
    }

    /// The fitted model as JSON (sorted keys): kind, covariance type, weights, means, covariances and the
    /// scikit-learn precisions (inverse covariances), plus the fit's statistics, so the file can also be given
    /// back as a pinned initialization.
    public static func json(_ result: GaussianMixtureResult) throws -> Data {
        let model = result.fit.model
        let d = model.dimension
        var precisions: [JSONValue] = []
        for covariance in model.covariances {
            if model.covarianceType == .diagonal {
                precisions.append(.array(covariance.map { .number(1 / $0) }))
            } else {
                let factor = try CholeskyFactor(matrix: covariance, order: d)
                let inverse = factor.inverseLower()
                var rows: [JSONValue] = []
                for i in 0..<d {
                    var row: [JSONValue] = []
                    for j in 0..<d {
                        var sum = 0.0
                        for r in max(i, j)..<d { sum += inverse[r * d + i] * inverse[r * d + j] }
                        row.append(.number(sum))
                    }
                    rows.append(.array(row))
                }
                precisions.append(.array(rows))
            }
        }
        let value: JSONValue = .object([
            "kind": .string("gaussian-mixture"),
            "covariance_type": .string(model.covarianceType.rawValue),
            "weights": .array(model.weights.map { .number($0) }),
            "means": .array(model.means.map { .array($0.map { .number($0) }) }),
            "covariances": .array(model.covariances.map { .array($0.map { .number($0) }) }),
            "precisions": .array(precisions),
            "mean_log_likelihood": .number(result.meanLogLikelihood),
            "bic": .number(result.bic), "aic": .number(result.aic),
            "iterations": .number(Double(result.fit.iterations)), "converged": .bool(result.fit.hasConverged),
        ])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(value)
    }
}
