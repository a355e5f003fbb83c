import Corpus
import Foundation
import Testing

@Suite("Generic profile: labels from siblings and children, unmatched paths")
struct GenericLabelTests {
    static func read(_ xml: String, units: [String], labels: [String] = [], metadata: [String] = []) throws
        -> (units: [TextUnit], warnings: [CorpusError])
    {
        let spec = try GenericProfileSpecification(units: units, labels: labels, metadata: metadata)
        let reader = try XMLCorpusReader(
            bytes: Array(xml.utf8), name: "generic.xml", profile: ProfileConfiguration(kind: .generic, generic: spec))
        var result: [TextUnit] = []
        try reader.forEachUnit { _, unit in result.append(unit) }
        return (result, reader.reader.warnings)
    }

    @Test("Senseval: the sense in an <answer> beside the <context> labels the context, per instance")
    func senseval() throws {
        let xml = """
            <corpus lang="english"><lexelt item="art.n">
            <instance id="art.40001"><answer instance="art.40001" senseid="art%1:06:00::"/>
            <context>Paintings are <head>art</head> too.</context></instance>
            <instance id="art.40002">
            <context>The <head>art</head> of war.</context></instance>
            <instance id="art.40003"><answer instance="art.40003" senseid="art%1:09:00::"/>
            <context>An <head>art</head> school.</context></instance>
            </lexelt></corpus>
            """
        let (units, warnings) = try Self.read(
            xml, units: ["instance/context"], labels: ["sense=instance/answer@senseid"], metadata: ["instance@id"])
        #expect(units.map { $0.labels["sense"] } == ["art%1:06:00::", nil, "art%1:09:00::"])
        #expect(units.map { $0.metadata["id"] } == ["art.40001", "art.40002", "art.40003"])
        #expect(warnings.isEmpty)
    }

    @Test("an ancestor's label does not leak to the next ancestor without it; a child element labels its unit")
    func ancestorsAndChildren() throws {
        let xml = """
            <pairs><pair entailment="YES"><t>a</t><h>b</h></pair><pair><t>c</t><h>d</h></pair>
            <pair><t>e<gold value="NO"/></t><h>f</h></pair></pairs>
            """
        let (units, _) = try Self.read(
            xml, units: ["pair/t", "pair/h"], labels: ["pair@entailment", "gold=t/gold@value"])
        #expect(units.map { $0.labels["entailment"] } == ["YES", "YES", nil, nil, nil, nil])
        #expect(units.map { $0.labels["gold"] } == [nil, nil, nil, nil, "NO", nil])
    }

    @Test("a unit path or a selector that matches nothing is a warning")
    func unmatched() throws {
        let (units, warnings) = try Self.read(
            "<r><p>one</p></r>", units: ["p", "para"], labels: ["p@missing"])
        #expect(units.count == 1)
        #expect(warnings.contains { $0.message.contains("unit path 'para' matched no element") })
        #expect(warnings.contains { $0.message.contains("label selector 'p@missing' matched no attribute") })
        #expect(!warnings.contains { $0.message.contains("'p'") })
    }
}
