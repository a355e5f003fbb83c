import Testing

/// Expects `actual` to equal `expected` scalar by scalar within `tolerance` (relative above 1, absolute below);
/// shared by the value tests of this target.
func expectClose(
    _ actual: [Float], _ expected: [Float], tolerance: Float = 1e-5, _ comment: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(
        actual.count == expected.count, "\(comment): counts \(actual.count) vs \(expected.count)",
        sourceLocation: sourceLocation)
    for (a, e) in zip(actual, expected) {
        let close = a == e || Swift.abs(a - e) <= tolerance * Swift.max(1, Swift.abs(e))
        #expect(close, "\(comment): \(actual) vs expected \(expected)", sourceLocation: sourceLocation)
    }
}
