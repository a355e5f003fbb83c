import Foundation
import Testing

@testable import Plotting

/// Scatter charts and image grids as SVG.
@Suite("Scatter charts and image grids")
struct ScatterChartTests {
    @Test func scatterDrawsOneCirclePerFinitePointAndALegend() {
        let chart = ScatterChart(
            series: [
                ScatterSeries(name: "data <real>", points: [ChartPoint(x: 0, y: 0), ChartPoint(x: 1, y: 2)]),
                ScatterSeries(name: "samples", points: [ChartPoint(x: .nan, y: 1), ChartPoint(x: -1, y: 0.5)]),
            ], title: "ring8 & samples")
        let svg = chart.svg()
        #expect(svg.components(separatedBy: "<circle ").count - 1 == 3)
        #expect(svg.contains("ring8 &amp; samples") && svg.contains("data &lt;real&gt;"))
        #expect(svg.hasPrefix("<?xml") && svg.hasSuffix("</svg>\n"))
        #expect(ScatterChart(series: []).svg().contains("</svg>"))
    }

    @Test func imageGridDrawsInkedPixelsOnly() {
        let image = [0.0, 1.0, 0.5, 0.0]  // two inked pixels of a 2×2 image
        let grid = ImageGrid(
            images: [image, image, image], imageWidth: 2, imageHeight: 2, columns: 2, rowLabels: ["a", "b"])
        #expect(grid.rows == 2)
        let svg = grid.svg()
        #expect(svg.components(separatedBy: "fill=\"rgb(").count - 1 == 6)
        #expect(svg.contains("fill=\"rgb(0,0,0)\"") && svg.contains("fill=\"rgb(128,128,128)\""))
        #expect(svg.contains(">a</text>") && svg.contains(">b</text>"))
    }
}
