import ExhibitTesting
import Foundation
import Testing

/// Issue 15, item 8: every human output shows the local time in the case's zone with UTC
/// beside it (and the basis when it is not `utc`); `--tz` overrides it everywhere; a date-only
/// `--from`/`--to` is a day in that zone; machine outputs keep UTC plus an explicit local field.
/// Item 12: a search hit on a sender or a chat title shows the message, the name marked.
/// Tagged `.timeZone`: `make test` runs it again under TZ=UTC and TZ=Asia/Seoul, and the
/// output must not depend on the machine's zone.
@Suite("The case's zone in every output (Time)", .serialized, .tags(.timeZone))
struct CaseZoneDisplayTimeTests {
    /// The chat exports of ChatIngestTimeTests, ingested with --assume-tz Asia/Seoul.
    static func seoulCase(_ dir: TestDirectory) throws -> String {
        let zip = try ChatIngestTimeTests.buildZip(dir)
        let db = dir.path("case.sqlite")
        let r = try Fixture.ingest([zip], db: db, extra: ["--assume-tz", "Asia/Seoul"])
        try #require(r.exitCode == 0, "\(r.stderr)")
        return db
    }

    static func run(_ args: [String]) throws -> CommandResult {
        let r = try Run.command(Fixture.exhibit, args)
        #expect(r.exitCode == 0, "\(args.joined(separator: " ")): \(r.stderr)")
        return r
    }

    static func json(_ args: [String]) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(try run(args).stdout.utf8))
    }

    @Test func messagesSearchSpreadTimelineReportAndTranscriptsShowTheCaseZone() throws {
        let dir = try TestDirectory("zone-display")
        defer { dir.remove() }
        let db = try Self.seoulCase(dir)

        // messages: Seoul wall clock, UTC beside it; the basis when it is not utc.
        let thread = try Self.run(["messages", "--db", db, "--chat", "Minji"]).stdout
        #expect(thread.contains("2024-08-28 15:12:03 +09:00 (06:12:03Z)  Jun-ho:   [photo: photos/photo_1@28-08-2024_15-12-03.jpg"), "\(thread)")
        #expect(thread.contains("2024-08-28 15:06:00 +09:00 (06:06:00Z, assumed-zone)  Minji: 안녕! 딥페이크 영상 봤어?"), "\(thread)")
        // --tz overrides: another zone, or UTC alone.
        let london = try Self.run(["messages", "--db", db, "--chat", "Minji", "--tz", "Europe/London"]).stdout
        #expect(london.contains("2024-08-28 07:12:03 +01:00 (06:12:03Z)  Jun-ho:"), "\(london)")
        let utc = try Self.run(["messages", "--db", db, "--chat", "Minji", "--tz", "UTC"]).stdout
        #expect(utc.contains("2024-08-28T06:12:03Z  Jun-ho:"), "\(utc)")
        #expect(utc.contains("2024-08-28T06:06:00Z (assumed-zone)  Minji:"), "\(utc)")
        #expect(try Run.command(Fixture.exhibit, ["messages", "--db", db, "--tz", "Mars/Olympus"]).exitCode == 2)

        // A date-only window is a day in the display zone. 2024-08-29T00:40Z is the 29th in
        // Seoul and in UTC, but still the 28th in New York (UTC-4 in August).
        func sentUTC(_ extra: [String]) throws -> [String] {
            let rows = try Self.json(["messages", "--db", db, "--chat", "Minji", "--json"] + extra) as? [[String: Any]] ?? []
            return rows.compactMap { $0["sent_utc"] as? String }
        }
        let newYork = try sentUTC(["--from", "2024-08-28", "--to", "2024-08-28", "--tz", "America/New_York"])
        #expect(newYork.contains("2024-08-29T00:40:00Z"), "\(newYork)")
        #expect(!newYork.contains("2024-08-30T12:00:00Z"))
        let utcDay = try sentUTC(["--from", "2024-08-28", "--to", "2024-08-28", "--tz", "UTC"])
        #expect(!utcDay.contains("2024-08-29T00:40:00Z") && utcDay.contains("2024-08-28T12:10:00Z"), "\(utcDay)")
        let seoulDay = try sentUTC(["--from", "2024-08-29", "--to", "2024-08-29"])
        #expect(seoulDay.contains("2024-08-29T00:40:00Z") && seoulDay.contains("2024-08-29T12:43:00Z"), "\(seoulDay)")
        #expect(!seoulDay.contains("2024-08-28T12:10:00Z"))
        // A date-time without an offset is the zone's wall clock too: 09:40 in Seoul is 00:40Z.
        let exact = try sentUTC(["--from", "2024-08-29T09:40", "--to", "2024-08-29T09:40"])
        #expect(!exact.isEmpty && exact.allSatisfy { $0 == "2024-08-29T00:40:00Z" }, "\(exact)")

        // messages --json: sent_local beside sent_utc, every key present.
        let rows = try #require(try Self.json(["messages", "--db", db, "--chat", "Minji", "--sender", "Jun-ho", "--json"]) as? [[String: Any]])
        try #require(!rows.isEmpty)
        let photo = try #require(rows.first { ($0["sent_utc"] as? String) == "2024-08-28T06:12:03Z" })
        #expect(photo["sent_local"] as? String == "2024-08-28 15:12:03 +09:00")
        #expect(photo["recovered_record_id"] is NSNull, "a nil value is written as null, not left out")

        // timeline: the case zone by default (table), "local" always in jsonl.
        let table = try Self.run(["timeline", "--db", db, "--kind", "message.sent", "--chat", "Minji"]).stdout
        #expect(table.contains("2024-08-28T06:12:03Z") && table.contains("2024-08-28 15:12:03 +09:00"), "\(table)")
        let lines = try Self.run(["timeline", "--db", db, "--format", "jsonl", "--all"]).stdout.split(separator: "\n")
        try #require(!lines.isEmpty)
        let events = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:] }
        #expect(events.allSatisfy { $0.keys.contains("local") })
        #expect(events.contains { ($0["utc"] as? String) == "2024-08-28T06:12:03Z" && ($0["local"] as? String) == "2024-08-28 15:12:03 +09:00" })

        // spread (media sent in chats): the same form, basis when not utc.
        let spread = try Self.run(["spread", "--db", db]).stdout
        #expect(spread.contains("2024-08-28 15:12:03 +09:00 (06:12:03Z)  Jun-ho → telegram “Minji”"), "\(spread)")
        let spreadJSON = try #require(try Self.json(["spread", "--db", db, "--json"]) as? [[String: Any]])
        let first = try #require(spreadJSON.first?["first"] as? [String: Any])
        #expect(first["local"] as? String != nil && first["utc_micros"] != nil, "\(first)")

        // The report and the transcripts.
        _ = try Self.run(["report", "--db", db, "--out", dir.path("report.html")])
        let report = try String(contentsOfFile: dir.path("report.html"), encoding: .utf8)
        // The report is in court form (docs/exports.md): local time and UTC beside it, on one line.
        #expect(report.contains("<span class=\"local\">2024-08-28 15:12:03 +09:00</span>"), "\(report.prefix(3000))")
        #expect(report.contains("<span class=\"utc\">UTC 2024-08-28T06:12:03Z</span>"))
        #expect(report.contains("Times are shown in the case's time zone, Asia/Seoul, with UTC beside them."))
        _ = try Self.run(["export", "--db", db, "--format", "transcript", "--out", dir.path("t")])
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path("t")).filter { $0 != "index.html" }
        try #require(!files.isEmpty)
        let transcripts = try files.map { try String(contentsOfFile: dir.path("t/\($0)"), encoding: .utf8) }.joined()
        #expect(transcripts.contains("2024-08-28 15:12:03 +09:00 (06:12:03Z)"))
        // CSV: UTC columns as before, the local time last.
        _ = try Self.run(["export", "--db", db, "--format", "csv", "--out", dir.path("t.csv")])
        let csv = try String(contentsOfFile: dir.path("t.csv"), encoding: .utf8)
        #expect(csv.hasPrefix("utc,basis,") && csv.contains(",local\r\n"))
        #expect(csv.contains("2024-08-28T06:12:03Z,utc,") && csv.contains(",2024-08-28 15:12:03 +09:00\r\n"))
        // --tz for the export: New York's summer offset (offset changes: LocalTimeSQLTimeTests).
        _ = try Self.run(["export", "--db", db, "--format", "csv", "--out", dir.path("ny.csv"), "--tz", "America/New_York"])
        let ny = try String(contentsOfFile: dir.path("ny.csv"), encoding: .utf8)
        #expect(ny.contains("2024-08-28T06:12:03Z,utc,") && ny.contains(",2024-08-28 02:12:03 -04:00\r\n"), "EDT in August")
    }

    @Test func aSearchHitOnANameShowsTheMessageWithTheNameMarked() throws {
        let dir = try TestDirectory("zone-search")
        defer { dir.remove() }
        let db = try Self.seoulCase(dir)
        // A text hit: the text around it, the match in brackets.
        let text = try Self.run(["search", "--db", db, "딥페이크"]).stdout
        #expect(text.contains("telegram / Minji  2024-08-28 15:10:00 +09:00 (06:10:00Z)  Minji: 안녕! [딥페이크] 영상 봤어?"), "\(text)")
        // A sender hit: the message's own text, the sender marked — never the name in its place.
        let sender = try Self.run(["search", "--db", db, "Jun-h"]).stdout
        #expect(sender.contains("telegram / Minji  2024-08-29 09:45:00 +09:00 (00:45:00Z)  [Jun-h]o: Concert schedule is out."), "\(sender)")
        // A chat-title hit: the title marked, the message as it is.
        let hits = try #require(try Self.json(["search", "--db", db, "inj", "--json"]) as? [String: Any])
        #expect(hits["scope"] as? String == "chats")
        let list = try #require(hits["hits"] as? [[String: Any]])
        let concert = try #require(list.first { (($0["message"] as? [String: Any])?["text"] as? String) == "Concert schedule is out." })
        #expect(concert["field"] as? String == "chat")
        let titled = try Self.run(["search", "--db", db, "inj"]).stdout
        #expect(titled.contains("telegram / M[inj]i  2024-08-29 09:45:00 +09:00 (00:45:00Z)  Jun-ho: Concert schedule is out."), "\(titled)")
        let searched = try Run.command(Fixture.exhibit, ["search", "--db", db, "inj"])
        #expect(searched.stderr.contains("in chats"), "the output says that only chats were searched: \(searched.stderr)")
    }
}
