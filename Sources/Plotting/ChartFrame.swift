import Foundation

/// The frame shared by the charts of this module: the plot area inside a document, the nice ticks of both axes,
/// the mapping from data to pixels, and the SVG of the document header, title, grid, tick labels, axes, axis
/// labels and legend entries.
///
/// Charts (``LineChart``, ``HistogramChart``) decide what their axes must cover and draw their own marks between
/// ``gridAndTickLabels()`` and ``axes(xLabel:yLabel:)``.
struct ChartFrame {
    /// The drawing area inside the axes, in pixels (y grows downwards).
    struct PlotArea {
        var left: Double
        var top: Double
        var right: Double
        var bottom: Double
    }

    /// How a legend entry shows its series.
    enum Swatch {
        /// A short thick line (curves).
        case line
        /// A filled square (bars).
        case box
    }

    /// Width of the document in pixels.
    let width: Double
    /// Height of the document in pixels.
    let height: Double
    /// Whether the vertical axis is base-10 logarithmic.
    let logScaleY: Bool
    /// Ticks of the horizontal axis; the first and last bound it.
    let xTicks: [Double]
    /// Ticks of the vertical axis; the first and last bound it.
    let yTicks: [Double]
    /// The area inside the axes.
    let plot: PlotArea

    /// A frame whose axes cover `xLower…xUpper` and `yLower…yUpper` (nil: no data, a default axis), leaving room
    /// for a title when `hasTitle` and for a legend column `legendWidth` pixels wide on the right.
    init(
        xLower: Double?, xUpper: Double?, yLower: Double?, yUpper: Double?, logScaleY: Bool, width: Double,
        height: Double, hasTitle: Bool, legendWidth: Double
    ) {
        self.width = width
        self.height = height
        self.logScaleY = logScaleY
        xTicks = AxisTicks.linear(lower: xLower ?? 0, upper: xUpper ?? 1)
        yTicks =
            logScaleY
            ? AxisTicks.logarithmic(lower: yLower ?? 1, upper: yUpper ?? 10)
            : AxisTicks.linear(lower: yLower ?? 0, upper: yUpper ?? 1)
        plot = PlotArea(left: 72, top: hasTitle ? 44 : 20, right: width - 20 - legendWidth, bottom: height - 52)
    }

    /// The horizontal pixel of data coordinate `x`.
    func px(_ x: Double) -> Double {
        let (low, high) = (xTicks.first ?? 0, xTicks.last ?? 1)
        return plot.left + (x - low) / (high - low) * (plot.right - plot.left)
    }

    /// The vertical pixel of data coordinate `y` (larger values higher up).
    func py(_ y: Double) -> Double {
        let (low, high) = (yTicks.first ?? 0, yTicks.last ?? 1)
        let fraction = logScaleY ? log10(y / low) / log10(high / low) : (y - low) / (high - low)
        return plot.bottom - fraction * (plot.bottom - plot.top)
    }

    /// The XML declaration, the opening `<svg>` tag, a white background and the title (if not empty).
    func header(title: String) -> [String] {
        let (w, h) = (Self.number(width), Self.number(height))
        var lines = [
            #"<?xml version="1.0" encoding="UTF-8"?>"#,
            #"<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="\#(w)" height="\#(h)" "#
                + #"viewBox="0 0 \#(w) \#(h)" font-family="sans-serif" font-size="12">"#,
            #"<rect x="0" y="0" width="\#(w)" height="\#(h)" fill="white"/>"#,
        ]
        if !title.isEmpty {
            lines.append(
                #"<text x="\#(Self.number(width / 2))" y="26" text-anchor="middle" font-size="15">"#
                    + "\(SVGText.escaped(title))</text>")
        }
        return lines
    }

    /// Grid lines at every tick and the tick labels below and left of the plot area.
    func gridAndTickLabels() -> [String] {
        var lines: [String] = []
        let xStep = xTicks.count > 1 ? xTicks[1] - xTicks[0] : 1
        for tick in xTicks {
            let x = Self.number(px(tick))
            lines.append(
                #"<line x1="\#(x)" y1="\#(Self.number(plot.top))" x2="\#(x)" y2="\#(Self.number(plot.bottom))" "#
                    + #"stroke="gainsboro"/>"#)
            lines.append(
                #"<text x="\#(x)" y="\#(Self.number(plot.bottom + 18))" text-anchor="middle">"#
                    + "\(SVGText.escaped(AxisTicks.label(tick, step: xStep)))</text>")
        }
        let yStep = yTicks.count > 1 ? yTicks[1] - yTicks[0] : 1
        for tick in yTicks {
            let y = Self.number(py(tick))
            lines.append(
                #"<line x1="\#(Self.number(plot.left))" y1="\#(y)" x2="\#(Self.number(plot.right))" y2="\#(y)" "#
                    + #"stroke="gainsboro"/>"#)
            let label = logScaleY ? String(format: "%g", tick) : AxisTicks.label(tick, step: yStep)
            lines.append(
                #"<text x="\#(Self.number(plot.left - 6))" y="\#(Self.number(py(tick) + 4))" text-anchor="end">"#
                    + "\(SVGText.escaped(label))</text>")
        }
        return lines
    }

    /// The left and bottom axis lines and the axis labels (those not empty).
    func axes(xLabel: String, yLabel: String) -> [String] {
        let (left, top) = (Self.number(plot.left), Self.number(plot.top))
        let (right, bottom) = (Self.number(plot.right), Self.number(plot.bottom))
        var lines = [
            #"<polyline points="\#(left),\#(top) \#(left),\#(bottom) \#(right),\#(bottom)" fill="none" "#
                + #"stroke="black"/>"#
        ]
        if !xLabel.isEmpty {
            lines.append(
                #"<text x="\#(Self.number((plot.left + plot.right) / 2))" y="\#(Self.number(height - 12))" "#
                    + #"text-anchor="middle">\#(SVGText.escaped(xLabel))</text>"#)
        }
        if !yLabel.isEmpty {
            let (x, y) = (Self.number(16), Self.number((plot.top + plot.bottom) / 2))
            lines.append(
                #"<text x="\#(x)" y="\#(y)" text-anchor="middle" transform="rotate(-90 \#(x) \#(y))">"#
                    + "\(SVGText.escaped(yLabel))</text>")
        }
        return lines
    }

    /// The `index`-th legend entry (top to bottom, right of the plot area): a swatch in `color` and the name
    /// (already escaped).
    func legendEntry(index: Int, color: String, escapedName: String, swatch: Swatch = .line) -> [String] {
        let legendY = plot.top + 8 + Double(index) * 18
        let legendX = plot.right + 16
        let mark =
            switch swatch {
            case .line:
                #"<line x1="\#(Self.number(legendX))" y1="\#(Self.number(legendY))" "#
                    + #"x2="\#(Self.number(legendX + 20))" y2="\#(Self.number(legendY))" "#
                    + #"stroke="\#(color)" stroke-width="3"/>"#
            case .box:
                #"<rect x="\#(Self.number(legendX + 4))" y="\#(Self.number(legendY - 6))" width="12" height="12" "#
                    + #"fill="\#(color)" class="legend"/>"#
            }
        let label = #"<text x="\#(Self.number(legendX + 26))" y="\#(Self.number(legendY + 4))">\#(escapedName)</text>"#
        return [mark, label]
    }

    /// A coordinate with at most two decimals.
    static func number(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
