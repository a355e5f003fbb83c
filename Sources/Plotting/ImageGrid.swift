/// Grey-level images laid out in a grid, as an SVG document of pixel squares: samples of image generators (8×8
/// digits) side by side, optionally one labelled row per class.
public struct ImageGrid: Sendable, Equatable {
    /// Image width in pixels of the data.
    public let imageWidth: Int
    /// Image height in pixels of the data.
    public let imageHeight: Int
    /// The images, row-major intensities in [0, 1] (1 = ink, drawn black); values outside are clamped.
    public let images: [[Double]]
    /// Images per grid row.
    public let columns: Int
    /// Labels of the grid rows (empty: none).
    public let rowLabels: [String]
    /// Screen pixels per data pixel.
    public let scale: Double
    /// Title above the grid (empty: none).
    public let title: String

    /// A grid; every image must have `imageWidth × imageHeight` values.
    public init(
        images: [[Double]], imageWidth: Int, imageHeight: Int, columns: Int, rowLabels: [String] = [],
        scale: Double = 4, title: String = ""
    ) {
        precondition(imageWidth > 0 && imageHeight > 0 && columns > 0 && scale > 0, "ImageGrid: bad sizes")
        precondition(
            images.allSatisfy { $0.count == imageWidth * imageHeight },
            "ImageGrid: every image needs \(imageWidth)×\(imageHeight) values")
        self.images = images
        self.imageWidth = imageWidth
        self.imageHeight = imageHeight
        self.columns = columns
        self.rowLabels = rowLabels
        self.scale = scale
        self.title = title
    }

    /// Number of grid rows.
    public var rows: Int { (images.count + columns - 1) / columns }

    /// The grid as SVG 1.1.
    public func svg() -> String {
        let n = ChartFrame.number
        let gap = 2.0
        let labelWidth = rowLabels.isEmpty ? 0.0 : 40.0
        let top = title.isEmpty ? gap : 28.0
        let cellWidth = Double(imageWidth) * scale + gap
        let cellHeight = Double(imageHeight) * scale + gap
        let width = labelWidth + gap + Double(columns) * cellWidth
        let height = top + Double(Swift.max(rows, 1)) * cellHeight
        var lines = [
            #"<?xml version="1.0" encoding="UTF-8"?>"#,
            #"<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="\#(n(width))" height="\#(n(height))" "#
                + #"viewBox="0 0 \#(n(width)) \#(n(height))" font-family="sans-serif" font-size="12" "#
                + #"shape-rendering="crispEdges">"#,
            #"<rect x="0" y="0" width="\#(n(width))" height="\#(n(height))" fill="gainsboro"/>"#,
        ]
        if !title.isEmpty {
            lines.append(
                #"<text x="\#(n(width / 2))" y="18" text-anchor="middle" font-size="14">"#
                    + "\(SVGText.escaped(title))</text>")
        }
        for (row, label) in rowLabels.enumerated() where row < rows {
            lines.append(
                #"<text x="\#(n(labelWidth - 6))" y="\#(n(top + Double(row) * cellHeight + cellHeight / 2 + 4))" "#
                    + #"text-anchor="end">\#(SVGText.escaped(label))</text>"#)
        }
        for (index, image) in images.enumerated() {
            let originX = labelWidth + gap + Double(index % columns) * cellWidth
            let originY = top + Double(index / columns) * cellHeight
            lines.append(
                #"<g><rect x="\#(n(originX))" y="\#(n(originY))" width="\#(n(Double(imageWidth) * scale))" "#
                    + #"height="\#(n(Double(imageHeight) * scale))" fill="white"/>"#)
            for y in 0..<imageHeight {
                for x in 0..<imageWidth {
                    let value = image[y * imageWidth + x]
                    let ink = value.isFinite ? Swift.min(Swift.max(value, 0), 1) : 0
                    guard ink > 0.02 else { continue }
                    let grey = Int(((1 - ink) * 255).rounded())
                    lines.append(
                        #"<rect x="\#(n(originX + Double(x) * scale))" y="\#(n(originY + Double(y) * scale))" "#
                            + #"width="\#(n(scale))" height="\#(n(scale))" fill="rgb(\#(grey),\#(grey),\#(grey))"/>"#)
                }
            }
            lines.append("</g>")
        }
        lines.append("</svg>")
        return lines.joined(separator: "\n") + "\n"
    }
}
