import Foundation
import NeuralNet
import Testing

@testable import Autodiff

@Suite("Training end to end: Linear, XOR demo, regression, graphs freed")
struct TrainingTests {
    @Test func linearUsesPyTorchInitializationAndNames() {
        var generator = RandomGenerator(seed: 5)
        let layer = Linear(inputSize: 16, outputSize: 4, using: &generator)
        #expect(layer.namedParameters.map(\.name) == ["weight", "bias"])
        #expect(layer.weight.shape == [4, 16] && layer.bias?.shape == [4])
        let bound: Float = 1 / 4  // 1/√16
        let all = layer.weight.value.scalars + (layer.bias?.value.scalars ?? [])
        #expect(all.allSatisfy { $0 >= -bound && $0 < bound })
        #expect(all.contains { $0 > bound / 2 } && all.contains { $0 < -bound / 2 })
        // Weight first, then bias, from the same generator.
        var replay = RandomGenerator(seed: 5)
        #expect(layer.weight.value == Tensor.uniform([4, 16], low: -bound, high: bound, using: &replay))
        #expect(layer.bias?.value == Tensor.uniform([4], low: -bound, high: bound, using: &replay))
        #expect(
            Linear(inputSize: 3, outputSize: 2, bias: false, using: &generator).namedParameters.map(\.name) == [
                "weight"
            ])
    }

    @Test func linearForwardIsXWTransposedPlusB() {
        let layer = Linear(weight: Tensor([[1, 2, 3], [-1, 0, 2]]), bias: Tensor([0.5, -0.5]))
        let x = Tensor([[1, 1, 1], [2, 0, -1]])
        #expect(layer(x) == Tensor([[6.5, 0.5], [-0.5, -4.5]]))
        #expect(layer(Tensor([1, 1, 1])) == Tensor([6.5, 0.5]))
        #expect(layer(Tensor([[[1, 1, 1]], [[2, 0, -1]]])).shape == [2, 1, 2])
        let check = checkGradients(at: [x, layer.weight.value.detached(), Tensor([0.5, -0.5])]) { t in
            Tensor.matmul(t[0], t[1], transposeB: true) + t[2]
        }
        #expect(check.passes(), "\(check)")
        // Gradients reach both parameters through the layer.
        let grads = gradients(of: layer(x).sum(), wrt: layer.parameterValues)
        #expect(grads[0] == Tensor([[3, 1, 0], [3, 1, 0]]))
        #expect(grads[1] == Tensor([2, 2]))
    }

    @Test func xorDemoLearns() {
        var reports: [(Int, Float)] = []
        let result = TrainingDemo.trainXOR(TrainingDemo.Configuration(seed: 42)) { reports.append(($0, $1)) }
        #expect(result.accuracy == 1)
        #expect(result.finalLoss < 1e-3, "final loss \(result.finalLoss)")
        #expect(reports.map(\.0) == [50, 100, 150, 200, 250, 300])
        #expect(reports.last.map { $0.1 < reports[0].1 } == true)
        #expect(result.predictions.count == 4)
        // Deterministic given the seed.
        #expect(TrainingDemo.trainXOR(TrainingDemo.Configuration(seed: 42)) == result)
    }

    @Test func noisyLinearRegressionReachesTheNoiseFloor() {
        // y = 2·x₀ − 3·x₁ + 0.5 + 0.1·ε, ε ~ N(0, 1): the best possible mean squared error is about 0.01.
        var generator = RandomGenerator(seed: 11)
        let x = Tensor.uniform([64, 2], low: -1, high: 1, using: &generator)
        let noise = Tensor.normal([64, 1], standardDeviation: 0.1, using: &generator)
        let y = Tensor.matmul(x, Tensor([[2, -3]]), transposeB: true) + 0.5 + noise
        let model = Linear(inputSize: 2, outputSize: 1, using: &generator)
        let optimizer = SGD(model.parameters, learningRate: 0.1, momentum: 0.9)
        var loss: Float = .infinity
        for _ in 0..<150 {
            let difference = model(x) - y
            let value = (difference * difference).mean()
            loss = value.item
            optimizer.step(gradients(of: value, wrt: model.parameterValues))
        }
        #expect(loss < 0.012, "loss \(loss)")
        let weight = model.weight.value.scalars
        #expect(abs(weight[0] - 2) < 0.05 && abs(weight[1] + 3) < 0.05, "\(weight)")
        #expect(abs((model.bias?.value.item ?? 0) - 0.5) < 0.05)
    }

    /// Every tape node of one training step is freed once the step's values go out of scope.
    ///
    /// Checked with weak references to the step's own nodes rather than by comparing `TapeNode.liveCount` between
    /// steps: the count is process-wide, and Swift Testing runs other suites in parallel, so it also moves with their
    /// graphs. The weak references see exactly this test's graph.
    @Test func trainingStepsFreeTheirGraphs() {
        var generator = RandomGenerator(seed: 3)
        let first = Linear(inputSize: 2, outputSize: 4, using: &generator)
        let second = Linear(inputSize: 4, outputSize: 1, using: &generator)
        let parameters = first.parameters + second.parameters
        let optimizer = Adam(parameters, learningRate: 0.01)
        let x = TrainingDemo.inputs
        let y = TrainingDemo.targets

        final class WeakNode {
            weak var node: TapeNode?
            init(_ node: TapeNode) { self.node = node }
        }

        /// One step; returns weak references to every non-leaf node of its graph.
        func step() -> [WeakNode] {
            let hidden = first(x)
            let activated = hidden.tanh()
            let difference = second(activated) - y
            let loss = (difference * difference).mean()
            var nodes: [WeakNode] = []
            var stack = [loss.node].compactMap { $0 }
            var seen: Set<ObjectIdentifier> = []
            while let node = stack.popLast() {
                guard seen.insert(ObjectIdentifier(node)).inserted, node.op != "leaf" else { continue }
                nodes.append(WeakNode(node))
                stack += node.inputs.compactMap(\.node)
            }
            optimizer.step(gradients(of: loss, wrt: parameters.map(\.value)))
            return nodes
        }

        var counts: Set<Int> = []
        for index in 0..<200 {
            let nodes = step()
            counts.insert(nodes.count)
            let alive = nodes.filter { $0.node != nil }.count
            #expect(alive == 0, "step \(index): \(alive) of \(nodes.count) nodes still alive")
            if alive != 0 { break }
        }
        #expect(counts.count == 1 && (counts.first ?? 0) >= 7, "nodes per step: \(counts)")
        #expect(parameters.allSatisfy { $0.value.requiresGradient })
    }
}
