import Autodiff

/// Action values of a finite state space as one `[states, actions]` table: the weights of the tabular agents on
/// the key-door grid world (saved and loaded like any network's parameters).
public final class TabularQFunction: ParameterContainer {
    /// Number of states.
    public let stateCount: Int
    /// Number of actions (or subgoals).
    public let actionCount: Int
    /// The table, row-major `[stateCount, actionCount]`.
    public let table: Parameter
    private let name: String

    /// A zero table named `name` in the weights file.
    public init(stateCount: Int, actionCount: Int, name: String = "q") {
        self.stateCount = stateCount
        self.actionCount = actionCount
        self.name = name
        table = Parameter(
            Tensor(shape: [stateCount, actionCount], scalars: [Float](repeating: 0, count: stateCount * actionCount)))
    }

    public var namedParameters: [(name: String, parameter: Parameter)] { [(name, table)] }

    /// The row of `state`.
    public func values(_ state: Int) -> [Float] {
        let scalars = table.value.scalars
        return Array(scalars[(state * actionCount)..<((state + 1) * actionCount)])
    }
}

/// Settings of the tabular learners (``TabularQLearner``, ``ReverseCurriculum``, ``SubgoalHierarchy``).
public struct TabularQLearningConfiguration: Codable, Equatable, Sendable {
    /// Step size α.
    public var learningRate = 0.5
    /// γ.
    public var discount = 0.99
    /// ε of ε-greedy exploration (ties between equal values are broken at random).
    public var epsilon = 0.1

    /// The defaults.
    public init() {}
}

/// A table of action values with ε-greedy choice and the one-step Q-learning update
/// `Q(s, a) ← Q(s, a) + α (r + γ max_a′ Q(s′, a′) − Q(s, a))` (Watkins & Dayan, "Q-learning", Machine Learning 1992).
public struct ActionValueTable: Sendable {
    /// Row-major `[states, actions]` values.
    public var values: [Double]
    /// Actions per state.
    public let actions: Int

    /// A zero table.
    public init(states: Int, actions: Int) {
        values = [Double](repeating: 0, count: states * actions)
        self.actions = actions
    }

    /// `max_a Q(s, a)`.
    public func maximum(_ state: Int) -> Double {
        var best = -Double.infinity
        for action in 0..<actions { best = max(best, values[state * actions + action]) }
        return best
    }

    /// The first action of highest value (deterministic).
    public func greedy(_ state: Int) -> Int {
        var best = 0
        for action in 1..<actions where values[state * actions + action] > values[state * actions + best] {
            best = action
        }
        return best
    }

    /// ε-greedy with ties among the best actions broken uniformly at random.
    public func explore(_ state: Int, epsilon: Double, using generator: inout RandomGenerator) -> Int {
        if generator.nextUnitDouble() < epsilon { return generator.nextInt(below: actions) }
        let best = maximum(state)
        let ties = (0..<actions).filter { values[state * actions + $0] == best }
        return ties[generator.nextInt(below: ties.count)]
    }

    /// One Q-learning step toward `reward + discount · max Q(next)` (just `reward` when `terminal`).
    public mutating func update(
        _ state: Int, _ action: Int, reward: Double, next: Int, terminal: Bool, discount: Double, learningRate: Double
    ) {
        let target = reward + (terminal ? 0 : discount * maximum(next))
        values[state * actions + action] += learningRate * (target - values[state * actions + action])
    }

    /// The values as a ``TabularQFunction``'s table.
    public func write(to function: TabularQFunction) {
        function.table.update(scalars: values.map { Float($0) })
    }

    /// The values of a ``TabularQFunction`` (after loading weights).
    public mutating func read(from function: TabularQFunction) {
        values = function.table.value.scalars.map { Double($0) }
    }
}

/// Flat tabular Q-learning on the key-door grid world: episodes from the start (or from any given state, which is
/// what a curriculum uses), ε-greedy, one update per step. The baseline of the curriculum and hierarchy experiments.
public final class TabularQLearner {
    /// The settings.
    public let configuration: TabularQLearningConfiguration
    /// The world (its state is the current episode's).
    public private(set) var world: KeyDoorGridWorld
    /// `Q(s, a)` over ``KeyDoorGridWorld/stateIndex``.
    public var table: ActionValueTable
    /// The generator of exploration.
    public var generator: RandomGenerator
    /// Environment steps so far.
    public var environmentSteps = 0
    /// Returns (1 at the goal, else 0) of finished training episodes, wherever they started.
    public private(set) var episodeReturns: [Double] = []
    /// The environment step after which the greedy policy first reached the goal from the start (nil: not yet).
    public private(set) var solvedAtStep: Int?

    /// A learner on `world`, seeded with `seed`.
    public init(world: KeyDoorGridWorld, configuration: TabularQLearningConfiguration, seed: UInt64) {
        self.world = world
        self.configuration = configuration
        table = ActionValueTable(states: world.stateCount, actions: 4)
        generator = RandomGenerator(seed: seed)
    }

    /// Restores counters after loading the table (resume).
    public func restoreCounters(environmentSteps: Int, episodeReturns: [Double]) {
        self.environmentSteps = environmentSteps
        self.episodeReturns = episodeReturns
    }

    /// One ε-greedy training episode from `start` (at most `stepLimit` steps, else the world's time limit);
    /// returns whether it reached the goal.
    @discardableResult
    public func runEpisode(from start: GridState, stepLimit: Int? = nil) -> Bool {
        _ = world.reset(to: start)
        let limit = min(stepLimit ?? world.maxEpisodeSteps, world.maxEpisodeSteps)
        var reached = false
        for _ in 0..<limit {
            let state = world.stateIndex
            let action = table.explore(state, epsilon: configuration.epsilon, using: &generator)
            let outcome = world.step(.discrete(action))
            environmentSteps += 1
            table.update(
                state, action, reward: outcome.reward, next: world.stateIndex, terminal: outcome.terminated,
                discount: configuration.discount, learningRate: configuration.learningRate)
            if outcome.terminated { reached = true }
            if outcome.done { break }
        }
        episodeReturns.append(reached ? 1 : 0)
        if solvedAtStep == nil && greedyReachesGoal() { solvedAtStep = environmentSteps }
        return reached
    }

    /// Whether the greedy policy walks from the start to the goal within the time limit (the world is
    /// deterministic, so one rollout decides).
    public func greedyReachesGoal() -> Bool {
        var probe = world
        _ = probe.reset(to: probe.startState)
        for _ in 0..<probe.maxEpisodeSteps {
            let outcome = probe.step(.discrete(table.greedy(probe.stateIndex)))
            if outcome.terminated { return true }
            if outcome.done { return false }
        }
        return false
    }

    /// Episodes from the world's start until `steps` environment steps.
    public func train(steps: Int, report: (TrainingReport) -> Void = { _ in }) {
        while environmentSteps < steps {
            runEpisode(from: world.startState, stepLimit: steps - environmentSteps)
            report(gridReport(episodes: episodeReturns, steps: environmentSteps, solvedAt: solvedAtStep))
        }
    }
}

/// A training report of a grid-world learner: the success rate of the last 100 episodes as the return.
func gridReport(episodes: [Double], steps: Int, solvedAt: Int?) -> TrainingReport {
    let recent = episodes.suffix(100)
    return TrainingReport(
        environmentSteps: steps, episodes: episodes.count,
        recentMeanReturn: recent.isEmpty ? nil : recent.reduce(0, +) / Double(recent.count),
        scalars: ["greedy_solves": solvedAt == nil ? 0 : 1])
}
