import Foundation

/// Template-based style transfer (Li et al. 2018, "TemplateBased"): delete the source's attribute markers, retrieve
/// the target-style sentence with the most similar content, and put its markers where the source's were.
///
/// No neural network: fast, deterministic and strong on content preservation; the retrieved markers carry the
/// target style. With ``Variant/retrieveOnly`` the retrieved sentence itself is the output (Li et al.'s
/// RetrieveOnly: high style accuracy, little content preservation).
public struct TemplateTransfer: Sendable {
    /// Which of Li et al.'s retrieval-based systems to run.
    public enum Variant: String, Codable, Sendable, CaseIterable {
        /// Source content with the retrieved sentence's markers in the source markers' places.
        case template
        /// The retrieved target sentence as it is.
        case retrieveOnly = "retrieve-only"
    }

    /// The style names.
    public let styles: [String]
    /// The marker lexicon.
    public let markers: AttributeMarkers
    /// The training sentences of each style (the retrieval pool).
    public let pools: [[[String]]]
    /// The variant.
    public let variant: Variant
    private let indexes: [ContentRetrieval]
    private let poolMarkers: [[[AttributeMarkers.Span]]]

    /// Builds the transfer system from training sentences.
    public init(corpus: StyleCorpus, markers: AttributeMarkers, variant: Variant = .template) {
        styles = corpus.styles
        self.markers = markers
        pools = corpus.sentences
        self.variant = variant
        var indexes: [ContentRetrieval] = []
        var poolMarkers: [[[AttributeMarkers.Span]]] = []
        for (style, sentences) in corpus.sentences.enumerated() {
            let spans = sentences.map { markers.spans(in: $0, style: style) }
            poolMarkers.append(spans)
            indexes.append(ContentRetrieval(documents: zip(sentences, spans).map { Self.remove($1, from: $0) }))
        }
        self.indexes = indexes
        self.poolMarkers = poolMarkers
    }

    static func remove(_ spans: [AttributeMarkers.Span], from sentence: [String]) -> [String] {
        var keep = [Bool](repeating: true, count: sentence.count)
        for span in spans { for index in span.range { keep[index] = false } }
        return sentence.indices.filter { keep[$0] }.map { sentence[$0] }
    }

    /// Transfers `sentence` of style index `source` to style index `target`.
    public func transfer(_ sentence: [String], from source: Int, to target: Int) -> [String] {
        precondition(
            styles.indices.contains(source) && styles.indices.contains(target), "TemplateTransfer: style out of range")
        guard source != target, !sentence.isEmpty else { return sentence }
        let spans = markers.spans(in: sentence, style: source)
        let content = Self.remove(spans, from: sentence)
        guard let retrieved = indexes[target].best(for: content.isEmpty ? sentence : content) else { return sentence }
        if variant == .retrieveOnly { return pools[target][retrieved] }
        let targetMarkers = poolMarkers[target][retrieved].map { $0.text.split(separator: " ").map(String.init) }
        guard !targetMarkers.isEmpty else { return content.isEmpty ? sentence : content }
        if spans.isEmpty {
            // No slot: the markers go before the final punctuation (where sentiment words usually end a review).
            var output = sentence
            let insertAt = output.last.map { [".", "!", "?"].contains($0) } == true ? output.count - 1 : output.count
            output.insert(contentsOf: targetMarkers.joined(), at: insertAt)
            return output
        }
        // Fill the source's marker slots in order; surplus target markers go into the last slot, surplus slots
        // stay empty.
        var output: [String] = []
        var slot = 0
        var position = 0
        for (index, span) in spans.enumerated() {
            output += sentence[position..<span.range.lowerBound]
            if index == spans.count - 1 {
                output += targetMarkers[slot...].joined()
                slot = targetMarkers.count
            } else if slot < targetMarkers.count {
                output += targetMarkers[slot]
                slot += 1
            }
            position = span.range.upperBound
        }
        output += sentence[position...]
        return output
    }
}
