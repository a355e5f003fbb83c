import Testing

@testable import Autodiff

@Suite("IndexTensor, argmax/argmin, topK, comparisons")
struct IndexingResultTests {
    @Test func indexTensorBasics() {
        let flat = IndexTensor([4, 0, 2])
        #expect(flat.shape == [3] && flat.rank == 1 && flat.count == 3)
        #expect(flat[2] == 2)
        let matrix = IndexTensor(rows: [[1, 2, 3], [4, 5, 6]])
        #expect(matrix.shape == [2, 3])
        #expect(matrix[1, 0] == 4 && matrix[0, 2] == 3)
        let cube = IndexTensor(shape: [2, 1, 3], indices: Array(0..<6))
        #expect(cube[1, 0, 2] == 5)
        #expect(cube.reshaped([3, 2]) == IndexTensor(rows: [[0, 1], [2, 3], [4, 5]]))
        let scalar = IndexTensor(shape: [], indices: [7])
        #expect(scalar[] == 7 && scalar.count == 1 && scalar.rank == 0)
        #expect(IndexTensor([]).count == 0 && IndexTensor([]).shape == [0])
        #expect(flat.description == "IndexTensor(shape: [3], [4, 0, 2])")
    }

    @Test func argmaxAndArgminTakeTheFirstOfTiesLikeNumPy() {
        let x = Tensor([[1, 5, 5, 2], [7, 7, 0, 0], [-1, -3, -3, -2]])
        #expect(x.argmax(axis: 1) == IndexTensor([1, 0, 0]))
        #expect(x.argmin(axis: 1) == IndexTensor([0, 2, 1]))
        #expect(x.argmax(axis: 0) == IndexTensor([1, 1, 0, 0]))
        #expect(x.argmin(axis: -2) == IndexTensor([2, 2, 2, 2]))
        #expect(x.argmax(axis: 1, keepingDimensions: true).shape == [3, 1])
        #expect(x.argmax() == 4)
        #expect(x.argmin() == 9)
        let cube = Tensor(shape: [2, 3, 2], scalars: [0, 9, 4, 1, 2, 8, 6, 3, 5, 7, 1, 0])
        let middle = cube.argmax(axis: 1)
        #expect(middle.shape == [2, 2])
        #expect(middle.indices == [1, 0, 0, 1])
        // NaN wins, the first NaN first (NumPy).
        #expect(Tensor([1, .nan, 3, .nan]).argmax(axis: 0).indices == [1])
        #expect(Tensor([1, .nan, -3]).argmin(axis: 0).indices == [1])
    }

    @Test func topKOrdersValuesAndIndices() {
        let x = Tensor([[0.5, 3, -1, 3, 2], [9, -4, 0, 1, 1]])
        let (values, indices) = x.topK(3)
        #expect(values.shape == [2, 3] && indices.shape == [2, 3])
        #expect(values.scalars == [3, 3, 2, 9, 1, 1])
        #expect(indices.indices == [1, 3, 4, 0, 3, 4])
        let (small, smallIndices) = x.topK(2, largest: false)
        #expect(small.scalars == [-1, 0.5, -4, 0])
        #expect(smallIndices.indices == [2, 0, 1, 2])
        let (columns, columnIndices) = x.topK(1, axis: 0)
        #expect(columns.shape == [1, 5])
        #expect(columns.scalars == [9, 3, 0, 3, 2])
        #expect(columnIndices.indices == [1, 0, 1, 0, 0])
        #expect(x.topK(0).values.shape == [2, 0])
        #expect(x.topK(5).indices.indices == [1, 3, 4, 0, 2, 0, 3, 4, 2, 1])
        // NaN counts as the largest, as in PyTorch.
        let withNaN = Tensor([1, .nan, 2])
        #expect(withNaN.topK(1).indices.indices == [1])
        #expect(withNaN.topK(2, largest: false).indices.indices == [0, 2])
    }

    @Test func topKSmallAndLargeKPathsAgree() {
        // k ≤ 16 uses an insertion buffer, larger k a sort; both must give the same order, ties by index.
        var generator = RandomGenerator(seed: 5)
        let scalars = (0..<40).map { _ in Float(generator.nextInt(below: 12)) }
        let x = Tensor(shape: [40], scalars: scalars)
        let expected = Array(0..<40).sorted { scalars[$0] > scalars[$1] || (scalars[$0] == scalars[$1] && $0 < $1) }
        #expect(x.topK(16).indices.indices == Array(expected.prefix(16)))
        #expect(x.topK(30).indices.indices == Array(expected.prefix(30)))
        let ascending = Array(0..<40).sorted { scalars[$0] < scalars[$1] || (scalars[$0] == scalars[$1] && $0 < $1) }
        #expect(x.topK(5, largest: false).indices.indices == Array(ascending.prefix(5)))
        #expect(x.topK(25, largest: false).indices.indices == Array(ascending.prefix(25)))
    }

    @Test func topKValuesAreDifferentiable() {
        let x = Tensor(
            shape: [2, 4, 2],
            scalars: [7, 2, 11, 0, 5, 9, 1, 10, 3, 6, 8, 4, 15, 13, 12, 14].map {
                Float($0) * 0.2 - 1.5
            })
        for axis in [1, -1, 0] {
            let first = checkGradients(at: [x]) { $0[0].topK(2, axis: axis).values.exp() }
            #expect(first.passes(), "axis \(axis): \(first)")
            // (The sum is reshaped to [1]: broadcasting a rank-0 tensor crashed the original core's expand.)
            let second = checkSecondOrderGradients(at: [x]) {
                $0[0].topK(2, axis: axis).values.squared() * $0[0].sum().reshaped([1])
            }
            #expect(second.passes(), "axis \(axis): \(second)")
        }
        let leaf = Tensor([1, 4, 2, 3]).requiringGradient()
        #expect(gradient(of: (leaf.topK(2).values * Tensor([10, 1])).sum(), wrt: leaf).scalars == [0, 10, 0, 1])
    }

    @Test func selectionAlongAnAxisAndItsAdjoint() {
        let x = Tensor([[1, 2, 3], [4, 5, 6]])
        let picks = IndexTensor(rows: [[2, 2, 0, 1], [1, 0, 0, 0]])
        let selected = x.selectedAlongAxis(picks, axis: 1)
        #expect(selected.scalars == [3, 3, 1, 2, 5, 4, 4, 4])
        let scattered = Tensor.ones([2, 4]).scatteredAlongAxis(picks, axis: 1, extent: 3)
        #expect(scattered.scalars == [1, 1, 2, 3, 1, 0])
        #expect(checkGradients(at: [x]) { $0[0].selectedAlongAxis(picks, axis: 1).exp() }.passes())
        #expect(
            checkSecondOrderGradients(at: [Tensor.ones([2, 4]) * 0.3]) {
                $0[0].scatteredAlongAxis(picks, axis: 1, extent: 3).exp()
            }.passes())
    }

    @Test func comparisonsGiveMasksWithBroadcastingAndNoTape() {
        let a = Tensor([[1, 2, 3], [4, 5, 6]]).requiringGradient()
        let b = Tensor([2, 2, 7])
        #expect(a.greater(than: b).scalars == [0, 0, 0, 1, 1, 0])
        #expect(a.less(than: b).scalars == [1, 0, 1, 0, 0, 1])
        #expect(a.greaterOrEqual(to: b).scalars == [0, 1, 0, 1, 1, 0])
        #expect(a.lessOrEqual(to: b).scalars == [1, 1, 1, 0, 0, 1])
        #expect(a.equal(to: b).scalars == [0, 1, 0, 0, 0, 0])
        #expect(a.notEqual(to: b).scalars == [1, 0, 1, 1, 1, 1])
        #expect(a.greater(than: 3).scalars == [0, 0, 0, 1, 1, 1])
        #expect(a.less(than: 3).scalars == [1, 1, 0, 0, 0, 0])
        #expect(a.greaterOrEqual(to: 3).scalars == [0, 0, 1, 1, 1, 1])
        #expect(a.lessOrEqual(to: 3).scalars == [1, 1, 1, 0, 0, 0])
        #expect(a.equal(to: 5).scalars == [0, 0, 0, 0, 1, 0])
        #expect(a.notEqual(to: 5).scalars == [1, 1, 1, 1, 0, 1])
        let column = Tensor(shape: [2, 1], scalars: [2, 5])
        #expect(column.less(than: b).shape == [2, 3])
        #expect(column.less(than: b).scalars == [0, 0, 1, 0, 0, 1])
        #expect(!a.greater(than: b).requiresGradient && !a.equal(to: 1).requiresGradient)
        #expect(Tensor([.nan]).equal(to: Tensor([.nan])).scalars == [0])
        #expect(Tensor([.nan]).notEqual(to: .nan).scalars == [1])
    }
}
