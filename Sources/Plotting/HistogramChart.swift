import Foundation

/// Equal-width bins over a sample: the counts and the heights of a density histogram.
///
/// Follows `numpy.histogram`: `bins` equal-width bins over `lower…upper` (the data's minimum and maximum unless a
/// range is given), each half-open `[a, b)` except the last, which is closed; a degenerate range (`lower == upper`,
/// e.g. one distinct value) is widened to `lower − 0.5 … upper + 0.5`.
///
/// Non-finite values (NaN, ±∞) are skipped and counted in ``nonFiniteCount``. Finite values outside a given
/// range are counted in ``outOfRangeCount``; they are not binned but do count in the `n` of the density, so the
/// heights stay on the scale of a probability density whatever the range:
///
///     density[i] = counts[i] / (n · binWidth),   n = number of finite values
///
/// Over the data's own range the densities therefore integrate to 1 (`Σ density[i] · binWidth = 1`); over a
/// narrower given range they integrate to the fraction of values inside it. An empty sample is not an error: all
/// counts and densities are zero (over `0…1` unless a range is given).
public struct Histogram: Sendable, Equatable {
    /// Left edge of the first bin.
    public let lower: Double
    /// Right edge of the last bin.
    public let upper: Double
    /// Number of values in each bin, left to right.
    public let counts: [Int]
    /// Values skipped because they are NaN or infinite.
    public let nonFiniteCount: Int
    /// Finite values outside a given range (always 0 when the range is the data's own).
    public let outOfRangeCount: Int

    /// Bins `values` into `bins` equal-width bins over `range`, or over the finite values' minimum…maximum when
    /// `range` is nil.
    public init(_ values: [Double], bins: Int, range: ClosedRange<Double>? = nil) {
        precondition(bins > 0, "Histogram: bins must be positive, got \(bins)")
        if let range {
            precondition(
                range.lowerBound.isFinite && range.upperBound.isFinite,
                "Histogram: range \(range.lowerBound)…\(range.upperBound) must be finite")
        }
        var low = Double.infinity
        var high = -Double.infinity
        var nonFinite = 0
        for value in values {
            if value.isFinite {
                low = min(low, value)
                high = max(high, value)
            } else {
                nonFinite += 1
            }
        }
        if let range {
            (low, high) = (range.lowerBound, range.upperBound)
        } else if low > high {
            (low, high) = (0, 1)  // no finite value
        }
        if low == high { (low, high) = (low - 0.5, high + 0.5) }
        var counts = [Int](repeating: 0, count: bins)
        var outside = 0
        let scale = Double(bins) / (high - low)
        for value in values where value.isFinite {
            guard value >= low && value <= high else {
                outside += 1
                continue
            }
            counts[min(bins - 1, Int((value - low) * scale))] += 1
        }
        self.lower = low
        self.upper = high
        self.counts = counts
        self.nonFiniteCount = nonFinite
        self.outOfRangeCount = outside
    }

    /// Width of every bin: `(upper − lower) / counts.count`.
    public var binWidth: Double { (upper - lower) / Double(counts.count) }

    /// The `n` of the density: finite values, binned or out of range.
    public var finiteCount: Int { counts.reduce(0, +) + outOfRangeCount }

    /// The `counts.count + 1` bin edges, `lower` first and `upper` last.
    public var edges: [Double] {
        (0...counts.count).map { $0 == counts.count ? upper : lower + Double($0) * binWidth }
    }

    /// Height of each bin as a density, `counts[i] / (n · binWidth)` (all zero when there is no finite value).
    public var densities: [Double] {
        let n = finiteCount
        guard n > 0 else { return counts.map { _ in 0 } }
        let scale = 1 / (Double(n) * binWidth)
        return counts.map { Double($0) * scale }
    }
}

/// A histogram of a sample as a standalone SVG document, bars scaled as a probability density so a density curve
/// can be overlaid on the same axes (e.g. the exact pdf of the distribution the sample was drawn from).
///
/// Axes, nice ticks, grid, title and axis labels are drawn as in ``LineChart``; all text is escaped with
/// ``SVGText/escaped(_:)``. The bins are a ``Histogram`` (NumPy semantics): non-finite values are skipped and
/// counted, and the chart notes how many in its top right corner. An empty sample (or one with no finite value)
/// is not an error: the chart shows empty axes with the note "no finite values". Bars are `<rect class="bar">`
/// elements, one per bin (zero-height for empty bins), each with a `<title>` giving the bin and its count.
///
/// ```swift
/// let chart = HistogramChart(
///     values: [0.1, 0.4, 0.5, 0.9], bins: 4, title: "draws", xLabel: "x",
///     density: { x in x >= 0 && x <= 1 ? 1 : 0 })
/// let svg: String = chart.svg()
/// ```
public struct HistogramChart: Sendable, Equatable {
    /// The bins drawn as bars.
    public var histogram: Histogram
    /// Points of the overlaid curve, drawn in order on the density scale; empty for none. Non-finite points are
    /// left out.
    public var curve: [ChartPoint]
    /// The legend entry of the curve (the legend is shown only with a curve).
    public var curveName: String
    /// Text above the plot.
    public var title: String
    /// Label of the horizontal axis.
    public var xLabel: String
    /// Label of the vertical axis.
    public var yLabel: String
    /// Width of the document in pixels.
    public var width: Double
    /// Height of the document in pixels.
    public var height: Double

    /// Fill of the bars (the first ``LineChart/palette`` color).
    public static let barColor = LineChart.palette[0]
    /// Stroke of the curve (the third ``LineChart/palette`` color).
    public static let curveColor = LineChart.palette[2]

    /// A histogram of `values` in `bins` equal-width bins over `range` (the data's range when nil), with an
    /// optional curve given as points.
    public init(
        values: [Double], bins: Int = 40, range: ClosedRange<Double>? = nil, curve: [ChartPoint] = [],
        curveName: String = "density", title: String = "", xLabel: String = "", yLabel: String = "density",
        width: Double = 800, height: Double = 480
    ) {
        precondition(bins > 0, "HistogramChart: bins must be positive, got \(bins)")
        precondition(width >= 200 && height >= 150, "HistogramChart: size \(width)×\(height) is too small")
        self.histogram = Histogram(values, bins: bins, range: range)
        self.curve = curve
        self.curveName = curveName
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.width = width
        self.height = height
    }

    /// A histogram of `values` overlaid with `density` sampled at `curveSamples + 1` equally spaced points over
    /// the bins' range (`lower…upper` of ``histogram``).
    public init(
        values: [Double], bins: Int = 40, range: ClosedRange<Double>? = nil, curveName: String = "density",
        title: String = "", xLabel: String = "", yLabel: String = "density", width: Double = 800,
        height: Double = 480, curveSamples: Int = 200, density: (Double) -> Double
    ) {
        precondition(curveSamples > 0, "HistogramChart: curveSamples must be positive, got \(curveSamples)")
        self.init(
            values: values, bins: bins, range: range, curveName: curveName, title: title, xLabel: xLabel,
            yLabel: yLabel, width: width, height: height)
        let (low, high) = (histogram.lower, histogram.upper)
        curve = (0...curveSamples).map { i in
            let x = i == curveSamples ? high : low + (high - low) * Double(i) / Double(curveSamples)
            return ChartPoint(x: x, y: density(x))
        }
    }

    /// The points of ``curve`` that are drawn (both coordinates finite).
    public var drawableCurve: [ChartPoint] { curve.filter { $0.x.isFinite && $0.y.isFinite } }

    /// The chart as a standalone SVG 1.1 document.
    public func svg() -> String {
        let densities = histogram.densities
        let points = drawableCurve
        let yLow = min(0, points.map(\.y).min() ?? 0)
        var yHigh = max(densities.max() ?? 0, points.map(\.y).max() ?? 0)
        if yHigh <= yLow { yHigh = yLow + 1 }
        let frame = ChartFrame(
            xLower: min(histogram.lower, points.map(\.x).min() ?? histogram.lower),
            xUpper: max(histogram.upper, points.map(\.x).max() ?? histogram.upper), yLower: yLow, yUpper: yHigh,
            logScaleY: false, width: width, height: height, hasTitle: !title.isEmpty,
            legendWidth: points.isEmpty ? 0 : 170)
        let n = ChartFrame.number
        var lines = frame.header(title: title)
        lines += frame.gridAndTickLabels()
        let edges = histogram.edges
        let base = frame.py(0)
        for (index, (count, density)) in zip(histogram.counts, densities).enumerated() {
            let (left, right) = (frame.px(edges[index]), frame.px(edges[index + 1]))
            let top = frame.py(density)
            let closing = index == densities.count - 1 ? "]" : ")"
            let bin = "[\(Self.format(edges[index])), \(Self.format(edges[index + 1]))\(closing)"
            lines.append(
                #"<rect class="bar" x="\#(n(left))" y="\#(n(top))" width="\#(n(right - left))" "#
                    + #"height="\#(n(base - top))" fill="\#(Self.barColor)" stroke="white" stroke-width="0.5">"#
                    + "<title>\(bin): \(count)</title></rect>")
        }
        lines += frame.axes(xLabel: xLabel, yLabel: yLabel)
        if !points.isEmpty {
            let name = SVGText.escaped(curveName)
            let coordinates = points.map { "\(n(frame.px($0.x))),\(n(frame.py($0.y)))" }.joined(separator: " ")
            lines.append(
                #"<polyline class="curve" points="\#(coordinates)" fill="none" stroke="\#(Self.curveColor)" "#
                    + #"stroke-width="2"><title>\#(name)</title></polyline>"#)
            lines += frame.legendEntry(index: 0, color: Self.barColor, escapedName: "histogram", swatch: .box)
            lines += frame.legendEntry(index: 1, color: Self.curveColor, escapedName: name)
        }
        if let note {
            let (x, y) =
                histogram.finiteCount == 0
                ? (n((frame.plot.left + frame.plot.right) / 2), n((frame.plot.top + frame.plot.bottom) / 2))
                : (n(frame.plot.right - 6), n(frame.plot.top + 14))
            let anchor = histogram.finiteCount == 0 ? "middle" : "end"
            lines.append(
                #"<text class="note" x="\#(x)" y="\#(y)" text-anchor="\#(anchor)" fill="dimgray">"#
                    + "\(SVGText.escaped(note))</text>")
        }
        lines.append("</svg>")
        return lines.joined(separator: "\n") + "\n"
    }

    /// What the chart says about values it could not draw: "no finite values", or how many were non-finite
    /// and how many lay outside the range; nil when every value is binned.
    public var note: String? {
        if histogram.finiteCount == 0 { return "no finite values" }
        var parts: [String] = []
        let skipped = histogram.nonFiniteCount
        if skipped > 0 { parts.append("\(skipped) non-finite value\(skipped == 1 ? "" : "s") skipped") }
        let outside = histogram.outOfRangeCount
        if outside > 0 { parts.append("\(outside) value\(outside == 1 ? "" : "s") outside the range") }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }

    /// A bin edge for a tooltip: six significant digits.
    private static func format(_ value: Double) -> String { String(format: "%g", value) }
}
