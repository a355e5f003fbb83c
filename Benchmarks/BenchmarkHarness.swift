#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Repeated timing with warm-up; reports the median rate over several samples.
///
/// Each variant is first warmed up (caches, OpenBLAS thread pool, allocator), then calibrated so one sample lasts
/// at least `minimumSampleSeconds`; samples of all variants of a case are taken round-robin and the median
/// rate is reported (robust to a sample disturbed by another process).
struct BenchmarkHarness {
    /// What a sample's duration is read from.
    enum Clock: String {
        /// Elapsed real time (the default; what a user waits for, on an idle machine).
        case wall
        /// CPU time of the whole process, every thread (`CLOCK_PROCESS_CPUTIME_ID`): what the work costs, nearly
        /// independent of other processes competing for the cores; pair it with one thread on every side.
        case cpu

        /// Seconds `body` took on this clock.
        func seconds(_ body: () -> Void) -> Double {
            switch self {
            case .wall: return ContinuousClock().measure(body).seconds
            case .cpu:
                let start = processCPUSeconds()
                body()
                return processCPUSeconds() - start
            }
        }
    }

    /// The clock samples are timed on.
    var clock: Clock = .wall
    /// Seconds spent running each variant before measuring.
    var warmUpSeconds: Double = 0.5
    /// Minimum duration of one sample.
    var minimumSampleSeconds: Double = 0.25
    /// Samples per variant; the median is reported.
    var samples: Int = 7

    /// A faster, noisier setting for development (`--quick`).
    static let quick = BenchmarkHarness(warmUpSeconds: 0.1, minimumSampleSeconds: 0.05, samples: 3)

    /// Measures every variant of `benchmarkCase` and returns one result per variant.
    func measure(_ benchmarkCase: BenchmarkCase, threads: Int) -> [BenchmarkResult] {
        var iterationsPerSample: [Int] = []
        for variant in benchmarkCase.variants {
            // Warm up for a while (at least two calls), timing the calls to calibrate the sample length.
            var calls = 0
            var elapsed = 0.0
            while calls < 2 || elapsed < warmUpSeconds {
                elapsed += clock.seconds(variant.body)
                calls += 1
            }
            let perCall = max(elapsed / Double(calls), 1e-9)
            iterationsPerSample.append(max(1, Int((minimumSampleSeconds / perCall).rounded(.up))))
        }

        var rates = Array(repeating: [Double](), count: benchmarkCase.variants.count)
        for _ in 0..<samples {
            for (index, variant) in benchmarkCase.variants.enumerated() {
                let iterations = iterationsPerSample[index]
                let seconds = clock.seconds {
                    for _ in 0..<iterations { variant.body() }
                }
                rates[index].append(variant.unitsPerIteration * Double(iterations) / seconds)
            }
        }

        return zip(benchmarkCase.variants, rates).map { variant, variantRates in
            BenchmarkResult(
                caseName: benchmarkCase.name, implementation: variant.implementation, threads: threads,
                metric: benchmarkCase.metric, value: median(variantRates) / benchmarkCase.metric.scale)
        }
    }
}

/// The median of a non-empty list (mean of the two middle values for an even count).
func median(_ values: [Double]) -> Double {
    precondition(!values.isEmpty, "median: no values")
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

extension Duration {
    /// The duration in seconds as a floating-point number.
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) * 1e-18
    }
}

/// CPU seconds used so far by every thread of this process.
func processCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}
