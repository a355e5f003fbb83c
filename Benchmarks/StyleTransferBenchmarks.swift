import Autodiff
import Corpus
import NeuralNet
import TextGeneration

/// One training step of the style-transfer methods on Yelp-sized data (wired in with `+ StyleTransferBenchmarks
/// .entries` in main.swift).
///
/// Every case: a vocabulary of 9,357 (Shen et al.'s Yelp vocabulary with words seen at least 5 times), a batch of 64
/// sentences (32 per style) of 12 tokens, Shen et al.'s sizes (embedding 100, style 200, content 500, filters 1–5 ×
/// 128), dropout 0.5; forward, gradients, global-norm clip 30, Adam on the generator and on the discriminators.
/// Unit: steps per second.
enum StyleTransferBenchmarks {
    static let vocabularySize = 9_357
    static let batchSize = 64
    static let length = 12

    static let methods: [StyleTransferMethod] = [
        .crossAligned, .backTranslation, .cycle, .commonSpace, .stargan, .conditional,
    ]

    static func name(_ method: StyleTransferMethod, training: GeneratorTraining? = nil) -> String {
        "style-transfer-step \(method.rawValue)\(training.map { "-" + $0.rawValue } ?? "") v9357 b64 t12"
    }

    static var entries: [BenchmarkEntry] {
        methods.map { method in BenchmarkEntry(name: name(method)) { step(method) } }
            + [
                BenchmarkEntry(name: name(.cycle, training: .policyGradient)) {
                    step(.cycle, training: .policyGradient)
                }
            ]
    }

    static func step(_ method: StyleTransferMethod, training: GeneratorTraining? = nil) -> BenchmarkCase {
        let vocabulary = Vocabulary(tokens: (0..<(vocabularySize - 4)).map { "w\($0)" })
        var generator = RandomGenerator(seed: 0)
        var settings = CrossAlignedSettings()
        settings.generatorTraining = training
        let batch: [(ids: [Int], style: Int)] = (0..<batchSize).map { row in
            ((0..<length).map { _ in 4 + generator.nextInt(below: vocabularySize - 4) }, row % 2)
        }
        let options = settings.training
        var random = RandomGenerator(seed: 1)
        let work: () -> Void
        if let network = method.adversarialNetwork(
            settings: settings, vocabulary: vocabulary, styleCount: 2, using: &generator)
        {
            let generatorParameters = network.autoencoder.generatorNamedParameters.map(\.parameter)
            let discriminatorParameters = network.discriminatorNamedParameters.map(\.parameter)
            let generatorOptimizer = Adam(generatorParameters, learningRate: options.learningRate, beta1: 0.5)
            let discriminatorOptimizer = Adam(discriminatorParameters, learningRate: options.learningRate, beta1: 0.5)
            work = {
                let losses = network.losses(batch: batch, vocabulary: vocabulary, step: 0, using: &random)
                if let loss = losses.discriminator {
                    discriminatorOptimizer.step(gradients(of: loss, wrt: discriminatorParameters.map(\.value)))
                }
                let grads = gradients(of: losses.generator, wrt: generatorParameters.map(\.value))
                generatorOptimizer.step(clipByGlobalNorm(grads, maxNorm: options.maxGradientNorm).clipped)
            }
        } else {
            let model = CrossAlignedAutoencoder(
                settings.configuration(
                    vocabulary: vocabulary, styleCount: 2, discriminators: method == .crossAligned),
                using: &generator)
            let generatorParameters = model.generatorNamedParameters.map(\.parameter)
            let discriminatorParameters = model.discriminatorNamedParameters.map(\.parameter)
            let generatorOptimizer = Adam(generatorParameters, learningRate: options.learningRate, beta1: 0.5)
            let discriminatorOptimizer = Adam(discriminatorParameters, learningRate: options.learningRate, beta1: 0.5)
            work = {
                let loss = CrossAlignedTraining.stepLoss(
                    model: model, batch: batch, vocabulary: vocabulary,
                    backTranslation: method == .backTranslation ? CrossAlignedTraining.BackTranslation() : nil,
                    adversarialWeight: options.adversarialWeight, using: &random)
                if let discriminator = loss.discriminator {
                    discriminatorOptimizer.step(gradients(of: discriminator, wrt: discriminatorParameters.map(\.value)))
                }
                let grads = gradients(of: loss.generator, wrt: generatorParameters.map(\.value))
                generatorOptimizer.step(clipByGlobalNorm(grads, maxNorm: options.maxGradientNorm).clipped)
            }
        }
        return .trainingStep(
            name(method, training: training), metric: .stepsPerSecond, unitsPerIteration: 1, step: work)
    }
}
