import NeuralNet
import Testing

@Suite("Neural Turing Machine memory: addressing, read, write")
struct NeuralTuringMachineMemoryTests {
    typealias NTM = NeuralTuringMachineMemory

    @Test func contentAddressingFindsTheMatchingSlot() {
        let memory = Tensor([[[1, 0], [0, 1], [-1, 0], [0.7, 0.7]]])  // [1, 4, 2]
        let weights = NTM.contentWeights(memory: memory, key: Tensor([[0, 2]]), strength: Tensor([[20]]))
        #expect(weights.argmax(axis: 1).indices == [1])
        #expect(abs(weights.sum().item - 1) < 1e-5)
    }

    @Test func locationAddressingShiftsAndSharpens() {
        let content = Tensor([[0, 1, 0, 0]])
        // Gate 1 keeps the content weights; shift +1 with certainty moves the focus one slot right.
        let moved = NTM.locationWeights(
            content: content, previous: Tensor([[1, 0, 0, 0]]), gate: Tensor([[1]]), shift: Tensor([[0, 0, 1]]),
            sharpening: Tensor([[1]]))
        #expect(zip(moved.scalars, [Float(0), 0, 1, 0]).allSatisfy { abs($0 - $1) < 1e-5 })
        // Shift −1 wraps around: slot 0 moves to slot 3.
        let wrapped = NTM.locationWeights(
            content: Tensor([[1, 0, 0, 0]]), previous: content, gate: Tensor([[1]]), shift: Tensor([[1, 0, 0]]),
            sharpening: Tensor([[1]]))
        #expect(zip(wrapped.scalars, [Float(0), 0, 0, 1]).allSatisfy { abs($0 - $1) < 1e-5 })
        // Gate 0 keeps the previous weights; γ = 2 sharpens [0.5, 0.25, 0.25, 0] to [4, 1, 1, 0] / 6.
        let sharpened = NTM.locationWeights(
            content: content, previous: Tensor([[0.5, 0.25, 0.25, 0]]), gate: Tensor([[0]]),
            shift: Tensor([[0, 1, 0]]), sharpening: Tensor([[2]]))
        #expect(zip(sharpened.scalars, [Float(4) / 6, 1.0 / 6, 1.0 / 6, 0]).allSatisfy { abs($0 - $1) < 1e-5 })
    }

    @Test func readAndWriteFollowTheFormulas() {
        let memory = Tensor([[[1, 2], [3, 4]]])
        let weights = Tensor([[0.25, 0.75]])
        #expect(NTM.read(memory: memory, weights: weights) == Tensor([[2.5, 3.5]]))
        let written = NTM.write(memory: memory, weights: weights, erase: Tensor([[1, 0]]), add: Tensor([[4, 8]]))
        // Slot 0: [1·(1 − 0.25), 2] + 0.25·[4, 8]; slot 1: [3·0.25, 4] + 0.75·[4, 8].
        #expect(written == Tensor([[[1.75, 4], [3.75, 10]]]))
    }

    @Test func fullAddressingReadWritePassesGradientChecks() {
        var generator = RandomGenerator(seed: 1)
        let memory = Tensor.normal([1, 4, 2], using: &generator)
        let key = Tensor.normal([1, 2], using: &generator)
        let previous = Tensor([[0.1, 0.2, 0.3, 0.4]])
        let shift = Tensor([[0.2, 0.5, 0.3]])
        let error = layerGradientError(
            inputs: [memory, key, Tensor([[2]]), Tensor([[0.6]]), shift, Tensor([[1.5]]), Tensor([[0.3, 0.8]])],
            parameters: []
        ) { t in
            let content = NTM.contentWeights(memory: t[0], key: t[1], strength: t[2])
            let weights = NTM.locationWeights(
                content: content, previous: previous, gate: t[3], shift: t[4], sharpening: t[5])
            let updated = NTM.write(memory: t[0], weights: weights, erase: t[6], add: t[1])
            return Tensor.concatenate([NTM.read(memory: updated, weights: weights), weights], axis: 1)
        }
        #expect(error < 1e-2)
    }
}
