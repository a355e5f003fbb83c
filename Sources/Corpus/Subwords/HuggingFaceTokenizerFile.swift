import Foundation
import MontagueSupport

/// Reads and writes the byte-level BPE models of Hugging Face `tokenizer.json` files (the `tokenizers` library's
/// serialization: `model.type = "BPE"`, `model.vocab` piece → id, `model.merges` as `"a b"` strings or `["a", "b"]`
/// pairs in rank order, `added_tokens` for special tokens), so GPT-2-style vocabularies load and Montague's own
/// trained ones open in Python with `tokenizers.Tokenizer.from_file`.
///
/// Only byte-level models are read: every byte must have a piece in ``ByteLevelAlphabet``. Normalizers and
/// post-processors in the file are ignored.
public enum HuggingFaceTokenizerFile {
    /// The BPE model in the file at `url`; errors name the file.
    public static func load(_ url: URL) throws(CorpusError) -> BytePairEncoding {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw CorpusError(.unreadable, file: url.path, message: "cannot read tokenizer file: \(error)")
        }
        return try parse(data, file: url.path)
    }

    /// The BPE model in `data` (the contents of a `tokenizer.json`); `file` names it in errors.
    public static func parse(_ data: Data, file: String = "<tokenizer.json>") throws(CorpusError) -> BytePairEncoding {
        func fail(_ message: String) -> CorpusError { CorpusError(.invalidFile, file: file, message: message) }
        let root: JSONValue
        do { root = try JSONDecoder().decode(JSONValue.self, from: data) } catch {
            throw fail("not valid JSON: \(describe(error))")
        }
        guard case .object(let object) = root, case .object(let model)? = object["model"] else {
            throw fail("no \"model\" object (not a Hugging Face tokenizer.json file)")
        }
        if let type = model["type"], type != .string("BPE") {
            throw fail("model type \(type) is not supported (only \"BPE\")")
        }
        guard case .object(let vocabulary)? = model["vocab"] else { throw fail("no \"model.vocab\" object") }
        var idOf: [String: Int] = [:]
        var maximumID = -1
        for (piece, value) in vocabulary {
            guard let id = identifier(value) else { throw fail("vocabulary entry \"\(piece)\" has no valid id") }
            idOf[piece] = id
            maximumID = max(maximumID, id)
        }
        var specials: [String: Int] = [:]
        if case .array(let entries)? = object["added_tokens"] {
            for entry in entries {
                guard case .string(let content)? = entry["content"], let id = entry["id"].flatMap(identifier) else {
                    throw fail("an \"added_tokens\" entry lacks \"content\" or a valid \"id\"")
                }
                specials[content] = id
                if idOf[content] == nil { idOf[content] = id }
                maximumID = max(maximumID, id)
            }
        }
        var pieces = [String?](repeating: nil, count: maximumID + 1)
        for (piece, id) in idOf.sorted(by: { $0.key < $1.key }) {
            if let existing = pieces[id], existing != piece {
                throw fail("id \(id) is given to both \"\(existing)\" and \"\(piece)\"")
            }
            pieces[id] = piece
        }
        var byteTokens: [Int] = []
        for byte in 0..<256 {
            let piece = ByteLevelAlphabet.piece([UInt8(byte)])
            guard let id = idOf[piece] else {
                throw fail("byte 0x\(String(byte, radix: 16)) has no piece \"\(piece)\" (not a byte-level BPE)")
            }
            byteTokens.append(id)
        }
        var merges: [(left: Int, right: Int)] = []
        var results: [Int] = []
        var mergeEntries: [JSONValue] = []
        if let value = model["merges"] {
            guard case .array(let array) = value else { throw fail("\"model.merges\" is not an array") }
            mergeEntries = array
        }
        for (rank, entry) in mergeEntries.enumerated() {
            var pair: [String] = []
            switch entry {
            case .string(let text): pair = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            case .array(let items): pair = items.compactMap(\.stringValue)
            default: break
            }
            guard pair.count == 2 else { throw fail("merge \(rank) is not a pair of pieces") }
            guard let left = idOf[pair[0]], let right = idOf[pair[1]], let result = idOf[pair[0] + pair[1]] else {
                throw fail("merge \(rank) \"\(pair[0]) \(pair[1])\" uses or makes a piece not in the vocabulary")
            }
            merges.append((left, right))
            results.append(result)
        }
        // Unused ids (holes) get a piece no text produces.
        let filled = pieces.enumerated().map { $1 ?? "<unused\($0)>" }
        return BytePairEncoding(
            pieces: filled, byteTokens: byteTokens, merges: merges, mergeResults: results, specialTokens: specials)
    }

    /// A token id: a whole JSON number in 0..<10⁷ (larger vocabularies are not plausible and would exhaust memory).
    private static func identifier(_ value: JSONValue) -> Int? {
        guard case .number(let double) = value, double >= 0, double < 10_000_000, double == double.rounded() else {
            return nil
        }
        return Int(double)
    }

    /// A short description of a decoding error.
    static func describe(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            return context.underlyingError.map { "\($0)" } ?? context.debugDescription
        }
        return "\(error)"
    }

    /// `bpe` as `tokenizer.json` text: a byte-level pre-tokenizer and decoder, the vocabulary, merges in rank order
    /// and the special tokens as added tokens.
    public static func encode(_ bpe: BytePairEncoding) -> Data {
        var vocabulary: [String: Int] = [:]
        for (id, piece) in bpe.pieces.enumerated() where vocabulary[piece] == nil { vocabulary[piece] = id }
        let added: [[String: Any]] = bpe.specialTokens.sorted { $0.value < $1.value }.map {
            [
                "id": $0.value, "content": $0.key, "single_word": false, "lstrip": false, "rstrip": false,
                "normalized": false, "special": true,
            ]
        }
        let byteLevel: [String: Any] = [
            "type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true,
        ]
        let object: [String: Any] = [
            "version": "1.0", "truncation": NSNull(), "padding": NSNull(), "added_tokens": added,
            "normalizer": NSNull(), "pre_tokenizer": byteLevel, "post_processor": NSNull(), "decoder": byteLevel,
            "model": [
                "type": "BPE", "dropout": NSNull(), "unk_token": NSNull(), "continuing_subword_prefix": NSNull(),
                "end_of_word_suffix": NSNull(), "fuse_unk": false, "byte_fallback": false, "vocab": vocabulary,
                "merges": bpe.merges.map { [bpe.pieces[$0.left], bpe.pieces[$0.right]] },
            ] as [String: Any],
        ]
        // Sorted keys keep the file byte-for-byte stable for equal tokenizers.
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    }

    /// Writes `bpe` to `url` atomically.
    public static func save(_ bpe: BytePairEncoding, to url: URL) throws(CorpusError) {
        do { try encode(bpe).write(to: url, options: .atomic) } catch {
            throw CorpusError(.writeFailed, file: url.path, message: "cannot write tokenizer file: \(error)")
        }
    }
}

extension BytePairEncoding {
    /// Writes the tokenizer as a Hugging Face `tokenizer.json` file (see ``HuggingFaceTokenizerFile``).
    public func save(to url: URL) throws(CorpusError) { try HuggingFaceTokenizerFile.save(self, to: url) }

    /// Reads a tokenizer from a Hugging Face `tokenizer.json` file (see ``HuggingFaceTokenizerFile``).
    public static func load(from url: URL) throws(CorpusError) -> BytePairEncoding {
        try HuggingFaceTokenizerFile.load(url)
    }
}
