import Foundation
import MontagueSupport

/// Writes a table of numbers (draws, assignments, responsibilities) as CSV or as a NumPy `.npy` file, atomically.
///
/// NPY is NumPy's format version 1.0 (the magic `\x93NUMPY`, a little-endian header length, a Python-literal
/// header `{'descr': '<f8', 'fortran_order': False, 'shape': (…), }` padded to a multiple of 64 bytes, then the
/// values in row-major little-endian order), so `numpy.load` reads it.
public enum NumericArrayFile {
    /// The file formats.
    public enum Format: String, Sendable, CaseIterable {
        /// Comma-separated values, one row per line, with an optional header line.
        case csv
        /// NumPy's `.npy`, `float64` (`<f8`) or `int64` (`<i8`).
        case npy

        /// The format of a path by its extension (`.npy` → NPY, anything else → CSV).
        public init(path: String) { self = path.lowercased().hasSuffix(".npy") ? .npy : .csv }
    }

    /// Writes `rows` (all of one length) to `url`: a 1-D array when `columns` is nil (each row one value), else a
    /// 2-D array; `header` names the CSV columns (ignored for NPY).
    ///
    /// - Throws: ``FileWriteError`` naming the path when it cannot be written.
    public static func write(
        _ values: [Double], columns: Int? = nil, header: [String]? = nil, integers: Bool = false, to url: URL,
        format: Format? = nil
    ) throws(FileWriteError) {
        let width = columns ?? 1
        precondition(width > 0 && values.count % width == 0, "NumericArrayFile.write: ragged table")
        let data: Data
        switch format ?? Format(path: url.path) {
        case .csv: data = csv(values, columns: width, header: header, integers: integers)
        case .npy:
            let shape = columns.map { [values.count / $0, $0] } ?? [values.count]
            data = npy(values, shape: shape, integers: integers)
        }
        try AtomicFile.write(data, to: url)
    }

    /// The CSV text of a row-major table.
    public static func csv(_ values: [Double], columns: Int, header: [String]?, integers: Bool) -> Data {
        var text = header.map { $0.joined(separator: ",") + "\n" } ?? ""
        text.reserveCapacity(values.count * 12)
        for start in stride(from: 0, to: values.count, by: columns) {
            text += values[start..<start + columns].map { integers ? String(Int64($0)) : "\($0)" }
                .joined(separator: ",")
            text += "\n"
        }
        return Data(text.utf8)
    }

    /// The bytes of an NPY version 1.0 file holding `values` with `shape`.
    public static func npy(_ values: [Double], shape: [Int], integers: Bool) -> Data {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(integers ? "<i8" : "<f8")', 'fortran_order': False, 'shape': \(shapeText), }"
        // magic (6) + version (2) + length (2) + header + newline: a multiple of 64.
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        data.reserveCapacity(data.count + values.count * 8)
        for value in values {
            let bits = integers ? UInt64(bitPattern: Int64(value)) : value.bitPattern
            withUnsafeBytes(of: bits.littleEndian) { data.append(contentsOf: $0) }
        }
        return data
    }
}
