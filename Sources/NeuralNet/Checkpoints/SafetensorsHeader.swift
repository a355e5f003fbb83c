import Foundation
import MontagueSupport

/// The JSON header of a safetensors file: a strict JSON reader with byte positions in its messages, the checks of
/// the header's structure, and string quoting as serde_json (the reference writer) does it.
///
/// A small parser of our own rather than Foundation's: on Linux, `JSONDecoder` reports a fractional shape or a
/// syntax error alike as "The given data was not valid JSON" without a position, which tells a user nothing.
enum SafetensorsHeader {
    struct RawTensor {
        let name: String
        let dtype: String
        let shape: [Int]
        let begin: Int
        let end: Int
    }

    struct Decoded {
        var metadata: [String: String] = [:]
        var tensors: [RawTensor] = []
    }

    /// Decodes and checks the structure of the header bytes (JSON, possibly followed by padding spaces).
    static func decode(_ header: Data) throws(SafetensorsError) -> Decoded {
        let bytes = [UInt8](header)
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw .invalidHeader("the \(bytes.count)-byte header is not valid UTF-8")
        }
        var parser = JSONParser(bytes: bytes)
        let root: JSONValue
        do {
            root = try parser.parseDocument()
        } catch {
            throw .invalidHeader("not valid JSON: \(error.message)")
        }
        guard case .object(let members) = root else {
            throw .invalidHeader("expected a JSON object, found \(root.kind)")
        }
        var decoded = Decoded()
        for (name, value) in members {
            if name == "__metadata__" {
                guard case .object(let pairs) = value else {
                    throw .invalidHeader("'__metadata__' must be an object, found \(value.kind)")
                }
                for (key, item) in pairs {
                    guard case .string(let text) = item else {
                        throw .invalidHeader("'__metadata__' values must be strings; '\(key)' is \(item.kind)")
                    }
                    decoded.metadata[key] = text
                }
                continue
            }
            decoded.tensors.append(try tensor(named: name, value))
        }
        return decoded
    }

    private static func tensor(named name: String, _ value: JSONValue) throws(SafetensorsError) -> RawTensor {
        guard case .object(let fields) = value else {
            throw .invalidHeader("tensor '\(name)' must be an object, found \(value.kind)")
        }
        func field(_ key: String) throws(SafetensorsError) -> JSONValue {
            guard let found = fields.first(where: { $0.key == key }) else {
                throw .invalidHeader("tensor '\(name)' has no '\(key)'")
            }
            return found.value
        }
        func naturals(_ key: String) throws(SafetensorsError) -> [Int] {
            let value = try field(key)
            guard case .array(let items) = value else {
                throw .invalidHeader("tensor '\(name)': '\(key)' must be an array, found \(value.kind)")
            }
            var result: [Int] = []
            for item in items {
                guard case .number(let text) = item, let number = Int(text), number >= 0 else {
                    throw .invalidHeader(
                        "tensor '\(name)': '\(key)' must hold non-negative integers, found \(item.rendered)")
                }
                result.append(number)
            }
            return result
        }
        let dtypeValue = try field("dtype")
        guard case .string(let dtype) = dtypeValue else {
            throw .invalidHeader("tensor '\(name)': 'dtype' must be a string, found \(dtypeValue.kind)")
        }
        let shape = try naturals("shape")
        let offsets = try naturals("data_offsets")
        guard offsets.count == 2 else {
            throw .invalidHeader("tensor '\(name)': 'data_offsets' must hold 2 numbers, found \(offsets.count)")
        }
        return RawTensor(name: name, dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1])
    }

    /// A JSON string literal, escaped as serde_json (the reference writer) does (`Escaping.jsonString`).
    static func quoted(_ text: String) -> String { Escaping.jsonString(text) }
}

/// A parsed JSON value; numbers keep their text so integers are read exactly.
enum JSONValue {
    case object([(key: String, value: JSONValue)])
    case array([JSONValue])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    /// What kind of value this is, for messages.
    var kind: String {
        switch self {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number(let text): "the number \(text)"
        case .bool(let value): "\(value)"
        case .null: "null"
        }
    }

    /// A short rendering for messages.
    var rendered: String {
        switch self {
        case .string(let text): SafetensorsHeader.quoted(text)
        case .number(let text): text
        default: kind
        }
    }
}

/// A JSON syntax error at a byte position of the header.
struct JSONSyntaxError: Error {
    let message: String
}

/// A strict RFC 8259 parser over UTF-8 bytes (already validated), with a nesting limit.
struct JSONParser {
    let bytes: [UInt8]
    var position = 0
    static let maximumDepth = 64

    init(bytes: [UInt8]) { self.bytes = bytes }

    /// One value, then only whitespace (the spec's padding) to the end.
    mutating func parseDocument() throws(JSONSyntaxError) -> JSONValue {
        let value = try parseValue(depth: 0)
        skipWhitespace()
        guard position == bytes.count else { throw error("unexpected \(describeCurrent()) after the JSON value") }
        return value
    }

    private func error(_ message: String) -> JSONSyntaxError {
        JSONSyntaxError(message: "at header byte \(position): \(message)")
    }

    private func describeCurrent() -> String {
        guard position < bytes.count else { return "end of header" }
        let byte = bytes[position]
        let printable = byte >= 0x20 && byte < 0x7F
        return printable ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
    }

    private mutating func skipWhitespace() {
        while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(JSONSyntaxError) {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == byte else {
            throw error("expected \(what), found \(describeCurrent())")
        }
        position += 1
    }

    private mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth < Self.maximumDepth else { throw error("nesting deeper than \(Self.maximumDepth) levels") }
        skipWhitespace()
        guard position < bytes.count else { throw error("expected a value, found end of header") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try parseLiteral("true", .bool(true))
        case UInt8(ascii: "f"): return try parseLiteral("false", .bool(false))
        case UInt8(ascii: "n"): return try parseLiteral("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("expected a value, found \(describeCurrent())")
        }
    }

    private mutating func parseLiteral(_ word: String, _ value: JSONValue) throws(JSONSyntaxError) -> JSONValue {
        let expected = Array(word.utf8)
        guard bytes.count - position >= expected.count,
            Array(bytes[position..<(position + expected.count)]) == expected
        else { throw error("expected a value, found \(describeCurrent())") }
        position += expected.count
        return value
    }

    private mutating func parseObject(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        position += 1  // {
        var members: [(key: String, value: JSONValue)] = []
        var keys: Set<String> = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                throw error("expected a string key, found \(describeCurrent())")
            }
            let keyPosition = position
            let key = try parseString()
            guard keys.insert(key).inserted else {
                throw JSONSyntaxError(
                    message: "at header byte \(keyPosition): duplicate key \(SafetensorsHeader.quoted(key))")
            }
            try expect(UInt8(ascii: ":"), "':' after an object key")
            members.append((key: key, value: try parseValue(depth: depth + 1)))
            skipWhitespace()
            guard position < bytes.count else { throw error("expected ',' or '}', found end of header") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            try expect(UInt8(ascii: "}"), "',' or '}' in an object")
            return .object(members)
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        position += 1  // [
        var items: [JSONValue] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            return .array(items)
        }
        while true {
            items.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            guard position < bytes.count else { throw error("expected ',' or ']', found end of header") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            try expect(UInt8(ascii: "]"), "',' or ']' in an array")
            return .array(items)
        }
    }

    private mutating func parseNumber() throws(JSONSyntaxError) -> JSONValue {
        let start = position
        func digits() -> Int {
            let first = position
            while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
                position += 1
            }
            return position - first
        }
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        let integerStart = position
        guard digits() > 0 else { throw error("expected digits in a number") }
        if bytes[integerStart] == UInt8(ascii: "0") && position - integerStart > 1 {
            throw JSONSyntaxError(message: "at header byte \(integerStart): leading zero in a number")
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard digits() > 0 else { throw error("expected digits after '.' in a number") }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard digits() > 0 else { throw error("expected digits in a number's exponent") }
        }
        return .number(String(decoding: bytes[start..<position], as: UTF8.self))
    }

    private mutating func parseString() throws(JSONSyntaxError) -> String {
        position += 1  // opening quote
        var utf8: [UInt8] = []
        while true {
            guard position < bytes.count else { throw error("unterminated string") }
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return String(decoding: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                position += 1
                guard position < bytes.count else { throw error("unterminated escape in a string") }
                let escape = bytes[position]
                position += 1
                switch escape {
                case UInt8(ascii: "\""): utf8.append(0x22)
                case UInt8(ascii: "\\"): utf8.append(0x5C)
                case UInt8(ascii: "/"): utf8.append(0x2F)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try parseHex4()
                    if (0xD800..<0xDC00).contains(code) {
                        guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                            bytes[position + 1] == UInt8(ascii: "u")
                        else { throw error("unpaired surrogate in a \\u escape") }
                        position += 2
                        let low = try parseHex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate in a \\u escape") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw error("unpaired surrogate in a \\u escape") }
                    utf8.append(contentsOf: Array(String(Character(scalar)).utf8))
                default:
                    throw error("invalid escape '\\\(Character(Unicode.Scalar(escape)))' in a string")
                }
            case 0..<0x20:
                throw error("unescaped control character 0x\(String(byte, radix: 16)) in a string")
            default:
                utf8.append(byte)
                position += 1
            }
        }
    }

    private mutating func parseHex4() throws(JSONSyntaxError) -> UInt32 {
        guard bytes.count - position >= 4 else { throw error("expected 4 hex digits after \\u") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let digit = Character(Unicode.Scalar(bytes[position])).hexDigitValue else {
                throw error("expected 4 hex digits after \\u")
            }
            value = value * 16 + UInt32(digit)
            position += 1
        }
        return value
    }
}
