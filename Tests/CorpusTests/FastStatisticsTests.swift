import Corpus
import Foundation
import Testing

/// `CorpusStatistics.compute` and `Vocabulary.build` stream borrowed units and intern tokens from their bytes; here
/// they are checked against the plain computation over owned units and `[String]` tokens, on real corpora of every
/// kind the loader reads (Bosak and TEI plays, RTE labels in attributes, TMX, plain text with a label per file).
@Suite("Statistics and vocabularies on the fast path")
struct FastStatisticsTests {
    /// The statistics computed the plain way from `loader.readDocuments()`.
    static func referenceStatistics(_ loader: CorpusLoader, _ tokenizer: Tokenizer) throws -> CorpusStatistics {
        let (documents, report) = try loader.readDocuments()
        var statistics = CorpusStatistics()
        statistics.files = report.filesRead.count
        statistics.documents = documents.count
        var types = Set<String>()
        var bins: [Int: Int] = [:]
        var previousPair: String?
        for unit in documents.flatMap(\.units) {
            let tokens = CorpusExporter.tokens(of: unit, tokenizer)
            statistics.units += 1
            statistics.tokens += tokens.count
            statistics.characters += unit.text.unicodeScalars.count
            statistics.maximumLength = max(statistics.maximumLength, tokens.count)
            types.formUnion(tokens)
            statistics.kinds[unit.kind.rawValue, default: 0] += 1
            // An RTE pair's label counts once for its text and hypothesis (the pair's id is the units' `id`).
            let pair = unit.metadata["id"]
            if pair == nil || pair != previousPair {
                for (name, value) in unit.labels { statistics.labels[name, default: [:]][value, default: 0] += 1 }
            }
            previousPair = pair
            let bin = tokens.isEmpty ? 0 : Int.bitWidth - tokens.count.leadingZeroBitCount
            bins[bin, default: 0] += 1
        }
        statistics.types = types.count
        statistics.lengthHistogram = bins.keys.sorted().map { bin in
            CorpusStatistics.LengthBin(
                lowerBound: bin == 0 ? 0 : 1 << (bin - 1), upperBound: bin == 0 ? 0 : (1 << bin) - 1,
                count: bins[bin] ?? 0)
        }
        return statistics
    }

    /// RTE needs its format described (labels in attributes); the others are detected.
    static func loader(_ paths: [String]) throws -> CorpusLoader {
        guard paths.contains(where: { $0.contains("/rte/") }) else { return try CorpusLoader(paths: paths) }
        let specification = try GenericProfileSpecification(
            document: nil, units: ["pair/t", "pair/h"], labels: ["label=pair@value"], metadata: ["pair@id"])
        return try CorpusLoader(
            paths: paths, options: CorpusLoadOptions(profile: ProfileConfiguration(generic: specification)))
    }

    /// The shipped public-domain plays: always compared.
    static let shippedCorpora: [[String]] = [
        [packageRoot + "/corpora/shakespeare/hamlet.xml", packageRoot + "/corpora/shakespeare/macbeth.xml"]
    ]

    /// The external corpora that are present (TEI, RTE labels in attributes, TMX, plain text with a label per file).
    static var externalCorpora: [[String]] {
        [
            (ExternalData.teiDraCor, [ExternalData.teiDraCor.path + "/macbeth.xml"]),
            (ExternalData.rte, [ExternalData.rte.path + "/rte1_dev.xml"]),
            (ExternalData.omegaTTMX, [ExternalData.omegaTTMX.path]),
            (
                ExternalData.yelp,
                [ExternalData.yelp.path + "/sentiment.dev.0", ExternalData.yelp.path + "/sentiment.dev.1"]
            ),
        ].filter { $0.0.isAvailable }.map(\.1)
    }

    static let someExternalCorpus = [ExternalData.teiDraCor, .rte, .omegaTTMX, .yelp].contains { $0.isAvailable }

    @Test("statistics equal the plain computation on the shipped plays", arguments: shippedCorpora)
    func shippedStatisticsMatch(paths: [String]) throws {
        try statisticsMatch(paths: paths)
    }

    @Test(
        "statistics equal the plain computation on the external corpora",
        .enabled(if: someExternalCorpus, "needs the external test data (TEI, RTE, TMX, Yelp; not shipped: licence)"),
        arguments: externalCorpora)
    func statisticsMatch(paths: [String]) throws {
        let loader = try Self.loader(paths)
        for tokenizer in [Tokenizer(), Tokenizer(isLowercasing: true, normalizesNumbers: true, contractions: .keep)] {
            let fast = try CorpusStatistics.compute(loader, tokenizer: tokenizer)
            let reference = try Self.referenceStatistics(loader, tokenizer)
            #expect(fast == reference)
            #expect(fast.units > 0 && fast.types > 0)
            if paths[0].contains("/rte/") { #expect(fast.labels["label"]?.count == 2) }
        }
    }

    @Test(
        "a vocabulary built on the fast path counts what the plain tokens count",
        arguments: shippedCorpora + externalCorpora)
    func vocabularyMatches(paths: [String]) throws {
        let loader = try Self.loader(paths)
        let tokenizer = Tokenizer(isLowercasing: true)
        let (vocabulary, _, total) = try Vocabulary.build(from: loader, tokenizer: tokenizer, minimumCount: 2)
        var counts: [String: Int] = [:]
        for unit in try loader.readDocuments().documents.flatMap(\.units) {
            for token in CorpusExporter.tokens(of: unit, tokenizer) { counts[token, default: 0] += 1 }
        }
        #expect(total == counts.values.reduce(0, +))
        #expect(vocabulary == Vocabulary(counts: counts, minimumCount: 2))
    }

    @Test("the README's streaming example counts the tokens and types the statistics count")
    func readmeExample() throws {
        let tokenizer = Tokenizer()
        let corpus = packageRoot + "/corpora/shakespeare/"
        // As in README.md, "Loading a corpus".
        var dictionary = TokenDictionary()
        var tokens = 0
        try CorpusLoader(paths: [corpus]).forEachBorrowedUnit { document, unit in
            tokenizer.forEachTokenID(in: unit.utf8Text, interningInto: &dictionary) { _ in tokens += 1 }
        }
        let statistics = try CorpusStatistics.compute(try CorpusLoader(paths: [corpus]), tokenizer: tokenizer)
        #expect(tokens == statistics.tokens && tokens > 10_000)
        #expect(dictionary.count == statistics.types)
    }

    @Test("documents without units count, through the borrowed stream's document callback")
    func emptyDocuments() throws {
        let directory = try makeTemporaryDirectory()
        let path = try writeFixture(
            """
            <teiCorpus xmlns="http://www.tei-c.org/ns/1.0">
            <TEI><text><body><p>One.</p></body></text></TEI>
            <TEI><text><body/></text></TEI>
            <TEI><text><body><p>Two.</p></body></text></TEI>
            </teiCorpus>
            """, named: "three.xml", in: directory)
        var starts: [String] = []
        var units: [String] = []
        try CorpusLoader(paths: [path]).forEachBorrowedUnit(
            onDocument: { starts.append($0.identifier) },
            { document, unit in units.append(document.identifier + ":" + unit.text) })
        #expect(starts == ["three.xml#1", "three.xml#2", "three.xml#3"])
        #expect(units == ["three.xml#1:One.", "three.xml#3:Two."])
        #expect(try CorpusStatistics.compute(try CorpusLoader(paths: [path])).documents == 3)
    }
}
