import Foundation
import Testing
@testable import Grammar

@Test func scratchPrintReports() throws {
    guard let name = ProcessInfo.processInfo.environment["SCRATCH_GRAMMAR"] else { return }
    do {
        let g = try loadGrammar(name)
        let r = CompositionalityChecker.check(g)
        print("=================== \(name)\n" + r.text)
    } catch {
        print("=================== \(name) ERROR\n\(error)")
    }
}
