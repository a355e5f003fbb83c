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
        let frame = ChartFrame(
            xLower: xs.min(), xUpper: xs.max(), yLower: ys.min(), yUpper: ys.max(), logScaleY: logScaleY,
            width: width, height: height, hasTitle: !title.isEmpty, legendWidth: series.isEmpty ? 0 : 170)
        let n = ChartFrame.number
        var lines = frame.header(title: title)
        lines += frame.gridAndTickLabels()
        lines += frame.axes(xLabel: xLabel, yLabel: yLabel)
        // Curves and legend.
        for (index, (entry, points)) in zip(series, drawable).enumerated() {
            let color = Self.palette[index % Self.palette.count]
            let name = SVGText.escaped(entry.name)
            if points.count == 1, let point = points.first {
                lines.append(
                    #"<circle cx="\#(n(frame.px(point.x)))" cy="\#(n(frame.py(point.y)))" r="3" fill="\#(color)">"#
                        + "<title>\(name)</title></circle>")
            } else if points.count > 1 {
                let coordinates = points.map { "\(n(frame.px($0.x))),\(n(frame.py($0.y)))" }.joined(separator: " ")
                lines.append(
                    #"<polyline points="\#(coordinates)" fill="none" stroke="\#(color)" stroke-width="1.5">"#
                        + "<title>\(name)</title></polyline>")
            }
            lines += frame.legendEntry(index: index, color: color, escapedName: name)
        }
        lines.append("</svg>")
        return lines.joined(separator: "\n") + "\n"
    }
}
