import Foundation
import Testing

@testable import Autodiff

/// Values follow NumPy / PyTorch semantics, worked out by hand on `arange` tensors where `x[i, j, k] = 12i + 4j + k`.
@Suite("Shape ops: squeeze, slice, pad, concatenate, stack, split")
struct ShapeOpsTests {
    var generator = RandomGenerator(seed: 5)
    let cube = Tensor.arange(0, 24).reshaped(2, 3, 4)

    @Test func squeezeAndUnsqueezeShapes() {
        let x = Tensor.zeros([1, 3, 1, 2])
        #expect(x.squeezed().shape == [3, 2])
        #expect(x.squeezed(axis: 0).shape == [3, 1, 2])
        #expect(x.squeezed(axis: -2).shape == [1, 3, 2])
        #expect(Tensor.ones([1, 1]).squeezed().shape == [])
        let y = Tensor([1, 2, 3])
        #expect(y.unsqueezed(axis: 0).shape == [1, 3])
        #expect(y.unsqueezed(axis: 1).shape == [3, 1])
        #expect(y.unsqueezed(axis: -1).shape == [3, 1])
        #expect(y.unsqueezed(axis: -2).shape == [1, 3])
        #expect(y.unsqueezed(axis: -1).scalars == y.scalars)
        #expect(Tensor(4).unsqueezed(axis: 0).shape == [1])
    }

    @Test func sliceValuesMatchNumPy() {
        // cube[0:2, 1:3, 1:3]
        let box = cube.sliced(lowerBounds: [0, 1, 1], upperBounds: [2, 3, 3])
        #expect(box.shape == [2, 2, 2])
        #expect(box.scalars == [5, 6, 9, 10, 17, 18, 21, 22])
        // cube[..., 1:] with a partial range on a negative axis
        let tail = cube.slice(axis: -1, range: 1...)
        #expect(tail.shape == [2, 3, 3])
        #expect(tail.scalars.prefix(6) == [1, 2, 3, 5, 6, 7])
        // cube[:, ..<1] and a closed range
        #expect(cube.slice(axis: 1, range: ..<1).scalars == [0, 1, 2, 3, 12, 13, 14, 15])
        #expect(cube.slice(axis: 1, range: 1...1).scalars == [4, 5, 6, 7, 16, 17, 18, 19])
        // cube[1:2] and cube[0:2, 2:3] through the subscript
        #expect(cube[1..<2].shape == [1, 3, 4])
        #expect(cube[1..<2].scalars == Array(12..<24).map(Float.init))
        #expect(cube[0..<2, 2..<3].scalars == [8, 9, 10, 11, 20, 21, 22, 23])
        // Empty slices and the whole tensor
        #expect(cube.slice(axis: 0, range: 1..<1).shape == [0, 3, 4])
        #expect(cube.slice(axis: 2, range: 0..<4) == cube)
    }

    @Test func paddingValuesMatchNumPy() {
        let x = Tensor([[1, 2], [3, 4]])
        let padded = x.padded([(1, 0), (0, 2)], value: 9)
        #expect(padded.shape == [3, 4])
        #expect(padded.scalars == [9, 9, 9, 9, 1, 2, 9, 9, 3, 4, 9, 9])
        let sides = x.padded(axis: -1, before: 1, after: 1)
        #expect(sides.scalars == [0, 1, 2, 0, 0, 3, 4, 0])
        #expect(x.padded([(0, 0), (0, 0)]) == x)
        // Padding then slicing back is the identity.
        let round = cube.padded([(1, 2), (0, 1), (3, 0)]).sliced(lowerBounds: [1, 0, 3], upperBounds: [3, 3, 7])
        #expect(round == cube)
    }

    @Test func concatenateAndStackValues() {
        let a = Tensor([[1, 2], [3, 4]])
        let b = Tensor([[5], [6]])
        let wide = Tensor.concatenate([a, b], axis: 1)
        #expect(wide.shape == [2, 3])
        #expect(wide.scalars == [1, 2, 5, 3, 4, 6])
        #expect(Tensor.concatenate([a, b], axis: -1) == wide)
        let empty = Tensor.zeros([0, 2])
        let tall = Tensor.concatenate([a, empty, Tensor([[7, 8]])])
        #expect(tall.shape == [3, 2])
        #expect(tall.scalars == [1, 2, 3, 4, 7, 8])
        // Middle axis of rank 3.
        let middle = Tensor.concatenate([cube, cube.slice(axis: 1, range: 0..<1)], axis: 1)
        #expect(middle.shape == [2, 4, 4])
        #expect(middle.slice(axis: 1, range: 3..<4).scalars == [0, 1, 2, 3, 12, 13, 14, 15])

        let c = Tensor([1, 2, 3])
        let d = Tensor([4, 5, 6])
        #expect(Tensor.stack([c, d]).shape == [2, 3])
        #expect(Tensor.stack([c, d]).scalars == [1, 2, 3, 4, 5, 6])
        let last = Tensor.stack([c, d], axis: -1)
        #expect(last.shape == [3, 2])
        #expect(last.scalars == [1, 4, 2, 5, 3, 6])
        #expect(Tensor.stack([Tensor(1), Tensor(2)]).scalars == [1, 2])
    }

    @Test func splitAndChunkValues() {
        let x = Tensor([[1, 2], [3, 4], [5, 6]])
        let pieces = x.split(sizes: [1, 0, 2])
        #expect(pieces.map(\.shape) == [[1, 2], [0, 2], [2, 2]])
        #expect(pieces[0].scalars == [1, 2])
        #expect(pieces[2].scalars == [3, 4, 5, 6])
        let columns = x.split(count: 2, axis: -1)
        #expect(columns.map(\.scalars) == [[1, 3, 5], [2, 4, 6]])
        let chunks = Tensor.arange(0, 5).chunked(4)
        #expect(chunks.map(\.scalars) == [[0, 1], [2, 3], [4]])
        #expect(Tensor.arange(0, 6).chunked(3).map(\.count) == [2, 2, 2])
        #expect(Tensor.concatenate(cube.split(sizes: [1, 3], axis: 2), axis: 2) == cube)
    }

    @Test mutating func firstOrderGradients() {
        let x = Tensor.normal([2, 3, 4], using: &generator)
        let y = Tensor.normal([2, 1, 4], using: &generator)
        let checks: [(String, ([Tensor]) -> Tensor)] = [
            ("squeeze", { $0[1].squeezed(axis: 1) * 2 }),
            ("unsqueeze", { $0[0].unsqueezed(axis: -2).exp() }),
            ("sliced", { $0[0].sliced(lowerBounds: [1, 0, 1], upperBounds: [2, 2, 4]) }),
            ("slice", { $0[0].slice(axis: -1, range: 1..<3) }),
            ("subscript", { $0[0][0..<1, 1..<3] }),
            ("padded", { $0[0].padded([(1, 0), (0, 2), (1, 1)], value: 3) }),
            ("paddedAxis", { $0[1].padded(axis: 1, before: 2, after: 1) }),
            ("concatenate", { Tensor.concatenate([$0[0], $0[1], $0[0]], axis: 1) }),
            ("stack", { Tensor.stack([$0[0].slice(axis: 1, range: 0..<1), $0[1]], axis: -1) }),
            (
                "split",
                { x in
                    let parts = x[0].split(sizes: [1, 0, 2], axis: 1)
                    return parts[0] * parts[2].slice(axis: 1, range: 1..<2) + parts[1].sum()
                }
            ),
            (
                "chunked",
                { x in
                    let parts = x[0].chunked(3, axis: 1)
                    return parts[0] * parts[1] + parts[2].sum(axis: 2, keepingDimensions: true)
                }
            ),
        ]
        for (name, function) in checks {
            let result = checkGradients(at: [x, y], function)
            #expect(result.passes(), "\(name): \(result)")
        }
    }

    @Test mutating func secondOrderGradients() {
        let x = Tensor.uniform([2, 3], low: -1, high: 1, using: &generator)
        let y = Tensor.uniform([2, 2], low: -1, high: 1, using: &generator)
        let checks: [(String, ([Tensor]) -> Tensor)] = [
            ("slice", { $0[0].slice(axis: 1, range: 1..<3).exp() * $0[1] }),
            ("sliced", { $0[0].sliced(lowerBounds: [1, 0], upperBounds: [2, 3]).exp() }),
            (
                "padded",
                { x in
                    let p = x[0].padded([(1, 1), (0, 2)], value: 0.5)
                    return p * p * p
                }
            ),
            (
                "concatenate",
                { x in
                    let joined = Tensor.concatenate([x[0], x[1], x[0]], axis: -1)
                    return joined.exp() * joined
                }
            ),
            ("stack", { Tensor.stack([$0[0].slice(axis: 1, range: 0..<2), $0[1]], axis: 1).exp() }),
            (
                "split",
                { x in
                    let parts = x[0].split(sizes: [2, 1], axis: 1)
                    return parts[0] * x[1] * parts[1]
                }
            ),
        ]
        for (name, function) in checks {
            let result = checkSecondOrderGradients(at: [x, y], function)
            #expect(result.passes(), "\(name): \(result)")
        }
    }

    @Test func secondOrderGraphIsRecorded() {
        let x = Tensor([0.1, 0.2, 0.3]).requiringGradient()
        let f = (x.padded(axis: 0, before: 1, after: 0).slice(axis: 0, range: 1..<3).exp()).sum()
        let first = gradient(of: f, wrt: x, createGraph: true)
        #expect(first.requiresGradient)
        // d/dx of Σ_{i<2} e^{x_i} is (e^{x₀}, e^{x₁}, 0); its sum differentiates to the same.
        let second = gradient(of: first.sum(), wrt: x)
        #expect(abs(second.scalars[0] - Foundation.exp(0.1)) < 1e-6)
        #expect(second.scalars[2] == 0)
    }
}
