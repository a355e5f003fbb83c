import Foundation
import NeuralNet

/// A small classifier of flattened images trained by the tool itself, whose penultimate activations serve as the
/// feature space of sample-quality metrics (``FrechetDistance``, class coverage), the way FID uses Inception-v3
/// features (Heusel et al. 2017). Architecture: `D → 128 → 32 (features, ReLU) → classes`.
public struct DigitsClassifier: ParameterContainer {
    /// Input to features.
    public let body: MultilayerPerceptron
    /// Features to class logits.
    public let head: Linear

    /// A fresh classifier for `inputSize` values and `classes` classes.
    public init(inputSize: Int = DigitsDataset.pixels, classes: Int = DigitsDataset.classes, seed: UInt64) {
        var generator = RandomGenerator(seed: seed)
        body = MultilayerPerceptron(sizes: [inputSize, 128, 32], activation: .relu, using: &generator)
        head = Linear(inputSize: 32, outputSize: classes, using: &generator)
    }

    /// `body.…` and `head.…`.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        prefixed("body", body) + prefixed("head", head)
    }

    /// Features `[N, 32]`.
    public func features(_ x: Tensor) -> Tensor { body(x).relu() }

    /// Class logits `[N, classes]`.
    public func logits(_ x: Tensor) -> Tensor { head(features(x)) }

    /// Trains on labelled points with Adam (batch 64) for `epochs` passes; returns the final training accuracy.
    @discardableResult
    public func train(on data: PointSet, epochs: Int = 30, seed: UInt64) -> Double {
        guard let labels = data.labels else { preconditionFailure("DigitsClassifier.train: unlabelled data") }
        var generator = RandomGenerator(seed: seed)
        let optimizer = Adam(parameters, learningRate: 1e-3)
        for _ in 0..<epochs {
            var order = Array(0..<data.count)
            for index in stride(from: order.count - 1, to: 0, by: -1) {
                order.swapAt(index, generator.nextInt(below: index + 1))
            }
            var start = 0
            while start < order.count {
                let indices = Array(order[start..<Swift.min(start + 64, order.count)])
                let loss = crossEntropy(logits: logits(data.batch(indices)), targets: indices.map { labels[$0] })
                optimizer.step(gradients(of: loss, wrt: parameterValues))
                start += 64
            }
        }
        return accuracy(on: data)
    }

    /// Predicted classes.
    public func predict(_ points: PointSet) -> [Int] {
        withoutGradients {
            let indices = logits(points.tensor).argmax(axis: 1)
            return (0..<points.count).map { indices[$0] }
        }
    }

    /// Feature rows in `Double`, for ``FrechetDistance``.
    public func featureRows(_ points: PointSet) -> [[Double]] {
        withoutGradients {
            let f = features(points.tensor)
            let width = f.shape[1]
            return (0..<points.count).map { row in (0..<width).map { Double(f.scalars[row * width + $0]) } }
        }
    }

    /// Fraction of correctly classified labelled points.
    public func accuracy(on data: PointSet) -> Double {
        guard let labels = data.labels, data.count > 0 else { return 0 }
        return Double(zip(predict(data), labels).filter { $0 == $1 }.count) / Double(data.count)
    }
}
