/// Elementwise arithmetic with NumPy broadcasting. Each op sits beside its backward rule; the rules reduce the
/// gradient back to each operand's shape with ``Tensor/sumToShape(_:)``.
extension Tensor {
    @inlinable
    static func broadcastShape(_ a: Tensor, _ b: Tensor, op: String) -> [Int] {
        guard let shape = Broadcasting.shape(a.shape, b.shape) else {
            preconditionFailure("\(op): shapes \(a.shape) and \(b.shape) do not broadcast")
        }
        return shape
    }

    /// `a + b`, broadcasting.
    @inlinable
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        let shape = broadcastShape(a, b, op: "add")
        return recorded("add", shape: shape, scalars: Kernels.binary(a, b, outputShape: shape, +), inputs: [a, b]) {
            g, inputs, _ in
            [g.sumToShape(inputs[0].shape), g.sumToShape(inputs[1].shape)]
        }
    }

    /// `a - b`, broadcasting.
    @inlinable
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        let shape = broadcastShape(a, b, op: "subtract")
        return recorded(
            "subtract", shape: shape, scalars: Kernels.binary(a, b, outputShape: shape, -),
            inputs: [a, b]
        ) { g, inputs, _ in
            [g.sumToShape(inputs[0].shape), (-g).sumToShape(inputs[1].shape)]
        }
    }

    /// `a * b` elementwise (Hadamard), broadcasting.
    @inlinable
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        let shape = broadcastShape(a, b, op: "multiply")
        return recorded(
            "multiply", shape: shape, scalars: Kernels.binary(a, b, outputShape: shape, *),
            inputs: [a, b]
        ) { g, inputs, _ in
            [
                inputs[0].isGradientNeeded ? (g * inputs[1]).sumToShape(inputs[0].shape) : nil,
                inputs[1].isGradientNeeded ? (g * inputs[0]).sumToShape(inputs[1].shape) : nil,
            ]
        }
    }

    /// `a / b` elementwise, broadcasting. d(a/b)/db = −a/b².
    @inlinable
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        let shape = broadcastShape(a, b, op: "divide")
        return recorded(
            "divide", shape: shape, scalars: Kernels.binary(a, b, outputShape: shape, /),
            inputs: [a, b]
        ) { g, inputs, _ in
            let (a, b) = (inputs[0], inputs[1])
            return [
                a.isGradientNeeded ? (g / b).sumToShape(a.shape) : nil,
                b.isGradientNeeded ? (-(g * a) / (b * b)).sumToShape(b.shape) : nil,
            ]
        }
    }

    /// `-x`.
    @inlinable
    public static prefix func - (x: Tensor) -> Tensor {
        recorded("negate", shape: x.shape, scalars: Kernels.unary(x.scalars) { -$0 }, inputs: [x]) { g, _, _ in [-g] }
    }

    /// `x + c` for a constant.
    @inlinable
    public static func + (x: Tensor, c: Float) -> Tensor {
        recorded("addScalar", shape: x.shape, scalars: Kernels.unary(x.scalars) { $0 + c }, inputs: [x]) { g, _, _ in
            [g]
        }
    }

    /// `c + x` for a constant.
    @inlinable public static func + (c: Float, x: Tensor) -> Tensor { x + c }
    /// `x - c` for a constant.
    @inlinable public static func - (x: Tensor, c: Float) -> Tensor { x + (-c) }
    /// `c - x` for a constant.
    @inlinable public static func - (c: Float, x: Tensor) -> Tensor { (-x) + c }

    /// `x * c` for a constant.
    @inlinable
    public static func * (x: Tensor, c: Float) -> Tensor {
        recorded("multiplyScalar", shape: x.shape, scalars: Kernels.unary(x.scalars) { $0 * c }, inputs: [x]) {
            g, _, _ in [g * c]
        }
    }

    /// `c * x` for a constant.
    @inlinable public static func * (c: Float, x: Tensor) -> Tensor { x * c }
    /// `x / c` for a constant.
    @inlinable public static func / (x: Tensor, c: Float) -> Tensor { x * (1 / c) }

    /// `c / x` for a constant.
    @inlinable
    public static func / (c: Float, x: Tensor) -> Tensor {
        recorded("reciprocalScaled", shape: x.shape, scalars: Kernels.unary(x.scalars) { c / $0 }, inputs: [x]) {
            g, inputs, output in [-(g * output) / inputs[0]]
        }
    }

    /// In-place style sugar: `x += y` rebinds `x` to `x + y` (the tape sees a new op, nothing is mutated).
    @inlinable public static func += (x: inout Tensor, y: Tensor) { x = x + y }
    /// `x -= y` rebinds `x` to `x - y`.
    @inlinable public static func -= (x: inout Tensor, y: Tensor) { x = x - y }
    /// `x *= y` rebinds `x` to `x * y`.
    @inlinable public static func *= (x: inout Tensor, y: Tensor) { x = x * y }
    /// `x /= y` rebinds `x` to `x / y`.
    @inlinable public static func /= (x: inout Tensor, y: Tensor) { x = x / y }
}
