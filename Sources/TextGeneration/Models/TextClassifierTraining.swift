import Autodiff
import Foundation
import NeuralNet

/// Trains a ``TextCNN`` on labelled token sequences: shuffled mini-batches, Adam, dropout, keeping the parameters
/// of the epoch with the best validation accuracy (Kim 2014's early stopping on a development set).
public enum TextClassifierTraining {
    /// Training options.
    public struct Options: Codable, Equatable, Sendable {
        /// Passes over the training data.
        public var epochs: Int
        /// Sequences per gradient step.
        public var batchSize: Int
        /// Adam's learning rate.
        public var learningRate: Float
        /// Seed of shuffling and dropout.
        public var seed: UInt64

        /// Makes options.
        public init(epochs: Int = 5, batchSize: Int = 50, learningRate: Float = 1e-3, seed: UInt64 = 0) {
            self.epochs = epochs
            self.batchSize = batchSize
            self.learningRate = learningRate
            self.seed = seed
        }
    }

    /// What one epoch achieved.
    public struct EpochRecord: Codable, Equatable, Sendable {
        /// 1-based epoch.
        public var epoch: Int
        /// Mean training loss.
        public var loss: Double
        /// Validation accuracy, when validation data was given.
        public var validationAccuracy: Double?
    }

    /// Trains `model` in place; with validation data, the best epoch's parameters are restored at the end.
    /// `progress` hears each epoch's record; `reporter` draws a live progress line (steps, loss) on a terminal.
    ///
    /// - Precondition: as many labels as sequences, labels in `0..<classCount`, positive sizes.
    @discardableResult
    public static func train(
        _ model: TextCNN, sequences: [[Int]], labels: [Int], validation: (sequences: [[Int]], labels: [Int])? = nil,
        options: Options = Options(), progress: ((EpochRecord) -> Void)? = nil,
        reporter: ProgressReporter? = nil
    ) -> [EpochRecord] {
        precondition(
            sequences.count == labels.count && !sequences.isEmpty,
            "TextClassifierTraining: \(sequences.count) sequences, \(labels.count) labels")
        precondition(
            labels.allSatisfy { (0..<model.configuration.classCount).contains($0) },
            "TextClassifierTraining: label out of range")
        precondition(options.epochs >= 0 && options.batchSize > 0, "TextClassifierTraining: invalid options \(options)")
        let optimizer = Adam(model.parameters, learningRate: options.learningRate)
        var generator = RandomGenerator(seed: options.seed)
        var order = Array(sequences.indices)
        var records: [EpochRecord] = []
        var best: (accuracy: Double, values: [Tensor])?
        for epoch in 1...max(options.epochs, 1) where options.epochs > 0 {
            order.shuffle(using: &generator)
            var lossSum = 0.0
            var batches = 0
            for start in stride(from: 0, to: order.count, by: options.batchSize) {
                let indices = order[start..<min(start + options.batchSize, order.count)]
                var dropout: RandomGenerator? = generator
                let loss = model.loss(
                    indices.map { sequences[$0] }, labels: indices.map { labels[$0] }, dropoutUsing: &dropout)
                generator = dropout ?? generator
                optimizer.step(gradients(of: loss, wrt: model.parameterValues))
                lossSum += Double(loss.scalars[0])
                batches += 1
                reporter?.update(
                    step: (epoch - 1) * ((order.count + options.batchSize - 1) / options.batchSize) + batches,
                    epoch: epoch - 1, metrics: ["loss": lossSum / Double(batches)])
            }
            reporter?.clearLine()
            var record = EpochRecord(epoch: epoch, loss: lossSum / Double(max(batches, 1)), validationAccuracy: nil)
            if let validation {
                let accuracy = Self.accuracy(of: model, sequences: validation.sequences, labels: validation.labels)
                record.validationAccuracy = accuracy
                if best == nil || accuracy > (best?.accuracy ?? -1) {
                    best = (accuracy, model.parameterValues.map { $0.detached() })
                }
            }
            records.append(record)
            progress?(record)
        }
        reporter?.finish()
        if let best {
            for (parameter, value) in zip(model.parameters, best.values) { parameter.update(value) }
        }
        return records
    }

    /// Fraction of `sequences` whose predicted class is their label (0 for no sequences).
    public static func accuracy(of model: TextCNN, sequences: [[Int]], labels: [Int]) -> Double {
        guard !sequences.isEmpty else { return 0 }
        let predictions = model.predict(sequences)
        return Double(zip(predictions, labels).filter { $0 == $1 }.count) / Double(sequences.count)
    }
}
