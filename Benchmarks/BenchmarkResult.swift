/// One measured value, printed as one JSON line:
/// `{"case": ..., "impl": ..., "threads": 1, "metric": "GFLOP/s", "value": 98.7}`.
///
/// bench/pytorch_reference.py prints the same fields and bench/compare.py merges the two.
struct BenchmarkResult {
    let caseName: String
    let implementation: String
    let threads: Int
    let metric: BenchmarkMetric
    let value: Double

    /// The JSON line, keys in the documented order (no Foundation needed).
    var jsonLine: String {
        let rounded = (value * 1000).rounded() / 1000
        return "{\"case\": \(jsonString(caseName)), \"impl\": \(jsonString(implementation)), "
            + "\"threads\": \(threads), \"metric\": \(jsonString(metric.rawValue)), \"value\": \(rounded)}"
    }
}

/// A JSON string literal for `text` (quotes, backslashes and control characters escaped).
func jsonString(_ text: String) -> String {
    var escaped = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": escaped += "\\\""
        case "\\": escaped += "\\\\"
        case "\n": escaped += "\\n"
        case "\t": escaped += "\\t"
        case _ where scalar.value < 0x20:
            let hex = String(scalar.value, radix: 16)
            escaped += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: escaped.unicodeScalars.append(scalar)
        }
    }
    return escaped + "\""
}
