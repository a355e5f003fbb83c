import Testing

@testable import Corpus

@Suite("Format profiles on fixtures")
struct ProfileTests {
    static let tei = """
        <?xml version="1.0" encoding="UTF-8"?>
        <TEI xmlns="http://www.tei-c.org/ns/1.0" xml:id="mini">
          <teiHeader><fileDesc><titleStmt><title>A Mini Play</title></titleStmt></fileDesc></teiHeader>
          <text><body>
            <div type="act" n="1"><head>ACT 1</head>
              <div type="scene" n="2">
                <stage>Enter Hamlet.</stage>
                <sp who="#Hamlet" xml:id="sp-1"><speaker>HAMLET</speaker>
                  <l n="1.2.1">To be, or <hi>not</hi> to be:<note>famous</note></l>
                  <l n="1.2.2">that is the <stage>aside</stage>question.</l>
                </sp>
                <sp who="#Ophelia"><speaker>OPHELIA</speaker>
                  <p><lb n="1"/>Good my lord,<lb n="2"/>how does your honour?</p>
                </sp>
              </div>
            </div>
            <div type="act" n="2">
              <p><s ana="#style=modern">He left.</s> <s>She <w lemma="stay" pos="vvd">stayed</w><pc>.</pc></s></p>
            </div>
          </body></text>
        </TEI>
        """

    @Test("TEI: title, acts and scenes, speeches, speakers, lines, skipped notes and stage directions")
    func teiLines() throws {
        let documents = try documents(Self.tei, name: "mini.xml")
        let document = try #require(documents.first)
        #expect(documents.count == 1)
        #expect(document.info.identifier == "mini")
        #expect(document.info.title == "A Mini Play")
        #expect(
            document.units.map(\.text) == [
                "To be, or not to be:", "that is the question.", "Good my lord, how does your honour?", "He left.",
                "She stayed.",
            ])
        let first = document.units[0]
        #expect(first.kind == .line)
        #expect(first.metadata["act"] == "1")
        #expect(first.metadata["scene"] == "2")
        #expect(first.metadata["speaker"] == "HAMLET")
        #expect(first.metadata["who"] == "#Hamlet")
        #expect(first.metadata["speech"] == "sp-1")
        #expect(first.metadata["n"] == "1.2.1")
        #expect(first.position == SourcePosition(file: "mini.xml", line: 9))
        #expect(document.units[2].kind == .paragraph)
        #expect(document.units[2].metadata["speaker"] == "OPHELIA")
        #expect(document.units[3].kind == .sentence)
        #expect(document.units[3].labels == ["style": "modern"])
        #expect(document.units[3].metadata["act"] == "2")
        #expect(document.units[3].metadata["scene"] == nil)
        #expect(
            document.units[4].tokens == [
                MarkedToken(form: "stayed", lemma: "stay", partOfSpeech: "vvd"), MarkedToken(form: "."),
            ])
    }

    @Test("TEI: whole speeches, stage directions and headings on request")
    func teiSpeeches() throws {
        let profile = ProfileConfiguration(granularity: .speech, includeStageDirections: true, includeHeadings: true)
        let units = try units(Self.tei, profile: profile)
        #expect(
            units.map(\.kind) == [.heading, .stageDirection, .stageDirection, .speech, .speech, .sentence, .sentence])
        #expect(units[3].text == "To be, or not to be: that is the question.")
        #expect(units[3].metadata["speaker"] == "HAMLET")
        #expect(units[2].text == "aside")
    }

    @Test("TEI corpus: one document per TEI element, P4 without namespace too")
    func teiCorpus() throws {
        let xml = """
            <teiCorpus xmlns="http://www.tei-c.org/ns/1.0">
              <teiHeader><fileDesc><titleStmt><title>Corpus</title></titleStmt></fileDesc></teiHeader>
              <TEI><teiHeader><fileDesc><titleStmt><title>One</title></titleStmt></fileDesc></teiHeader>
                <text><body><p>first</p></body></text></TEI>
              <TEI><teiHeader><fileDesc><titleStmt><title>Two</title></titleStmt></fileDesc></teiHeader>
                <text><body><p>second</p></body></text></TEI>
            </teiCorpus>
            """
        let documents = try documents(xml)
        #expect(documents.map(\.info.title) == ["One", "Two"])
        #expect(documents.map { $0.units.map(\.text) } == [["first"], ["second"]])
        let p4 = try units("<TEI.2><text><body><p>old</p></body></text></TEI.2>")
        #expect(p4.map(\.text) == ["old"])
    }

    static let bosak = """
        <?xml version="1.0"?>
        <!DOCTYPE PLAY SYSTEM "play.dtd">
        <PLAY><TITLE>The Tragedy of Mini</TITLE>
        <FM><P>Public domain.</P></FM>
        <PERSONAE><TITLE>Dramatis Personae</TITLE><PERSONA>HAMLET</PERSONA></PERSONAE>
        <ACT><TITLE>ACT I</TITLE>
        <SCENE><TITLE>SCENE IV.  The platform.</TITLE>
        <STAGEDIR>Enter HAMLET</STAGEDIR>
        <SPEECH><SPEAKER>HAMLET</SPEAKER>
        <LINE>The air bites shrewdly;</LINE>
        <LINE><STAGEDIR>Aside</STAGEDIR>it is very cold.</LINE>
        </SPEECH>
        <SPEECH><SPEAKER>HORATIO</SPEAKER><SPEAKER>MARCELLUS</SPEAKER><LINE>It is.</LINE></SPEECH>
        </SCENE></ACT></PLAY>
        """

    @Test("Bosak: play title, act and scene numbers, speakers, lines")
    func bosak() throws {
        let documents = try documents(Self.bosak, name: "mini-play.xml")
        let play = try #require(documents.first)
        #expect(play.info.title == "The Tragedy of Mini")
        #expect(play.units.map(\.text) == ["The air bites shrewdly;", "it is very cold.", "It is."])
        #expect(play.units.allSatisfy { $0.kind == .line && $0.metadata["act"] == "1" && $0.metadata["scene"] == "4" })
        #expect(play.units[0].metadata["sceneTitle"] == "SCENE IV. The platform.")
        #expect(play.units.map { $0.metadata["speaker"] } == ["HAMLET", "HAMLET", "HORATIO/MARCELLUS"])
        #expect(play.units.map { $0.metadata["speech"] } == ["1", "1", "2"])
        let speeches = try units(Self.bosak, profile: ProfileConfiguration(granularity: .speech))
        #expect(speeches.map(\.text) == ["The air bites shrewdly; it is very cold.", "It is."])
    }

    @Test("roman numerals in Bosak titles")
    func romanNumerals() {
        #expect(BosakPlayProfile.number(in: "ACT IV", after: "ACT") == "4")
        #expect(BosakPlayProfile.number(in: "SCENE XIV. A room.", after: "SCENE") == "14")
        #expect(BosakPlayProfile.number(in: "PROLOGUE", after: "SCENE") == nil)
    }

    static let tmx = """
        <?xml version="1.0" encoding="UTF-8"?>
        <!DOCTYPE tmx SYSTEM "tmx14.dtd">
        <tmx version="1.4"><header srclang="en" datatype="plaintext" segtype="sentence" adminlang="en"
          creationtool="t" creationtoolversion="1" o-tmf="t"/>
          <body>
            <tu tuid="greeting"><prop type="domain">chat</prop>
              <tuv xml:lang="en"><seg>Hello <bpt i="1">&lt;b&gt;</bpt>world<ept i="1">&lt;/b&gt;</ept>!</seg></tuv>
              <tuv xml:lang="fr"><seg>Bonjour le monde !</seg></tuv>
            </tu>
            <tu><tuv lang="en"><seg>Yes</seg></tuv><tuv lang="de"><seg>Ja</seg></tuv></tu>
          </body>
        </tmx>
        """

    @Test("TMX: one unit per variant with language and translation unit; native codes left out")
    func tmx() throws {
        let documents = try documents(Self.tmx, name: "mini.tmx")
        let memory = try #require(documents.first)
        #expect(memory.info.metadata["srclang"] == "en")
        #expect(memory.info.metadata["version"] == "1.4")
        #expect(memory.units.map(\.text) == ["Hello world!", "Bonjour le monde !", "Yes", "Ja"])
        #expect(memory.units.map { $0.metadata["language"] } == ["en", "fr", "en", "de"])
        #expect(memory.units.map { $0.metadata["tu"] } == ["greeting", "greeting", "2", "2"])
        #expect(memory.units[0].metadata["domain"] == "chat")
        let pairs = TranslationPairs.pairs(in: memory.units, source: "en", target: "fr")
        #expect(pairs.map(\.source) == ["Hello world!"])
        #expect(pairs.map(\.target) == ["Bonjour le monde !"])
    }

    @Test("an empty body gives a document without units")
    func emptyBody() throws {
        let memory = try documents("<tmx version=\"1.1\"><header/><body><!-- none --></body></tmx>")
        #expect(memory.count == 1)
        #expect(memory[0].units.isEmpty)
        let tei = try documents(#"<TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body/></text></TEI>"#)
        #expect(tei.count == 1)
        #expect(tei[0].units.isEmpty)
    }

    static let reviews = """
        <reviews>
          <shop id="s1" city="Paris">
            <review sentiment="pos" stars="5"><sentence>Great <b>food</b>!</sentence><sentence>Nice staff.</sentence></review>
            <review sentiment="neg" stars="1"><sentence>Cold soup &amp; rude &#x201C;service&#x201D;.</sentence></review>
          </shop>
          <shop id="s2"><review sentiment="pos"><sentence>Fine.</sentence></review></shop>
        </reviews>
        """

    @Test("generic: documents, units, labels and metadata from attributes of the unit's ancestors")
    func generic() throws {
        let specification = try GenericProfileSpecification(
            document: "shop", units: ["review/sentence"], labels: ["review@sentiment", "rating=review@stars"],
            metadata: ["shop@city"])
        let documents = try documents(Self.reviews, profile: ProfileConfiguration(generic: specification))
        #expect(documents.map(\.info.identifier) == ["s1", "s2"])
        #expect(documents[0].info.metadata["city"] == "Paris")
        let units = documents.flatMap(\.units)
        #expect(units.map(\.text) == ["Great food!", "Nice staff.", "Cold soup & rude “service”.", "Fine."])
        #expect(units.map { $0.labels["sentiment"] } == ["pos", "pos", "neg", "pos"])
        #expect(units.map { $0.labels["rating"] } == ["5", "5", "1", nil])
        #expect(units.map { $0.metadata["city"] } == ["Paris", "Paris", "Paris", nil])
        #expect(units[0].kind == UnitKind(rawValue: "sentence"))
    }

    @Test("generic: anchored paths, wildcards, tokens and the unit's own attributes")
    func genericTokens() throws {
        let xml = #"<c><d><u lang="en"><t pos="DT">The</t> <t pos="NN">cat</t></u></d><u>outside</u></c>"#
        let specification = try GenericProfileSpecification(units: ["/c/*/u"], token: "u/t", metadata: ["@lang"])
        let units = try units(xml, profile: ProfileConfiguration(kind: .generic, generic: specification))
        #expect(units.map(\.text) == ["The cat"])
        #expect(units[0].tokens?.map(\.form) == ["The", "cat"])
        #expect(units[0].tokens?.map(\.partOfSpeech) == ["DT", "NN"])
        #expect(units[0].metadata["lang"] == "en")
    }

    @Test("bad specifications are rejected with a message")
    func badSpecifications() {
        #expect(corpusError { _ = try ElementPath(parsing: "a//b") }?.kind == .invalidSpecification)
        #expect(corpusError { _ = try AttributeSelector(parsing: "pair") }?.kind == .invalidSpecification)
        #expect(corpusError { _ = try GenericProfileSpecification(units: []) }?.kind == .invalidSpecification)
        let selector = try? AttributeSelector(parsing: "gold=pair@value")
        #expect(selector?.name == "gold")
        #expect(selector?.element == ElementPath(steps: ["pair"]))
        #expect(selector?.attribute == "value")
    }

    @Test("an unknown root element fails with a hint, at the root's line")
    func unknownFormat() {
        let error = corpusError { _ = try documents("<?xml version='1.0'?>\n<reviews/>", name: "r.xml") }
        #expect(error?.kind == .unexpectedStructure)
        #expect(error?.line == 2)
        #expect(error?.message.contains("--unit") == true)
    }

    @Test("detection from the root element and namespace")
    func detection() {
        #expect(ProfileKind.detect(rootElement: "TEI", namespaceURI: TEIProfile.namespace) == .tei)
        #expect(ProfileKind.detect(rootElement: "PLAY", namespaceURI: nil) == .bosak)
        #expect(ProfileKind.detect(rootElement: "tmx", namespaceURI: nil) == .tmx)
        #expect(ProfileKind.detect(rootElement: "corpus", namespaceURI: MontagueXMLProfile.namespace) == .montague)
        #expect(ProfileKind.detect(rootElement: "corpus", namespaceURI: nil) == nil)
    }
}
