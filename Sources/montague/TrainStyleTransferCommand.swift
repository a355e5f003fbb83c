import ArgumentParser
import Foundation
import NeuralNet
import TextGeneration

extension StyleTransferMethod: ExpressibleByArgument {}

/// `montague train style-transfer --style NAME=FILE --style NAME=FILE --output DIR`.
struct TrainStyleTransferCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "style-transfer",
        abstract: "Train a text style-transfer model on non-parallel corpora of two or more styles.",
        discussion: """
            Each --style names a style and a plain-text file of its sentences (one per line). A held-out part of \
            each style is kept for validation, and a TextCNN style classifier (Kim 2014) is trained for \
            evaluation. Methods: template — delete the source's attribute markers (n-grams whose salience for \
            its style reaches --threshold), retrieve the target-style sentence with the most similar content and \
            insert its markers (Li et al. 2018, TemplateBased); retrieve-only — output the retrieved sentence. \
            Then `montague predict DIR --to STYLE < input.txt` and `montague evaluate DIR` (target-style accuracy, \
            source-BLEU, reference BLEU with --refs).

            Examples:
              montague train style-transfer --style neg=sentiment.train.0 --style pos=sentiment.train.1 --output runs/yelp
              montague train style-transfer --style modern=train.modern --style original=train.original \\
                --method template --threshold 5 --output runs/shakespeare
            """)

    @Option(name: .long, help: "A style and its sentences, NAME=FILE (repeatable; at least two styles).")
    var style: [String] = []

    @Option(name: .long, help: "template or retrieve-only.")
    var method: StyleTransferMethod = .template

    @Option(name: .long, help: "The model directory to write.")
    var output: String

    @Option(name: .long, help: "Tokenizer: whitespace (pre-tokenized text) or default (Montague's word tokenizer).")
    var tokenizer: TextTokenization = .whitespace

    @Flag(name: .long, help: "Lowercase tokens.")
    var lowercase = false

    @Option(name: .customLong("max-length"), help: "Longest sentence kept, in tokens.")
    var maxLength = 50

    @Option(
        name: .customLong("valid-fraction"), help: "Fraction of each style held out for validation (at most 1,000).")
    var validFraction = 0.01

    @Option(name: .customLong("marker-order"), help: "Longest attribute marker (n-gram order).")
    var markerOrder = 4

    @Option(name: .long, help: "Salience threshold γ of attribute markers.")
    var threshold = 15.0

    @Option(name: .customLong("classifier-epochs"), help: "Epochs of the evaluation classifier (0: none).")
    var classifierEpochs = 2

    @Option(name: .customLong("bleu-tokenizer"), help: "BLEU tokenizer for evaluate: none (pre-tokenized) or 13a.")
    var bleuTokenizer: BLEUTokenizer = .none

    @Option(name: .long, help: "Seed of the split and the classifier.")
    var seed: UInt64 = 0

    func run() throws {
        let files = try style.map(StyleCorpus.parseSpecification)
        let recipe = StyleTransferRecipe(
            method: method, tokenization: tokenizer, lowercase: lowercase, maximumLength: maxLength,
            validationFraction: validFraction, markerOrder: markerOrder, markerThreshold: threshold,
            bleuTokenizer: bleuTokenizer, seed: seed)
        let summary = try StyleTransferRun.train(
            recipe, files: files, output: ModelDirectory(path: output), classifierEpochs: classifierEpochs
        ) { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        print("training sentences per style: \(summary.trainingSentences.map(String.init).joined(separator: ", "))")
        print("held-out sentences per style: \(summary.validationSentences.map(String.init).joined(separator: ", "))")
        print("attribute markers per style: \(summary.markerCounts.map(String.init).joined(separator: ", "))")
        if let accuracy = summary.classifierAccuracy {
            print(String(format: "style classifier held-out accuracy: %.4f", accuracy))
        }
        print("model: \(output)")
    }
}
