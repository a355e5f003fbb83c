import NeuralNet
import Testing

/// The first three updates of each optimizer on θ₀ = [1, −2, 0.5] with fixed gradients, against PyTorch.
///
/// Reference values: torch 2.13.0 (CPU), `torch.optim.<Optimizer>` with the hyperparameters given as their float32
/// roundings (`float(np.float32(0.1))`, so both sides use the same constants), one `p.grad = g; opt.step()` per
/// gradient below, printed with `'%.9g'`. SGD without momentum is also checked by hand in its test.
@Suite("Optimizers: first updates match torch.optim")
struct OptimizerTests {
    static let initial: [Float] = [1, -2, 0.5]
    static let gradients: [[Float]] = [[0.1, -0.2, 0.3], [-0.5, 0.4, 0.05], [0.2, 0.2, -0.1]]

    /// θ after each of the three steps.
    func trajectory(_ make: ([Parameter]) -> any Optimizer) -> [[Float]] {
        let parameter = Parameter(Tensor(Self.initial))
        let optimizer = make([parameter])
        return Self.gradients.map { gradient in
            optimizer.step([Tensor(gradient)])
            return parameter.value.scalars
        }
    }

    func expectClose(
        _ actual: [[Float]], _ expected: [[Float]], tolerance: Float = 1e-6,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        for (step, (got, want)) in zip(actual, expected).enumerated() {
            let error = zip(got, want).map { abs($0 - $1) }.max() ?? 0
            #expect(
                error <= tolerance, "step \(step + 1): got \(got), expected \(want)",
                sourceLocation: sourceLocation)
        }
    }

    @Test func sgdPlainByHand() {
        // θ ← θ − 0.1·g:  [1 − 0.01, −2 + 0.02, 0.5 − 0.03] = [0.99, −1.98, 0.47]
        //                [0.99 + 0.05, −1.98 − 0.04, 0.47 − 0.005] = [1.04, −2.02, 0.465]
        //                [1.04 − 0.02, −2.02 − 0.02, 0.465 + 0.01] = [1.02, −2.04, 0.475]
        expectClose(
            trajectory { SGD($0, learningRate: 0.1) },
            [[0.99, -1.98, 0.47], [1.04, -2.02, 0.465], [1.02, -2.04, 0.475]])
    }

    @Test func sgdMomentumDampeningWeightDecay() {
        // Step 1 by hand: g = [0.1, −0.2, 0.3] + 0.01·θ = [0.11, −0.22, 0.305]; b = g (first step, no dampening);
        // θ = θ − 0.1·b = [0.989, −1.978, 0.4695].
        expectClose(
            trajectory { SGD($0, learningRate: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0.01) },
            [
                [0.989000022, -1.97800004, 0.469500005],
                [1.02320993, -1.99241984, 0.437127441],
                [1.03507793, -2.02160454, 0.416598737],
            ])
    }

    @Test func sgdNesterov() {
        expectClose(
            trajectory { SGD($0, learningRate: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: true) },
            [
                [0.979099989, -1.95819998, 0.44205001],
                [1.0633297, -2.01265931, 0.407005101],
                [1.05499732, -2.06161118, 0.398589224],
            ])
    }

    @Test func adamWithL2WeightDecay() {
        // Step 1: m̂ = g, v̂ = g², so θ moves by lr·sign(g) = 0.1 (up to ε): [0.9, −1.9, 0.4].
        expectClose(
            trajectory { Adam($0, learningRate: 0.1, weightDecay: 0.1) },
            [
                [0.900000036, -1.89999998, 0.399999976],
                [0.937522054, -1.87528312, 0.316566557],
                [0.927303791, -1.85794866, 0.26507926],
            ])
    }

    @Test func adamAMSGrad() {
        expectClose(
            trajectory { Adam($0, learningRate: 0.1, amsgrad: true) },
            [
                [0.900000036, -1.89999998, 0.400000006],
                [0.95983547, -1.93661034, 0.321667284],
                [0.979554951, -1.98853445, 0.284121871],
            ])
    }

    @Test func adamWDecoupledDecay() {
        // Step 1: θ·(1 − 0.1·0.1) − 0.1·sign(g) = [0.99 − 0.1, −1.98 + 0.1, 0.495 − 0.1] = [0.89, −1.88, 0.395].
        expectClose(
            trajectory { AdamW($0, learningRate: 0.1, weightDecay: 0.1) },
            [
                [0.890000045, -1.88, 0.395000011],
                [0.940935493, -1.89781034, 0.312717289],
                [0.951245606, -1.93075633, 0.272044718],
            ])
    }

    @Test func adamWAMSGradWithDefaultDecay() {
        expectClose(
            trajectory { AdamW($0, learningRate: 0.1, amsgrad: true) },
            [
                [0.899000049, -1.898, 0.399500012],
                [0.957936466, -1.93271244, 0.32076779],
                [0.976698041, -1.9827038, 0.282901615],
            ])
    }

    @Test func rmsPropDefaults() {
        // Step 1: v = 0.01·g², θ − 0.01·g/(0.1·|g|) = θ − 0.1·sign(g) = [0.9, −1.9, 0.4].
        expectClose(
            trajectory { RMSProp($0, learningRate: 0.01) },
            [
                [0.900000036, -1.89999998, 0.399999976],
                [0.998076975, -1.98953235, 0.383479506],
                [0.961396754, -2.0305624, 0.414994687],
            ])
    }

    @Test func rmsPropCenteredMomentumWeightDecay() {
        expectClose(
            trajectory { RMSProp($0, learningRate: 0.01, weightDecay: 0.1, momentum: 0.9, centered: true) },
            [
                [0.899496198, -1.8994962, 0.399496198],
                [0.899105787, -1.85575807, 0.283847988],
                [0.844886661, -1.81961584, 0.199483395],
            ],
            tolerance: 2e-6)
    }

    @Test func adagradDefaults() {
        // Step 1: s = g², θ − 0.1·g/|g| = [0.9, −1.9, 0.4].
        expectClose(
            trajectory { Adagrad($0, learningRate: 0.1) },
            [
                [0.899999976, -1.89999998, 0.400000006],
                [0.998058081, -1.98944271, 0.383560121],
                [0.961543262, -2.03026748, 0.414794862],
            ])
    }

    @Test func adagradDecayAccumulatorWeightDecay() {
        // Step 1: g = [0.15, −0.3, 0.325], s = 0.1 + g², rate 0.1: θ₀ − 0.1·0.15/√0.1225 = 1 − 0.042857 = 0.957143.
        expectClose(
            trajectory {
                Adagrad($0, learningRate: 0.1, learningRateDecay: 0.1, weightDecay: 0.05, initialAccumulatorValue: 0.1)
            },
            [
                [0.95714283, -1.93117523, 0.428328693],
                [1.02903032, -1.98311484, 0.414185524],
                [0.995483518, -1.99865997, 0.428369522],
            ])
    }

    @Test func stepKeepsParameterALeafAndCountsSteps() {
        let parameter = Parameter(Tensor([[1, 2], [3, 4]]))
        let optimizer = Adam([parameter])
        optimizer.step([Tensor([[1, 1], [1, 1]])])
        optimizer.step([Tensor([[1, 1], [1, 1]])])
        #expect(optimizer.stepCount == 2)
        #expect(parameter.value.requiresGradient)
        #expect(parameter.shape == [2, 2])
        #expect(parameter.value.scalars.allSatisfy { $0 < 4 })
    }

    @Test func learningRateCanChangeBetweenSteps() {
        let parameter = Parameter(Tensor([1]))
        let optimizer = SGD([parameter], learningRate: 0.5)
        optimizer.step([Tensor([1])])
        optimizer.learningRate = 0.25
        optimizer.step([Tensor([1])])
        #expect(parameter.value.scalars == [0.25])
    }

    @Test func stateTensorsHavePyTorchSlotNames() {
        let parameters = [Parameter(Tensor([1, 2])), Parameter(Tensor([[3]]))]
        #expect(Set(Adam(parameters).stateTensors.keys) == ["0.exp_avg", "0.exp_avg_sq", "1.exp_avg", "1.exp_avg_sq"])
        #expect(Set(Adam(parameters, amsgrad: true).stateTensors.keys).contains("1.max_exp_avg_sq"))
        #expect(SGD(parameters).stateTensors.isEmpty)
        #expect(SGD(parameters, momentum: 0.9).stateTensors["1.momentum_buffer"]?.shape == [1, 1])
        #expect(
            Set(RMSProp(parameters, momentum: 0.5, centered: true).stateTensors.keys)
                == [
                    "0.square_avg", "0.momentum_buffer", "0.grad_avg", "1.square_avg", "1.momentum_buffer",
                    "1.grad_avg",
                ])
        #expect(Adagrad(parameters, initialAccumulatorValue: 0.5).stateTensors["0.sum"]?.scalars == [0.5, 0.5])
    }

    @Test func loadStateReportsEveryProblemAndKeepsState() throws {
        let parameters = [Parameter(Tensor([1, 2])), Parameter(Tensor([3]))]
        let optimizer = Adam(parameters)
        optimizer.step([Tensor([1, 1]), Tensor([1])])
        let before = optimizer.stateTensors
        var state = before
        state["0.exp_avg"] = Tensor([1, 2, 3])
        state["1.exp_avg_sq"] = nil
        state["2.exp_avg"] = Tensor([0])
        let error = try #require(throws: CheckpointError.self) { try optimizer.loadState(state, stepCount: 7) }
        #expect(
            error.problems == [
                .missing(name: "1.exp_avg_sq", expectedShape: [1]),
                .unexpected(name: "2.exp_avg", shape: [1]),
                .shapeMismatch(name: "0.exp_avg", expected: [2], found: [3]),
            ])
        #expect(optimizer.stepCount == 1)
        #expect(optimizer.stateTensors == before)
    }
}
