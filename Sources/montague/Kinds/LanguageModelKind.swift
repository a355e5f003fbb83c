import ArgumentParser
import Autodiff
import Foundation
import MontagueSupport
import NeuralNet
import TextGeneration

/// `predict` samples sentences from a language model; `evaluate` measures perplexity on `--data` files.
struct LanguageModelKind: ModelKindHandler {
    static let kind = TrainedLanguageModel.kind
    static let evaluateFlags: Set<EvaluateFlag> = [.data]
    static let predictFlags: Set<PredictFlag> = [.n, .temperature, .topK, .topP]

    static func predict(_ directory: ModelDirectory, manifest: ModelManifest, options: PredictOptions) throws {
        let trained = try TrainedLanguageModel.load(from: directory)
        var generator = RandomGenerator(seed: options.seed)
        let selection: TokenSelection = .sample(
            temperature: options.temperature ?? 1, topK: options.topK, topP: options.topP)
        let sentences = trained.sample(
            count: options.count ?? 10, selection: selection, maximumLength: trained.recipe.maximumLength,
            using: &generator
        ).map(trained.render)
        try emitLines(sentences, json: options.json, to: options.output)
    }

    static func evaluate(_ directory: ModelDirectory, manifest: ModelManifest, options: EvaluateOptions) throws {
        guard !options.data.isEmpty else { throw ValidationError("evaluate a language model with --data FILE") }
        let trained = try TrainedLanguageModel.load(from: directory)
        var results: [(String, Double, Int)] = []
        for path in options.data {
            let sentences = try trained.sentences(inFile: path)
            results.append((path, trained.perplexity(of: sentences), sentences.count))
        }
        if options.json {
            let items = results.map {
                "{\"data\":\(Escaping.jsonString($0.0)),\"perplexity\":\($0.1),\"sentences\":\($0.2)}"
            }
            print("[" + items.joined(separator: ",") + "]")
        } else {
            for (path, perplexity, count) in results {
                print(String(format: "%@: perplexity %.3f over %d sentences", path, perplexity, count))
            }
        }
    }
}
