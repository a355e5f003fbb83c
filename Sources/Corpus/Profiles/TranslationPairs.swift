/// Aligned translation pairs from TMX units (those with `tu` and `language` metadata, as `TMXProfile` reads them).
public enum TranslationPairs {
    /// One aligned pair.
    public struct Pair: Sendable, Hashable {
        /// The translation unit's identifier.
        public var translationUnit: String
        /// The source-language text.
        public var source: String
        /// The target-language text.
        public var target: String
    }

    /// The pairs (source text, target text) of translation units that have both languages, in order. Languages
    /// compare case-insensitively (`EN-US` = `en-us`); a language that appears twice in a unit pairs its first
    /// variant. Units must arrive grouped by translation unit, as a TMX file gives them.
    public static func pairs(in units: some Sequence<TextUnit>, source: String, target: String) -> [Pair] {
        let sourceKey = source.lowercased()
        let targetKey = target.lowercased()
        var result: [Pair] = []
        var currentUnit: String?
        var sourceText: String?
        var targetText: String?
        func flush() {
            if let currentUnit, let sourceText, let targetText {
                result.append(Pair(translationUnit: currentUnit, source: sourceText, target: targetText))
            }
        }
        for unit in units {
            guard let tu = unit.metadata["tu"], let language = unit.metadata["language"]?.lowercased() else { continue }
            if tu != currentUnit {
                flush()
                currentUnit = tu
                sourceText = nil
                targetText = nil
            }
            if language == sourceKey, sourceText == nil { sourceText = unit.text }
            if language == targetKey, targetText == nil { targetText = unit.text }
        }
        flush()
        return result
    }

    /// How many translation units have text in each language (case-insensitive keys, lowercased).
    public static func languageCounts(in units: some Sequence<TextUnit>) -> [String: Int] {
        var seen = Set<String>()
        var counts: [String: Int] = [:]
        for unit in units {
            guard let tu = unit.metadata["tu"], let language = unit.metadata["language"]?.lowercased() else { continue }
            if seen.insert(tu + "\u{0}" + language).inserted { counts[language, default: 0] += 1 }
        }
        return counts
    }
}
