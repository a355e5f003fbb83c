import Foundation

/// Exact match broken down by a label of each example — COGS's accuracy per generalization category (Kim & Linzen
/// 2020, whose `gen` set has 21 categories such as `subj_to_obj_common` or `pp_recursion`), or any other grouping
/// of a test set.
public struct GroupedExactMatch: Sendable, Equatable {
    /// The examples of one label.
    public struct Group: Sendable, Equatable {
        /// The label.
        public var name: String
        /// Examples of this label decoded exactly.
        public var correct: Int
        /// Examples of this label.
        public var total: Int
        /// `correct / total`.
        public var accuracy: Double { total == 0 ? 0 : Double(correct) / Double(total) }
    }

    /// One group per label, sorted by label.
    public let groups: [Group]

    /// Groups the outcomes: `labels[i]` is example i's label, `correct[i]` whether it was decoded exactly.
    public init(labels: [String], correct: [Bool]) {
        precondition(
            labels.count == correct.count,
            "GroupedExactMatch: \(labels.count) labels for \(correct.count) outcomes")
        var counts: [String: (correct: Int, total: Int)] = [:]
        for (label, right) in zip(labels, correct) {
            let old = counts[label] ?? (0, 0)
            counts[label] = (old.correct + (right ? 1 : 0), old.total + 1)
        }
        groups = counts.keys.sorted().map { name in
            let count = counts[name] ?? (0, 0)
            return Group(name: name, correct: count.correct, total: count.total)
        }
    }

    /// Examples decoded exactly, over every group.
    public var correct: Int { groups.reduce(0) { $0 + $1.correct } }
    /// Examples, over every group.
    public var total: Int { groups.reduce(0) { $0 + $1.total } }
    /// Exact match over every group (the micro average).
    public var accuracy: Double { total == 0 ? 0 : Double(correct) / Double(total) }
    /// The unweighted mean of the groups' accuracies (the macro average).
    public var meanGroupAccuracy: Double {
        groups.isEmpty ? 0 : groups.reduce(0) { $0 + $1.accuracy } / Double(groups.count)
    }

    /// One line per group, `label  exact match: 0.9500 (19/20)`, labels padded to one width.
    public func lines() -> [String] {
        let width = groups.map(\.name.count).max() ?? 0
        return groups.map { group in
            let padded = group.name + String(repeating: " ", count: width - group.name.count)
            return padded + "  exact match: " + String(format: "%.4f", group.accuracy)
                + " (\(group.correct)/\(group.total))"
        }
    }

}
