import NeuralNet
import Testing

/// The flatten step of the spatial transformer's documentation example.
private struct Flatten: Module {
    var namedParameters: [(name: String, parameter: Parameter)] { [] }
    func callAsFunction(_ input: Tensor) -> Tensor { input.reshaped([input.shape[0], -1]) }
}

/// The `///` examples of the learning units, run as written, with their printed results asserted.
@Suite("Documentation examples: NTM, pointer and memory networks, spatial transformer, Tree-LSTMs, BatchNorm, pooling")
struct LearningDocumentationExamplesTests {
    @Test func neuralTuringMachineAndHead() {
        var generator = RandomGenerator(seed: 0)
        let machine = NeuralTuringMachine(
            inputSize: 3, outputSize: 2, controller: .lstm(hiddenSize: 16), memorySlots: 8, memoryWidth: 4,
            using: &generator)
        let inputs = Tensor.uniform([5, 2, 3], low: 0, high: 1, using: &generator)
        let (outputs, final) = machine(inputs)
        #expect(outputs.shape == [5, 2, 2] && final.memory.shape == [2, 8, 4])

        let head = NeuralTuringMachineHead(kind: .write, controllerSize: 8, memoryWidth: 4, using: &generator)
        let emitted = head.emit(Tensor.zeros([2, 8]))
        #expect(emitted.key.shape == [2, 4] && emitted.erase?.shape == [2, 4])
        let memory = Tensor.uniform([2, 6, 4], low: -1, high: 1, using: &generator)
        let previous = Tensor.oneHot(IndexTensor([0, 0]), classes: 6)
        let weights = head.address(emitted, memory: memory, previous: previous)
        #expect(weights.shape == [2, 6] && weights.sum(axis: 1).scalars.allSatisfy { abs($0 - 1) < 1e-5 })
    }

    @Test func pointerNetwork() {
        var generator = RandomGenerator(seed: 0)
        let network = PointerNetwork(inputSize: 1, hiddenSize: 8, using: &generator)
        let inputs = Tensor(shape: [3, 1, 1], scalars: [0.7, 0.1, 0.4])
        let targets = [[1, 2, 0]]
        let logProbabilities = network.logProbabilities(inputs: inputs, targets: targets)
        #expect(logProbabilities.shape == [1, 3, 3])
        let picked = logProbabilities.gather(along: 2, indices: IndexTensor(shape: [1, 3, 1], indices: [1, 2, 0]))
        let loss = -picked.mean()
        #expect(loss.item.isFinite && loss.item > 0)
        #expect(Set(network.greedyDecode(inputs: inputs, steps: 3)[0]) == [0, 1, 2])
    }

    @Test func memoryNetwork() {
        var generator = RandomGenerator(seed: 0)
        let network = MemoryNetwork(vocabularySize: 9, dimension: 8, hopCount: 2, using: &generator)
        let story = IndexTensor(shape: [2, 2, 3], indices: [1, 7, 4, 2, 7, 5, 3, 7, 6, 1, 7, 5])
        let question = IndexTensor(shape: [2, 2], indices: [8, 2, 8, 1])
        let (logits, attention) = network(story: story, question: question)
        #expect(logits.shape == [2, 9] && attention.count == 2 && attention[0].shape == [2, 2])
        #expect(crossEntropy(logits: logits, targets: [5, 5]).item.isFinite)
    }

    @Test func spatialTransformer() {
        var generator = RandomGenerator(seed: 0)
        let regressor = Sequential([
            Linear(inputSize: 8, outputSize: 16, using: &generator), Tanh(),
            Linear(weight: Tensor.zeros([6, 16]), bias: SpatialSampling.identityParameters),
        ])
        let transformer = SpatialTransformer(
            localization: Sequential([Flatten(), regressor]), outputHeight: 2, outputWidth: 4)
        let images = Tensor.uniform([3, 1, 2, 4], low: 0, high: 1, using: &generator)
        let error = (transformer(images) - images).abs().max().item
        #expect(error < 1e-5)
    }

    @Test func treeLSTMs() {
        var generator = RandomGenerator(seed: 0)
        let childSum = ChildSumTreeLSTMCell(inputSize: 4, hiddenSize: 8, using: &generator)
        let words = Tensor.normal([3, 4], using: &generator)
        let leaves = (0..<3).map { childSum(words.slice(axis: 0, range: $0..<($0 + 1)), children: []) }
        #expect(childSum(Tensor.zeros([1, 4]), children: leaves).hidden.shape == [1, 8])

        let cell = NaryTreeLSTMCell(inputSize: 4, hiddenSize: 8, arity: 2, using: &generator)
        let token = { (index: Int) in Tensor.oneHot(IndexTensor([index]), classes: 4) }
        let two = cell(token(2), children: [nil, nil])
        let three = cell(token(3), children: [nil, nil])
        let sum = cell(token(0), children: [two, three])
        #expect(sum.hidden.shape == [1, 8])
    }

    @Test func batchNormRecalibration() {
        var generator = RandomGenerator(seed: 0)
        let norm = BatchNorm1d(featureCount: 4)
        let model = Sequential([Linear(inputSize: 3, outputSize: 4, using: &generator), norm, Tanh()])
        let batches = (0..<5).map { _ in Tensor.normal([8, 3], using: &generator) }
        for batch in batches { _ = model(batch) }
        BatchNorm.recalibrate([norm]) {
            for batch in batches { _ = model(batch) }
        }
        norm.isTraining = false
        #expect(model(Tensor.normal([1, 3], using: &generator)).shape == [1, 4])
    }

    @Test func pooling() {
        let x = Tensor(shape: [1, 1, 2, 4], scalars: [1, 5, 2, 0, 3, 4, 8, 1])
        #expect(MaxPool2D(kernelSize: (2, 2))(x).scalars == [5, 8])
        #expect(AvgPool1D(kernelSize: 2)(Tensor(shape: [1, 1, 4], scalars: [1, 5, 2, 0])).scalars == [3, 1])
    }
}
