import Foundation
import Testing
import _MontagueTestSupport

/// The UCI digits (`digits/digits.csv.gz` in the external data folder; CC BY 4.0, not shipped), or nil when
/// absent. Tests that need it are marked `.enabled(if: digitsPath != nil, TestData.missing(...))`, so their skip
/// shows in the results.
let digitsPath: String? = TestData.externalData("digits/digits.csv.gz")?.path

/// A temporary file holding `bytes`; the caller removes it.
func temporaryFile(_ bytes: [UInt8], suffix: String) throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("generative-\(UUID())\(suffix)")
    try Data(bytes).write(to: url)
    return url.path
}
