import Autodiff

/// Few-shot classes made from 8×8 digit images: each digit in each of four rotations (0°, 90°, 180°, 270°) is its
/// own class, 10 × 4 = 40 classes — the augmentation Santoro et al. (2016) and Finn et al. (2017) apply to Omniglot.
///
/// Classes are split **by digit**, so no rotation of a meta-test digit is seen in meta-training (by default digits
/// 0–6 give 28 meta-training classes, 7–9 give 12 meta-test classes). Class `c` is digit `c / 4` rotated by
/// `90° · (c % 4)`. Images are 64 values in row-major order, scaled by ``pixelScale`` (the UCI set's pixels run
/// 0–16).
public struct RotatedDigitClasses: EpisodeClasses {
    /// The side of the square images.
    public static let side = 8
    /// Values per image.
    public static let pixelCount = side * side
    /// Rotations per digit.
    public static let rotationCount = 4

    /// The images of each class (index: `digit * 4 + rotation`), each 64 scaled pixels.
    public let images: [[[Float]]]
    /// The digits whose classes are used for meta-training.
    public let trainingDigits: [Int]
    /// The digits whose classes are used for meta-testing.
    public let testDigits: [Int]

    /// Builds the 40 classes from `images` (64 values each) with `labels` in 0…9.
    ///
    /// - Parameters:
    ///   - pixelScale: multiplies every pixel (1/16 maps the UCI digits to [0, 1]).
    ///   - testDigits: the digits held out for meta-testing (default 7, 8, 9).
    public init(images: [[Float]], labels: [Int], pixelScale: Float = 1.0 / 16, testDigits: [Int] = [7, 8, 9]) {
        precondition(
            images.count == labels.count, "RotatedDigitClasses: \(images.count) images, \(labels.count) labels")
        var classes = [[[Float]]](repeating: [], count: 10 * Self.rotationCount)
        for (image, label) in zip(images, labels) {
            precondition(image.count == Self.pixelCount, "RotatedDigitClasses: an image has \(image.count) values")
            precondition((0..<10).contains(label), "RotatedDigitClasses: label \(label) not in 0…9")
            var rotated = image.map { $0 * pixelScale }
            for rotation in 0..<Self.rotationCount {
                classes[label * Self.rotationCount + rotation].append(rotated)
                rotated = Self.rotatedQuarterTurn(rotated)
            }
        }
        self.images = classes
        self.testDigits = testDigits.sorted()
        self.trainingDigits = (0..<10).filter { !testDigits.contains($0) }
    }

    /// The image turned 90° clockwise: output (r, c) takes input (side − 1 − c, r).
    public static func rotatedQuarterTurn(_ image: [Float]) -> [Float] {
        var result = [Float](repeating: 0, count: pixelCount)
        for row in 0..<side {
            for column in 0..<side { result[row * side + column] = image[(side - 1 - column) * side + row] }
        }
        return result
    }

    /// The class indices of the meta-training or meta-test split.
    public func classes(forTesting: Bool) -> [Int] {
        let digits = forTesting ? testDigits : trainingDigits
        return digits.flatMap { digit in (0..<Self.rotationCount).map { digit * Self.rotationCount + $0 } }
    }

    /// An N-way K-shot episode from one split: N distinct classes relabelled 0..<N in random order, K support
    /// and `queryPerClass` query images per class, drawn without replacement within a class.
    public func sampleEpisode(
        way: Int, shot: Int, queryPerClass: Int, forTesting: Bool, using generator: inout RandomGenerator
    ) -> Episode {
        var pool = classes(forTesting: forTesting)
        precondition(
            way <= pool.count, "RotatedDigitClasses: \(way)-way episodes need \(way) classes, have \(pool.count)")
        pool.shuffle(using: &generator)
        return Episode.drawn(
            fromClasses: pool.prefix(way), rows: images, featureCount: Self.pixelCount, shot: shot,
            queryPerClass: queryPerClass, describe: { "RotatedDigitClasses: class \($0)" }, using: &generator)
    }

    /// The smallest class size (bounds K + queries per class).
    public var smallestClassSize: Int { images.map(\.count).min() ?? 0 }
}

/// N-way K-shot episodes of one split of ``RotatedDigitClasses``, as an ``EpisodeSampler``.
public typealias DigitEpisodes = ClassEpisodes<RotatedDigitClasses>
