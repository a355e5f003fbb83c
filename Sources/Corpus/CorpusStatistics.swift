/// Counts over a corpus: documents, units, tokens, types, labels, unit kinds and a histogram of unit lengths in
/// tokens.
public struct CorpusStatistics: Sendable, Hashable, Codable {
    /// One bin of the length histogram: units with `lowerBound...upperBound` tokens.
    public struct LengthBin: Sendable, Hashable, Codable {
        /// Smallest length in the bin.
        public var lowerBound: Int
        /// Largest length in the bin.
        public var upperBound: Int
        /// Units in the bin.
        public var count: Int

        /// Makes a bin.
        public init(lowerBound: Int, upperBound: Int, count: Int) {
            self.lowerBound = lowerBound
            self.upperBound = upperBound
            self.count = count
        }
    }

    /// Files read.
    public var files = 0
    /// Documents (including documents without units).
    public var documents = 0
    /// Units.
    public var units = 0
    /// Tokens.
    public var tokens = 0
    /// Distinct tokens.
    public var types = 0
    /// Characters of unit text (Unicode scalars).
    public var characters = 0
    /// Longest unit, in tokens.
    public var maximumLength = 0
    /// Units per kind.
    public var kinds: [String: Int] = [:]
    /// For each label name, units per value.
    public var labels: [String: [String: Int]] = [:]
    /// Unit lengths in tokens, in bins 0, 1, 2–3, 4–7, 8–15, … (powers of two); empty bins are left out.
    public var lengthHistogram: [LengthBin] = []
    /// Files skipped, as `file:line:column: error: message`.
    public var skipped: [String] = []

    /// Makes empty statistics.
    public init() {}

    /// Mean unit length in tokens.
    public var meanLength: Double { units == 0 ? 0 : Double(tokens) / Double(units) }

    /// Reads everything `loader` reads and counts it, tokenizing with `tokenizer` (units with marked-up tokens use
    /// those).
    public static func compute(
        _ loader: CorpusLoader, tokenizer: Tokenizer = Tokenizer(),
        progress: ((CorpusProgress) -> Void)? = nil
    ) throws -> CorpusStatistics {
        var collector = CorpusStatisticsCollector(tokenizer: tokenizer)
        let report = try loader.forEachEvent(progress: progress) { collector.add($0) }
        var statistics = collector.statistics
        statistics.files = report.filesRead.count
        statistics.skipped = report.skipped.map(\.description)
        return statistics
    }

    /// A human-readable report.
    public var report: String {
        var lines = [
            "files:      \(files)", "documents:  \(documents)", "units:      \(units)", "tokens:     \(tokens)",
            "types:      \(types)",
            "length:     mean \(String(oneDecimal: meanLength)), max \(maximumLength) tokens",
        ]
        if !kinds.isEmpty {
            lines.append("unit kinds:")
            for (kind, count) in kinds.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) {
                lines.append("  \(kind): \(count)")
            }
        }
        for (name, values) in labels.sorted(by: { $0.key < $1.key }) {
            lines.append("label \(name):")
            for (value, count) in values.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) {
                lines.append(
                    "  \(value): \(count) (\(String(oneDecimal: 100 * Double(count) / Double(max(units, 1))))%)")
            }
        }
        if !lengthHistogram.isEmpty {
            lines.append("length histogram (tokens per unit):")
            let largest = lengthHistogram.map(\.count).max() ?? 1
            for bin in lengthHistogram {
                let range =
                    bin.lowerBound == bin.upperBound ? "\(bin.lowerBound)" : "\(bin.lowerBound)-\(bin.upperBound)"
                let bar = String(repeating: "#", count: max(1, 40 * bin.count / max(largest, 1)))
                lines.append("  \(range.paddedRight(to: 9)) \(String(bin.count).paddedRight(to: 9)) \(bar)")
            }
        }
        for skippedFile in skipped { lines.append("skipped: \(skippedFile)") }
        return lines.joined(separator: "\n")
    }
}

/// Accumulates `CorpusStatistics` from events, for callers that drive the reading themselves.
public struct CorpusStatisticsCollector {
    /// The tokenizer used for units without marked-up tokens.
    public let tokenizer: Tokenizer
    private var result = CorpusStatistics()
    private var typeSet = Set<String>()
    private var bins: [Int] = []

    /// Makes a collector.
    public init(tokenizer: Tokenizer = Tokenizer()) { self.tokenizer = tokenizer }

    /// Counts one event.
    public mutating func add(_ event: CorpusEvent) {
        switch event {
        case .startDocument: result.documents += 1
        case .endDocument: break
        case .unit(let unit): add(unit)
        }
    }

    /// Counts one unit.
    public mutating func add(_ unit: TextUnit) {
        let tokens = CorpusExporter.tokens(of: unit, tokenizer)
        result.units += 1
        result.tokens += tokens.count
        result.characters += unit.text.unicodeScalars.count
        result.maximumLength = max(result.maximumLength, tokens.count)
        for token in tokens { typeSet.insert(token) }
        result.kinds[unit.kind.rawValue, default: 0] += 1
        for (name, value) in unit.labels { result.labels[name, default: [:]][value, default: 0] += 1 }
        let bin = tokens.isEmpty ? 0 : Int.bitWidth - tokens.count.leadingZeroBitCount
        if bins.count <= bin { bins += Array(repeating: 0, count: bin + 1 - bins.count) }
        bins[bin] += 1
    }

    /// The statistics so far.
    public var statistics: CorpusStatistics {
        var statistics = result
        statistics.types = typeSet.count
        statistics.lengthHistogram = bins.enumerated().compactMap { bin, count in
            guard count > 0 else { return nil }
            let lower = bin == 0 ? 0 : 1 << (bin - 1)
            let upper = bin == 0 ? 0 : (1 << bin) - 1
            return CorpusStatistics.LengthBin(lowerBound: lower, upperBound: upper, count: count)
        }
        return statistics
    }
}

extension String {
    /// The number with one decimal.
    init(oneDecimal value: Double) {
        let rounded = (value * 10).rounded() / 10
        self = rounded == rounded.rounded() ? String(Int(rounded)) + ".0" : String(rounded)
    }

    /// The string padded with spaces to at least `length` characters.
    func paddedRight(to length: Int) -> String {
        count >= length ? self : self + String(repeating: " ", count: length - count)
    }
}
