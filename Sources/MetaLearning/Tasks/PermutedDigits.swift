import Autodiff

/// Permuted-pixel digit tasks for continual learning (Goodfellow et al. 2013; Kirkpatrick et al. 2017 use them on
/// MNIST): task 0 is the digits as they are, task t > 0 applies one fixed random permutation to the 64 pixels. All
/// tasks share the ten labels, so one network with one output layer must solve every task.
public struct PermutedDigits: Sendable {
    /// One task's data.
    public struct Task: Sendable {
        /// The pixel permutation: output pixel p is input pixel `permutation[p]`.
        public let permutation: [Int]
        /// Training images `[n, 64]` and labels.
        public let trainInputs: Tensor
        /// Training labels.
        public let trainLabels: [Int]
        /// Test images and labels.
        public let testInputs: Tensor
        /// Test labels.
        public let testLabels: [Int]
    }

    /// The tasks, in training order.
    public let tasks: [Task]

    /// `taskCount` tasks over `images` (64 values each, scaled by `pixelScale`) and `labels`; the first
    /// `trainFraction` of the images (in the given order) train, the rest test. Permutations come from `seed`.
    public init(
        images: [[Float]], labels: [Int], taskCount: Int, trainFraction: Double = 0.8, pixelScale: Float = 1.0 / 16,
        seed: UInt64
    ) {
        precondition(images.count == labels.count && images.count >= 2, "PermutedDigits: \(images.count) images")
        precondition(taskCount >= 1, "PermutedDigits: taskCount \(taskCount)")
        let pixels = images.first?.count ?? 0
        let trainCount = min(max(1, Int(Double(images.count) * trainFraction)), images.count - 1)
        var generator = RandomGenerator(seed: seed)
        var tasks: [Task] = []
        for index in 0..<taskCount {
            var permutation = Array(0..<pixels)
            if index > 0 { permutation.shuffle(using: &generator) }
            func tensor(_ range: Range<Int>) -> Tensor {
                var scalars: [Float] = []
                scalars.reserveCapacity(range.count * pixels)
                for i in range {
                    precondition(images[i].count == pixels, "PermutedDigits: image \(i) has \(images[i].count) values")
                    for p in permutation { scalars.append(images[i][p] * pixelScale) }
                }
                return Tensor(shape: [range.count, pixels], scalars: scalars)
            }
            tasks.append(
                Task(
                    permutation: permutation, trainInputs: tensor(0..<trainCount),
                    trainLabels: Array(labels[0..<trainCount]), testInputs: tensor(trainCount..<images.count),
                    testLabels: Array(labels[trainCount...])))
        }
        self.tasks = tasks
    }
}
