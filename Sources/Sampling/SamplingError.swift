/// Errors for user-supplied parameters and data in the Sampling module.
public enum SamplingError: Error, Equatable, CustomStringConvertible {
    /// A covariance matrix is not symmetric positive definite (Cholesky failed at `pivot`).
    case notPositiveDefinite(pivot: Int)
    /// A parameter is outside its domain.
    case invalidParameter(String)
    /// Data has the wrong shape or too few points.
    case invalidData(String)

    /// A readable message.
    public var description: String {
        switch self {
        case .notPositiveDefinite(let pivot): "matrix is not positive definite (pivot \(pivot))"
        case .invalidParameter(let message): "invalid parameter: \(message)"
        case .invalidData(let message): "invalid data: \(message)"
        }
    }
}
