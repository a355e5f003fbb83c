import Foundation

/// The shared data folder (`shared/data`), searched upwards from this file so nested worktrees find it too.
let sharedDataDirectory: String = {
    var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    for _ in 0..<4 {
        directory = directory.deletingLastPathComponent()
        let candidate = directory.appendingPathComponent("shared/data")
        if FileManager.default.fileExists(atPath: candidate.path) { return candidate.path }
    }
    return directory.appendingPathComponent("shared/data").path
}()

/// `shared/data/digits/digits.csv.gz`, or nil (with a notice on standard error) when absent.
func digitsPath() -> String? {
    let path = sharedDataDirectory + "/digits/digits.csv.gz"
    if FileManager.default.fileExists(atPath: path) { return path }
    FileHandle.standardError.write(Data("notice: skipping a digits test: \(path) is absent\n".utf8))
    return nil
}

/// A temporary file holding `bytes`; the caller removes it.
func temporaryFile(_ bytes: [UInt8], suffix: String) throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("generative-\(UUID())\(suffix)")
    try Data(bytes).write(to: url)
    return url.path
}
