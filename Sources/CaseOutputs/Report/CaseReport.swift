import EvidenceStore
import ExhibitKit
import Foundation

/// What `exhibit report` puts in the report beyond the database.
public struct ReportOptions: Sendable {
    /// Timeline window start (µs since the epoch, UTC), or `nil`.
    public var fromMicros: Int64?
    /// Timeline window end (exclusive), or `nil`.
    public var beforeMicros: Int64?
    /// Most timeline rows to print (the rest is counted; `exhibit export` has them all).
    public var timelineLimit: Int
    /// Most rows per list of problems (unreadable files, analyzer errors).
    public var problemLimit: Int
    /// Version of the tool writing the report.
    public var toolVersion: String
    /// When the report was generated, µs since the epoch.
    public var generatedMicros: Int64
    /// Lines of a fresh `exhibit verify` (evidence re-hashed now), or `nil` when not run.
    public var verification: [String]?
    /// Thumbnails to show, by `files.id` (JPEG/PNG/GIF/WebP bytes); empty unless `--thumbnails`.
    /// Files matched against a hash set are never shown, whatever is given here.
    public var thumbnails: [Int64: Data]
    /// Why thumbnails are missing, when they were asked for but could not all be read.
    public var thumbnailNote: String?
    /// Replace an existing output file.
    public var overwrite: Bool
    /// A warning printed at the top of every section (each section is its own printed page):
    /// set when the case is incomplete (an interrupted ingest) or failed verification.
    public var banner: String?
    /// The zone times are shown in (`exhibit report --tz`); `nil` uses the case's declared zone.
    /// Times are shown as `2024-08-28 15:12:03 +09:00 (06:12:03Z)`, UTC alone without a zone.
    public var displayClock: CaseTimeText?
    /// The reviewer's tags and notes (`exhibit serve`'s review database), or `nil`.
    public var review: ReportReview?
    /// Only the reviewer's tagged items in the timeline and the transcripts (`--tagged`).
    public var taggedOnly: Bool = false
    /// Messages shown before and after each message in focus in the transcripts.
    public var transcriptWindow: Int = 5
    /// Most messages in focus (tagged, or carrying a known-bad picture) given a transcript.
    public var transcriptLimit: Int = 200
    /// The examiner named in the attestation block; the case's examiner when `nil`.
    public var attestingExaminer: String?

    /// Options with defaults: the whole timeline up to 2,000 rows, 500 problems per list.
    public init(fromMicros: Int64? = nil, beforeMicros: Int64? = nil, timelineLimit: Int = 2000, problemLimit: Int = 500,
                toolVersion: String, generatedMicros: Int64 = Int64(Date().timeIntervalSince1970 * 1_000_000),
                verification: [String]? = nil, thumbnails: [Int64: Data] = [:], thumbnailNote: String? = nil, overwrite: Bool = false) {
        self.fromMicros = fromMicros; self.beforeMicros = beforeMicros; self.timelineLimit = timelineLimit
        self.problemLimit = problemLimit; self.toolVersion = toolVersion; self.generatedMicros = generatedMicros
        self.verification = verification; self.thumbnails = thumbnails; self.thumbnailNote = thumbnailNote; self.overwrite = overwrite
    }
}

/// The sections every report has, in order (ids of the `<section>` elements; tests check them).
public enum ReportSection: String, CaseIterable, Sendable {
    /// One case per section; the raw value is the `<section>` id.
    case summary, overview = "case", evidence, audit, analyzers, knownMedia = "known-media", tagged, timeline, transcripts, chats
    case problems, thumbnails, attestation

    /// The section's heading.
    public var title: String {
        switch self {
        case .summary: return "Summary"
        case .overview: return "Case and examiner"
        case .evidence: return "Evidence items"
        case .audit: return "Audit log and chain of custody"
        case .analyzers: return "Findings by analyzer"
        case .knownMedia: return "Known media (hash-set matches) and their spread"
        case .tagged: return "Items tagged by the reviewer"
        case .timeline: return "Timeline"
        case .transcripts: return "Transcripts"
        case .attestation: return "Examiner's attestation"
        case .chats: return "Chats"
        case .problems: return "Errors and what could not be examined"
        case .thumbnails: return "Pictures (blurred)"
        }
    }
}

extension EvidenceDatabase {
    /// Writes the case report in court form: one self-contained HTML file (inline CSS, no
    /// script, no network, no external resource; a Content-Security-Policy forbids any),
    /// printable with page numbers. A summary comes first (items, integrity, known-bad pictures
    /// grouped as `exhibit spread --known` groups them); every time is in the case's zone with
    /// UTC beside it; the examiner's attestation closes it. Returns the findings digest printed
    /// in its footer.
    @discardableResult
    public func writeReport(to path: String, options: ReportOptions) throws -> String {
        // The store's own queries (digest, spread, thread pages) open their own read; they
        // cannot run inside the read below.
        let context = try ReportContext.load(self, options)
        let out = try ExportOutput(path: path, overwrite: options.overwrite)
        let e = ExportEscape.html
        try readCase { q in
            let r = ReportWriter(q: q, out: out, options: options, context: context)
            let caseName = try q.caseHeader()?.name ?? "(no case)"
            try out.write(ReportStyle.head(title: "Case report — \(caseName)"))
            try out.write("<header><h1>Case report — \(e(caseName))</h1><p class=\"muted\">Generated \(r.when(nil, micros: options.generatedMicros)) by Exhibit \(e(options.toolVersion)). \(r.zoneSentence)</p></header>\n")
            try r.summary()
            try r.overview()
            try r.evidence()
            try r.audit(context.chain)
            try r.analyzers()
            try r.knownMedia()
            try r.taggedItems()
            try r.timeline()
            try r.transcripts()
            try r.chats()
            try r.problems()
            try r.thumbnailSection()
            try r.attestation()
            try out.write("""
                <footer><span>Exhibit \(e(options.toolVersion))</span> · <span>findings digest <span class="mono">\(context.digest)</span></span> · \
                <span>audit chain head <span class="mono">\(e(context.chain.head))</span></span> · \
                <span>generated \(UTCFormat.string(micros: options.generatedMicros)) UTC</span></footer>
                </body></html>

                """)
        }
        try out.finish()
        return context.digest
    }
}

/// Writes the sections; one method per section (ReportSections.swift, ReportMedia.swift).
struct ReportWriter {
    let q: CaseOutputReader
    let out: ExportOutput
    let options: ReportOptions
    let context: ReportContext

    func open(_ section: ReportSection, _ intro: String? = nil) throws {
        try out.write("<section id=\"\(section.rawValue)\"><h2>\(ExportEscape.html(section.title))</h2>\n")
        if let banner = options.banner { try out.write("<p class=\"fail banner\">\(ExportEscape.html(banner))</p>\n") }
        if let intro { try out.write("<p class=\"muted\">\(intro)</p>\n") }
    }

    func close() throws { try out.write("</section>\n") }

    func has(_ relation: String) throws -> Bool { try q.hasRelation(relation) }

    /// A table from a header and rows of already-escaped cells.
    func table(_ header: [String], _ rows: [[String]]) throws {
        var s = "<table><thead><tr>" + header.map { "<th>\(ExportEscape.html($0))</th>" }.joined() + "</tr></thead><tbody>\n"
        for r in rows { s += "<tr>" + r.map { "<td>\($0)</td>" }.joined() + "</tr>\n" }
        try out.write(s + "</tbody></table>\n")
    }

    /// Text cell (evidence text: escaped, invisible characters shown as marks).
    /// A cell holding right-to-left letters or bidi controls is isolated in `<bdi>` (issue 19):
    /// it cannot reorder the cells or Exhibit's own words around it. Other text cannot, and is
    /// left bare.
    func t(_ value: String?) -> String { value.map(isolated) ?? "<span class=\"muted\">—</span>" }
    /// Monospace cell (hashes, paths).
    func m(_ value: String?) -> String { value.map { "<span class=\"mono\">\(isolated($0))</span>" } ?? "<span class=\"muted\">—</span>" }

    func isolated(_ text: String) -> String {
        let needs = ExportEscape.hasRightToLeft(text) || text.unicodeScalars.contains(where: ExportEscape.isBidiControl)
        return needs ? "<bdi>\(shown(text))</bdi>" : shown(text)
    }

    /// Evidence text as text: escaped, with invisible characters that could disguise it (RTL
    /// overrides that turn `gnp.exe` around, zero-width characters, other format characters)
    /// shown as visible marks `⟨U+202E⟩`, as the review pages show them. The zero-width joiner
    /// stays: it builds emoji.
    func shown(_ text: String) -> String {
        var s = ""
        for u in text.unicodeScalars {
            if u.properties.generalCategory == .format && u != "\u{200D}" {
                s += "⟨U+\(String(u.value, radix: 16, uppercase: true))⟩"
            } else if u.properties.generalCategory == .control && u != "\n" && u != "\t" {
                // Terminal control bytes (ESC sequences) are never passed on, as in text outputs.
                s.unicodeScalars.append("\u{FFFD}")
            } else {
                s.unicodeScalars.append(u)
            }
        }
        return ExportEscape.html(s)
    }
}
