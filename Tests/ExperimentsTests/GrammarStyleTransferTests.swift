import Foundation
import Grammar
import MontagueSupport
import Testing
import TextGeneration

@testable import Experiments

/// The exact style-transfer measures on hand-made transfers between the shipped voice grammars, and a tiny run.
@Suite("Grammar style transfer")
struct GrammarStyleTransferTests {
    static func voices() throws -> [ProbabilisticGrammar] {
        try ["voice-active", "voice-passive"].map {
            try ProbabilisticGrammar.load(path: shippedGrammarsDirectory + "/\($0).mont")
        }
    }

    @Test func bothGrammarsGiveTheSameMeaning() throws {
        let voices = try Self.voices()
        let active = GrammarOracle(grammar: voices[0]).assess("the big dog chases a cat")
        let passive = GrammarOracle(grammar: voices[1]).assess("a cat is chased by the big dog")
        #expect(active.meanings == ["chase the big dog a cat"])
        #expect(passive.meanings == active.meanings)
    }

    @Test func judgesHandMadeTransfers() throws {
        let judge = GrammarStyleJudge(grammars: try Self.voices())
        let input = "the big dog chases a cat"
        let meaning = "chase the big dog a cat"
        func verdict(_ output: String) -> GrammarStyleJudge.Verdict {
            judge.judge(input: input, meaning: meaning, output: output, source: 0, target: 1)
        }
        // The correct passive: valid, same meaning, target style.
        let right = verdict("a cat is chased by the big dog")
        #expect(right == .init(inTarget: true, inSource: false, meaningPreserved: true, unchanged: false))
        #expect(right.inTargetStyle)
        // Agent and patient swapped: a passive sentence, but it says the cat chases the dog.
        let swapped = verdict("the big dog is chased by a cat")
        #expect(swapped.inTarget && !swapped.meaningPreserved && swapped.inTargetStyle)
        // Another verb: valid passive, wrong predicate.
        #expect(!verdict("a cat is seen by the big dog").meaningPreserved)
        // Copying the input: still the source style, not in the target language.
        let copy = verdict(input)
        #expect(copy == .init(inTarget: false, inSource: true, meaningPreserved: false, unchanged: true))
        // A mixture: a passive participle in an active frame is in neither language.
        let mixed = verdict("the big dog chased a cat")
        #expect(!mixed.inTarget && !mixed.inSource && !mixed.meaningPreserved)
        // The reverse direction: passive to active.
        let back = judge.judge(
            input: "a cat is chased by the big dog", meaning: meaning, output: input, source: 1, target: 0)
        #expect(back.meaningPreserved && back.inTargetStyle)
    }

    @Test func aggregatesTheExactMeasuresAndTheClassifierProxy() {
        let verdicts: [GrammarStyleJudge.Verdict] = [
            .init(inTarget: true, inSource: false, meaningPreserved: true, unchanged: false),
            .init(inTarget: true, inSource: false, meaningPreserved: false, unchanged: false),
            .init(inTarget: false, inSource: false, meaningPreserved: false, unchanged: false),
            .init(inTarget: false, inSource: true, meaningPreserved: false, unchanged: true),
        ]
        // The classifier calls the first three the target style: the third is rejected by the target grammar.
        let scores = GrammarStyleJudge.scores(
            verdicts, classifiedAsTarget: [true, true, true, false], sourceBLEU: 42)
        #expect(scores.count == 4)
        #expect(scores.targetValidity == 0.5)
        #expect(scores.meaningPreservation == 0.25)
        #expect(scores.grammarStyleAccuracy == 0.5)
        #expect(scores.sourceValidity == 0.25)
        #expect(scores.unchanged == 0.25)
        #expect(scores.classifierAccuracy == 0.75)
        #expect(scores.classifierAcceptsInvalid == 0.25)
        #expect(scores.metrics["source_bleu"] == 42)
        #expect(GrammarStyleJudge.scores(verdicts).classifierAccuracy == nil)
    }

    @Test func retrieveOnlyIsValidButLosesTheMeaning() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("montague-transfer-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let settings = GrammarStyleTransferSettings(
            method: .retrieveOnly, trainingSamples: 60, testSentences: 12, classifierEpochs: 1,
            classifierEmbeddingSize: 8, validationFraction: 0.1, seed: 3)
        let run = try GrammarStyleTransferExperiment.run(
            try Self.voices(), styles: ["active", "passive"], settings: settings, directory: directory)
        let final = try #require(run.measurements.last)
        // Retrieval returns training sentences of the target style: always valid there, rarely the same meaning.
        #expect(final.overall.targetValidity == 1)
        #expect(final.overall.grammarStyleAccuracy == 1)
        #expect(final.overall.meaningPreservation < 0.5)
        #expect(final.directions.map(\.from) == ["active", "passive"])
        // Copying: source-BLEU 100, never in the target language.
        #expect(run.copyBaseline.overall.targetValidity == 0)
        #expect(run.copyBaseline.overall.unchanged == 1)
        #expect(abs((run.copyBaseline.overall.sourceBLEU ?? 0) - 100) < 1e-9)
        #expect(run.finalRecords.count == final.overall.count)
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("model/manifest.json").path))
    }

    @Test func rejectsBadStyleNamesAndAnExistingModel() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("montague-transfer-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let settings = GrammarStyleTransferSettings(
            method: .retrieveOnly, trainingSamples: 20, testSentences: 2, classifierEpochs: 1,
            classifierEmbeddingSize: 4, seed: 1)
        let voices = try Self.voices()
        #expect(throws: InputError.self) {
            try GrammarStyleTransferExperiment.run(
                voices, styles: ["a/b", "c"], settings: settings, directory: directory)
        }
        _ = try GrammarStyleTransferExperiment.run(
            voices, styles: ["a", "p"], settings: settings, directory: directory)
        #expect(throws: InputError.self) {
            try GrammarStyleTransferExperiment.run(
                voices, styles: ["a", "p"], settings: settings, directory: directory)
        }
    }
}
