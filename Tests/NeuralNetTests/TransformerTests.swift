import Foundation
import NeuralNet
import Testing

private func tinyLayer(_ placement: TransformerNormPlacement, _ activation: TransformerActivation)
    -> TransformerLayerConfiguration
{
    TransformerLayerConfiguration(
        modelSize: 4, headCount: 2, feedForwardSize: 6, dropout: 0, activation: activation, normPlacement: placement)
}

private func maximumDifference(_ a: Tensor, _ b: Tensor) -> Float {
    precondition(a.shape == b.shape, "shapes \(a.shape) and \(b.shape)")
    return zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? 0
}

@Suite struct TransformerTests {
    // MARK: - Masks

    @Test func causalAndPaddingMasks() {
        #expect(TransformerMask.causal(queryCount: 3, keyCount: 3).scalars == [0, 1, 1, 0, 0, 1, 0, 0, 0])
        #expect(TransformerMask.causal(queryCount: 1, keyCount: 3).scalars == [0, 0, 0])
        #expect(TransformerMask.causal(queryCount: 2, keyCount: 3).scalars == [0, 0, 1, 0, 0, 0])
        let padding = TransformerMask.padding(lengths: [3, 1], length: 3)
        #expect(padding?.shape == [2, 1, 3] && padding?.scalars == [0, 0, 0, 0, 1, 1])
        #expect(TransformerMask.padding(lengths: [2, 2], length: 2) == nil)
    }

    /// Changing a padded or future position's input leaves every other output unchanged.
    @Test(arguments: [TransformerNormPlacement.postNorm, .preNorm])
    func noPositionAttendsToPaddingOrTheFuture(placement: TransformerNormPlacement) {
        var generator = RandomGenerator(seed: 1)
        let layer = TransformerEncoderLayer(tinyLayer(placement, .gelu), using: &generator)
        let x = Tensor.normal([2, 4, 4], using: &generator)
        var changed = x.scalars
        // Batch 1, position 3; not a constant shift, which LayerNorm would erase under pre-norm.
        for (j, delta) in [5, -3, 2, 0].enumerated() { changed[(1 * 4 + 3) * 4 + j] += Float(delta) }
        let y = Tensor(shape: x.shape, scalars: changed)
        // Padding: batch 1 has length 3, so position 3 is padding.
        let padding = TransformerMask.padding(lengths: [4, 3], length: 4)
        let a = layer(x, mask: padding).scalars
        let b = layer(y, mask: padding).scalars
        #expect(zip(a[0..<28], b[0..<28]).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(zip(a[28...], b[28...]).contains { abs($0 - $1) > 1e-3 })  // the padded position itself changes
        // Causal: position 3 is the future of positions 0…2.
        let causal = TransformerMask.causal(queryCount: 4, keyCount: 4)
        let c = layer(x, mask: causal).scalars
        let d = layer(y, mask: causal).scalars
        #expect(zip(c[16..<28], d[16..<28]).allSatisfy { abs($0 - $1) < 1e-6 })
        // Without a mask every position sees it.
        #expect(zip(layer(x).scalars[16..<28], layer(y).scalars[16..<28]).contains { abs($0 - $1) > 1e-4 })
    }

    // MARK: - Gradient checks

    @Test(arguments: [
        (TransformerNormPlacement.postNorm, TransformerActivation.relu), (.preNorm, .gelu),
    ])
    func encoderLayerGradients(placement: TransformerNormPlacement, activation: TransformerActivation) {
        var generator = RandomGenerator(seed: 2)
        let layer = TransformerEncoderLayer(tinyLayer(placement, activation), using: &generator)
        let x = Tensor.normal([2, 3, 4], using: &generator)
        let mask = TransformerMask.padding(lengths: [3, 2], length: 3)
        let error = layerGradientError(inputs: [x], parameters: layer.parameters) { layer($0[0], mask: mask) }
        #expect(error < 2e-2)
    }

    @Test(arguments: [TransformerNormPlacement.postNorm, .preNorm])
    func decoderLayerGradients(placement: TransformerNormPlacement) {
        var generator = RandomGenerator(seed: 3)
        let layer = TransformerDecoderLayer(tinyLayer(placement, .gelu), using: &generator)
        let x = Tensor.normal([2, 3, 4], using: &generator)
        let memory = Tensor.normal([2, 2, 4], using: &generator)
        let causal = TransformerMask.causal(queryCount: 3, keyCount: 3)
        let padding = TransformerMask.padding(lengths: [2, 1], length: 2)
        let error = layerGradientError(inputs: [x, memory], parameters: layer.parameters) { inputs in
            layer(inputs[0], memory: layer.memoryKeysValues(inputs[1]), selfMask: causal, memoryMask: padding).output
        }
        #expect(error < 2e-2)
    }

    @Test func rotaryEmbeddingGradientAndRelativePositions() {
        let rotary = RotaryPositionalEmbedding(headSize: 4)
        var generator = RandomGenerator(seed: 4)
        let x = Tensor.normal([1, 2, 3, 4], using: &generator)
        #expect(layerGradientError(inputs: [x], parameters: []) { rotary($0[0], offset: 2) } < 1e-2)
        // ⟨R(p)q, R(p')k⟩ depends only on p − p'.
        let q = Tensor.normal([1, 1, 1, 4], using: &generator)
        let k = Tensor.normal([1, 1, 1, 4], using: &generator)
        func score(_ p: Int, _ r: Int) -> Float { (rotary(q, offset: p) * rotary(k, offset: r)).sum().scalars[0] }
        #expect(abs(score(5, 3) - score(9, 7)) < 1e-4)
        #expect(abs(score(5, 3) - score(3, 5)) > 1e-4)
        // Rotation keeps norms.
        let rotated = rotary(x, offset: 7)
        #expect(abs((rotated * rotated).sum().scalars[0] - (x * x).sum().scalars[0]) < 1e-3)
    }

    @Test func sinusoidalTableMatchesTheFormula() {
        let table = SinusoidalPositionalEncoding.table(length: 3, dimension: 4, offset: 1)
        #expect(abs(table.scalars[0] - Float(sin(1.0))) < 1e-6)
        #expect(abs(table.scalars[1] - Float(cos(1.0))) < 1e-6)
        #expect(abs(table.scalars[4 * 2 + 2] - Float(sin(3.0 / 100))) < 1e-6)
    }

    // MARK: - Incremental decoding

    @Test(arguments: PositionalEncodingKind.allCases)
    func keyValueCacheDecodingEqualsFullRecomputation(kind: PositionalEncodingKind) {
        for placement in TransformerNormPlacement.allCases {
            var generator = RandomGenerator(seed: 5)
            let configuration = TransformerSeq2SeqConfiguration(
                sourceVocabularySize: 7, targetVocabularySize: 6, modelSize: 8, headCount: 2, feedForwardSize: 12,
                encoderLayerCount: 2, decoderLayerCount: 2, dropout: 0, normPlacement: placement,
                positionalEncoding: kind, tiesEmbeddings: placement == .preNorm)
            let model = TransformerSeq2SeqModel(configuration, using: &generator)
            let sources = [[3, 4, 5, 6], [5, 3]]
            let inputs = [[1, 3, 4, 5], [1, 5, 5, 3]]
            let encoding = model.encode(sources)
            var none: RandomGenerator? = nil
            let full = model.logits(encoding: encoding, targetInputs: inputs, dropoutUsing: &none)
            var states = model.initialStates(for: encoding)
            for t in 0..<4 {
                let step = model.decodeStep(previousTokens: inputs.map { $0[t] }, states: states, encoding: encoding)
                states = step.states
                let expected = full.slice(axis: 1, range: t..<(t + 1)).reshaped([2, 6])
                #expect(maximumDifference(step.logits, expected) < 1e-4)
            }
        }
    }

    @Test func languageModelCacheEqualsFullRecomputation() {
        for kind in PositionalEncodingKind.allCases {
            var generator = RandomGenerator(seed: 6)
            let model = TransformerLanguageModel(
                TransformerLanguageModelConfiguration(
                    vocabularySize: 9, modelSize: 8, headCount: 2, feedForwardSize: 12, layerCount: 2, dropout: 0,
                    positionalEncoding: kind),
                using: &generator)
            let tokens = [2, 7, 1, 8, 3]
            var none: RandomGenerator? = nil
            let full = model.logits(batchMajor: IndexTensor(shape: [1, 5], indices: tokens), dropoutUsing: &none)
            // Two tokens at once, then one at a time.
            var (logits, cache) = model.step(IndexTensor(shape: [1, 2], indices: Array(tokens[0..<2])), cache: [])
            #expect(maximumDifference(logits, full.slice(axis: 1, range: 0..<2)) < 1e-4)
            for t in 2..<5 {
                (logits, cache) = model.step(IndexTensor(shape: [1, 1], indices: [tokens[t]]), cache: cache)
                #expect(maximumDifference(logits, full.slice(axis: 1, range: t..<(t + 1))) < 1e-4)
            }
            // Time-major logits agree with batch-major ones.
            let timeMajor = model.logits(IndexTensor(shape: [5, 1], indices: tokens))
            #expect(maximumDifference(timeMajor.permuted([1, 0, 2]), full) < 1e-5)
        }
    }

    @Test func beamOfWidthOneIsGreedy() {
        var generator = RandomGenerator(seed: 7)
        let model = TransformerSeq2SeqModel(
            TransformerSeq2SeqConfiguration(
                sourceVocabularySize: 8, targetVocabularySize: 8, modelSize: 8, headCount: 2, feedForwardSize: 8,
                encoderLayerCount: 1, decoderLayerCount: 1, dropout: 0),
            using: &generator)
        for source in [[3, 4], [5, 6, 7, 3]] {
            let greedy = model.greedyDecode([source], maxLength: 6)[0]
            let beam = model.beamSearch(source, width: 1, maxLength: 6)[0]
            #expect(greedy.tokens == beam.tokens)
            #expect(abs(greedy.logProbability - beam.logProbability) < 1e-4)
            let wide = model.beamSearch(source, width: 3, maxLength: 6)
            #expect(wide.count >= 1 && wide.count <= 3 * 6)
        }
        // Batched greedy decoding equals one source at a time (padding does not leak).
        let batched = model.greedyDecode([[3, 4], [5, 6, 7, 3]], maxLength: 6)
        #expect(batched[0].tokens == model.greedyDecode([[3, 4]], maxLength: 6)[0].tokens)
    }

    // MARK: - Training

    @Test func sequenceModelsLearnACopyTask() {
        var generator = RandomGenerator(seed: 8)
        let model = TransformerSeq2SeqModel(
            TransformerSeq2SeqConfiguration(
                sourceVocabularySize: 6, targetVocabularySize: 6, modelSize: 16, headCount: 2, feedForwardSize: 32,
                encoderLayerCount: 1, decoderLayerCount: 1, dropout: 0.1),
            using: &generator)
        let sources = [[3, 4, 5], [5, 3], [4, 4, 3], [3, 5, 4]]
        let optimizer = Adam(model.parameters, learningRate: 0.01)
        let before = model.loss(sources: sources, targets: sources).scalars[0]
        for _ in 0..<40 {
            let loss = model.loss(sources: sources, targets: sources, using: &generator)
            optimizer.step(gradients(of: loss, wrt: model.parameters.map(\.value)))
        }
        let after = model.loss(sources: sources, targets: sources).scalars[0]
        #expect(after < before * 0.5)

        let lm = TransformerLanguageModel(
            TransformerLanguageModelConfiguration(
                vocabularySize: 5, modelSize: 16, headCount: 2, feedForwardSize: 32, layerCount: 1, dropout: 0),
            using: &generator)
        let batch = LanguageModelBatch(sequences: [[0, 1, 2, 3, 4], [0, 1, 2]])
        let lmOptimizer = Adam(lm.parameters, learningRate: 0.01)
        let lmBefore = lm.loss(batch).scalars[0]
        for _ in 0..<30 {
            lmOptimizer.step(gradients(of: lm.loss(batch, dropoutUsing: &generator), wrt: lm.parameters.map(\.value)))
        }
        #expect(lm.loss(batch).scalars[0] < lmBefore * 0.5)
        #expect(lm.generate(prefix: [0], count: 4, using: &generator) == [1, 2, 3, 4])
        #expect(lm.perplexity(on: [[0, 1, 2, 3, 4]]) < 2)
    }

    @Test func parameterNamesAreStableAndTied() throws {
        var generator = RandomGenerator(seed: 9)
        let model = TransformerSeq2SeqModel(
            TransformerSeq2SeqConfiguration(
                sourceVocabularySize: 5, targetVocabularySize: 5, modelSize: 4, headCount: 2, encoderLayerCount: 1,
                decoderLayerCount: 1, positionalEncoding: .learned),
            using: &generator)
        let names = model.namedParameters.map(\.name)
        #expect(names.contains("source.embedding.weight") && names.contains("source.positions.weight"))
        #expect(names.contains("decoder.layer0.crossAttention.query.weight") && names.contains("outputBias"))
        #expect(!names.contains("output.weight") && names.contains("decoder.norm.weight"))
        #expect(Set(names).count == names.count)
        // Configurations are Codable (for a model directory's manifest).
        let json = try JSONEncoder().encode(model.configuration)
        #expect(try JSONDecoder().decode(TransformerSeq2SeqConfiguration.self, from: json) == model.configuration)
    }

    @Test func paddingRowsGetNoGradient() {
        var generator = RandomGenerator(seed: 11)
        let model = TransformerSeq2SeqModel(
            TransformerSeq2SeqConfiguration(
                sourceVocabularySize: 6, targetVocabularySize: 6, modelSize: 4, headCount: 2, feedForwardSize: 4,
                encoderLayerCount: 1, decoderLayerCount: 1, dropout: 0, tiesEmbeddings: false),
            using: &generator)
        // (With tied embeddings the target padding row is also the padding class's output vector.)
        let loss = model.loss(sources: [[3, 4, 5], [4]], targets: [[3], [5, 4, 3]])
        let weights = [model.sourceInput.embedding.weight.value, model.targetInput.embedding.weight.value]
        for gradient in gradients(of: loss, wrt: weights) {
            #expect(gradient.scalars[0..<4].allSatisfy { $0 == 0 })
            #expect(gradient.scalars[12..<16].contains { $0 != 0 })  // row 3 is used
        }
        #expect(model.sourceInput.embedding.weight.value.scalars[0..<4].allSatisfy { $0 == 0 })
    }

    // MARK: - PyTorch reference

    @Test(arguments: 0..<TransformerPyTorchFixture.cases.count)
    func layersMatchPyTorch(index: Int) throws {
        let fixture = TransformerPyTorchFixture.self
        let c = fixture.cases[index]
        let configuration = TransformerLayerConfiguration(
            modelSize: fixture.modelSize, headCount: fixture.headCount, feedForwardSize: fixture.feedForwardSize,
            dropout: 0, activation: c.activation == "gelu" ? .gelu : .relu,
            normPlacement: c.preNorm ? .preNorm : .postNorm)
        var generator = RandomGenerator(seed: 0)
        let padding = TransformerMask.padding(lengths: fixture.sourceLengths, length: fixture.sourceLength)
        let memory = Tensor(
            shape: [fixture.batch, fixture.sourceLength, fixture.modelSize], scalars: c.memory)
        func load(_ named: [(name: String, parameter: Parameter)]) throws {
            #expect(Set(named.map(\.name)) == Set(c.parameters.keys))
            for (name, parameter) in named { parameter.update(scalars: try #require(c.parameters[name])) }
        }
        let output: Tensor
        if c.kind == "encoder" {
            let layer = TransformerEncoderLayer(configuration, using: &generator)
            try load(layer.namedParameters)
            let x = Tensor(shape: [fixture.batch, fixture.sourceLength, fixture.modelSize], scalars: c.input)
            output = layer(x, mask: padding)
        } else {
            let layer = TransformerDecoderLayer(configuration, using: &generator)
            try load(layer.namedParameters)
            let x = Tensor(shape: [fixture.batch, fixture.targetLength, fixture.modelSize], scalars: c.input)
            let causal = TransformerMask.causal(queryCount: fixture.targetLength, keyCount: fixture.targetLength)
            output = layer(x, memory: layer.memoryKeysValues(memory), selfMask: causal, memoryMask: padding).output
        }
        #expect(output.count == c.output.count)
        let difference = zip(output.scalars, c.output).map { abs($0 - $1) }.max() ?? .infinity
        #expect(difference < 1e-4)
    }
}

@Suite struct Seq2SeqTransducerTests {
    /// Both architectures train through the same generic step, and scheduled sampling runs for the Transformer.
    @Test func bothArchitecturesTrainThroughOneInterface() {
        var generator = RandomGenerator(seed: 10)
        let transformer = TransformerSeq2SeqModel(
            TransformerSeq2SeqConfiguration(
                sourceVocabularySize: 6, targetVocabularySize: 6, modelSize: 8, headCount: 2, feedForwardSize: 8,
                encoderLayerCount: 1, decoderLayerCount: 1, dropout: 0),
            using: &generator)
        let recurrent = Seq2SeqModel<GRUCell>(
            Seq2SeqConfiguration(sourceVocabularySize: 6, targetVocabularySize: 6, embeddingSize: 4, hiddenSize: 8),
            using: &generator)
        func losses<Model: Seq2SeqTransducer>(_ model: Model) -> (Float, Float) {
            let sources = [[3, 4], [5, 3, 4]]
            let optimizer = Adam(model.parameters, learningRate: 0.02)
            var configuration = Seq2SeqTrainingConfiguration()
            configuration.gradientClipNorm = 5
            var random = RandomGenerator(seed: 1)
            let first = Seq2SeqTransducerTraining.trainStep(
                model, sources: sources, targets: sources, goldProbability: 0.5, configuration: configuration,
                optimizer: optimizer, using: &random)
            var last = first
            for _ in 0..<25 {
                last = Seq2SeqTransducerTraining.trainStep(
                    model, sources: sources, targets: sources, goldProbability: 1, configuration: configuration,
                    optimizer: optimizer, using: &random)
            }
            return (first, last)
        }
        for (first, last) in [losses(transformer), losses(recurrent)] {
            #expect(first.isFinite && last < first)
        }
        let pairs = Seq2SeqTransducerTraining.predict(transformer, sources: [[3, 4]], maxLength: 4, beamWidth: 2)
        #expect(pairs.count == 1)
    }
}
