import ArgumentParser
import Foundation
import MontagueSupport
import NeuralNet
import TextGeneration

/// `predict` samples token-id sequences from a SeqGAN generator; `evaluate` reports NLL_oracle and diversity.
struct SeqGANKind: ModelKindHandler {
    static let kind = SeqGANRun.kind
    static let evaluateFlags: Set<EvaluateFlag> = []
    static let predictFlags: Set<PredictFlag> = [.n, .temperature]

    static func predict(_ directory: ModelDirectory, manifest: ModelManifest, options: PredictOptions) throws {
        let (model, record) = try SeqGANRun.load(directory)
        let samples = SeqGANRun.sample(
            model, record: record, count: options.count ?? 10, temperature: options.temperature ?? 1,
            seed: options.seed)
        let text: String
        if options.json {
            text =
                "[" + samples.map { "[" + $0.map(String.init).joined(separator: ",") + "]" }.joined(separator: ",")
                + "]\n"
        } else {
            text = TokenSequenceFile.render(samples)
        }
        try emit(text, to: options.output)
    }

    static func evaluate(_ directory: ModelDirectory, manifest: ModelManifest, options: EvaluateOptions) throws {
        let (model, record) = try SeqGANRun.load(directory)
        let metrics = try SeqGANRun.evaluate(
            model, record: record, count: record.configuration.evaluationSamples, seed: options.seed)
        try GenerativeOutput.printMetrics(metrics, json: options.json)
    }
}
