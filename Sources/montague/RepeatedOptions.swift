import ArgumentParser
import Foundation

/// Refuses a single-value option given more than once (`--steps 3000 … --steps 2`): argument-parser keeps the last
/// value silently, so a long command line edited by hand could train for 2 steps without a word. Options declared
/// as arrays (`--style`, `--notion`, …) repeat as documented and are not affected.
enum RepeatedOptions {
    /// The message for the first single-value option that `arguments` (without the program name) give more than
    /// once for the subcommand they select, or `nil` when there is none. `help` is the command tree's JSON
    /// description (argument-parser's `_dumpHelp()`).
    static func problem(in arguments: [String], help: () -> String) -> String? {
        let given = optionNames(in: arguments)
        // The command tree is read only when a spelling repeats or a short one (`-o`, another name of `--output`)
        // occurs.
        guard Set(given).count < given.count || given.contains(where: { !$0.hasPrefix("--") }) else { return nil }
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
        // Every spelling of each single-value option (`--output` and `-o` are one option), by its long name.
        var spellings: [String: String] = [:]
        for argument in command.arguments ?? [] where argument.kind == "option" && !argument.isRepeating {
            let names = argument.names ?? []
            guard let first = names.first else { continue }
            let canonical = (names.first { $0.kind == "long" } ?? first).spelled
            for name in names { spellings[name.spelled] = canonical }
        }
        let options = given.compactMap { spellings[$0] }
        for (index, option) in options.enumerated() where options[..<index].contains(option) {
            let times = options.filter { $0 == option }.count
            return "\(option) was given \(times) times; it takes one value, so give it once"
        }
        return nil
    }

    /// The option spellings in `arguments` (`--name`, `--name=value`, `-x`), in order, up to a `--` terminator.
    static func optionNames(in arguments: [String]) -> [String] {
        var names: [String] = []
        for argument in arguments {
            if argument == "--" { break }
            if argument.hasPrefix("--"), argument.count > 2 {
                names.append("--" + argument.dropFirst(2).prefix { $0 != "=" })
            } else if argument.count == 2, argument.hasPrefix("-"), argument.last?.isLetter == true {
                names.append(argument)
            }
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

        /// How the name is written on a command line: `--name`, `-x` or `-name`.
        var spelled: String { kind == "long" ? "--" + name : "-" + name }
    }
}
