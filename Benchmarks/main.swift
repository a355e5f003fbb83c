// MontagueBenchmarks: `make bench` runs this in release once per thread count, with OPENBLAS_NUM_THREADS set.
//
//     MontagueBenchmarks [--threads N] [--filter TEXT] [--quick] [--clock wall|cpu] [--list] [--iterations N]
//
// Prints one JSON line per (case, implementation) on stdout, progress on stderr. bench/compare.py merges the
// output with bench/pytorch_reference.py's and prints the comparison table. Never run from unit tests.
import Autodiff
import CBLAS

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Command-line options of the benchmark runner.
struct BenchmarkOptions {
    var threads: Int?
    var filter: String?
    var quick = false
    var clock = BenchmarkHarness.Clock.wall
    var list = false
    /// Run the selected cases' Montague variants this many times, untimed (for profilers: callgrind, perf).
    var iterations: Int?
    /// Run the grammar N1 benchmark instead of the tensor cases.
    var grammar = false
    /// Run the corpus reading benchmark on this file instead of the tensor cases.
    var corpusPath: String?

    /// Parses `arguments` (without the program name); prints usage and exits 2 on anything unknown.
    init(arguments: [String]) {
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            switch argument {
            case "--threads":
                guard let value = remaining.popFirst().flatMap({ Int($0) }), value >= 1 else {
                    Self.usage("--threads needs a positive integer")
                }
                threads = value
            case "--filter":
                guard let value = remaining.popFirst() else { Self.usage("--filter needs a text") }
                filter = value
            case "--quick": quick = true
            case "--clock":
                guard let value = remaining.popFirst().flatMap(BenchmarkHarness.Clock.init(rawValue:)) else {
                    Self.usage("--clock needs 'wall' or 'cpu'")
                }
                clock = value
            case "--list": list = true
            case "--iterations":
                guard let value = remaining.popFirst().flatMap({ Int($0) }), value >= 1 else {
                    Self.usage("--iterations needs a positive integer")
                }
                iterations = value
            case "--grammar": grammar = true
            case "--corpus":
                guard let value = remaining.popFirst() else { Self.usage("--corpus needs a file") }
                corpusPath = value
            case "-h", "--help": Self.usage(nil)
            default: Self.usage("unknown argument '\(argument)'")
            }
        }
    }

    static func usage(_ problem: String?) -> Never {
        if let problem { printError("error: \(problem)") }
        printError(
            "usage: MontagueBenchmarks [--threads N] [--filter TEXT] [--quick] [--list]\n"
                + "  --threads N    OpenBLAS threads (default: OPENBLAS_NUM_THREADS, else OpenBLAS's choice)\n"
                + "  --filter TEXT  run only cases whose name contains TEXT\n"
                + "  --quick        fewer, shorter samples (development only)\n"
                + "  --clock C      time samples on 'wall' (default) or 'cpu' (process CPU time: robust to a loaded\n"
                + "                 machine; use with --threads 1)\n"
                + "  --list         print the case names and exit\n"
                + "  --iterations N run the selected cases' montague variants N times untimed (for a profiler)\n"
                + "  --grammar      the grammar N1 enumeration + check benchmark (Markdown table)\n"
                + "  --corpus FILE  the corpus reading benchmark on FILE (make it with bench/make_tei_corpus.py)")
        exit(problem == nil ? 0 : 2)
    }
}

/// Writes a line to standard error (Swift 6 forbids the C global `stderr`).
func printError(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

if CommandLine.arguments.dropFirst().first == "--distributed" { DistributedBenchmarks.run(CommandLine.arguments) }
let options = BenchmarkOptions(arguments: Array(CommandLine.arguments.dropFirst()))

// The environment variable is read when OpenBLAS loads; set it again explicitly so `--threads` also works alone.
if let threads = options.threads {
    openblas_set_num_threads(Int32(threads))
}
let threads = Int(openblas_get_num_threads())

/// Every benchmark, in the order of the table; data is built only for the cases selected.
let entries =
    MatmulBenchmarks.entries + TrainingBenchmarks.entries + SamplingBenchmarks.entries + GenerativeBenchmarks.entries
    + MetaLearningBenchmarks.entries + TransformerBenchmarks.entries
    + RLBenchmarks.entries + TextGenerationBenchmarks.entries
    + StyleTransferBenchmarks.entries + BatchNormBenchmarks.entries

if options.grammar {
    printGrammarBenchmark()
    exit(0)
}
if let corpusPath = options.corpusPath {
    do {
        try runCorpusBenchmarks(path: corpusPath)
    } catch {
        printError("error: \(error)")
        exit(2)
    }
    exit(0)
}

if options.list {
    for entry in entries { print(entry.name) }
    exit(0)
}

if let iterations = options.iterations {
    for entry in entries where options.filter.map(entry.name.contains) ?? true {
        guard let benchmarkCase = entry.make() else { continue }
        for variant in benchmarkCase.variants where variant.implementation == "montague" {
            printError("# \(iterations) untimed iteration(s) of \(entry.name)")
            for _ in 0..<iterations { variant.body() }
        }
    }
    exit(0)
}

var harness = options.quick ? BenchmarkHarness.quick : BenchmarkHarness()
harness.clock = options.clock
printError(
    "# MontagueBenchmarks: \(BLASRuntime.configuration), kernels \(BLASRuntime.coreName) "
        + "(\(BLASRuntime.forcedCoreType.map { "forced by OPENBLAS_CORETYPE=\($0)" } ?? "OpenBLAS's choice")), \(threads) thread(s), \(harness.clock) clock"
)
for entry in entries where options.filter.map(entry.name.contains) ?? true {
    guard let benchmarkCase = entry.make() else {
        printError("# not implemented yet (hook in Benchmarks/TrainingBenchmarks.swift): \(entry.name)")
        continue
    }
    printError("# measuring \(entry.name)")
    for result in harness.measure(benchmarkCase, threads: threads) {
        print(result.jsonLine)
    }
}
