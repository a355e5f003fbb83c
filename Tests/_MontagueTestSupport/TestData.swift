import Foundation
import Testing

/// Where tests find their data.
///
/// - Fixtures shipped in the repository (permissively licensed data, reference values) are found from the test
///   file's own path: ``packageRoot``.
/// - Third-party data that cannot be shipped (non-commercial or copyleft licenses, large corpora) lives in a
///   `shared/data` folder beside the repository (as on CI). ``externalData(_:)`` finds it; tests that need it are
///   skipped with a visible reason when it is absent: `.enabled(if: TestData.hasExternal("yelp"), TestData.missing("yelp"))`.
public enum TestData {
    /// The package root (the directory holding `Package.swift`), found upwards from this file.
    public static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }()

    /// A file or folder of the repository, by its path from the package root.
    public static func repository(_ relativePath: String) -> URL {
        packageRoot.appendingPathComponent(relativePath)
    }

    /// The external data folder (`shared/data` beside the repository or above it, or `MONTAGUE_TEST_DATA`), or
    /// nil when there is none.
    public static let externalRoot: URL? = {
        if let override = ProcessInfo.processInfo.environment["MONTAGUE_TEST_DATA"], !override.isEmpty {
            return FileManager.default.fileExists(atPath: override) ? URL(fileURLWithPath: override) : nil
        }
        var url = packageRoot
        for _ in 0..<4 {
            let candidate = url.appendingPathComponent("shared/data")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            url.deleteLastPathComponent()
        }
        return nil
    }()

    /// An external data set (e.g. `yelp`, `xml/tei-dracor/hamlet.xml`), or nil when absent.
    public static func externalData(_ relativePath: String) -> URL? {
        guard let root = externalRoot else { return nil }
        let url = root.appendingPathComponent(relativePath)
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    /// Whether an external data set is present.
    public static func hasExternal(_ relativePath: String) -> Bool { externalData(relativePath) != nil }

    /// The reason shown when a test is skipped because external data is absent.
    public static func missing(_ relativePath: String) -> Comment {
        Comment(
            rawValue:
                "needs external data '\(relativePath)' (not shipped with the repository); put it under shared/data beside the repository or set MONTAGUE_TEST_DATA"
        )
    }

    /// A fresh temporary directory, removed by the caller (`defer { try? FileManager.default.removeItem(at:) }`).
    public static func temporaryDirectory(_ prefix: String = "montague-test") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
