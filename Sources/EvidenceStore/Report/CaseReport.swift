import ExhibitKit
import Foundation
import GRDB

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
    case overview = "case", evidence, audit, analyzers, knownMedia = "known-media", timeline, chats, problems, thumbnails

    /// The section's heading.
    public var title: String {
        switch self {
        case .overview: return "Case and examiner"
        case .evidence: return "Evidence items"
        case .audit: return "Audit log and chain of custody"
        case .analyzers: return "Findings by analyzer"
        case .knownMedia: return "Known media (hash-set matches) and their spread"
        case .timeline: return "Timeline"
        case .chats: return "Chats"
        case .problems: return "Errors and what could not be examined"
        case .thumbnails: return "Pictures (blurred)"
        }
    }
}

extension EvidenceDatabase {
    /// Writes the case report: one self-contained HTML file (inline CSS, no script, no network,
    /// no external resource; a Content-Security-Policy forbids any), printable with page numbers.
    /// Returns the findings digest printed in its footer.
    @discardableResult
    public func writeReport(to path: String, options: ReportOptions) throws -> String {
        // The digest reads the database on its own; it cannot run inside the read below.
        let digest = try self.digest()
        let chain = try verifyAuditChain()
        let out = try ExportOutput(path: path, overwrite: options.overwrite)
        let e = ExportEscape.html
        let clock = try options.displayClock ?? CaseTimeText(zoneIdentifier: caseInfo()?.assumedZone)
        try queue.read { db in
            let r = ReportWriter(db: db, out: out, options: options, clock: clock)
            let caseName = try String.fetchOne(db, sql: "SELECT name FROM cases ORDER BY id LIMIT 1") ?? "(no case)"
            let how = clock.zone == nil
                ? "Every time is UTC"
                : "Every time is shown in \(clock.zoneName) (local wall clock with its offset) with UTC beside it"
            try out.write(ReportStyle.head(title: "Case report — \(caseName)"))
            try out.write("<header><h1>Case report — \(e(caseName))</h1><p class=\"muted\">Generated \(e(clock.human(micros: options.generatedMicros))) by Exhibit \(e(options.toolVersion)). \(e(how)) and carries its basis: utc, offset, assumed-zone (a local time read in the declared zone), unknown.</p></header>\n")
            try r.overview()
            try r.evidence()
            try r.audit(chain)
            try r.analyzers()
            try r.knownMedia()
            try r.timeline()
            try r.chats()
            try r.problems()
            try r.thumbnailSection()
            try out.write("""
                <footer><span>Exhibit \(e(options.toolVersion))</span> · <span>findings digest (exhibit digest) <span class="mono">\(digest)</span></span> · \
                <span>audit chain head <span class="mono">\(e(chain.head))</span></span> · \
                <span>generated \(e(clock.human(micros: options.generatedMicros)))</span></footer>
                </body></html>

                """)
        }
        try out.finish()
        return digest
    }
}

/// Writes the sections; one method per section (ReportSections.swift, ReportMedia.swift).
struct ReportWriter {
    let db: Database
    let out: ExportOutput
    let options: ReportOptions
    /// The case's zone (or `--tz`): every time in the report goes through it.
    let clock: CaseTimeText

    /// Time cell: local time in the case's zone with UTC beside it (UTC alone without a zone).
    func when(_ utc: String?, basis: String? = nil) -> String { utc == nil ? t(nil) : m(clock.human(utc: utc, basis: basis)) }

    func open(_ section: ReportSection, _ intro: String? = nil) throws {
        try out.write("<section id=\"\(section.rawValue)\"><h2>\(ExportEscape.html(section.title))</h2>\n")
        if let banner = options.banner { try out.write("<p class=\"fail banner\">\(ExportEscape.html(banner))</p>\n") }
        if let intro { try out.write("<p class=\"muted\">\(intro)</p>\n") }
    }

    func close() throws { try out.write("</section>\n") }

    func has(_ relation: String) throws -> Bool { try EvidenceDatabase.relationExists(db, relation) }

    /// A table from a header and rows of already-escaped cells.
    func table(_ header: [String], _ rows: [[String]]) throws {
        var s = "<table><thead><tr>" + header.map { "<th>\(ExportEscape.html($0))</th>" }.joined() + "</tr></thead><tbody>\n"
        for r in rows { s += "<tr>" + r.map { "<td>\($0)</td>" }.joined() + "</tr>\n" }
        try out.write(s + "</tbody></table>\n")
    }

    /// Text cell.
    /// Cells hold evidence text: isolated in `<bdi>` with bidi controls shown (issue 19).
    func t(_ value: String?) -> String { value.map(ExportEscape.htmlIsolated) ?? "<span class=\"muted\">—</span>" }
    /// Monospace cell (hashes, paths).
    func m(_ value: String?) -> String { value.map { "<span class=\"mono\">\(ExportEscape.htmlIsolated($0))</span>" } ?? "<span class=\"muted\">—</span>" }
}
