import Autodiff

/// Settings of ``ReverseCurriculum``.
public struct ReverseCurriculumConfiguration: Codable, Equatable, Sendable {
    /// New start states sampled near the current good starts per iteration (Florensa et al.'s `N_new`).
    public var newStarts = 40
    /// Old starts replayed per iteration against forgetting (`N_old`).
    public var oldStarts = 10
    /// Length of each random walk of the reverse dynamics (`T_B`).
    public var walkLength = 10
    /// Training episodes from each start per iteration; their success rate grades the start.
    public var episodesPerStart = 2
    /// Starts whose success rate lies in `[minimumSuccess, maximumSuccess]` are "good": neither solved nor hopeless.
    public var minimumSuccess = 0.1
    /// See ``minimumSuccess``.
    public var maximumSuccess = 0.9
    /// Step limit of a curriculum episode (shorter than the world's: starts are meant to be near the goal).
    public var episodeStepLimit = 100
    /// The tabular learner's settings.
    public var learner = TabularQLearningConfiguration()

    /// The defaults.
    public init() {}
}

/// Reverse curriculum generation (Florensa, Held, Wulfmeier, Zhang & Abbeel, "Reverse curriculum generation for
/// reinforcement learning", CoRL 2017) on the key-door grid world, with a tabular Q-learner:
///
/// 1. start at the goal: `starts = {s_g}`;
/// 2. *SampleNearby*: random walks of `T_B` steps of the **reverse** dynamics from random current starts (the
///    grid's ``KeyDoorGridWorld/predecessors(of:)``, which include giving the key back at the key cell), keeping
///    `N_new` of the visited states, plus `N_old` replayed old starts;
/// 3. train episodes from each, grading each start by its success rate;
/// 4. keep the starts of intermediate difficulty (`R_min ≤ success ≤ R_max`) as the next `starts` (the previous
///    ones when there are none), add them to the old starts, and repeat.
///
/// The curriculum moves outward from the goal until the real start is among the sampled starts.
public final class ReverseCurriculum {
    /// The settings.
    public let configuration: ReverseCurriculumConfiguration
    /// The learner trained on the curriculum's starts.
    public let learner: TabularQLearner
    /// The current good starts.
    public private(set) var starts: [GridState]
    /// Every good start so far.
    public private(set) var oldStarts: [GridState]
    /// Iterations done.
    public private(set) var iterations = 0
    /// The reverse dynamics, computed once.
    private let predecessors: [GridState: [GridState]]

    /// A curriculum on `world`, seeded with `seed`.
    public init(world: KeyDoorGridWorld, configuration: ReverseCurriculumConfiguration, seed: UInt64) {
        self.configuration = configuration
        learner = TabularQLearner(world: world, configuration: configuration.learner, seed: seed)
        starts = [world.goalState]
        oldStarts = []
        var predecessors: [GridState: [GridState]] = [:]
        for state in world.freeStates { predecessors[state] = world.predecessors(of: state) }
        self.predecessors = predecessors
    }

    /// Florensa et al.'s SampleNearby: `count` states visited by reverse random walks from the current starts.
    public func sampleNearby(count: Int) -> [GridState] {
        var visited: [GridState] = []
        while visited.count < 4 * count {
            var state = starts[learner.generator.nextInt(below: starts.count)]
            var moved = false
            for _ in 0..<configuration.walkLength {
                let previous = predecessors[state] ?? []
                guard !previous.isEmpty else { break }
                state = previous[learner.generator.nextInt(below: previous.count)]
                visited.append(state)
                moved = true
            }
            if !moved { break }
        }
        guard !visited.isEmpty else { return starts }
        return (0..<count).map { _ in visited[learner.generator.nextInt(below: visited.count)] }
    }

    /// One curriculum iteration (steps 2–4).
    public func iterate() {
        let fresh = sampleNearby(count: configuration.newStarts)
        var batch = fresh
        for _ in 0..<(oldStarts.isEmpty ? 0 : configuration.oldStarts) {
            batch.append(oldStarts[learner.generator.nextInt(below: oldStarts.count)])
        }
        var good: [GridState] = []
        for start in batch {
            var successes = 0
            for _ in 0..<configuration.episodesPerStart
            where learner.runEpisode(from: start, stepLimit: configuration.episodeStepLimit) {
                successes += 1
            }
            let rate = Double(successes) / Double(max(configuration.episodesPerStart, 1))
            if rate >= configuration.minimumSuccess && rate <= configuration.maximumSuccess { good.append(start) }
        }
        if good.isEmpty {
            // Everything solved (or nothing): move on from the new samples that are solved. The replayed old
            // starts are left out here, or they would pull the frontier back toward the goal.
            let solved = fresh.filter { learner.greedy(from: $0, within: configuration.episodeStepLimit) }
            if !solved.isEmpty { starts = solved }
        } else {
            starts = good
            oldStarts.append(contentsOf: good)
        }
        iterations += 1
    }

    /// Iterates until `steps` environment steps.
    public func train(steps: Int, report: (TrainingReport) -> Void = { _ in }) {
        while learner.environmentSteps < steps {
            iterate()
            report(
                gridReport(
                    episodes: learner.episodeReturns, steps: learner.environmentSteps, solvedAt: learner.solvedAtStep))
        }
    }
}

extension TabularQLearner {
    /// Whether the greedy policy reaches the goal from `start` within `steps`.
    public func greedy(from start: GridState, within steps: Int) -> Bool {
        var probe = world
        _ = probe.reset(to: start)
        for _ in 0..<steps {
            let outcome = probe.step(.discrete(table.greedy(probe.stateIndex)))
            if outcome.terminated { return true }
            if outcome.done { return false }
        }
        return false
    }
}
