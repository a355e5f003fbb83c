import ArgumentParser
import Distributed
import Foundation
import MontagueSupport
import NeuralNet
import Plotting
import RL

extension EnvironmentName: ExpressibleByArgument {}
extension RLMethod: ExpressibleByArgument {}

extension StepCount: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

/// `montague train rl --env ENV --method METHOD --steps N --output DIR`: trains an agent (the algorithms are
/// `RLTrainingRun`, `OnPolicyTrainer` and `DQNTrainer` in the RL library).
struct TrainRLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rl",
        abstract: "Train a reinforcement-learning agent on a Gymnasium-compatible environment.",
        discussion: """
            Environments reproduce Gymnasium 1.x's classic control (CartPole-v1, MountainCar-v0, \
            MountainCarContinuous-v0, Acrobot-v1, Pendulum-v1) plus key-door grid worlds (KeyDoor-v0, \
            KeyDoorLarge-v0). Methods: reinforce, a2c, a3c (worker threads), ppo (clipped objective), ppo-kl \
            (adaptive KL penalty) for any action space; dqn, double-dqn, dueling-dqn, per-dqn (prioritized \
            replay), noisy-dqn, c51 and rainbow for discrete actions; ddpg, td3 and naf for continuous actions; \
            bc (behavior cloning) and gail (adversarial imitation with PPO) learn from --demonstrations FILE, which \
            `montague predict DIR --episodes N --output FILE` records from a trained agent; q-learning, \
            reverse-curriculum and hierarchical (tabular, subgoals key/door/goal) are for the grid worlds. \
            --curiosity η adds an intrinsic curiosity module to the DQN family. \
            Hyperparameters default to the Stable-Baselines3 zoo's where it has them; they are stored in the model \
            directory's manifest and --hyperparameters FILE overrides them. Progress is drawn on a terminal; \
            --metrics writes one JSON object per update (default DIR/metrics.jsonl), and DIR/returns.svg plots the \
            training returns. After training the greedy policy is evaluated over --eval-episodes episodes. \
            --resume continues a run from DIR. See \
            docs/experiments.md for measured results.

            Examples:
              montague train rl --env CartPole-v1 --method ppo --steps 100k --seed 1 --output runs/ppo
              montague train rl --env CartPole-v1 --method dqn --steps 50k --output runs/dqn --time-limit 10m
              montague train rl --output runs/ppo --steps 200k --resume
              montague train rl --env KeyDoorLarge-v0 --method hierarchical --steps 200k --output runs/grid
              montague train rl --env MountainCar-v0 --method dqn --steps 30k --curiosity 1 --output runs/icm
              montague predict runs/ppo --episodes 10 --output expert.jsonl
              montague train rl --method bc --demonstrations expert.jsonl --demonstration-episodes 2 --output runs/bc
              montague evaluate runs/ppo --episodes 100
            """)

    @Option(name: .long, help: "Environment (\(EnvironmentName.allCases.map(\.rawValue).joined(separator: ", "))).")
    var env: EnvironmentName = .cartPole

    @Option(name: .long, help: "Method (\(RLMethod.allCases.map(\.rawValue).joined(separator: ", "))).")
    var method: RLMethod = .ppo

    @Option(name: .long, help: "Environment steps in total (50000, 50k, 1m).")
    var steps = StepCount(100_000)

    @Option(name: .long, help: "Seed of networks, actions and environments.")
    var seed: UInt64 = 1

    @Option(name: .long, help: "The model directory to write.")
    var output: String

    @Option(name: .customLong("time-limit"), help: "Wall-clock budget (90s, 45m, 2h); the model is saved when it ends.")
    var timeLimit: WallClockBudget?

    @Option(name: .long, help: "Metrics file, one JSON object per update (default: DIR/metrics.jsonl).")
    var metrics: String?

    @Option(name: .customLong("eval-episodes"), help: "Episodes of the final greedy evaluation.")
    var evalEpisodes = 10

    @Option(name: .long, help: "Expert demonstrations for bc and gail (JSON Lines from `montague predict --output`).")
    var demonstrations: String?

    @Option(name: .customLong("demonstration-episodes"), help: "Use only the first N demonstrated episodes.")
    var demonstrationEpisodes: Int?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A JSON file whose object overrides hyperparameters (keys as in a model directory's manifest).",
            discussion: "For example {\"naf\": {\"tau\": 0.001}} or {\"dqn\": {\"gradientSteps\": 2}}."))
    var hyperparameters: String?

    @Option(
        name: .long,
        help: "Add an intrinsic curiosity module (Pathak et al. 2017) with this reward scale η (DQN family only).")
    var curiosity: Float?

    @Flag(name: .long, help: "Continue the run saved in --output (its environment, method and seed).")
    var resume = false

    @Flag(name: .long, help: "Print the summary as JSON.")
    var json = false

    func validate() throws {
        if evalEpisodes <= 0 { throw ValidationError("--eval-episodes must be positive") }
        if let demonstrationEpisodes, demonstrationEpisodes <= 0 {
            throw ValidationError("--demonstration-episodes must be positive")
        }
        if let curiosity, !(curiosity > 0 && curiosity.isFinite) {
            throw ValidationError("--curiosity must be a positive scale")
        }
        if resume && hyperparameters != nil {
            throw ValidationError("--hyperparameters applies to new runs; a resumed run keeps its stored ones")
        }
        if !resume && (method == .bc || method == .gail) && demonstrations == nil {
            throw ValidationError("--method \(method.rawValue) needs --demonstrations FILE")
        }
    }

    func run() throws {
        // Under mpirun A2C and PPO collect rollouts on every rank and average gradients; without it, one process
        // as always (docs/distributed.md).
        let world = try ProcessGroup.world()
        try world.runTraining { try train(world: world) }
    }

    private func train(world: ProcessGroup) throws {
        let directory = ModelDirectory(path: output)
        let run: RLTrainingRun
        if resume {
            run = try RLTrainingRun.resume(from: directory)
        } else {
            var hyperparameters = try RLHyperparameters(environment: env, method: method, seed: seed)
            if let path = self.hyperparameters {
                let text: String
                do {
                    text = try String(contentsOfFile: path, encoding: .utf8)
                } catch {
                    throw InputError(
                        "cannot read the hyperparameters: \(error.localizedDescription)", at: SourceLocation(file: path)
                    )
                }
                hyperparameters = try hyperparameters.overriding(withJSON: text, path: path)
            }
            if let curiosity {
                guard hyperparameters.dqn != nil else {
                    throw ValidationError(
                        "--curiosity applies to the DQN family, not \(hyperparameters.method.rawValue)")
                }
                var settings = CuriositySettings()
                settings.scale = curiosity
                hyperparameters.dqn?.curiosity = settings
            }
            if let demonstrations {
                hyperparameters.imitation?.demonstrationsPath = demonstrations
                hyperparameters.imitation?.episodes = demonstrationEpisodes
            }
            run = try RLTrainingRun(hyperparameters)
        }
        let hyperparameters = run.hyperparameters
        if world.size > 1 {
            try run.joinDataParallel(DataParallelSynchronizer(group: world))
            if world.isMainRank { print("data-parallel training on \(world.size) ranks (\(world.backendDescription))") }
        }
        guard world.isMainRank else {  // the other ranks train; rank 0 alone logs, evaluates and writes
            run.train(steps: steps.value, deadline: timeLimit.map { Date().addingTimeInterval($0.seconds) })
            if let error = run.synchronizationError { throw error }
            return
        }
        try directory.create()
        let metricsURL = URL(fileURLWithPath: metrics ?? directory.file("metrics.jsonl").path)
        let logger = try MetricsLogger(url: metricsURL, keepingRecordsThrough: resume ? run.environmentSteps : nil)
        let progress = ProgressReporter(totalSteps: steps.value)
        let start = Date()
        let deadline = timeLimit.map { start.addingTimeInterval($0.seconds) }
        var loggingError: Error?
        run.train(steps: steps.value, deadline: deadline) { report in
            var values = report.scalars
            if let mean = report.recentMeanReturn { values["return"] = mean }
            values["episodes"] = Double(report.episodes)
            progress.update(step: report.environmentSteps, epoch: report.episodes, metrics: values)
            do {
                try logger.log(
                    MetricsRecord(
                        phase: "train", step: report.environmentSteps, epoch: report.episodes,
                        wallTime: Date().timeIntervalSince(start), metrics: values))
            } catch {
                loggingError = error
            }
        }
        progress.finish()
        if let error = run.synchronizationError { throw error }
        if let loggingError { throw loggingError }
        let wallTime = Date().timeIntervalSince(start)
        let returns = evaluatePolicy(
            run.policy, environment: hyperparameters.environment, episodes: evalEpisodes,
            seed: hyperparameters.seed &+ 1_000_000)
        let (mean, deviation) = meanAndStandardDeviation(returns)
        try run.save(
            to: directory,
            metrics: [
                "eval.return.mean": mean, "eval.return.std": deviation, "eval.episodes": Double(evalEpisodes),
                "train.environment_steps": Double(run.environmentSteps), "train.wall_seconds": wallTime,
            ])
        try writeReturnCurve(
            run.episodeReturns, title: "\(hyperparameters.environment.rawValue) \(hyperparameters.method.rawValue)",
            to: directory.file("returns.svg"))
        if json {
            var summary: [String: Any] = [
                "environment": hyperparameters.environment.rawValue, "method": hyperparameters.method.rawValue,
                "seed": hyperparameters.seed, "environment_steps": run.environmentSteps, "wall_seconds": wallTime,
                "eval_episodes": evalEpisodes, "eval_return_mean": mean, "eval_return_std": deviation,
            ]
            if let solved = run.solvedAtStep { summary["solved_at_step"] = solved }
            if let first = run.firstTerminalStep { summary["first_terminal_step"] = first }
            if let count = run.terminalEpisodes { summary["terminal_episodes"] = count }
            let data = try JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(
                "\(hyperparameters.environment.rawValue) \(hyperparameters.method.rawValue) seed \(hyperparameters.seed): "
                    + "\(run.environmentSteps) steps in \(String(format: "%.1f", wallTime)) s, "
                    + "\(run.episodeReturns.count) episodes")
            print(
                "evaluation over \(evalEpisodes) episodes: \(String(format: "%.1f", mean)) ± "
                    + "\(String(format: "%.1f", deviation))")
            print("saved \(directory.url.path)")
        }
    }

    /// The training returns per episode and their 100-episode moving average, as an SVG line chart.
    private func writeReturnCurve(_ returns: [Double], title: String, to url: URL) throws {
        guard !returns.isEmpty else { return }
        let raw = returns.enumerated().map { ChartPoint(x: Double($0 + 1), y: $1) }
        var average: [ChartPoint] = []
        var window = 0.0
        for (index, value) in returns.enumerated() {
            window += value
            if index >= 100 { window -= returns[index - 100] }
            average.append(ChartPoint(x: Double(index + 1), y: window / Double(min(index + 1, 100))))
        }
        let chart = LineChart(
            series: [LineSeries(name: "return", points: raw), LineSeries(name: "mean of last 100", points: average)],
            title: title, xLabel: "episode", yLabel: "return")
        try AtomicFile.write(Data(chart.svg().utf8), to: url)
    }
}
