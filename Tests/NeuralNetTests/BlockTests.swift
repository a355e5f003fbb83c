import NeuralNet
import Testing

@Suite("Highway, Residual and Sequential blocks")
struct BlockTests {
    @Test func residualAddsItsBodyToTheInput() {
        let body = Linear(weight: Tensor([[1, 0], [0, 2]]), bias: Tensor([0.5, 0]))
        let block = Residual(body)
        #expect(block.namedParameters.map(\.name) == ["body.weight", "body.bias"])
        #expect(block(Tensor([[1, 1]])) == Tensor([[2.5, 3]]))
        var generator = RandomGenerator(seed: 1)
        let deep = Residual(
            Sequential([
                Linear(inputSize: 3, outputSize: 3, using: &generator), Tanh(),
                Linear(inputSize: 3, outputSize: 3, using: &generator),
            ]))
        #expect(deep.namedParameters.map(\.name) == ["body.0.weight", "body.0.bias", "body.2.weight", "body.2.bias"])
        let x = Tensor.normal([2, 3], using: &generator)
        #expect(layerGradientError(inputs: [x], parameters: deep.parameters) { deep($0[0]) } < 1e-2)
    }

    @Test func highwayGatesBetweenIdentityAndTransform() {
        var generator = RandomGenerator(seed: 2)
        let highway = Highway(size: 3, layerCount: 2, activation: { $0.tanh() }, using: &generator)
        #expect(highway.namedParameters.count == 8)
        #expect(highway.namedParameters[0].name == "layer0.gate.weight")
        #expect(highway.gates[0].bias?.value == Tensor([1, 1, 1]))
        let x = Tensor.normal([2, 3], using: &generator)
        #expect(highway(x).shape == [2, 3])
        // A gate saturated open (g = 1) passes the input unchanged.
        let open = Highway(size: 3, gateBias: 100, using: &generator)
        open.gates[0].weight.update(Tensor.zeros([3, 3]))
        #expect(open(x) == x)
        #expect(layerGradientError(inputs: [x], parameters: highway.parameters) { highway($0[0]) } < 1e-2)
    }
}
