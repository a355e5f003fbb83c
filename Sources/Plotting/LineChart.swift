import Foundation

/// One point of a ``LineSeries``.
public struct ChartPoint: Sendable, Equatable {
    /// Horizontal coordinate (e.g. the training step).
    public var x: Double
    /// Vertical coordinate (e.g. the loss).
    public var y: Double

    /// A point.
    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}

/// A named curve of a ``LineChart``.
public struct LineSeries: Sendable, Equatable {
    /// The legend entry.
    public var name: String
    /// The points, drawn in the given order.
    public var points: [ChartPoint]

    /// A series.
    public init(name: String, points: [ChartPoint]) {
        self.name = name
        self.points = points
    }
}

/// A line chart of one or more series as a standalone SVG document: axes with nice ticks and grid lines, axis
/// labels, a title, a legend, and optionally a logarithmic y axis (for losses and perplexities spanning decades).
///
/// Points with a non-finite coordinate, or a y ≤ 0 on a logarithmic axis, are left out (the curve joins its
/// neighbours). All text is escaped with ``SVGText/escaped(_:)``. Colors are the Tableau 10 palette, in order.
///
/// ```swift
/// let chart = LineChart(
///     series: [LineSeries(name: "loss", points: [ChartPoint(x: 1, y: 2.3), ChartPoint(x: 2, y: 1.1)])],
///     title: "run.jsonl", xLabel: "step", yLabel: "value", logScaleY: true)
/// let svg: String = chart.svg()
/// ```
public struct LineChart: Sendable, Equatable {
    /// The curves.
    public var series: [LineSeries]
    /// Text above the plot.
    public var title: String
    /// Label of the horizontal axis.
    public var xLabel: String
    /// Label of the vertical axis.
    public var yLabel: String
    /// Whether the vertical axis is base-10 logarithmic.
    public var logScaleY: Bool
    /// Width of the document in pixels.
    public var width: Double
    /// Height of the document in pixels.
    public var height: Double

    /// The Tableau 10 colors, assigned to the series in order (repeating after ten).
    public static let palette = [
        "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
    ]

    /// A chart.
    public init(
        series: [LineSeries], title: String = "", xLabel: String = "", yLabel: String = "", logScaleY: Bool = false,
        width: Double = 800, height: Double = 480
    ) {
        precondition(width >= 200 && height >= 150, "LineChart: size \(width)×\(height) is too small")
        self.series = series
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.logScaleY = logScaleY
        self.width = width
        self.height = height
    }

    /// The points of `series` that can be drawn on this chart's axes.
    public func drawablePoints(of series: LineSeries) -> [ChartPoint] {
        series.points.filter { $0.x.isFinite && $0.y.isFinite && (!logScaleY || $0.y > 0) }
    }

    /// The chart as a standalone SVG 1.1 document.
    public func svg() -> String {
        let drawable = series.map(drawablePoints(of:))
        let all = drawable.flatMap { $0 }
        let xs = all.map(\.x)
        let ys = all.map(\.y)
        let xTicks = AxisTicks.linear(lower: xs.min() ?? 0, upper: xs.max() ?? 1)
        let yTicks =
            logScaleY
            ? AxisTicks.logarithmic(lower: ys.min() ?? 1, upper: ys.max() ?? 10)
            : AxisTicks.linear(lower: ys.min() ?? 0, upper: ys.max() ?? 1)
        let legendWidth = series.isEmpty ? 0.0 : 170
        let plot = (left: 72.0, top: title.isEmpty ? 20.0 : 44, right: width - 20 - legendWidth, bottom: height - 52)
        let (xLow, xHigh) = (xTicks.first ?? 0, xTicks.last ?? 1)
        let (yLow, yHigh) = (yTicks.first ?? 0, yTicks.last ?? 1)
        func px(_ x: Double) -> Double { plot.left + (x - xLow) / (xHigh - xLow) * (plot.right - plot.left) }
        func py(_ y: Double) -> Double {
            let fraction = logScaleY ? log10(y / yLow) / log10(yHigh / yLow) : (y - yLow) / (yHigh - yLow)
            return plot.bottom - fraction * (plot.bottom - plot.top)
        }

        var lines = [
            #"<?xml version="1.0" encoding="UTF-8"?>"#,
            #"<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="\#(n(width))" height="\#(n(height))" "#
                + #"viewBox="0 0 \#(n(width)) \#(n(height))" font-family="sans-serif" font-size="12">"#,
            #"<rect x="0" y="0" width="\#(n(width))" height="\#(n(height))" fill="white"/>"#,
        ]
        if !title.isEmpty {
            lines.append(
                #"<text x="\#(n(width / 2))" y="26" text-anchor="middle" font-size="15">\#(SVGText.escaped(title))</text>"#
            )
        }
        // Grid, ticks and tick labels.
        let xStep = xTicks.count > 1 ? xTicks[1] - xTicks[0] : 1
        for tick in xTicks {
            let x = n(px(tick))
            lines.append(
                #"<line x1="\#(x)" y1="\#(n(plot.top))" x2="\#(x)" y2="\#(n(plot.bottom))" stroke="gainsboro"/>"#)
            lines.append(
                #"<text x="\#(x)" y="\#(n(plot.bottom + 18))" text-anchor="middle">"#
                    + "\(SVGText.escaped(AxisTicks.label(tick, step: xStep)))</text>")
        }
        let yStep = yTicks.count > 1 ? yTicks[1] - yTicks[0] : 1
        for tick in yTicks {
            let y = n(py(tick))
            lines.append(
                #"<line x1="\#(n(plot.left))" y1="\#(y)" x2="\#(n(plot.right))" y2="\#(y)" stroke="gainsboro"/>"#)
            let label = logScaleY ? String(format: "%g", tick) : AxisTicks.label(tick, step: yStep)
            lines.append(
                #"<text x="\#(n(plot.left - 6))" y="\#(n(py(tick) + 4))" text-anchor="end">"#
                    + "\(SVGText.escaped(label))</text>")
        }
        // Axes.
        lines.append(
            #"<polyline points="\#(n(plot.left)),\#(n(plot.top)) \#(n(plot.left)),\#(n(plot.bottom)) "#
                + #"\#(n(plot.right)),\#(n(plot.bottom))" fill="none" stroke="black"/>"#)
        if !xLabel.isEmpty {
            lines.append(
                #"<text x="\#(n((plot.left + plot.right) / 2))" y="\#(n(height - 12))" text-anchor="middle">"#
                    + "\(SVGText.escaped(xLabel))</text>")
        }
        if !yLabel.isEmpty {
            let (x, y) = (16.0, (plot.top + plot.bottom) / 2)
            lines.append(
                #"<text x="\#(n(x))" y="\#(n(y))" text-anchor="middle" transform="rotate(-90 \#(n(x)) \#(n(y)))">"#
                    + "\(SVGText.escaped(yLabel))</text>")
        }
        // Curves and legend.
        for (index, (entry, points)) in zip(series, drawable).enumerated() {
            let color = Self.palette[index % Self.palette.count]
            let name = SVGText.escaped(entry.name)
            if points.count == 1, let point = points.first {
                lines.append(
                    #"<circle cx="\#(n(px(point.x)))" cy="\#(n(py(point.y)))" r="3" fill="\#(color)">"#
                        + "<title>\(name)</title></circle>")
            } else if points.count > 1 {
                let coordinates = points.map { "\(n(px($0.x))),\(n(py($0.y)))" }.joined(separator: " ")
                lines.append(
                    #"<polyline points="\#(coordinates)" fill="none" stroke="\#(color)" stroke-width="1.5">"#
                        + "<title>\(name)</title></polyline>")
            }
            let legendY = plot.top + 8 + Double(index) * 18
            let legendX = plot.right + 16
            lines.append(
                #"<line x1="\#(n(legendX))" y1="\#(n(legendY))" x2="\#(n(legendX + 20))" y2="\#(n(legendY))" "#
                    + #"stroke="\#(color)" stroke-width="3"/>"#)
            lines.append(#"<text x="\#(n(legendX + 26))" y="\#(n(legendY + 4))">\#(name)</text>"#)
        }
        lines.append("</svg>")
        return lines.joined(separator: "\n") + "\n"
    }

    /// A coordinate with at most two decimals.
    private func n(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
