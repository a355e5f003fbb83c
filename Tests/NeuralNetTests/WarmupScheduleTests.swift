import Autodiff
import Foundation
import MontagueSupport
import Testing
import _MontagueTestSupport

@testable import NeuralNet

/// The warm-up schedules of `--lr-schedule` and their use by ``Seq2SeqExperiment``.
@Suite("Warm-up learning-rate schedules")
struct WarmupScheduleTests {
    func values(_ schedule: some LearningRateSchedule, count: Int) -> [Float] {
        (0..<count).map { schedule.learningRate(atStep: $0) }
    }

    @Test func inverseSquareRootIsVaswanisFormula() {
        let schedule = InverseSquareRootSchedule(peakLearningRate: 1, warmupSteps: 4)
        expectClose(
            values(schedule, count: 8), [0.25, 0.5, 0.75, 1, 0.894427191, 0.816496581, 0.755928946, 0.707106781],
            tolerance: 1e-6, "inverse square root")
        // Vaswani et al. 2017: d^−½ · min(n^−½, n · W^−³ᐟ²) with d 512, W 4,000, whose peak is (d·W)^−½.
        let (d, w) = (512.0, 4000.0)
        let paper = InverseSquareRootSchedule(peakLearningRate: Float(1 / (d * w).squareRoot()), warmupSteps: 4000)
        for step in [0, 1, 999, 3998, 3999, 4000, 12_345, 100_000] {
            let n = Double(step + 1)
            let expected = 1 / d.squareRoot() * min(1 / n.squareRoot(), n * Foundation.pow(w, -1.5))
            #expect(abs(Double(paper.learningRate(atStep: step)) - expected) <= 1e-6 * expected, "step \(step)")
        }
        expectClose(
            values(InverseSquareRootSchedule(peakLearningRate: 2, warmupSteps: 0), count: 4),
            [2, 1.414213562, 1.154700538, 1], tolerance: 1e-6, "no warm-up")
    }

    @Test func warmupCosineReachesTheMinimumAtTheLastStep() {
        let schedule = WarmupCosineSchedule(peakLearningRate: 1, warmupSteps: 2, totalSteps: 6)
        expectClose(
            values(schedule, count: 8), [0.5, 1, 1, 0.853553391, 0.5, 0.146446609, 0, 0], tolerance: 1e-6, "cosine")
        let floor = WarmupCosineSchedule(peakLearningRate: 1, warmupSteps: 0, totalSteps: 2, minimumLearningRate: 0.1)
        expectClose(values(floor, count: 3), [1, 0.55, 0.1], tolerance: 1e-6, "cosine to a floor")
        // No steps after the warm-up: the minimum from there.
        #expect(
            values(WarmupCosineSchedule(peakLearningRate: 1, warmupSteps: 2, totalSteps: 2), count: 3) == [0.5, 1, 0])
    }

    @Test func kindsByName() {
        #expect(LearningRateScheduleKind.constant.schedule(learningRate: 1, warmupSteps: 3, totalSteps: 9) == nil)
        #expect(LearningRateScheduleKind(rawValue: "warmup-inverse-sqrt") == .warmupInverseSqrt)
        #expect(LearningRateScheduleKind(rawValue: "warmup-cosine") == .warmupCosine)
        let cosine = LearningRateScheduleKind.warmupCosine.schedule(learningRate: 0.5, warmupSteps: 1, totalSteps: 3)
        #expect(cosine.map { values($0, count: 4) } == [0.5, 0.5, 0.25, 0])
    }

    /// The `"train"` records' learning rates of a JSON Lines metrics file, by step.
    static func learningRates(_ url: URL) throws -> [Int: Double] {
        var rates: [Int: Double] = [:]
        for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n") {
            let record = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            if record["phase"] as? String == "train", let step = record["step"] as? Int,
                let rate = (record["metrics"] as? [String: Any])?["learning_rate"] as? Double
            {
                rates[step] = rate
            }
        }
        return rates
    }

    @Test func seq2seqRunsFollowTheScheduleAndResumeIt() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("seq2seq-schedule-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func settings(epochs: Int, schedule: LearningRateScheduleKind) -> Seq2SeqExperiment.Settings {
            var settings = Seq2SeqTransformerExperimentTests.settings(epochs: epochs)
            settings.training.learningRateSchedule = schedule
            settings.training.warmupSteps = 3
            return settings
        }
        let train = Seq2SeqExperimentTests.train
        let straight = directory.appendingPathComponent("straight.jsonl")
        _ = try Seq2SeqExperiment.run(
            train: train, test: train, settings: settings(epochs: 4, schedule: .warmupInverseSqrt),
            options: .init(metricsURL: straight))
        // Step s's record carries the rate of step s − 1 (records are written after their step).
        let rates = try Self.learningRates(straight)
        let expected = InverseSquareRootSchedule(peakLearningRate: 0.01, warmupSteps: 3)
        #expect(rates.count == 8)
        for (step, rate) in rates {
            #expect(abs(rate - Double(expected.learningRate(atStep: step - 1))) < 1e-9, "step \(step)")
        }
        // Stopped after 2 epochs and resumed for 4: the same losses as the straight run.
        let output = ModelDirectory(url: directory.appendingPathComponent("model"))
        let resumedLog = directory.appendingPathComponent("resumed.jsonl")
        _ = try Seq2SeqExperiment.run(
            train: train, test: train, settings: settings(epochs: 2, schedule: .warmupInverseSqrt),
            options: .init(output: output, metricsURL: resumedLog))
        let hyperparameters = try Seq2SeqPredictor.hyperparameters(in: output)
        #expect(hyperparameters.learningRateSchedule == .warmupInverseSqrt && hyperparameters.warmupSteps == 3)
        #expect(hyperparameters.settings.training.learningRateSchedule == .warmupInverseSqrt)
        _ = try Seq2SeqExperiment.run(
            train: train, test: train, settings: settings(epochs: 4, schedule: .warmupInverseSqrt),
            options: .init(output: output, metricsURL: resumedLog))
        #expect(try Seq2SeqExperimentTests.trainLosses(resumedLog) == Seq2SeqExperimentTests.trainLosses(straight))
        #expect(try Self.learningRates(resumedLog) == rates)
        // The schedule changes training; the cosine one decays to 0 at the last step.
        let cosineLog = directory.appendingPathComponent("cosine.jsonl")
        _ = try Seq2SeqExperiment.run(
            train: train, test: train, settings: settings(epochs: 4, schedule: .warmupCosine),
            options: .init(metricsURL: cosineLog))
        #expect(try Seq2SeqExperimentTests.trainLosses(cosineLog) != Seq2SeqExperimentTests.trainLosses(straight))
        let cosineRates = try Self.learningRates(cosineLog)
        #expect(cosineRates[3].map { abs($0 - 0.01) < 1e-9 } == true)
        #expect(cosineRates[8].map { $0 > 0 && $0 < 0.001 } == true)
        // Continuing a cosine run with a larger budget plans the decay anew and says so; the same budget does not.
        let cosineModel = ModelDirectory(url: directory.appendingPathComponent("cosine-model"))
        var events: [Seq2SeqExperiment.Event] = []
        _ = try Seq2SeqExperiment.run(
            train: train, test: train, settings: settings(epochs: 2, schedule: .warmupCosine),
            options: .init(output: cosineModel))
        #expect(try cosineModel.readManifest().metrics["train.schedule_steps"] == 4)
        _ = try Seq2SeqExperiment.run(
            train: train, test: train, settings: settings(epochs: 4, schedule: .warmupCosine),
            options: .init(output: cosineModel), report: { events.append($0) })
        let replanned = WarmupCosineSchedule(peakLearningRate: 0.01, warmupSteps: 3, totalSteps: 8)
        #expect(
            events.contains(
                .scheduleReplanned(
                    step: 4, previousSteps: 4, steps: 8, learningRate: replanned.learningRate(atStep: 4))))
        events = []
        _ = try Seq2SeqExperiment.run(
            train: train, test: train, settings: settings(epochs: 4, schedule: .warmupCosine),
            options: .init(output: cosineModel), report: { events.append($0) })
        #expect(!events.contains { if case .scheduleReplanned = $0 { true } else { false } })
        // A manifest written before schedules existed decodes as the constant schedule.
        let old = Seq2SeqHyperparameters(
            Seq2SeqTransformerExperimentTests.settings(epochs: 1), sourceVocabularySize: 5, targetVocabularySize: 5)
        #expect(old.learningRateSchedule == nil && old.warmupSteps == nil)
        #expect(old.settings.training.learningRateSchedule == .constant && old.settings.training.warmupSteps == 0)
    }
}
