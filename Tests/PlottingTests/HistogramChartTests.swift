import Foundation
import Plotting
import Testing

@Suite("Plotting: density histograms with an overlaid curve")
struct HistogramChartTests {
    @Test func binsFollowNumPyOnAKnownSample() {
        // numpy.histogram([0, 1, 1, 2, 3, 3, 3, 4], bins=4) → counts [1, 2, 1, 4], edges [0, 1, 2, 3, 4].
        let histogram = Histogram([0, 1, 1, 2, 3, 3, 3, 4], bins: 4)
        #expect(histogram.counts == [1, 2, 1, 4])
        #expect(histogram.edges == [0, 1, 2, 3, 4])
        #expect(histogram.binWidth == 1 && histogram.finiteCount == 8)
        #expect(histogram.densities == [0.125, 0.25, 0.125, 0.5])
        // A given range: values outside are not binned but count in n.
        let ranged = Histogram([0, 1, 1, 2, 3, 3, 3, 4], bins: 2, range: 1...3)
        #expect(ranged.counts == [2, 4] && ranged.outOfRangeCount == 2 && ranged.finiteCount == 8)
        #expect(ranged.densities == [0.25, 0.5])
    }

    @Test func densitiesIntegrateToOneOverTheDataRange() {
        var state: UInt64 = 12345
        let values = (0..<997).map { _ -> Double in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53) * 7.3 - 2.1
        }
        for bins in [1, 3, 17, 40] {
            let histogram = Histogram(values, bins: bins)
            let integral = histogram.densities.reduce(0, +) * histogram.binWidth
            #expect(abs(integral - 1) < 1e-12, "bins \(bins): \(integral)")
            #expect(histogram.counts.reduce(0, +) == values.count)
        }
    }

    @Test func barHeightsInTheSVGAreProportionalToTheDensities() throws {
        let chart = HistogramChart(values: [0, 1, 1, 2, 3, 3, 3, 4], bins: 4, title: "t")
        let bars = try SVGElements.parse(chart.svg()).bars
        try #require(bars.count == 4)
        let heights = bars.map { SVGElements.number($0, "height") }
        let expected = chart.histogram.densities
        for (height, density) in zip(heights, expected) {
            #expect(abs(height / heights[3] - density / expected[3]) < 0.01, "\(heights)")
        }
        // Bars are adjacent, left to right, and share one baseline.
        let xs = bars.map { SVGElements.number($0, "x") }
        let widths = bars.map { SVGElements.number($0, "width") }
        for i in 1..<4 { #expect(abs(xs[i] - (xs[i - 1] + widths[i - 1])) < 0.02) }
        let bottoms = zip(bars.map { SVGElements.number($0, "y") }, heights).map { $0 + $1 }
        #expect(bottoms.allSatisfy { abs($0 - bottoms[0]) < 0.02 })
    }

    @Test func curveStaysInsideThePlotAreaAndSharesTheBarsScale() throws {
        // Uniform(0, 1) draws with the exact density 1: bar tops and the curve land at about the same height.
        let values = (0..<1000).map { (Double($0) + 0.5) / 1000 }
        let chart = HistogramChart(
            values: values, bins: 10, title: "uniform", xLabel: "x", density: { x in (0...1).contains(x) ? 1 : 0 })
        #expect(chart.curve.count == 201 && chart.curve.first?.x == 0.0005 && chart.curve.last?.x == 0.9995)
        let parsed = try SVGElements.parse(chart.svg())
        let axes = try #require(parsed.elements.first { $0.name == "polyline" && $0.attributes["stroke"] == "black" })
        let corners = (axes.attributes["points"] ?? "").split(separator: " ").map {
            $0.split(separator: ",").compactMap { Double($0) }
        }
        try #require(corners.count == 3 && corners.allSatisfy { $0.count == 2 })
        let (left, top, right, bottom) = (corners[0][0], corners[0][1], corners[2][0], corners[2][1])
        let curve = try #require(parsed.elements.first { $0.name == "polyline" && $0.attributes["class"] == "curve" })
        let points = (curve.attributes["points"] ?? "").split(separator: " ").map {
            $0.split(separator: ",").compactMap { Double($0) }
        }
        #expect(points.count == 201)
        for point in points {
            #expect(point.count == 2 && (left...right).contains(point[0]) && (top...bottom).contains(point[1]))
        }
        let barTops = parsed.bars.map { SVGElements.number($0, "y") }
        #expect(barTops.allSatisfy { abs($0 - points[100][1]) < 0.5 }, "\(barTops) vs \(points[100])")
        #expect(parsed.texts.contains("density") && parsed.texts.contains("histogram"))  // legend
    }

    @Test func titleAndLabelsAreEscapedAndTicksDrawn() throws {
        let chart = HistogramChart(
            values: [1, 2, 2, 3, 7.5], bins: 5, title: "a <b> & c", xLabel: "x < 1", yLabel: "p & q")
        let svg = chart.svg()
        #expect(svg.contains("a &lt;b&gt; &amp; c") && !svg.contains("<b>"))
        let parsed = try SVGElements.parse(svg)
        #expect(parsed.texts.contains("a <b> & c") && parsed.texts.contains("x < 1") && parsed.texts.contains("p & q"))
        // Nice ticks: the x axis 0…8 in steps of 2 (or finer), and grid lines for both axes.
        let labels = Set(parsed.texts)
        #expect(["0", "2", "4", "6", "8"].allSatisfy(labels.contains), "\(parsed.texts)")
        let grid = parsed.elements.filter { $0.name == "line" && $0.attributes["stroke"] == "gainsboro" }
        #expect(grid.count >= 8)
        #expect(parsed.elements.filter { $0.name == "polyline" }.count == 1)  // axes only, no curve
    }

    @Test func nonFiniteValuesAreSkippedCountedAndNoted() throws {
        let histogram = Histogram([1, .nan, 2, .infinity, -.infinity, 3], bins: 2)
        #expect(histogram.nonFiniteCount == 3 && histogram.finiteCount == 3)
        #expect(histogram.counts == [1, 2] && histogram.lower == 1 && histogram.upper == 3)
        let chart = HistogramChart(values: [1, .nan, 2, .infinity, -.infinity, 3], bins: 2)
        #expect(chart.note == "3 non-finite values skipped")
        let parsed = try SVGElements.parse(chart.svg())
        #expect(parsed.texts.contains("3 non-finite values skipped") && parsed.bars.count == 2)
        // A curve with non-finite points (a pdf's pole) keeps its finite ones.
        let pole = HistogramChart(values: [0, 1], bins: 2, curveSamples: 4, density: { 1 / $0 })
        #expect(pole.curve.count == 5 && pole.drawableCurve.count == 4)
        #expect(!pole.svg().contains("nan") && !pole.svg().contains("inf"))
    }

    @Test func oneBinAndOneDistinctValue() throws {
        let single = Histogram([2.5, 2.5, 2.5], bins: 1)
        #expect(single.lower == 2 && single.upper == 3)  // NumPy widens a degenerate range by ±0.5
        #expect(single.counts == [3] && single.densities == [1])
        let many = Histogram([2.5, 2.5], bins: 4)
        #expect(many.counts == [0, 0, 2, 0] && many.edges == [2, 2.25, 2.5, 2.75, 3])
        let one = Histogram([-1, 0, 5], bins: 1)
        #expect(one.counts == [3] && one.edges == [-1, 5])
        let parsed = try SVGElements.parse(HistogramChart(values: [2.5, 2.5, 2.5], bins: 1).svg())
        #expect(parsed.bars.count == 1 && SVGElements.number(parsed.bars[0], "height") > 100)
    }

    @Test func emptyDataDrawsEmptyAxesWithANote() throws {
        let empty = Histogram([], bins: 3)
        #expect(empty.counts == [0, 0, 0] && empty.densities == [0, 0, 0] && empty.lower == 0 && empty.upper == 1)
        let chart = HistogramChart(values: [.nan], bins: 3, title: "nothing")
        #expect(chart.note == "no finite values")
        let parsed = try SVGElements.parse(chart.svg())
        #expect(parsed.texts.contains("no finite values") && parsed.texts.contains("nothing"))
        #expect(parsed.bars.count == 3 && parsed.bars.allSatisfy { SVGElements.number($0, "height") == 0 })
        let ranged = Histogram([], bins: 2, range: -4...4)
        #expect(ranged.edges == [-4, 0, 4] && ranged.finiteCount == 0)
    }

    @Test func documentationExampleRuns() throws {
        let chart = HistogramChart(
            values: [0.1, 0.4, 0.5, 0.9], bins: 4, title: "draws", xLabel: "x",
            density: { x in x >= 0 && x <= 1 ? 1 : 0 })
        let svg: String = chart.svg()
        #expect(try SVGElements.parse(svg).bars.count == 4)
    }
}
