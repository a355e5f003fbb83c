import NeuralNet
import Testing
import _MontagueTestSupport

/// One batch of the copy task (Graves et al. 2014, §4.1): `length` random bit vectors, then a delimiter, then
/// `length` blank steps during which the machine must reproduce the vectors. Inputs `[2L + 1, B, W + 1]` (the last
/// channel is the delimiter); targets `[L, B, W]` for the output phase.
private func copyTaskBatch(
    length: Int, batch: Int, width: Int, using generator: inout RandomGenerator
) -> (inputs: Tensor, targets: Tensor) {
    let bits = (0..<(length * batch * width)).map { _ in Float(generator.nextInt(below: 2)) }
    var inputs = [Float](repeating: 0, count: (2 * length + 1) * batch * (width + 1))
    for t in 0..<length {
        for b in 0..<batch {
            for w in 0..<width {
                inputs[(t * batch + b) * (width + 1) + w] = bits[(t * batch + b) * width + w]
            }
        }
    }
    for b in 0..<batch { inputs[(length * batch + b) * (width + 1) + width] = 1 }
    return (
        Tensor(shape: [2 * length + 1, batch, width + 1], scalars: inputs),
        Tensor(shape: [length, batch, width], scalars: bits)
    )
}

/// The output-phase logits `[L, B, W]` of a copy-task run.
private func copyPhase(_ outputs: Tensor, length: Int) -> Tensor {
    outputs.slice(axis: 0, range: (length + 1)..<(2 * length + 1))
}

@Suite("Neural Turing Machine: controller, heads, sequence API, copy task")
struct NeuralTuringMachineLearningTests {
    @Test func shapesNamesAndInitialState() {
        var generator = RandomGenerator(seed: 1)
        let machine = NeuralTuringMachine(
            inputSize: 3, outputSize: 2, controller: .lstm(hiddenSize: 5), memorySlots: 6, memoryWidth: 4,
            readHeadCount: 2, writeHeadCount: 1, using: &generator)
        #expect(machine.inputSize == 3 && machine.memorySlots == 6 && machine.memoryWidth == 4)
        let names = machine.namedParameters.map(\.name)
        #expect(names.first == "controller.weightIH")
        #expect(names.contains("read1.projection.weight") && names.contains("write0.projection.bias"))
        #expect(names.last == "output.bias")
        // Read head: k (4) + β, g, γ (3) + s (3); write head adds e and a (8).
        #expect(machine.readHeads[0].projection.outputSize == 10 && machine.writeHeads[0].projection.outputSize == 18)
        let state = machine.initialState(batchSize: 2)
        #expect(state.memory.shape == [2, 6, 4] && state.reads.count == 2 && state.writeWeights.count == 1)
        #expect(state.readWeights[0].scalars == [1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0])
        let inputs = Tensor.uniform([4, 2, 3], low: -1, high: 1, using: &generator)
        let (outputs, final) = machine(inputs)
        #expect(outputs.shape == [4, 2, 2] && final.memory.shape == [2, 6, 4])
        for weights in final.readWeights + final.writeWeights {
            #expect(weights.sum(axis: 1).scalars.allSatisfy { abs($0 - 1) < 1e-4 })
        }
        // The sequence API is the step API in a loop, and running in two halves from the carried state agrees.
        var carried = machine.initialState(batchSize: 2)
        var stepped: [Tensor] = []
        for t in 0..<4 {
            let result = machine.step(inputs.slice(axis: 0, range: t..<(t + 1)).squeezed(axis: 0), state: carried)
            stepped.append(result.output)
            carried = result.state
        }
        #expect(Tensor.stack(stepped, axis: 0) == outputs)
        let firstHalf = machine(inputs.slice(axis: 0, range: 0..<2))
        let secondHalf = machine(inputs.slice(axis: 0, range: 2..<4), state: firstHalf.finalState)
        #expect(Tensor.concatenate([firstHalf.outputs, secondHalf.outputs], axis: 0) == outputs)
        #expect(secondHalf.finalState.memory == final.memory)
    }

    @Test func headsEmitConstrainedParametersAndWritesChangeMemory() {
        var generator = RandomGenerator(seed: 2)
        let head = NeuralTuringMachineHead(kind: .write, controllerSize: 3, memoryWidth: 2, using: &generator)
        let emitted = head.emit(Tensor.uniform([4, 3], low: -3, high: 3, using: &generator))
        #expect(emitted.strength.scalars.allSatisfy { $0 >= 0 })
        #expect(emitted.gate.scalars.allSatisfy { $0 > 0 && $0 < 1 })
        #expect(emitted.sharpening.scalars.allSatisfy { $0 >= 1 })
        #expect(emitted.shift.shape == [4, 3] && emitted.shift.sum(axis: 1).scalars.allSatisfy { abs($0 - 1) < 1e-5 })
        #expect(emitted.erase?.scalars.allSatisfy { $0 > 0 && $0 < 1 } == true && emitted.add?.shape == [4, 2])
        let reader = NeuralTuringMachineHead(kind: .read, controllerSize: 3, memoryWidth: 2, using: &generator)
        let readOut = reader.emit(Tensor.zeros([1, 3]))
        #expect(readOut.erase == nil && readOut.add == nil)
        // A read-only machine never changes its memory; a writing one does.
        let readOnly = NeuralTuringMachine(
            inputSize: 2, outputSize: 1, controller: .feedForward(hiddenSize: 4), memorySlots: 4, memoryWidth: 2,
            writeHeadCount: 0, using: &generator)
        let inputs = Tensor.uniform([3, 1, 2], low: -1, high: 1, using: &generator)
        #expect(readOnly(inputs).finalState.memory == readOnly.initialState(batchSize: 1).memory)
        #expect(readOnly(inputs).finalState.controller == nil)
        let writing = NeuralTuringMachine(
            inputSize: 2, outputSize: 1, controller: .feedForward(hiddenSize: 4), memorySlots: 4, memoryWidth: 2,
            using: &generator)
        #expect(writing(inputs).finalState.memory != writing.initialState(batchSize: 1).memory)
    }

    @Test(arguments: [NeuralTuringMachineController.lstm(hiddenSize: 3), .feedForward(hiddenSize: 3)])
    func gradientCheckAtTinySize(controller: NeuralTuringMachineController) {
        var generator = RandomGenerator(seed: 3)
        let machine = NeuralTuringMachine(
            inputSize: 2, outputSize: 2, controller: controller, memorySlots: 3, memoryWidth: 2, using: &generator)
        let inputs = Tensor.uniform([2, 1, 2], low: -1, high: 1, using: &generator)
        let error = layerGradientError(inputs: [inputs], parameters: machine.parameters) { machine($0[0]).outputs }
        #expect(error < 2e-2, "largest gradient error \(error)")
    }

    @Test func learnsToCopySequencesOfUpToThreeVectors() {
        // Debug-sized: a feed-forward controller (all state must go through the memory), 3-bit vectors, sequences
        // of 1…3, 6 slots. About 3 s in a debug build.
        let result = trainCopyTask(
            controller: .feedForward(hiddenSize: 16), maximumLength: 3, width: 3, memorySlots: 6, memoryWidth: 4,
            iterations: 120, batchSize: 16, learningRate: 0.04, seed: 7)
        #expect(result.accuracy > 0.99, "bit accuracy \(result.accuracy), loss \(result.loss)")
        #expect(result.loss < 0.05, "loss \(result.loss)")
    }

    @Test(.enabled(if: BuildConfiguration.isRelease))
    func learnsTheCopyTaskForShortSequences() {
        // The copy task of Graves et al. (2014, §4.1) at small scale: an LSTM controller, 4-bit vectors, sequences
        // of 1…6, 10 slots of width 6. About 10–20 s in release (`swift test -c release -Xswiftc -enable-testing
        // --filter learnsTheCopyTaskForShortSequences`); also passes with seeds 8 and 9.
        let result = trainCopyTask(
            controller: .lstm(hiddenSize: 16), maximumLength: 6, width: 4, memorySlots: 10, memoryWidth: 6,
            iterations: 1500, batchSize: 16, learningRate: 0.01, seed: 7, longerLengths: [7, 8, 10])
        #expect(result.accuracy > 0.99, "bit accuracy \(result.accuracy), loss \(result.loss)")
        #expect(result.loss < 0.05, "loss \(result.loss)")
        // Generalisation to longer sequences (the paper's §4.1, at toy scale): lengths 7, 8, 10 were never trained on.
        #expect(result.longerAccuracy > 0.95, "bit accuracy on lengths 7, 8, 10: \(result.longerAccuracy)")
    }
}

/// Trains a machine on copy-task batches of lengths cycling through `1…maximumLength` and returns its bit accuracy
/// and mean loss on fresh batches of every length, then on fresh batches of each of `longerLengths` (lengths never
/// trained on), if any.
private func trainCopyTask(
    controller: NeuralTuringMachineController, maximumLength: Int, width: Int, memorySlots: Int, memoryWidth: Int,
    iterations: Int, batchSize: Int, learningRate: Float, seed: UInt64, longerLengths: [Int] = []
) -> (accuracy: Float, loss: Float, longerAccuracy: Float) {
    var generator = RandomGenerator(seed: seed)
    let machine = NeuralTuringMachine(
        inputSize: width + 1, outputSize: width, controller: controller, memorySlots: memorySlots,
        memoryWidth: memoryWidth, using: &generator)
    let optimizer = Adam(machine.parameters, learningRate: learningRate)
    func loss(_ batch: (inputs: Tensor, targets: Tensor), length: Int) -> Tensor {
        binaryCrossEntropyWithLogits(
            logits: copyPhase(machine(batch.inputs).outputs, length: length), targets: batch.targets)
    }
    for iteration in 0..<iterations {
        let length = 1 + iteration % maximumLength
        let batch = copyTaskBatch(length: length, batch: batchSize, width: width, using: &generator)
        optimizer.step(gradients(of: loss(batch, length: length), wrt: machine.parameterValues))
    }
    func evaluate(_ lengths: [Int]) -> (accuracy: Float, loss: Float) {
        var (correct, total) = (0, 0)
        var meanLoss: Float = 0
        for length in lengths {
            let batch = copyTaskBatch(length: length, batch: 32, width: width, using: &generator)
            let logits = copyPhase(withoutGradients { machine(batch.inputs).outputs }, length: length)
            meanLoss += withoutGradients { loss(batch, length: length).item } / Float(lengths.count)
            for (logit, bit) in zip(logits.scalars, batch.targets.scalars) where (logit > 0) == (bit > 0.5) {
                correct += 1
            }
            total += batch.targets.count
        }
        return (Float(correct) / Float(max(total, 1)), meanLoss)
    }
    let trained = evaluate(Array(1...maximumLength))
    let longer = longerLengths.isEmpty ? (accuracy: Float.nan, loss: Float.nan) : evaluate(longerLengths)
    return (trained.accuracy, trained.loss, longer.accuracy)
}
