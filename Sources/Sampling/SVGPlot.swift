import Foundation

/// Minimal standalone SVG plots for the CLI: a histogram of draws and a trace plot of chains.
public enum SVGPlot {
    /// A histogram of `values` with `bins` equal-width bins, optionally overlaid with a density curve.
    public static func histogram(
        _ values: [Double], bins: Int = 40, title: String, density: ((Double) -> Double)? = nil
    ) -> String {
        precondition(!values.isEmpty && bins > 0, "SVGPlot.histogram: needs values and bins > 0")
        let low = values.min() ?? 0
        let high = max(values.max() ?? 1, low + 1e-12)
        let width = (high - low) / Double(bins)
        var counts = [Double](repeating: 0, count: bins)
        for value in values { counts[min(bins - 1, Int((value - low) / width))] += 1 }
        let heights = counts.map { $0 / (Double(values.count) * width) }
        var top = heights.max() ?? 1
        if let density {
            for i in 0...200 { top = max(top, density(low + (high - low) * Double(i) / 200)) }
        }
        let (plotWidth, plotHeight, margin) = (600.0, 300.0, 40.0)
        var body = ""
        for (i, height) in heights.enumerated() {
            let x = margin + Double(i) * plotWidth / Double(bins)
            let h = height / top * plotHeight
            body += String(
                format: "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"#8ab\"/>\n",
                x, margin + plotHeight - h, plotWidth / Double(bins) - 1, h)
        }
        if let density {
            let points = (0...200).map { i -> String in
                let x = low + (high - low) * Double(i) / 200
                return String(
                    format: "%.2f,%.2f", margin + plotWidth * Double(i) / 200,
                    margin + plotHeight - density(x) / top * plotHeight)
            }
            body +=
                "<polyline fill=\"none\" stroke=\"#c33\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/>\n"
        }
        return document(title: title, body: body, low: low, high: high, width: plotWidth, height: plotHeight)
    }

    /// Trace plot: each chain's draws against iteration, one colour per chain.
    public static func trace(_ chains: [[Double]], title: String) -> String {
        let all = chains.flatMap { $0 }
        precondition(!all.isEmpty, "SVGPlot.trace: no draws")
        let low = all.min() ?? 0
        let high = max(all.max() ?? 1, low + 1e-12)
        let length = max(2, chains.map(\.count).max() ?? 2)
        let (plotWidth, plotHeight, margin) = (600.0, 300.0, 40.0)
        let colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]
        var body = ""
        for (c, chain) in chains.enumerated() {
            let points = chain.enumerated().map { i, value in
                String(
                    format: "%.2f,%.2f", margin + plotWidth * Double(i) / Double(length - 1),
                    margin + plotHeight - (value - low) / (high - low) * plotHeight)
            }
            body +=
                "<polyline fill=\"none\" stroke=\"\(colours[c % colours.count])\" stroke-width=\"0.7\" "
                + "points=\"\(points.joined(separator: " "))\"/>\n"
        }
        return document(title: title, body: body, low: low, high: high, width: plotWidth, height: plotHeight)
    }

    static func document(title: String, body: String, low: Double, high: Double, width: Double, height: Double)
        -> String
    {
        let escaped = title.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width + 80))" height="\(Int(height + 80))">
            <text x="40" y="25" font-family="sans-serif" font-size="14">\(escaped)</text>
            <line x1="40" y1="\(40 + height)" x2="\(40 + width)" y2="\(40 + height)" stroke="black"/>
            <text x="40" y="\(height + 60)" font-family="sans-serif" font-size="11">\(String(format: "%.3g", low))</text>
            <text x="\(width)" y="\(height + 60)" font-family="sans-serif" font-size="11">\(String(format: "%.3g", high))</text>
            \(body)</svg>

            """
    }
}
