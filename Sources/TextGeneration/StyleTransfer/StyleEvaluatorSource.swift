import Corpus
import Foundation
import MontagueSupport
import NeuralNet

/// The evaluation models of an earlier style-transfer model directory — its TextCNN style classifier (Kim 2014), and
/// its per-style language models when it has them — reused by a new run (`--classifier-from DIR`), so experiments
/// on the same corpora do not train them again.
///
/// Reuse is refused unless the two runs see text the same way: the same styles in the same order, the same word
/// tokenization and lowercasing, the same subword tokenizer (whose file is then taken from the source), and a
/// classifier vocabulary that covers most of the new corpus's tokens.
public struct StyleEvaluatorSource {
    /// The directory the models come from.
    public let directory: ModelDirectory
    /// The source run's recipe.
    public let recipe: StyleTransferRecipe
    /// The source's classifier settings.
    public let classifierSettings: StyleClassifier.Settings
    /// The source's classifier.
    public let classifier: StyleClassifier
    /// The classifier's held-out accuracy, as the source run measured it.
    public let classifierAccuracy: Double?

    /// The smallest fraction of a corpus's tokens the classifier must know (below it, the classifier was trained on
    /// other data or another tokenization).
    public static let minimumCoverage = 0.5

    /// Reads the source directory.
    ///
    /// - Throws: ``ModelDirectoryError`` when `directory` is not a style-transfer model, has no classifier, or its
    ///   classifier cannot be read.
    public static func load(from directory: ModelDirectory) throws -> StyleEvaluatorSource {
        let manifest = try directory.readManifest(expecting: StyleTransferRun.kind)
        let recipe: StyleTransferRecipe
        do {
            recipe = try manifest.hyperparameters(as: StyleTransferRecipe.self)
        } catch {
            throw ModelDirectoryError(path: directory.manifestURL.path, "malformed hyperparameters: \(error)")
        }
        guard let settings = recipe.classifier else {
            throw ModelDirectoryError(
                path: directory.url.path, "holds no style classifier (it was trained with --classifier-epochs 0)")
        }
        guard settings.network.classCount == recipe.styles.count else {
            throw ModelDirectoryError(
                path: directory.manifestURL.path, "the classifier's class count differs from the style count")
        }
        let classifier = try StyleClassifier.load(from: directory, settings: settings)
        return StyleEvaluatorSource(
            directory: directory, recipe: recipe, classifierSettings: settings, classifier: classifier,
            classifierAccuracy: manifest.metrics["classifier.valid_accuracy"])
    }

    /// The source's subword tokenizer, when it has one and `recipe` asks for the same specification.
    ///
    /// - Throws: ``InputError`` when one run uses subwords and the other does not, or with other specifications.
    public func subwordTokenizer(for recipe: StyleTransferRecipe) throws -> SubwordTokenizer? {
        guard recipe.subwords == self.recipe.subwords else {
            throw InputError(
                "the classifier in \(directory.url.path) was trained with tokenizer "
                    + "'\(self.recipe.subwords ?? "words")', this run uses '\(recipe.subwords ?? "words")'")
        }
        guard recipe.subwords != nil else { return nil }
        return try SubwordTokenizer.load(from: directory.file(StyleTransferRun.tokenizerFile))
    }

    /// Checks that the classifier fits a run of `recipe` on `corpus`.
    ///
    /// - Throws: ``InputError`` naming the first difference: styles, tokenization, lowercasing, subword tokenizer,
    ///   or a vocabulary that covers less than ``minimumCoverage`` of the corpus's tokens.
    public func checkCompatibility(with recipe: StyleTransferRecipe, corpus: StyleCorpus) throws {
        let source = directory.url.path
        guard corpus.styles == self.recipe.styles else {
            throw InputError(
                "the classifier in \(source) knows the styles \(self.recipe.styles.joined(separator: ", ")), "
                    + "this run has \(corpus.styles.joined(separator: ", ")) (give them in the same order)")
        }
        guard recipe.subwords == self.recipe.subwords else {
            throw InputError(
                "the classifier in \(source) was trained with tokenizer '\(self.recipe.subwords ?? "words")', "
                    + "this run uses '\(recipe.subwords ?? "words")'")
        }
        guard recipe.subwords != nil || recipe.tokenization == self.recipe.tokenization else {
            throw InputError(
                "the classifier in \(source) was trained on \(self.recipe.tokenization.rawValue) tokens, this run "
                    + "uses \(recipe.tokenization.rawValue)")
        }
        guard recipe.lowercase == self.recipe.lowercase else {
            throw InputError(
                "the classifier in \(source) was trained \(self.recipe.lowercase ? "with" : "without") --lowercase")
        }
        let coverage = Self.coverage(of: classifier.vocabulary, on: corpus)
        guard coverage >= Self.minimumCoverage else {
            throw InputError(
                String(
                    format: "the classifier in %@ knows only %.1f %% of this corpus's tokens: it was trained on "
                        + "other data", source, coverage * 100))
        }
    }

    /// The fraction of `corpus`'s tokens (occurrences) that `vocabulary` knows; 1 for an empty corpus.
    public static func coverage(of vocabulary: Vocabulary, on corpus: StyleCorpus) -> Double {
        var known = 0
        var total = 0
        for sentences in corpus.sentences {
            for sentence in sentences {
                for token in sentence {
                    total += 1
                    if vocabulary.contains(token) { known += 1 }
                }
            }
        }
        return total == 0 ? 1 : Double(known) / Double(total)
    }

    /// Copies the classifier's files — and the language models' when the source has them and `withLanguageModels`
    /// — into `output`; returns the directory's file descriptions and the language-model settings copied.
    public func copy(to output: ModelDirectory, withLanguageModels: Bool) throws
        -> (files: [String: String], languageModels: StyleLanguageModels.Settings?)
    {
        var names = [
            StyleClassifier.weightsFile: "the TextCNN style classifier's weights (from \(directory.url.path))",
            StyleClassifier.vocabularyFile: "the classifier's vocabulary",
        ]
        var languageModels: StyleLanguageModels.Settings?
        if withLanguageModels, let settings = recipe.languageModels {
            names[StyleLanguageModels.vocabularyFile] = "the language models' vocabulary"
            for style in recipe.styles {
                names[StyleLanguageModels.weightsFile(style)] = "the language model of style \(style) (fluency)"
            }
            languageModels = settings
        }
        for name in names.keys.sorted() {
            let source = directory.file(name)
            guard let data = FileManager.default.contents(atPath: source.path) else {
                throw ModelDirectoryError(path: source.path, "cannot read this file of the classifier's directory")
            }
            try AtomicFile.write(data, to: output.file(name))
        }
        return (names, languageModels)
    }
}
