import Foundation

/// The optical-recognition handwritten digits of UCI (Alpaydin & Kaynak 1998; CC BY 4.0): 1,797 images of 8×8
/// pixels with grey levels 0–16, as the CSV scikit-learn ships (`load_digits`): 64 pixel values then the class
/// (0–9) on each line, no header; plain or gzip-compressed (`digits.csv.gz`).
///
/// Users get the file from the UCI Machine Learning Repository ("Optical Recognition of Handwritten Digits") or
/// by saving scikit-learn's `load_digits()` as CSV. Pixels are scaled to [0, 1] (divided by 16).
public enum DigitsDataset {
    /// Image side (8) and pixels per image (64).
    public static let side = 8
    /// Pixels per image.
    public static let pixels = 64
    /// Number of classes.
    public static let classes = 10

    /// Reads the file at `path` (`.gz` is decompressed).
    public static func load(path: String) throws(DataSetError) -> PointSet {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataSetError(path: path, "cannot read the digits file")
        }
        var bytes = [UInt8](data)
        if bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B {
            bytes = try GzipStream.decompress(bytes, path: path)
        }
        return try parse(String(decoding: bytes, as: UTF8.self), path: path)
    }

    /// Parses the CSV text (65 integers a line: 64 grey levels in 0…16, then the class 0…9).
    public static func parse(_ text: String, path: String) throws(DataSetError) -> PointSet {
        var values: [Float] = []
        var labels: [Int] = []
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            let fields = trimmed.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == pixels + 1 else {
                throw DataSetError(
                    path: path, line: lineNumber, column: 1,
                    "\(fields.count) fields, expected \(pixels + 1) (64 pixels then the class)")
            }
            var column = 1
            for (index, field) in fields.enumerated() {
                let token = field.trimmingCharacters(in: .whitespaces)
                let limit = index == pixels ? classes - 1 : 16
                guard let value = Int(token), value >= 0, value <= limit else {
                    throw DataSetError(
                        path: path, line: lineNumber, column: column,
                        index == pixels
                            ? "class '\(token)' is not an integer 0…9" : "pixel '\(token)' is not an integer 0…16")
                }
                if index == pixels { labels.append(value) } else { values.append(Float(value) / 16) }
                column += field.count + 1
            }
        }
        guard !labels.isEmpty else { throw DataSetError(path: path, "no images in the digits file") }
        return PointSet(dimension: pixels, values: values, labels: labels)
    }
}
