import Autodiff
import Foundation
import MetaLearning
import NeuralNet
import Testing

/// An identity embedding R² → R² (a FunctionalMLP [2, 2] with W = I, b = 0).
func identityEmbedding() -> FunctionalMLP {
    var generator = RandomGenerator(seed: 0)
    let model = FunctionalMLP(sizes: [2, 2], using: &generator)
    model.weights[0].update(Tensor([[1, 0], [0, 1]]))
    model.biases[0].update(Tensor([0, 0]))
    return model
}

/// Two separable classes: class 0 near the origin, class 1 near (4, 4).
let separableEpisode = Episode(
    supportInputs: Tensor([[0, 0], [0, 1], [4, 4], [4, 5]]), supportTargets: .classes([0, 0, 1, 1], classCount: 2),
    queryInputs: Tensor([[0.5, 0], [4, 4.5], [1, 1]]), queryTargets: .classes([0, 1, 0], classCount: 2))

@Suite("Prototypical, matching and Siamese networks")
struct MetricBasedTests {
    /// Prototypes c₀ = (0, 0.5), c₁ = (4, 4.5); loss = mean over queries of −log softmax(−‖q − c‖²)[y].
    @Test func prototypicalLossOnSeparableToyDataMatchesHandComputation() {
        let network = PrototypicalNetwork(embedding: identityEmbedding())
        let prototypes: [[Double]] = [[0, 0.5], [4, 4.5]]
        let queries: [[Double]] = [[0.5, 0], [4, 4.5], [1, 1]]
        let labels = [0, 1, 0]
        var expected = 0.0
        for (q, y) in zip(queries, labels) {
            let logits = prototypes.map { c in -zip(q, c).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) }
            let normalizer = log(logits.map { exp($0) }.reduce(0, +))
            expected += (normalizer - logits[y]) / 3
        }
        let loss = network.loss(for: separableEpisode)
        #expect(abs(Double(loss.item) - expected) < 1e-5)
        #expect(expected < 0.05, "separable classes give a small loss")
        #expect(network.accuracy(on: separableEpisode) == 1)
    }

    @Test func prototypicalLossHasCorrectGradients() {
        var generator = RandomGenerator(seed: 8)
        let embedding = FunctionalMLP(sizes: [2, 3, 2], activation: .tanh, using: &generator)
        let network = PrototypicalNetwork(embedding: embedding)
        let check = checkGradients(at: embedding.parameterValues) { parameters in
            for (parameter, value) in zip(embedding.parameters, parameters) {
                _ = parameter
                _ = value
            }
            let support = embedding(separableEpisode.supportInputs, parameters: parameters)
            let query = embedding(separableEpisode.queryInputs, parameters: parameters)
            let prototypes = classMeans(of: support, labels: [0, 0, 1, 1], classCount: 2)
            return crossEntropy(logits: -squaredEuclideanDistances(query, prototypes), targets: [0, 1, 0])
        }
        #expect(check.passes(), "\(check)")
        #expect(network.loss(for: separableEpisode).item.isFinite)
    }

    @Test func matchingNetworkClassifiesSeparableData() {
        let network = MatchingNetwork(embedding: identityEmbedding())
        // Cosine similarity ignores the norm, so use directions: class 0 along x, class 1 along y.
        let episode = Episode(
            supportInputs: Tensor([[1, 0], [2, 0.1], [0, 1], [0.1, 3]]),
            supportTargets: .classes([0, 0, 1, 1], classCount: 2),
            queryInputs: Tensor([[3, 0.2], [0.2, 1]]), queryTargets: .classes([0, 1], classCount: 2))
        #expect(network.accuracy(on: episode) == 1)
        let probabilities = network.logits(for: episode).scalars.map { exp($0) }
        #expect(abs(probabilities[0] + probabilities[1] - 1) < 1e-5, "rows are distributions")
    }

    @Test func siameseTrainingLowersThePairLoss() {
        var generator = RandomGenerator(seed: 9)
        let embedding = FunctionalMLP(sizes: [2, 8, 4], using: &generator)
        let network = SiameseNetwork(embedding: embedding, embeddingSize: 4, using: &generator)
        let optimizer = Adam(network.parameters, learningRate: 0.05)
        let first = network.loss(for: separableEpisode).item
        for _ in 0..<30 {
            optimizer.step(gradients(of: network.loss(for: separableEpisode), wrt: network.parameterValues))
        }
        #expect(network.loss(for: separableEpisode).item < first * 0.5)
        #expect(network.accuracy(on: separableEpisode) == 1)
    }

    @Test(arguments: [MetaMethod.protonet, .matching, .siamese, .maml])
    func digitMethodsTrainOnSyntheticImages(method: MetaMethod) {
        var generator = RandomGenerator(seed: 10)
        var images: [[Float]] = []
        var labels: [Int] = []
        for digit in 0..<10 {
            for _ in 0..<4 {
                images.append((0..<64).map { Float(($0 * (digit + 1)) % 17) + generator.nextUnitFloat() })
                labels.append(digit)
            }
        }
        let classes = RotatedDigitClasses(images: images, labels: labels)
        let configuration = MetaTrainingConfiguration(
            task: .digits, method: method, shots: 1, way: 3, queryCount: 2, hiddenSizes: [8], embeddingSize: 4,
            innerSteps: 1, innerLearningRate: 0.1, metaBatchSize: 2, seed: 3)
        let run = MetaTraining(configuration: configuration)
        let train = DigitEpisodes(classes: classes, way: 3, shot: 1, queryPerClass: 2, forTesting: false)
        let test = DigitEpisodes(classes: classes, way: 3, shot: 1, queryPerClass: 2, forTesting: true)
        for _ in 0..<2 { #expect(run.step(sampler: train).isFinite) }
        let results = run.evaluate(sampler: test, episodeCount: 4, checkpoints: [0, 1], seed: 1)
        #expect(results.allSatisfy { ($0.accuracy?.mean ?? -1) >= 0 && ($0.accuracy?.mean ?? 2) <= 1 })
        let logits = run.predict(test.sampleEpisode(using: &generator), steps: 1)
        #expect(logits.shape == [6, 3])
    }
}
