import ArgumentParser
import Autodiff
import Foundation
import Plotting
import Sampling

/// `montague gmm fit data.csv --k K`: EM for a Gaussian mixture, printing parameters and the log-likelihood trace;
/// `montague gmm vb data.csv --k K`: variational Bayes (Bishop §10.2), printing the posterior and the ELBO.
struct GMMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gmm",
        abstract: "Gaussian mixture models fitted by EM or by variational Bayes.",
        subcommands: [GMMFitCommand.self, GMMVariationalCommand.self])
}

/// `montague gmm vb data.csv --k K [--alpha A] [--seed S]`.
struct GMMVariationalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vb",
        abstract: "Fit a Bayesian Gaussian mixture by mean-field variational inference (Bishop, PRML §10.2).",
        discussion: """
            Priors: Dirichlet(alpha) weights, Normal-Wishart means and precisions (scikit-learn's defaults for the
            rest). Components the data do not need get expected weights near 0. Same CSV format as `gmm fit`.

            Example:
              montague gmm vb points.csv --k 6 --alpha 0.01 --seed 1
            """)

    @Argument(help: "CSV file: one point per row, comma-separated coordinates.")
    var file: String

    @Option(name: .long, help: "Maximum number of components.")
    var k = 2

    @Option(name: .long, help: "Dirichlet concentration of the weights (default 1/k).")
    var alpha: Double?

    @Option(name: .long, help: "Seed of the k-means++ initialization.")
    var seed: UInt64 = 0

    @Option(name: .customLong("max-iter"), help: "Maximum coordinate-ascent iterations.")
    var maxIter = 500

    func run() throws {
        guard k >= 1 else { throw ValidationError("--k must be at least 1") }
        if let alpha, !(alpha > 0) { throw ValidationError("--alpha must be positive") }
        let points = try GMMFitCommand.readPoints(file)
        var generator = RandomGenerator(seed: seed)
        let fit: BayesianMixtureFit
        do {
            fit = try BayesianGaussianMixture(components: k, weightConcentration: alpha, maximumIterations: maxIter)
                .fit(points, using: &generator)
        } catch {
            throw ValidationError("\(file): \(error)")
        }
        print("points: \(points.count)  dimension: \(points[0].count)  components: \(k)")
        print("iterations: \(fit.elboHistory.count)  converged: \(fit.converged)")
        print(String(format: "ELBO: %.6f", fit.elboHistory.last ?? -Double.infinity))
        let weights = fit.posterior.expectedWeights
        for (c, component) in fit.posterior.components.enumerated() {
            let mean = component.mean.map { String(format: "%.4f", $0) }.joined(separator: ", ")
            print(String(format: "component %d  E[weight] %.4f", c, weights[c]) + "  mean [\(mean)]")
        }
    }
}

/// `montague gmm fit data.csv --k K [--covariance full|diag] [--seed S]`.
struct GMMFitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fit a Gaussian mixture to a CSV of numbers (one point per row) by EM, k-means++ initialization.",
        discussion: """
            A first row that is not numeric is taken as a header. Exit status 2 on unreadable or malformed data.

            Example:
              montague gmm fit points.csv --k 3 --covariance diag --seed 1
            """)

    @Argument(help: "CSV file: one point per row, comma-separated coordinates.")
    var file: String

    @Option(name: .long, help: "Number of components.")
    var k = 2

    @Option(name: .long, help: "Covariance type: full or diag.")
    var covariance = "full"

    @Option(name: .long, help: "Seed of the k-means++ initialization.")
    var seed: UInt64 = 0

    @Option(name: .long, help: "Tolerance on the change of mean log-likelihood.")
    var tol = 1e-3

    @Option(name: .customLong("reg-covar"), help: "Added to covariance diagonals.")
    var regCovar = 1e-6

    @Option(name: .customLong("max-iter"), help: "Maximum EM iterations.")
    var maxIter = 100

    @Option(name: .long, help: "Write an SVG trace of the mean log-likelihood to this path.")
    var svg: String?

    func run() throws {
        guard let type = GaussianMixtureModel.CovarianceType(rawValue: covariance) else {
            throw ValidationError("unknown covariance '\(covariance)': use full or diag")
        }
        guard k >= 1 else { throw ValidationError("--k must be at least 1") }
        let points = try Self.readPoints(file)
        let fit: GaussianMixtureFit
        do {
            fit = try GaussianMixtureEM(
                components: k, covarianceType: type, tolerance: tol, covarianceRegularization: regCovar,
                maximumIterations: maxIter
            ).fit(points, initialization: .kMeansPlusPlus(seed: seed))
        } catch {
            throw ValidationError("\(file): \(error)")
        }
        print("points: \(points.count)  dimension: \(points[0].count)  components: \(k)  covariance: \(covariance)")
        print("iterations: \(fit.iterations)  converged: \(fit.converged)")
        print(String(format: "mean log-likelihood: %.6f", fit.meanLogLikelihood))
        for c in 0..<k {
            let mean = fit.model.means[c].map { String(format: "%.4f", $0) }.joined(separator: ", ")
            let cov = fit.model.covariances[c].map { String(format: "%.4f", $0) }.joined(separator: ", ")
            print(
                String(format: "component %d  weight %.4f", c, fit.model.weights[c]) + "  mean [\(mean)]  cov [\(cov)]")
        }
        if let svg {
            let trace = LineSeries(
                name: "mean log-likelihood",
                points: fit.meanLogLikelihoodHistory.enumerated().map { ChartPoint(x: Double($0 + 1), y: $1) })
            let plot = LineChart(
                series: [trace], title: "EM mean log-likelihood", xLabel: "iteration", yLabel: "mean log-likelihood"
            ).svg()
            do {
                try plot.write(toFile: svg, atomically: true, encoding: .utf8)
            } catch {
                throw ValidationError("cannot write \(svg): \(error.localizedDescription)")
            }
            print("trace: \(svg)")
        }
    }

    /// Reads a numeric CSV; a non-numeric first row is a header.
    static func readPoints(_ path: String) throws -> [[Double]] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ValidationError("\(path): cannot read file")
        }
        var points: [[Double]] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            let fields = trimmed.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            if fields.contains(where: { $0 == nil }) {
                if index == 0 { continue }
                throw ValidationError("\(path):\(index + 1):1: non-numeric field")
            }
            let row = fields.compactMap { $0 }
            if let first = points.first, first.count != row.count {
                throw ValidationError("\(path):\(index + 1):1: \(row.count) columns, expected \(first.count)")
            }
            points.append(row)
        }
        guard !points.isEmpty else { throw ValidationError("\(path): no data rows") }
        return points
    }
}
