/// Fused gate arithmetic of the LSTM and GRU cells: one raw pass over `[B, H]` instead of a dozen elementwise ops
/// and slices per time step (gate layout as PyTorch's
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
                    guard let gateBase = a.baseAddress, let cellBase = c.baseAddress, let outBase = out.baseAddress
                    else { return }
                    // Row pointers, so the inner loop has no checked index arithmetic and vectorizes.
                    for b in 0..<batch {
                        let ai = gateBase + b &* 4 &* hidden
                        let (af, ag) = (ai + hidden, ai + 2 &* hidden)
                        let (cb, ob) = (cellBase + b &* hidden, outBase + b &* hidden)
                        for j in 0..<hidden {
                            let i = Kernels.sigmoidInRange(ai[j])
                            let f = Kernels.sigmoidInRange(af[j])
                            let g = Kernels.tanhPolynomial(ag[j])
                            ob[j] = f * cb[j] + i * g
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
                    guard let gateBase = a.baseAddress, let cellBase = c.baseAddress, let outBase = out.baseAddress
                    else { return }
                    for b in 0..<batch {
                        let ao = gateBase + (b &* 4 &+ 3) &* hidden
                        let (cb, ob) = (cellBase + b &* hidden, outBase + b &* hidden)
                        for j in 0..<hidden {
                            ob[j] = Kernels.sigmoidInRange(ao[j]) * Kernels.tanhPolynomial(cb[j])
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
                        guard let inputBase = x.baseAddress, let hiddenBase = h.baseAddress,
                            let stateBase = s.baseAddress, let outBase = out.baseAddress
                        else { return }
                        for b in 0..<batch {
                            let (xr, hr) = (inputBase + b &* 3 &* hidden, hiddenBase + b &* 3 &* hidden)
                            let (xz, hz) = (xr + hidden, hr + hidden)
                            let (xn, hn) = (xz + hidden, hz + hidden)
                            let (sb, ob) = (stateBase + b &* hidden, outBase + b &* hidden)
                            for j in 0..<hidden {
                                let r = Kernels.sigmoidInRange(xr[j] + hr[j])
                                let z = Kernels.sigmoidInRange(xz[j] + hz[j])
                                let n = Kernels.tanhPolynomial(xn[j] + r * hn[j])
                                ob[j] = n + z * (sb[j] - n)
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
        // One store stream per loop, so every loop vectorizes; i, f, tanh(g) of a row go through scratch rows.
        var scratch = [Float](repeating: 0, count: 3 * hidden)
        g.scalars.withUnsafeBufferPointer { gBuffer in
            gates.scalars.withUnsafeBufferPointer { aBuffer in
                cell.scalars.withUnsafeBufferPointer { cBuffer in
                    gatesGradient.withUnsafeMutableBufferPointer { daBuffer in
                        cellGradient.withUnsafeMutableBufferPointer { dcBuffer in
                            scratch.withUnsafeMutableBufferPointer { scratchBuffer in
                                let i = scratchBuffer.baseAddress!
                                let (f, candidate) = (i + hidden, i + 2 * hidden)
                                for b in 0..<batch {
                                    let a = aBuffer.baseAddress! + b * 4 * hidden
                                    let da = daBuffer.baseAddress! + b * 4 * hidden
                                    let (gp, c) = (gBuffer.baseAddress! + b * hidden, cBuffer.baseAddress! + b * hidden)
                                    let dc = dcBuffer.baseAddress! + b * hidden
                                    // Offset pointers: no checked index arithmetic in the loops.
                                    let (af, ag) = (a + hidden, a + 2 &* hidden)
                                    let (daf, dag) = (da + hidden, da + 2 &* hidden)
                                    for j in 0..<hidden { i[j] = Kernels.sigmoidInRange(a[j]) }
                                    for j in 0..<hidden { f[j] = Kernels.sigmoidInRange(af[j]) }
                                    for j in 0..<hidden { candidate[j] = Kernels.tanhPolynomial(ag[j]) }
                                    for j in 0..<hidden { da[j] = gp[j] * candidate[j] * i[j] * (1 - i[j]) }
                                    for j in 0..<hidden { daf[j] = gp[j] * c[j] * f[j] * (1 - f[j]) }
                                    for j in 0..<hidden {
                                        dag[j] = gp[j] * i[j] * (1 - candidate[j] * candidate[j])
                                    }
                                    for j in 0..<hidden { dc[j] = gp[j] * f[j] }
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
        var scratch = [Float](repeating: 0, count: 2 * hidden)
        g.scalars.withUnsafeBufferPointer { gBuffer in
            gates.scalars.withUnsafeBufferPointer { aBuffer in
                cell.scalars.withUnsafeBufferPointer { cBuffer in
                    gatesGradient.withUnsafeMutableBufferPointer { daBuffer in
                        cellGradient.withUnsafeMutableBufferPointer { dcBuffer in
                            scratch.withUnsafeMutableBufferPointer { scratchBuffer in
                                let output = scratchBuffer.baseAddress!
                                let squashed = output + hidden
                                for b in 0..<batch {
                                    let a = aBuffer.baseAddress! + b * 4 * hidden + 3 * hidden
                                    let da = daBuffer.baseAddress! + b * 4 * hidden + 3 * hidden
                                    let (gp, c) = (gBuffer.baseAddress! + b * hidden, cBuffer.baseAddress! + b * hidden)
                                    let dc = dcBuffer.baseAddress! + b * hidden
                                    for j in 0..<hidden { output[j] = Kernels.sigmoidInRange(a[j]) }
                                    for j in 0..<hidden { squashed[j] = Kernels.tanhPolynomial(c[j]) }
                                    for j in 0..<hidden { da[j] = gp[j] * squashed[j] * output[j] * (1 - output[j]) }
                                    for j in 0..<hidden { dc[j] = gp[j] * output[j] * (1 - squashed[j] * squashed[j]) }
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
        // One store stream per loop, so every loop vectorizes; r, z, n of a row go through scratch rows.
        var scratch = [Float](repeating: 0, count: 3 * hidden)
        g.scalars.withUnsafeBufferPointer { gBuffer in
            inputGates.scalars.withUnsafeBufferPointer { xBuffer in
                hiddenGates.scalars.withUnsafeBufferPointer { hBuffer in
                    state.scalars.withUnsafeBufferPointer { sBuffer in
                        inputGradient.withUnsafeMutableBufferPointer { dxBuffer in
                            hiddenGradient.withUnsafeMutableBufferPointer { dhBuffer in
                                stateGradient.withUnsafeMutableBufferPointer { dsBuffer in
                                    scratch.withUnsafeMutableBufferPointer { scratchBuffer in
                                        let reset = scratchBuffer.baseAddress!
                                        let (update, candidate) = (reset + hidden, reset + 2 * hidden)
                                        for b in 0..<batch {
                                            let x = xBuffer.baseAddress! + b * 3 * hidden
                                            let h = hBuffer.baseAddress! + b * 3 * hidden
                                            let dx = dxBuffer.baseAddress! + b * 3 * hidden
                                            let dh = dhBuffer.baseAddress! + b * 3 * hidden
                                            let gp = gBuffer.baseAddress! + b * hidden
                                            let s = sBuffer.baseAddress! + b * hidden
                                            let ds = dsBuffer.baseAddress! + b * hidden
                                            // Offset pointers: no checked index arithmetic in the loops.
                                            let (xz, hz, dxz) = (x + hidden, h + hidden, dx + hidden)
                                            let (xn, hn, dxn) = (xz + hidden, hz + hidden, dxz + hidden)
                                            let dhn = dh + 2 &* hidden
                                            for j in 0..<hidden { reset[j] = Kernels.sigmoidInRange(x[j] + h[j]) }
                                            for j in 0..<hidden {
                                                update[j] = Kernels.sigmoidInRange(xz[j] + hz[j])
                                            }
                                            for j in 0..<hidden {
                                                candidate[j] = Kernels.tanhPolynomial(xn[j] + reset[j] * hn[j])
                                            }
                                            // ∂n̂, ∂ẑ, ∂r̂ into the input gradient, then copied / scaled.
                                            for j in 0..<hidden {
                                                dxn[j] = gp[j] * (1 - update[j]) * (1 - candidate[j] * candidate[j])
                                            }
                                            for j in 0..<hidden {
                                                dxz[j] = gp[j] * (s[j] - candidate[j]) * update[j] * (1 - update[j])
                                            }
                                            for j in 0..<hidden {
                                                dx[j] = dxn[j] * hn[j] * reset[j] * (1 - reset[j])
                                            }
                                            dh.update(from: dx, count: 2 &* hidden)
                                            for j in 0..<hidden { dhn[j] = dxn[j] * reset[j] }
                                            for j in 0..<hidden { ds[j] = gp[j] * update[j] }
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
