import NeuralNet
import Testing
import _MontagueTestSupport

/// Schedule values against `torch.optim.lr_scheduler` (torch 2.13.0): the optimizer's `lr` before each of the first
/// steps of `SGD(lr=0.5)` with the named scheduler, `scheduler.step()` after every `opt.step()`.
@Suite("Learning-rate schedules match torch.optim.lr_scheduler")
struct LearningRateScheduleTests {
    func values(_ schedule: some LearningRateSchedule, count: Int) -> [Float] {
        (0..<count).map { schedule.learningRate(atStep: $0) }
    }

    func expectClose(_ actual: [Float], _ expected: [Float], sourceLocation: SourceLocation = #_sourceLocation) {
        _MontagueTestSupport.expectClose(actual, expected, tolerance: 1e-6, "schedule", sourceLocation: sourceLocation)
    }

    @Test func stepDecay() {
        // StepLR(step_size=3, gamma=0.5): 0.5 · 0.5^⌊t/3⌋.
        #expect(
            values(StepSchedule(initialLearningRate: 0.5, stepSize: 3, gamma: 0.5), count: 12)
                == [0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125, 0.125, 0.125, 0.0625, 0.0625, 0.0625])
        #expect(abs(StepSchedule(initialLearningRate: 1, stepSize: 10).learningRate(atStep: 25) - 0.01) < 1e-9)
    }

    @Test func exponentialDecay() {
        expectClose(
            values(ExponentialSchedule(initialLearningRate: 0.5, gamma: 0.9), count: 12),
            [
                0.5, 0.45, 0.405, 0.3645, 0.32805, 0.295245, 0.2657205, 0.23914845, 0.215233605, 0.193710245,
                0.17433922, 0.156905298,
            ])
    }

    @Test func cosineAnnealingWithMinimum() {
        // CosineAnnealingLR(T_max=8, eta_min=0.05); past T_max the cosine climbs again, as in PyTorch.
        expectClose(
            values(
                CosineAnnealingSchedule(initialLearningRate: 0.5, period: 8, minimumLearningRate: 0.05),
                count: 12),
            [
                0.5, 0.482872895, 0.434099026, 0.361103772, 0.275, 0.188896228, 0.115900974, 0.0671271052,
                0.05, 0.0671271052, 0.115900974, 0.188896228,
            ])
    }

    @Test func linearWarmupThenCosine() {
        // SequentialLR([LinearLR(start_factor=0.25, total_iters=4), CosineAnnealingLR(T_max=8)], milestones=[4]).
        let schedule = LinearWarmup(
            warmupSteps: 4, startFactor: 0.25, then: CosineAnnealingSchedule(initialLearningRate: 0.5, period: 8))
        expectClose(
            values(schedule, count: 14),
            [
                0.125, 0.21875, 0.3125, 0.40625, 0.5, 0.480969883, 0.426776695, 0.345670858, 0.25, 0.154329142,
                0.0732233047, 0.0190301169, 0, 0.0190301169,
            ])
    }

    @Test func warmupComposesWithAnySchedule() {
        let schedule = LinearWarmup(warmupSteps: 2, startFactor: 0.5, then: ConstantSchedule(0.2))
        #expect(values(schedule, count: 4) == [0.1, 0.15, 0.2, 0.2])
        let nested = LinearWarmup(
            warmupSteps: 1, startFactor: 0.5,
            then: StepSchedule(initialLearningRate: 1, stepSize: 2, gamma: 0.5))
        #expect(values(nested, count: 6) == [0.5, 1, 1, 0.5, 0.5, 0.25])
    }

    @Test func drivesAnOptimizer() {
        let parameter = Parameter(Tensor([0]))
        let optimizer = SGD([parameter], learningRate: 0)
        let schedule = StepSchedule(initialLearningRate: 1, stepSize: 1, gamma: 0.5)
        for _ in 0..<3 {
            optimizer.learningRate = schedule.learningRate(atStep: optimizer.stepCount)
            optimizer.step([Tensor([-1])])
        }
        #expect(parameter.value.scalars == [1.75])
    }
}
