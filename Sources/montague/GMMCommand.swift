import ArgumentParser
import Autodiff
import Foundation
import MontagueSupport
import Plotting
import Sampling

/// `montague gmm fit data.csv --k K`: EM for a Gaussian mixture, printing parameters, BIC and AIC;
/// `montague gmm vb data.csv --k K`: variational Bayes (Bishop, PRML §10.2), printing the posterior and the ELBO.
struct GMMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gmm",
        abstract: "Gaussian mixture models fitted by EM or by variational Bayes.",
        subcommands: [GMMFitCommand.self, GMMVariationalCommand.self])
}

/// The options `gmm fit` and `gmm vb` share: the data, the number of components, the seed, the outputs.
struct MixtureOptions: ParsableArguments {
    @Argument(help: "CSV file: one point per row, comma-separated coordinates (a non-numeric first row is a header).")
    var file: String

    @Option(name: .long, help: "Number of components (the maximum, for gmm vb).")
    var k = 2

    @Option(name: .long, help: "Seed of the k-means++ initialization.")
    var seed: UInt64 = 0

    @Option(name: .customLong("max-iter"), help: "Maximum iterations.")
    var maxIter = 200

    @Option(name: .customLong("save"), help: "Write the fitted model to this JSON file.")
    var save: String?

    @Option(name: .long, help: "Write each point's most responsible component (CSV, or .npy) to this file.")
    var assignments: String?

    func validate() throws {
        try requirePositive(k, "--k")
        try requirePositive(maxIter, "--max-iter")
    }

    /// The points of ``file``.
    func points() throws -> [[Double]] { try PointsCSV.read(path: file) }

    /// The result of `fit`, with a fitting error (too few points, a singular covariance) reported at the data file.
    func locating<T>(_ fit: () throws -> T) throws -> T {
        do {
            return try fit()
        } catch let error as SamplingError {
            throw InputError(error.description, at: SourceLocation(file: file))
        }
    }

    /// Writes the assignments when asked.
    func writeAssignments(_ labels: [Int]) throws {
        guard let assignments else { return }
        try NumericArrayFile.write(
            labels.map(Double.init), header: ["component"], integers: true, to: URL(fileURLWithPath: assignments))
        print("assignments: \(assignments)")
    }
}

/// `montague gmm vb data.csv --k K [--alpha A] [--seed S] [--weight-threshold W]`.
struct GMMVariationalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vb",
        abstract: "Fit a Bayesian Gaussian mixture by mean-field variational inference (Bishop, PRML §10.2).",
        discussion: """
            Priors: Dirichlet(alpha) weights, Normal-Wishart means and precisions (scikit-learn's defaults for the \
            rest). Components the data do not need get expected weights near 0; only those above \
            --weight-threshold are listed. Same CSV format as `gmm fit`.

            Example:
              montague gmm vb points.csv --k 6 --alpha 0.01 --seed 1 --save vb.json
            """)

    @OptionGroup var options: MixtureOptions

    @Option(name: .long, help: "Dirichlet concentration of the weights (default 1/k).")
    var alpha: Double?

    @Option(name: .customLong("weight-threshold"), help: "List only components with expected weight above this.")
    var weightThreshold = 0.01

    func validate() throws {
        if let alpha { try requirePositive(alpha, "--alpha") }
        guard (0..<1).contains(weightThreshold) else {
            throw ValidationError("--weight-threshold must be in [0, 1), got \(weightThreshold)")
        }
    }

    func run() throws {
        let points = try options.points()
        let result = try options.locating {
            try BayesianMixtureRun.fit(
                points,
                options: .init(
                    components: options.k, weightConcentration: alpha, seed: options.seed,
                    maximumIterations: options.maxIter, weightThreshold: weightThreshold))
        }
        let fit = result.fit
        print("points: \(points.count)  dimension: \(points[0].count)  components: \(options.k)")
        print("iterations: \(fit.elboHistory.count)  converged: \(fit.hasConverged)")
        print(String(format: "ELBO: %.6f", fit.elboHistory.last ?? -Double.infinity))
        print(
            "components above weight \(weightThreshold): \(result.activeComponents.count) of \(options.k)")
        let weights = fit.posterior.expectedWeights
        for c in result.activeComponents {
            let mean = fit.posterior.components[c].mean.map { String(format: "%.4f", $0) }.joined(separator: ", ")
            print(String(format: "component %d  E[weight] %.4f", c, weights[c]) + "  mean [\(mean)]")
        }
        if let save = options.save {
            try AtomicFile.write(try BayesianMixtureRun.json(result), to: URL(fileURLWithPath: save))
            print("model: \(save)")
        }
        try options.writeAssignments(result.assignments)
    }
}

/// `montague gmm fit data.csv --k K [--covariance full|diag] [--seed S] [--n-init R | --init FILE]`.
struct GMMFitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fit a Gaussian mixture to a CSV of numbers (one point per row) by EM.",
        discussion: """
            Starts from k-means++ (--n-init restarts, the best kept) or from a pinned initialization (--init FILE: \
            JSON with weights, means and precisions in scikit-learn's parameterization; the --save output has \
            that form too). Prints the parameters, BIC and AIC. Exit status 2 on unreadable or malformed data.

            Example:
              montague gmm fit points.csv --k 3 --covariance diag --seed 1 --n-init 5 --save gmm.json
            """)

    @OptionGroup var options: MixtureOptions

    @Option(name: .long, help: "Covariance type.")
    var covariance = GaussianMixtureModel.CovarianceType.full

    @Option(name: .customLong("n-init"), help: "k-means++ restarts; the best final log-likelihood is kept.")
    var nInit = 1

    @Option(
        name: .customLong("init"),
        help: "Start from these parameters (JSON: weights, means, precisions) instead of k-means++.")
    var initialization: String?

    @Option(name: .long, help: "Tolerance on the change of mean log-likelihood.")
    var tol = 1e-3

    @Option(name: .customLong("reg-covar"), help: "Added to covariance diagonals.")
    var regCovar = 1e-6

    @Option(name: .long, help: "Write an SVG trace of the mean log-likelihood to this path.")
    var svg: String?

    func validate() throws {
        try requirePositive(nInit, "--n-init")
        try requirePositive(tol, "--tol")
        try requireNonNegative(regCovar, "--reg-covar")
        if initialization != nil, nInit != 1 {
            throw ValidationError("--n-init does not apply with --init (one run from the given start)")
        }
    }

    func run() throws {
        let points = try options.points()
        var start: GaussianMixtureModel?
        if let initialization {
            guard let data = FileManager.default.contents(atPath: initialization) else {
                throw InputError("cannot read the file", at: SourceLocation(file: initialization))
            }
            let given = try GaussianMixtureInitialization(json: data, path: initialization)
            start = try given.model(path: initialization)
            guard start?.covarianceType == covariance, given.weights.count == options.k,
                given.means[0].count == points[0].count
            else {
                throw InputError(
                    "holds \(given.weights.count) \(start?.covarianceType.rawValue ?? "") components of dimension "
                        + "\(given.means[0].count); the fit asks for \(options.k) \(covariance.rawValue) components "
                        + "of dimension \(points[0].count)", at: SourceLocation(file: initialization))
            }
        }
        let result = try options.locating {
            try GaussianMixtureRun.fit(
                points,
                options: .init(
                    components: options.k, covarianceType: covariance, seed: options.seed, restarts: nInit,
                    initialization: start, tolerance: tol, covarianceRegularization: regCovar,
                    maximumIterations: options.maxIter))
        }
        let fit = result.fit
        print(
            "points: \(points.count)  dimension: \(points[0].count)  components: \(options.k)  "
                + "covariance: \(covariance.rawValue)")
        print(
            "iterations: \(fit.iterations)  converged: \(fit.hasConverged)"
                + (nInit > 1 ? "  best of \(nInit) restarts: \(result.bestRestart + 1)" : ""))
        print(String(format: "mean log-likelihood: %.6f", result.meanLogLikelihood))
        print(String(format: "BIC: %.4f  AIC: %.4f  (parameters: %d)", result.bic, result.aic, result.parameterCount))
        for c in 0..<options.k {
            let mean = fit.model.means[c].map { String(format: "%.4f", $0) }.joined(separator: ", ")
            let cov = fit.model.covariances[c].map { String(format: "%.4f", $0) }.joined(separator: ", ")
            print(
                String(format: "component %d  weight %.4f", c, fit.model.weights[c]) + "  mean [\(mean)]  cov [\(cov)]")
        }
        if let save = options.save {
            try AtomicFile.write(try GaussianMixtureRun.json(result), to: URL(fileURLWithPath: save))
            print("model: \(save)")
        }
        try options.writeAssignments(result.assignments)
        if let svg {
            let trace = LineSeries(
                name: "mean log-likelihood",
                points: fit.meanLogLikelihoodHistory.enumerated().map { ChartPoint(x: Double($0 + 1), y: $1) })
            let plot = LineChart(
                series: [trace], title: "EM mean log-likelihood", xLabel: "iteration", yLabel: "mean log-likelihood"
            ).svg()
            try AtomicFile.write(plot, to: URL(fileURLWithPath: svg))
            print("trace: \(svg)")
        }
    }
}
