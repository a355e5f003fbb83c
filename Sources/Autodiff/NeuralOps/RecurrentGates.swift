/// Fused gate arithmetic of the LSTM and GRU cells: one raw pass over `[B, H]` instead of a dozen elementwise ops
/// and slices per time step (§5.2 of the design notes, "Recurrent Neural Network"; gate layout as PyTorch's
/// `torch.nn.LSTMCell` / `torch.nn.GRUCell`).
///
/// Each op's backward rule has two implementations of one formula, as ``Tensor/elementwiseBackward(_:_:fused:differentiable:)``:
/// in ordinary first-order `gradients(of:wrt:)` (nothing recorded) one raw pass computes every input gradient; when
/// recording (`createGraph: true`) the same gradients are built from differentiable ops (`split`, `sigmoid`, `tanh`,
/// `*`, `concatenate`), so second and higher derivatives follow. The forward pass uses the scalar forms of the
/// vectorized `sigmoid` / `tanh` kernels, which agree with ``Tensor/sigmoid()`` and ``Tensor/tanh()`` to their
/// accuracy (2e-7 relative) for finite inputs.
extension Tensor {
    /// The LSTM memory update `c' = σ(f) ⊙ c + σ(i) ⊙ tanh(g)` from the gate pre-activations `gates [B, 4H]` (PyTorch's
    /// order i, f, g, o; the o block is not read) and the memory `cell [B, H]` (Hochreiter & Schmidhuber 1997).
    ///
    /// Backward: `∂c = G ⊙ σ(f)`; `∂gates = [G ⊙ tanh(g) ⊙ σ′(i), G ⊙ c ⊙ σ′(f), G ⊙ σ(i) ⊙ tanh′(g), 0]`.
    public static func lstmCellUpdate(gates: Tensor, cell: Tensor) -> Tensor {
        let (batch, hidden) = recurrentGateShapes(gates, gateCount: 4, cell, op: "lstmCellUpdate")
        let scalars = [Float](unsafeUninitializedCapacity: batch * hidden) { out, initialized in
            gates.scalars.withUnsafeBufferPointer { a in
                cell.scalars.withUnsafeBufferPointer { c in
                    for b in 0..<batch {
                        let row = b * 4 * hidden
                        let base = b * hidden
                        for j in 0..<hidden {
                            let i = Kernels.sigmoidInRange(a[row + j])
                            let f = Kernels.sigmoidInRange(a[row + hidden + j])
                            let g = Kernels.tanhPolynomial(a[row + 2 * hidden + j])
                            out[base + j] = f * c[base + j] + i * g
                        }
                    }
                }
            }
            initialized = batch * hidden
        }
        return recorded("lstmCellUpdate", shape: cell.shape, scalars: scalars, inputs: [gates, cell]) { g, inputs, _ in
            lstmCellUpdateBackward(g, gates: inputs[0], cell: inputs[1])
        }
    }

    /// The LSTM output `h' = σ(o) ⊙ tanh(c')` from the gate pre-activations `gates [B, 4H]` (only the o block is read)
    /// and the updated memory `cell [B, H]`.
    ///
    /// Backward: `∂c' = G ⊙ σ(o) ⊙ tanh′(c')`; `∂gates = [0, 0, 0, G ⊙ tanh(c') ⊙ σ′(o)]`.
    public static func lstmHiddenOutput(gates: Tensor, cell: Tensor) -> Tensor {
        let (batch, hidden) = recurrentGateShapes(gates, gateCount: 4, cell, op: "lstmHiddenOutput")
        let scalars = [Float](unsafeUninitializedCapacity: batch * hidden) { out, initialized in
            gates.scalars.withUnsafeBufferPointer { a in
                cell.scalars.withUnsafeBufferPointer { c in
                    for b in 0..<batch {
                        let row = b * 4 * hidden + 3 * hidden
                        let base = b * hidden
                        for j in 0..<hidden {
                            out[base + j] = Kernels.sigmoidInRange(a[row + j]) * Kernels.tanhPolynomial(c[base + j])
                        }
                    }
                }
            }
            initialized = batch * hidden
        }
        return recorded("lstmHiddenOutput", shape: cell.shape, scalars: scalars, inputs: [gates, cell]) {
            g, inputs, _ in
            lstmHiddenOutputBackward(g, gates: inputs[0], cell: inputs[1])
        }
    }

    /// The GRU update (Cho et al. 2014, PyTorch's `GRUCell`) from the input projection `inputGates [B, 3H]`
    /// (`x·W_ihᵀ + b_ih`), the hidden projection `hiddenGates [B, 3H]` (`h·W_hhᵀ + b_hh`), both in the order r, z, n,
    /// and the state `state [B, H]`:
    ///
    /// ```
    /// r = σ(xᵣ + hᵣ),  z = σ(x_z + h_z),  n = tanh(xₙ + r ⊙ hₙ),  h' = (1 − z) ⊙ n + z ⊙ h
    /// ```
    /// Backward, with `∂n̂ = G ⊙ (1 − z) ⊙ tanh′`, `∂ẑ = G ⊙ (h − n) ⊙ σ′(z)`, `∂r̂ = ∂n̂ ⊙ hₙ ⊙ σ′(r)`:
    /// `∂inputGates = [∂r̂, ∂ẑ, ∂n̂]`, `∂hiddenGates = [∂r̂, ∂ẑ, ∂n̂ ⊙ r]`, `∂state = G ⊙ z`.
    public static func gruCellUpdate(inputGates: Tensor, hiddenGates: Tensor, state: Tensor) -> Tensor {
        let (batch, hidden) = recurrentGateShapes(inputGates, gateCount: 3, state, op: "gruCellUpdate")
        precondition(
            hiddenGates.shape == inputGates.shape,
            "gruCellUpdate: hiddenGates \(hiddenGates.shape) differ from inputGates \(inputGates.shape)")
        let scalars = [Float](unsafeUninitializedCapacity: batch * hidden) { out, initialized in
            inputGates.scalars.withUnsafeBufferPointer { x in
                hiddenGates.scalars.withUnsafeBufferPointer { h in
                    state.scalars.withUnsafeBufferPointer { s in
                        for b in 0..<batch {
                            let row = b * 3 * hidden
                            let base = b * hidden
                            for j in 0..<hidden {
                                let r = Kernels.sigmoidInRange(x[row + j] + h[row + j])
                                let z = Kernels.sigmoidInRange(x[row + hidden + j] + h[row + hidden + j])
                                let n = Kernels.tanhPolynomial(x[row + 2 * hidden + j] + r * h[row + 2 * hidden + j])
                                out[base + j] = n + z * (s[base + j] - n)
                            }
                        }
                    }
                }
            }
            initialized = batch * hidden
        }
        return recorded(
            "gruCellUpdate", shape: state.shape, scalars: scalars, inputs: [inputGates, hiddenGates, state]
        ) { g, inputs, _ in
            gruCellUpdateBackward(g, inputGates: inputs[0], hiddenGates: inputs[1], state: inputs[2])
        }
    }

    /// `(B, H)` after checking `gates [B, gateCount·H]` against `cell [B, H]`.
    private static func recurrentGateShapes(_ gates: Tensor, gateCount: Int, _ cell: Tensor, op: String) -> (Int, Int) {
        precondition(
            cell.rank == 2 && gates.rank == 2 && gates.shape[0] == cell.shape[0]
                && gates.shape[1] == gateCount * cell.shape[1],
            "\(op): gates \(gates.shape) and state \(cell.shape) are not [B, \(gateCount)·H] and [B, H]")
        return (cell.shape[0], cell.shape[1])
    }

    /// Whether a backward rule must build its result from differentiable ops (create-graph mode with a tracked
    /// operand) rather than one raw pass.
    private static func recordsBackward(_ operands: Tensor...) -> Bool {
        GradientMode.isRecording && operands.contains { $0.requiresGradient }
    }

    private static func lstmCellUpdateBackward(_ g: Tensor, gates: Tensor, cell: Tensor) -> [Tensor?] {
        if recordsBackward(g, gates, cell) {
            let parts = gates.split(count: 4, axis: 1)
            let (i, f, candidate) = (parts[0].sigmoid(), parts[1].sigmoid(), parts[2].tanh())
            let gatesGradient = Tensor.concatenate(
                [
                    g * candidate * i * (1 - i), g * cell * f * (1 - f), g * i * (1 - candidate * candidate),
                    Tensor.zeros(cell.shape),
                ], axis: 1)
            return [gates.requiresGradient ? gatesGradient : nil, cell.requiresGradient ? g * f : nil]
        }
        let (batch, hidden) = (cell.shape[0], cell.shape[1])
        var gatesGradient = [Float](repeating: 0, count: gates.scalars.count)
        var cellGradient = [Float](repeating: 0, count: cell.scalars.count)
        g.scalars.withUnsafeBufferPointer { gp in
            gates.scalars.withUnsafeBufferPointer { a in
                cell.scalars.withUnsafeBufferPointer { c in
                    gatesGradient.withUnsafeMutableBufferPointer { da in
                        cellGradient.withUnsafeMutableBufferPointer { dc in
                            for b in 0..<batch {
                                let row = b * 4 * hidden
                                let base = b * hidden
                                for j in 0..<hidden {
                                    let i = Kernels.sigmoidInRange(a[row + j])
                                    let f = Kernels.sigmoidInRange(a[row + hidden + j])
                                    let candidate = Kernels.tanhPolynomial(a[row + 2 * hidden + j])
                                    let gradient = gp[base + j]
                                    da[row + j] = gradient * candidate * i * (1 - i)
                                    da[row + hidden + j] = gradient * c[base + j] * f * (1 - f)
                                    da[row + 2 * hidden + j] = gradient * i * (1 - candidate * candidate)
                                    dc[base + j] = gradient * f
                                }
                            }
                        }
                    }
                }
            }
        }
        return [
            gates.requiresGradient ? Tensor(shape: gates.shape, scalars: gatesGradient) : nil,
            cell.requiresGradient ? Tensor(shape: cell.shape, scalars: cellGradient) : nil,
        ]
    }

    private static func lstmHiddenOutputBackward(_ g: Tensor, gates: Tensor, cell: Tensor) -> [Tensor?] {
        if recordsBackward(g, gates, cell) {
            let output = gates.split(count: 4, axis: 1)[3].sigmoid()
            let squashed = cell.tanh()
            let zeros = Tensor.zeros(cell.shape)
            let gatesGradient = Tensor.concatenate(
                [zeros, zeros, zeros, g * squashed * output * (1 - output)], axis: 1)
            return [
                gates.requiresGradient ? gatesGradient : nil,
                cell.requiresGradient ? g * output * (1 - squashed * squashed) : nil,
            ]
        }
        let (batch, hidden) = (cell.shape[0], cell.shape[1])
        var gatesGradient = [Float](repeating: 0, count: gates.scalars.count)
        var cellGradient = [Float](repeating: 0, count: cell.scalars.count)
        g.scalars.withUnsafeBufferPointer { gp in
            gates.scalars.withUnsafeBufferPointer { a in
                cell.scalars.withUnsafeBufferPointer { c in
                    gatesGradient.withUnsafeMutableBufferPointer { da in
                        cellGradient.withUnsafeMutableBufferPointer { dc in
                            for b in 0..<batch {
                                let row = b * 4 * hidden + 3 * hidden
                                let base = b * hidden
                                for j in 0..<hidden {
                                    let output = Kernels.sigmoidInRange(a[row + j])
                                    let squashed = Kernels.tanhPolynomial(c[base + j])
                                    let gradient = gp[base + j]
                                    da[row + j] = gradient * squashed * output * (1 - output)
                                    dc[base + j] = gradient * output * (1 - squashed * squashed)
                                }
                            }
                        }
                    }
                }
            }
        }
        return [
            gates.requiresGradient ? Tensor(shape: gates.shape, scalars: gatesGradient) : nil,
            cell.requiresGradient ? Tensor(shape: cell.shape, scalars: cellGradient) : nil,
        ]
    }

    private static func gruCellUpdateBackward(
        _ g: Tensor, inputGates: Tensor, hiddenGates: Tensor, state: Tensor
    ) -> [Tensor?] {
        if recordsBackward(g, inputGates, hiddenGates, state) {
            let x = inputGates.split(count: 3, axis: 1)
            let h = hiddenGates.split(count: 3, axis: 1)
            let reset = (x[0] + h[0]).sigmoid()
            let update = (x[1] + h[1]).sigmoid()
            let candidate = (x[2] + reset * h[2]).tanh()
            let candidateGradient = g * (1 - update) * (1 - candidate * candidate)
            let updateGradient = g * (state - candidate) * update * (1 - update)
            let resetGradient = candidateGradient * h[2] * reset * (1 - reset)
            return [
                inputGates.requiresGradient
                    ? Tensor.concatenate([resetGradient, updateGradient, candidateGradient], axis: 1) : nil,
                hiddenGates.requiresGradient
                    ? Tensor.concatenate([resetGradient, updateGradient, candidateGradient * reset], axis: 1) : nil,
                state.requiresGradient ? g * update : nil,
            ]
        }
        let (batch, hidden) = (state.shape[0], state.shape[1])
        var inputGradient = [Float](repeating: 0, count: inputGates.scalars.count)
        var hiddenGradient = [Float](repeating: 0, count: hiddenGates.scalars.count)
        var stateGradient = [Float](repeating: 0, count: state.scalars.count)
        g.scalars.withUnsafeBufferPointer { gp in
            inputGates.scalars.withUnsafeBufferPointer { x in
                hiddenGates.scalars.withUnsafeBufferPointer { h in
                    state.scalars.withUnsafeBufferPointer { s in
                        inputGradient.withUnsafeMutableBufferPointer { dx in
                            hiddenGradient.withUnsafeMutableBufferPointer { dh in
                                stateGradient.withUnsafeMutableBufferPointer { ds in
                                    for b in 0..<batch {
                                        let row = b * 3 * hidden
                                        let base = b * hidden
                                        for j in 0..<hidden {
                                            let (r0, z0, n0) = (row + j, row + hidden + j, row + 2 * hidden + j)
                                            let reset = Kernels.sigmoidInRange(x[r0] + h[r0])
                                            let update = Kernels.sigmoidInRange(x[z0] + h[z0])
                                            let candidate = Kernels.tanhPolynomial(x[n0] + reset * h[n0])
                                            let gradient = gp[base + j]
                                            let candidateGradient =
                                                gradient * (1 - update) * (1 - candidate * candidate)
                                            let updateGradient =
                                                gradient * (s[base + j] - candidate) * update * (1 - update)
                                            let resetGradient = candidateGradient * h[n0] * reset * (1 - reset)
                                            dx[r0] = resetGradient
                                            dx[z0] = updateGradient
                                            dx[n0] = candidateGradient
                                            dh[r0] = resetGradient
                                            dh[z0] = updateGradient
                                            dh[n0] = candidateGradient * reset
                                            ds[base + j] = gradient * update
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return [
            inputGates.requiresGradient ? Tensor(shape: inputGates.shape, scalars: inputGradient) : nil,
            hiddenGates.requiresGradient ? Tensor(shape: hiddenGates.shape, scalars: hiddenGradient) : nil,
            state.requiresGradient ? Tensor(shape: state.shape, scalars: stateGradient) : nil,
        ]
    }
}
