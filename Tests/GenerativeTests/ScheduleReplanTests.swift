import Foundation
import MontagueSupport
import NeuralNet
import Testing

@testable import Generative

/// A GAN run resumed with a changed step budget re-plans its decays to end at the new last step, continuously at the
/// resumed step; with the budget unchanged it continues bit for bit.
@Suite("GAN decays re-planned for a changed step budget")
struct ScheduleReplanTests {
    @Test func aDecayUnderWayContinuesFromTheCurrentRateToTheNewEnd() {
        let decay = LinearDecaySchedule(start: 10, end: 40)
        let longer = decay.replanned(fromStep: 25, endingAt: 80)
        #expect(longer.start == 25 && longer.end == 80)
        #expect(longer.learningRate(atStep: 25) == decay.learningRate(atStep: 25))
        #expect(longer.learningRate(atStep: 40) > 0 && longer.learningRate(atStep: 79) > 0)
        #expect(longer.learningRate(atStep: 80) == 0)
        // Linear from the resumed rate: half of it half-way to the new end.
        #expect(abs(longer.learningRate(atStep: 52) - decay.learningRate(atStep: 25) * 28 / 55) < 1e-7)
        let shorter = decay.replanned(fromStep: 25, endingAt: 30)
        #expect(shorter.learningRate(atStep: 25) == decay.learningRate(atStep: 25))
        #expect(shorter.learningRate(atStep: 30) == 0 && shorter.learningRate(atStep: 29) > 0)
    }

    @Test func aDecayNotYetBegunKeepsItsStartAndTheUnchangedOnesStay() {
        let decay = LinearDecaySchedule(initialLearningRate: 2, start: 10, end: 40)
        #expect(
            decay.replanned(fromStep: 5, endingAt: 80)
                == LinearDecaySchedule(initialLearningRate: 2, start: 10, end: 80))
        // The new end comes before the stored start: the decay begins now, from the full rate.
        let early = decay.replanned(fromStep: 5, endingAt: 8)
        #expect(early == LinearDecaySchedule(initialLearningRate: 2, start: 5, end: 8))
        #expect(decay.replanned(fromStep: 25, endingAt: 40) == decay)
        #expect(decay.replanned(fromStep: 25, endingAt: 25) == decay)  // nothing left to train
    }

    @Test func anEndedDecayIsPlannedAsIfTheNewBudgetHadBeenGivenFromTheStart() {
        let decay = LinearDecaySchedule(start: 10, end: 40)
        let replanned = decay.replanned(fromStep: 40, endingAt: 80)
        #expect(replanned == LinearDecaySchedule(start: 10, end: 80))
        #expect(decay.learningRate(atStep: 40) == 0 && replanned.learningRate(atStep: 40) == Float(40) / Float(70))
    }

    static func configuration() -> GANConfiguration {
        var configuration = GANTrainerTests.configuration(.nonSaturating)
        configuration.learningRate = 1e-3
        configuration.learningRateDecay = LinearDecaySchedule(start: 10, end: 40)
        configuration.instanceNoise = 0.1
        configuration.instanceNoiseDecay = LinearDecaySchedule(start: 0, end: 40)
        return configuration
    }

    static func directory() -> ModelDirectory {
        ModelDirectory(url: FileManager.default.temporaryDirectory.appendingPathComponent("gan-replan-\(UUID())"))
    }

    static let source = DataSource.toy(.ring8, count: 64)

    @Test func anUnchangedBudgetResumesBitForBit() throws {
        let (whole, parts) = (Self.directory(), Self.directory())
        defer {
            try? FileManager.default.removeItem(at: whole.url)
            try? FileManager.default.removeItem(at: parts.url)
        }
        let uninterrupted = try GANRun.train(
            configuration: Self.configuration(), data: Self.source, directory: whole,
            budget: TrainingBudget(steps: 40), resume: false)
        // Interrupted at step 20 (as a time limit would), then resumed with the budget its decays end at.
        _ = try GANRun.train(
            configuration: Self.configuration(), data: Self.source, directory: parts,
            budget: TrainingBudget(steps: 20), resume: false)
        var replans: [GANScheduleReplan] = []
        let resumed = try GANRun.train(
            configuration: Self.configuration(), data: Self.source, directory: parts,
            budget: TrainingBudget(steps: 40), resume: true, scheduleReplanned: { replans.append($0) })
        #expect(replans.isEmpty)
        #expect(resumed.configuration == uninterrupted.configuration)
        #expect(resumed.model.parameterValues.map(\.scalars) == uninterrupted.model.parameterValues.map(\.scalars))
        let manifest = try parts.readManifest(expecting: GANRun.kind)
        #expect(manifest.metrics["train.schedule_steps"] == 40)
    }

    @Test func aLargerBudgetEndsTheDecayAtTheNewEndContinuously() throws {
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(at: directory.url) }
        let metrics = directory.url.appendingPathComponent("metrics.jsonl").path
        _ = try GANRun.train(
            configuration: Self.configuration(), data: Self.source, directory: directory,
            budget: TrainingBudget(steps: 25), resume: false, metricsPath: metrics)
        var replans: [GANScheduleReplan] = []
        let trainer = try GANRun.train(
            configuration: Self.configuration(), data: Self.source, directory: directory,
            budget: TrainingBudget(steps: 80, logInterval: 10), resume: true, metricsPath: metrics,
            scheduleReplanned: { replans.append($0) })
        #expect(replans.map(\.kind) == [.learningRate, .instanceNoise])
        for replan in replans {
            #expect(replan.step == 25 && replan.previous.end == 40 && replan.replanned.end == 80)
            #expect(replan.factors.previous == replan.factors.replanned)
            #expect(replan.factors.replanned > 0)
        }
        let decay = try #require(trainer.configuration.learningRateDecay)
        #expect(decay.learningRate(atStep: 40) > 0 && decay.learningRate(atStep: 79) > 0)
        #expect(decay.learningRate(atStep: 80) == 0)
        // The last update (step 79) used a positive step size; the stored end (40) would have made it 0.
        #expect(trainer.generatorOptimizer.learningRate == 1e-3 * decay.learningRate(atStep: 79))
        #expect(trainer.generatorOptimizer.learningRate > 0)
        // The plan is stored, so a further resume with the same budget changes nothing.
        let stored = try directory.readManifest(expecting: GANRun.kind).hyperparameters(as: GANRunRecord.self)
        #expect(stored.configuration.learningRateDecay == decay)
        #expect(try directory.readManifest().metrics["train.schedule_steps"] == 80)
        let text = try String(contentsOfFile: metrics, encoding: .utf8)
        #expect(text.contains("\"phase\":\"schedule\"") && text.contains("\"lr_decay_end\":80"))
    }

    @Test func aFinishedRunContinuedWithALargerBudgetTrainsAgain() throws {
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(at: directory.url) }
        _ = try GANRun.train(
            configuration: Self.configuration(), data: Self.source, directory: directory,
            budget: TrainingBudget(steps: 40), resume: false)
        var replans: [GANScheduleReplan] = []
        let trainer = try GANRun.train(
            configuration: Self.configuration(), data: Self.source, directory: directory,
            budget: TrainingBudget(steps: 60), resume: true, scheduleReplanned: { replans.append($0) })
        #expect(replans.first?.factors.previous == 0 && (replans.first?.factors.replanned ?? 0) > 0)
        #expect(trainer.configuration.learningRateDecay == LinearDecaySchedule(start: 10, end: 60))
        #expect(trainer.generatorOptimizer.learningRate > 0)
    }
}

/// ClusterGAN's noise scale and semi-supervised InfoGAN's labelled examples, the two remedies tried against
/// InfoGAN's code collisions on digits.
@Suite("InfoGAN: the noise's scale and labelled code examples")
struct InfoGANCollisionRemedyTests {
    /// Three labelled clusters on a line (labels 0, 1, 2), 30 points each.
    static func labelledData() -> PointSet {
        var values: [Float] = []
        var labels: [Int] = []
        var generator = RandomGenerator(seed: 4)
        for index in 0..<90 {
            let k = index % 3
            values += [Float(k) * 2 - 2 + 0.05 * generator.nextUnitFloat(), 0.05 * generator.nextUnitFloat()]
            labels.append(k)
        }
        return PointSet(dimension: 2, values: values, labels: labels)
    }

    @Test func theNoiseHasTheConfiguredScaleAndTheDefaultDrawsAsBefore() {
        var configuration = GANTrainerTests.configuration(.info)
        let data = Self.labelledData()
        let standard = GANTrainer(configuration: configuration, data: data)
        configuration.noiseStandardDeviation = 0.1
        let narrow = GANTrainer(configuration: configuration, data: data)
        let (a, b) = (standard.noise(count: 2000), narrow.noise(count: 2000))
        let columns = 0..<configuration.noiseSize
        let (za, zb) = (a.input.slice(axis: 1, range: columns).scalars, b.input.slice(axis: 1, range: columns).scalars)
        // The same draws, scaled by σ; the codes are unchanged.
        #expect(zip(za, zb).allSatisfy { abs($0 * 0.1 - $1) <= 1e-6 * max(1, abs($0)) })
        #expect(a.labels == b.labels)
        var reference = RandomGenerator(seed: 1)
        let expected = Tensor.normal([5, configuration.noiseSize], using: &reference).scalars
        var again = RandomGenerator(seed: 1)
        #expect(
            GANTrainer.noise(5, GANTrainerTests.configuration(.info), using: &again).scalars == expected)
        for bad: Float in [0, -1, .nan, .infinity] {
            configuration.noiseStandardDeviation = bad
            #expect(configuration.problem() != nil)
        }
    }

    @Test func labelledExamplesArePickedPerClassAndTrainQ() throws {
        var configuration = GANTrainerTests.configuration(.info)
        configuration.discriminatorSteps = 1
        let data = Self.labelledData()
        #expect(GANTrainer(configuration: configuration, data: data).supervisedIndices.isEmpty)
        configuration.supervisedExamplesPerClass = 4
        #expect(configuration.problem() == nil)
        let trainer = GANTrainer(configuration: configuration, data: data)
        let labels = try #require(data.labels)
        #expect(trainer.supervisedIndices.count == 12)
        #expect(trainer.supervisedIndices.map { labels[$0] } == [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2])
        #expect(Set(trainer.supervisedIndices).count == 12)
        #expect(GANTrainer(configuration: configuration, data: data).supervisedIndices == trainer.supervisedIndices)
        var first: Double?
        var last: Double?
        for step in 0..<60 {
            let metrics = trainer.step()
            if step == 0 { first = metrics["supervised_code_loss"] }
            last = metrics["supervised_code_loss"]
        }
        let (start, end) = (try #require(first), try #require(last))
        #expect(start.isFinite && end < start, "supervised loss \(start) → \(end)")
        #expect(trainer.predictedCategories(data.batch(trainer.supervisedIndices)) != [Int](repeating: 0, count: 12))
    }

    @Test func unusableLabelsAndMethodsAreRefused() {
        var configuration = GANTrainerTests.configuration(.info)
        configuration.supervisedExamplesPerClass = 2
        let unlabelled = ToyDistribution.ring8.sample(count: 64, seed: 1)
        #expect(GANTrainer.supervisedLabelProblem(configuration: configuration, data: unlabelled) != nil)
        configuration.infoCodes = InfoGANCodes(categories: 2, continuousCount: 1)
        #expect(GANTrainer.supervisedLabelProblem(configuration: configuration, data: Self.labelledData()) != nil)
        configuration.infoCodes = InfoGANCodes(categories: 0, continuousCount: 1)
        #expect(configuration.problem() != nil)
        var plain = GANTrainerTests.configuration(.nonSaturating)
        plain.supervisedExamplesPerClass = 2
        #expect(plain.problem() != nil)
        plain.supervisedExamplesPerClass = -1
        #expect(plain.problem() != nil)
    }
}
