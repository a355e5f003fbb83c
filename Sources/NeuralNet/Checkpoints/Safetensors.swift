import Foundation
import MontagueSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A safetensors file: named tensors plus string metadata, readable from Python with the `safetensors` package or
/// numpy.
///
/// Layout (https://github.com/huggingface/safetensors, "Format"):
///
/// ```
/// [8 bytes: N, little-endian UInt64][N bytes: UTF-8 JSON header][data: raw little-endian scalars]
/// header = {"__metadata__": {"key": "value", …},
///           "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, …}
/// ```
///
/// Offsets are relative to the first data byte; tensors are laid out contiguously, covering the data exactly.
/// The writer mirrors the reference implementation: compact JSON, `__metadata__` first (omitted when empty), tensors
/// in name order, the header padded with spaces to a multiple of 8 bytes. The reader validates every one of those
/// rules and reports a violation as a ``SafetensorsError``; it loads F32 tensors (other dtypes are recognised, listed
/// in ``entries``, and refused by ``tensor(named:)``).
public struct SafetensorsFile: Sendable {
    /// Where one tensor lives in the file, as its header entry says.
    public struct Entry: Equatable, Sendable {
        /// The element type, e.g. `"F32"`, `"F16"`, `"I64"`.
        public let dtype: String
        /// The extents of the tensor.
        public let shape: [Int]
        /// Byte range of its data, relative to the first byte after the header.
        public let dataOffsets: Range<Int>

        /// An entry with the given fields.
        public init(dtype: String, shape: [Int], dataOffsets: Range<Int>) {
            self.dtype = dtype
            self.shape = shape
            self.dataOffsets = dataOffsets
        }
    }

    /// The `__metadata__` map (empty when absent).
    public let metadata: [String: String]
    /// Every tensor's header entry, by name.
    public let entries: [String: Entry]
    private let bytes: Data
    private let dataStart: Int

    /// Element sizes of the dtypes of the safetensors spec.
    static let dtypeSizes: [String: Int] = [
        "BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1, "I16": 2, "U16": 2, "F16": 2, "BF16": 2,
        "I32": 4, "U32": 4, "F32": 4, "I64": 8, "U64": 8, "F64": 8,
    ]

    /// Reads and validates the file at `url` (memory-mapped when possible).
    public init(contentsOf url: URL) throws(SafetensorsError) {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw .io(path: url.path, message: "cannot read: \(error.localizedDescription)")
        }
        try self.init(bytes: data)
    }

    /// Parses and validates the bytes of a whole safetensors file.
    public init(bytes: Data) throws(SafetensorsError) {
        let bytes = bytes.startIndex == 0 ? bytes : Data(bytes)  // indices from 0 (a slice keeps its own)
        guard bytes.count >= 8 else { throw .fileTooShort(byteCount: bytes.count) }
        var length: UInt64 = 0
        for index in 0..<8 { length |= UInt64(bytes[index]) << (8 * UInt64(index)) }
        let available = bytes.count - 8
        guard length <= UInt64(available) else {
            throw .headerLengthExceedsFile(headerLength: length, availableBytes: available)
        }
        let headerEnd = 8 + Int(length)
        let header = try SafetensorsHeader.decode(bytes[8..<headerEnd])
        let dataByteCount = bytes.count - headerEnd

        // Validate the layout in data order, as the reference reader does.
        var entries: [String: Entry] = [:]
        let ordered = header.tensors.sorted {
            ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name)
        }
        var expectedBegin = 0
        var previousName = ""
        for raw in ordered {
            guard let size = Self.dtypeSizes[raw.dtype] else {
                throw .unsupportedDType(tensor: raw.name, dtype: raw.dtype)
            }
            guard raw.begin <= raw.end, raw.end <= dataByteCount else {
                throw .dataOffsetsOutOfRange(
                    tensor: raw.name, begin: raw.begin, end: raw.end,
                    dataByteCount: dataByteCount)
            }
            if raw.begin < expectedBegin {
                throw .overlappingData(
                    tensor: raw.name, begin: raw.begin, previousTensor: previousName,
                    previousEnd: expectedBegin)
            }
            if raw.begin > expectedBegin {
                throw .nonContiguousData(tensor: raw.name, begin: raw.begin, expectedBegin: expectedBegin)
            }
            var needed = size
            var overflow = false
            for extent in raw.shape where !overflow {
                (needed, overflow) = needed.multipliedReportingOverflow(by: extent)
            }
            guard !overflow, needed == raw.end - raw.begin else {
                throw .byteLengthMismatch(
                    tensor: raw.name, dtype: raw.dtype, shape: raw.shape,
                    expectedBytes: overflow ? Int.max : needed,
                    actualBytes: raw.end - raw.begin)
            }
            entries[raw.name] = Entry(dtype: raw.dtype, shape: raw.shape, dataOffsets: raw.begin..<raw.end)
            expectedBegin = raw.end
            previousName = raw.name
        }
        guard expectedBegin == dataByteCount else {
            throw .trailingData(coveredBytes: expectedBegin, dataByteCount: dataByteCount)
        }
        self.metadata = header.metadata
        self.entries = entries
        self.bytes = bytes
        self.dataStart = headerEnd
    }

    /// The tensor called `name` (`nil` when the file has none), decoded from little-endian F32.
    /// Throws ``SafetensorsError/unsupportedDType(tensor:dtype:)`` for any other dtype.
    public func tensor(named name: String) throws(SafetensorsError) -> Tensor? {
        guard let entry = entries[name] else { return nil }
        guard entry.dtype == "F32" else { throw .unsupportedDType(tensor: name, dtype: entry.dtype) }
        let count = entry.dataOffsets.count / 4
        let start = dataStart + entry.dataOffsets.lowerBound
        let scalars = bytes.withUnsafeBytes { raw in
            [Float](unsafeUninitializedCapacity: count) { out, initialized in
                for i in 0..<count {
                    let bits = raw.loadUnaligned(fromByteOffset: start + 4 * i, as: UInt32.self)
                    out[i] = Float(bitPattern: UInt32(littleEndian: bits))
                }
                initialized = count
            }
        }
        return Tensor(shape: entry.shape, scalars: scalars)
    }

    /// All tensors, decoded. Throws ``SafetensorsError/unsupportedDType(tensor:dtype:)`` if any is not F32.
    public func tensors() throws(SafetensorsError) -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for name in entries.keys.sorted() { result[name] = try tensor(named: name) }
        return result
    }

    /// Reads the file at `url`: its F32 tensors and its metadata.
    public static func read(from url: URL) throws(SafetensorsError) -> (
        tensors: [String: Tensor], metadata: [String: String]
    ) {
        let file = try SafetensorsFile(contentsOf: url)
        return (try file.tensors(), file.metadata)
    }

    // MARK: - Writing

    /// The header bytes (JSON padded with spaces to a multiple of 8) and the tensors in data order.
    static func header(tensors: [String: Tensor], metadata: [String: String]) -> (json: [UInt8], order: [String]) {
        precondition(tensors["__metadata__"] == nil, "SafetensorsFile: '__metadata__' is reserved, not a tensor name")
        let order = tensors.keys.sorted()
        var json = "{"
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { key in
                SafetensorsHeader.quoted(key) + ":" + SafetensorsHeader.quoted(metadata[key] ?? "")
            }
            fields.append("\"__metadata__\":{" + pairs.joined(separator: ",") + "}")
        }
        var offset = 0
        for name in order {
            guard let tensor = tensors[name] else { continue }
            let end = offset + 4 * tensor.count
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            fields.append(
                SafetensorsHeader.quoted(name)
                    + ":{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        json += fields.joined(separator: ",") + "}"
        var bytes = Array(json.utf8)
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - bytes.count % 8) % 8))
        return (bytes, order)
    }

    /// The complete file contents for `tensors` and `metadata`.
    public static func encode(tensors: [String: Tensor], metadata: [String: String] = [:]) -> Data {
        let (json, order) = header(tensors: tensors, metadata: metadata)
        var data = Data(capacity: 8 + json.count + 4 * tensors.values.reduce(0) { $0 + $1.count })
        data.append(contentsOf: lengthPrefix(json.count))
        data.append(contentsOf: json)
        for name in order {
            guard let tensor = tensors[name] else { continue }
            littleEndianBytes(of: tensor) { data.append(contentsOf: $0) }
        }
        return data
    }

    /// Writes `tensors` and `metadata` to `url` atomically (through `AtomicFile`: a temporary file in the same
    /// directory, fsync, rename over `url`, fsync of the directory). A reader sees the old file or the new one, never
    /// a partial file.
    public static func write(
        tensors: [String: Tensor], metadata: [String: String] = [:], to url: URL
    ) throws(SafetensorsError) {
        let (json, order) = header(tensors: tensors, metadata: metadata)
        do {
            try AtomicFile.write(to: url) { descriptor throws(FileWriteError) in
                try writeAll(descriptor, lengthPrefix(json.count), path: url.path)
                try writeAll(descriptor, json, path: url.path)
                for name in order {
                    guard let tensor = tensors[name] else { continue }
                    var failure: FileWriteError?
                    littleEndianBytes(of: tensor) { buffer in
                        do throws(FileWriteError) { try AtomicFile.writeAll(descriptor, buffer, path: url.path) } catch
                        {
                            failure = error
                        }
                    }
                    if let failure { throw failure }
                }
            }
        } catch {
            throw .io(path: error.path, message: error.reason)
        }
    }

    private static func lengthPrefix(_ length: Int) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: UInt64(length) >> (8 * UInt64($0))) }
    }

    /// Calls `body` with the tensor's scalars as little-endian bytes (no copy on little-endian machines).
    private static func littleEndianBytes(of tensor: Tensor, _ body: (UnsafeRawBufferPointer) -> Void) {
        #if _endian(little)
        tensor.scalars.withUnsafeBytes(body)
        #else
        let swapped = tensor.scalars.map { $0.bitPattern.littleEndian }
        swapped.withUnsafeBytes(body)
        #endif
    }

    private static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], path: String) throws(FileWriteError) {
        var failure: FileWriteError?
        bytes.withUnsafeBytes { buffer in
            do throws(FileWriteError) { try AtomicFile.writeAll(descriptor, buffer, path: path) } catch {
                failure = error
            }
        }
        if let failure { throw failure }
    }
}
