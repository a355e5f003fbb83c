import Corpus
import Foundation

/// Where the shared third-party data lives: `../shared/data` next to the package root (CI's layout), or next to
/// an ancestor of it (a git worktree nested one level deeper).
let sharedDataDirectory: String = {
    var url = URL(fileURLWithPath: packageRoot)
    while url.path != "/" {
        url.deleteLastPathComponent()
        let candidate = url.appendingPathComponent("shared/data").path
        if FileManager.default.fileExists(atPath: candidate) { return candidate }
    }
    return URL(fileURLWithPath: packageRoot).deletingLastPathComponent().appendingPathComponent("shared/data").path
}()

/// The package root (for `corpora/`).
let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

/// A fresh temporary directory for one test.
func makeTemporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "montague-corpus-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Writes bytes to `directory/name` and returns the path.
@discardableResult
func writeFixture(_ bytes: [UInt8], named name: String, in directory: String) throws -> String {
    let path = directory + "/" + name
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
}

/// Writes UTF-8 text to `directory/name` and returns the path.
@discardableResult
func writeFixture(_ text: String, named name: String, in directory: String) throws -> String {
    try writeFixture(Array(text.utf8), named: name, in: directory)
}

/// Reads all documents from an in-memory XML string.
func documents(_ xml: String, name: String = "fixture.xml", profile: ProfileConfiguration = ProfileConfiguration())
    throws -> [Document]
{
    try XMLCorpusReader(bytes: Array(xml.utf8), name: name, profile: profile).readDocuments()
}

/// All units of an in-memory XML string.
func units(_ xml: String, name: String = "fixture.xml", profile: ProfileConfiguration = ProfileConfiguration())
    throws -> [TextUnit]
{
    try documents(xml, name: name, profile: profile).flatMap(\.units)
}

/// Runs `body` and returns the `CorpusError` it throws (nil if it throws none or another error).
func corpusError(_ body: () throws -> Void) -> CorpusError? {
    do {
        try body()
        return nil
    } catch let error as CorpusError {
        return error
    } catch {
        return nil
    }
}
