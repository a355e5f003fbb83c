import NeuralNet
import Testing

@Suite("Child-Sum Tree-LSTM")
struct TreeLSTMTests {
    @Test func leafFollowsTheEquations() {
        var generator = RandomGenerator(seed: 1)
        let cell = ChildSumTreeLSTMCell(inputSize: 2, hiddenSize: 2, using: &generator)
        #expect(cell.namedParameters.map(\.name) == ["weightIH", "weightHH", "bias"])
        let x = Tensor([[0.5, -1]])
        let leaf = cell(x, children: [])
        let gates = (Tensor.matmul(x, cell.weightIH.value, transposeB: true) + cell.bias.value).split(count: 4, axis: 1)
        let c = gates[0].sigmoid() * gates[3].tanh()
        #expect(leaf.cell == c)
        #expect(leaf.hidden == gates[2].sigmoid() * c.tanh())
    }

    @Test func childrenOrderDoesNotMatterAndGradientsCheck() {
        var generator = RandomGenerator(seed: 2)
        let cell = ChildSumTreeLSTMCell(inputSize: 2, hiddenSize: 2, using: &generator)
        let leaves = [Tensor([[1, 0]]), Tensor([[-0.5, 0.7]]), Tensor([[0.2, 0.3]])].map { cell($0, children: []) }
        let x = Tensor([[0.1, -0.4]])
        let a = cell(x, children: leaves)
        let b = cell(x, children: leaves.reversed())
        #expect(zip(a.hidden.scalars, b.hidden.scalars).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(a.hidden != cell(x, children: Array(leaves.prefix(2))).hidden)
        let error = layerGradientError(inputs: [x, Tensor([[0.3, -0.2]])], parameters: cell.parameters) { t in
            let left = cell(t[1], children: [])
            let right = cell(Tensor([[0.4, 0.9]]), children: [])
            let root = cell(t[0], children: [left, right])
            return Tensor.concatenate([root.hidden, root.cell], axis: 1)
        }
        #expect(error < 1e-2)
    }
}
