/// Returns and advantage estimators: the reusable core of policy-gradient methods (REINFORCE, PPO, A2C here;
/// sequence-level policy gradient in TextGeneration).
///
/// Arrays are indexed by time step of one stream of experience that may hold several episodes; `episodeEnded[t]`
/// cuts the sums after step `t`, and `terminated[t]` (a true terminal state, not a time limit) drops the
/// bootstrap value there.
public enum Returns {
    /// Discounted returns `G_t = r_t + γ·G_{t+1}`, restarting after every episode end, with `bootstrap` added
    /// (discounted) after the last step when the stream ends mid-episode:
    ///
    /// ```
    /// G_t = Σ_{t'=t}^{T} γ^{t'−t} r_{t'}      (reward-to-go of Williams 1992 with discount; γ = 1 gives it undiscounted)
    /// ```
    public static func discounted(
        _ rewards: [Double], discount: Double, episodeEnded: [Bool]? = nil, bootstrap: Double = 0
    ) -> [Double] {
        precondition(episodeEnded == nil || episodeEnded?.count == rewards.count, "Returns.discounted: lengths differ")
        var returns = [Double](repeating: 0, count: rewards.count)
        var running = bootstrap
        for t in stride(from: rewards.count - 1, through: 0, by: -1) {
            if episodeEnded?[t] == true { running = 0 }
            running = rewards[t] + discount * running
            returns[t] = running
        }
        return returns
    }

    /// Undiscounted reward-to-go `Σ_{t'≥t} r_{t'}` within each episode.
    public static func rewardToGo(_ rewards: [Double], episodeEnded: [Bool]? = nil) -> [Double] {
        discounted(rewards, discount: 1, episodeEnded: episodeEnded)
    }

    /// The whole-trajectory return `R(τ) = Σ_t r_t`, repeated at every step of its episode (REINFORCE without
    /// reward-to-go).
    public static func episodeTotals(_ rewards: [Double], episodeEnded: [Bool]) -> [Double] {
        precondition(episodeEnded.count == rewards.count, "Returns.episodeTotals: lengths differ")
        var totals = [Double](repeating: 0, count: rewards.count)
        var start = 0
        for t in rewards.indices where episodeEnded[t] || t == rewards.count - 1 {
            let total = rewards[start...t].reduce(0, +)
            for index in start...t { totals[index] = total }
            start = t + 1
        }
        return totals
    }

    /// Generalized advantage estimation (Schulman et al., "High-dimensional continuous control using generalized
    /// advantage estimation", ICLR 2016):
    ///
    /// ```
    /// δ_t = r_t + γ·V(s_{t+1})·(1 − terminated_t) − V(s_t)
    /// A_t = δ_t + γλ·(1 − episodeEnded_t)·A_{t+1}          returns_t = A_t + V(s_t)
    /// ```
    ///
    /// `nextValues[t]` is `V` of the state reached by step `t` (the final observation of an episode cut by a time
    /// limit, so truncated episodes bootstrap). λ = 1 gives Monte-Carlo advantages, λ = 0 one-step TD errors.
    public static func generalizedAdvantages(
        rewards: [Double], values: [Double], nextValues: [Double], terminated: [Bool], episodeEnded: [Bool],
        discount: Double, lambda: Double
    ) -> (advantages: [Double], returns: [Double]) {
        let count = rewards.count
        precondition(
            values.count == count && nextValues.count == count && terminated.count == count
                && episodeEnded.count == count,
            "Returns.generalizedAdvantages: rewards, values, nextValues, terminated, episodeEnded differ in length")
        var advantages = [Double](repeating: 0, count: count)
        var running = 0.0
        for t in stride(from: count - 1, through: 0, by: -1) {
            let bootstrap = terminated[t] ? 0 : nextValues[t]
            let delta = rewards[t] + discount * bootstrap - values[t]
            running = delta + discount * lambda * (episodeEnded[t] ? 0 : running)
            advantages[t] = running
        }
        return (advantages, zip(advantages, values).map(+))
    }

    /// Multi-step TD targets `y_t = Σ_{k<n} γ^k r_{t+k} + γ^n·V(s_{t+n})`, the sum stopping at an episode end
    /// (with no bootstrap after a terminal state; bootstrapping from `nextValues` of the last step otherwise).
    /// `nextValues[t]` is the value of the state reached by step `t`. One step (`n = 1`) is the TD target.
    public static func nStepTargets(
        rewards: [Double], nextValues: [Double], terminated: [Bool], episodeEnded: [Bool], steps n: Int,
        discount: Double
    ) -> [Double] {
        precondition(n >= 1, "Returns.nStepTargets: steps must be ≥ 1, got \(n)")
        let count = rewards.count
        return (0..<count).map { t in
            var target = 0.0
            var scale = 1.0
            var k = t
            while true {
                target += scale * rewards[k]
                scale *= discount
                if terminated[k] { return target }
                if episodeEnded[k] || k - t + 1 == n || k == count - 1 { return target + scale * nextValues[k] }
                k += 1
            }
        }
    }

    /// `(x − mean) / (std + 1e-8)`: the usual advantage normalization per batch.
    public static func normalized(_ values: [Double]) -> [Double] {
        guard values.count > 1 else { return values }
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
        let deviation = variance.squareRoot() + 1e-8
        return values.map { ($0 - mean) / deviation }
    }
}
