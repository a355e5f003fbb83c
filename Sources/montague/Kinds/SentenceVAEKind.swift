import ArgumentParser
import Foundation
import MontagueSupport
import NeuralNet
import TextGeneration

/// `predict` samples from the prior, reconstructs (`--input`) or interpolates (`--input` with `--n`);
/// `evaluate` reports ELBO, KL, active units and the importance-weighted NLL on `--data` files.
struct SentenceVAEKind: ModelKindHandler {
    static let kind = TrainedSentenceVAE.kind
    static let evaluateFlags: Set<EvaluateFlag> = [.data]
    static let predictFlags: Set<PredictFlag> = [.input, .n, .temperature, .topK, .topP, .beam]

    static func predict(_ directory: ModelDirectory, manifest: ModelManifest, options: PredictOptions) throws {
        let trained = try TrainedSentenceVAE.load(from: directory)
        let sentences: [String]
        if let input = options.input {
            guard options.temperature == nil, options.topK == nil, options.topP == nil, options.beam == nil else {
                throw ValidationError(
                    "reconstruction and interpolation decode greedily: no sampling flags with --input")
            }
            let lines = try TextScoring.TextFile(contentsOf: input).lines.filter {
                !$0.trimmingCharacters(in: .whitespaces).isEmpty
            }
            if let steps = options.count {
                guard lines.count >= 2, lines.count % 2 == 0 else {
                    throw InputError(
                        "interpolation needs pairs of lines; the file has \(lines.count)",
                        at: SourceLocation(file: input))
                }
                var result: [String] = []
                for pair in stride(from: 0, to: lines.count, by: 2) {
                    result += trained.interpolate(lines[pair], lines[pair + 1], steps: steps)
                    result.append("")
                }
                sentences = result
            } else {
                sentences = trained.reconstruct(lines)
            }
        } else {
            let selection: TokenSelection =
                options.beam == 1
                ? .greedy : .sample(temperature: options.temperature ?? 1, topK: options.topK, topP: options.topP)
            sentences = trained.sample(count: options.count ?? 10, selection: selection, seed: options.seed)
        }
        try emitLines(sentences, json: options.json, to: options.output)
    }

    static func evaluate(_ directory: ModelDirectory, manifest: ModelManifest, options: EvaluateOptions) throws {
        guard !options.data.isEmpty else { throw ValidationError("evaluate a sentence VAE with --data FILE") }
        let trained = try TrainedSentenceVAE.load(from: directory)
        var all: [[String: Double]] = []
        for path in options.data {
            let evaluation = try trained.evaluate(
                file: path, samples: trained.recipe.importanceSamples, seed: options.seed)
            all.append(evaluation.metrics)
            if !options.json {
                print(
                    String(
                        format: "%@: ELBO %.3f  reconstruction %.3f  KL %.3f  active units %d  IW NLL %.3f  "
                            + "IW perplexity %.2f over %d sentences", path, evaluation.elbo, evaluation.reconstruction,
                        evaluation.kl, evaluation.activeUnits, evaluation.importanceWeightedNLL, evaluation.perplexity,
                        evaluation.sentences))
            }
        }
        if options.json {
            let items = zip(options.data, all).map { path, metrics in
                "{\"data\":\(Escaping.jsonString(path)),"
                    + metrics.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",")
                    + "}"
            }
            print("[" + items.joined(separator: ",") + "]")
        }
    }
}
