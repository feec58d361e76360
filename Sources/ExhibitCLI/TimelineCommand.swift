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

        T (for --from/--to) is ISO 8601: a date (2024-08-28) or a date-time (2024-08-28T15:00,
        2024-08-28T15:00:00+09:00). Without an offset it is UTC. A date-only --to includes that
        whole day. A time range leaves out events without an instant.

        Pages: at most --limit events (default 100) are printed; the cursor of the next page is
        printed to stderr (`next: t1724825523000000.42`) — pass it with --after. --all prints
        every page.

        Examples:
          exhibit timeline --db case.sqlite --from 2024-08-01 --to 2024-08-31
          exhibit timeline --db case.sqlite --participant Minji --kind message.sent --kind chat.action
          exhibit timeline --db case.sqlite --kind 'file.*' --path '*DCIM*' --tz Asia/Seoul
          exhibit timeline --db case.sqlite --format jsonl --all > timeline.jsonl

        Exit codes: 0 printed (possibly nothing); 1 the database cannot be read; 2 bad option.
        """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, csv, jsonl }

    @OptionGroup var database: DatabaseOption
    @Option(help: "Only events at or after T (ISO 8601; UTC unless it has an offset).") var from: String?
    @Option(help: "Only events up to T (a date-only T includes the whole day).") var to: String?
    @Option(help: "Only this event kind (repeatable; 'file.*' matches a prefix).") var kind: [String] = []
    @Option(help: "Only events of a sender/actor whose name contains this.") var participant: String?
    @Option(help: "Only events of chats whose title contains this.") var chat: String?
    @Option(help: "Only events whose file path matches this glob (* ? [..]).") var path: String?
    @Option(help: "Also show local times in this IANA zone (display only; stored times stay UTC).") var tz: String?
    @Option(help: "table, csv or jsonl.") var format: Format = .table
    @Option(help: "Events per page.") var limit: Int = 100
    @Option(help: "Continue after this cursor (printed at the end of the previous page).") var after: String?
    @Flag(help: "Print every page, not only the first.") var all = false

    func run() throws {
        var filter = TimelineFilter(kinds: kind, participant: participant, chat: chat, pathGlob: path, limit: max(1, limit))
        let window = TimeWindow(from: from, to: to)
        filter.fromMicros = window.fromMicros
        filter.beforeMicros = window.beforeMicros
        if let after {
            guard let c = TimelineCursor(after) else { fail("--after: '\(after)' is not a cursor printed by exhibit timeline", code: 2) }
            filter.after = c
        }
        var zone: TimeZone?
        if let tz {
            guard let z = TimeZone(identifier: tz) else { fail("--tz: unknown time zone '\(tz)' (use an IANA name such as Asia/Seoul)", code: 2) }
            zone = z
        }
        let db: EvidenceDatabase
        do { db = try EvidenceDatabase.openExisting(path: database.db, readOnly: true) } catch { fail("\(database.db): \(error)", code: 1) }
        let out = TimelineOutput(format: format, zone: zone)
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
        var cols = ["utc", "basis", "precision", "kind", "description", "source", "file_path", "chat", "sender", "raw", "event_id"]
        if zone != nil { cols.insert("local", at: 1) }
        print(cols.joined(separator: ","))
    }

    func row(_ r: TimelineRow) {
        let local = zone.flatMap { z in r.utcMicros.map { LocalTime.format(micros: $0, zone: z) } }
        switch format {
        case .table:
            let when = r.utc ?? "(\(r.raw.isEmpty ? "no time" : r.raw))"
            var line = when.padding(toLength: max(when.count + 2, 29), withPad: " ", startingAt: 0)
            if let local { line += local.padding(toLength: max(local.count + 2, 28), withPad: " ", startingAt: 0) }
            line += r.basis.padding(toLength: 13, withPad: " ", startingAt: 0)
            line += r.kind.padding(toLength: max(r.kind.count + 1, 18), withPad: " ", startingAt: 0)
            line += r.description
            print(TerminalText.safe(line))
        case .csv:
            var cells: [String?] = [r.utc, r.basis, r.precision, r.kind, r.description, r.source, r.filePath, r.chat, r.sender,
                                    r.raw, String(r.eventID)]
            if zone != nil { cells.insert(local, at: 1) }
            // To stdout, which is often a terminal: control sequences in evidence text are
            // neutralised (`exhibit export` writes the exact text to a file).
            print(cells.map { ExportEscape.csv(TerminalText.safe($0 ?? "", keepNewlines: true)) }.joined(separator: ","))
        case .jsonl:
            var obj: [String: JSONValue] = [
                "event_id": .number(Double(r.eventID)), "utc": r.utc.map(JSONValue.string) ?? .null,
                "utc_us": r.utcMicros.map { .number(Double($0)) } ?? .null, "raw": .string(r.raw), "basis": .string(r.basis),
                "precision": .string(r.precision), "kind": .string(r.kind), "description": .string(r.description),
                "source": .string(r.source), "file_path": r.filePath.map(JSONValue.string) ?? .null,
                "message_id": r.messageID.map { .number(Double($0)) } ?? .null, "chat": r.chat.map(JSONValue.string) ?? .null,
                "sender": r.sender.map(JSONValue.string) ?? .null, "sha256": r.sha256.map(JSONValue.string) ?? .null,
                "note": r.note.map(JSONValue.string) ?? .null, "evidence": r.evidence.map(JSONValue.string) ?? .null,
            ]
            if let local { obj["local"] = .string(local) }
            print(CompactJSON.object(obj))
        }
    }
}

/// Local wall-clock display in a zone the user named (never the machine's).
enum LocalTime {
    /// `2024-08-28 15:12:03 +09:00`.
    static func format(micros: Int64, zone: TimeZone) -> String {
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds)))
        let shifted = UTCFormat.string(micros: (seconds + Int64(offset)) * 1_000_000)
        let sign = offset < 0 ? "-" : "+"
        let o = abs(offset)
        let text = shifted.dropLast().replacingOccurrences(of: "T", with: " ")
        return "\(text) \(sign)\(String(format: "%02d:%02d", o / 3600, (o % 3600) / 60))"
    }
}
