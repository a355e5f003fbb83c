/// The memory operations of a Neural Turing Machine (Graves, Wayne & Danihelka 2014, §3), batched over
/// `memory [B, N, M]` (N slots of width M), with weights `[B, N]`.
///
/// Addressing (§3.3): content weights `w^c = softmax(β·cos(k, Mᵢ))`, interpolation `w^g = g·w^c + (1 − g)·w_{t−1}`,
/// circular shift `w̃ᵢ = Σⱼ w^g_j·s_{(i−j) mod N}` over the shifts `−S/2 … S/2`, sharpening `wᵢ = w̃ᵢ^γ / Σⱼ w̃ⱼ^γ`.
/// Reading (§3.1) `r = Σᵢ wᵢ Mᵢ`; writing (§3.2) erases then adds, `Mᵢ ← Mᵢ ⊙ (1 − wᵢ e) + wᵢ a`.
/// Every operation is differentiable; ``NeuralTuringMachineHead`` emits k, β, g, s, γ, e, a from a controller and
/// ``NeuralTuringMachine`` runs the whole machine over sequences.
public enum NeuralTuringMachineMemory {
    /// Content weights `[B, N]`: softmax over slots of `strength [B, 1]` times the cosine similarity of `key [B, M]`
    /// and each slot.
    public static func contentWeights(memory: Tensor, key: Tensor, strength: Tensor) -> Tensor {
        precondition(
            memory.rank == 3 && key.shape == [memory.shape[0], memory.shape[2]]
                && strength.shape == [memory.shape[0], 1],
            "NeuralTuringMachineMemory.contentWeights: memory \(memory.shape), key \(key.shape), strength "
                + "\(strength.shape) are not [B, N, M], [B, M], [B, 1]")
        let dot = Tensor.matmul(memory, key.unsqueezed(axis: 2)).squeezed(axis: 2)  // [B, N]
        let memoryNorms = ((memory * memory).sum(axis: 2) + 1e-8).sqrt()
        let keyNorm = ((key * key).sum(axis: 1, keepingDimensions: true) + 1e-8).sqrt()
        return (strength * dot / (memoryNorms * keyNorm)).softmax(axis: 1)
    }

    /// Location addressing: interpolation with `previous [B, N]` by `gate [B, 1]`, circular convolution with
    /// `shift [B, S]` (odd S, a distribution over shifts −S/2 … S/2), sharpening by `sharpening [B, 1]` (γ ≥ 1).
    public static func locationWeights(
        content: Tensor, previous: Tensor, gate: Tensor, shift: Tensor, sharpening: Tensor
    ) -> Tensor {
        let slots = content.shape[1]
        precondition(
            content.rank == 2 && previous.shape == content.shape && gate.shape == [content.shape[0], 1]
                && shift.rank == 2 && shift.shape[0] == content.shape[0] && shift.shape[1] % 2 == 1
                && shift.shape[1] <= slots && sharpening.shape == gate.shape,
            "NeuralTuringMachineMemory.locationWeights: content \(content.shape), previous \(previous.shape), gate "
                + "\(gate.shape), shift \(shift.shape), sharpening \(sharpening.shape)")
        let interpolated = gate * content + (1 - gate) * previous
        // The circular convolution as one product with the circulant matrix C[j, i] = s_{(i − j) mod N}: gathered
        // from the shift weights plus a zero column for offsets outside −S/2 … S/2 (fewer tape nodes than S rolls).
        let (batch, width) = (content.shape[0], shift.shape[1])
        let half = width / 2
        var columns = [Int](repeating: width, count: slots * slots)
        for j in 0..<slots {
            for i in 0..<slots {
                let offset = (i - j + slots) % slots
                if offset <= half {
                    columns[j * slots + i] = offset + half
                } else if offset >= slots - half {
                    columns[j * slots + i] = offset - slots + half
                }
            }
        }
        let circulant = Tensor.concatenate([shift, Tensor.zeros([batch, 1])], axis: 1)
            .gather(
                along: 1,
                indices: IndexTensor(
                    shape: [batch, slots * slots], indices: Array([[Int]](repeating: columns, count: batch).joined()))
            )
            .reshaped([batch, slots, slots])
        let shifted = Tensor.matmul(interpolated.unsqueezed(axis: 1), circulant).squeezed(axis: 1)
        let powered = (sharpening * (shifted + 1e-12).log()).exp()
        return powered / powered.sum(axis: 1, keepingDimensions: true)
    }

    /// The read vector `[B, M]`: `Σᵢ wᵢ Mᵢ`.
    public static func read(memory: Tensor, weights: Tensor) -> Tensor {
        Tensor.matmul(weights.unsqueezed(axis: 1), memory).squeezed(axis: 1)
    }

    /// The memory after erasing by `erase [B, M]` (in [0, 1]) and adding `add [B, M]` at `weights [B, N]`.
    public static func write(memory: Tensor, weights: Tensor, erase: Tensor, add: Tensor) -> Tensor {
        let w = weights.unsqueezed(axis: 2)  // [B, N, 1]
        return memory * (1 - w * erase.unsqueezed(axis: 1)) + w * add.unsqueezed(axis: 1)
    }
}
