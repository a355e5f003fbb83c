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
    /// For each label name, the count per value: of units, except that a label an enclosing element gives to
    /// several units (an RTE `pair` labelling its text and hypothesis) counts once for that element.
    public var labels: [String: [String: Int]] = [:]
    /// Unit lengths in tokens, in bins 0, 1, 2–3, 4–7, 8–15, … (powers of two); empty bins are left out.
    public var lengthHistogram: [LengthBin] = []
    /// Files skipped, as `file:line:column: error: message`.
    public var skipped: [String] = []
    /// Warnings of the reading (an external entity not loaded, a unit path that matched nothing), as
    /// `file:line:column: warning: message`.
    public var warnings: [String] = []

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
        // Units lent, tokens interned from their bytes: no `String` per unit or per token.
        let report = try loader.forEachBorrowedUnit(
            progress: progress, onDocument: { _ in collector.startDocument() }, { _, unit in collector.add(unit) })
        var statistics = collector.statistics
        statistics.files = report.filesRead.count
        statistics.skipped = report.skipped.map(\.description)
        statistics.warnings = report.warnings.map(\.warningDescription)
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
            let total = max(values.values.reduce(0, +), 1)
            for (value, count) in values.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) {
                lines.append(
                    "  \(value): \(count) (\(String(oneDecimal: 100 * Double(count) / Double(total)))%)")
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

/// Accumulates `CorpusStatistics` from events or borrowed units, for callers that drive the reading themselves.
///
/// Types are counted in a `TokenDictionary` (tokens interned by their bytes), so counting a large corpus makes no
/// `String` per token.
public struct CorpusStatisticsCollector {
    /// The tokenizer used for units without marked-up tokens.
    public let tokenizer: Tokenizer
    private var result = CorpusStatistics()
    private var types = TokenDictionary()
    private var bins: [Int] = []
    /// Units per kind, in order of first appearance (a few kinds: a scan costs less than hashing a name per unit).
    private var kindCounts: [(kind: UnitKind, count: Int)] = []
    /// Per label name, the element the last counted value came from (units of one element are consecutive).
    private var lastLabelOrigin: [String: Int] = [:]

    /// Makes a collector.
    public init(tokenizer: Tokenizer = Tokenizer()) { self.tokenizer = tokenizer }

    /// Counts one event.
    public mutating func add(_ event: CorpusEvent) {
        switch event {
        case .startDocument: startDocument()
        case .endDocument: break
        case .unit(let unit): BorrowedTextUnit.lending(unit) { add($0) }
        }
    }

    /// Counts a document.
    public mutating func startDocument() {
        result.documents += 1
        lastLabelOrigin.removeAll(keepingCapacity: true)
    }

    /// Counts one unit.
    public mutating func add(_ unit: TextUnit) {
        BorrowedTextUnit.lending(unit) { add($0) }
    }

    /// Counts one unit lent by a reader: its tokens are its marked-up tokens when it has them, otherwise the
    /// tokenizer's.
    public mutating func add(_ unit: BorrowedTextUnit) {
        var length = 0
        tokenizer.forEachTokenID(of: unit, interningInto: &types) { _ in length += 1 }
        result.units += 1
        result.tokens += length
        result.characters += Self.scalarCount(unit.utf8Text)
        result.maximumLength = max(result.maximumLength, length)
        let kind = unit.kind
        if let index = kindCounts.firstIndex(where: { $0.kind == kind }) {
            kindCounts[index].count += 1
        } else {
            kindCounts.append((kind, 1))
        }
        let labels = unit.labels
        if !labels.isEmpty {
            let origins = unit.labelOrigins
            for (name, value) in labels {
                if let origin = origins[name] {
                    if lastLabelOrigin[name] == origin { continue }
                    lastLabelOrigin[name] = origin
                }
                result.labels[name, default: [:]][value, default: 0] += 1
            }
        }
        let bin = length == 0 ? 0 : Int.bitWidth - length.leadingZeroBitCount
        if bins.count <= bin { bins += Array(repeating: 0, count: bin + 1 - bins.count) }
        bins[bin] += 1
    }

    /// The number of Unicode scalars in UTF-8 `bytes`: every byte that does not continue a sequence (`10xxxxxx`)
    /// starts one. Eight bytes at a time: a continuation byte has its top bit set and the next bit clear.
    static func scalarCount(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        let count = bytes.count
        var continuations = 0
        var index = 0
        while index + 8 <= count {
            let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            continuations += (word & ~(word << 1) & 0x8080_8080_8080_8080).nonzeroBitCount
            index += 8
        }
        while index < count {
            if base[index] & 0xC0 == 0x80 { continuations += 1 }
            index += 1
        }
        return count - continuations
    }

    /// The statistics so far.
    public var statistics: CorpusStatistics {
        var statistics = result
        statistics.types = types.count
        for (kind, count) in kindCounts { statistics.kinds[kind.rawValue, default: 0] += count }
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
