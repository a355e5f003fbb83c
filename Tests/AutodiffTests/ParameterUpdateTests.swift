import Testing

@testable import Autodiff

/// `Parameter.updateScalars`: in place when nothing shares the storage, double-buffered while a graph holds it.
@Suite("Parameter: updates in place and through the spare buffer")
struct ParameterUpdateTests {
    static func address(_ tensor: Tensor) -> UnsafeRawPointer? {
        tensor.scalars.withUnsafeBufferPointer { $0.baseAddress.map(UnsafeRawPointer.init) }
    }

    /// θ ← 2θ + 1 through `updateScalars`.
    static func affineUpdate(_ parameter: Parameter) {
        parameter.updateScalars { current, next in
            for i in 0..<next.count { next[i] = 2 * current[i] + 1 }
        }
    }

    @Test func inPlaceWhenUnshared() {
        let parameter = Parameter(Tensor([1, 2, 3]))
        let before = Self.address(parameter.value)
        Self.affineUpdate(parameter)
        #expect(parameter.value.scalars == [3, 5, 7])
        #expect(Self.address(parameter.value) == before, "no copy when nothing else holds the storage")
        #expect(parameter.value.requiresGradient)
    }

    @Test func heldValuesKeepTheirScalarsAndBuffersAlternate() {
        let parameter = Parameter(Tensor([1, 2, 3, 4]))
        let node = parameter.value.node
        var held = parameter.value  // what a step's graph holds while the optimizer runs
        var addresses: [UnsafeRawPointer?] = []
        var expected: [Float] = [1, 2, 3, 4]
        for _ in 0..<5 {
            let old = held.scalars
            Self.affineUpdate(parameter)
            expected = expected.map { 2 * $0 + 1 }
            #expect(held.scalars == old, "a tensor taken before the update keeps its values")
            #expect(parameter.value.scalars == expected)
            #expect(parameter.value.node === node, "the tape leaf is kept")
            addresses.append(Self.address(parameter.value))
            held = parameter.value  // the previous step's graph is freed, the next one holds the new value
        }
        // The first update copies (the storage was shared); from then on two buffers alternate.
        #expect(addresses[1] != addresses[2])
        #expect(addresses[1] == addresses[3] && addresses[2] == addresses[4])
    }

    @Test func spareStillHeldIsCopiedNotOverwritten() {
        let parameter = Parameter(Tensor([1, 1]))
        var keep: [Tensor] = []
        for _ in 0..<4 {
            keep.append(parameter.value)  // every old value stays alive
            Self.affineUpdate(parameter)
        }
        #expect(keep.map(\.scalars) == [[1, 1], [3, 3], [7, 7], [15, 15]])
        #expect(parameter.value.scalars == [31, 31])
    }

    @Test func replacingTheValueKeepsUpdatesCorrect() {
        let parameter = Parameter(Tensor([1, 2]))
        var held = parameter.value
        Self.affineUpdate(parameter)
        held = parameter.value
        Self.affineUpdate(parameter)  // now double-buffered
        parameter.update(scalars: [10, 20])
        #expect(held.scalars == [3, 5])
        Self.affineUpdate(parameter)
        #expect(parameter.value.scalars == [21, 41])
        #expect(held.scalars == [3, 5])
    }
}
