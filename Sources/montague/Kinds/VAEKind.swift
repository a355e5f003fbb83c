import ArgumentParser
import Foundation
import Generative
import NeuralNet

/// `predict` and `evaluate` for `vae` model directories.
enum VAEKind: ModelKindHandler {
    static let kind = VAERun.kind
    static let evaluateFlags: Set<EvaluateFlag> = []
    static let predictFlags: Set<PredictFlag> = [.n]

    /// `--n` samples (decoder means, default 1,000) as CSV, with an SVG beside `--output FILE.csv`.
    static func predict(_ directory: ModelDirectory, manifest: ModelManifest, options: PredictOptions) throws {
        let (trainer, record, _) = try VAERun.load(directory)
        let files = VAERun.sampleFiles(trainer, record: record, count: options.count ?? 1000, seed: options.seed)
        try GenerativeOutput.write(csv: files.csv, svg: files.svg, to: options.output)
    }

    /// Held-out ELBO, importance-weighted bound and NLL; EM's held-out log-likelihood for real-valued points.
    static func evaluate(_ directory: ModelDirectory, manifest: ModelManifest, options: EvaluateOptions) throws {
        let (trainer, record, heldOut) = try VAERun.load(directory)
        let metrics = try VAERun.evaluate(trainer, record: record, heldOut: heldOut, seed: options.seed)
        try GenerativeOutput.printMetrics(metrics, json: options.json)
    }
}
