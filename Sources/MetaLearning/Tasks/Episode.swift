import Autodiff

/// The targets of one side (support or query) of an ``Episode``: real values to regress or class labels.
public enum EpisodeTargets: Sendable {
    /// Regression targets `[n, outputs]`, scored by mean squared error.
    case values(Tensor)
    /// Class indices in `0..<classCount`, scored by cross-entropy on logits `[n, classCount]`.
    case classes([Int], classCount: Int)

    /// The loss of `output` (predictions or logits) against these targets: mean squared error or cross-entropy.
    public func loss(of output: Tensor) -> Tensor {
        switch self {
        case .values(let values): meanSquaredError(output, values)
        case .classes(let labels, _): crossEntropy(logits: output, targets: labels)
        }
    }

    /// Number of examples.
    public var count: Int {
        switch self {
        case .values(let values): values.shape.first ?? 0
        case .classes(let labels, _): labels.count
        }
    }

    /// Fraction of rows of `logits` whose arg-max is the label (classification), or nil for regression.
    public func accuracy(of logits: Tensor) -> Double? {
        guard case .classes(let labels, _) = self, !labels.isEmpty else { return nil }
        let columns = logits.shape[1]
        var correct = 0
        logits.scalars.withUnsafeBufferPointer { values in
            for (row, label) in labels.enumerated() {
                var best = 0
                for column in 1..<columns where values[row * columns + column] > values[row * columns + best] {
                    best = column
                }
                if best == label { correct += 1 }
            }
        }
        return Double(correct) / Double(labels.count)
    }
}

/// One few-shot task: a support set to adapt on and a query set to score the adapted model (Finn et al. 2017;
/// Vinyals et al. 2016 call them episodes).
public struct Episode: Sendable {
    /// Support inputs `[nₛ, features]`.
    public var supportInputs: Tensor
    /// Support targets.
    public var supportTargets: EpisodeTargets
    /// Query inputs `[n_q, features]`.
    public var queryInputs: Tensor
    /// Query targets.
    public var queryTargets: EpisodeTargets

    /// An episode of the given sets.
    public init(
        supportInputs: Tensor, supportTargets: EpisodeTargets, queryInputs: Tensor, queryTargets: EpisodeTargets
    ) {
        precondition(
            supportInputs.shape.first == supportTargets.count && queryInputs.shape.first == queryTargets.count,
            "Episode: inputs \(supportInputs.shape)/\(queryInputs.shape) do not match the target counts")
        self.supportInputs = supportInputs
        self.supportTargets = supportTargets
        self.queryInputs = queryInputs
        self.queryTargets = queryTargets
    }
}

/// A source of few-shot episodes: sinusoids, rotated digits.
public protocol EpisodeSampler {
    /// Draws one episode.
    func sampleEpisode(using generator: inout RandomGenerator) -> Episode
}

extension Episode {
    /// An episode over the chosen classes (in episode-label order): from each class's feature rows, `shot` support
    /// and `queryPerClass` query rows drawn without replacement by a partial Fisher–Yates shuffle — the sampling of
    /// Vinyals et al. 2016's N-way K-shot episodes that the digit and text tasks share.
    ///
    /// - Precondition: every chosen class has at least `shot + queryPerClass` rows, each of `featureCount` values.
    static func drawn(
        fromClasses chosen: some Sequence<Int>, rows: [[[Float]]], featureCount: Int, shot: Int,
        queryPerClass: Int, describe: (Int) -> String, using generator: inout RandomGenerator
    ) -> Episode {
        var support: [Float] = []
        var query: [Float] = []
        var supportLabels: [Int] = []
        var queryLabels: [Int] = []
        var way = 0
        for (label, classIndex) in chosen.enumerated() {
            way += 1
            let members = rows[classIndex]
            precondition(
                members.count >= shot + queryPerClass,
                "\(describe(classIndex)) has \(members.count) examples, need \(shot + queryPerClass)")
            var order = Array(members.indices)
            for i in 0..<(shot + queryPerClass) {
                let j = i + generator.nextInt(below: order.count - i)
                order.swapAt(i, j)
            }
            for i in 0..<shot {
                support += members[order[i]]
                supportLabels.append(label)
            }
            for i in shot..<(shot + queryPerClass) {
                query += members[order[i]]
                queryLabels.append(label)
            }
        }
        return Episode(
            supportInputs: Tensor(shape: [supportLabels.count, featureCount], scalars: support),
            supportTargets: .classes(supportLabels, classCount: way),
            queryInputs: Tensor(shape: [queryLabels.count, featureCount], scalars: query),
            queryTargets: .classes(queryLabels, classCount: way))
    }
}

/// Classes split into meta-training and meta-test groups that draw N-way K-shot episodes (rotated digits, texts by
/// speaker, …).
public protocol EpisodeClasses: Sendable {
    /// An N-way K-shot episode from one split: `way` distinct classes relabelled 0..<N in random order, `shot`
    /// support and `queryPerClass` query members per class, drawn without replacement within a class.
    func sampleEpisode(
        way: Int, shot: Int, queryPerClass: Int, forTesting: Bool, using generator: inout RandomGenerator
    ) -> Episode
}

/// N-way K-shot episodes of one split of some ``EpisodeClasses``, as an ``EpisodeSampler`` (Vinyals et al. 2016's
/// episodic training).
public struct ClassEpisodes<Classes: EpisodeClasses>: EpisodeSampler, Sendable {
    /// The classes.
    public let classes: Classes
    /// N, classes per episode.
    public let way: Int
    /// K, support members per class.
    public let shot: Int
    /// Query members per class.
    public let queryPerClass: Int
    /// Whether episodes come from the meta-test split.
    public let forTesting: Bool

    /// Episodes of the given shape.
    public init(classes: Classes, way: Int, shot: Int, queryPerClass: Int, forTesting: Bool) {
        self.classes = classes
        self.way = way
        self.shot = shot
        self.queryPerClass = queryPerClass
        self.forTesting = forTesting
    }

    /// Draws one episode.
    public func sampleEpisode(using generator: inout RandomGenerator) -> Episode {
        classes.sampleEpisode(
            way: way, shot: shot, queryPerClass: queryPerClass, forTesting: forTesting, using: &generator)
    }
}
