import ArgumentParser
import NeuralNet
import Sampling

// Option choices are the library's enums; argument-parser lists their cases in `--help` and rejects others with a
// message naming the flag and the valid values.

extension DistributionKind: ExpressibleByArgument {}
extension Seq2SeqCellKind: ExpressibleByArgument {}
extension Seq2SeqAttentionKind: ExpressibleByArgument {}
extension Seq2SeqAttentionStyle: ExpressibleByArgument {}
extension ScheduledSamplingChoice: ExpressibleByArgument {}
extension GaussianMixtureModel.CovarianceType: ExpressibleByArgument {}

extension ScheduledSampling: ExpressibleByArgument {
    /// `teacher-forcing`, `constant:EPS`, `linear:START,SLOPE,MIN`, `exponential:K[,MIN]`, `inverse-sigmoid:K`.
    public init?(argument: String) { self.init(parsing: argument) }
}

/// A comma-separated list of numbers, e.g. `--params -1,2.5` (negative values need no `=`: the option takes the
/// next argument unconditionally).
struct NumberList: ExpressibleByArgument, Equatable {
    /// The numbers in order.
    var values: [Double]

    init?(argument: String) {
        var values: [Double] = []
        for field in argument.split(separator: ",", omittingEmptySubsequences: false) {
            guard let value = Double(field.trimmingCharacters(in: .whitespaces)), value.isFinite else { return nil }
            values.append(value)
        }
        guard !values.isEmpty else { return nil }
        self.values = values
    }
}

/// Checks that `value` is positive; the error names only `flag`.
func requirePositive<T: Comparable & Numeric>(_ value: T, _ flag: String) throws {
    guard value > 0 else { throw ValidationError("\(flag) must be positive, got \(value)") }
}

/// Checks that `value` is not negative; the error names only `flag`.
func requireNonNegative<T: Comparable & Numeric>(_ value: T, _ flag: String) throws {
    guard value >= 0 else { throw ValidationError("\(flag) must not be negative, got \(value)") }
}
