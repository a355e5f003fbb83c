/// The C51 projection (Bellemare, Dabney & Munos 2017, Algorithm 1): the distribution of `r + γ·Z` with `Z` on the
/// support `z_0 < … < z_{K−1}` is projected back onto the support by splitting each shifted atom's mass between its
/// two neighbours in proportion to proximity; values outside `[z_0, z_{K−1}]` are clamped. Mass is preserved.
///
/// `probabilities` are `[N · K]` row-major; `discounts[n]` is `γ^k·(1 − terminated)`.
public func projectCategoricalDistribution(
    probabilities: [Float], rewards: [Double], discounts: [Double], support: [Float]
) -> [Float] {
    let atoms = support.count
    let rows = rewards.count
    precondition(
        probabilities.count == rows * atoms && discounts.count == rows,
        "projectCategoricalDistribution: \(probabilities.count) probabilities for \(rows) rows of \(atoms) atoms")
    guard atoms > 1 else { return probabilities }
    let low = Double(support[0])
    let high = Double(support[atoms - 1])
    let spacing = (high - low) / Double(atoms - 1)
    var projected = [Float](repeating: 0, count: rows * atoms)
    for row in 0..<rows {
        for atom in 0..<atoms {
            let mass = probabilities[row * atoms + atom]
            guard mass != 0 else { continue }
            let shifted = min(max(rewards[row] + discounts[row] * Double(support[atom]), low), high)
            let position = (shifted - low) / spacing
            let lower = Int(position.rounded(.down))
            let upper = Int(position.rounded(.up))
            if lower == upper {
                projected[row * atoms + lower] += mass
            } else {
                projected[row * atoms + lower] += mass * Float(Double(upper) - position)
                projected[row * atoms + upper] += mass * Float(position - Double(lower))
            }
        }
    }
    return projected
}
