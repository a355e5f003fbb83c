import ArgumentParser
import Autodiff

@main
struct Montague: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "montague",
        abstract: "Compositional semantics and NLP in Swift.",
        version: "0.1.0"
    )
}
