import ArgumentParser
import Foundation
import TextGeneration

extension BLEUTokenizer: ExpressibleByArgument {}
extension TextScoring.Metric: ExpressibleByArgument {}

/// `montague score-text --hyp FILE [--ref FILE…] [--source FILE]`: text metrics without a model.
struct ScoreTextCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score-text",
        abstract: "Score text files: BLEU, chrF, source-BLEU, diversity; paired bootstrap against a baseline.",
        discussion: """
            Files hold one sentence per line; every reference set (--ref, repeatable) and --source have one line \
            per hypothesis. BLEU and chrF are sacreBLEU's (equal to its numbers): corpus BLEU with the closest \
            reference length and several references, smoothing exp by default, tokenizer 13a for raw text or \
            none for pre-tokenized text. source-BLEU scores the outputs against their inputs (content \
            preservation, called self-BLEU in the style-transfer literature); diversity self-BLEU scores each \
            output against all the others (Texygen); distinct-n counts distinct n-grams. Without --metric, \
            the metrics the inputs allow are computed. With --baseline, a paired bootstrap (Koehn 2004) tests \
            the difference in BLEU and chrF.

            Examples:
              montague score-text --hyp transfer.txt --ref human0.txt --ref human1.txt --source input.txt --tokenize none
              montague score-text --hyp samples.txt --metric self-bleu --metric distinct --json
              montague score-text --hyp new.txt --baseline old.txt --ref ref.txt
            """)

    @Option(name: .long, help: "System outputs, one per line.")
    var hyp: String

    @Option(name: .long, help: "A reference set, one reference per hypothesis (repeatable).")
    var ref: [String] = []

    @Option(name: .long, help: "The inputs the outputs were produced from (source-BLEU).")
    var source: String?

    @Option(name: .long, help: "Another system's outputs: paired bootstrap test of the difference.")
    var baseline: String?

    @Option(name: .customLong("metric"), help: "bleu, chrf, source-bleu, self-bleu or distinct (repeatable).")
    var metrics: [TextScoring.Metric] = []

    @Option(name: .long, help: "BLEU tokenizer: 13a (raw text) or none (pre-tokenized).")
    var tokenize: BLEUTokenizer = .thirteenA

    @Option(name: .long, help: "BLEU smoothing: exp, none, floor[:V], add-k[:K].")
    var smooth = "exp"

    @Flag(name: .long, help: "Lowercase before scoring.")
    var lowercase = false

    @Flag(name: .customLong("chrf-plus-plus"), help: "chrF++ (word bigrams beside character 6-grams).")
    var chrfPlusPlus = false

    @Flag(name: .long, help: "Also report per-sentence BLEU and chrF.")
    var sentence = false

    @Option(name: .customLong("bootstrap-samples"), help: "Resamples of the paired bootstrap.")
    var bootstrapSamples = 1000

    @Flag(name: .long, help: "Print the report as JSON.")
    var json = false

    func validate() throws {
        guard BLEU.Smoothing(smooth) != nil else {
            throw ValidationError("unknown --smooth '\(smooth)': use exp, none, floor[:V] or add-k[:K]")
        }
        guard bootstrapSamples > 0 else { throw ValidationError("--bootstrap-samples must be positive") }
    }

    func run() throws {
        let request = TextScoring.Request(
            hypotheses: try .init(contentsOf: hyp), references: try ref.map { try .init(contentsOf: $0) },
            sources: try source.map { try .init(contentsOf: $0) },
            baseline: try baseline.map { try .init(contentsOf: $0) },
            metrics: metrics,
            bleu: BLEU(smoothing: BLEU.Smoothing(smooth) ?? .exponential, tokenizer: tokenize, lowercase: lowercase),
            chrf: ChrF(wordOrder: chrfPlusPlus ? 2 : 0, lowercase: lowercase), perSentence: sentence,
            bootstrapSamples: bootstrapSamples)
        let report = try TextScoring.score(request)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
            return
        }
        print("sentences: \(report.sentences)  reference sets: \(report.referenceSets)")
        if let bleu = report.bleu {
            let precisions = (report.bleuPrecisions ?? []).map { String(format: "%.1f", $0) }.joined(separator: "/")
            print(String(format: "BLEU         %6.2f  (%@, BP %.3f)", bleu, precisions, report.brevityPenalty ?? 1))
        }
        if let chrf = report.chrf { print(String(format: "chrF%@      %6.2f", chrfPlusPlus ? "++" : "  ", chrf)) }
        if let value = report.sourceBLEU { print(String(format: "source-BLEU  %6.2f", value)) }
        if let value = report.selfBLEU {
            print(String(format: "self-BLEU    %6.4f  (diversity; lower is more diverse)", value))
        }
        if let one = report.distinct1, let two = report.distinct2 {
            print(String(format: "distinct-1   %6.4f\ndistinct-2   %6.4f", one, two))
        }
        if let sentenceBLEU = report.sentenceBLEU, let sentenceChrF = report.sentenceChrF {
            for index in sentenceBLEU.indices {
                print(
                    String(
                        format: "sentence %d: BLEU %.2f  chrF %.2f", index + 1, sentenceBLEU[index], sentenceChrF[index]
                    ))
            }
        }
        for (name, comparison) in (report.comparisons ?? [:]).sorted(by: { $0.key < $1.key }) {
            print(
                String(
                    format: "%@ vs baseline: %.2f (± %.2f) vs %.2f, p = %.4f", name, comparison.system,
                    comparison.confidence, comparison.baseline, comparison.pValue))
        }
        print("signature: \(report.signature)")
    }
}
