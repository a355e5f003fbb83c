import Foundation
import MontagueSupport

extension HuggingFaceTokenizerFile {
    /// The unigram model in `data` (a `tokenizer.json` with `model.type = "Unigram"`, `model.vocab` a list of
    /// `[piece, log-probability]` pairs, `model.unk_id`); `file` names it in errors. The dummy prefix follows the
    /// `Metaspace` pre-tokenizer's `add_prefix_space` / `prepend_scheme` (default: on).
    public static func parseUnigram(_ data: Data, file: String = "<tokenizer.json>") throws(CorpusError)
        -> UnigramTokenizer
    {
        func fail(_ message: String) -> CorpusError { CorpusError(.invalidFile, file: file, message: message) }
        let root: JSONValue
        do { root = try JSONDecoder().decode(JSONValue.self, from: data) } catch {
            throw fail("not valid JSON: \(describe(error))")
        }
        guard let model = root["model"], model["type"] == .string("Unigram") else {
            throw fail("no \"model\" object of type \"Unigram\"")
        }
        guard case .array(let entries)? = model["vocab"], !entries.isEmpty else {
            throw fail("\"model.vocab\" is not a nonempty list of [piece, score] pairs")
        }
        var pieces: [String] = []
        var scores: [Float] = []
        for (id, entry) in entries.enumerated() {
            guard case .array(let pair) = entry, pair.count == 2, case .string(let piece) = pair[0],
                case .number(let score) = pair[1], score.isFinite
            else { throw fail("vocabulary entry \(id) is not a [piece, finite score] pair") }
            pieces.append(piece)
            scores.append(Float(score))
        }
        var unknownID = 0
        if let value = model["unk_id"], value != .null {
            guard case .number(let id) = value, id == id.rounded(), id >= 0, id < Double(pieces.count) else {
                throw fail("\"model.unk_id\" is not an id of the vocabulary")
            }
            unknownID = Int(id)
        }
        var byteFallback = false
        if case .bool(let flag)? = model["byte_fallback"] { byteFallback = flag }
        if byteFallback, !UnigramTokenizer.hasBytePieces(pieces) {
            throw fail("\"model.byte_fallback\" is true but the vocabulary lacks some of the pieces <0x00> … <0xFF>")
        }
        var prefix = true
        if let pre = root["pre_tokenizer"] {
            if case .bool(let flag)? = pre["add_prefix_space"] { prefix = flag }
            if case .string(let scheme)? = pre["prepend_scheme"] { prefix = scheme != "never" }
        }
        return UnigramTokenizer(
            pieces: pieces, logProbabilities: scores, unknownID: unknownID, addsDummyPrefix: prefix,
            byteFallback: byteFallback)
    }

    /// `unigram` as `tokenizer.json` text (a `Metaspace` pre-tokenizer and decoder — after `ByteFallback` with byte
    /// fallback — and the model's pieces and scores).
    public static func encode(_ unigram: UnigramTokenizer) -> Data {
        let metaspace: [String: Any] = [
            "type": "Metaspace", "replacement": "\u{2581}", "add_prefix_space": unigram.addsDummyPrefix,
            "prepend_scheme": unigram.addsDummyPrefix ? "always" : "never", "split": true,
        ]
        let vocabulary: [[Any]] = zip(unigram.pieces, unigram.logProbabilities).map { [$0, Double($1)] }
        let object: [String: Any] = [
            "version": "1.0", "truncation": NSNull(), "padding": NSNull(), "added_tokens": [] as [Any],
            "normalizer": NSNull(), "pre_tokenizer": metaspace, "post_processor": NSNull(),
            "decoder": unigram.byteFallback
                ? ["type": "Sequence", "decoders": [["type": "ByteFallback"], metaspace]]
                    as [String: Any]
                : metaspace,
            "model": [
                "type": "Unigram", "unk_id": unigram.unknownID, "byte_fallback": unigram.byteFallback,
                "vocab": vocabulary,
            ]
                as [String: Any],
        ]
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    }

    /// Writes `unigram` to `url` atomically.
    public static func save(_ unigram: UnigramTokenizer, to url: URL) throws(CorpusError) {
        do { try encode(unigram).write(to: url, options: .atomic) } catch {
            throw CorpusError(.writeFailed, file: url.path, message: "cannot write tokenizer file: \(error)")
        }
    }
}

extension UnigramTokenizer {
    /// Writes the tokenizer as a Hugging Face `tokenizer.json` file.
    public func save(to url: URL) throws(CorpusError) { try HuggingFaceTokenizerFile.save(self, to: url) }

    /// Reads a unigram tokenizer from a Hugging Face `tokenizer.json` file.
    public static func load(from url: URL) throws(CorpusError) -> UnigramTokenizer {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw CorpusError(.unreadable, file: url.path, message: "cannot read tokenizer file: \(error)")
        }
        return try HuggingFaceTokenizerFile.parseUnigram(data, file: url.path)
    }
}
