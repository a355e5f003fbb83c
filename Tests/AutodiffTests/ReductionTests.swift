import Foundation
import Testing
import _MontagueTestSupport

@testable import Autodiff

@Suite("Reductions: variance, standard deviation, max, min, logSumExp")
struct ReductionTests {
    /// Shape [2, 3, 2]: distinct values at least 0.3 apart (no ties within a finite-difference step).
    static let distinct = Tensor(
        shape: [2, 3, 2],
        scalars: [7, 2, 11, 0, 5, 9, 1, 10, 3, 6, 8, 4].map { Float($0) * 0.3 - 1.6 })

    static let cases: [MathOpCase] = [
        MathOpCase(name: "variance axis 1", inputs: [distinct]) { $0[0].variance(axis: 1) },
        MathOpCase(name: "variance axes [0, 2] kept, unbiased", inputs: [distinct]) {
            $0[0].variance(alongAxes: [0, 2], keepingDimensions: true, unbiased: true) * $0[0]
        },
        MathOpCase(name: "variance of all", inputs: [distinct]) { $0[0].variance() },
        MathOpCase(name: "standardDeviation axis -1", inputs: [distinct]) { $0[0].standardDeviation(axis: -1) },
        MathOpCase(name: "standardDeviation of all, unbiased", inputs: [distinct]) {
            $0[0].standardDeviation(unbiased: true)
        },
        MathOpCase(name: "max axis 1", inputs: [distinct]) { $0[0].max(axis: 1) },
        MathOpCase(name: "max axes [0, 2] kept, squared", inputs: [distinct]) {
            ($0[0].max(alongAxes: [0, 2], keepingDimensions: true) * $0[0]).squared()
        },
        MathOpCase(name: "max of all times sum", inputs: [distinct]) { $0[0].max() * $0[0].sum() },
        MathOpCase(name: "min axis 0", inputs: [distinct]) { $0[0].min(axis: 0).exp() },
        MathOpCase(name: "min of all, squared", inputs: [distinct]) { $0[0].min().squared() },
        MathOpCase(name: "logSumExp axis -1", inputs: [distinct]) { $0[0].logSumExp(axis: -1) },
        MathOpCase(name: "logSumExp axes [0, 1] kept", inputs: [distinct]) {
            $0[0].logSumExp(alongAxes: [0, 1], keepingDimensions: true) * $0[0]
        },
        MathOpCase(name: "logSumExp of all", inputs: [distinct]) { $0[0].logSumExp() },
    ]

    @Test(arguments: cases)
    func firstOrderGradientsMatchFiniteDifferences(_ testCase: MathOpCase) {
        let result = checkGradients(at: testCase.inputs, testCase.function)
        #expect(result.passes(), "\(testCase.name): \(result)")
    }

    @Test(arguments: cases)
    func secondOrderGradientsMatchFiniteDifferences(_ testCase: MathOpCase) {
        let result = checkSecondOrderGradients(at: testCase.inputs, testCase.function)
        #expect(result.passes(), "\(testCase.name): \(result)")
    }

    static let matrix = Tensor([[1, 2, 4], [3, -1, 0.5]])

    @Test func varianceAndStandardDeviationMatchNumPy() {
        // numpy: a.var(axis=1), a.var(axis=1, ddof=1), a.var(), a.std(axis=0)
        expectClose(Self.matrix.variance(axis: 1).scalars, [1.55555556, 2.72222222])
        expectClose(Self.matrix.variance(axis: 1, unbiased: true).scalars, [2.33333333, 4.08333333])
        expectClose(Self.matrix.variance().scalars, [2.70138889])
        #expect(Self.matrix.variance().shape == [])
        expectClose(Self.matrix.standardDeviation(axis: 0).scalars, [1, 1.5, 1.75])
        #expect(Self.matrix.variance(axis: 0, keepingDimensions: true).shape == [1, 3])
        #expect(Self.matrix.standardDeviation(alongAxes: [0, 1], keepingDimensions: true).shape == [1, 1])
        #expect(Tensor([5]).variance(unbiased: true).item.isNaN)
        #expect(Tensor.full([4], 3).variance().item == 0)
    }

    @Test func maxMinValuesAndShapes() {
        #expect(Self.matrix.max(axis: 1).scalars == [4, 3])
        #expect(Self.matrix.min(axis: 0).scalars == [1, -1, 0.5])
        #expect(Self.matrix.max().item == 4)
        #expect(Self.matrix.min().item == -1)
        #expect(Self.matrix.max(axis: -1, keepingDimensions: true).shape == [2, 1])
        #expect(Self.distinct.max(alongAxes: [0, 2]).shape == [3])
        #expect(Self.distinct.max(alongAxes: [0, 2]).scalars == [10, 11, 9].map { Float($0) * 0.3 - 1.6 })
        #expect(Tensor([1, .nan, 3]).max().item.isNaN)
        #expect(Tensor([1, .nan, 3]).min().item.isNaN)
        #expect(Tensor([-.infinity, -.infinity]).max().item == -.infinity)
    }

    @Test func tiedMaximaShareTheGradientEvenly() {
        let x = Tensor([[1, 3, 3], [2, 0, -1]]).requiringGradient()
        #expect(gradient(of: x.max(axis: 1).sum(), wrt: x).scalars == [0, 0.5, 0.5, 1, 0, 0])
        let y = Tensor([2, 5, 5, 5]).requiringGradient()
        expectClose(gradient(of: y.max(), wrt: y).scalars, [0, 1.0 / 3, 1.0 / 3, 1.0 / 3])
        let z = Tensor([-1, -1, 4]).requiringGradient()
        #expect(gradient(of: z.min(), wrt: z).scalars == [0.5, 0.5, 0])
    }

    @Test func logSumExpIsStable() {
        expectClose(Tensor([1000, 1000]).logSumExp().scalars, [1000 + Foundation.log(2)])
        expectClose(Tensor([-1000, -1000]).logSumExp().scalars, [-1000 + Foundation.log(2)])
        expectClose(Tensor([0, -.infinity]).logSumExp().scalars, [0])
        #expect(Tensor([-.infinity, -.infinity]).logSumExp().item == -.infinity)
        #expect(Tensor([1, .infinity]).logSumExp().item == .infinity)
        let x = Tensor([[0.5, -1, 2], [3, 3, 3]])
        let naive = (0..<2).map { row in Foundation.log((0..<3).reduce(Float(0)) { $0 + Foundation.exp(x[row, $1]) }) }
        expectClose(x.logSumExp(axis: 1).scalars, naive)
        expectClose(x.logSumExp(axis: 1).scalars[1...].map { $0 }, [3 + Foundation.log(3)])
        // The gradient is the softmax exp(x − y), finite even for huge inputs; at |x| ≈ 1000 the Float rounding of
        // y (spacing 6e-5) limits its accuracy to about 1e-4 relative, as in PyTorch's float32 rule.
        let big = Tensor([1000, 1000]).requiringGradient()
        expectClose(gradient(of: big.logSumExp(), wrt: big).scalars, [0.5, 0.5], tolerance: 1e-4)
        let moderate = Tensor([1, 2, 3]).requiringGradient()
        let total = Foundation.exp(Float(1)) + Foundation.exp(Float(2)) + Foundation.exp(Float(3))
        expectClose(
            gradient(of: moderate.logSumExp(), wrt: moderate).scalars,
            [1, 2, 3].map { Foundation.exp(Float($0)) / total }, tolerance: 1e-6)
    }
}
