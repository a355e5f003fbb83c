internal import CVectorKernels

/// Row-wise softmax, its backward product and Gumbel noise through the C vector kernels (AVX-512 or AVX2 lanes
/// chosen at run time; `lanes` 16, 8 or 1 selects a width for tests, 0 the processor's widest).
extension Kernels {
    /// Softmax (or log-softmax) of contiguous rows of `width` scalars (`x.count` a multiple of `width`); rows are
    /// split over ``parallelFor(_:cost:_:)``, each row taken by one thread.
    static func softmaxRows(_ x: [Float], width: Int, logarithmic: Bool, lanes: Int32 = 0) -> [Float] {
        let count = x.count
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            initialized = count
            guard width > 0 else { return }
            x.withUnsafeBufferPointer { px in
                guard let xBase = px.baseAddress, let outBase = out.baseAddress else { return }
                parallelFor(count / width, cost: 2 * width) { range in
                    let offset = range.lowerBound * width
                    montague_softmax_rows(
                        lanes, xBase + offset, outBase + offset, range.count, width, logarithmic ? 1 : 0)
                }
            }
        }
    }

    /// `y ⊙ (g − Σ_row g ⊙ y)` for contiguous rows of `width` scalars (`y` and `g` of one count).
    static func softmaxBackwardRows(_ y: [Float], _ g: [Float], width: Int, lanes: Int32 = 0) -> [Float] {
        precondition(y.count == g.count, "softmaxBackwardRows: \(y.count) outputs, \(g.count) gradients")
        let count = y.count
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            initialized = count
            guard width > 0 else { return }
            y.withUnsafeBufferPointer { py in
                g.withUnsafeBufferPointer { pg in
                    guard let yBase = py.baseAddress, let gBase = pg.baseAddress, let outBase = out.baseAddress
                    else { return }
                    parallelFor(count / width, cost: 2 * width) { range in
                        let offset = range.lowerBound * width
                        montague_softmax_backward_rows(
                            lanes, yBase + offset, gBase + offset, outBase + offset, range.count, width)
                    }
                }
            }
        }
    }

    /// `−log(−log u)` for every uniform `u` in place (`u` normal floats strictly inside (0, 1)).
    static func gumbelNoise(_ uniforms: inout [Float], lanes: Int32 = 0) {
        uniforms.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            montague_gumbel_noise(lanes, base, buffer.count)
        }
    }
}
