import Autodiff
import Foundation
import MontagueSupport
import NeuralNet

/// The oracle of SeqGAN's synthetic-data experiment (Yu, Zhang, Wang & Yu 2017, "SeqGAN: Sequence generative
/// adversarial nets with policy gradient", §5): a randomly initialized LSTM language model (vocabulary 5,000,
/// embedding and hidden size 32, sequences of 20 tokens, start token 0) that plays the "real world" — its samples
/// are the training data, and the quality of a generator is the oracle's negative log-likelihood of the
/// generator's samples, NLL_oracle.
///
/// ``load(from:)`` reads the oracle's parameters from a safetensors file with SeqGAN's own tensor names
/// (`embedding`, `W_i`, `U_i`, `b_i`, … `W_out`, `b_out`; `W*` are `[input, hidden]`, used as `x·W`) into a
/// ``LanguageModel`` — whose LSTM computes the same function with PyTorch's gate layout — so every tool that
/// works on a language model (perplexity, sampling, training a copy) works on the oracle.
public enum SeqGANOracle {
    /// SeqGAN's sequence length.
    public static let sequenceLength = 20
    /// SeqGAN's start token (the first input; never emitted).
    public static let startToken = 0

    /// The tensor names of SeqGAN's parameter file, in its order.
    static let names = [
        "embedding", "W_i", "U_i", "b_i", "W_f", "U_f", "b_f", "W_o", "U_o", "b_o", "W_c", "U_c", "b_c", "W_out",
        "b_out",
    ]

    /// Loads the oracle from a safetensors file holding SeqGAN's 15 tensors.
    ///
    /// - Throws: ``InputError`` at the file when a tensor is missing, has another shape than the embedding's
    ///   sizes imply, or is not float32; `SafetensorsError` for a malformed file.
    public static func load(from url: URL) throws -> LanguageModel {
        let file = try SafetensorsFile(contentsOf: url)
        let location = SourceLocation(file: url.path)
        var tensors: [String: Tensor] = [:]
        for name in names {
            guard let entry = file.entries[name] else {
                throw InputError("missing oracle tensor '\(name)'", at: location)
            }
            guard entry.dtype == "F32" else {
                throw InputError("oracle tensor '\(name)' has dtype \(entry.dtype), expected F32", at: location)
            }
            tensors[name] = try file.tensor(named: name)
        }
        guard let embedding = tensors["embedding"], embedding.rank == 2, let hiddenProbe = tensors["U_i"],
            hiddenProbe.rank == 2
        else { throw InputError("oracle tensors 'embedding' and 'U_i' must be matrices", at: location) }
        let vocabulary = embedding.shape[0]
        let embeddingSize = embedding.shape[1]
        let hidden = hiddenProbe.shape[0]
        var expected: [String: [Int]] = [
            "embedding": [vocabulary, embeddingSize], "W_out": [hidden, vocabulary], "b_out": [vocabulary],
        ]
        for gate in ["i", "f", "o", "c"] {
            expected["W_\(gate)"] = [embeddingSize, hidden]
            expected["U_\(gate)"] = [hidden, hidden]
            expected["b_\(gate)"] = [hidden]
        }
        for name in names where tensors[name]?.shape != expected[name] {
            throw InputError(
                "oracle tensor '\(name)' has shape \(tensors[name]?.shape ?? []), expected \(expected[name] ?? [])",
                at: location)
        }
        var generator = RandomGenerator(seed: 0)
        let model = LanguageModel(
            vocabularySize: vocabulary, embeddingSize: embeddingSize, hiddenSize: hidden, using: &generator)
        func value(_ name: String) -> Tensor { tensors[name] ?? Tensor.zeros([1]) }
        // PyTorch's gate order is input, forget, cell (g), output; rows of weightIH are gates × hidden.
        let order = ["i", "f", "c", "o"]
        let weightIH = Tensor.concatenate(order.map { value("W_\($0)").transposed() }, axis: 0)
        let weightHH = Tensor.concatenate(order.map { value("U_\($0)").transposed() }, axis: 0)
        let biasIH = Tensor.concatenate(order.map { value("b_\($0)") }, axis: 0)
        let replacements: [String: Tensor] = [
            "embedding.weight": value("embedding"), "lstm.layer0.forward.weightIH": weightIH,
            "lstm.layer0.forward.weightHH": weightHH, "lstm.layer0.forward.biasIH": biasIH,
            "lstm.layer0.forward.biasHH": Tensor.zeros([4 * hidden]), "output.weight": value("W_out").transposed(),
            "output.bias": value("b_out"),
        ]
        for (name, parameter) in model.namedParameters {
            guard let replacement = replacements[name] else {
                throw InputError("internal: no oracle value for parameter '\(name)'", at: location)
            }
            parameter.update(replacement)
        }
        return model
    }

    /// Mean negative log-likelihood per token of `sequences` under `model`, each sequence read after the start
    /// token (SeqGAN's NLL_oracle when `model` is the oracle); sums in `Double`.
    public static func meanTokenNLL(
        of sequences: [[Int]], under model: some NextTokenLanguageModel, startToken: Int = startToken,
        batchSize: Int = 256
    ) -> Double {
        let perplexity = model.perplexity(on: sequences.map { [startToken] + $0 }, batchSize: batchSize)
        return Foundation.log(perplexity)
    }

    /// Draws `count` sequences of `length` tokens from `model`, starting from the start token, sampling each token
    /// from the full softmax at temperature 1 (inverse CDF with one uniform draw per token; see
    /// ``SequenceSampler``). Batched: one LSTM step for `batchSize` sequences at a time.
    public static func sample(
        from model: LanguageModel, count: Int, length: Int = sequenceLength, startToken: Int = startToken,
        batchSize: Int = 500, using generator: inout RandomGenerator
    ) -> [[Int]] {
        SequenceSampler.sample(
            from: model, count: count, length: length, startToken: startToken, batchSize: batchSize,
            using: &generator)
    }
}
