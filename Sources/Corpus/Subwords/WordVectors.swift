import Foundation

/// Pretrained word vectors read from the text formats of word2vec (Mikolov et al. 2013: a header line
/// `count dimension`, then `word v₁ … v_d` per line) and GloVe (Pennington, Socher & Manning 2014: the same lines
/// without a header), for initializing embeddings.
///
/// Fields are separated by spaces or tabs; a word is the first field; every line must have the same number of
/// values. Lines that are empty are skipped. The first occurrence of a word wins.
public struct WordVectors: Sendable, Equatable {
    /// The words, in file order.
    public let words: [String]
    /// Length of each vector.
    public let dimension: Int
    /// The vectors, row-major `[words.count, dimension]`.
    public let values: [Float]
    private let index: [String: Int]

    /// Vectors from their parts; `values.count` must be `words.count × dimension`.
    public init(words: [String], dimension: Int, values: [Float]) {
        precondition(
            dimension > 0 && values.count == words.count * dimension,
            "WordVectors: \(values.count) values for \(words.count) words of dimension \(dimension)")
        self.words = words
        self.dimension = dimension
        self.values = values
        var index: [String: Int] = [:]
        for (i, word) in words.enumerated() where index[word] == nil { index[word] = i }
        self.index = index
    }

    /// The vector of `word`, if present.
    public func vector(for word: String) -> ArraySlice<Float>? {
        guard let row = index[word] else { return nil }
        return values[(row * dimension)..<((row + 1) * dimension)]
    }

    /// A `[tokens.count, dimension]` row-major table for a vocabulary: the vector of each token where present,
    /// else `fallback(row)` (for example a random draw or zeros), and how many tokens were found.
    public func table(for tokens: [String], fallback: (Int) -> [Float]) -> (values: [Float], found: Int) {
        var result: [Float] = []
        result.reserveCapacity(tokens.count * dimension)
        var found = 0
        for (row, token) in tokens.enumerated() {
            if let vector = vector(for: token) {
                result += vector
                found += 1
            } else {
                let filler = fallback(row)
                precondition(filler.count == dimension, "WordVectors.table: fallback gave \(filler.count) values")
                result += filler
            }
        }
        return (result, found)
    }

    /// Reads the file at `url`; errors carry the file, line and column.
    public static func load(_ url: URL) throws(CorpusError) -> WordVectors {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw CorpusError(.unreadable, file: url.path, message: "cannot read word vectors: \(error)")
        }
        return try parse(data, file: url.path)
    }

    /// Parses word2vec or GloVe text; `file` names it in errors.
    public static func parse(_ data: Data, file: String = "<word vectors>") throws(CorpusError) -> WordVectors {
        guard let text = String(data: data, encoding: .utf8) else {
            throw CorpusError(.invalidFile, file: file, message: "word vectors are not UTF-8 text")
        }
        var words: [String] = []
        var values: [Float] = []
        var dimension: Int? = nil
        var declaredCount: Int? = nil
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if fields.isEmpty { continue }
            if lineNumber == 1, fields.count == 2, let count = Int(fields[0]), let size = Int(fields[1]) {
                guard count >= 0, size > 0 else {
                    throw CorpusError(
                        .invalidFile, file: file, line: 1, column: 1,
                        message: "word2vec header \"\(line)\" needs a count ≥ 0 and a dimension > 0")
                }
                (declaredCount, dimension) = (count, size)
                continue
            }
            let size = fields.count - 1
            if let dimension, size != dimension {
                throw CorpusError(
                    .invalidFile, file: file, line: lineNumber, column: 1,
                    message: "\(size) values where \(dimension) were expected")
            }
            guard size > 0 else {
                throw CorpusError(.invalidFile, file: file, line: lineNumber, column: 1, message: "word without values")
            }
            dimension = size
            for field in fields.dropFirst() {
                guard let value = Float(field), value.isFinite else {
                    let column = line.unicodeScalars.distance(from: line.startIndex, to: field.startIndex) + 1
                    throw CorpusError(
                        .invalidFile, file: file, line: lineNumber, column: column,
                        message: "\"\(field)\" is not a finite number")
                }
                values.append(value)
            }
            words.append(String(fields[0]))
        }
        guard let dimension, !words.isEmpty else {
            throw CorpusError(.invalidFile, file: file, message: "no word vectors in the file")
        }
        if let declaredCount, declaredCount != words.count {
            throw CorpusError(
                .invalidFile, file: file, line: 1, column: 1,
                message: "header declares \(declaredCount) words but the file has \(words.count)")
        }
        return WordVectors(words: words, dimension: dimension, values: values)
    }
}
