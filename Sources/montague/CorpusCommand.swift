import ArgumentParser
import Corpus
import Foundation

/// `montague corpus`: load XML and plain-text corpora, show statistics, export them, build vocabularies.
struct CorpusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corpus",
        abstract: "Load corpora from XML (TEI, Bosak plays, TMX, any format by element paths) or plain text.",
        discussion: """
            Files are streamed through libxml2 in constant memory; gzip-compressed files are read directly. The
            format is detected from the root element (TEI, PLAY, tmx) unless --profile says otherwise; describe an
            unknown format with element paths:

              montague corpus stats rte3_dev.xml --unit pair/t --unit pair/h \\
                  --label entailment=pair@entailment --metadata pair@id     # PASCAL RTE-3
              montague corpus stats senseval/ --unit instance/context \\
                  --label sense=instance/answer@senseid                     # label from a sibling element

            Directories give their XML files (other files are listed and skipped); plain-text corpora need
            --format text. Nothing is fetched from the network, and external DTDs or entities are read only with
            --allow-local-entities, from the corpus directory. A file that is not well-formed, or that exceeds a
            safety limit (--max-depth, --max-text-bytes, --max-amplification, --max-decompression-ratio), stops the
            command with file:line:column: error: message (exit code 2), or is skipped and reported with
            --skip-bad-files. gzip, xz and bzip2 files are read directly.
            """,
        subcommands: [CorpusStatsCommand.self, CorpusExportCommand.self, CorpusVocabCommand.self]
    )
}

/// Where the corpus comes from and how it is read (shared by the corpus subcommands).
struct CorpusInputOptions: ParsableArguments {
    @Argument(help: "Corpus files or directories (directories: their XML files, or every file with --format text).")
    var paths: [String]

    @Option(help: "Format profile: auto, tei, bosak, tmx, generic, montague.")
    var profile: String = "auto"

    @Option(help: "Input format: auto (XML if it starts with '<'), xml, text (one sentence per line).")
    var format: String = "auto"

    @Option(help: "Units of plays (TEI, Bosak): block (lines, paragraphs) or speech.")
    var granularity: String = "block"

    @Flag(help: "Read stage directions as units (TEI, Bosak).")
    var stageDirections = false

    @Flag(help: "Read headings as units (TEI).")
    var headings = false

    @Option(help: "Generic profile: the element path of documents (e.g. doc).")
    var document: String?

    @Option(help: "Generic profile: the element path of text units (repeatable, e.g. pair/t).")
    var unit: [String] = []

    @Option(help: "Generic profile: the element path of tokens inside units (e.g. s/w).")
    var token: String?

    @Option(help: "An attribute that becomes a label: [name=][path]@attribute (repeatable, e.g. pair@entailment).")
    var label: [String] = []

    @Option(help: "An attribute that becomes metadata: [name=][path]@attribute (repeatable).")
    var metadata: [String] = []

    @Option(help: "Plain text: a label for every unit, name=value (repeatable).")
    var textLabel: [String] = []

    @Option(help: "Plain text: a label whose value is the file's last extension (sentiment.train.1 → 1).")
    var labelFromExtension: String?

    @Flag(help: "Skip files that cannot be read and report them, instead of stopping.")
    var skipBadFiles = false

    @Flag(help: "Read external DTDs and entities from local files inside the corpus directory (never the network).")
    var allowLocalEntities = false

    @Flag(help: "With --allow-local-entities: read local files anywhere, not only inside the corpus directory.")
    var allowEntitiesAnywhere = false

    @Option(
        name: .customLong("validate"),
        help: "Validate each XML file first: dtd (its own DTD) or a RELAX NG schema (FILE.rng).")
    var validation: ValidationChoice?

    @Flag(help: "Replace XInclude elements by the local documents they name (inside the corpus directory).")
    var xinclude = false

    @Option(help: "Deepest element nesting accepted.")
    var maxDepth: Int = 256

    @Option(help: "Longest text node accepted, in bytes (entities expanded).")
    var maxTextBytes: Int = 10_000_000

    @Option(help: "How many times its own size a file may grow by entity expansion (past 16 MiB).")
    var maxAmplification: Int = 10

    @Option(help: "How many times its size a compressed file may expand to (past 16 MiB).")
    var maxDecompressionRatio: Int = 100

    func validate() throws {
        if allowEntitiesAnywhere && !allowLocalEntities {
            throw ValidationError("--allow-entities-anywhere needs --allow-local-entities")
        }
        for (value, name) in [
            (maxDepth, "--max-depth"), (maxTextBytes, "--max-text-bytes"), (maxAmplification, "--max-amplification"),
            (maxDecompressionRatio, "--max-decompression-ratio"),
        ] where value < 1 {
            throw ValidationError("\(name) must be at least 1")
        }
    }

    /// The loader these options describe.
    func makeLoader() throws -> CorpusLoader {
        guard let kind = ProfileKind(rawValue: profile) else {
            throw ValidationError(
                "unknown profile '\(profile)': use one of \(ProfileKind.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        guard let inputFormat = InputFormat(rawValue: format) else {
            throw ValidationError("unknown format '\(format)': use auto, xml or text")
        }
        guard let unitGranularity = UnitGranularity(rawValue: granularity) else {
            throw ValidationError("unknown granularity '\(granularity)': use block or speech")
        }
        var generic: GenericProfileSpecification?
        if !unit.isEmpty || document != nil || token != nil || !label.isEmpty || !metadata.isEmpty || kind == .generic {
            generic = try GenericProfileSpecification(
                document: document, units: unit, token: token, labels: label,
                metadata: self.metadata)
        }
        var labels: [String: String] = [:]
        for entry in textLabel {
            guard let equals = entry.firstIndex(of: "="), equals != entry.startIndex else {
                throw ValidationError("--text-label needs name=value, got '\(entry)'")
            }
            labels[String(entry[..<equals])] = String(entry[entry.index(after: equals)...])
        }
        let options = CorpusLoadOptions(
            format: inputFormat,
            profile: ProfileConfiguration(
                kind: kind, granularity: unitGranularity,
                includeStageDirections: stageDirections, includeHeadings: headings,
                generic: generic),
            reading: XMLReadingOptions(
                allowLocalExternalResources: allowLocalEntities, allowExternalResourcesAnywhere: allowEntitiesAnywhere,
                maximumDepth: maxDepth, maximumTextBytes: maxTextBytes, maximumAmplification: maxAmplification,
                maximumDecompressionRatio: maxDecompressionRatio, processesXInclude: xinclude),
            plainText: PlainTextOptions(labels: labels, labelFromExtension: labelFromExtension),
            skipBadFiles: skipBadFiles, validation: validation?.validation)
        let loader = try CorpusLoader(paths: paths, options: options)
        for file in loader.skippedFiles.prefix(20) {
            FileHandle.standardError.write(
                Data("\(file): warning: not XML, skipped (plain-text corpora: --format text)\n".utf8))
        }
        if loader.skippedFiles.count > 20 {
            FileHandle.standardError.write(Data("warning: \(loader.skippedFiles.count - 20) more files skipped\n".utf8))
        }
        return loader
    }
}

/// What `--validate` checks XML files against: `dtd` (the document's own DTD) or a RELAX NG schema file (`.rng`).
enum ValidationChoice: ExpressibleByArgument, Equatable {
    case documentDTD
    case relaxNG(String)

    init?(argument: String) {
        if argument.lowercased() == "dtd" {
            self = .documentDTD
        } else if argument.lowercased().hasSuffix(".rng") {
            self = .relaxNG(argument)
        } else {
            return nil
        }
    }

    static var allValueStrings: [String] { ["dtd", "SCHEMA.rng"] }

    var validation: XMLValidation {
        switch self {
        case .documentDTD: return .documentDTD
        case .relaxNG(let path): return .relaxNG(path: path)
        }
    }
}

/// How text is tokenized (shared by the corpus subcommands).
struct TokenizerOptions: ParsableArguments {
    @Option(
        help: """
            Tokenizer: default (words, numbers, punctuation, contractions), whitespace (pre-tokenized text), or \
            subwords for vocab and export: bpe:N or unigram:N (trained on the corpus), a Hugging Face tokenizer.json.
            """)
    var tokenizer: TokenizerSpecification = .words(.rules)

    @Option(
        name: .customLong("save-tokenizer"),
        help: "With a subword tokenizer: write it to this tokenizer.json file (Hugging Face format).")
    var saveTokenizer: String?

    @Flag(help: "Lowercase tokens.")
    var lowercase = false

    @Flag(help: "Replace numbers by <num>.")
    var normalizeNumbers = false

    @Flag(help: "Keep contractions whole (don't) instead of splitting them (do n't).")
    var keepContractions = false

    /// The word tokenizer these options describe (whitespace segmentation stands in for subwords, which the
    /// commands handle through ``subwords(for:)``).
    var configured: Tokenizer {
        var segmentation = Tokenizer.Segmentation.rules
        if case .words(let words) = tokenizer { segmentation = words }
        return Tokenizer(
            isLowercasing: lowercase, normalizesNumbers: normalizeNumbers,
            contractions: keepContractions ? .keep : .split, segmentation: segmentation)
    }

    /// The subword tokenizer `--tokenizer` asks for, trained on `loader`'s units or loaded (and written to
    /// `--save-tokenizer`), or `nil` for word tokenizers.
    func subwords(for loader: CorpusLoader) throws -> SubwordTokenizer? {
        guard case .subwords(let specification) = tokenizer else {
            if saveTokenizer != nil { throw ValidationError("--save-tokenizer needs a subword --tokenizer") }
            return nil
        }
        if normalizeNumbers || keepContractions {
            throw ValidationError("--normalize-numbers and --keep-contractions apply to word tokenizers only")
        }
        let subwords = try SubwordCorpus.tokenizer(specification, corpus: loader, lowercase: lowercase)
        if let saveTokenizer { try subwords.save(to: URL(fileURLWithPath: saveTokenizer)) }
        return subwords
    }
}

/// Prints a corpus error the way compilers do and exits with status 2.
func exitWithCorpusError(_ error: CorpusError) -> ExitCode {
    FileHandle.standardError.write(Data((error.description + "\n").utf8))
    return ExitCode(2)
}

/// Runs `body`, turning corpus errors into `file:line:column: error: message` and exit status 2.
func runReportingCorpusErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as CorpusError {
        throw exitWithCorpusError(error)
    }
}

/// Shows loading progress on standard error when it is a terminal (rate and ETA); silent otherwise.
final class CorpusProgressDisplay {
    private let enabled = isatty(2) == 1
    private let start = Date()
    private var lastUpdate = Date.distantPast

    func update(_ progress: CorpusProgress) {
        guard enabled else { return }
        let now = Date()
        let done = progress.filesDone == progress.fileCount
        guard done || now.timeIntervalSince(lastUpdate) > 0.2 else { return }
        lastUpdate = now
        let elapsed = max(now.timeIntervalSince(start), 1e-3)
        let megabytes = Double(progress.bytesRead) / 1e6
        let total = Double(progress.totalBytes) / 1e6
        let rate = megabytes / elapsed
        let remaining = rate > 0 ? max(0, (total - megabytes) / rate) : 0
        let line = String(
            format: "\r%.1f / %.1f MB  %.1f MB/s  ETA %.0fs  %d units  file %d/%d ",
            megabytes, total, rate, remaining, progress.unitsRead, min(progress.filesDone + 1, progress.fileCount),
            progress.fileCount)
        FileHandle.standardError.write(Data((done ? line + "\n" : line).utf8))
    }
}

/// Prints the files a load skipped, to standard error.
func reportSkipped(_ report: CorpusLoadReport) {
    for error in report.skipped {
        FileHandle.standardError.write(Data("skipped: \(error.description)\n".utf8))
    }
    for warning in report.warnings.prefix(20) {
        FileHandle.standardError.write(Data("\(warning.warningDescription)\n".utf8))
    }
}

struct CorpusStatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Documents, units, tokens, types, label distribution and length histogram.",
        discussion: """
            Examples:
              montague corpus stats corpora/shakespeare
              montague corpus stats sentiment.dev.0 sentiment.dev.1 --label-from-extension sentiment \\
                  --tokenizer whitespace --json      # the Yelp sentiment data (Shen et al. 2017), pre-tokenized
            """
    )

    @OptionGroup var input: CorpusInputOptions
    @OptionGroup var tokenization: TokenizerOptions

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        if case .subwords = tokenization.tokenizer {
            throw ValidationError(
                "corpus stats counts words: use --tokenizer default or whitespace (subwords: corpus vocab)")
        }
        try runReportingCorpusErrors {
            let display = CorpusProgressDisplay()
            let statistics = try CorpusStatistics.compute(
                try input.makeLoader(), tokenizer: tokenization.configured,
                progress: display.update)
            if statistics.files == 0, !statistics.skipped.isEmpty {
                for skipped in statistics.skipped { FileHandle.standardError.write(Data("skipped: \(skipped)\n".utf8)) }
                throw ExitCode(2)
            }
            for warning in statistics.warnings.prefix(20) {
                FileHandle.standardError.write(Data("\(warning)\n".utf8))
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
                print(String(decoding: try encoder.encode(statistics), as: UTF8.self))
            } else {
                print(statistics.report)
            }
        }
    }
}

struct CorpusExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a corpus to JSONL, plain text, TEI or Montague's XML form.",
        discussion: """
            The output is written atomically (a temporary file renamed into place); a name ending in .gz is
            gzip-compressed for XML output. Examples:
              montague corpus export corpora/shakespeare --to jsonl --output /tmp/plays.jsonl --tokenize
              montague corpus export sentiment.dev.1 --label-from-extension sentiment \\
                  --to tei --output /tmp/yelp.tei.xml
            """
    )

    @OptionGroup var input: CorpusInputOptions
    @OptionGroup var tokenization: TokenizerOptions

    @Option(help: "Output format: jsonl, txt, tei, xml.")
    var to: String

    @Option(name: .shortAndLong, help: "Output file.")
    var output: String

    @Flag(help: "Add tokens (JSONL) or write tokenized text (txt).")
    var tokenize = false

    @Option(help: "Corpus title for XML output.")
    var title: String = "Corpus written by Montague"

    func run() throws {
        guard let format = ExportFormat(rawValue: to) else {
            throw ValidationError("unknown export format '\(to)': use jsonl, txt, tei or xml")
        }
        try runReportingCorpusErrors {
            let display = CorpusProgressDisplay()
            let loader = try input.makeLoader()
            let report: CorpusLoadReport
            if let subwords = try tokenization.subwords(for: loader) {
                guard tokenize, format == .jsonl || format == .text else {
                    throw ValidationError("a subword --tokenizer writes pieces: use --tokenize with --to jsonl or txt")
                }
                report = try SubwordCorpus.export(
                    loader, to: output, format: format, tokenizer: subwords, lowercase: tokenization.lowercase,
                    progress: display.update)
            } else {
                report = try CorpusExporter.export(
                    loader, to: output, format: format, tokenizer: tokenize ? tokenization.configured : nil,
                    title: title, progress: display.update)
            }
            reportSkipped(report)
            print("wrote \(output) from \(report.filesRead.count) file(s)")
        }
    }
}

struct CorpusVocabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vocab",
        abstract: "Build a vocabulary (with <pad> <unk> <bos> <eos>) and save it as JSON.",
        discussion: """
            Examples:
              montague corpus vocab sentiment.train.0 sentiment.train.1 --tokenizer whitespace \\
                  --lowercase --min-count 5 --max-size 10000 --output /tmp/yelp.vocab.json
              montague corpus vocab corpora/shakespeare --tokenizer bpe:8000 --save-tokenizer /tmp/tokenizer.json \\
                  --output /tmp/pieces.vocab.json     # subword pieces and their counts
            """
    )

    @OptionGroup var input: CorpusInputOptions
    @OptionGroup var tokenization: TokenizerOptions

    @Option(help: "Leave out tokens seen fewer times.")
    var minCount: Int = 1

    @Option(help: "At most this many entries, special tokens included.")
    var maxSize: Int?

    @Option(name: .shortAndLong, help: "Where to save the vocabulary (JSON).")
    var output: String?

    func validate() throws {
        guard minCount >= 1 else { throw ValidationError("--min-count must be at least 1") }
        if let maxSize, maxSize < 4 { throw ValidationError("--max-size must leave room for the 4 special tokens") }
    }

    func run() throws {
        try runReportingCorpusErrors {
            let display = CorpusProgressDisplay()
            let loader = try input.makeLoader()
            let (vocabulary, report, tokenCount) =
                try tokenization.subwords(for: loader).map {
                    try SubwordCorpus.vocabulary(
                        loader, tokenizer: $0, lowercase: tokenization.lowercase, minimumCount: minCount,
                        maximumSize: maxSize, progress: display.update)
                }
                ?? Vocabulary.build(
                    from: loader, tokenizer: tokenization.configured, minimumCount: minCount, maximumSize: maxSize,
                    progress: display.update)
            reportSkipped(report)
            if let output { try vocabulary.save(to: output) }
            let covered = vocabulary.counts.reduce(0, +)
            print(
                "vocabulary: \(vocabulary.count) entries (4 special) from \(tokenCount) tokens; "
                    + String(
                        format: "%.2f%% of tokens covered",
                        tokenCount == 0 ? 100 : 100 * Double(covered) / Double(tokenCount)))
            if let output { print("saved \(output)") }
        }
    }
}
