import Foundation
import NeuralNet
import Testing

/// `3 → 4 (tanh, dropout 0.3) → 1`: small enough for debug, random enough (dropout) to test resuming.
private struct DropoutRegressor: Module {
    let first: Linear
    let second: Linear

    init(seed: UInt64) {
        var generator = RandomGenerator(seed: seed)
        first = Linear(inputSize: 3, outputSize: 4, using: &generator)
        second = Linear(inputSize: 4, outputSize: 1, using: &generator)
    }

    var namedParameters: [(name: String, parameter: Parameter)] {
        prefixed("first", first) + prefixed("second", second)
    }

    func callAsFunction(_ input: Tensor) -> Tensor { second(first(input).tanh()) }

    func callAsFunction(_ input: Tensor, using generator: inout RandomGenerator) -> Tensor {
        second(first(input).tanh().dropout(probability: 0.3, training: true, using: &generator))
    }
}

/// Six examples in three batches of two, visited in each epoch's order.
private enum RegressionData {
    static let inputs: [[Float]] = [[0, 1, 2], [1, 0, -1], [2, 2, 0], [-1, 1, 0], [0.5, -0.5, 1], [1, 1, 1]]
    static let targets: [Float] = [1, -1, 0.5, 0, 2, -0.5]

    static func batch(_ index: Int) -> (Tensor, Tensor) {
        let rows = [2 * index, 2 * index + 1]
        return (Tensor(rows.map { inputs[$0] }), Tensor(shape: [2, 1], scalars: rows.map { targets[$0] }))
    }
}

/// A run of the dropout regressor with Adam; `initSeed` only sets the initial parameters.
private final class RegressionRun {
    let model: DropoutRegressor
    let adam: Adam
    let loop: TrainingLoop

    init(initSeed: UInt64 = 3, configuration: TrainingConfiguration, earlyStopping: EarlyStopping? = nil) {
        model = DropoutRegressor(seed: initSeed)
        adam = Adam(model.parameters, learningRate: 0.05)
        loop = TrainingLoop(
            model: model, optimizer: adam, configuration: configuration, earlyStopping: earlyStopping,
            progress: ProgressReporter(totalSteps: nil, isEnabled: false))
    }

    func step(_ context: inout TrainingStep) -> [String: Double] {
        let (x, y) = RegressionData.batch(context.epochOrder(count: 3)[context.indexInEpoch])
        let loss = meanSquaredError(model(x, using: &context.generator), y)
        adam.step(gradients(of: loss, wrt: model.parameterValues))
        return ["loss": Double(loss.item)]
    }

    var parameterBits: [UInt32] { model.parameterValues.flatMap { $0.scalars.map(\.bitPattern) } }
}

private func temporaryURL(_ name: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("montague-training-\(UUID().uuidString)-\(name)")
}

@Suite("Training loop: early stopping, metrics log, progress, bit-for-bit resume")
struct TrainingLoopTests {
    @Test func earlyStoppingCountsEvaluationsWithoutImprovementBeyondMinDelta() {
        var stopping = EarlyStopping(metric: "loss", patience: 2, minDelta: 0.01, mode: .minimize)
        #expect(stopping.update(value: .nan, step: 1) == .notImproved)
        #expect(stopping.update(value: 1.0, step: 2) == .improved)
        #expect(stopping.update(value: 0.995, step: 3) == .notImproved)  // within minDelta
        #expect(stopping.update(value: 0.98, step: 4) == .improved)
        #expect(stopping.best == 0.98 && stopping.bestStep == 4)
        #expect(stopping.update(value: 0.99, step: 5) == .notImproved)
        #expect(stopping.update(value: 0.975, step: 6) == .stop)
        #expect(stopping.evaluationsWithoutImprovement == 2)

        var accuracy = EarlyStopping(metric: "accuracy", patience: 1, mode: .maximize)
        #expect(accuracy.update(value: 0.5, step: 1) == .improved)
        #expect(accuracy.update(value: 0.6, step: 2) == .improved)
        #expect(accuracy.update(value: 0.6, step: 3) == .stop)
        #expect(!accuracy.isImprovement(.nan))
    }

    @Test func metricsRecordIsOneJSONObjectWithNullForNonFinite() throws {
        let record = MetricsRecord(
            phase: "train", step: 3, epoch: 1, wallTime: 0.25,
            metrics: ["loss": 0.5, "a\"b\n": 2, "ppl": .infinity])
        #expect(
            record.jsonLine
                == #"{"phase":"train","step":3,"epoch":1,"wall_time":0.25,"metrics":{"a\"b\n":2,"loss":0.5,"ppl":null}}"#
        )
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(record.jsonLine.utf8)) as? [String: Any])
        #expect((object["metrics"] as? [String: Any])?["a\"b\n"] as? Double == 2)
    }

    @Test func metricsLoggerKeepsEarlierRecordsWhenResuming() throws {
        let url = temporaryURL("log.jsonl")
        defer { try? FileManager.default.removeItem(at: url) }
        let logger = try MetricsLogger(url: url)
        for step in 1...5 {
            try logger.log(MetricsRecord(phase: "train", step: step, epoch: 0, wallTime: 0, metrics: ["x": 1]))
        }
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 5)  // written line by line, no buffering left behind
        let resumed = try MetricsLogger(url: url, keepingRecordsThrough: 3)
        try resumed.log(MetricsRecord(phase: "eval", step: 4, epoch: 0, wallTime: 0, metrics: ["x": 2]))
        let after = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        #expect(after.count == 4)
        #expect(after.last?.hasPrefix(#"{"phase":"eval","step":4"#) == true)
        let fresh = try MetricsLogger(url: url)
        _ = fresh
        #expect(try String(contentsOf: url, encoding: .utf8).isEmpty)
    }

    @Test func progressIsSilentWhenDisabledAndShowsRateAndETAWhenEnabled() {
        var written: [String] = []
        var now = 0.0
        let quiet = ProgressReporter(totalSteps: 10, isEnabled: false, write: { written.append($0) })
        quiet.update(step: 1, epoch: 0, metrics: ["loss": 1])
        quiet.finish()
        #expect(written.isEmpty)

        let reporter = ProgressReporter(
            totalSteps: 100, isEnabled: true, minimumInterval: 1, write: { written.append($0) }, clock: { now })
        reporter.update(step: 10, epoch: 0, metrics: ["loss": 0.5])
        now = 0.5
        reporter.update(step: 15, epoch: 0, metrics: ["loss": 0.4])  // throttled
        now = 2
        reporter.update(step: 30, epoch: 1, metrics: ["loss": 0.25, "acc": 0.75])
        reporter.finish()
        #expect(written.count == 3)
        #expect(written[0] == "\r\u{1B}[Kstep 10/100  epoch 0  loss 0.5")
        #expect(written[1] == "\r\u{1B}[Kstep 30/100  epoch 1  10 steps/s  ETA 7s  acc 0.75  loss 0.25")
        #expect(written[2] == "\n")
        // A message printed between updates gets its own line: the live line is erased first and drawn again
        // (not throttled) at the next update.
        now = 4
        reporter.update(step: 40, epoch: 1, metrics: [:])
        reporter.clearLine()
        #expect(written.last == "\r\u{1B}[K")
        reporter.clearLine()  // nothing drawn since: nothing to erase
        now = 4.1
        reporter.update(step: 41, epoch: 1, metrics: [:])
        #expect(written.count == 6 && written[5].hasPrefix("\r\u{1B}[Kstep 41/100  epoch 1  "))
        #expect(ProgressReporter.duration(187) == "3m07s" && ProgressReporter.duration(7500) == "2h05m")
    }

    @Test func epochOrderIsAPermutationFixedBySeedAndEpoch() {
        let order = TrainingStep.epochOrder(count: 20, epoch: 3, seed: 9)
        #expect(order.sorted() == Array(0..<20))
        #expect(order == TrainingStep.epochOrder(count: 20, epoch: 3, seed: 9))
        #expect(order != TrainingStep.epochOrder(count: 20, epoch: 4, seed: 9))
        #expect(order != TrainingStep.epochOrder(count: 20, epoch: 3, seed: 10))
    }

    @Test func resumingFromACheckpointContinuesBitForBit() throws {
        let url = temporaryURL("resume.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        let total = 10
        let straight = RegressionRun(configuration: TrainingConfiguration(totalSteps: total, stepsPerEpoch: 3, seed: 7))
        try straight.loop.run(step: straight.step)

        // 4 steps (mid-epoch), checkpoint, then a fresh process-like start: other initial weights, new optimizer.
        let first = RegressionRun(
            configuration: TrainingConfiguration(totalSteps: 4, stepsPerEpoch: 3, seed: 7, checkpointURL: url))
        try first.loop.run(step: first.step)
        let second = RegressionRun(
            initSeed: 99, configuration: TrainingConfiguration(totalSteps: total, stepsPerEpoch: 3, seed: 123))
        try second.loop.resume(from: url)
        #expect(second.loop.state.step == 4 && second.loop.state.seed == 7)
        #expect(try SafetensorsFile(contentsOf: url).metadata[TrainingLoop.epochKey] == "1")
        #expect(second.adam.stepCount == 4)
        let summary = try second.loop.run(step: second.step)
        #expect(summary.steps == total && summary.stopReason == .completed)
        #expect(second.parameterBits == straight.parameterBits)
        #expect(second.loop.state.generator == straight.loop.state.generator)

        // The randomness matters: another seed gives other parameters, so the equality above is not vacuous.
        let otherSeed = RegressionRun(
            configuration: TrainingConfiguration(totalSteps: total, stepsPerEpoch: 3, seed: 8))
        try otherSeed.loop.run(step: otherSeed.step)
        #expect(otherSeed.parameterBits != straight.parameterBits)
    }

    @Test func earlyStoppingStopsTheLoopAndSurvivesResume() throws {
        let checkpoint = temporaryURL("early.safetensors")
        let best = temporaryURL("best.safetensors")
        let log = temporaryURL("early.jsonl")
        defer { for url in [checkpoint, best, log] { try? FileManager.default.removeItem(at: url) } }
        // Evaluation values by step: improves at 2 and 4, then never again.
        let script: [Int: Double] = [2: 1.0, 4: 0.5, 6: 0.6, 8: 0.55, 10: 0.7, 12: 0.4]
        func configuration(_ total: Int) -> TrainingConfiguration {
            TrainingConfiguration(
                totalSteps: total, stepsPerEpoch: 3, seed: 1, evaluationInterval: 2, checkpointURL: checkpoint,
                bestCheckpointURL: best)
        }
        let run = RegressionRun(configuration: configuration(7), earlyStopping: EarlyStopping(patience: 3))
        run.loop.metricsLogger = try MetricsLogger(url: log)
        try run.loop.run(step: run.step) { ["loss": script[run.loop.state.step] ?? 9] }
        let lastBits = run.parameterBits  // the step-7 model; the best was at step 4
        #expect(run.loop.state.earlyStopping?.bestStep == 4)
        #expect(run.loop.state.earlyStopping?.evaluationsWithoutImprovement == 2)  // at 6 and at the last step 7

        let resumed = RegressionRun(configuration: configuration(20), earlyStopping: EarlyStopping(patience: 3))
        try resumed.loop.resume(from: checkpoint)
        #expect(resumed.loop.state.earlyStopping == run.loop.state.earlyStopping)
        resumed.loop.metricsLogger = try MetricsLogger(url: log, keepingRecordsThrough: resumed.loop.state.step)
        let summary = try resumed.loop.run(step: resumed.step) { ["loss": script[resumed.loop.state.step] ?? 9] }
        #expect(summary.stopReason == .earlyStopped)
        #expect(summary.steps == 8)  // third evaluation without improvement: 7, then 8
        #expect(summary.earlyStopping?.best == 0.5)

        // The best checkpoint holds the step-4 model, different from the final one.
        let reloaded = RegressionRun(configuration: configuration(1))
        try Checkpoint.load(into: reloaded.model, optimizer: reloaded.adam, from: best)
        #expect(reloaded.parameterBits != resumed.parameterBits && reloaded.parameterBits != lastBits)

        let records = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
        let evalSteps = records.filter { $0.contains(#""phase":"eval""#) }.count
        #expect(records.count == 8 + evalSteps && evalSteps == 5)  // eval at 2, 4, 6, 7, 8
    }

    @Test func nonFiniteMetricStopsWithoutOverwritingTheCheckpoint() throws {
        let url = temporaryURL("nan.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        let run = RegressionRun(
            configuration: TrainingConfiguration(
                totalSteps: 10, stepsPerEpoch: 3, checkpointInterval: 2, checkpointURL: url))
        let summary = try run.loop.run { context in
            _ = run.step(&context)
            return ["loss": context.index == 4 ? .nan : 1]
        }
        #expect(summary.stopReason == .nonFiniteMetric("loss") && summary.steps == 5)
        let probe = RegressionRun(configuration: TrainingConfiguration(totalSteps: 10))
        try probe.loop.resume(from: url)
        #expect(probe.loop.state.step == 4)
    }

    @Test func resumingFromAPlainCheckpointReportsTheMissingTrainingState() throws {
        let url = temporaryURL("plain.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        let run = RegressionRun(configuration: TrainingConfiguration(totalSteps: 1))
        try Checkpoint.save(model: run.model, optimizer: run.adam, to: url)
        #expect(throws: TrainingError.invalidTrainingState(path: url.path, key: TrainingLoop.stepKey, value: nil)) {
            try run.loop.resume(from: url)
        }
    }

    @Test func documentationExampleLearnsALine() throws {
        var generator = RandomGenerator(seed: 1)
        let model = Linear(inputSize: 1, outputSize: 1, using: &generator)
        let adam = Adam(model.parameters, learningRate: 0.1)
        let xs = Tensor([[0], [1], [2], [3]])
        let ys = Tensor([[1], [3], [5], [7]])
        let loop = TrainingLoop(
            model: model, optimizer: adam,
            configuration: TrainingConfiguration(totalSteps: 200, evaluationInterval: 50),
            earlyStopping: EarlyStopping(metric: "loss", patience: 3, minDelta: 1e-6),
            progress: ProgressReporter(totalSteps: nil, isEnabled: false))
        let summary = try loop.run { _ in
            let loss = meanSquaredError(model(xs), ys)
            adam.step(gradients(of: loss, wrt: model.parameterValues))
            return ["loss": Double(loss.item)]
        } evaluate: {
            ["loss": Double(withoutGradients { meanSquaredError(model(xs), ys) }.item)]
        }
        #expect(summary.stopReason == .completed && summary.steps == 200)
        #expect(try #require(summary.lastEvaluation?["loss"]) < 0.05)
    }

    @Test func documentationExamplesOfTheLoggerAndEarlyStoppingRun() throws {
        var stopping = EarlyStopping(metric: "loss", patience: 2, minDelta: 0.01, mode: .minimize)
        #expect(stopping.update(value: 1.0, step: 10) == .improved)
        #expect(stopping.update(value: 0.995, step: 20) == .notImproved)
        #expect(stopping.update(value: 0.999, step: 30) == .stop)
        let url = temporaryURL("run.jsonl")
        defer { try? FileManager.default.removeItem(at: url) }
        let logger = try MetricsLogger(url: url)
        try logger.log(MetricsRecord(phase: "train", step: 1, epoch: 0, wallTime: 0.1, metrics: ["loss": 0.7]))
        #expect(
            try String(contentsOf: url, encoding: .utf8)
                == #"{"phase":"train","step":1,"epoch":0,"wall_time":0.1,"metrics":{"loss":0.7}}"# + "\n")
    }

    @Test func learningRateScheduleSetsTheRateBeforeEachStepAndIsLogged() throws {
        let log = temporaryURL("lr.jsonl")
        defer { try? FileManager.default.removeItem(at: log) }
        let model = DropoutRegressor(seed: 1)
        let sgd = SGD(model.parameters, learningRate: 1)
        let schedule = StepSchedule(initialLearningRate: 0.5, stepSize: 2, gamma: 0.1)
        let loop = TrainingLoop(
            model: model, optimizer: sgd, configuration: TrainingConfiguration(totalSteps: 5),
            learningRateSchedule: schedule,
            metricsLogger: try MetricsLogger(url: log), progress: ProgressReporter(totalSteps: nil, isEnabled: false))
        var seen: [Float] = []
        try loop.run { _ in
            seen.append(sgd.learningRate)
            return ["loss": 1]
        }
        #expect(seen == (0..<5).map { schedule.learningRate(atStep: $0) })
        #expect(seen[1] == 0.5 && seen[2] == 0.05 && abs(seen[4] - 0.005) < 1e-9)
        let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 5 && lines[2].contains(#""learning_rate":0.05"#))
    }
}
