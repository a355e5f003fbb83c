import ArgumentParser
import Corpus
import Foundation
import MontagueSupport
import NeuralNet

/// The parallel data of `montague train seq2seq`, read by ``Seq2SeqParallelText`` (SCAN, TSV, aligned files) or
/// Corpus's TMX profile, and tokenized by one ``TextSegmenter`` (words or subwords) — the glue between the two
/// library modules, which do not depend on each other.
struct Seq2SeqParallelData {
    /// The subword tokenizer's file name in a model directory.
    static let tokenizerFileName = "tokenizer.json"
    /// The file recording how the training pairs were read (format, TMX languages), for `evaluate --data`.
    static let dataDescriptionFileName = "parallel-data.json"

    /// How the training pairs were read: what `montague evaluate DIR --data FILE` needs to read more pairs alike.
    struct DataDescription: Codable, Equatable {
        /// The training file's layout.
        var format: Seq2SeqParallelFormat
        /// TMX: the source language.
        var sourceLanguage: String?
        /// TMX: the target language.
        var targetLanguage: String?
        /// TSV: the source and target columns (`nil`: the first two; directories written before columns could be
        /// chosen record none).
        var columns: TSVColumns?
    }

    /// One data set: a file of pairs, or the source side of two aligned files and its target side.
    struct Source {
        var path: String
        var targetPath: String?
    }

    /// Where training, validation and test pairs come from, and how to read them.
    struct Sources {
        var train: Source
        var valid: Source?
        var test: Source?
        /// The layout; `nil`: guessed from the file names.
        var format: Seq2SeqParallelFormat?
        /// TMX languages.
        var sourceLanguage: String?
        var targetLanguage: String?
        /// TSV: which columns hold source, target and (for evaluation) the group.
        var columns: TSVColumns = .standard
    }

    let train: [Seq2SeqExample]
    let valid: [Seq2SeqExample]
    let test: [Seq2SeqExample]
    /// The tokenizer.
    let segmenter: TextSegmenter
    /// How the training pairs were read.
    let description: DataDescription
    /// ``Seq2SeqExperiment/Settings/tokenizer``'s value for this tokenizer.
    var tokenizerName: String { Self.name(of: segmenter) }

    /// Reads and tokenizes the data. A model directory being resumed keeps the tokenizer it was trained with
    /// (`recordedTokenizer`, and its `tokenizer.json` for subwords); otherwise `tokenizer` (default whitespace)
    /// is made, trained on both sides of the training pairs when it is `bpe:N` or `unigram:N`.
    ///
    /// - Throws: ``InputError`` or ``CorpusError`` located in the data, `ValidationError` for contradicting flags.
    static func load(
        _ sources: Sources, tokenizer: TokenizerSpecification?, lowercase: Bool, modelDirectory: ModelDirectory?,
        recordedTokenizer: String
    ) throws -> Seq2SeqParallelData {
        let trainText = try readPairs(sources.train, sources)
        let validText = try sources.valid.map { try readPairs($0, sources) } ?? []
        let testText = try sources.test.map { try readPairs($0, sources) } ?? []
        func prepared(_ text: String) -> String { lowercase ? text.lowercased() : text }
        let segmenter: TextSegmenter
        if let modelDirectory, FileManager.default.fileExists(atPath: modelDirectory.trainingStateURL.path) {
            segmenter = try self.segmenter(recorded: recordedTokenizer, in: modelDirectory)
            if let recorded = try? JSONDecoder().decode(
                DataDescription.self, from: Data(contentsOf: modelDirectory.file(dataDescriptionFileName))),
                let columns = recorded.columns, recorded.format == format(of: sources.train, sources),
                columns != sources.columns
            {
                throw ValidationError(
                    "\(modelDirectory.url.path) was trained on TSV columns \(columns), not \(sources.columns) "
                        + "(give --columns \(columns))")
            }
            if let tokenizer, name(of: tokenizer) != recordedTokenizer {
                throw ValidationError(
                    "\(modelDirectory.url.path) was trained with the \(recordedTokenizer) tokenizer, not \(tokenizer)")
            }
        } else {
            segmenter = try TextSegmenter.make(
                tokenizer ?? .words(.whitespace),
                trainingTexts: trainText.lazy.flatMap { [prepared($0.source), prepared($0.target)] })
        }
        func examples(_ pairs: [Seq2SeqTextPair]) throws -> [Seq2SeqExample] {
            try pairs.map { pair in
                let source = segmenter.tokens(prepared(pair.source))
                let target = segmenter.tokens(prepared(pair.target))
                guard !source.isEmpty, !target.isEmpty else {
                    throw InputError("a side of this pair has no tokens", at: pair.location)
                }
                return Seq2SeqExample(source: source, target: target)
            }
        }
        let trainFormat = format(of: sources.train, sources)
        return Seq2SeqParallelData(
            train: try examples(trainText), valid: try examples(validText), test: try examples(testText),
            segmenter: segmenter,
            description: DataDescription(
                format: trainFormat, sourceLanguage: trainFormat == .tmx ? sources.sourceLanguage : nil,
                targetLanguage: trainFormat == .tmx ? sources.targetLanguage : nil,
                columns: trainFormat == .tsv
                    ? TSVColumns(source: sources.columns.source, target: sources.columns.target)
                    : nil))
    }

    /// The pairs of one data set.
    static func readPairs(_ source: Source, _ sources: Sources) throws -> [Seq2SeqTextPair] {
        let format = format(of: source, sources)
        if format != .aligned, source.targetPath != nil {
            throw ValidationError("a target file (--train-target, …) goes with --data-format aligned, not \(format)")
        }
        if format != .tsv, sources.columns != .standard {
            throw ValidationError(
                "\(source.path): --columns and --group-column apply to tab-separated pairs (tsv), not \(format)")
        }
        switch format {
        case .scan:
            return try Seq2SeqParallelText.parseSCAN(Seq2SeqParallelText.read(path: source.path), path: source.path)
        case .tsv:
            return try Seq2SeqParallelText.parseTSV(
                Seq2SeqParallelText.read(path: source.path), path: source.path, columns: sources.columns)
        case .aligned:
            guard let targetPath = source.targetPath else {
                throw ValidationError("--data-format aligned needs the target side (--train-target FILE, …)")
            }
            return try Seq2SeqParallelText.parseAligned(
                source: Seq2SeqParallelText.read(path: source.path), sourcePath: source.path,
                target: Seq2SeqParallelText.read(path: targetPath), targetPath: targetPath)
        case .tmx:
            return try readTMX(path: source.path, source: sources.sourceLanguage, target: sources.targetLanguage)
        }
    }

    /// The layout of one data set: the given format, else aligned with a target file, else guessed from the name.
    static func format(of source: Source, _ sources: Sources) -> Seq2SeqParallelFormat {
        sources.format ?? (source.targetPath != nil ? .aligned : Seq2SeqParallelFormat.guess(path: source.path))
    }

    /// The pairs of one `evaluate --data` argument for a model directory: `SOURCE=TARGET` names two line-aligned
    /// files (unless the whole argument is an existing file); otherwise one file in the layout its name suggests
    /// (`.tsv`, `.tmx`, else SCAN) — or the training layout when that was TSV or TMX. TMX files are read with the
    /// languages the model was trained on; TSV files with `columns`, else the columns the model was trained on,
    /// else the first two, and with `groupColumn` as every pair's group (COGS's category).
    ///
    /// - Throws: ``InputError`` or ``CorpusError`` located in the data; `ValidationError` for a TMX file when the
    ///   model directory does not record its languages, and for columns given for data that is not TSV.
    static func evaluationPairs(
        _ argument: String, in directory: ModelDirectory, columns: TSVColumns? = nil, groupColumn: Int? = nil
    ) throws -> [Seq2SeqTextPair] {
        let recorded = try? JSONDecoder().decode(
            DataDescription.self, from: Data(contentsOf: directory.file(dataDescriptionFileName)))
        let chosen: TSVColumns
        do {
            chosen = try (columns ?? recorded?.columns ?? .standard).grouped(by: groupColumn)
        } catch {
            throw ValidationError("--group-column \(groupColumn ?? 0): \(error.message)")
        }
        if !FileManager.default.fileExists(atPath: argument), let equals = argument.firstIndex(of: "="),
            equals != argument.startIndex, argument.index(after: equals) != argument.endIndex
        {
            let source = Source(
                path: String(argument[..<equals]), targetPath: String(argument[argument.index(after: equals)...]))
            // Columns given for aligned files are refused by readPairs.
            let aligned = columns == nil && groupColumn == nil ? TSVColumns.standard : chosen
            return try readPairs(source, Sources(train: source, format: .aligned, columns: aligned))
        }
        var format = Seq2SeqParallelFormat.guess(path: argument)
        if format == .scan, let trained = recorded?.format, trained == .tsv || trained == .tmx { format = trained }
        if format == .tmx, recorded?.sourceLanguage == nil || recorded?.targetLanguage == nil {
            throw ValidationError(
                "\(argument): a TMX file needs the model's languages, which \(directory.url.path) does not record "
                    + "(it was not trained on TMX)")
        }
        let source = Source(path: argument)
        return try readPairs(
            source,
            Sources(
                train: source, format: format, sourceLanguage: recorded?.sourceLanguage,
                targetLanguage: recorded?.targetLanguage,
                columns: format == .tsv || columns != nil || groupColumn != nil ? chosen : .standard))
    }

    /// The translation units of a TMX file with both languages, through Corpus's TMX profile.
    static func readTMX(path: String, source: String?, target: String?) throws -> [Seq2SeqTextPair] {
        let loader = try CorpusLoader(
            paths: [path], options: CorpusLoadOptions(format: .xml, profile: ProfileConfiguration(kind: .tmx)))
        var units: [TextUnit] = []
        try loader.forEachUnit { _, unit in units.append(unit) }
        let languages = TranslationPairs.languageCounts(in: units).keys.sorted()
        guard let source, let target else {
            throw ValidationError(
                "a TMX file needs --source-language and --target-language (\(path) has: "
                    + "\(languages.isEmpty ? "no languages" : languages.joined(separator: ", ")))")
        }
        var positions: [String: SourcePosition] = [:]
        for unit in units { if let tu = unit.metadata["tu"], positions[tu] == nil { positions[tu] = unit.position } }
        let pairs = TranslationPairs.pairs(in: units, source: source, target: target)
        guard !pairs.isEmpty else {
            throw InputError(
                "no translation unit has both '\(source)' and '\(target)' (languages: "
                    + "\(languages.isEmpty ? "none" : languages.joined(separator: ", ")))",
                at: SourceLocation(file: path))
        }
        return pairs.map { pair in
            let line = positions[pair.translationUnit].map(\.line) ?? 0
            return Seq2SeqTextPair(
                source: pair.source, target: pair.target,
                location: SourceLocation(file: path, line: line > 0 ? line : nil))
        }
    }

    /// The tokenizer a model directory records: words by name, or its `tokenizer.json`.
    static func segmenter(recorded: String, in directory: ModelDirectory) throws -> TextSegmenter {
        if recorded == "subwords" {
            return .subwords(try SubwordTokenizer.load(from: directory.file(tokenizerFileName)))
        }
        guard let specification = TokenizerSpecification(recorded), case .words = specification else {
            throw ModelDirectoryError(path: directory.manifestURL.path, "unknown tokenizer '\(recorded)'")
        }
        return try TextSegmenter.make(specification, trainingTexts: [String]())
    }

    /// The recorded name of a segmenter.
    static func name(of segmenter: TextSegmenter) -> String {
        switch segmenter {
        case .words(let tokenizer): tokenizer.segmentation == .whitespace ? "whitespace" : "default"
        case .subwords: "subwords"
        }
    }

    /// The recorded name of a tokenizer specification.
    static func name(of specification: TokenizerSpecification) -> String {
        if case .subwords = specification { return "subwords" }
        return specification.description
    }

    /// The files to keep in the model directory: how the training pairs were read, and the subword tokenizer.
    func attachments() -> [Seq2SeqAttachment] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        var files: [Seq2SeqAttachment] = []
        if let data = try? encoder.encode(description) {
            files.append(
                Seq2SeqAttachment(
                    name: Self.dataDescriptionFileName,
                    description: "how the training pairs were read (format, TMX languages), for evaluate --data",
                    contents: data))
        }
        guard let subwords = segmenter.subwordTokenizer else { return files }
        return files + [
            Seq2SeqAttachment(
                name: Self.tokenizerFileName,
                description: "the subword tokenizer of both sides (Hugging Face tokenizer.json)",
                contents: subwords.jsonData)
        ]
    }

    /// Text of a space-joined token sequence (subword pieces decoded).
    func text(_ tokens: String) -> String {
        segmenter.text(tokens.split(separator: " ").map(String.init))
    }
}

/// `--columns S,T`: the source and target columns of tab-separated data.
extension TSVColumns: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}
