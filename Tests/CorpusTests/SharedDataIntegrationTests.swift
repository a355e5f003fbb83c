import Corpus
import Foundation
import Testing

/// Reads third-party corpora that cannot ship with Montague (`ExternalData`); each test is skipped, with the reason,
/// when its data is absent.
@Suite("Integration on shared data")
struct SharedDataIntegrationTests {
    static let plays = [
        ("hamlet", "hamlet"), ("macbeth", "macbeth"), ("othello", "othello"), ("r_and_j", "romeo-and-juliet"),
    ]

    /// Speech count and speech count per speaker of a play read as whole speeches.
    static func speeches(_ path: String) throws -> (count: Int, bySpeaker: [String: Int], title: String?) {
        let documents = try XMLCorpusReader(contentsOfFile: path, profile: ProfileConfiguration(granularity: .speech))
            .readDocuments()
        var bySpeaker: [String: Int] = [:]
        var count = 0
        for unit in documents.flatMap(\.units) where unit.kind == .speech {
            count += 1
            bySpeaker[(unit.metadata["speaker"] ?? "").uppercased(), default: 0] += 1
        }
        return (count, bySpeaker, documents.first?.info.title)
    }

    /// The same four plays from Bosak XML (Moby text, 1990s) and TEI (Folger edition via DraCor) are two editions:
    /// speech counts agree within 1% (the Folger edition splits or merges a handful of speeches; measured: 0 or 1
    /// per play), and the speakers agree up to the editions' naming ("KING CLAUDIUS" vs "KING", "DUKE OF VENICE"
    /// vs "DUKE", "FRIAR LAURENCE" vs "FRIAR LAWRENCE"): the two most frequent speakers are identical, and at least
    /// 90% of the speakers with 20 or more speeches share a name word with a TEI speaker.
    @Test(
        "Bosak and TEI versions of four plays give the same speakers and nearly the same speeches",
        .enabled(if: ExternalData.bosakPlays.isAvailable, ExternalData.bosakPlays.absence),
        .enabled(if: ExternalData.teiDraCor.isAvailable, ExternalData.teiDraCor.absence),
        arguments: plays)
    func bosakAgainstTEI(bosakName: String, teiName: String) throws {
        let bosak = try Self.speeches(ExternalData.bosakPlays.path + "/\(bosakName).xml")
        let tei = try Self.speeches(ExternalData.teiDraCor.path + "/\(teiName).xml")
        #expect(bosak.count > 600)
        #expect(abs(bosak.count - tei.count) <= bosak.count / 100)
        let topBosak = bosak.bySpeaker.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(2).map(\.key)
        let topTEI = tei.bySpeaker.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(2).map(\.key)
        #expect(Set(topBosak) == Set(topTEI))
        let ordinals: Set<Substring> = ["FIRST", "SECOND", "THIRD", "FOURTH", "LORD", "LADY", "OF", "THE"]
        let teiWords = Set(tei.bySpeaker.keys.flatMap { $0.split(whereSeparator: { !$0.isLetter }) })
            .subtracting(ordinals)
        let frequent = bosak.bySpeaker.filter { $0.value >= 20 }.map(\.key)
        let matched = frequent.filter { name in
            name.split(whereSeparator: { !$0.isLetter }).contains { teiWords.contains($0) }
        }
        #expect(Double(matched.count) >= 0.9 * Double(frequent.count))
        #expect(bosak.title?.isEmpty == false)
        #expect(tei.title?.isEmpty == false)
    }

    @Test("Bosak lines carry act, scene and speaker (the shipped, public-domain Hamlet)")
    func bosakLines() throws {
        let documents = try XMLCorpusReader(contentsOfFile: packageRoot + "/corpora/shakespeare/hamlet.xml")
            .readDocuments()
        let lines = documents.flatMap(\.units)
        #expect(lines.count > 3000)
        let famous = try #require(lines.first { $0.text.hasPrefix("To be, or not to be") })
        #expect(famous.metadata["speaker"] == "HAMLET")
        #expect(famous.metadata["act"] == "3")
        #expect(famous.metadata["scene"] == "1")
    }

    @Test(
        "RTE: labels in attributes counted per value, the missing DTD not fetched",
        .enabled(if: ExternalData.rte.isAvailable, ExternalData.rte.absence),
        arguments: [
            ("rte1_dev.xml", "value", ["TRUE": 283, "FALSE": 284]),
            ("rte2_dev.xml", "entailment", ["YES": 210, "NO": 190]),
            ("rte3_test.xml", "entailment", ["YES": 410, "NO": 390]),
        ])
    func rte(file: String, attribute: String, expected: [String: Int]) throws {
        let specification = try GenericProfileSpecification(
            document: nil, units: ["pair/t", "pair/h"], labels: ["label=pair@\(attribute)"], metadata: ["pair@id"])
        let loader = try CorpusLoader(
            paths: [ExternalData.rte.path + "/" + file],
            options: CorpusLoadOptions(profile: ProfileConfiguration(generic: specification)))
        var counts: [String: Int] = [:]
        var hypotheses = 0
        try loader.forEachUnit { _, unit in
            guard unit.kind.rawValue == "t" else {
                hypotheses += 1
                return
            }
            counts[unit.labels["label"] ?? "none", default: 0] += 1
        }
        #expect(counts == expected)
        #expect(hypotheses == expected.values.reduce(0, +))
        // The statistics count the pair's label once per pair too.
        #expect(try CorpusStatistics.compute(loader).labels["label"] == expected)
    }

    @Test(
        "TMX: pairs per language, supplementary-plane characters, empty body, TMX 1.1 lang",
        .enabled(if: ExternalData.omegaTTMX.isAvailable, ExternalData.omegaTTMX.absence))
    func tmx() throws {
        let directory = ExternalData.omegaTTMX.path
        let multiple = try XMLCorpusReader(contentsOfFile: directory + "/test-multiple-tuv14.tmx").readDocuments()
        let units = multiple.flatMap(\.units)
        #expect(
            TranslationPairs.languageCounts(in: units) == [
                "en-us": 3, "es": 2, "es-ar": 1, "es-bo": 1, "fr-ca": 1, "fr": 2, "de": 2, "fr-fr": 1,
            ])
        let pairs = TranslationPairs.pairs(in: units, source: "EN-US", target: "de")
        #expect(pairs.map(\.target) == ["Hallo Welt!", "Es ist ein Satz in Englisch."])
        let french = TranslationPairs.pairs(in: units, source: "en-us", target: "fr-ca")
        // A no-break space before "!", as in French typography.
        #expect(french.map(\.target) == ["fr_CA Bonjour le monde\u{00A0}!"])

        let smp = try XMLCorpusReader(contentsOfFile: directory + "/test-SMP.tmx").readDocuments().flatMap(\.units)
        #expect(TranslationPairs.pairs(in: smp, source: "en", target: "be").map(\.source) == ["𝐀𝐁𝐂"])
        #expect(smp.map { $0.metadata["language"] } == ["en", "be"])

        let empty = try XMLCorpusReader(contentsOfFile: directory + "/empty.tmx").readDocuments()
        #expect(empty.count == 1)
        #expect(empty[0].units.isEmpty)
    }

    @Test(
        "TEI from DraCor: Folger line breaks, speakers and scenes",
        .enabled(if: ExternalData.teiDraCor.isAvailable, ExternalData.teiDraCor.absence))
    func teiDracor() throws {
        let documents = try XMLCorpusReader(contentsOfFile: ExternalData.teiDraCor.path + "/hamlet.xml")
            .readDocuments()
        #expect(documents.count == 1)
        #expect(documents[0].info.title == "Hamlet")
        let units = documents[0].units
        #expect(units.first?.text == "Who’s there?")
        #expect(units.first?.metadata["speaker"] == "BARNARDO")
        #expect(units.first?.metadata["act"] == "1")
        #expect(units.first?.metadata["scene"] == "1")
    }

    @Test(
        "a directory with a malformed file: stop at it, or skip it and report it",
        .enabled(if: ExternalData.omegaTMalformed.isAvailable, ExternalData.omegaTMalformed.absence))
    func skipBadFiles() throws {
        let directory = try makeTemporaryDirectory()
        try writeFixture(ProfileTests.bosak, named: "a-good.xml", in: directory)
        // Not well-formed late in the file, after units were already read: must not be used in part.
        let bad = try writeFixture(
            "<TEI><text><body>\n<p>early</p>\n<p>broken</l>\n</body></text></TEI>",
            named: "b-bad.xml", in: directory)
        // Well-formed up to line 85, but not a format Montague knows (DocBook) and not well-formed either.
        let docbookText = try String(
            contentsOfFile: ExternalData.omegaTMalformed.path + "/docbook-tag-mismatch.xml",
            encoding: .utf8)
        let docbook = try writeFixture(docbookText, named: "b-docbook.xml", in: directory)
        try writeFixture("<TEI><text><body><p>late</p></body></text></TEI>", named: "c-good.tei", in: directory)
        try writeFixture("not a corpus", named: "README", in: directory)

        let strict = try CorpusLoader(paths: [directory])
        #expect(strict.files.map(baseNameOf) == ["a-good.xml", "b-bad.xml", "b-docbook.xml", "c-good.tei"])
        let error = corpusError { try strict.forEachUnit { _, _ in } }
        #expect(error?.description == bad + ":3:14: error: Opening and ending tag mismatch: p line 3 and l")

        let lenient = try CorpusLoader(paths: [directory], options: CorpusLoadOptions(skipBadFiles: true))
        var texts: [String] = []
        let report = try lenient.forEachUnit { _, unit in texts.append(unit.text) }
        #expect(report.skipped.map(\.file) == [bad, docbook])
        #expect(report.skipped.map(\.kind) == [.notWellFormed, .unexpectedStructure])
        #expect(report.filesRead.map(baseNameOf) == ["a-good.xml", "c-good.tei"])
        #expect(report.formats.values.sorted() == ["bosak", "tei"])
        #expect(texts == ["The air bites shrewdly;", "it is very cold.", "It is.", "late"])
    }

    @Test(
        "plain text: a sentence per line, the label from the file's extension",
        .enabled(if: ExternalData.yelp.isAvailable, ExternalData.yelp.absence))
    func plainText() throws {
        let options = CorpusLoadOptions(plainText: PlainTextOptions(labelFromExtension: "sentiment"))
        let loader = try CorpusLoader(
            paths: [
                ExternalData.yelp.path + "/sentiment.dev.0",
                ExternalData.yelp.path + "/sentiment.dev.1",
            ], options: options)
        var counts: [String: Int] = [:]
        var first: TextUnit?
        let report = try loader.forEachUnit { _, unit in
            if first == nil { first = unit }
            counts[unit.labels["sentiment"] ?? "-", default: 0] += 1
        }
        #expect(counts == ["0": 2000, "1": 2000])
        #expect(first?.text == "windows have n't been cleaned in years you can see scum on them .")
        #expect(first?.kind == .sentence)
        #expect(report.formats.values.allSatisfy { $0 == "text" })
    }

    @Test(
        "DocBook with an internal entity and a DOCTYPE naming a remote DTD",
        .enabled(if: ExternalData.omegaTDocBook.isAvailable, ExternalData.omegaTDocBook.absence))
    func internalEntity() throws {
        let specification = try GenericProfileSpecification(units: ["book/chapter"])
        let units = try XMLCorpusReader(
            contentsOfFile: ExternalData.omegaTDocBook.path,
            profile: ProfileConfiguration(generic: specification)
        ).readDocuments()
            .flatMap(\.units)
        #expect(units.first?.text == "My String")
    }
}

func baseNameOf(_ path: String) -> String { URL(fileURLWithPath: path).lastPathComponent }

@Suite("Shipped corpora")
struct ShippedCorporaTests {
    @Test("corpora/shakespeare: two public-domain Bosak plays that load")
    func shakespeare() throws {
        let loader = try CorpusLoader(paths: [packageRoot + "/corpora/shakespeare"])
        #expect(loader.files.map(baseNameOf) == ["hamlet.xml", "macbeth.xml"])
        let (documents, report) = try loader.readDocuments()
        #expect(report.formats.values.allSatisfy { $0 == "bosak" })
        #expect(documents.map(\.info.title) == ["The Tragedy of Hamlet, Prince of Denmark", "The Tragedy of Macbeth"])
        #expect(documents.allSatisfy { $0.units.count > 2000 })
    }
}
