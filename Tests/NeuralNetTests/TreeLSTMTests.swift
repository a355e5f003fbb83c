import NeuralNet
import Testing

@Suite("Tree-LSTM: child-sum and N-ary")
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

    @Test func naryTreeLSTMEvaluatesArithmeticExpressionTrees() {
        // Trees (a ∘ b) ∘′ c and a ∘ (b ∘′ c) over digits 0…3 and ∘ ∈ {+, −}; tokens 0…3 digits, 4 "+", 5 "−".
        // A binary Tree-LSTM with a linear readout regresses the value (scaled by 1/4).
        struct Shape {
            var leftNested: Bool
            var digits: [[Int]] = []
            var operators: [[Int]] = []
            var values: [Float] = []
        }
        func apply(_ op: Int, _ x: Int, _ y: Int) -> Int { op == 4 ? x + y : x - y }
        var shapes = [Shape(leftNested: true), Shape(leftNested: false)]
        for s in shapes.indices {
            for a in 0..<4 {
                for b in 0..<4 {
                    for c in 0..<4 {
                        for inner in 4...5 {
                            for outer in 4...5 {
                                let value =
                                    shapes[s].leftNested
                                    ? apply(outer, apply(inner, a, b), c) : apply(outer, a, apply(inner, b, c))
                                shapes[s].digits.append([a, b, c])
                                shapes[s].operators.append([inner, outer])
                                shapes[s].values.append(Float(value) / 4)
                            }
                        }
                    }
                }
            }
        }
        var generator = RandomGenerator(seed: 4)
        let embedding = Embedding(vocabularySize: 6, dimension: 6, using: &generator)
        let cell = NaryTreeLSTMCell(inputSize: 6, hiddenSize: 12, arity: 2, using: &generator)
        let readout = Linear(inputSize: 12, outputSize: 1, using: &generator)
        let parameters = embedding.parameters + cell.parameters + readout.parameters
        let optimizer = Adam(parameters, learningRate: 0.02)
        func predictions(_ shape: Shape) -> Tensor {
            func token(_ rows: [[Int]], _ column: Int) -> Tensor {
                embedding(IndexTensor(rows.map { $0[column] }))
            }
            let leaves = (0..<3).map { cell(token(shape.digits, $0), children: [nil, nil]) }
            let root: LSTMState
            if shape.leftNested {
                let inner = cell(token(shape.operators, 0), children: [leaves[0], leaves[1]])
                root = cell(token(shape.operators, 1), children: [inner, leaves[2]])
            } else {
                let inner = cell(token(shape.operators, 0), children: [leaves[1], leaves[2]])
                root = cell(token(shape.operators, 1), children: [leaves[0], inner])
            }
            return readout(root.hidden).reshaped([shape.values.count])
        }
        func loss() -> Tensor {
            shapes.map { meanSquaredError(predictions($0), Tensor($0.values)) }.reduce(Tensor(0), +) / 2
        }
        let initial = loss().item
        for _ in 0..<60 { optimizer.step(gradients(of: loss(), wrt: parameters.map(\.value))) }
        let final = loss().item
        // Accuracy of the rounded value.
        var correct = 0
        for shape in shapes {
            for (p, v) in zip(predictions(shape).scalars, shape.values) where (p * 4).rounded() == v * 4 {
                correct += 1
            }
        }
        let accuracy = Float(correct) / Float(shapes.count * shapes[0].values.count)
        #expect(final < initial / 50, "loss \(initial) → \(final)")
        #expect(accuracy > 0.95, "accuracy \(accuracy), loss \(initial) → \(final)")
    }
}
