/// The settings check of a training run continued from its model directory: every setting the directory records
/// must be given again unchanged or left out — a flag given with another value is refused, naming the flag, the
/// stored value and the given one — except the settings that may change between sessions (budgets such as the
/// number of epochs, decoding choices), whose new values are taken with a note. The same rule as the language-model
/// run's check on continuing (same settings, the budget may grow), per flag.
///
/// ```swift
/// var check = ContinuedRunSettings()
/// check.fixed("--dropout", stored: Float(0.1), given: 0.3)
/// check.changeable("--epochs", stored: 10, given: 20)
/// print(check.notes)  // ["note: continuing with --epochs 20 (the run was started with 10)"]
/// try check.verify(directory)  // throws: ... --dropout 0.3 given, 0.1 stored ...
/// ```
public struct ContinuedRunSettings: Sendable {
    /// A flag given with a value other than the stored one.
    public struct Difference: Sendable, Equatable {
        /// The flag, e.g. `--dropout`.
        public var flag: String
        /// The value the model directory records.
        public var stored: String
        /// The value given now.
        public var given: String
    }

    /// Settings given with another value than the run was trained with (refused by ``verify(_:)``).
    public private(set) var refused: [Difference] = []
    /// Settings that may change between sessions, given with a new value (taken).
    public private(set) var changed: [Difference] = []

    /// An empty check.
    public init() {}

    /// A setting the run was trained with: `given` (nil: the flag was not given) must equal `stored`.
    public mutating func fixed<Value: Equatable>(
        _ flag: String, stored: Value, given: Value?, text: (Value) -> String = { "\($0)" }
    ) {
        if let given, given != stored {
            refused.append(Difference(flag: flag, stored: text(stored), given: text(given)))
        }
    }

    /// A setting that may change when the run continues (a budget, a decoding choice): a new value is taken.
    public mutating func changeable<Value: Equatable>(
        _ flag: String, stored: Value, given: Value?, text: (Value) -> String = { "\($0)" }
    ) {
        if let given, given != stored {
            changed.append(Difference(flag: flag, stored: text(stored), given: text(given)))
        }
    }

    /// One line per changed setting, to print before the run continues.
    public var notes: [String] {
        changed.map { "note: continuing with \($0.flag) \($0.given) (the run was started with \($0.stored))" }
    }

    /// Throws when a setting was refused.
    ///
    /// - Throws: ``ModelDirectoryError`` at `directory`'s manifest naming every refused flag with the stored and
    ///   the given value.
    public func verify(_ directory: ModelDirectory) throws(ModelDirectoryError) {
        guard !refused.isEmpty else { return }
        throw ModelDirectoryError(
            path: directory.manifestURL.path,
            "holds a model trained with other settings: "
                + refused.map { "\($0.flag) \($0.given) given, \($0.stored) stored" }.joined(separator: "; ")
                + "; give the stored values (or leave the flags out) to continue it, or another --output")
    }
}
