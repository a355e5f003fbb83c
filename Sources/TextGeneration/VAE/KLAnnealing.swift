import Foundation

/// The weight β of the KL term of a text VAE's loss over training, `L = NLL + β(step)·KL`: annealing from 0 keeps
/// the decoder from ignoring the latent code early (posterior collapse).
public enum KLAnnealing: Codable, Equatable, Sendable {
    /// β fixed.
    case constant(Float)
    /// β rises linearly from 0 to 1 over the first `steps` steps.
    case linear(steps: Int)
    /// Bowman et al. 2016 ("Generating sentences from a continuous space", §3.1): the logistic
    /// `β = 1 / (1 + exp(−rate·(step − midpoint)))`.
    case sigmoid(rate: Double, midpoint: Int)
    /// Fu et al. 2019 ("Cyclical annealing schedule"): cycles of `period` steps; in each, β rises linearly from 0 to
    /// 1 over the first `rampFraction` of the cycle and stays at 1 for the rest.
    case cyclical(period: Int, rampFraction: Double)

    /// β at 0-based `step`.
    public func weight(atStep step: Int) -> Float {
        switch self {
        case .constant(let beta): return beta
        case .linear(let steps): return steps <= 0 ? 1 : Float(min(1, Double(step) / Double(steps)))
        case .sigmoid(let rate, let midpoint):
            return Float(1 / (1 + Foundation.exp(-rate * Double(step - midpoint))))
        case .cyclical(let period, let rampFraction):
            guard period > 0, rampFraction > 0 else { return 1 }
            let position = Double(step % period) / Double(period)
            return Float(min(1, position / rampFraction))
        }
    }

    /// Parses `constant:B`, `linear:STEPS`, `sigmoid:RATE,MIDPOINT` or `cyclical:PERIOD[,RAMP]` (ramp default 0.5).
    public init?(specification: String) {
        let parts = specification.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return nil }
        let values = parts[1].split(separator: ",").map(String.init)
        switch (parts[0], values.count) {
        case ("constant", 1):
            guard let beta = Float(values[0]), beta >= 0, beta.isFinite else { return nil }
            self = .constant(beta)
        case ("linear", 1):
            guard let steps = Int(values[0]), steps >= 0 else { return nil }
            self = .linear(steps: steps)
        case ("sigmoid", 2):
            guard let rate = Double(values[0]), rate > 0, rate.isFinite, let midpoint = Int(values[1]) else {
                return nil
            }
            self = .sigmoid(rate: rate, midpoint: midpoint)
        case ("cyclical", 1), ("cyclical", 2):
            guard let period = Int(values[0]), period > 0 else { return nil }
            let ramp = values.count == 2 ? Double(values[1]) : 0.5
            guard let ramp, ramp > 0, ramp <= 1 else { return nil }
            self = .cyclical(period: period, rampFraction: ramp)
        default: return nil
        }
    }
}
