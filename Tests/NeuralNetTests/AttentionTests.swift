import Foundation
import NeuralNet
import Testing

@Suite("Attention: dot, general, additive, multi-head, masks")
struct AttentionTests {
    @Test func dotAttentionWeightsAndContext() {
        let query = Tensor([[[1, 0]]])  // [1, 1, 2]
        let keys = Tensor([[[1, 0], [0, 1], [2, 0]]])  // [1, 3, 2]
        let values = Tensor([[[1, 2], [3, 4], [5, 6]]])
        let result = DotProductAttention()(query: query, keys: keys, values: values)
        // Scores 1, 0, 2 → softmax.
        let e: [Float] = [1, 0, 2].map { Float($0) }.map { Float(exp(Double($0))) }
        let total = e.reduce(0, +)
        let expected = e.map { $0 / total }
        #expect(zip(result.weights.scalars, expected).allSatisfy { abs($0 - $1) < 1e-6 })
        let context0 = expected[0] * 1 + expected[1] * 3 + expected[2] * 5
        #expect(abs(result.context.scalars[0] - context0) < 1e-5)
        #expect(result.context.shape == [1, 1, 2])
        let scaled = DotProductAttention(scaled: true).scores(query: query, keys: keys)
        #expect(abs(scaled.scalars[2] - 2 / Float(2).squareRoot()) < 1e-6)
    }

    @Test func maskedPositionsGetZeroWeightAndDoNotAffectTheContext() {
        var generator = RandomGenerator(seed: 1)
        let query = Tensor.normal([2, 2, 3], using: &generator)
        let keys = Tensor.normal([2, 4, 3], using: &generator)
        let values = Tensor.normal([2, 4, 2], using: &generator)
        // Batch 1 has only 2 valid keys: mask [B, 1, Tk], nonzero = not attended.
        let mask = Tensor(shape: [2, 1, 4], scalars: [0, 0, 0, 0, 0, 0, 1, 1])
        let general = GeneralAttention(queryDimension: 3, keyDimension: 3, using: &generator)
        let additive = AdditiveAttention(queryDimension: 3, keyDimension: 3, attentionSize: 4, using: &generator)
        let layers: [(Tensor, Tensor, Tensor, Tensor?) -> AttentionOutput] = [
            { DotProductAttention()(query: $0, keys: $1, values: $2, mask: $3) },
            { general(query: $0, keys: $1, values: $2, mask: $3) },
            { additive(query: $0, keys: $1, values: $2, mask: $3) },
        ]
        for attention in layers {
            let result = attention(query, keys, values, mask)
            #expect(result.weights.shape == [2, 2, 4])
            let weights = result.weights.scalars
            #expect(weights[8 + 2] == 0 && weights[8 + 3] == 0 && weights[12 + 2] == 0 && weights[12 + 3] == 0)
            #expect(result.weights.sum(axis: 2).scalars.allSatisfy { abs($0 - 1) < 1e-5 })
            // Batch 1 attended over its two valid keys only gives the same context.
            let short = attention(
                query.slice(axis: 0, range: 1..<2), keys.slice(axis: 0, range: 1..<2).slice(axis: 1, range: 0..<2),
                values.slice(axis: 0, range: 1..<2).slice(axis: 1, range: 0..<2), nil)
            let masked = result.context.slice(axis: 0, range: 1..<2)
            #expect(zip(masked.scalars, short.context.scalars).allSatisfy { abs($0 - $1) < 1e-5 })
        }
        #expect(general.namedParameters.map(\.name) == ["weight"])
        #expect(additive.namedParameters.map(\.name) == ["queryWeight", "keyWeight", "vector"])
    }

    @Test func attentionLayersPassGradientChecks() {
        var generator = RandomGenerator(seed: 2)
        let query = Tensor.normal([1, 2, 2], using: &generator)
        let keys = Tensor.normal([1, 3, 2], using: &generator)
        let values = Tensor.normal([1, 3, 2], using: &generator)
        let mask = Tensor(shape: [1, 2, 3], scalars: [0, 0, 1, 0, 1, 0])
        let dot = DotProductAttention(scaled: true)
        #expect(
            layerGradientError(inputs: [query, keys, values], parameters: []) {
                dot(query: $0[0], keys: $0[1], values: $0[2], mask: mask).context
            } < 1e-2)
        let general = GeneralAttention(queryDimension: 2, keyDimension: 2, using: &generator)
        #expect(
            layerGradientError(inputs: [query, keys, values], parameters: general.parameters) {
                general(query: $0[0], keys: $0[1], values: $0[2], mask: mask).context
            } < 1e-2)
        let additive = AdditiveAttention(queryDimension: 2, keyDimension: 2, attentionSize: 3, using: &generator)
        #expect(
            layerGradientError(inputs: [query, keys, values], parameters: additive.parameters) {
                additive(query: $0[0], keys: $0[1], values: $0[2], mask: mask).context
            } < 1e-2)
    }

    @Test func multiHeadAttentionShapesMasksAndGradients() {
        var generator = RandomGenerator(seed: 3)
        let attention = MultiHeadAttention(modelSize: 4, headCount: 2, using: &generator)
        #expect(attention.namedParameters.map(\.name).prefix(2) == ["query.weight", "query.bias"])
        #expect(attention.parameterCount == 4 * (16 + 4))
        let query = Tensor.normal([2, 2, 4], using: &generator)
        let memory = Tensor.normal([2, 3, 4], using: &generator)
        let mask = Tensor(shape: [2, 1, 3], scalars: [0, 0, 0, 0, 1, 1])
        let result = attention(query: query, keys: memory, values: memory, mask: mask)
        #expect(result.context.shape == [2, 2, 4])
        #expect(result.weights.shape == [2, 2, 2, 3])
        let weights = result.weights.slice(axis: 0, range: 1..<2).reshaped([4, 3])
        #expect(weights.slice(axis: 1, range: 1..<3).scalars.allSatisfy { $0 == 0 })
        #expect(weights.slice(axis: 1, range: 0..<1).scalars.allSatisfy { abs($0 - 1) < 1e-6 })
        let small = Tensor.normal([1, 2, 4], using: &generator)
        let causal = Tensor(shape: [2, 2], scalars: [0, 1, 0, 0])
        let error = layerGradientError(inputs: [small], parameters: attention.parameters) {
            attention(query: $0[0], keys: $0[0], values: $0[0], mask: causal).context
        }
        #expect(error < 1e-2)
    }
}
