/// Why a safetensors file could not be read or written. Every case names what was found, so the message alone
/// tells a user what is wrong with the file.
public enum SafetensorsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Fewer than the 8 bytes of the header length.
    case fileTooShort(byteCount: Int)
    /// The header length field promises more bytes than the file has after it.
    case headerLengthExceedsFile(headerLength: UInt64, availableBytes: Int)
    /// The header is not valid UTF-8 JSON of the expected structure.
    case invalidHeader(String)
    /// A tensor is stored with an element type this reader does not load (it loads F32).
    case unsupportedDType(tensor: String, dtype: String)
    /// A tensor's data offsets are reversed or point past the end of the data (a truncated file).
    case dataOffsetsOutOfRange(tensor: String, begin: Int, end: Int, dataByteCount: Int)
    /// A tensor's data starts inside the previous tensor's data.
    case overlappingData(tensor: String, begin: Int, previousTensor: String, previousEnd: Int)
    /// A gap of unused bytes before a tensor's data: the spec requires tensors laid out contiguously.
    case nonContiguousData(tensor: String, begin: Int, expectedBegin: Int)
    /// Bytes after the last tensor's data that no tensor covers.
    case trailingData(coveredBytes: Int, dataByteCount: Int)
    /// The byte length of a tensor's data disagrees with its shape and dtype.
    case byteLengthMismatch(tensor: String, dtype: String, shape: [Int], expectedBytes: Int, actualBytes: Int)
    /// The file could not be opened, written, synced or renamed.
    case io(path: String, message: String)

    /// A one-line explanation naming the values found.
    public var description: String {
        switch self {
        case .fileTooShort(let count):
            "safetensors file too short: \(count) byte\(count == 1 ? "" : "s"), need at least the 8-byte header length"
        case .headerLengthExceedsFile(let length, let available):
            "safetensors header length \(length) exceeds the \(available) bytes after the length field "
                + "(truncated file?)"
        case .invalidHeader(let reason):
            "invalid safetensors header: \(reason)"
        case .unsupportedDType(let tensor, let dtype):
            "tensor '\(tensor)' has dtype \(dtype); only F32 is supported"
        case .dataOffsetsOutOfRange(let tensor, let begin, let end, let count):
            begin > end
                ? "tensor '\(tensor)' has reversed data offsets [\(begin), \(end)]"
                : "tensor '\(tensor)' has data offsets [\(begin), \(end)] beyond the \(count) data bytes "
                    + "(truncated file?)"
        case .overlappingData(let tensor, let begin, let previous, let previousEnd):
            "tensor '\(tensor)' data starts at \(begin), inside tensor '\(previous)' which ends at \(previousEnd)"
        case .nonContiguousData(let tensor, let begin, let expected):
            "tensor '\(tensor)' data starts at \(begin), leaving a gap after byte \(expected) (tensors must be "
                + "contiguous)"
        case .trailingData(let covered, let count):
            "tensors cover \(covered) of the \(count) data bytes; the rest belongs to no tensor"
        case .byteLengthMismatch(let tensor, let dtype, let shape, let expected, let actual):
            "tensor '\(tensor)' of dtype \(dtype) and shape \(shape) needs \(expected) bytes, its data offsets "
                + "span \(actual)"
        case .io(let path, let message):
            "\(path): \(message)"
        }
    }
}
