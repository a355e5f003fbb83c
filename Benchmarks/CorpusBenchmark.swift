// Corpus reading benchmark: throughput (MB/s) and peak memory of the streaming XML reader on a large TEI file,
// to compare with `xmllint --stream --noout` and lxml's `iterparse` on the same file (bench/corpus_reference.sh).
// `MontagueBenchmarks --corpus FILE` runs it (`make bench-corpus`).
import Corpus
import Foundation

/// One measured way of reading the file.
struct CorpusBenchmarkResult {
    let name: String
    let megabytes: Double
    let seconds: Double
    /// Processor time (user + system) of the best run: stable on a loaded machine, unlike wall-clock time.
    let cpuSeconds: Double
    let units: Int
    let tokens: Int
    var megabytesPerSecond: Double { megabytes / seconds }
    var cpuMegabytesPerSecond: Double { megabytes / cpuSeconds }
}

/// Runs the corpus benchmarks on `path` (generate it with `python3 bench/make_tei_corpus.py PATH`), printing one
/// line per case (best of `repetitions` runs: by default 1, or `CORPUS_BENCH_REPETITIONS` from the environment)
/// and the process's peak resident memory; returns the results.
@discardableResult
func runCorpusBenchmarks(
    path: String,
    repetitions: Int = Int(ProcessInfo.processInfo.environment["CORPUS_BENCH_REPETITIONS"] ?? "") ?? 1
) throws -> [CorpusBenchmarkResult] {
    let size = Double((try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) / 1e6
    var results: [CorpusBenchmarkResult] = []

    // CORPUS_BENCH_CASES="TEI units,stream (reader only)" runs only the cases so named (for profiling).
    let selected = (ProcessInfo.processInfo.environment["CORPUS_BENCH_CASES"] ?? "").split(separator: ",")
    func measure(_ name: String, _ body: () throws -> (units: Int, tokens: Int)) rethrows {
        guard selected.isEmpty || selected.contains(where: { $0 == name }) else { return }
        var best = Double.infinity
        var bestCPU = Double.infinity
        var counts = (units: 0, tokens: 0)
        for _ in 0..<max(1, repetitions) {
            let start = DispatchTime.now().uptimeNanoseconds
            let startCPU = processorSeconds()
            counts = try body()
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            bestCPU = min(bestCPU, processorSeconds() - startCPU)
        }
        let result = CorpusBenchmarkResult(
            name: name, megabytes: size, seconds: best, cpuSeconds: bestCPU, units: counts.units,
            tokens: counts.tokens)
        results.append(result)
        print(
            String(
                format:
                    "corpus  %@ %8.1f MB %7.2f s %8.1f MB/s  cpu %6.2f s %8.1f MB/s %10d units %11d tokens  peak RSS %.1f MB",
                name.padding(toLength: 34, withPad: " ", startingAt: 0) as NSString, size, best,
                result.megabytesPerSecond, bestCPU, result.cpuMegabytesPerSecond,
                counts.units, counts.tokens, peakResidentMegabytes()))
    }

    // The streaming reader alone (libxml2's SAX2 push parser), like `xmllint --stream --noout`.
    try measure("stream (reader only)") {
        let reader = try XMLStreamReader(contentsOfFile: path)
        var nodes = 0
        while try reader.read() { nodes += 1 }
        return (nodes, 0)
    }
    // The TEI profile: units with text and metadata.
    try measure("TEI units") {
        let reader = try XMLCorpusReader(contentsOfFile: path)
        var units = 0
        try reader.forEachUnit { _, _ in units += 1 }
        return (units, 0)
    }
    // Units and their tokens as byte ranges (no string per token).
    let tokenizer = Tokenizer()
    try measure("TEI units + token ranges") {
        let reader = try XMLCorpusReader(contentsOfFile: path)
        var units = 0
        var tokens = 0
        try reader.forEachUnit { _, unit in
            units += 1
            var text = unit.text
            text.withUTF8 { bytes in tokenizer.forEachTokenRange(in: bytes) { _, _ in tokens += 1 } }
        }
        return (units, tokens)
    }
    // Units and their tokens as strings (what statistics and vocabularies use).
    try measure("TEI units + token strings") {
        let reader = try XMLCorpusReader(contentsOfFile: path)
        var units = 0
        var tokens = 0
        try reader.forEachUnit { _, unit in
            units += 1
            tokens += tokenizer.tokenize(unit.text).count
        }
        return (units, tokens)
    }
    // Owned units and their tokens as strings made once per distinct token (`InternedTokenStrings`).
    try measure("TEI units + interned token strings") {
        let reader = try XMLCorpusReader(contentsOfFile: path)
        var interned = InternedTokenStrings(tokenizer: tokenizer)
        var units = 0
        var tokens = 0
        try reader.forEachUnit { _, unit in
            units += 1
            tokens += interned.tokenize(unit.text).count
        }
        return (units, tokens)
    }
    // Borrowed units and their tokens as interned strings (the plain-text export's path).
    try measure("TEI borrowed units + interned token strings") {
        let reader = try XMLCorpusReader(contentsOfFile: path)
        var interned = InternedTokenStrings(tokenizer: tokenizer)
        var units = 0
        var tokens = 0
        try reader.forEachBorrowedUnit { _, unit in
            units += 1
            tokens += interned.tokens(in: unit.utf8Text).count
        }
        return (units, tokens)
    }
    // The fast path: units lent by the reader (text bytes borrowed, no String, TextUnit or event per unit).
    try measure("TEI borrowed units") {
        let reader = try XMLCorpusReader(contentsOfFile: path)
        var units = 0
        try reader.forEachBorrowedUnit { _, _ in units += 1 }
        return (units, 0)
    }
    // Borrowed units and their tokens as byte ranges.
    try measure("TEI borrowed units + token ranges") {
        let reader = try XMLCorpusReader(contentsOfFile: path)
        var units = 0
        var tokens = 0
        try reader.forEachBorrowedUnit { _, unit in
            units += 1
            tokenizer.forEachTokenRange(in: unit.utf8Text) { _, _ in tokens += 1 }
        }
        return (units, tokens)
    }
    // Borrowed units and their tokens as ids of a dictionary keyed by bytes (tokenize()'s tokens, no String per
    // token): what building a vocabulary or encoding a corpus needs.
    try measure("TEI borrowed units + token ids") {
        let reader = try XMLCorpusReader(contentsOfFile: path)
        var dictionary = TokenDictionary()
        var units = 0
        var tokens = 0
        try reader.forEachBorrowedUnit { _, unit in
            units += 1
            tokenizer.forEachTokenID(in: unit.utf8Text, interningInto: &dictionary) { _ in tokens += 1 }
        }
        return (units, tokens)
    }
    // What `montague corpus stats` computes: units, tokens, types (interned), characters, kinds, labels and the
    // length histogram, through the loader's borrowed-unit stream.
    try measure("TEI corpus statistics") {
        let statistics = try CorpusStatistics.compute(try CorpusLoader(paths: [path]), tokenizer: tokenizer)
        return (statistics.units, statistics.tokens)
    }
    return results
}

/// Processor time (user + system) this process has used so far, in seconds.
func processorSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

/// The peak resident set size of this process so far (VmHWM), in MB; 0 where /proc is missing.
func peakResidentMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kilobytes = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
        return kilobytes / 1024
    }
    return 0
}
