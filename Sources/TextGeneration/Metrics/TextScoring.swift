import Foundation
import MontagueSupport

/// Scores text files without a model — what `montague score-text` runs: BLEU and chrF against references,
/// source-BLEU against the inputs, diversity (self-BLEU, distinct-n), and a paired bootstrap against a baseline.
public enum TextScoring {
    /// The metrics to compute.
    public enum Metric: String, CaseIterable, Sendable, Codable {
        /// Corpus BLEU against the references.
        case bleu
        /// Corpus chrF against the references.
        case chrf
        /// BLEU of the hypotheses against their sources (content preservation; "self-BLEU" in the
        /// style-transfer literature).
        case sourceBLEU = "source-bleu"
        /// Diversity self-BLEU (each hypothesis against all others; Texygen).
        case selfBLEU = "self-bleu"
        /// distinct-1 and distinct-2.
        case distinct
    }

    /// What to score and how.
    public struct Request: Sendable {
        /// The hypotheses (system outputs), one per line.
        public var hypotheses: TextFile
        /// Reference sets, each with one reference per hypothesis.
        public var references: [TextFile]
        /// The inputs the hypotheses were produced from (for source-BLEU).
        public var sources: TextFile?
        /// Another system's outputs to compare with by paired bootstrap (BLEU and chrF).
        public var baseline: TextFile?
        /// The metrics; empty means every metric the inputs allow.
        public var metrics: [Metric]
        /// BLEU's configuration (tokenizer, smoothing, case).
        public var bleu: BLEU
        /// chrF's configuration.
        public var chrf: ChrF
        /// Also report per-sentence BLEU and chrF.
        public var perSentence: Bool
        /// Bootstrap resamples.
        public var bootstrapSamples: Int

        /// Makes a request.
        public init(
            hypotheses: TextFile, references: [TextFile] = [], sources: TextFile? = nil, baseline: TextFile? = nil,
            metrics: [Metric] = [], bleu: BLEU = BLEU(), chrf: ChrF = ChrF(), perSentence: Bool = false,
            bootstrapSamples: Int = 1000
        ) {
            self.hypotheses = hypotheses
            self.references = references
            self.sources = sources
            self.baseline = baseline
            self.metrics = metrics
            self.bleu = bleu
            self.chrf = chrf
            self.perSentence = perSentence
            self.bootstrapSamples = bootstrapSamples
        }
    }

    /// Lines of a text file, with its path for error messages.
    public struct TextFile: Sendable {
        /// The path (or `<stdin>`).
        public var path: String
        /// The lines, without line terminators (a final newline does not make an extra empty line).
        public var lines: [String]

        /// Lines given directly.
        public init(path: String, lines: [String]) {
            self.path = path
            self.lines = lines
        }

        /// Reads a UTF-8 text file (a byte-order mark is skipped; `\r\n` line ends are accepted).
        ///
        /// - Throws: ``InputError`` located at the file when it cannot be read or is not UTF-8 (with the line
        ///   of the first malformed byte).
        public init(contentsOf path: String) throws {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw InputError("cannot read the file", at: SourceLocation(file: path))
            }
            var bytes = [UInt8](data)
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
            guard let text = String(validating: bytes, as: UTF8.self) else {
                var line = 1
                var decoder = UTF8()
                var iterator = bytes.makeIterator()
                decodeLoop: while true {
                    switch decoder.decode(&iterator) {
                    case .scalarValue(let scalar):
                        if scalar == "\n" { line += 1 }
                    case .emptyInput, .error: break decodeLoop
                    }
                }
                throw InputError("not valid UTF-8", at: SourceLocation(file: path, line: line))
            }
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
                line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
            }
            if lines.last == "" { lines.removeLast() }
            self.init(path: path, lines: lines)
        }
    }

    /// A paired-bootstrap comparison with the baseline, per metric.
    public struct Comparison: Codable, Equatable, Sendable {
        /// The baseline's score.
        public var baseline: Double
        /// This system's score.
        public var system: Double
        /// The p-value.
        public var pValue: Double
        /// Half-width of this system's 95 % interval.
        public var confidence: Double
    }

    /// The scores.
    public struct Report: Codable, Equatable, Sendable {
        /// Number of hypotheses.
        public var sentences: Int
        /// Number of reference sets.
        public var referenceSets: Int
        /// BLEU against the references (0–100).
        public var bleu: Double?
        /// BLEU's n-gram precisions.
        public var bleuPrecisions: [Double]?
        /// BLEU's brevity penalty.
        public var brevityPenalty: Double?
        /// chrF (0–100).
        public var chrf: Double?
        /// source-BLEU (0–100).
        public var sourceBLEU: Double?
        /// Diversity self-BLEU (0–1, lower is more diverse).
        public var selfBLEU: Double?
        /// distinct-1.
        public var distinct1: Double?
        /// distinct-2.
        public var distinct2: Double?
        /// Per-sentence BLEU (sacreBLEU's `sentence_bleu`).
        public var sentenceBLEU: [Double]?
        /// Per-sentence chrF.
        public var sentenceChrF: [Double]?
        /// Paired bootstrap against the baseline, by metric name (`bleu`, `chrf`).
        public var comparisons: [String: Comparison]?
        /// sacreBLEU-style signature of the BLEU configuration.
        public var signature: String
    }

    /// Computes the report.
    ///
    /// - Throws: ``InputError`` located at the file whose line count differs from the hypotheses', or when a
    ///   requested metric lacks its input (references, sources, at least two hypotheses).
    public static func score(_ request: Request) throws -> Report {
        let hypotheses = request.hypotheses.lines
        for file in request.references + [request.sources, request.baseline].compactMap({ $0 })
        where file.lines.count != hypotheses.count {
            throw InputError(
                "has \(file.lines.count) lines, the hypotheses (\(request.hypotheses.path)) \(hypotheses.count)",
                at: SourceLocation(file: file.path))
        }
        var metrics = request.metrics
        if metrics.isEmpty {
            if !request.references.isEmpty { metrics += [.bleu, .chrf] }
            if request.sources != nil { metrics.append(.sourceBLEU) }
            if request.references.isEmpty && request.sources == nil { metrics += [.selfBLEU, .distinct] }
        }
        let references = request.references.map(\.lines)
        var report = Report(
            sentences: hypotheses.count, referenceSets: references.count,
            signature: "nrefs:\(references.count)|case:\(request.bleu.lowercase ? "lc" : "mixed")|eff:no|tok:"
                + "\(request.bleu.tokenizer.rawValue)|smooth:\(smoothingName(request.bleu.smoothing))|version:"
                + MontagueVersion.current)
        for metric in metrics {
            switch metric {
            case .bleu:
                guard !references.isEmpty else { throw InputError("bleu needs references (--ref FILE)") }
                let score = try request.bleu.corpusScore(hypotheses: hypotheses, references: references)
                report.bleu = score.score
                report.bleuPrecisions = score.precisions
                report.brevityPenalty = score.brevityPenalty
            case .chrf:
                guard !references.isEmpty else { throw InputError("chrf needs references (--ref FILE)") }
                report.chrf = try request.chrf.corpusScore(hypotheses: hypotheses, references: references)
            case .sourceBLEU:
                guard let sources = request.sources else { throw InputError("source-bleu needs --source FILE") }
                report.sourceBLEU = try request.bleu.corpusScore(hypotheses: hypotheses, references: [sources.lines])
                    .score
            case .selfBLEU:
                guard hypotheses.count >= 2 else { throw InputError("self-bleu needs at least two hypotheses") }
                report.selfBLEU = try DiversityMetrics.selfBLEU(hypotheses)
            case .distinct:
                report.distinct1 = DiversityMetrics.distinct(hypotheses, n: 1)
                report.distinct2 = DiversityMetrics.distinct(hypotheses, n: 2)
            }
        }
        if request.perSentence && !references.isEmpty {
            report.sentenceBLEU = hypotheses.indices.map { index in
                request.bleu.sentenceScore(hypothesis: hypotheses[index], references: references.map { $0[index] })
                    .score
            }
            report.sentenceChrF = hypotheses.indices.map { index in
                request.chrf.sentenceScore(hypothesis: hypotheses[index], references: references.map { $0[index] })
            }
        }
        if let baseline = request.baseline, !references.isEmpty, !hypotheses.isEmpty {
            var comparisons: [String: Comparison] = [:]
            let bleu = try request.bleu.pairedBootstrap(
                baseline: baseline.lines, system: hypotheses, references: references,
                samples: request.bootstrapSamples)
            comparisons["bleu"] = Comparison(
                baseline: bleu.baselineScore, system: bleu.systemScore, pValue: bleu.pValue,
                confidence: bleu.systemConfidence)
            let chrfBaseline = try request.chrf.sentenceStatistics(hypotheses: baseline.lines, references: references)
            let chrfSystem = try request.chrf.sentenceStatistics(hypotheses: hypotheses, references: references)
            let width = 3 * (request.chrf.characterOrder + request.chrf.wordOrder)
            let chrf = PairedBootstrap.compare(
                baseline: chrfBaseline, system: chrfSystem, zero: Array(repeating: 0, count: width),
                samples: request.bootstrapSamples,
                add: { sum, sentence in for index in sentence.indices { sum[index] += sentence[index] } },
                score: { request.chrf.fScore($0) })
            comparisons["chrf"] = Comparison(
                baseline: chrf.baselineScore, system: chrf.systemScore, pValue: chrf.pValue,
                confidence: chrf.systemConfidence)
            report.comparisons = comparisons
        }
        return report
    }

    private static func smoothingName(_ smoothing: BLEU.Smoothing) -> String {
        switch smoothing {
        case .none: "none"
        case .exponential: "exp"
        case .floor(let value): "floor[\(value)]"
        case .addK(let value): "add-k[\(value)]"
        }
    }
}
