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
        let moves = [(-1, 0), (0, 1), (1, 0), (0, -1)]
        let move = moves[((action.index % 4) + 4) % 4]
        let target = (row: position.row + move.0, column: position.column + move.1)
        if target.row >= 0 && target.row < rows && target.column >= 0 && target.column < columns {
            switch cells[target.row][target.column] {
            case .floor: position = target
            case .door where hasKey: position = target
            case .door, .wall: break
            }
        }
        if position == key { hasKey = true }
        elapsedSteps += 1
        let terminated = position == goal
        return StepOutcome(
            observation: observation, reward: terminated ? 1 : 0, terminated: terminated,
            truncated: elapsedSteps >= maxEpisodeSteps)
    }
}
