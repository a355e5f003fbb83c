import Corpus
import Foundation
import NeuralNet

/// What a training run on plain-text files starts from: the subword tokenizer (trained, or read back from the
/// directory being continued), the tokenized corpora, the vocabulary (built, or read back), and the manifest's data
/// fingerprints and file descriptions. Shared by ``LanguageModelRun`` and ``SentenceVAERun``.
struct PlainTextRunInputs {
    /// The vocabulary file in a model directory.
    static let vocabularyFile = "vocabulary.json"
    /// The subword tokenizer file, for models trained on subwords.
    static let tokenizerFile = "tokenizer.json"

    /// The subword tokenizer, for runs on subwords.
    var subwords: SubwordTokenizer?
    /// The training sentences (words or subword pieces).
    var training: PlainTextCorpus
    /// The validation sentences, when a validation file is given.
    var validation: PlainTextCorpus?
    /// Token ↔ id.
    var vocabulary: Vocabulary
    /// The manifest's data fingerprints (`train`, and `valid` when given).
    var fingerprints: [String: String]
    /// The manifest's descriptions of the files beside the weights.
    var files: [String: String]

    /// Reads the corpora. For a new `output` it builds the vocabulary and writes it, the tokenizer and a first
    /// manifest (so a run stopped before its end is recognized and continued); for an existing one it checks that
    /// the directory holds a `kind` model whose recipe `sameSettings` accepts, and reads vocabulary and tokenizer
    /// back.
    ///
    /// - Parameters:
    ///   - subwordSpecification: `bpe:N`, `unigram:N` or a `tokenizer.json` path; nil for words.
    ///   - vocabularyCountsTokenizerPieces: whether every piece of the tokenizer is counted once more when the
    ///     vocabulary is built, so that any text encodes without `<unk>` (unless the count cut-offs remove it).
    /// - Throws: ``InputError`` for unreadable or empty corpora; ``ModelDirectoryError`` when `output` cannot be
    ///   written, holds another kind of model or a run with other settings.
    init<Recipe: Codable>(
        recipe: Recipe, kind: String, subwordSpecification: String?, tokenization: TextTokenization, lowercase: Bool,
        minimumCount: Int, maximumVocabulary: Int?, trainPath: String, validPath: String?, output: ModelDirectory,
        vocabularyCountsTokenizerPieces: Bool, sameSettings: (Recipe) -> Bool
    ) throws {
        let tokenizerURL = output.file(Self.tokenizerFile)
        if let subwordSpecification, let specification = SubwordTokenizer.Specification(subwordSpecification) {
            if output.exists && FileManager.default.fileExists(atPath: tokenizerURL.path) {
                subwords = try SubwordTokenizer.load(from: tokenizerURL)
            } else {
                let lines = try TextScoring.TextFile(contentsOf: trainPath).lines
                subwords = try SubwordTokenizer.make(
                    specification, texts: lines.map { lowercase ? $0.lowercased() : $0 })
            }
        }
        training = try PlainTextCorpus(
            path: trainPath, tokenization: tokenization, lowercase: lowercase, subwords: subwords)
        validation = try validPath.map { [subwords] in
            try PlainTextCorpus(path: $0, tokenization: tokenization, lowercase: lowercase, subwords: subwords)
        }
        files = [Self.vocabularyFile: "the vocabulary (JSON): tokens by id, special tokens"]
        if subwords != nil {
            files[Self.tokenizerFile] = "the subword tokenizer (Hugging Face tokenizer.json)"
        }
        fingerprints = ["train": PlainTextCorpus.fingerprint(of: trainPath)]
        if let validPath { fingerprints["valid"] = PlainTextCorpus.fingerprint(of: validPath) }
        if output.exists {
            let previous = try output.readManifest(expecting: kind)
            guard sameSettings(try previous.hyperparameters(as: Recipe.self)) else {
                throw ModelDirectoryError(
                    path: output.manifestURL.path,
                    "holds a model trained with other settings; give the same flags to continue it, or another --output"
                )
            }
            vocabulary = try output.readVocabulary(Self.vocabularyFile)
        } else {
            try output.create()
            let extra = vocabularyCountsTokenizerPieces ? [subwords?.pieces ?? []] : []
            vocabulary = Vocabulary(
                tokens: (training.sentences + extra).joined(), minimumCount: minimumCount,
                maximumSize: maximumVocabulary)
            try vocabulary.save(to: output.file(Self.vocabularyFile).path)
            try subwords?.save(to: tokenizerURL)
            try output.writeManifest(
                ModelManifest(kind: kind, hyperparameters: recipe, dataFingerprints: fingerprints, files: files))
        }
    }

    /// The id sequence of a sentence, cut to `maximumLength` tokens: `<s> tokens </s>`.
    func encode(_ sentence: [String], maximumLength: Int) -> [Int] {
        vocabulary.encode(Array(sentence.prefix(maximumLength)), addBeginning: true, addEnd: true)
    }
}

extension ModelDirectory {
    /// The vocabulary saved in `file` of this directory (`what` names it in the error: "vocabulary",
    /// "classifier vocabulary", …).
    ///
    /// - Throws: ``ModelDirectoryError`` at the file when it is missing or not a vocabulary.
    func readVocabulary(_ file: String, what: String = "vocabulary") throws -> Vocabulary {
        do {
            return try Vocabulary(contentsOfFile: self.file(file).path)
        } catch {
            throw ModelDirectoryError(path: self.file(file).path, "cannot read the \(what): \(error)")
        }
    }
}
