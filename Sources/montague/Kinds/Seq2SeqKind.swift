import ArgumentParser
import Corpus
import Experiments
import Foundation
import MontagueSupport
import NeuralNet
import TextGeneration

/// `montague predict DIR` and `montague evaluate DIR` for `seq2seq` model directories: map source sentences
/// (one per line, tokenized as in training — whitespace, word tokenizer or the directory's subword tokenizer;
/// `IN: … OUT: …` lines are read for their source) and report exact match (Lake & Baroni 2018) and corpus BLEU
/// (Papineni et al. 2002, sacreBLEU's defaults) against the targets and against the sources, beside the BLEU of
/// copying the source (library: ``Seq2SeqPredictor``, ``BLEU``).
enum Seq2SeqKind: ModelKindHandler {
    static let kind = Seq2SeqExperiment.kind
    static let evaluateFlags: Set<EvaluateFlag> = [.data, .columns, .groupColumn]
    static let predictFlags: Set<PredictFlag> = [.input, .beam]

    static func predict(_ directory: ModelDirectory, manifest: ModelManifest, options: PredictOptions) throws {
        let predictor = try Seq2SeqPredictor(directory: directory)
        let segmenter = try Seq2SeqParallelData.segmenter(
            recorded: predictor.hyperparameters.tokenizer ?? "whitespace", in: directory)
        let lowercase = predictor.hyperparameters.lowercase ?? false
        let (text, name) = try readInput(options.input)
        var sources: [[String]] = []
        var inputs: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var sentence = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if sentence.isEmpty { continue }
            if sentence.hasPrefix("IN:") {
                sentence = String(sentence.dropFirst(3))
                if let out = sentence.range(of: " OUT:") { sentence = String(sentence[..<out.lowerBound]) }
            }
            inputs.append(sentence.trimmingCharacters(in: .whitespaces))
            sources.append(segmenter.tokens(lowercase ? sentence.lowercased() : sentence))
        }
        guard !sources.isEmpty else { throw InputError("no input sentences", at: SourceLocation(file: name)) }
        let predictions = predictor.predict(sources, beamWidth: options.beam)
        var lines: [String] = []
        for (input, prediction) in zip(inputs, predictions) {
            if options.json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = .sortedKeys
                let record = ["input": input, "output": segmenter.text(prediction)]
                lines.append(String(decoding: try encoder.encode(record), as: UTF8.self))
            } else {
                lines.append(segmenter.text(prediction))
            }
        }
        try emit(lines.joined(separator: "\n") + "\n", to: options.output)
    }

    static func evaluate(_ directory: ModelDirectory, manifest: ModelManifest, options: EvaluateOptions) throws {
        guard !options.data.isEmpty else {
            throw ValidationError(
                "--data is required for a 'seq2seq' model: FILE (SCAN, .tsv or .tmx pairs) or SOURCE=TARGET "
                    + "(two line-aligned files)")
        }
        let predictor = try Seq2SeqPredictor(directory: directory)
        let segmenter = try Seq2SeqParallelData.segmenter(
            recorded: predictor.hyperparameters.tokenizer ?? "whitespace", in: directory)
        let lowercase = predictor.hyperparameters.lowercase ?? false
        var results: [String: Double] = [:]
        for path in options.data {
            let text = try Seq2SeqParallelData.evaluationPairs(
                path, in: directory, columns: options.columns, groupColumn: options.groupColumn)
            let pairs = try text.map { pair in
                let source = segmenter.tokens(lowercase ? pair.source.lowercased() : pair.source)
                let target = segmenter.tokens(lowercase ? pair.target.lowercased() : pair.target)
                guard !source.isEmpty, !target.isEmpty else {
                    throw InputError("a side of this pair has no tokens", at: pair.location)
                }
                return Seq2SeqExample(source: source, target: target)
            }
            let predictions = predictor.predict(pairs.map(\.source))
            let correct = zip(predictions, pairs).filter { $0 == $1.target }.count
            let accuracy = pairs.isEmpty ? 0 : Double(correct) / Double(pairs.count)
            let outputs = predictions.map { segmenter.text($0) }
            let references = pairs.map { segmenter.text($0.target) }
            let sources = pairs.map { segmenter.text($0.source) }
            let bleu = BLEU()
            let referenceBLEU = try bleu.corpusScore(hypotheses: outputs, references: [references]).score
            let sourceBLEU = try bleu.corpusScore(hypotheses: outputs, references: [sources]).score
            let copyBLEU = try bleu.corpusScore(hypotheses: sources, references: [references]).score
            if options.json {
                results[path + ".exact_match"] = accuracy
                results[path + ".correct"] = Double(correct)
                results[path + ".total"] = Double(pairs.count)
                results[path + ".bleu"] = referenceBLEU
                results[path + ".source_bleu"] = sourceBLEU
                results[path + ".copy_bleu"] = copyBLEU
            }
            var breakdown: GroupedExactMatch?
            if options.groupColumn != nil {
                breakdown = GroupedExactMatch(
                    labels: text.map { $0.group ?? "" }, correct: zip(predictions, pairs).map { $0 == $1.target })
            }
            if options.json {
                for group in breakdown?.groups ?? [] {
                    results[path + ".group." + group.name + ".exact_match"] = group.accuracy
                    results[path + ".group." + group.name + ".correct"] = Double(group.correct)
                    results[path + ".group." + group.name + ".total"] = Double(group.total)
                }
                if let breakdown { results[path + ".mean_group_exact_match"] = breakdown.meanGroupAccuracy }
            } else {
                let scores = String(
                    format: "BLEU: %.2f  source-BLEU: %.2f  copying the source: %.2f", referenceBLEU, sourceBLEU,
                    copyBLEU)
                print(
                    "\(path): " + String(format: "exact match: %.4f (%d/%d)  ", accuracy, correct, pairs.count)
                        + scores)
                if let breakdown {
                    print(
                        "  per group (column \(options.groupColumn ?? 0), \(breakdown.groups.count) groups, mean "
                            + String(format: "%.4f", breakdown.meanGroupAccuracy) + "):")
                    for line in breakdown.lines() { print("    " + line) }
                }
            }
        }
        if options.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            print(String(decoding: try encoder.encode(results), as: UTF8.self))
        }
    }

    /// The text of `path`, or standard input when nil.
    private static func readInput(_ path: String?) throws -> (String, String) {
        guard let path else {
            return (String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self), "<stdin>")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError("cannot read the file", at: SourceLocation(file: path))
        }
        return (String(decoding: data, as: UTF8.self), path)
    }
}
