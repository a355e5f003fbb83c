import Foundation
import Testing

@testable import NeuralNet

@Suite("The settings check of a continued run")
struct ContinuedRunSettingsTests {
    @Test("Flags left out or repeated pass; a changed setting is refused with its flag and both values")
    func refusesChangedSettings() throws {
        let directory = ModelDirectory(path: "/nonexistent/model")
        var same = ContinuedRunSettings()
        same.fixed("--dropout", stored: Float(0.1), given: nil)
        same.fixed("--batch-size", stored: 32, given: 32)
        same.fixed("--cell", stored: Seq2SeqCellKind.gru, given: .gru, text: \.rawValue)
        #expect(same.refused.isEmpty && same.notes.isEmpty)
        try same.verify(directory)

        var changed = ContinuedRunSettings()
        changed.fixed("--dropout", stored: Float(0.1), given: 0.3)
        changed.fixed("--cell", stored: Seq2SeqCellKind.gru, given: .lstm, text: \.rawValue)
        changed.fixed("--clip", stored: Float?.none, given: 5, text: { $0.map { "\($0)" } ?? "0" })
        #expect(
            changed.refused == [
                .init(flag: "--dropout", stored: "0.1", given: "0.3"),
                .init(flag: "--cell", stored: "gru", given: "lstm"),
                .init(flag: "--clip", stored: "0", given: "5.0"),
            ])
        let error = try #require(throws: ModelDirectoryError.self) { try changed.verify(directory) }
        #expect(error.location?.file == directory.manifestURL.path)
        #expect(error.message.contains("other settings"), "\(error.message)")
        #expect(error.message.contains("--dropout 0.3 given, 0.1 stored"), "\(error.message)")
        #expect(error.message.contains("--cell lstm given, gru stored"), "\(error.message)")
    }

    @Test("Budgets and decoding choices may change: taken, with a note each")
    func acceptsChangeableSettingsWithNotes() throws {
        var check = ContinuedRunSettings()
        check.changeable("--epochs", stored: 10, given: 20)
        check.changeable("--beam", stored: 1, given: 1)
        check.changeable("--max-length", stored: 60, given: nil)
        #expect(check.refused.isEmpty)
        #expect(check.notes == ["note: continuing with --epochs 20 (the run was started with 10)"])
        try check.verify(ModelDirectory(path: "/nonexistent/model"))
    }
}
