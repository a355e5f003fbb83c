import Autodiff

/// One short text with its class (e.g. the character who speaks it) and its group (e.g. the play), for few-shot
/// text classification.
public struct LabelledText: Sendable, Equatable {
    /// The text.
    public var text: String
    /// The class name.
    public var label: String
    /// The group the class belongs to; the meta-train/meta-test split is made by group.
    public var group: String

    /// A labelled text.
    public init(text: String, label: String, group: String) {
        self.text = text
        self.label = label
        self.group = group
    }
}

/// A bag-of-embeddings text encoder's input: the text's lower-cased words and adjacent word pairs, hashed (FNV-1a)
/// into `dimension` buckets, the counts scaled to unit Euclidean length (so long and short texts are comparable and
/// squared distances between texts are 2 − 2·cosine).
///
/// A linear layer on these features is an embedding table over hashed n-grams followed by normalized sum pooling —
/// the "bag of tricks" encoder of Joulin et al., "Bag of Tricks for Efficient Text Classification" (EACL 2017), with
/// the hashing trick of Weinberger et al. (ICML 2009) — so an MLP over them is a bag-of-embeddings encoder.
public struct HashedBagOfNGrams: Sendable, Equatable {
    /// The number of hash buckets (the width of the features).
    public let dimension: Int

    /// An encoder input of `dimension` buckets.
    public init(dimension: Int) {
        precondition(dimension > 0, "HashedBagOfNGrams: dimension \(dimension)")
        self.dimension = dimension
    }

    /// The lower-cased words of `text`: maximal runs of letters, digits and apostrophes.
    public static func words(_ text: String) -> [String] {
        var result: [String] = []
        var current = ""
        for character in text.lowercased() {
            if character.isLetter || character.isNumber || character == "'" {
                current.append(character)
            } else if !current.isEmpty {
                result.append(current)
                current = ""
            }
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    /// The bucket counts of the text's words and word pairs, scaled to unit length (all zeros for a text without
    /// words).
    public func features(_ text: String) -> [Float] {
        let tokens = Self.words(text)
        var result = [Float](repeating: 0, count: dimension)
        var grams: [String] = tokens
        if tokens.count > 1 { for i in 1..<tokens.count { grams.append(tokens[i - 1] + " " + tokens[i]) } }
        guard !grams.isEmpty else { return result }
        for gram in grams { result[Int(Self.hash(gram) % UInt64(dimension))] += 1 }
        let norm = result.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return result.map { $0 / norm }
    }

    /// 64-bit FNV-1a of the UTF-8 bytes (stable across runs and platforms, unlike `Hasher`).
    static func hash(_ text: String) -> UInt64 {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            value ^= UInt64(byte)
            value = value &* 0x100_0000_01b3
        }
        return value
    }
}

/// Few-shot text classification classes: every (group, label) pair with enough texts is a class, encoded with a
/// ``HashedBagOfNGrams``; the groups are split so no class of a meta-test group is seen in meta-training (e.g.
/// the speakers of held-out plays: "who says this line?" from K examples of each speaker's lines).
public struct TextClasses: EpisodeClasses {
    /// The feature vectors of each class's texts.
    public let members: [[[Float]]]
    /// The class names (`group/label`).
    public let names: [String]
    /// Whether each class is in the meta-test split.
    public let isTestClass: [Bool]
    /// The encoder input.
    public let encoder: HashedBagOfNGrams

    /// Classes from `texts`, keeping (group, label) pairs with at least `minimumCount` texts; the groups in
    /// `testGroups` form the meta-test split, the others meta-training.
    public init(texts: [LabelledText], encoder: HashedBagOfNGrams, minimumCount: Int, testGroups: Set<String>) {
        var byClass: [String: [String]] = [:]
        var order: [String] = []
        var groupOf: [String: String] = [:]
        for text in texts {
            let key = text.group + "/" + text.label
            if byClass[key] == nil {
                order.append(key)
                groupOf[key] = text.group
            }
            byClass[key, default: []].append(text.text)
        }
        let kept = order.filter { (byClass[$0]?.count ?? 0) >= minimumCount }
        names = kept
        members = kept.map { key in (byClass[key] ?? []).map(encoder.features) }
        isTestClass = kept.map { testGroups.contains(groupOf[$0] ?? "") }
        self.encoder = encoder
    }

    /// The class indices of one split.
    public func classes(forTesting: Bool) -> [Int] { names.indices.filter { isTestClass[$0] == forTesting } }

    /// The default split of sorted group names: the last quarter (at least one group) for meta-testing.
    public static func defaultTestGroups(_ groups: [String]) -> Set<String> {
        let sorted = Array(Set(groups)).sorted()
        guard sorted.count > 1 else { return [] }
        return Set(sorted.suffix(max(1, sorted.count / 4)))
    }

    /// An N-way K-shot episode from one split, classes relabelled 0..<N in random order, members drawn without
    /// replacement.
    public func sampleEpisode(
        way: Int, shot: Int, queryPerClass: Int, forTesting: Bool, using generator: inout RandomGenerator
    ) -> Episode {
        var pool = classes(forTesting: forTesting)
        precondition(way <= pool.count, "TextClasses: \(way)-way episodes need \(way) classes, have \(pool.count)")
        for i in 0..<way {
            let j = i + generator.nextInt(below: pool.count - i)
            pool.swapAt(i, j)
        }
        return Episode.drawn(
            fromClasses: pool.prefix(way), rows: members, featureCount: encoder.dimension, shot: shot,
            queryPerClass: queryPerClass, describe: { "TextClasses: class \(names[$0])" }, using: &generator)
    }
}

/// N-way K-shot episodes of one split of ``TextClasses``, as an ``EpisodeSampler``.
public typealias TextEpisodes = ClassEpisodes<TextClasses>
