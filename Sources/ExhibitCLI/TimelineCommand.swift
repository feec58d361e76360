import ArgumentParser
import EvidenceStore
import ExhibitKit
import Foundation

struct TimelineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timeline",
        abstract: "Print the case timeline: every time-bearing finding, with its basis.",
        discussion: """
        One chronology of archive times, messages, chat actions, photo and document dates, GPS
        fixes, clock discrepancies, plugin artifact times and known-media matches (event kinds:
        docs/timeline.md). Ordered by UTC instant; events without an instant (a naive time and no
        declared zone) come last. Each line shows the basis: utc, offset, assumed-zone, unknown.
        Beside UTC, each time is shown in the case's declared zone (--tz for another zone, --tz
        UTC for none); csv and jsonl carry it as "local" (empty or null without a zone).

        T (for --from/--to) is ISO 8601: a date (2024-08-28) or a date-time (2024-08-28T15:00,
        2024-08-28T15:00:00+09:00). Without an offset it is the case zone's wall clock (UTC when
        the case has none; --tz changes it). A date-only --to includes that whole local day. A
        time range leaves out events without an instant.

        Pages: at most --limit events (default 100) are printed; the cursor of the next page is
        printed to stderr (`next: t1724825523000000.42`) — pass it with --after. --all prints
        every page.

        Examples:
          exhibit timeline --db case.sqlite --from 2024-08-01 --to 2024-08-31
          exhibit timeline --db case.sqlite --participant Minji \\
              --kind message.sent --kind chat.action
          exhibit timeline --db case.sqlite --kind 'file.*' --path '*DCIM*' --tz UTC
          exhibit timeline --db case.sqlite --format jsonl --all > timeline.jsonl

        Exit codes: 0 printed (possibly nothing); 1 the database cannot be read; 2 bad option.
        """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, csv, jsonl }

    @OptionGroup var database: DatabaseOption
    @Option(help: "Only events at or after T (ISO 8601; the case zone's wall clock unless it has an offset).") var from: String?
    @Option(help: "Only events up to T (a date-only T includes the whole local day).") var to: String?
    @Option(help: "Only this event kind (repeatable; 'file.*' matches a prefix).") var kind: [String] = []
    @Option(help: "Only events of a sender/actor whose name contains this.") var participant: String?
    @Option(help: "Only events of chats whose title contains this.") var chat: String?
    @Option(help: "Only events whose file path matches this glob (* ? [..]).") var path: String?
    @OptionGroup var zone: ZoneOption
    @Option(help: "table, csv or jsonl.") var format: Format = .table
    @Option(help: "Events per page.") var limit: Int = 100
    @Option(help: "Continue after this cursor (printed at the end of the previous page).") var after: String?
    @Flag(help: "Print every page, not only the first.") var all = false

    func validate() throws {
        try TimeWindow.validate(from: from, to: to)
        if let after, TimelineCursor(after) == nil {
            throw ValidationError("--after: '\(after)' is not a cursor printed by exhibit timeline")
        }
    }

    func run() throws {
        var filter = TimelineFilter(kinds: kind, participant: participant, chat: chat, pathGlob: path, limit: max(1, limit))
        filter.after = after.flatMap(TimelineCursor.init)
        let db: EvidenceDatabase
        do { db = try EvidenceDatabase.openExisting(path: database.db, readOnly: true) } catch { fail("\(database.db): \(error)", code: 1) }
        let clock = zone.clock(db)
        let window = TimeWindow(from: from, to: to, clock: clock)
        filter.fromMicros = window.fromMicros
        filter.beforeMicros = window.beforeMicros
        let out = TimelineOutput(format: format, zone: clock.zone)
        out.header()
        var printed = 0
        while true {
            let page: TimelinePage
            do { page = try db.timelinePage(filter) } catch { fail("\(database.db): \(error)", code: 1) }
            for row in page.rows { out.row(row) }
            printed += page.rows.count
            guard let next = page.next else { break }
            if !all {
                FileHandle.standardError.write(Data("next: \(next)  (exhibit timeline … --after \(next))\n".utf8))
                break
            }
            filter.after = next
        }
        if printed == 0 { FileHandle.standardError.write(Data("no events match\n".utf8)) }
    }
}

/// Prints timeline rows as an aligned table, CSV (RFC 4180, the export's escaping with its
/// formula guard: this CSV is opened in spreadsheets too) or JSON lines.
struct TimelineOutput {
    let format: TimelineCommand.Format
    let zone: TimeZone?

    func header() {
        guard format == .csv else { return }
        // Every column always (machine output): `local` is empty without a zone.
        let cols = ["utc", "local", "basis", "precision", "kind", "description", "source", "file_path", "chat", "sender", "raw", "event_id"]
        print(cols.joined(separator: ","))
    }

    func row(_ r: TimelineRow) {
        let local = zone.flatMap { z in r.utcMicros.map { CaseTimeText.local(micros: $0, zone: z) } }
        switch format {
        case .table:
            let when = r.utc ?? "(\(r.raw.isEmpty ? "no time" : TerminalText.field(r.raw)))"
            var line = when.padding(toLength: max(when.count + 2, 29), withPad: " ", startingAt: 0)
            if let local { line += local.padding(toLength: max(local.count + 2, 28), withPad: " ", startingAt: 0) }
            line += r.basis.padding(toLength: 13, withPad: " ", startingAt: 0)
            line += r.kind.padding(toLength: max(r.kind.count + 1, 18), withPad: " ", startingAt: 0)
            line += TerminalText.field(r.description)
            print(TerminalText.safe(line))
        case .csv:
            let field = { (s: String?) in TerminalText.field(s) }
            let cells: [String?] = [r.utc, local, r.basis, r.precision, r.kind, field(r.description), field(r.source), field(r.filePath),
                                    field(r.chat), field(r.sender), field(r.raw), String(r.eventID)]
            // To stdout, which is often a terminal: control sequences in evidence text are
            // neutralised and right-to-left text isolated (`exhibit export` writes the exact text to a file).
            print(cells.map { ExportEscape.csv(TerminalText.safe($0 ?? "", keepNewlines: true)) }.joined(separator: ","))
        case .jsonl:
            let obj: [String: JSONValue] = [
                "event_id": .number(Double(r.eventID)), "utc": r.utc.map(JSONValue.string) ?? .null,
                "utc_us": r.utcMicros.map { .number(Double($0)) } ?? .null, "raw": .string(r.raw), "basis": .string(r.basis),
                "precision": .string(r.precision), "kind": .string(r.kind), "description": .string(r.description),
                "source": .string(r.source), "file_path": r.filePath.map(JSONValue.string) ?? .null,
                "message_id": r.messageID.map { .number(Double($0)) } ?? .null, "chat": r.chat.map(JSONValue.string) ?? .null,
                "sender": r.sender.map(JSONValue.string) ?? .null, "sha256": r.sha256.map(JSONValue.string) ?? .null,
                "note": r.note.map(JSONValue.string) ?? .null, "evidence": r.evidence.map(JSONValue.string) ?? .null,
                "local": local.map(JSONValue.string) ?? .null,
            ]
            print(CompactJSON.object(obj))
        }
    }
}
