/// The draws of one Markov chain (after warm-up) and how the sampler behaved.
public struct MarkovChain: Sendable {
    /// The dimension of each draw.
    public let dimension: Int
    /// Draws row-major: draw `t`, coordinate `i` at `values[t * dimension + i]`.
    public let values: [Double]
    /// Accepted proposals / proposals after warm-up (1 for Gibbs).
    public let acceptanceRate: Double
    /// The proposal scale in use after warm-up adaptation (`nil` when not applicable).
    public let stepSize: Double?

    /// A chain from row-major draws.
    public init(dimension: Int, values: [Double], acceptanceRate: Double, stepSize: Double? = nil) {
        precondition(
            dimension > 0 && values.count % dimension == 0,
            "MarkovChain: \(values.count) values do not split into draws of dimension \(dimension)")
        self.dimension = dimension
        self.values = values
        self.acceptanceRate = acceptanceRate
        self.stepSize = stepSize
    }

    /// The number of draws.
    public var count: Int { values.count / dimension }

    /// The trace of coordinate `index`.
    public func coordinate(_ index: Int) -> [Double] {
        precondition(index >= 0 && index < dimension, "MarkovChain.coordinate: \(index) outside 0..<\(dimension)")
        return stride(from: index, to: values.count, by: dimension).map { values[$0] }
    }

    /// Drops the first `burnIn` draws and keeps every `thinning`-th of the rest.
    public func thinned(burnIn: Int = 0, every thinning: Int = 1) -> MarkovChain {
        precondition(burnIn >= 0 && thinning >= 1, "MarkovChain.thinned: burnIn \(burnIn), thinning \(thinning)")
        var kept: [Double] = []
        var draw = burnIn
        while draw < count {
            kept.append(contentsOf: values[(draw * dimension)..<((draw + 1) * dimension)])
            draw += thinning
        }
        return MarkovChain(dimension: dimension, values: kept, acceptanceRate: acceptanceRate, stepSize: stepSize)
    }
}
