import Testing

/// Expects `actual` to equal `expected` element by element within `tolerance` (relative above 1, absolute below),
/// reporting at the caller's source location. The one shared closeness check of Montague's tests.
public func expectClose(
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

/// The `Double` version of ``expectClose(_:_:tolerance:_:sourceLocation:)-([Float],…)``.
public func expectClose(
    _ actual: [Double], _ expected: [Double], tolerance: Double = 1e-9, _ comment: String = "",
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

/// Expects two scalars to agree within `tolerance` (relative above 1, absolute below).
public func expectClose(
    _ actual: Double, _ expected: Double, tolerance: Double = 1e-9, _ comment: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let close = actual == expected || Swift.abs(actual - expected) <= tolerance * Swift.max(1, Swift.abs(expected))
    #expect(close, "\(comment): \(actual) vs expected \(expected)", sourceLocation: sourceLocation)
}
