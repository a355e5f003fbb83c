import Foundation
import NeuralNet
import Testing

/// A fresh, empty directory under the system temporary directory.
func makeScratchDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("montague-training-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

@Suite("Safetensors files: layout, round trip, corrupt input")
struct SafetensorsTests {
    /// A file made of an explicit header text and data bytes (the length field is computed).
    func file(header: String, data: [UInt8]) -> Data {
        let json = Array(header.utf8)
        let length = (0..<8).map { UInt8(truncatingIfNeeded: json.count >> (8 * $0)) }
        return Data(length + json + data)
    }

    func expectError(
        _ expected: SafetensorsError, _ bytes: Data, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        do {
            let parsed = try SafetensorsFile(bytes: bytes)
            _ = try parsed.tensors()
            Issue.record("expected \(expected), the file was accepted", sourceLocation: sourceLocation)
        } catch {
            #expect(error == expected, "\(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func exactBytesOfATinyFile() {
        let bytes = SafetensorsFile.encode(
            tensors: ["w": Tensor([[1, -2]]), "b": Tensor([0.5])], metadata: ["format": "pt"])
        // 8-byte little-endian length 144 = 141 bytes of compact JSON (metadata first, tensors by name) + 3 spaces
        // of padding to a multiple of 8; then b = 0.5 (0x3F000000), w = 1 (0x3F800000), −2 (0xC0000000), all LE.
        // Identical to what the reference writer (Python `safetensors.numpy.save`) produces for the same input.
        let json =
            #"{"__metadata__":{"format":"pt"},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"#
            + #""w":{"dtype":"F32","shape":[1,2],"data_offsets":[4,12]}}"#
        let expected: [UInt8] =
            [0x90, 0, 0, 0, 0, 0, 0, 0] + Array(json.utf8) + [0x20, 0x20, 0x20]
            + [0x00, 0x00, 0x00, 0x3F] + [0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0]
        #expect(json.utf8.count == 141)
        #expect(Array(bytes) == expected)
    }

    @Test func scalarAndEmptyTensorsWithoutMetadata() throws {
        // Reference writer: {"a":{…"shape":[],"data_offsets":[0,4]},"z":{…"shape":[0],"data_offsets":[4,4]}}
        // padded with 6 spaces to 112 bytes, no "__metadata__" when there is none.
        let bytes = SafetensorsFile.encode(tensors: ["z": Tensor.zeros([0]), "a": Tensor(3)])
        let json =
            #"{"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"#
            + #""z":{"dtype":"F32","shape":[0],"data_offsets":[4,4]}}"#
        #expect(
            Array(bytes) == [112, 0, 0, 0, 0, 0, 0, 0] + Array(json.utf8) + Array(repeating: 0x20, count: 6)
                + [0x00, 0x00, 0x40, 0x40])
        let decoded = try SafetensorsFile(bytes: bytes)
        #expect(decoded.metadata.isEmpty)
        #expect(try decoded.tensors() == ["a": Tensor(3), "z": Tensor.zeros([0])])
    }

    @Test func metadataIsEscapedAsTheReferenceWriterDoes() throws {
        // safetensors.numpy.save({"x": [1.0]}, metadata={'q"\\\n\x01é/': "v"}) writes the key as
        // "q\"\\\n\u0001é/" (é raw UTF-8, slash unescaped).
        let key = "q\"\\\n\u{01}é/"
        let bytes = SafetensorsFile.encode(tensors: ["x": Tensor([1])], metadata: [key: "v"])
        let header = String(decoding: bytes[8..<(8 + 96)], as: UTF8.self)
        #expect(bytes[0] == 96)
        #expect(header.hasPrefix(#"{"__metadata__":{"q\"\\\n\u0001é/":"v"},"x":"#))
        #expect(try SafetensorsFile(bytes: bytes).metadata == [key: "v"])
    }

    @Test func roundTripThroughAFile() throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var generator = RandomGenerator(seed: 7)
        let tensors: [String: Tensor] = [
            "encoder.weight": Tensor.normal([3, 4], using: &generator),
            "encoder.bias": Tensor.normal([4], using: &generator),
            "scale": Tensor(-0.0),
            "cube": Tensor.normal([2, 1, 3], using: &generator),
            "special": Tensor([.infinity, -.infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude]),
        ]
        let metadata = ["epoch": "3", "note": "ünïcode \"quoted\"\n", "": "empty key"]
        let url = directory.appendingPathComponent("model.safetensors")
        try SafetensorsFile.write(tensors: tensors, metadata: metadata, to: url)
        let (read, readMetadata) = try SafetensorsFile.read(from: url)
        #expect(read == tensors)
        #expect(readMetadata == metadata)
        #expect(read["scale"]?.scalars[0].sign == .minus)
        // Overwriting replaces the file atomically and leaves no temporary file behind.
        try SafetensorsFile.write(tensors: ["only": Tensor([1, 2])], to: url)
        #expect(try SafetensorsFile.read(from: url).tensors == ["only": Tensor([1, 2])])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["model.safetensors"])
        // The file's bytes are the in-memory encoding.
        #expect(try Data(contentsOf: url) == SafetensorsFile.encode(tensors: ["only": Tensor([1, 2])]))
    }

    @Test func nanSurvivesTheRoundTrip() throws {
        let bytes = SafetensorsFile.encode(tensors: ["n": Tensor([.nan, 1])])
        let read = try #require(try SafetensorsFile(bytes: bytes).tensor(named: "n"))
        #expect(read.scalars[0].isNaN && read.scalars[1] == 1)
        #expect(try SafetensorsFile(bytes: bytes).tensor(named: "absent") == nil)
    }

    @Test func entriesDescribeTheLayout() throws {
        let bytes = SafetensorsFile.encode(tensors: ["a": Tensor([1, 2, 3]), "b": Tensor(1)])
        let parsed = try SafetensorsFile(bytes: bytes)
        #expect(parsed.entries["a"] == SafetensorsFile.Entry(dtype: "F32", shape: [3], dataOffsets: 0..<12))
        #expect(parsed.entries["b"]?.dataOffsets == 12..<16)
        // A slice of a larger buffer (its indices do not start at 0) reads the same.
        let slice = (Data([0xAA, 0xBB]) + bytes).dropFirst(2)
        #expect(slice.startIndex == 2)
        #expect(try SafetensorsFile(bytes: slice).tensors() == ["a": Tensor([1, 2, 3]), "b": Tensor(1)])
    }

    // MARK: - Corrupt files

    @Test func fileTooShort() {
        expectError(.fileTooShort(byteCount: 0), Data())
        expectError(.fileTooShort(byteCount: 5), Data([1, 0, 0, 0, 0]))
    }

    @Test func headerLengthLargerThanFile() {
        var bytes = Array(SafetensorsFile.encode(tensors: ["a": Tensor([1])]))
        bytes[0] = 0xFF
        bytes[3] = 0x01
        expectError(.headerLengthExceedsFile(headerLength: 0x0100_00FF, availableBytes: bytes.count - 8), Data(bytes))
        // Cut inside the header.
        let encoded = SafetensorsFile.encode(tensors: ["a": Tensor([1])])
        expectError(.headerLengthExceedsFile(headerLength: 56, availableBytes: 20), encoded.prefix(28))
    }

    @Test func truncatedData() {
        let encoded = SafetensorsFile.encode(tensors: ["a": Tensor([1, 2]), "b": Tensor([3, 4])])
        expectError(.dataOffsetsOutOfRange(tensor: "b", begin: 8, end: 16, dataByteCount: 13), encoded.dropLast(3))
    }

    @Test func invalidJSONIsReportedWithItsPosition() {
        let cases: [(header: String, message: String)] = [
            (
                #"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}"#,
                "at header byte 60: expected ',' or '}', found end of header"
            ),
            ("{not json}   ", "at header byte 1: expected a string key, found 'n'"),
            (#"{"a" 1}"#, "at header byte 5: expected ':' after an object key, found '1'"),
            (#"{"a":[01]}"#, "at header byte 6: leading zero in a number"),
            (#"{"a":"\x"}"#, "at header byte 8: invalid escape '\\x' in a string"),
            ("{\"a\":\"line\nbreak\"}", "at header byte 10: unescaped control character 0xa in a string"),
            (#"{"a":1,"a":2}"#, "at header byte 7: duplicate key \"a\""),
            (#"{"a":1} x"#, "at header byte 8: unexpected 'x' after the JSON value"),
            (String(repeating: "[", count: 70), "at header byte 64: nesting deeper than 64 levels"),
        ]
        for (header, message) in cases {
            expectError(.invalidHeader("not valid JSON: " + message), file(header: header, data: []))
        }
        expectError(.invalidHeader("expected a JSON object, found an array"), file(header: "[1, 2]  ", data: []))
        expectError(
            .invalidHeader("the 8-byte header is not valid UTF-8"),
            Data([8, 0, 0, 0, 0, 0, 0, 0, 0x7B, 0xFF, 0xFE, 0x7D, 0x20, 0x20, 0x20, 0x20]))
        #expect(String(describing: SafetensorsError.invalidHeader("x")) == "invalid safetensors header: x")
    }

    @Test func structurallyWrongHeaders() {
        let cases: [(header: String, message: String)] = [
            (#"{"a":{"dtype":"F32","shape":[1]}}"#, "tensor 'a' has no 'data_offsets'"),
            (
                #"{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#,
                "tensor 'a': 'shape' must hold non-negative integers, found 1.5"
            ),
            (
                #"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#,
                "tensor 'a': 'shape' must hold non-negative integers, found -1"
            ),
            (
                #"{"a":{"dtype":"F32","shape":[1e999],"data_offsets":[0,4]}}"#,
                "tensor 'a': 'shape' must hold non-negative integers, found 1e999"
            ),
            (
                #"{"a":{"dtype":"F32","shape":[true],"data_offsets":[0,4]}}"#,
                "tensor 'a': 'shape' must hold non-negative integers, found true"
            ),
            (
                #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}"#,
                "tensor 'a': 'data_offsets' must hold 2 numbers, found 3"
            ),
            (
                #"{"a":{"dtype":"F32","shape":[1],"data_offsets":"0-4"}}"#,
                "tensor 'a': 'data_offsets' must be an array, found a string"
            ),
            (
                #"{"a":{"dtype":32,"shape":[1],"data_offsets":[0,4]}}"#,
                "tensor 'a': 'dtype' must be a string, found the number 32"
            ),
            (#"{"a":[0,4]}"#, "tensor 'a' must be an object, found an array"),
            (#"{"__metadata__":{"k":1}}"#, "'__metadata__' values must be strings; 'k' is the number 1"),
            (#"{"__metadata__":null}"#, "'__metadata__' must be an object, found null"),
        ]
        for (header, message) in cases {
            expectError(.invalidHeader(message), file(header: header, data: [0, 0, 0, 0]))
        }
    }

    @Test func unsupportedDTypes() throws {
        // A known dtype other than F32 parses (its entry is listed) but does not load.
        let halfFile = file(
            header: #"{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}"#,
            data: [0, 0x3C, 0, 0x3C])
        let parsed = try SafetensorsFile(bytes: halfFile)
        #expect(parsed.entries["h"]?.dtype == "F16")
        expectError(.unsupportedDType(tensor: "h", dtype: "F16"), halfFile)
        #expect(
            String(describing: SafetensorsError.unsupportedDType(tensor: "h", dtype: "F16"))
                == "tensor 'h' has dtype F16; only F32 is supported")
        // An unknown dtype cannot even be validated.
        expectError(
            .unsupportedDType(tensor: "q", dtype: "Q4"),
            file(header: #"{"q":{"dtype":"Q4","shape":[2],"data_offsets":[0,1]}}"#, data: [0]))
    }

    @Test func badOffsets() {
        let data = [UInt8](repeating: 0, count: 16)
        expectError(
            .overlappingData(tensor: "b", begin: 4, previousTensor: "a", previousEnd: 8),
            file(
                header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"#
                    + #""b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, data: data))
        expectError(
            .nonContiguousData(tensor: "b", begin: 12, expectedBegin: 8),
            file(
                header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"#
                    + #""b":{"dtype":"F32","shape":[1],"data_offsets":[12,16]}}"#, data: data))
        expectError(
            .nonContiguousData(tensor: "a", begin: 4, expectedBegin: 0),
            file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: Array(data[0..<8])))
        expectError(
            .dataOffsetsOutOfRange(tensor: "a", begin: 8, end: 4, dataByteCount: 16),
            file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}}"#, data: data))
        expectError(
            .trailingData(coveredBytes: 8, dataByteCount: 16),
            file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: data))
    }

    @Test func byteLengthDisagreesWithShape() {
        expectError(
            .byteLengthMismatch(tensor: "a", dtype: "F32", shape: [2, 3], expectedBytes: 24, actualBytes: 16),
            file(
                header: #"{"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,16]}}"#,
                data: [UInt8](repeating: 0, count: 16)))
        expectError(
            .byteLengthMismatch(
                tensor: "a", dtype: "F32", shape: [Int.max, 4], expectedBytes: .max,
                actualBytes: 4),
            file(
                header: #"{"a":{"dtype":"F32","shape":[9223372036854775807,4],"data_offsets":[0,4]}}"#,
                data: [0, 0, 0, 0]))
    }

    @Test func missingFileAndUnwritableDirectory() {
        let nowhere = URL(fileURLWithPath: "/nonexistent-montague-dir/model.safetensors")
        #expect(throws: SafetensorsError.self) { try SafetensorsFile(contentsOf: nowhere) }
        do {
            try SafetensorsFile.write(tensors: ["a": Tensor([1])], to: nowhere)
            Issue.record("wrote into a missing directory")
        } catch {
            guard case .io(let path, let message) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(path.hasPrefix("/nonexistent-montague-dir/"))
            #expect(message.contains("cannot create"))
        }
    }
}
