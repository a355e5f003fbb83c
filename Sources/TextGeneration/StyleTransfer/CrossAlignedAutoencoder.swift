import Autodiff
import Corpus
import Foundation
import NeuralNet

/// The cross-aligned autoencoder of Shen, Lei, Barzilay & Jaakkola 2017 ("Style transfer from non-parallel text by
/// cross-alignment", NeurIPS): one GRU encoder maps a sentence and its style to a content vector `z`, one GRU decoder
/// starts from `[y; z]` — a style embedding `y` next to the content — and writes the sentence back.
///
/// ```
/// z = E(x, y_src)                     (the last encoder state without its style part)
/// h_ori = [W_y·y_src; z]   → teacher-forced reconstruction of x (loss L_rec)
/// h_tsf = [W_y·y_tgt; z]   → soft decoding: input_{t+1} = softmax(logits_t / γ) · Embedding
/// ```
///
/// Professor-forcing alignment (Lamb et al. 2016): for every style `s` a CNN discriminator ``HiddenStateDiscriminator``
/// tells the decoder's hidden-state sequences when it reconstructs real sentences of `s` (teacher-forced, `h_ori`)
/// from those when it writes sentences transferred to `s` (soft-decoded from `h_tsf`). The generator minimizes
/// `L_rec + ρ·Σ_s L_adv,s`; the encoder thus has to drop the style from `z`, since the decoder must produce the
/// same hidden-state distribution from a transferred `z` as from a native one.
///
/// The encoder reads the sentence reversed and left-padded (as Shen et al.'s code does), with padded steps masked.
///
/// With ``Configuration/attention`` the decoder also reads the encoder's state at every source position through
/// bilinear attention (Luong, Pham & Manning 2015): `h̃_t = tanh(W_c [h_t; c_t])`, `c_t = Σ_j α_tj s_j`,
/// `α_t = softmax(h_tᵀ W_a s_j)`, and a copy mechanism (the pointer-generator of See, Liu & Manning 2017) mixes
/// the vocabulary distribution with the attention over the source words:
/// `p(w) = g_t·softmax(W_o h̃_t)(w) + (1 − g_t)·Σ_{j: x_j = w} α_tj`, `g_t = σ(w_g·[h_t; c_t])`; the model's
/// "logits" are then `log p`. The source's words no longer have to pass through the fixed-size content vector,
/// which is what lets a short training copy content (Lample et al. 2019 and Dai et al. 2019 transfer styles with
/// attentive decoders). Decoding without a source (``SourceMemory`` nil) reads a zero context and cannot copy.
public struct CrossAlignedAutoencoder: ParameterContainer {
    /// Sizes and options, stored in the model directory.
    public struct Configuration: Codable, Equatable, Sendable {
        /// Vocabulary size (ids `0..<vocabularySize`).
        public var vocabularySize: Int
        /// Number of styles.
        public var styleCount: Int
        /// Word embedding width (Shen et al.: 100).
        public var embeddingSize: Int
        /// Width of the style part `y` of the decoder state (Shen et al.: 200).
        public var styleSize: Int
        /// Width of the content `z` (Shen et al.: 500).
        public var contentSize: Int
        /// The discriminators' convolution widths (Shen et al.: 1–5).
        public var filterWidths: [Int]
        /// Filters per width (Shen et al.: 128).
        public var filterCount: Int
        /// Dropout on the embeddings and the decoder outputs, in training (Shen et al.: 0.5).
        public var dropout: Float
        /// Softmax temperature γ of the soft decoding (Shen et al.: 0.1).
        public var temperature: Float
        /// The padding id (its embedding is zero and never trained).
        public var paddingIndex: Int
        /// Whether the model has its per-style discriminators (not needed for back-translation training).
        public var discriminators: Bool
        /// Whether the decoder attends over the encoder's states (Luong et al. 2015).
        public var attention: Bool

        /// A configuration; the defaults are Shen et al.'s Yelp settings.
        public init(
            vocabularySize: Int, styleCount: Int, embeddingSize: Int = 100, styleSize: Int = 200,
            contentSize: Int = 500, filterWidths: [Int] = [1, 2, 3, 4, 5], filterCount: Int = 128,
            dropout: Float = 0.5, temperature: Float = 0.1, paddingIndex: Int = 0, discriminators: Bool = true,
            attention: Bool = false
        ) {
            self.discriminators = discriminators
            self.attention = attention
            self.vocabularySize = vocabularySize
            self.styleCount = styleCount
            self.embeddingSize = embeddingSize
            self.styleSize = styleSize
            self.contentSize = contentSize
            self.filterWidths = filterWidths
            self.filterCount = filterCount
            self.dropout = dropout
            self.temperature = temperature
            self.paddingIndex = paddingIndex
        }

        /// The width of the recurrent states, `styleSize + contentSize`.
        public var hiddenSize: Int { styleSize + contentSize }

        /// Whether every size is usable (`nil`) or the first problem.
        public var problem: String? {
            if vocabularySize < 5 { return "the vocabulary needs the 4 special tokens and at least one word" }
            if styleCount < 2 { return "at least two styles are needed" }
            if embeddingSize <= 0 || styleSize <= 0 || contentSize <= 0 || filterCount <= 0 {
                return "sizes must be positive"
            }
            if filterWidths.isEmpty || filterWidths.contains(where: { $0 <= 0 }) {
                return "filter widths must be positive"
            }
            if !(0..<1).contains(dropout) { return "dropout must be in [0, 1)" }
            if !(temperature > 0 && temperature.isFinite) { return "the soft-decoding temperature must be positive" }
            if !(0..<vocabularySize).contains(paddingIndex) { return "the padding id is outside the vocabulary" }
            // Far beyond any sensible model: refuse before allocating (a damaged manifest must not exhaust memory).
            let limit = 1 << 16
            if [vocabularySize, styleCount, embeddingSize, styleSize, contentSize, filterCount].contains(where: {
                $0 > limit
            }) || filterWidths.contains(where: { $0 > 64 }) || filterWidths.count > 64
                || hiddenSize * (vocabularySize + 6 * hiddenSize) > 1 << 30
            {
                return "sizes are beyond what this model supports"
            }
            return nil
        }
    }

    /// The configuration.
    public let configuration: Configuration
    /// Word embeddings, shared by encoder, decoder and soft decoding.
    public let embedding: Embedding
    /// One-hot style → the style part of the encoder's initial state.
    public let encoderStyle: Linear
    /// One-hot style → the style part `y` of the decoder's initial state.
    public let decoderStyle: Linear
    /// The encoder.
    public let encoder: GRUCell
    /// The decoder (generator).
    public let decoder: GRUCell
    /// Decoder state → vocabulary logits.
    public let output: Linear
    /// One discriminator per style.
    public let discriminators: [HiddenStateDiscriminator]
    /// Bilinear attention of the decoder over the encoder states (nil without ``Configuration/attention``).
    public let attention: GeneralAttention?
    /// `W_c`: `[h_t; c_t]` → the attentional state `h̃_t` (nil without attention).
    public let attentionCombine: Linear?
    /// `w_g`: `[h_t; c_t]` → the logit of the generate-or-copy gate `g_t` (nil without attention).
    public let copyGate: Linear?

    /// A model with parameters drawn from `generator`.
    ///
    /// - Precondition: `configuration.problem == nil`.
    public init(_ configuration: Configuration, using generator: inout RandomGenerator) {
        precondition(configuration.problem == nil, "CrossAlignedAutoencoder: \(configuration.problem ?? "")")
        self.configuration = configuration
        let hidden = configuration.hiddenSize
        // Small N(0, 0.1²) embeddings (Shen et al. initialize theirs uniformly in ±0.1); the padding row is zero.
        var table = Tensor.normal([configuration.vocabularySize, configuration.embeddingSize], using: &generator)
            .scalars.map { $0 * 0.1 }
        for j in 0..<configuration.embeddingSize {
            table[configuration.paddingIndex * configuration.embeddingSize + j] = 0
        }
        embedding = Embedding(
            weight: Tensor(shape: [configuration.vocabularySize, configuration.embeddingSize], scalars: table),
            paddingIndex: configuration.paddingIndex)
        encoderStyle = Linear(
            inputSize: configuration.styleCount, outputSize: configuration.styleSize, using: &generator)
        decoderStyle = Linear(
            inputSize: configuration.styleCount, outputSize: configuration.styleSize, using: &generator)
        encoder = GRUCell(inputSize: configuration.embeddingSize, hiddenSize: hidden, using: &generator)
        decoder = GRUCell(inputSize: configuration.embeddingSize, hiddenSize: hidden, using: &generator)
        output = Linear(inputSize: hidden, outputSize: configuration.vocabularySize, using: &generator)
        discriminators = (0..<(configuration.discriminators ? configuration.styleCount : 0)).map { _ in
            HiddenStateDiscriminator(
                hiddenSize: hidden, filterWidths: configuration.filterWidths, filterCount: configuration.filterCount,
                using: &generator)
        }
        // Drawn last, so that models without attention keep their initialization.
        if configuration.attention {
            attention = GeneralAttention(queryDimension: hidden, keyDimension: hidden, using: &generator)
            attentionCombine = Linear(inputSize: 2 * hidden, outputSize: hidden, using: &generator)
            copyGate = Linear(inputSize: 2 * hidden, outputSize: 1, using: &generator)
        } else {
            attention = nil
            attentionCombine = nil
            copyGate = nil
        }
    }

    /// `embedding`, `encoderStyle`, `decoderStyle`, `encoder`, `decoder`, `output` — the generator's parameters.
    public var generatorNamedParameters: [(name: String, parameter: Parameter)] {
        prefixed("embedding", embedding) + prefixed("encoderStyle", encoderStyle)
            + prefixed("decoderStyle", decoderStyle) + prefixed("encoder", encoder) + prefixed("decoder", decoder)
            + prefixed("output", output) + (attention.map { prefixed("attention", $0) } ?? [])
            + (attentionCombine.map { prefixed("attentionCombine", $0) } ?? [])
            + (copyGate.map { prefixed("copyGate", $0) } ?? [])
    }

    /// The discriminators' parameters (`discriminator{s}.…`).
    public var discriminatorNamedParameters: [(name: String, parameter: Parameter)] {
        discriminators.enumerated().flatMap { prefixed("discriminator\($0)", $1) }
    }

    /// The generator's parameters, then the discriminators'.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        generatorNamedParameters + discriminatorNamedParameters
    }

    /// One-hot rows `[B, styleCount]` of `styles`.
    func oneHot(_ styles: [Int]) -> Tensor {
        Tensor.oneHot(IndexTensor(shape: [styles.count], indices: styles), classes: configuration.styleCount)
    }

    /// The content vectors `z [B, contentSize]` of `sentences` (ids without `<s>`/`</s>`) of the given styles.
    public func encode(
        _ sentences: [[Int]], styles: [Int], dropoutUsing generator: inout RandomGenerator?
    ) -> Tensor {
        encodeSource(sentences, styles: styles, dropoutUsing: &generator).content
    }

    /// The content vectors of `sentences` and, with attention, the encoder states an attentive decoder reads.
    public func encodeSource(
        _ sentences: [[Int]], styles: [Int], dropoutUsing generator: inout RandomGenerator?
    ) -> (content: Tensor, memory: SourceMemory?) {
        precondition(sentences.count == styles.count, "CrossAlignedAutoencoder.encode: one style per sentence")
        let batch = sentences.count
        let length = max(1, sentences.map(\.count).max() ?? 1)
        var ids: [Int] = []
        ids.reserveCapacity(batch * length)
        // Time-major, reversed, left-padded: step t of row b is token (length − 1 − t) of the reversed padded row.
        var masks = [[Float]](repeating: [Float](repeating: 0, count: batch), count: length)
        for t in 0..<length {
            for (row, sentence) in sentences.enumerated() {
                let offset = length - sentence.count
                if t >= offset {
                    ids.append(sentence[sentence.count - 1 - (t - offset)])
                    masks[t][row] = 1
                } else {
                    ids.append(configuration.paddingIndex)
                }
            }
        }
        var inputs = embedding(IndexTensor(shape: [length, batch], indices: ids))
        if var random = generator, configuration.dropout > 0 {
            inputs = inputs.dropout(probability: configuration.dropout, training: true, using: &random)
            generator = random
        }
        let step = encoder.sequenceStepper(inputs)
        var state = Tensor.concatenate(
            [encoderStyle(oneHot(styles)), Tensor.zeros([batch, configuration.contentSize])], axis: 1)
        var states: [Tensor] = []
        for t in 0..<length {
            let next = step(t, state)
            state =
                masks[t].allSatisfy({ $0 == 1 })
                ? next : Tensor.where(Tensor(shape: [batch, 1], scalars: masks[t]), next, state)
            if configuration.attention { states.append(state) }
        }
        let content = state.slice(axis: 1, range: configuration.styleSize..<configuration.hiddenSize)
        guard configuration.attention else { return (content, nil) }
        // The words at the memory's positions, batch-major [B, L, V], for the copy distribution.
        var sourceIDs = [Int](repeating: configuration.paddingIndex, count: batch * length)
        for t in 0..<length {
            for row in 0..<batch { sourceIDs[row * length + t] = ids[t * batch + row] }
        }
        let words = Tensor.oneHot(
            IndexTensor(shape: [batch * length], indices: sourceIDs), classes: configuration.vocabularySize
        ).reshaped([batch, length, configuration.vocabularySize])
        return (content, SourceMemory(states: states, present: masks, words: words))
    }

    /// The vocabulary logits of decoder states `[B, H]`: `output(h)` without attention; with it, `log p` of the
    /// pointer-generator mixture over `memory` (see the type's documentation; a zero context and no copying when
    /// `memory` is nil). Dropout (when `generator` is set) applies to the features before the output layer, as in
    /// Shen et al.'s decoder.
    public func logits(_ state: Tensor, memory: SourceMemory?, dropoutUsing generator: inout RandomGenerator?)
        -> Tensor
    {
        func dropped(_ features: Tensor) -> Tensor {
            guard var random = generator, configuration.dropout > 0 else { return features }
            let result = features.dropout(probability: configuration.dropout, training: true, using: &random)
            generator = random
            return result
        }
        guard let attention, let attentionCombine, let copyGate else { return output(dropped(state)) }
        let batch = state.shape[0]
        let hidden = configuration.hiddenSize
        guard let memory else {
            let joined = Tensor.concatenate([state, Tensor.zeros([batch, hidden])], axis: 1)
            return output(dropped(attentionCombine(joined).tanh()))
        }
        precondition(memory.states.shape[0] == batch, "CrossAlignedAutoencoder.logits: batch sizes differ")
        let scores = attention.scores(query: state.reshaped([batch, 1, hidden]), keys: memory.states)
        let weights = maskedSoftmax(scores, mask: memory.padding)  // [B, 1, L]
        let context = Tensor.matmul(weights, memory.states).reshaped([batch, hidden])
        let joined = Tensor.concatenate([state, context], axis: 1)
        let generated = output(dropped(attentionCombine(joined).tanh())).softmax(axis: -1)
        let gate = copyGate(joined).sigmoid()  // [B, 1]
        let copied = Tensor.matmul(weights, memory.words).reshaped([batch, configuration.vocabularySize])
        return (generated * gate + copied * (1 - gate) + 1e-7).log()
    }

    /// The decoder's initial state `[W_y·y; z]` for target `styles`.
    public func initialState(content: Tensor, styles: [Int]) -> Tensor {
        Tensor.concatenate([decoderStyle(oneHot(styles)), content], axis: 1)
    }

    /// Teacher-forced decoding from `initial`: reads `<s> x` and returns the hidden states `[h₀ … h_{L+1}]`
    /// (stacked `[B, H, L + 2]`, `h₀` the initial state) and the logits of the L + 1 predictions, time-major
    /// `[(L + 1)·B, V]`; `targets` lists `x </s>` time-major with padding.
    public func teacherForced(
        _ sentences: [[Int]], initial: Tensor, memory: SourceMemory? = nil, vocabulary: Vocabulary,
        dropoutUsing generator: inout RandomGenerator?
    ) -> (hiddenStates: Tensor, logits: Tensor, targets: [Int]) {
        let batch = sentences.count
        let steps = (sentences.map(\.count).max() ?? 0) + 1
        var inputIDs: [Int] = []
        var targets: [Int] = []
        for t in 0..<steps {
            for sentence in sentences {
                inputIDs.append(
                    t == 0
                        ? vocabulary.beginningIndex : (t <= sentence.count ? sentence[t - 1] : vocabulary.paddingIndex))
                targets.append(
                    t < sentence.count
                        ? sentence[t] : (t == sentence.count ? vocabulary.endIndex : vocabulary.paddingIndex))
            }
        }
        var inputs = embedding(IndexTensor(shape: [steps, batch], indices: inputIDs))
        if var random = generator, configuration.dropout > 0 {
            inputs = inputs.dropout(probability: configuration.dropout, training: true, using: &random)
            generator = random
        }
        let step = decoder.sequenceStepper(inputs)
        var state = initial
        var states = [initial]
        for t in 0..<steps {
            state = step(t, state)
            states.append(state)
        }
        let logits: Tensor
        if configuration.attention {
            // Per step (each step attends over the source), then time-major [(L+1)·B, V].
            logits = Tensor.concatenate(
                states.dropFirst().map { self.logits($0, memory: memory, dropoutUsing: &generator) }, axis: 0)
        } else {
            var outputs = Tensor.concatenate(Array(states.dropFirst()), axis: 0)  // [(L+1)·B, H], time-major
            if var random = generator, configuration.dropout > 0 {
                outputs = outputs.dropout(probability: configuration.dropout, training: true, using: &random)
                generator = random
            }
            logits = output(outputs)
        }
        return (Tensor.stack(states, axis: 2), logits, targets)
    }

    /// Soft decoding from `initial` for `steps` steps (Shen et al.'s professor-forcing "generated" side): each
    /// step's input is the previous step's `softmax(logits / γ)` times the embedding table, so gradients reach
    /// the encoder and decoder. Returns the hidden states `[B, H, steps + 1]` (with the initial state first).
    public func softDecode(
        initial: Tensor, steps: Int, memory: SourceMemory? = nil, vocabulary: Vocabulary,
        dropoutUsing generator: inout RandomGenerator?
    ) -> Tensor {
        let batch = initial.shape[0]
        var input = embedding(
            IndexTensor(shape: [batch], indices: Array(repeating: vocabulary.beginningIndex, count: batch)))
        var state = initial
        var states = [initial]
        for t in 0..<steps {
            state = decoder(input, state: state)
            states.append(state)
            guard t + 1 < steps else { break }
            let distribution =
                (logits(state, memory: memory, dropoutUsing: &generator) / configuration.temperature).softmax(axis: -1)
            input = distribution.matmul(embedding.weight.value)
        }
        return Tensor.stack(states, axis: 2)
    }

    /// Greedy transfer of `sentences` (ids) from `sources` to `targets`: the argmax word at each step, stopping at
    /// `</s>` or after `maximumLength` words. No gradients.
    public func transfer(
        _ sentences: [[Int]], from sources: [Int], to targets: [Int], vocabulary: Vocabulary, maximumLength: Int
    ) -> [[Int]] {
        guard !sentences.isEmpty else { return [] }
        return withoutGradients {
            var none: RandomGenerator? = nil
            let source = encodeSource(
                sentences.map { $0.isEmpty ? [vocabulary.unknownIndex] : $0 }, styles: sources, dropoutUsing: &none)
            var state = initialState(content: source.content, styles: targets)
            let batch = sentences.count
            var outputs = [[Int]](repeating: [], count: batch)
            var finished = [Bool](repeating: false, count: batch)
            var current = [Int](repeating: vocabulary.beginningIndex, count: batch)
            for _ in 0..<maximumLength {
                state = decoder(embedding(IndexTensor(shape: [batch], indices: current)), state: state)
                let logits = self.logits(state, memory: source.memory, dropoutUsing: &none).scalars
                let width = configuration.vocabularySize
                for row in 0..<batch {
                    var best = 0
                    var bestValue = -Float.infinity
                    for column in 0..<width
                    where column != vocabulary.paddingIndex && column != vocabulary.beginningIndex {
                        let value = logits[row * width + column]
                        if value > bestValue {
                            bestValue = value
                            best = column
                        }
                    }
                    current[row] = best
                    if !finished[row] {
                        if best == vocabulary.endIndex { finished[row] = true } else { outputs[row].append(best) }
                    }
                }
                if !finished.contains(false) { break }
            }
            return outputs
        }
    }
}

/// A CNN that scores a sequence of decoder hidden states `[B, H, L]` as coming from teacher-forced decoding of real
/// sentences (logit > 0) or from soft decoding of transferred ones: convolutions of several widths over time, leaky
/// ReLU, max over time, one logit (Shen et al. 2017's discriminator, after Kim 2014).
public struct HiddenStateDiscriminator: ParameterContainer {
    /// One convolution per width.
    public let convolutions: [Conv1D]
    /// Pooled features → one logit.
    public let output: Linear

    /// A discriminator over `hiddenSize`-wide states.
    public init(hiddenSize: Int, filterWidths: [Int], filterCount: Int, using generator: inout RandomGenerator) {
        convolutions = filterWidths.map {
            Conv1D(inChannels: hiddenSize, outChannels: filterCount, kernelSize: $0, using: &generator)
        }
        output = Linear(inputSize: filterCount * filterWidths.count, outputSize: 1, using: &generator)
    }

    /// `conv{i}.…`, `output.…`.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        convolutions.enumerated().flatMap { prefixed("conv\($0)", $1) } + prefixed("output", output)
    }

    /// Logits `[B]` of hidden-state sequences `[B, H, L]` (sequences shorter than the widest filter are
    /// zero-padded).
    public func callAsFunction(_ states: Tensor) -> Tensor {
        var input = states
        let widest = convolutions.map { $0.weight.shape[2] }.max() ?? 1
        if input.shape[2] < widest {
            input = Tensor.concatenate(
                [input, Tensor.zeros([input.shape[0], input.shape[1], widest - input.shape[2]])], axis: 2)
        }
        let pooled = convolutions.map { $0(input).leakyRelu(negativeSlope: 0.01).max(axis: 2) }
        let features = pooled.count == 1 ? pooled[0] : Tensor.concatenate(pooled, axis: 1)
        return output(features).reshaped([states.shape[0]])
    }
}

/// The encoder's states at every source position, which an attentive ``CrossAlignedAutoencoder`` decoder reads.
public struct SourceMemory {
    /// `[B, L, H]`, position-major in the encoder's reading order.
    public let states: Tensor
    /// `[B, 1, L]`, 1 at padded positions (nil when no row is padded).
    public let padding: Tensor?
    /// `[B, L, V]`: the word at each position as a one-hot row (or a soft sentence's distribution), which the copy
    /// mechanism scatters attention onto.
    public let words: Tensor

    /// The memory of per-step encoder states `[B, H]` and per-step presence masks (`present[t][b]` = 1 when row `b`
    /// has a word at step `t`).
    init(states: [Tensor], present: [[Float]], words: Tensor) {
        self.words = words
        let batch = states.first?.shape[0] ?? 0
        let length = states.count
        self.states = Tensor.stack(states, axis: 1)
        if present.allSatisfy({ $0.allSatisfy { $0 == 1 } }) {
            padding = nil
        } else {
            var scalars = [Float](repeating: 0, count: batch * length)
            for t in 0..<length {
                for b in 0..<batch where present[t][b] == 0 { scalars[b * length + t] = 1 }
            }
            padding = Tensor(shape: [batch, 1, length], scalars: scalars)
        }
    }
}
