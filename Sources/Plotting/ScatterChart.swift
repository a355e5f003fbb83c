/// One set of points of a ``ScatterChart``, drawn as dots of one colour.
public struct ScatterSeries: Sendable, Equatable {
    /// The legend entry.
    public var name: String
    /// The points.
    public var points: [ChartPoint]
    /// Dot radius in pixels.
    public var radius: Double
    /// Fill opacity in (0, 1] (low values show density where many points overlap).
    public var opacity: Double

    /// A series.
    public init(name: String, points: [ChartPoint], radius: Double = 2, opacity: Double = 0.5) {
        self.name = name
        self.points = points
        self.radius = radius
        self.opacity = opacity
    }
}

/// A scatter plot as a standalone SVG document: e.g. generated samples over the training data of a 2-D toy, each
/// series in a colour of ``LineChart/palette`` with a legend. Non-finite points are skipped.
public struct ScatterChart: Sendable, Equatable {
    /// The series, drawn in order (later ones on top).
    public var series: [ScatterSeries]
    /// Title above the plot (empty: none).
    public var title: String
    /// Horizontal axis label.
    public var xLabel: String
    /// Vertical axis label.
    public var yLabel: String
    /// Document width in pixels.
    public var width: Double
    /// Document height in pixels.
    public var height: Double

    /// A chart.
    public init(
        series: [ScatterSeries], title: String = "", xLabel: String = "", yLabel: String = "", width: Double = 640,
        height: Double = 560
    ) {
        precondition(width >= 200 && height >= 150, "ScatterChart: size \(width)×\(height) is too small")
        self.series = series
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.width = width
        self.height = height
    }

    /// The chart as SVG 1.1.
    public func svg() -> String {
        let drawable = series.map { $0.points.filter { $0.x.isFinite && $0.y.isFinite } }
        let all = drawable.flatMap { $0 }
        let frame = ChartFrame(
            xLower: all.map(\.x).min(), xUpper: all.map(\.x).max(), yLower: all.map(\.y).min(),
            yUpper: all.map(\.y).max(), logScaleY: false, width: width, height: height, hasTitle: !title.isEmpty,
            legendWidth: series.isEmpty ? 0 : 150)
        let n = ChartFrame.number
        var lines = frame.header(title: title)
        lines += frame.gridAndTickLabels()
        lines += frame.axes(xLabel: xLabel, yLabel: yLabel)
        for (index, (entry, points)) in zip(series, drawable).enumerated() {
            let color = LineChart.palette[index % LineChart.palette.count]
            let name = SVGText.escaped(entry.name)
            lines.append(#"<g fill="\#(color)" fill-opacity="\#(n(entry.opacity))"><title>\#(name)</title>"#)
            for point in points {
                lines.append(
                    #"<circle cx="\#(n(frame.px(point.x)))" cy="\#(n(frame.py(point.y)))" r="\#(n(entry.radius))"/>"#)
            }
            lines.append("</g>")
            lines += frame.legendEntry(index: index, color: color, escapedName: name, swatch: .box)
        }
        lines.append("</svg>")
        return lines.joined(separator: "\n") + "\n"
    }
}
