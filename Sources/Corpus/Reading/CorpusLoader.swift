import Foundation

/// The kind of input files, or automatic detection.
public enum InputFormat: String, Sendable, Hashable, Codable, CaseIterable {
    /// XML when the name ends in `.xml`, `.tei`, `.tmx` (optionally `.gz`, `.xz` or `.bz2`) or the content starts with `<`
    /// (after a byte-order mark and whitespace, in UTF-8 or UTF-16), plain text otherwise; in directories, XML files
    /// only.
    case automatic = "auto"
    /// Every file is XML.
    case xml
    /// Every file is plain text, one sentence per line.
    case plainText = "text"
}

/// Everything that decides how files become units.
public struct CorpusLoadOptions: Sendable, Hashable {
    /// XML or plain text.
    public var format: InputFormat
    /// The XML format profile.
    public var profile: ProfileConfiguration
    /// Safety and encoding options for XML.
    public var reading: XMLReadingOptions
    /// Labels for plain-text files.
    public var plainText: PlainTextOptions
    /// Skip files that cannot be read (not well-formed, unknown format, unreadable) and report them, instead of
    /// stopping at the first. Each file is then checked in a first streaming pass, so a skipped file contributes no
    /// unit at all (a file is never used in part).
    public var skipBadFiles: Bool
    /// Validates every XML file (against its DTD or a RELAX NG schema) in a pass before it is read; nil reads
    /// without validation.
    public var validation: XMLValidation?

    /// Makes options; the defaults detect everything and stop at the first bad file.
    public init(
        format: InputFormat = .automatic, profile: ProfileConfiguration = ProfileConfiguration(),
        reading: XMLReadingOptions = XMLReadingOptions(), plainText: PlainTextOptions = PlainTextOptions(),
        skipBadFiles: Bool = false, validation: XMLValidation? = nil
    ) {
        self.validation = validation
        self.format = format
        self.profile = profile
        self.reading = reading
        self.plainText = plainText
        self.skipBadFiles = skipBadFiles
    }
}

/// What a load did: the files read, the files skipped with the reason, libxml2's warnings.
public struct CorpusLoadReport: Sendable, Hashable {
    /// Files read completely, in order.
    public var filesRead: [String] = []
    /// Files skipped (only with `skipBadFiles`), with the error that made each one unreadable.
    public var skipped: [CorpusError] = []
    /// Warnings (an external entity not loaded, ...).
    public var warnings: [CorpusError] = []
    /// The profile that read each XML file (`"text"` for plain text), by file.
    public var formats: [String: String] = [:]

    /// Makes an empty report.
    public init() {}
}

/// Where a load is: for progress displays.
public struct CorpusProgress: Sendable, Hashable {
    /// Files finished so far.
    public var filesDone: Int
    /// Files in the load.
    public var fileCount: Int
    /// Bytes read so far (of the uncompressed input).
    public var bytesRead: Int
    /// Total bytes of the input files on disk (compressed size for gzip files, so a fraction can exceed 1 briefly).
    public var totalBytes: Int
    /// Units delivered so far.
    public var unitsRead: Int
}

/// Loads corpora from files and directories, XML or plain text, streaming every unit to a closure in constant
/// memory.
///
/// Directories are searched recursively, in sorted order, leaving out hidden files, licence and read-me files
/// (`LICENSE*`, `README*`, `COPYING*`), DTDs, schemas and stylesheets (`.dtd`, `.ent`, `.mod`, `.rng`, `.rnc`,
/// `.xsd`, `.xsl`, `.xslt`, `.sch`). In XML mode (the default) a directory gives its XML files only: `.xml`,
/// `.tei`, `.tmx` (also compressed as `.gz`, `.xz` or `.bz2`) and files whose first bytes are XML; the others are listed in
/// `skippedFiles`. With `InputFormat.plainText` a directory gives all its files. Files named explicitly are always
/// read, whatever their name (XML or plain text by name and first bytes). Reading is deterministic.
public struct CorpusLoader: Sendable {
    /// The files that will be read, in order.
    public let files: [String]
    /// The options.
    public let options: CorpusLoadOptions
    /// Files found in the directories but not read: in XML mode the files that are not XML (by name and first
    /// bytes), such as a `.txt` beside the XML files.
    public let skippedFiles: [String]
    /// For each file, the directory its external DTDs and entities may come from: the directory named on the
    /// command line that contains it, or the file's own directory.
    private let resourceRoots: [String]

    /// Collects the files of `paths` (files and directories).
    /// - Throws: `CorpusError.Kind.unreadable` for a path that does not exist, or when no file is found.
    public init(paths: [String], options: CorpusLoadOptions = CorpusLoadOptions()) throws {
        var files: [String] = []
        var roots: [String] = []
        var skipped: [String] = []
        let manager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw CorpusError(.unreadable, file: path, message: "no such file or directory")
            }
            guard isDirectory.boolValue else {
                files.append(path)
                roots.append(directoryName(path))
                continue
            }
            guard let enumerator = manager.enumerator(atPath: path) else {
                throw CorpusError(.unreadable, file: path, message: "cannot list the directory")
            }
            var found: [String] = []
            var passedOver: [String] = []
            while let relative = enumerator.nextObject() as? String {
                let name = baseName(relative)
                if name.hasPrefix(".") || Self.isLicenceOrReadMe(name) { continue }
                let full = path.hasSuffix("/") ? path + relative : path + "/" + relative
                var childIsDirectory: ObjCBool = false
                guard manager.fileExists(atPath: full, isDirectory: &childIsDirectory), !childIsDirectory.boolValue
                else { continue }
                if Self.belongsToDirectoryCorpus(full, format: options.format) {
                    found.append(full)
                } else {
                    passedOver.append(full)
                }
            }
            skipped += passedOver.sorted()
            files += found.sorted()
            roots += Array(repeating: path, count: found.count)
        }
        guard !files.isEmpty else {
            throw CorpusError(
                .unreadable, file: paths.first,
                message: options.format == .plainText
                    ? "no files found"
                    : "no XML files (.xml, .tei, .tmx, compressed with gzip, xz or bzip2, or files starting with an XML "
                        + "declaration or element) found; plain-text corpora need --format text")
        }
        self.skippedFiles = skipped
        self.files = files
        self.options = options
        self.resourceRoots = roots
    }

    /// The reading options for file number `index`: external resources confined to its corpus directory unless the
    /// options name a root.
    private func readingOptions(_ index: Int) -> XMLReadingOptions {
        var reading = options.reading
        if reading.externalResourceRoot == nil, resourceRoots.indices.contains(index) {
            reading.externalResourceRoot = resourceRoots[index]
        }
        return reading
    }

    /// Licence and read-me files, DTDs, schemas and stylesheets sit beside corpora and are not part of them.
    static func isLicenceOrReadMe(_ name: String) -> Bool {
        let lower = name.lowercased()
        if ["license", "licence", "readme", "copying"].contains(where: { lower.hasPrefix($0) }) { return true }
        return [".dtd", ".ent", ".mod", ".rng", ".rnc", ".xsd", ".xsl", ".xslt", ".sch"].contains(where: {
            lower.hasSuffix($0)
        })
    }

    /// Whether a name says XML: `.xml`, `.tei`, `.tmx`, also compressed (`.gz`, `.xz`).
    static func hasXMLExtension(_ name: String) -> Bool {
        let stem = compressionStem(name.lowercased())
        return stem.hasSuffix(".xml") || stem.hasSuffix(".tei") || stem.hasSuffix(".tmx")
    }

    /// Whether a file found in a directory is part of the corpus: in plain-text mode every file; otherwise XML
    /// files, by name or, for other names, by their first bytes.
    static func belongsToDirectoryCorpus(_ path: String, format: InputFormat) -> Bool {
        if format == .plainText { return true }
        return hasXMLExtension(baseName(path)) || startsLikeXML(path)
    }

    /// Whether a file's first bytes are those of an XML document: `<` after an optional byte-order mark and
    /// whitespace, in UTF-8 or UTF-16 (a UTF-16 text file that does not start with `<` is not XML).
    static func startsLikeXML(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let head = [UInt8]((try? handle.read(upToCount: 512)) ?? Data())
        func firstUnit(_ bytes: ArraySlice<UInt8>, step: Int, lowFirst: Bool) -> UInt8? {
            var index = bytes.startIndex
            while index + step <= bytes.endIndex {
                let low = lowFirst ? bytes[index] : bytes[index + step - 1]
                let high = step == 2 ? (lowFirst ? bytes[index + 1] : bytes[index]) : 0
                if high != 0 { return nil }
                if !TextAccumulator.isSpace(low) { return low }
                index += step
            }
            return nil
        }
        let lessThan = UInt8(ascii: "<")
        if head.starts(with: [0xFF, 0xFE]) { return firstUnit(head.dropFirst(2), step: 2, lowFirst: true) == lessThan }
        if head.starts(with: [0xFE, 0xFF]) {
            return firstUnit(head.dropFirst(2), step: 2, lowFirst: false) == lessThan
        }
        if head.starts(with: [0x3C, 0x00]) { return true }  // UTF-16LE without a byte-order mark
        if head.starts(with: [0x00, 0x3C]) { return true }  // UTF-16BE without a byte-order mark
        if head.starts(with: [0x1F, 0x8B]) || head.starts(with: [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00])
            || head.starts(with: Array("BZh".utf8))
        {
            return false  // compressed, and not named as XML
        }
        let body = head.starts(with: [0xEF, 0xBB, 0xBF]) ? head.dropFirst(3) : head[...]
        return firstUnit(body, step: 1, lowFirst: true) == lessThan
    }

    /// The file name without a compression extension (`.gz`, `.xz`, `.bz2`).
    static func compressionStem(_ lowercasedName: String) -> String {
        for suffix in [".gz", ".xz", ".bz2"] where lowercasedName.hasSuffix(suffix) {
            return String(lowercasedName.dropLast(suffix.count))
        }
        return lowercasedName
    }

    /// Whether `path` holds XML (by name, else by its first bytes).
    func isXML(_ path: String) -> Bool {
        switch options.format {
        case .xml: return true
        case .plainText: return false
        case .automatic: break
        }
        return Self.hasXMLExtension(baseName(path)) || Self.startsLikeXML(path)
    }

    /// Streams every unit, with its document, to `body`.
    /// - Parameter progress: called now and then (every few thousand units and after each file).
    /// - Returns: what was read and skipped.
    /// - Throws: the first file's `CorpusError` (unless `skipBadFiles`), or what `body` throws.
    @discardableResult
    public func forEachUnit(
        progress: ((CorpusProgress) -> Void)? = nil,
        _ body: (DocumentInfo, TextUnit) throws -> Void
    ) throws -> CorpusLoadReport {
        var document = DocumentInfo(identifier: "", source: "")
        return try forEachEvent(progress: progress) { event in
            switch event {
            case .startDocument(let info): document = info
            case .unit(let unit): try body(document, unit)
            case .endDocument: break
            }
        }
    }

    /// Streams every event (documents opening and closing, units) of every file to `body`, in order. Every
    /// document, even one without units, opens and closes.
    @discardableResult
    public func forEachEvent(
        progress: ((CorpusProgress) -> Void)? = nil,
        _ body: (CorpusEvent) throws -> Void
    ) throws -> CorpusLoadReport {
        try forEachFile(progress: progress) { index, file, ticker in
            if isXML(file) {
                let reader = try XMLCorpusReader(
                    contentsOfFile: file, profile: options.profile, options: readingOptions(index))
                try reader.forEachEvent { event in
                    try body(event)
                    if case .unit = event { ticker.unitRead(reader.reader.bytesConsumed) }
                }
                return (reader.profileName, reader.reader.warnings)
            }
            let reader = try PlainTextCorpusReader(contentsOfFile: file, options: options.plainText)
            try body(.startDocument(reader.documentInfo))
            try reader.forEachUnit { _, unit in
                try body(.unit(unit))
                ticker.unitRead(reader.bytesConsumed)
            }
            try body(.endDocument)
            return ("text", [])
        }
    }

    /// Streams every unit of every file to `body`, lent rather than copied (`XMLCorpusReader.forEachBorrowedUnit`):
    /// the fast way to compute over a large corpus. `onDocument` is called at every document start, also of
    /// documents without units. The unit's text and the unit itself are valid only during the call.
    @discardableResult
    public func forEachBorrowedUnit(
        progress: ((CorpusProgress) -> Void)? = nil, onDocument: ((DocumentInfo) throws -> Void)? = nil,
        _ body: (DocumentInfo, BorrowedTextUnit) throws -> Void
    ) throws -> CorpusLoadReport {
        try forEachFile(progress: progress) { index, file, ticker in
            if isXML(file) {
                let reader = try XMLCorpusReader(
                    contentsOfFile: file, profile: options.profile, options: readingOptions(index))
                try reader.forEachBorrowedUnit(onDocument: onDocument) { document, unit in
                    try body(document, unit)
                    ticker.unitRead(reader.reader.bytesConsumed)
                }
                return (reader.profileName, reader.reader.warnings)
            }
            let reader = try PlainTextCorpusReader(contentsOfFile: file, options: options.plainText)
            try onDocument?(reader.documentInfo)
            try reader.forEachUnit { document, unit in
                try BorrowedTextUnit.lending(unit) { try body(document, $0) }
                ticker.unitRead(reader.bytesConsumed)
            }
            return ("text", [])
        }
    }

    /// Counts units and reports progress every few thousand of them.
    struct ProgressTicker {
        var state: CorpusProgress
        let progress: ((CorpusProgress) -> Void)?
        var bytesBefore = 0

        /// One more unit; `bytesConsumed` is how far the current file has been read.
        @inline(__always)
        mutating func unitRead(_ bytesConsumed: @autoclosure () -> Int) {
            state.unitsRead += 1
            if state.unitsRead & 4095 == 0, let progress {
                state.bytesRead = bytesBefore + bytesConsumed()
                progress(state)
            }
        }
    }

    /// Reads every file with `read` (which returns the format read and the warnings), in order, with progress,
    /// skipping bad files when asked to; returns the report.
    private func forEachFile(
        progress: ((CorpusProgress) -> Void)?,
        _ read: (Int, String, inout ProgressTicker) throws -> (format: String?, warnings: [CorpusError])
    ) throws -> CorpusLoadReport {
        var report = CorpusLoadReport()
        let sizes = files.map { (try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int) ?? 0 }
        var ticker = ProgressTicker(
            state: CorpusProgress(
                filesDone: 0, fileCount: files.count, bytesRead: 0, totalBytes: sizes.reduce(0, +), unitsRead: 0),
            progress: progress)
        progress?(ticker.state)
        for (index, file) in files.enumerated() {
            ticker.bytesBefore = ticker.state.bytesRead
            do {
                if let validation = options.validation, isXML(file) {
                    report.warnings += try validation.validate(file: file, options: readingOptions(index))
                }
                if options.skipBadFiles { try check(index, file) }
                let (format, warnings) = try read(index, file, &ticker)
                report.formats[file] = format
                report.warnings += warnings
                report.filesRead.append(file)
            } catch let error as CorpusError where options.skipBadFiles {
                report.skipped.append(error)
            }
            ticker.state.filesDone = index + 1
            ticker.state.bytesRead = ticker.bytesBefore + sizes[index]
            progress?(ticker.state)
        }
        return report
    }

    /// Checks that a file reads without error, streaming it once without building units.
    private func check(_ index: Int, _ file: String) throws {
        if isXML(file) {
            let reader = try XMLCorpusReader(
                contentsOfFile: file, profile: options.profile, options: readingOptions(index))
            try reader.forEachEvent { _ in }
        } else {
            try PlainTextCorpusReader(contentsOfFile: file, options: options.plainText).forEachUnit { _, _ in }
        }
    }

    /// Reads everything into documents (for small corpora), with the report.
    public func readDocuments() throws -> (documents: [Document], report: CorpusLoadReport) {
        var documents: [Document] = []
        let report = try forEachEvent { event in
            switch event {
            case .startDocument(let info): documents.append(Document(info: info))
            case .unit(let unit):
                if documents.isEmpty { documents.append(Document(info: DocumentInfo(identifier: "", source: ""))) }
                documents[documents.count - 1].units.append(unit)
            case .endDocument: break
            }
        }
        return (documents, report)
    }
}
