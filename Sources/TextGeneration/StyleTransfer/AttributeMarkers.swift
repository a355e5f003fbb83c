import Foundation

/// Attribute markers by salience (Li, Jia, He & Liang 2018, "Delete, retrieve, generate: a simple approach to
/// sentiment and style transfer", §3.1): an n-gram u is a marker of style s when
///
/// ```
/// salience(u, s) = (count(u, D_s) + λ) / (Σ_{s' ≠ s} count(u, D_s') + λ)  ≥  γ
/// ```
///
/// A sentence's markers are found greedily, longest n-gram first, without overlap; deleting them leaves the
/// sentence's content.
public struct AttributeMarkers: Sendable {
    /// Longest marker length.
    public let maximumOrder: Int
    /// The smoothing λ.
    public let smoothing: Double
    /// The threshold γ.
    public let threshold: Double
    /// Marker n-grams (tokens joined by a space) of each style, with their salience.
    public let markers: [[String: Double]]

    /// Counts every n-gram of every style and keeps those whose salience reaches `threshold`.
    public init(corpus: StyleCorpus, maximumOrder: Int = 4, smoothing: Double = 1, threshold: Double = 15) {
        precondition(maximumOrder >= 1 && smoothing > 0 && threshold > 0, "AttributeMarkers: invalid settings")
        self.maximumOrder = maximumOrder
        self.smoothing = smoothing
        self.threshold = threshold
        let styleCount = corpus.styles.count
        var counts: [String: [Int32]] = [:]
        for (style, sentences) in corpus.sentences.enumerated() {
            for sentence in sentences {
                for n in 1...maximumOrder where sentence.count >= n {
                    for start in 0...(sentence.count - n) {
                        let gram = sentence[start..<(start + n)].joined(separator: " ")
                        counts[gram, default: Array(repeating: 0, count: styleCount)][style] += 1
                    }
                }
            }
        }
        var markers = Array(repeating: [String: Double](), count: styleCount)
        for (gram, perStyle) in counts {
            let total = perStyle.reduce(0) { $0 + Int($1) }
            for style in 0..<styleCount where perStyle[style] > 0 {
                let salience =
                    (Double(perStyle[style]) + smoothing) / (Double(total - Int(perStyle[style])) + smoothing)
                if salience >= threshold { markers[style][gram] = salience }
            }
        }
        self.markers = markers
    }

    /// Markers restored from a saved lexicon.
    public init(maximumOrder: Int, smoothing: Double, threshold: Double, markers: [[String: Double]]) {
        self.maximumOrder = maximumOrder
        self.smoothing = smoothing
        self.threshold = threshold
        self.markers = markers
    }

    /// A span of a sentence: tokens `range` form a marker.
    public struct Span: Equatable, Sendable {
        /// Token positions.
        public var range: Range<Int>
        /// The marker text.
        public var text: String
    }

    /// The marker spans of `sentence` for `style`, left to right (longest first, no overlap).
    public func spans(in sentence: [String], style: Int) -> [Span] {
        var taken = [Bool](repeating: false, count: sentence.count)
        var found: [Span] = []
        for n in stride(from: min(maximumOrder, sentence.count), through: 1, by: -1) {
            guard sentence.count >= n else { continue }
            for start in 0...(sentence.count - n) where !taken[start..<(start + n)].contains(true) {
                let gram = sentence[start..<(start + n)].joined(separator: " ")
                if markers[style][gram] != nil {
                    found.append(Span(range: start..<(start + n), text: gram))
                    for index in start..<(start + n) { taken[index] = true }
                }
            }
        }
        return found.sorted { $0.range.lowerBound < $1.range.lowerBound }
    }

    /// The sentence's content: its tokens outside marker spans.
    public func content(of sentence: [String], style: Int) -> [String] {
        var keep = [Bool](repeating: true, count: sentence.count)
        for span in spans(in: sentence, style: style) { for index in span.range { keep[index] = false } }
        return sentence.indices.filter { keep[$0] }.map { sentence[$0] }
    }
}
