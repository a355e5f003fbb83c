import Foundation
import NeuralNet
import Testing

@Suite("Recursive merges: N-ary Tree-LSTM, RNTN, MV-RNN")
struct RecursiveMergeTests {
    @Test func naryTreeLSTMTreatsAbsentChildrenAsZeroStatesAndPassesGradientChecks() {
        var generator = RandomGenerator(seed: 1)
        let cell = NaryTreeLSTMCell(inputSize: 2, hiddenSize: 2, arity: 2, using: &generator)
        #expect(cell.namedParameters.map(\.name) == ["weightIH", "weightHH", "forgetWeightHH", "bias"])
        #expect(cell.weightHH.shape == [6, 4] && cell.forgetWeightHH.shape == [4, 4])
        let leaf = cell(Tensor([[0.3, -0.6]]), children: [nil, nil])
        let zero = LSTMState(hidden: Tensor.zeros([1, 2]), cell: Tensor.zeros([1, 2]))
        let x = Tensor([[0.5, 0.1]])
        #expect(cell(x, children: [leaf, nil]).hidden == cell(x, children: [leaf, zero]).hidden)
        // Child positions have their own weights: swapping children changes the result.
        let other = cell(Tensor([[-0.2, 0.9]]), children: [nil, nil])
        #expect(cell(x, children: [leaf, other]).hidden != cell(x, children: [other, leaf]).hidden)
        let error = layerGradientError(inputs: [x, Tensor([[0.3, -0.6]])], parameters: cell.parameters) { t in
            let left = cell(t[1], children: [nil, nil])
            let right = cell(Tensor([[-0.2, 0.9]]), children: [nil, nil])  // recomputed: depends on the parameters
            let root = cell(t[0], children: [left, right])
            return Tensor.concatenate([root.hidden, root.cell], axis: 1)
        }
        #expect(error < 1e-2)
    }

    @Test func recursiveTensorMergeMatchesTheBilinearFormula() {
        var generator = RandomGenerator(seed: 2)
        let merge = RecursiveTensorMerge(dimension: 2, using: &generator)
        #expect(merge.tensor.shape == [2, 4, 4])
        let a = Tensor([[0.5, -0.3]])
        let b = Tensor([[0.2, 0.8]])
        let c: [Float] = [0.5, -0.3, 0.2, 0.8]
        let v = merge.tensor.value.scalars
        let w = merge.weight.value.scalars
        var expected: [Float] = []
        for k in 0..<2 {
            var total = merge.bias.value.scalars[k]
            for i in 0..<4 {
                total += w[k * 4 + i] * c[i]
                for j in 0..<4 { total += c[i] * v[(k * 4 + i) * 4 + j] * c[j] }
            }
            expected.append(Float(tanh(Double(total))))
        }
        #expect(zip(merge(a, b).scalars, expected).allSatisfy { abs($0 - $1) < 1e-5 })
        let error = layerGradientError(inputs: [a, b], parameters: merge.parameters) { t in
            merge(merge(t[0], t[1]), t[1])
        }
        #expect(error < 1e-2)
    }

    @Test func matrixVectorMergeModifiesEachChildByTheOther() {
        var generator = RandomGenerator(seed: 3)
        let merge = MatrixVectorMerge(dimension: 2, using: &generator)
        #expect(merge.namedParameters.map(\.name) == ["weight", "bias", "matrixWeight"])
        let left = MatrixVectorNode(vector: Tensor([[1, 0]]), matrix: Tensor([[[1, 2], [0, 1]]]))
        let right = MatrixVectorNode(vector: Tensor([[0, 1]]), matrix: Tensor([[[2, 0], [1, 1]]]))
        let parent = merge(left, right)
        // B·a = [2, 1], A·b = [2, 1].
        let joined: [Float] = [2, 1, 2, 1]
        let w = merge.weight.value.scalars
        var expected: [Float] = []
        for k in 0..<2 {
            var total = merge.bias.value.scalars[k]
            for i in 0..<4 { total += w[k * 4 + i] * joined[i] }
            expected.append(Float(tanh(Double(total))))
        }
        #expect(zip(parent.vector.scalars, expected).allSatisfy { abs($0 - $1) < 1e-5 })
        #expect(parent.matrix.shape == [1, 2, 2])
        let stacked: [Float] = [1, 2, 0, 1, 2, 0, 1, 1]  // [A; B], 4×2
        let m = merge.matrixWeight.value.scalars
        var p00: Float = 0
        for i in 0..<4 { p00 += m[i] * stacked[i * 2] }
        #expect(abs(parent.matrix.scalars[0] - p00) < 1e-5)
        let error = layerGradientError(inputs: [left.vector, right.matrix], parameters: merge.parameters) { t in
            let p = merge(
                MatrixVectorNode(vector: t[0], matrix: left.matrix),
                MatrixVectorNode(vector: right.vector, matrix: t[1]))
            return Tensor.concatenate([p.vector, p.matrix.reshaped([1, 4])], axis: 1)
        }
        #expect(error < 1e-2)
    }
}
