import Autodiff

/// Settings of ``SubgoalHierarchy``.
public struct SubgoalHierarchyConfiguration: Codable, Equatable, Sendable {
    /// Step size, discount and ε of both levels.
    public var learner = TabularQLearningConfiguration()
    /// An option ends after this many steps even when its subgoal is not reached.
    public var optionStepLimit = 40

    /// The defaults.
    public init() {}
}

/// A two-level agent on the key-door grid world in the manner of h-DQN (Kulkarni, Narasimhan, Saeedi & Tenenbaum,
/// "Hierarchical deep reinforcement learning: integrating temporal abstraction and intrinsic motivation", NIPS
/// 2016), with tables instead of networks:
///
/// - a **meta-controller** `Q_M(s, g)` picks a subgoal `g` ∈ {key, door, goal} (cells of the world) from the
///   extrinsic reward;
/// - a **controller** `Q_C(s, g, a)` walks to `g`, rewarded intrinsically with 1 on reaching it (the option then
///   terminates; it also stops after ``SubgoalHierarchyConfiguration/optionStepLimit`` steps).
///
/// Every transition updates the controllers of *all* subgoals (their intrinsic rewards are known for any `g`), and
/// the meta-controller learns by intra-option Q-learning (Sutton, Precup & Singh, "Between MDPs and semi-MDPs",
/// Artificial Intelligence 1999): each option whose greedy controller would have taken the same action is updated
/// toward `r + γ[(1 − β) Q_M(s′, g) + β max_g′ Q_M(s′, g′)]`, `β` = 1 where `g` is reached. The greedy policy picks
/// `g = argmax Q_M(s, ·)` at every step and then `argmax Q_C(s, g, ·)`.
public final class SubgoalHierarchy {
    /// The settings.
    public let configuration: SubgoalHierarchyConfiguration
    /// The world.
    public private(set) var world: KeyDoorGridWorld
    /// The subgoal cells: key, door (the first door cell), goal.
    public let subgoals: [(row: Int, column: Int)]
    /// `Q_M(s, g)`.
    public var meta: ActionValueTable
    /// `Q_C(s, g, a)`, one table per subgoal.
    public var controllers: [ActionValueTable]
    /// The generator of exploration.
    public var generator: RandomGenerator
    /// Environment steps so far.
    public var environmentSteps = 0
    /// Returns (1 at the goal, else 0) of finished training episodes.
    public private(set) var episodeReturns: [Double] = []
    /// The environment step after which the greedy policy first reached the goal from the start.
    public private(set) var solvedAtStep: Int?

    /// A hierarchy on `world`, seeded with `seed`.
    public init(world: KeyDoorGridWorld, configuration: SubgoalHierarchyConfiguration, seed: UInt64) {
        self.world = world
        self.configuration = configuration
        var door = world.goal
        search: for row in 0..<world.rows {
            for column in 0..<world.columns where world.cells[row][column] == .door {
                door = (row, column)
                break search
            }
        }
        subgoals = [world.key, door, world.goal]
        meta = ActionValueTable(states: world.stateCount, actions: subgoals.count)
        controllers = subgoals.map { _ in ActionValueTable(states: world.stateCount, actions: 4) }
        generator = RandomGenerator(seed: seed)
    }

    /// Restores counters after loading the tables (resume).
    public func restoreCounters(environmentSteps: Int, episodeReturns: [Double]) {
        self.environmentSteps = environmentSteps
        self.episodeReturns = episodeReturns
    }

    private func reached(_ subgoal: Int, _ state: GridState) -> Bool {
        state.row == subgoals[subgoal].row && state.column == subgoals[subgoal].column
    }

    /// The greedy action in `state`: the best subgoal's controller's best action.
    public func greedyAction(_ state: GridState) -> Int {
        let index = world.index(of: state)
        return controllers[meta.greedy(index)].greedy(index)
    }

    /// One training episode from the start, at most `stepLimit` steps; returns whether it reached the goal.
    @discardableResult
    public func runEpisode(stepLimit: Int) -> Bool {
        _ = world.reset(to: world.startState)
        let learning = configuration.learner
        var subgoal: Int?
        var optionSteps = 0
        var reachedGoal = false
        for _ in 0..<min(stepLimit, world.maxEpisodeSteps) {
            let state = world.state
            let index = world.index(of: state)
            if subgoal == nil {
                subgoal = meta.explore(index, epsilon: learning.epsilon, using: &generator)
                optionSteps = 0
            }
            let current = subgoal ?? 0
            let action = controllers[current].explore(index, epsilon: learning.epsilon, using: &generator)
            let outcome = world.step(.discrete(action))
            environmentSteps += 1
            optionSteps += 1
            let next = world.state
            let nextIndex = world.index(of: next)
            // Intra-option learning of the meta-controller, for every option consistent with the action taken.
            for option in subgoals.indices where option == current || controllers[option].greedy(index) == action {
                let ends = reached(option, next) || outcome.terminated
                let continuation =
                    outcome.terminated
                    ? 0 : (ends ? meta.maximum(nextIndex) : meta.values[nextIndex * meta.actions + option])
                let target = outcome.reward + learning.discount * continuation
                let slot = index * meta.actions + option
                meta.values[slot] += learning.learningRate * (target - meta.values[slot])
            }
            // Every subgoal's controller learns from the transition with its own intrinsic reward.
            for option in subgoals.indices {
                let arrived = reached(option, next)
                controllers[option].update(
                    index, action, reward: arrived ? 1 : 0, next: nextIndex, terminal: arrived || outcome.terminated,
                    discount: learning.discount, learningRate: learning.learningRate)
            }
            if outcome.terminated { reachedGoal = true }
            if outcome.done { break }
            if reached(current, next) || optionSteps >= configuration.optionStepLimit { subgoal = nil }
        }
        episodeReturns.append(reachedGoal ? 1 : 0)
        if solvedAtStep == nil && greedyReachesGoal() { solvedAtStep = environmentSteps }
        return reachedGoal
    }

    /// Whether the greedy hierarchy walks from the start to the goal within the time limit.
    public func greedyReachesGoal() -> Bool {
        var probe = world
        _ = probe.reset(to: probe.startState)
        for _ in 0..<probe.maxEpisodeSteps {
            let outcome = probe.step(.discrete(greedyAction(probe.state)))
            if outcome.terminated { return true }
            if outcome.done { return false }
        }
        return false
    }

    /// Episodes until `steps` environment steps.
    public func train(steps: Int, report: (TrainingReport) -> Void = { _ in }) {
        while environmentSteps < steps {
            runEpisode(stepLimit: steps - environmentSteps)
            report(gridReport(episodes: episodeReturns, steps: environmentSteps, solvedAt: solvedAtStep))
        }
    }
}

/// The weights of a ``SubgoalHierarchy``: `Q_M` as `[states, subgoals]` (`meta`) and the controllers as
/// `[subgoals · states, 4]` (`controllers`, subgoal-major).
public final class SubgoalHierarchyTables: ParameterContainer {
    /// `Q_M`.
    public let meta: TabularQFunction
    /// `Q_C`.
    public let controllers: TabularQFunction
    private let stateCount: Int

    /// Zero tables.
    public init(stateCount: Int, subgoals: Int) {
        self.stateCount = stateCount
        meta = TabularQFunction(stateCount: stateCount, actionCount: subgoals, name: "meta")
        controllers = TabularQFunction(stateCount: subgoals * stateCount, actionCount: 4, name: "controllers")
    }

    public var namedParameters: [(name: String, parameter: Parameter)] {
        meta.namedParameters + controllers.namedParameters
    }

    /// Copies a hierarchy's tables in.
    public func store(_ hierarchy: SubgoalHierarchy) {
        hierarchy.meta.write(to: meta)
        controllers.table.update(scalars: hierarchy.controllers.flatMap { table in table.values.map { Float($0) } })
    }

    /// Copies the tables into a hierarchy (resume).
    public func load(into hierarchy: SubgoalHierarchy) {
        hierarchy.meta.read(from: meta)
        let scalars = controllers.table.value.scalars
        let size = stateCount * 4
        for subgoal in hierarchy.controllers.indices where (subgoal + 1) * size <= scalars.count {
            hierarchy.controllers[subgoal].values = scalars[(subgoal * size)..<((subgoal + 1) * size)].map {
                Double($0)
            }
        }
    }

    /// The greedy action in state `index`: the best subgoal's controller's best action.
    public func greedyAction(_ index: Int) -> Int {
        let subgoal = RL.greedyAction(meta.values(index))
        return RL.greedyAction(controllers.values(subgoal * stateCount + index))
    }
}
