import Autodiff
import Foundation

/// Gibbs sampling of the Ising model on a periodic `rows × columns` grid,
/// `p(s) ∝ exp(β Σ_{⟨ij⟩} sᵢsⱼ + h Σ sᵢ)` with `sᵢ ∈ {−1, +1}`: each sweep visits every site and draws it from
/// `p(sᵢ = +1 | rest) = σ(2(β Σ_{j∼i} sⱼ + h))` (Geman & Geman 1984).
public struct IsingGibbs: Sendable {
    /// Grid rows.
    public let rows: Int
    /// Grid columns.
    public let columns: Int
    /// Inverse temperature (coupling) `β`.
    public let coupling: Double
    /// External field `h`.
    public let field: Double

    /// An Ising model; grids need at least 2 rows and columns.
    public init(rows: Int, columns: Int, coupling: Double, field: Double = 0) {
        precondition(rows >= 2 && columns >= 2, "IsingGibbs: grid \(rows)×\(columns) must be at least 2×2")
        self.rows = rows
        self.columns = columns
        self.coupling = coupling
        self.field = field
    }

    /// The sum of the four periodic neighbours of site `(r, c)` (a 2-wide axis counts its one neighbour twice).
    func neighbourSum(_ spins: [Int8], _ r: Int, _ c: Int) -> Int {
        let up = spins[((r + rows - 1) % rows) * columns + c]
        let down = spins[((r + 1) % rows) * columns + c]
        let left = spins[r * columns + (c + columns - 1) % columns]
        let right = spins[r * columns + (c + 1) % columns]
        return Int(up) + Int(down) + Int(left) + Int(right)
    }

    /// `log p̄(s) = β Σ_{⟨ij⟩} sᵢsⱼ + h Σ sᵢ` (each edge once: right and down neighbours).
    public func logUnnormalizedProbability(_ spins: [Int8]) -> Double {
        precondition(spins.count == rows * columns, "IsingGibbs: \(spins.count) spins for \(rows)×\(columns)")
        var interaction = 0
        var magnetization = 0
        for r in 0..<rows {
            for c in 0..<columns {
                let s = Int(spins[r * columns + c])
                interaction += s * Int(spins[((r + 1) % rows) * columns + c])
                interaction += s * Int(spins[r * columns + (c + 1) % columns])
                magnetization += s
            }
        }
        return coupling * Double(interaction) + field * Double(magnetization)
    }

    /// Runs `burnIn + sweeps` systematic-scan sweeps from all spins up; returns the final grid and the per-sweep
    /// mean magnetization `(1/n) Σ sᵢ` after burn-in.
    public func run(sweeps: Int, burnIn: Int = 100, using generator: inout RandomGenerator)
        -> (spins: [Int8], magnetization: [Double])
    {
        var spins = [Int8](repeating: 1, count: rows * columns)
        var magnetization: [Double] = []
        magnetization.reserveCapacity(sweeps)
        for sweep in 0..<(burnIn + sweeps) {
            for r in 0..<rows {
                for c in 0..<columns {
                    let local = coupling * Double(neighbourSum(spins, r, c)) + field
                    let probabilityUp = 1 / (1 + exp(-2 * local))
                    spins[r * columns + c] = generator.nextUnitDouble() < probabilityUp ? 1 : -1
                }
            }
            if sweep >= burnIn {
                var total = 0
                for s in spins { total += Int(s) }
                magnetization.append(Double(total) / Double(spins.count))
            }
        }
        return (spins, magnetization)
    }
}
