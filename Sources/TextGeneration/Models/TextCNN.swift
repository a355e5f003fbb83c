import Autodiff
import Foundation
import NeuralNet

/// A convolutional sentence classifier (Kim 2014, "Convolutional neural networks for sentence classification"):
/// embeddings → parallel 1-D convolutions of several widths → ReLU → max over time → (highway) → dropout →
/// linear → class logits.
///
/// Used as the style classifier of style-transfer evaluation (target-style accuracy) and, with SeqGAN's filter
/// sizes and a highway layer, as SeqGAN's discriminator (Yu et al. 2017). It reads token ids, or — for generators
/// trained through Gumbel-softmax — soft distributions over the vocabulary, embedded as `p · E`.
public struct TextCNN: ParameterContainer {
    /// Sizes and options.
    public struct Configuration: Codable, Equatable, Sendable {
        /// Vocabulary size (token ids in `0..<vocabularySize`).
        public var vocabularySize: Int
        /// Number of classes.
        public var classCount: Int
        /// Embedding size.
        public var embeddingSize: Int
        /// Convolution widths, one filter bank each.
        public var filterWidths: [Int]
        /// Filters per width.
        public var filterCounts: [Int]
        /// One highway layer over the pooled features (SeqGAN).
        public var highway: Bool
        /// Dropout before the output layer, in training.
        public var dropout: Float
        /// The padding token (its embedding is zero and never trained), or nil.
        public var paddingIndex: Int?

        /// Makes a configuration.
        public init(
            vocabularySize: Int, classCount: Int, embeddingSize: Int = 128, filterWidths: [Int] = [3, 4, 5],
            filterCounts: [Int] = [100, 100, 100], highway: Bool = false, dropout: Float = 0.5,
            paddingIndex: Int? = 0
        ) {
            self.vocabularySize = vocabularySize
            self.classCount = classCount
            self.embeddingSize = embeddingSize
            self.filterWidths = filterWidths
            self.filterCounts = filterCounts
            self.highway = highway
            self.dropout = dropout
            self.paddingIndex = paddingIndex
        }

        /// Kim 2014's CNN-rand/static sizes: widths 3, 4, 5 with 100 filters each, dropout 0.5.
        public static func kim2014(vocabularySize: Int, classCount: Int, embeddingSize: Int = 128) -> Configuration {
            Configuration(vocabularySize: vocabularySize, classCount: classCount, embeddingSize: embeddingSize)
        }

        /// SeqGAN's discriminator: widths 1–10, 15, 20 with 100–200 filters, a highway layer, dropout 0.25
        /// (keep probability 0.75), embedding 64, two classes (real, generated).
        public static func seqGANDiscriminator(vocabularySize: Int, paddingIndex: Int? = nil) -> Configuration {
            Configuration(
                vocabularySize: vocabularySize, classCount: 2, embeddingSize: 64,
                filterWidths: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20],
                filterCounts: [100, 200, 200, 200, 200, 100, 100, 100, 100, 100, 160, 160], highway: true,
                dropout: 0.25, paddingIndex: paddingIndex)
        }

        /// Total number of pooled features.
        public var featureCount: Int { filterCounts.reduce(0, +) }
    }

    /// The configuration.
    public let configuration: Configuration
    /// Token embeddings.
    public let embedding: Embedding
    /// One convolution per filter width.
    public let convolutions: [Conv1D]
    /// The optional highway layer.
    public let highway: Highway?
    /// Features → class logits.
    public let output: Linear

    /// A classifier with parameters drawn from `generator`.
    ///
    /// - Precondition: positive sizes, as many filter counts as widths.
    public init(_ configuration: Configuration, using generator: inout RandomGenerator) {
        precondition(
            configuration.vocabularySize > 0 && configuration.classCount > 1 && configuration.embeddingSize > 0
                && !configuration.filterWidths.isEmpty
                && configuration.filterWidths.count == configuration.filterCounts.count
                && configuration.filterWidths.allSatisfy({ $0 > 0 })
                && configuration.filterCounts.allSatisfy({ $0 > 0 }),
            "TextCNN: invalid configuration \(configuration)")
        self.configuration = configuration
        embedding = Embedding(
            vocabularySize: configuration.vocabularySize, dimension: configuration.embeddingSize,
            paddingIndex: configuration.paddingIndex, using: &generator)
        convolutions = zip(configuration.filterWidths, configuration.filterCounts).map { width, count in
            Conv1D(inChannels: configuration.embeddingSize, outChannels: count, kernelSize: width, using: &generator)
        }
        highway = configuration.highway ? Highway(size: configuration.featureCount, using: &generator) : nil
        output = Linear(inputSize: configuration.featureCount, outputSize: configuration.classCount, using: &generator)
    }

    /// `embedding.…`, `conv{i}.…`, `highway.…`, `output.…`.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        var result = prefixed("embedding", embedding)
        for (index, convolution) in convolutions.enumerated() { result += prefixed("conv\(index)", convolution) }
        if let highway { result += prefixed("highway", highway) }
        return result + prefixed("output", output)
    }

    /// Class logits `[B, C]` of token ids `[B, L]`; dropout from `generator` when given (training).
    public func logits(tokens: IndexTensor, dropoutUsing generator: inout RandomGenerator?) -> Tensor {
        precondition(tokens.rank == 2, "TextCNN: tokens must be [B, L], got \(tokens.shape)")
        return classify(embedded: embedding(tokens), dropoutUsing: &generator)
    }

    /// Class logits of soft token distributions `[B, L, V]` (each row a distribution over the vocabulary, e.g. a
    /// Gumbel-softmax sample), embedded as `p · E` so gradients reach the generator.
    public func logits(distributions: Tensor, dropoutUsing generator: inout RandomGenerator?) -> Tensor {
        precondition(
            distributions.rank == 3 && distributions.shape[2] == configuration.vocabularySize,
            "TextCNN: distributions must be [B, L, \(configuration.vocabularySize)], got \(distributions.shape)")
        let batch = distributions.shape[0]
        let length = distributions.shape[1]
        let embedded = distributions.reshaped([batch * length, configuration.vocabularySize])
            .matmul(embedding.weight.value).reshaped([batch, length, configuration.embeddingSize])
        return classify(embedded: embedded, dropoutUsing: &generator)
    }

    /// Class logits without dropout (evaluation).
    public func logits(tokens: IndexTensor) -> Tensor {
        var none: RandomGenerator? = nil
        return logits(tokens: tokens, dropoutUsing: &none)
    }

    private func classify(embedded: Tensor, dropoutUsing generator: inout RandomGenerator?) -> Tensor {
        var input = embedded  // [B, L, E]
        let widest = configuration.filterWidths.max() ?? 1
        if input.shape[1] < widest {
            // Kim pads short sentences so that every filter fits at least once.
            input = Tensor.concatenate(
                [input, Tensor.zeros([input.shape[0], widest - input.shape[1], input.shape[2]])], axis: 1)
        }
        // Every bank's convolution, ReLU and max over time as one op (one GEMM per width, sparse backward).
        var features = Tensor.convolutionMaxPool1D(
            input, weights: convolutions.map(\.weight.value),
            biases: convolutions.map { $0.bias?.value ?? Tensor.zeros([$0.weight.value.shape[0]]) })
        if let highway { features = highway(features) }
        if var random = generator, configuration.dropout > 0 {
            features = features.dropout(probability: configuration.dropout, training: true, using: &random)
            generator = random
        }
        return output(features)
    }

    /// The padded batch `[B, L]` of `sequences` (padding with ``Configuration/paddingIndex`` or 0).
    public func batch(_ sequences: [[Int]]) -> IndexTensor {
        let length = max(1, sequences.map(\.count).max() ?? 1)
        let padding = configuration.paddingIndex ?? 0
        var indices: [Int] = []
        indices.reserveCapacity(sequences.count * length)
        for sequence in sequences {
            indices += sequence
            indices += Array(repeating: padding, count: length - sequence.count)
        }
        return IndexTensor(shape: [sequences.count, length], indices: indices)
    }

    /// The most likely class of each sequence.
    public func predict(_ sequences: [[Int]], batchSize: Int = 256) -> [Int] {
        probabilities(sequences, batchSize: batchSize).map { row in row.indices.max { row[$0] < row[$1] } ?? 0 }
    }

    /// Class probabilities of each sequence (no gradients).
    public func probabilities(_ sequences: [[Int]], batchSize: Int = 256) -> [[Float]] {
        precondition(batchSize > 0, "TextCNN.probabilities: batchSize must be positive")
        var result: [[Float]] = []
        result.reserveCapacity(sequences.count)
        withoutGradients {
            for start in stride(from: 0, to: sequences.count, by: batchSize) {
                let chunk = Array(sequences[start..<min(start + batchSize, sequences.count)])
                let probabilities = logits(tokens: batch(chunk)).softmax(axis: -1)
                let classes = configuration.classCount
                for row in 0..<chunk.count {
                    result.append(Array(probabilities.scalars[(row * classes)..<((row + 1) * classes)]))
                }
            }
        }
        return result
    }

    /// Mean cross entropy of `sequences` against `labels` (training: dropout from `generator`).
    public func loss(_ sequences: [[Int]], labels: [Int], dropoutUsing generator: inout RandomGenerator?) -> Tensor {
        precondition(
            sequences.count == labels.count, "TextCNN.loss: \(sequences.count) sequences, \(labels.count) labels")
        return crossEntropy(logits: logits(tokens: batch(sequences), dropoutUsing: &generator), targets: labels)
    }
}
