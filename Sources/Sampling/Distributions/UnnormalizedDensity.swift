/// A user-defined target known only up to a constant: `log p̄(x)` with `p(x) = p̄(x)/Z`.
///
/// Rejection, importance and MCMC sampling never need `Z`: they work with
/// `p̄(x) = Z p(x)` (Robert & Casella 2004, ch. 2, 3 and 7).
public struct UnnormalizedDensity: Sendable {
    /// The dimension of `x`.
    public let dimension: Int
    /// `log p̄(x)`.
    public let logDensity: @Sendable ([Double]) -> Double

    /// A target over `ℝ^dimension` from its unnormalized log-density.
    public init(dimension: Int, logDensity: @escaping @Sendable ([Double]) -> Double) {
        precondition(dimension > 0, "UnnormalizedDensity: dimension \(dimension) must be positive")
        self.dimension = dimension
        self.logDensity = logDensity
    }

    /// A univariate target from `log p̄(x)`.
    public init(univariate logDensity: @escaping @Sendable (Double) -> Double) {
        self.dimension = 1
        self.logDensity = { logDensity($0[0]) }
    }

    /// `log p̄(x)` at a scalar point of a univariate target.
    public func callAsFunction(_ x: Double) -> Double { logDensity([x]) }
    /// `log p̄(x)`.
    public func callAsFunction(_ x: [Double]) -> Double { logDensity(x) }
}
