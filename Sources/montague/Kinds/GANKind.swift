import ArgumentParser
import Foundation
import Generative
import MontagueSupport
import NeuralNet

/// `predict` and `evaluate` for `gan` model directories.
enum GANKind: ModelKindHandler {
    static let kind = GANRun.kind
    static let evaluateFlags: Set<EvaluateFlag> = []
    static let predictFlags: Set<PredictFlag> = [.n]

    /// `--n` samples (default 1,000) as CSV to `--output` (or standard output); with `--output FILE.csv` also
    /// `FILE.svg`, a scatter over the data (2-D) or an image grid (digits).
    static func predict(_ directory: ModelDirectory, manifest: ModelManifest, options: PredictOptions) throws {
        let (trainer, record) = try GANRun.load(directory)
        let files = GANRun.sampleFiles(trainer, record: record, count: options.count ?? 1000, seed: options.seed)
        try GenerativeOutput.write(csv: files.csv, svg: files.svg, to: options.output)
    }

    /// The PacGAN protocol on toys; Fréchet distance, coverage and memorization (and InfoGAN's code accuracy) on
    /// digits.
    static func evaluate(_ directory: ModelDirectory, manifest: ModelManifest, options: EvaluateOptions) throws {
        let (trainer, record) = try GANRun.load(directory)
        let metrics = GANRun.evaluate(trainer, record: record, seed: options.seed, directory: directory)
        try GenerativeOutput.printMetrics(metrics, json: options.json)
    }
}

/// Writing samples and metrics for the generative kinds.
enum GenerativeOutput {
    static func write(csv: String, svg: String?, to output: String?) throws {
        guard let output else {
            print(csv, terminator: "")
            return
        }
        try AtomicFile.write(Data(csv.utf8), to: URL(fileURLWithPath: output))
        if let svg {
            let url = URL(fileURLWithPath: output).deletingPathExtension().appendingPathExtension("svg")
            try AtomicFile.write(Data(svg.utf8), to: url)
            FileHandle.standardError.write(Data("wrote \(output) and \(url.path)\n".utf8))
        }
    }

    static func printMetrics(_ metrics: [String: Double], json: Bool) throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            Swift.print(String(decoding: try encoder.encode(metrics), as: UTF8.self))
        } else {
            for (name, value) in metrics.sorted(by: { $0.key < $1.key }) {
                Swift.print("\(name): \(String(format: "%.4f", value))")
            }
        }
    }
}
