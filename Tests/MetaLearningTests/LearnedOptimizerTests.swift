import Autodiff
import Foundation
import MetaLearning
import NeuralNet
import Testing

@Suite("LSTM meta-optimizer")
struct LearnedOptimizerTests {
    /// With f = 1 and i = η the cell update θₜ = f ⊙ θₜ₋₁ + i ⊙ (−∇L) is SGD: three steps of both from the same
    /// start give the same parameters.
    @Test func unitForgetGateAndRateInputGateReproduceSGD() {
        var generator = RandomGenerator(seed: 5)
        let model = FunctionalMLP(sizes: [2, 4, 1], activation: .tanh, using: &generator)
        let reference = FunctionalMLP(sizes: [2, 4, 1], activation: .tanh, using: &generator)
        for (a, b) in zip(reference.parameters, model.parameters) { a.update(b.value) }
        let x = Tensor.normal([6, 2], using: &generator)
        let y = Tensor.normal([6, 1], using: &generator)
        let eta: Float = 0.1
        let sgd = SGD(reference.parameters, learningRate: eta)
        let optimizer = LSTMMetaOptimizer(using: &generator)
        let shapes = model.parameters.map(\.shape)
        var theta = ParameterVector.flatten(model.parameterValues).detached().requiringGradient()
        var state = optimizer.initialState(coordinates: theta.shape[0])
        for _ in 0..<3 {
            let loss = meanSquaredError(model(x, parameters: ParameterVector.unflatten(theta, shapes: shapes)), y)
            let gradient = gradients(of: loss, wrt: [theta])[0]
            let next = optimizer.step(
                theta: theta, gradient: gradient, loss: loss.item, state: state, fixedGates: (forget: 1, input: eta))
            theta = next.theta.detached().requiringGradient()
            state = next.state
            sgd.step(gradients(of: meanSquaredError(reference(x), y), wrt: reference.parameterValues))
        }
        let expected = ParameterVector.flatten(reference.parameterValues).scalars
        for (a, b) in zip(theta.scalars, expected) { #expect(abs(a - b) <= 1e-6 * max(1, abs(b))) }
    }

    @Test func preprocessingFollowsAndrychowiczEtAl() {
        let features = LSTMMetaOptimizer.preprocessed([0.5, -2, 1e-6, 0])
        #expect(abs(features[0] - log(0.5) / 10) < 1e-6 && features[1] == 1)
        #expect(abs(features[2] - log(2) / 10) < 1e-6 && features[3] == -1)
        #expect(features[4] == -1 && abs(features[5] - exp(10) * 1e-6) < 1e-4)
        #expect(features[6] == -1 && features[7] == 0)
    }

    /// Training through the unrolled updates changes the gate networks (the meta-gradient reaches them) in both
    /// architectures.
    @Test(arguments: [MetaOptimizerArchitecture.cellState, .withInputLSTM(hiddenSize: 3)])
    func truncatedBackpropagationReachesTheGates(architecture: MetaOptimizerArchitecture) {
        var generator = RandomGenerator(seed: 6)
        let model = FunctionalMLP(sizes: [1, 6, 1], using: &generator)
        let optimizer = LSTMMetaOptimizer(architecture: architecture, forgetBias: 5, inputBias: -3, using: &generator)
        let training = LSTMMetaOptimizerTraining(
            optimizer: optimizer, model: model, learnsInitialization: false, unrollSteps: 4, truncation: 2,
            metaLearningRate: 0.01)
        let before = optimizer.parameters.map(\.value.scalars)
        let tasks = SinusoidTasks(shots: 5, queryCount: 5)
        let loss = training.metaStep(tasks.sampleEpisode(using: &generator))
        #expect(loss.isFinite)
        let after = optimizer.parameters.map(\.value.scalars)
        #expect(zip(before, after).allSatisfy { $0 != $1 }, "every gate parameter received a gradient")
    }
}
