import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Elements (name and attributes, in order) and leaf texts of an SVG document.
final class SVGElements: NSObject, XMLParserDelegate {
    var elements: [(name: String, attributes: [String: String])] = []
    var texts: [String] = []
    private var current = ""

    static func parse(_ text: String) throws -> SVGElements {
        let collector = SVGElements()
        let parser = XMLParser(data: Data(text.utf8))
        parser.delegate = collector
        if !parser.parse() { throw parser.parserError ?? CocoaError(.coderReadCorrupt) }
        return collector
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        elements.append((elementName, attributes))
        current = ""
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        if !current.isEmpty { texts.append(current) }
        current = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { current += string }

    /// The `<rect class="bar">` elements, left to right.
    var bars: [[String: String]] { elements.filter { $0.name == "rect" && $0.attributes["class"] == "bar" }.map(\.1) }

    /// Numeric attribute `name` of `element` (NaN when missing).
    static func number(_ element: [String: String], _ name: String) -> Double {
        element[name].flatMap(Double.init) ?? .nan
    }
}
