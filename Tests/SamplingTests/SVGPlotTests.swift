import Testing

@testable import Sampling

/// The CLI's SVG output is well-formed enough to open: one bar per bin, a curve when a density is given.
@Suite struct SVGPlotTests {
    @Test func histogramHasOneBarPerBinAndOptionalCurve() {
        let values = (0..<100).map { Double($0) / 10 }
        let plain = SVGPlot.histogram(values, bins: 10, title: "a <b>")
        #expect(plain.hasPrefix("<svg") && plain.contains("</svg>"))
        #expect(plain.components(separatedBy: "<rect").count - 1 == 10)
        #expect(!plain.contains("<polyline") && plain.contains("a &lt;b>"))
        let curve = SVGPlot.histogram(values, bins: 10, title: "u", density: { _ in 0.1 })
        #expect(curve.contains("<polyline"))
    }

    @Test func traceHasOneLinePerChain() {
        let trace = SVGPlot.trace([[1, 2, 3], [3, 2, 1], [0, 0, 1]], title: "t")
        #expect(trace.components(separatedBy: "<polyline").count - 1 == 3)
    }
}
