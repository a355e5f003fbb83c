/// Whether the tests were compiled with optimization (`swift test -c release`); shared by every test target.
///
/// Learning tests too slow for a debug build are gated with `.enabled(if: BuildConfiguration.isRelease)`; they run
/// with `make test-release` (see the Makefile), never silently nowhere.
public enum BuildConfiguration {
    /// `true` in a release (optimized) build, `false` in a debug build.
    public static let isRelease: Bool = {
        #if DEBUG
        return false
        #else
        return true
        #endif
    }()
}
