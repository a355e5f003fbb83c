import Autodiff

/// A layout the grid world cannot use, with the row and column of the problem (1-based).
public struct GridWorldLayoutError: Error, Equatable, CustomStringConvertible {
    /// 1-based row of the problem, or 0 for the layout as a whole.
    public var line: Int
    /// 1-based column, or 0.
    public var column: Int
    /// What is wrong.
    public var message: String

    public var description: String { "\(line):\(column): error: \(message)" }
}

/// A sparse-reward grid world with a key and a door: the agent must walk to the key, through the locked door, to
/// the goal, and is rewarded only there (+1, terminated). The exploration problem of curiosity, curricula and
/// hierarchical agents (Pathak et al., "Curiosity-driven exploration by self-supervised prediction", ICML 2017;
/// Chevalier-Boisvert et al.'s MiniGrid DoorKey task is the same idea).
///
/// Layout characters: `#` wall, `.` floor, `S` start, `K` key, `D` door, `G` goal. Actions 0 up, 1 right, 2 down,
/// 3 left; walking into a wall or a locked door stays in place. Observation `(row / (rows − 1), column /
/// (columns − 1), has key)`.
public struct KeyDoorGridWorld: Environment {
    /// The default layout: a room with the key, a wall with the door, the goal behind it.
    public static let defaultLayout = [
        "#########",
        "#S..#...#",
        "#...D.G.#",
        "#.K.#...#",
        "#########",
    ]

    /// Cell kinds.
    public enum Cell: Equatable, Sendable { case wall, floor, door }

    /// The cells, row-major.
    public let cells: [[Cell]]
    /// Start position `(row, column)`.
    public let start: (row: Int, column: Int)
    /// Key position.
    public let key: (row: Int, column: Int)
    /// Goal position.
    public let goal: (row: Int, column: Int)

    /// The agent's position.
    public private(set) var position: (row: Int, column: Int)
    /// Whether the agent holds the key.
    public private(set) var hasKey = false
    public var maxEpisodeSteps: Int
    public private(set) var elapsedSteps = 0

    /// A larger world for the exploration experiments: two 6 × 7 rooms joined by the door, the key in the first
    /// room's corner farthest from the door, the goal in the second; a random walk rarely finishes it within the
    /// 200-step limit (`KeyDoorLarge-v0`).
    public static let largeLayout = [
        "#################",
        "#S......#.......#",
        "#.......#.......#",
        "#.......#.......#",
        "#.......D.......#",
        "#.......#.......#",
        "#K......#......G#",
        "#################",
    ]

    /// The default world with the given time limit.
    public init(maxEpisodeSteps: Int = 100) {
        // The default layout is valid by construction.
        self =
            (try? KeyDoorGridWorld(layout: Self.defaultLayout, maxEpisodeSteps: maxEpisodeSteps))
            ?? KeyDoorGridWorld(unchecked: maxEpisodeSteps)
    }

    private init(unchecked maxEpisodeSteps: Int) {
        cells = [[.floor, .floor]]
        start = (0, 0)
        key = (0, 0)
        goal = (0, 1)
        position = start
        self.maxEpisodeSteps = maxEpisodeSteps
    }

    /// A world from a layout (see the type's documentation); throws a located error for unknown characters, ragged
    /// rows or a missing or repeated start, key or goal.
    public init(layout: [String], maxEpisodeSteps: Int = 100) throws(GridWorldLayoutError) {
        guard let width = layout.first?.count, width > 0 else {
            throw GridWorldLayoutError(line: 0, column: 0, message: "empty layout")
        }
        var cells: [[Cell]] = []
        var marks: [Character: (Int, Int)] = [:]
        for (row, text) in layout.enumerated() {
            guard text.count == width else {
                throw GridWorldLayoutError(
                    line: row + 1, column: 0, message: "row has \(text.count) cells, the first has \(width)")
            }
            var line: [Cell] = []
            for (column, character) in text.enumerated() {
                switch character {
                case "#": line.append(.wall)
                case "D": line.append(.door)
                case ".", "S", "K", "G":
                    line.append(.floor)
                    if character != "." {
                        if marks[character] != nil {
                            throw GridWorldLayoutError(
                                line: row + 1, column: column + 1, message: "second '\(character)'")
                        }
                        marks[character] = (row, column)
                    }
                default:
                    throw GridWorldLayoutError(
                        line: row + 1, column: column + 1, message: "unknown cell '\(character)' (use # . S K D G)")
                }
            }
            cells.append(line)
        }
        guard let start = marks["S"], let key = marks["K"], let goal = marks["G"] else {
            throw GridWorldLayoutError(line: 0, column: 0, message: "layout needs one S, one K and one G")
        }
        self.cells = cells
        self.start = start
        self.key = key
        self.goal = goal
        position = start
        self.maxEpisodeSteps = maxEpisodeSteps
    }

    public var observationSize: Int { 3 }
    public var actionSpace: ActionSpace { .discrete(4) }

    /// Rows of the grid.
    public var rows: Int { cells.count }
    /// Columns of the grid.
    public var columns: Int { cells.first?.count ?? 0 }

    public mutating func reset(seed: UInt64?) -> [Float] {
        reset(row: start.row, column: start.column, hasKey: false)
    }

    /// Starts an episode at a given cell, with or without the key (reverse curricula start near the goal).
    public mutating func reset(row: Int, column: Int, hasKey: Bool) -> [Float] {
        precondition(
            row >= 0 && row < rows && column >= 0 && column < columns && cells[row][column] != .wall,
            "KeyDoorGridWorld.reset: (\(row), \(column)) is not a free cell")
        position = (row, column)
        self.hasKey = hasKey || (row, column) == key
        elapsedSteps = 0
        return observation
    }

    /// `(row, column, has key)` scaled to [0, 1].
    public var observation: [Float] {
        [
            Float(position.row) / Float(Swift.max(rows - 1, 1)),
            Float(position.column) / Float(Swift.max(columns - 1, 1)), hasKey ? 1 : 0,
        ]
    }

    /// A small integer naming the agent's situation: `(row · columns + column) · 2 + has key`.
    public var stateIndex: Int { (position.row * columns + position.column) * 2 + (hasKey ? 1 : 0) }

    /// The number of distinct ``stateIndex`` values.
    public var stateCount: Int { rows * columns * 2 }

    public mutating func step(_ action: Action) -> StepOutcome {
        let next = successor(of: state, action: action.index)
        position = (next.row, next.column)
        hasKey = next.hasKey
        elapsedSteps += 1
        let terminated = position == goal
        return StepOutcome(
            observation: observation, reward: terminated ? 1 : 0, terminated: terminated,
            truncated: elapsedSteps >= maxEpisodeSteps)
    }
}

/// A situation of the key-door grid world: the agent's cell and whether it holds the key.
public struct GridState: Hashable, Sendable {
    public var row: Int
    public var column: Int
    public var hasKey: Bool

    /// A state.
    public init(row: Int, column: Int, hasKey: Bool) {
        self.row = row
        self.column = column
        self.hasKey = hasKey
    }
}

extension KeyDoorGridWorld {
    /// The current state.
    public var state: GridState { GridState(row: position.row, column: position.column, hasKey: hasKey) }

    /// The start state.
    public var startState: GridState { GridState(row: start.row, column: start.column, hasKey: false) }

    /// The goal cell (with the key, the only way to reach it).
    public var goalState: GridState { GridState(row: goal.row, column: goal.column, hasKey: true) }

    /// Whether `state` is at the goal cell (terminal).
    public func isGoal(_ state: GridState) -> Bool { state.row == goal.row && state.column == goal.column }

    /// The ``stateIndex`` of `state`.
    public func index(of state: GridState) -> Int { (state.row * columns + state.column) * 2 + (state.hasKey ? 1 : 0) }

    /// The state an observation ``observation`` describes (the inverse of the scaling), clamped to the grid.
    public func state(fromObservation observation: [Float]) -> GridState {
        guard observation.count >= 3 else { return startState }
        func cell(_ value: Float, _ count: Int) -> Int {
            guard value.isFinite else { return 0 }
            return Swift.min(Swift.max(Int((value * Float(Swift.max(count - 1, 1))).rounded()), 0), count - 1)
        }
        return GridState(
            row: cell(observation[0], rows), column: cell(observation[1], columns), hasKey: observation[2] > 0.5)
    }

    /// The deterministic dynamics: where `action` (0 up, 1 right, 2 down, 3 left) leads from `state`.
    public func successor(of state: GridState, action: Int) -> GridState {
        let moves = [(-1, 0), (0, 1), (1, 0), (0, -1)]
        let move = moves[((action % 4) + 4) % 4]
        var next = state
        let row = state.row + move.0
        let column = state.column + move.1
        if row >= 0 && row < rows && column >= 0 && column < columns {
            switch cells[row][column] {
            case .floor:
                next.row = row
                next.column = column
            case .door where state.hasKey:
                next.row = row
                next.column = column
            case .door, .wall: break
            }
        }
        if next.row == key.row && next.column == key.column { next.hasKey = true }
        return next
    }

    /// Every non-wall state (both key flags), in ``index(of:)`` order.
    public var freeStates: [GridState] {
        var states: [GridState] = []
        for row in 0..<rows {
            for column in 0..<columns where cells[row][column] != .wall {
                for hasKey in [false, true] { states.append(GridState(row: row, column: column, hasKey: hasKey)) }
            }
        }
        return states
    }

    /// The non-terminal states from which one step can reach `state`: the reverse dynamics a reverse curriculum
    /// walks to find starts near the goal.
    public func predecessors(of state: GridState) -> [GridState] {
        freeStates.filter { candidate in
            !isGoal(candidate) && candidate != state
                && (0..<4).contains { successor(of: candidate, action: $0) == state }
        }
    }

    /// Starts an episode in `state`.
    public mutating func reset(to state: GridState) -> [Float] {
        reset(row: state.row, column: state.column, hasKey: state.hasKey)
    }
}
