import NeuralNet
import Testing

@Suite("End-to-end memory network")
struct MemoryNetworkTests {
    @Test func shapesTyingMasksAndGradients() {
        var generator = RandomGenerator(seed: 1)
        let network = MemoryNetwork(vocabularySize: 6, dimension: 3, hopCount: 2, using: &generator)
        #expect(
            network.namedParameters.map(\.name) == [
                "embedding0.weight", "embedding1.weight", "embedding2.weight", "output.weight",
            ])
        let story = IndexTensor(shape: [1, 3, 2], indices: [1, 2, 3, 0, 0, 0])  // the last memory slot is empty
        let question = IndexTensor(rows: [[4, 5]])
        let mask = Tensor([[0, 0, 1]])
        let result = network(story: story, question: question, memoryMask: mask)
        #expect(result.logits.shape == [1, 6])
        #expect(result.attention.count == 2)
        for weights in result.attention {
            #expect(weights.scalars[2] == 0)
            #expect(abs(weights.sum().item - 1) < 1e-5)
        }
        let error = layerGradientError(inputs: [], parameters: network.parameters) { _ in
            network(story: story, question: question, memoryMask: mask).logits
        }
        #expect(error < 1e-2)
        let grads = gradients(
            of: network(story: story, question: question).logits.sum(), wrt: [network.embeddings[0].weight.value])
        #expect(Array(grads[0].scalars[0..<3]) == [0, 0, 0])  // padding row
    }

    @Test func answersASyntheticOneFactQuestionSet() {
        // Tokens: 1…3 people, 4…6 places, 7 "is-in", 8 "where". Story: "p is-in l" for two people; question:
        // "where p"; answer: the place of p. Trained on every combination, evaluated on the same.
        var examples: [(story: [Int], question: [Int], answer: Int)] = []
        for first in 1...3 {
            for second in 1...3 where second != first {
                for place1 in 4...6 {
                    for place2 in 4...6 {
                        let story = [first, 7, place1, second, 7, place2]
                        examples.append((story, [8, first], place1))
                        examples.append((story, [8, second], place2))
                    }
                }
            }
        }
        var generator = RandomGenerator(seed: 2)
        let network = MemoryNetwork(vocabularySize: 9, dimension: 12, hopCount: 1, using: &generator)
        let story = IndexTensor(shape: [examples.count, 2, 3], indices: examples.flatMap(\.story))
        let question = IndexTensor(shape: [examples.count, 2], indices: examples.flatMap(\.question))
        let answers = examples.map(\.answer)
        let optimizer = Adam(network.parameters, learningRate: 0.05)
        func loss() -> Tensor {
            crossEntropy(logits: network(story: story, question: question).logits, targets: answers)
        }
        for _ in 0..<80 { optimizer.step(gradients(of: loss(), wrt: network.parameterValues)) }
        let predictions = network(story: story, question: question).logits.argmax(axis: 1).indices
        let accuracy = Float(zip(predictions, answers).filter { $0 == $1 }.count) / Float(answers.count)
        #expect(accuracy > 0.95, "accuracy \(accuracy), loss \(loss().item)")
    }
}
