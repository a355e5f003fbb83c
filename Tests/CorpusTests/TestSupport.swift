import Corpus
import Foundation
import Testing

/// Where the shared third-party data lives: `../shared/data` next to the package root (CI's layout), or next to
/// an ancestor of it (a git worktree nested one level deeper).
/// `MONTAGUE_EXTERNAL_TEST_DATA` overrides it (point it at an empty directory to run the tests as a fresh clone
/// would).
let sharedDataDirectory: String = {
    if let override = ProcessInfo.processInfo.environment["MONTAGUE_EXTERNAL_TEST_DATA"] { return override }
    var url = URL(fileURLWithPath: packageRoot)
    while url.path != "/" {
        url.deleteLastPathComponent()
        let candidate = url.appendingPathComponent("shared/data").path
        if FileManager.default.fileExists(atPath: candidate) { return candidate }
    }
    return URL(fileURLWithPath: packageRoot).deletingLastPathComponent().appendingPathComponent("shared/data").path
}()

/// Third-party data sets some tests read but Montague cannot ship (their licences, or none, do not allow it). CI lays
/// them out beside the checkout (`sharedDataDirectory`); elsewhere the tests that need one are skipped, each with
/// the reason below, through `.enabled(if: data.isAvailable, data.absence)`. Public-domain data the tests need (the
/// Bosak plays) ships in `corpora/` and is read from there.
enum ExternalData: String, CaseIterable {
    /// Bosak's Shakespeare plays in XML beyond the two shipped ones (public domain; 37 plays, not shipped for size).
    case bosakPlays = "shakespeare/bosak-xml"
    /// Shakespeare's plays in TEI from DraCor (Folger edition): CC BY-NC.
    case teiDraCor = "xml/tei-dracor"
    /// The PASCAL RTE 1–3 data as NLTK distributes it: no licence stated.
    case rte = "xml/rte"
    /// OmegaT's TMX test files: GPL-3.0.
    case omegaTTMX = "xml/tmx"
    /// OmegaT's DocBook test file with an internal entity: GPL-3.0.
    case omegaTDocBook = "xml/docbook-internal-entity.xml"
    /// OmegaT's DocBook file that is not well-formed: GPL-3.0.
    case omegaTMalformed = "xml/malformed"
    /// The Yelp sentiment data of Shen et al. (2017): Yelp's dataset terms.
    case yelp = "yelp"

    /// Where the data set is when present.
    var path: String { sharedDataDirectory + "/" + rawValue }

    /// Whether the data set is present.
    var isAvailable: Bool { FileManager.default.fileExists(atPath: path) }

    /// Why the data set is not shipped.
    var notShipped: String {
        switch self {
        case .bosakPlays: return "public domain, but 37 plays are too large to ship; two are in corpora/"
        case .teiDraCor: return "CC BY-NC"
        case .rte: return "no licence stated"
        case .omegaTTMX, .omegaTDocBook, .omegaTMalformed: return "GPL-3.0"
        case .yelp: return "Yelp dataset terms"
        }
    }

    /// Why a test that needs the data set is skipped when it is absent.
    var absence: Comment {
        Comment(rawValue: "needs \(rawValue) of the external test data (not shipped: \(notShipped)); absent at \(path)")
    }
}

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
