import ArgumentParser
import Foundation

/// Refuses a single-value option given more than once (`--steps 3000 … --steps 2`): argument-parser keeps the last
/// value silently, so a long command line edited by hand could train for 2 steps without a word. Options declared
/// as arrays (`--style`, `--notion`, …) repeat as documented and are not affected.
enum RepeatedOptions {
    /// The message for the first single-value option that `arguments` (without the program name) give more than
    /// once for the subcommand they select, or `nil` when there is none. `help` is the command tree's JSON
    /// description (argument-parser's `_dumpHelp()`), asked for only when some `--name` occurs twice.
    static func problem(in arguments: [String], help: () -> String) -> String? {
        let given = optionNames(in: arguments)
        guard Set(given).count < given.count else { return nil }
        guard let data = help().data(using: .utf8),
            let tool = try? JSONDecoder().decode(ToolDescription.self, from: data)
        else { return nil }
        var command = tool.command
        for argument in arguments {
            guard !argument.hasPrefix("-"),
                let subcommand = command.subcommands?.first(where: { $0.commandName == argument })
            else { break }
            command = subcommand
        }
        let singleValued = Set(
            (command.arguments ?? []).filter { $0.kind == "option" && !$0.isRepeating }
                .flatMap { ($0.names ?? []).filter { $0.kind == "long" }.map(\.name) })
        var counts: [String: Int] = [:]
        for name in given where singleValued.contains(name) {
            counts[name, default: 0] += 1
            if let count = counts[name], count == 2 {
                let times = given.filter { $0 == name }.count
                return "--\(name) was given \(times) times; it takes one value, so give it once"
            }
        }
        return nil
    }

    /// The long option names in `arguments` (`--name` and `--name=value`), in order, up to a `--` terminator.
    static func optionNames(in arguments: [String]) -> [String] {
        var names: [String] = []
        for argument in arguments {
            if argument == "--" { break }
            guard argument.hasPrefix("--"), argument.count > 2 else { continue }
            names.append(String(argument.dropFirst(2).prefix { $0 != "=" }))
        }
        return names
    }

    /// The part of argument-parser's JSON help that the check reads.
    private struct ToolDescription: Decodable {
        var command: CommandDescription
    }

    private struct CommandDescription: Decodable {
        var commandName: String
        var arguments: [ArgumentDescription]?
        var subcommands: [CommandDescription]?
    }

    private struct ArgumentDescription: Decodable {
        var kind: String
        var isRepeating: Bool
        var names: [NameDescription]?
    }

    private struct NameDescription: Decodable {
        var kind: String
        var name: String
    }
}
