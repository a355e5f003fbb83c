import Testing

@testable import Autodiff

/// Values follow PyTorch semantics (`gather`, `scatter_add`, `index_select`, `index_add`, `where`, `masked_fill`,
/// `F.one_hot`), worked out by hand.
@Suite("Indexing ops: gather, scatter-add, index-select, where, masked fill, one-hot")
struct IndexingOpsTests {
    var generator = RandomGenerator(seed: 9)

    @Test func indexTensorBasics() {
        let indices = IndexTensor(shape: [2, 3], indices: [0, 1, 2, 3, 4, 5])
        #expect(indices.count == 6)
        #expect(indices[1, 0] == 3)
        #expect(indices[0, 2] == 2)
        #expect(IndexTensor([4, 2]).shape == [2])
        #expect(IndexTensor([4, 2]) == IndexTensor(shape: [2], indices: [4, 2]))
        #expect(IndexTensor(shape: [], indices: [7])[] == 7)
    }

    @Test func gatherMatchesTorch() {
        // torch.gather(tensor([[1, 2], [3, 4]]), 1, tensor([[0, 0], [1, 0]])) == [[1, 1], [4, 3]]
        let t = Tensor([[1, 2], [3, 4]])
        let picked = t.gather(along: 1, indices: IndexTensor(shape: [2, 2], indices: [0, 0, 1, 0]))
        #expect(picked.shape == [2, 2])
        #expect(picked.scalars == [1, 1, 4, 3])
        #expect(t.gather(along: -1, indices: IndexTensor(shape: [2, 2], indices: [0, 0, 1, 0])) == picked)
        // Axis 0, index smaller than the data on the other axis and longer along the gathered axis.
        let x = Tensor([[1, 2, 3], [4, 5, 6]])
        let rows = x.gather(along: 0, indices: IndexTensor(shape: [3, 2], indices: [1, 0, 0, 0, 1, 1]))
        #expect(rows.shape == [3, 2])
        #expect(rows.scalars == [4, 2, 1, 2, 4, 5])
        // Rank 3, middle axis: out[i][j][k] = cube[i][idx[i][j][k]][k]
        let cube = Tensor.arange(0, 24).reshaped(2, 3, 4)
        let middle = cube.gather(along: 1, indices: IndexTensor(shape: [2, 1, 2], indices: [2, 0, 1, 1]))
        #expect(middle.scalars == [8, 1, 16, 17])
    }

    @Test func scatterAddMatchesTorchAndAccumulates() {
        // torch.zeros(3, 5).scatter_add(0, tensor([[0, 1, 2, 0, 0], [0, 1, 2, 2, 2]]), torch.ones(2, 5))
        let index = IndexTensor(shape: [2, 5], indices: [0, 1, 2, 0, 0, 0, 1, 2, 2, 2])
        let out = Tensor.zeros([3, 5]).scatterAdding(along: 0, indices: index, source: Tensor.ones([2, 5]))
        #expect(out.scalars == [2, 0, 0, 1, 1, 0, 2, 0, 0, 0, 0, 0, 2, 1, 1])
        // Into a nonzero base, along the last axis, with duplicates.
        let base = Tensor([[10, 20, 30]])
        let added = base.scatterAdding(
            along: -1, indices: IndexTensor(shape: [1, 4], indices: [2, 2, 0, 2]),
            source: Tensor([[1, 2, 3, 4]]))
        #expect(added.scalars == [13, 20, 37])
    }

    @Test func gatherAndScatterAddAreAdjoint() {
        // ⟨gather(x), s⟩ = ⟨x, scatterAdd(0, s)⟩ for every x, s.
        var generator = RandomGenerator(seed: 3)
        let x = Tensor.normal([3, 4], using: &generator)
        let s = Tensor.normal([5, 4], using: &generator)
        var indices: [Int] = []
        for _ in 0..<20 { indices.append(generator.nextInt(below: 3)) }
        let index = IndexTensor(shape: [5, 4], indices: indices)
        let lhs = (x.gather(along: 0, indices: index) * s).sum().item
        let rhs = (x * Tensor.zeros([3, 4]).scatterAdding(along: 0, indices: index, source: s)).sum().item
        #expect(abs(lhs - rhs) < 1e-4)
    }

    @Test func indexSelectIsAnEmbeddingLookup() {
        let weight = Tensor.arange(0, 12).reshaped(4, 3)
        let tokens = IndexTensor(shape: [2, 2], indices: [3, 0, 3, 1])
        let embedded = weight.indexSelect(axis: 0, indices: tokens)
        #expect(embedded.shape == [2, 2, 3])
        #expect(embedded.scalars == [9, 10, 11, 0, 1, 2, 9, 10, 11, 3, 4, 5])
        // Columns, negative axis, a rank-0 index drops the axis.
        let x = Tensor([[1, 2, 3], [4, 5, 6]])
        #expect(x.indexSelect(axis: -1, indices: IndexTensor([2, 0])).scalars == [3, 1, 6, 4])
        let column = x.indexSelect(axis: 1, indices: IndexTensor(shape: [], indices: [1]))
        #expect(column.shape == [2])
        #expect(column.scalars == [2, 5])
        #expect(weight.indexSelect(axis: 0, indices: IndexTensor([])).shape == [0, 3])
    }

    @Test func indexSelectGradientAccumulatesDuplicates() {
        let weight = Tensor.arange(0, 6).reshaped(3, 2).requiringGradient()
        let loss =
            (weight.indexSelect(axis: 0, indices: IndexTensor([1, 1, 2])) * Tensor([[1, 2], [3, 4], [5, 6]]))
            .sum()
        let grad = gradient(of: loss, wrt: weight)
        #expect(grad.scalars == [0, 0, 4, 6, 5, 6])
        let added = Tensor.ones([2, 3]).indexAdding(
            axis: 1, indices: IndexTensor([2, 2, 0]),
            source: Tensor([[1, 2, 3], [4, 5, 6]]))
        #expect(added.scalars == [4, 1, 4, 7, 1, 10])
    }

    @Test func whereAndMaskedFillValues() {
        let condition = Tensor(shape: [2, 1], scalars: [1, 0])
        let chosen = Tensor.where(condition, Tensor([1, 2, 3]), Tensor(-1))
        #expect(chosen.shape == [2, 3])
        #expect(chosen.scalars == [1, 2, 3, -1, -1, -1])
        let scores = Tensor([[0.5, 1.5], [2.5, 3.5]])
        let mask = Tensor([0, 1])  // masks the second column of every row
        #expect(scores.maskedFill(mask, with: -1e9).scalars == [0.5, -1e9, 2.5, -1e9])
    }

    @Test func oneHotValues() {
        let encoded = Tensor.oneHot(IndexTensor(shape: [2, 2], indices: [2, 0, 1, 2]), classes: 3)
        #expect(encoded.shape == [2, 2, 3])
        #expect(encoded.scalars == [0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1])
        #expect(!encoded.requiresGradient)
        #expect(Tensor.oneHot(IndexTensor([]), classes: 4).shape == [0, 4])
    }

    @Test mutating func firstOrderGradients() {
        let x = Tensor.normal([3, 4], using: &generator)
        let s = Tensor.normal([2, 4], using: &generator)
        let gatherIndex = IndexTensor(shape: [2, 4], indices: [0, 2, 2, 1, 1, 0, 2, 2])
        let selectIndex = IndexTensor(shape: [2, 2], indices: [2, 0, 2, 2])
        let lastAxisIndex = IndexTensor(shape: [3, 2], indices: [3, 3, 0, 1, 2, 0])
        let condition = Tensor(shape: [3, 1], scalars: [1, 0, 1])
        let checks: [(String, ([Tensor]) -> Tensor)] = [
            ("gather", { $0[0].gather(along: 0, indices: gatherIndex) }),
            ("gatherLastAxis", { $0[0].gather(along: -1, indices: lastAxisIndex) }),
            ("scatterAdding", { $0[0].scatterAdding(along: 0, indices: gatherIndex, source: $0[1]) * $0[0] }),
            ("indexSelect", { $0[0].indexSelect(axis: 0, indices: selectIndex) }),
            ("indexSelectColumns", { $0[0].indexSelect(axis: 1, indices: IndexTensor([3, 1, 3])).exp() }),
            (
                "indexAdding",
                { x in
                    let source = x[1].transposed().slice(axis: 0, range: 0..<3)
                    return x[0].indexAdding(axis: 1, indices: IndexTensor([3, 3]), source: source) * x[0]
                }
            ),
            ("where", { Tensor.where(condition, $0[0], $0[1].sum(axis: 0)) }),
            ("maskedFill", { $0[0].maskedFill(Tensor([0, 1, 1, 0]), with: 2).exp() }),
        ]
        for (name, function) in checks {
            let result = checkGradients(at: [x, s], function)
            #expect(result.passes(), "\(name): \(result)")
        }
    }

    @Test mutating func secondOrderGradients() {
        let x = Tensor.uniform([3, 2], low: -1, high: 1, using: &generator)
        let s = Tensor.uniform([2, 2], low: -1, high: 1, using: &generator)
        let index = IndexTensor(shape: [2, 2], indices: [2, 0, 2, 2])
        let condition = Tensor(shape: [1, 2], scalars: [0, 1])
        let checks: [(String, ([Tensor]) -> Tensor)] = [
            ("gather", { $0[0].gather(along: 0, indices: index).exp() * $0[1] }),
            (
                "scatterAdding",
                { x in
                    let out = x[0].scatterAdding(along: 0, indices: index, source: x[1])
                    return out * out * out
                }
            ),
            ("indexSelect", { $0[0].indexSelect(axis: 0, indices: index).exp() }),
            (
                "indexAdding",
                { x in
                    let out = x[0].indexAdding(axis: 0, indices: IndexTensor([1, 1]), source: x[1])
                    return out.exp() * x[0]
                }
            ),
            ("where", { Tensor.where(condition, $0[0].exp(), $0[1].slice(axis: 0, range: 0..<1) * $0[0]) }),
            ("maskedFill", { $0[0].maskedFill(condition, with: -3).exp() * $0[0] }),
        ]
        for (name, function) in checks {
            let result = checkSecondOrderGradients(at: [x, s], function)
            #expect(result.passes(), "\(name): \(result)")
        }
    }

    @Test func outOfRangeIndexReportsIndexAndExtent() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).indexSelect(axis: 0, indices: IndexTensor([0, 5]))
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("indexSelect: index 5 at position [1] is out of range for axis 0 of extent 2"))
        }
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).gather(along: 1, indices: IndexTensor(shape: [1, 2], indices: [1, 3]))
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("gather: index 3 at position [0, 1] is out of range for axis 1 of extent 3"))
        }
    }
}
