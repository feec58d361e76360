import ExhibitTesting
import Foundation
import GRDB
import Testing

/// Issue 6's timeline and spread, end to end with the real binary on the sample case
/// (corpora/sample-case) plus a Telegram group export made at test time that forwards the same
/// photo bytes into a second room. Tagged `.timeZone`: the suite re-runs under TZ=UTC,
/// Asia/Seoul and America/New_York (`make test`), and must print the same UTC values each time.
@Suite("Timeline and spread on the sample case (Time)", .tags(.timeZone))
struct TimelineTimeTests {
    /// SHA-256 of the concert photo as Telegram stores it (corpora/sample-case/manifest.json).
    static let telegramPhoto = "b6b7842eb7b028c2a165df96488b1905fe7ec863a76cc0f87f83822e1f1d5a8c"

    /// One ingest shared by the read-only tests; tests that change the case work on a copy.
    static let shared: Result<(dir: TestDirectory, db: String), any Error> = Result { try makeCase(name: "timeline-shared") }

    static func makeCase(name: String, environment: [String: String] = [:]) throws -> (dir: TestDirectory, db: String) {
        let dir = try TestDirectory(name)
        let group = try groupExport(in: dir)
        let db = dir.path("case.sqlite")
        let r = try Fixture.ingest([Corpus.url("sample-case/phone-dump.zip").path, Corpus.url("sample-case/pc-export.tar.gz").path, group],
                                   db: db, extra: ["--assume-tz", "Asia/Seoul", "--jobs", "2"], environment: environment)
        try #require(r.exitCode == 0, "ingest failed: \(r.stderr)")
        return (dir, db)
    }

    /// A Telegram Desktop group export (JSON) whose two photo messages carry the sample's
    /// Telegram photo (same bytes, copied out of pc-export.tar.gz with GNU tar).
    static func groupExport(in dir: TestDirectory) throws -> String {
        let src = dir.path("group-src")
        let json = """
            {"name": "Concert fans", "type": "private_group", "id": 777000111, "messages": [
             {"id": 1, "type": "message", "date": "2024-08-28T18:00:00", "date_unixtime": "1724835600", "from": "Jun-ho",
              "from_id": "user5550009999", "photo": "photos/photo_1.jpg", "width": 320, "height": 240, "text": "", "text_entities": []},
             {"id": 2, "type": "service", "date": "2024-08-28T18:01:00", "date_unixtime": "1724835660", "actor": "Soo-ah",
              "actor_id": "user5550007777", "action": "invite_members", "members": ["Minji"], "text": "", "text_entities": []},
             {"id": 3, "type": "message", "date": "2024-08-29T08:00:00", "date_unixtime": "1724886000", "from": "Soo-ah",
              "from_id": "user5550007777", "photo": "photos/photo_1.jpg", "width": 320, "height": 240, "text": "again", "text_entities": []}
            ]}
            """
        let script = """
            set -e; mkdir -p '\(src)/Telegram Desktop/ChatExport_2024-08-31/photos'; cd '\(src)'
            printf '%s' '\(json)' > 'Telegram Desktop/ChatExport_2024-08-31/result.json'
            tar -xzOf '\(Corpus.url("sample-case/pc-export.tar.gz").path)' 'Telegram Desktop/ChatExport_2024-08-30/photos/photo_1@28-08-2024_15-12-03.jpg' \
              > 'Telegram Desktop/ChatExport_2024-08-31/photos/photo_1.jpg'
            tar --format=ustar --owner=0 --group=0 --numeric-owner --mtime='2024-08-31 00:00:00Z' -cf '\(dir.path("group.tar"))' 'Telegram Desktop'
            """
        let r = try Run.shell(script)
        try #require(r.exitCode == 0, "group export: \(r.stderr)")
        return dir.path("group.tar")
    }

    static func db() throws -> String { try shared.get().db }

    /// `exhibit timeline … --format jsonl --all`, one dictionary per event.
    static func timeline(_ db: String, _ args: [String] = [], environment: [String: String] = [:]) throws -> [[String: Any]] {
        let r = try Run.command(Fixture.exhibit, ["timeline", "--db", db, "--format", "jsonl", "--all"] + args, environment: environment)
        try #require(r.exitCode == 0, "timeline failed: \(r.stderr)")
        return r.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    static func find(_ events: [[String: Any]], kind: String, where test: ([String: Any]) -> Bool) -> [String: Any]? {
        events.first { ($0["kind"] as? String) == kind && test($0) }
    }

    @Test func mergedChronologyOfMessagesPhotosAndFilesEachWithBasis() throws {
        let events = try Self.timeline(Self.db())
        let kinds = Set(events.compactMap { $0["kind"] as? String })
        for k in ["message.sent", "message.touched", "chat.action", "chat.system", "file.modified", "photo.taken",
                  "media.created", "gps.fix"] {
            #expect(kinds.contains(k), "missing \(k)")
        }
        // Chronological, events without an instant last, every one with a basis.
        let instants = events.map { $0["utc_us"] as? Int64 ?? ($0["utc_us"] as? NSNumber)?.int64Value }
        let timed = instants.prefix { $0 != nil }.compactMap { $0 }
        #expect(timed == timed.sorted())
        #expect(instants.dropFirst(timed.count).allSatisfy { $0 == nil })
        #expect(events.allSatisfy { ["utc", "offset", "assumed-zone", "unknown"].contains($0["basis"] as? String ?? "") })

        // The camera original: EXIF DateTimeOriginal with its own offset and sub-seconds.
        let photo = try #require(Self.find(events, kind: "photo.taken") {
            ($0["file_path"] as? String) == "phone-dump.zip!/sdcard/DCIM/Camera/IMG_20240828_151203.jpg" })
        #expect(photo["utc"] as? String == "2024-08-28T06:12:03.120000Z")
        #expect(photo["basis"] as? String == "offset")
        #expect(photo["raw"] as? String == "2024:08:28 15:12:03")
        #expect(photo["source"] as? String == "metadata")
        #expect(photo["precision"] as? String == "millisecond")
        // Telegram: date_unixtime, basis utc; WhatsApp: Seoul wall clock, basis assumed-zone.
        let telegram = try #require(Self.find(events, kind: "message.sent") {
            ($0["chat"] as? String) == "Minji" && ($0["utc"] as? String) == "2024-08-28T06:12:03Z" })
        #expect(telegram["basis"] as? String == "utc")
        #expect(telegram["sender"] as? String == "Jun-ho")
        #expect(telegram["source"] as? String == "chat-export")
        #expect((telegram["file_path"] as? String)?.hasSuffix("ChatExport_2024-08-30/result.json") == true)
        #expect(telegram["message_id"] != nil)
        let whatsapp = try #require(Self.find(events, kind: "message.sent") {
            ($0["description"] as? String)?.contains("IMG-20240828-WA0001.jpg (file attached)") == true })
        #expect(whatsapp["utc"] as? String == "2024-08-28T06:12:00Z")
        #expect(whatsapp["basis"] as? String == "assumed-zone")
        #expect(whatsapp["raw"] as? String == "8/28/24, 3:12\u{202F}PM")
        // Archive time of the Telegram copy on the phone (zip extended timestamp: UTC).
        let file = try #require(Self.find(events, kind: "file.modified") {
            ($0["file_path"] as? String) == "phone-dump.zip!/sdcard/Download/Telegram/photo_1@28-08-2024_15-12-03.jpg" })
        #expect(file["utc"] as? String == "2024-08-28T06:12:05Z")
        #expect(file["basis"] as? String == "utc")
        #expect(file["source"] as? String == "intake")
        #expect(file["sha256"] as? String == Self.telegramPhoto)
        // A service action with its actor; GPS fix from the GPS clock.
        let invite = try #require(Self.find(events, kind: "chat.action") { ($0["chat"] as? String) == "Concert fans" })
        #expect(invite["sender"] as? String == "Soo-ah")
        #expect(invite["description"] as? String == "Soo-ah: invite members in Telegram “Concert fans”")
        let gps = try #require(Self.find(events, kind: "gps.fix") { ($0["file_path"] as? String)?.hasSuffix("IMG_20240828_151203.jpg") == true })
        #expect(gps["utc"] as? String == "2024-08-28T06:12:05Z")
    }

    @Test func sameUTCOutputWhateverTheMachineZone() throws {
        let db = try Self.db()
        var outputs: [String] = []
        for tz in ["UTC", "Asia/Seoul", "America/New_York"] {
            let r = try Run.command(Fixture.exhibit, ["timeline", "--db", db, "--format", "csv", "--all"], environment: ["TZ": tz])
            #expect(r.exitCode == 0)
            outputs.append(r.stdout)
        }
        #expect(Set(outputs).count == 1)
        #expect(outputs[0].split(separator: "\n").count > 50)
        // A second ingest of the same evidence under another machine zone: the same findings.
        let other = try Self.makeCase(name: "timeline-ny", environment: ["TZ": "America/New_York"])
        defer { other.dir.remove() }
        #expect(try Fixture.digest(other.db) == Fixture.digest(db))
        let strip: ([[String: Any]]) -> [String] = { rows in
            rows.map { "\($0["utc"] ?? "-") \($0["basis"] ?? "-") \($0["kind"] ?? "-") \($0["description"] ?? "-")" }.sorted()
        }
        #expect(try strip(Self.timeline(other.db)) == strip(Self.timeline(db)))
    }

    @Test func setTZRecomputesNaiveTimesAndRebuildsTheTimeline() throws {
        let dir = try TestDirectory("timeline-settz")
        defer { dir.remove() }
        let db = dir.path("case.sqlite")
        try FileManager.default.copyItem(atPath: Self.db(), toPath: db)
        let before = try Fixture.digest(db)
        let isWhatsApp: ([String: Any]) -> Bool = { ($0["raw"] as? String) == "8/28/24, 3:12\u{202F}PM" && ($0["kind"] as? String) == "message.sent" }
        let isPhoto: ([String: Any]) -> Bool = { ($0["kind"] as? String) == "photo.taken" && ($0["file_path"] as? String)?.hasSuffix("IMG_20240828_151203.jpg") == true }

        let r = try Run.command(Fixture.exhibit, ["case", "set-tz", "--db", db, "Europe/London"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Asia/Seoul → Europe/London"))
        var events = try Self.timeline(db)
        // 15:12 in London (BST, +01:00) is 14:12Z; the EXIF time with its own offset does not move.
        #expect(events.first(where: isWhatsApp)?["utc"] as? String == "2024-08-28T14:12:00Z")
        #expect(events.first(where: isPhoto)?["utc"] as? String == "2024-08-28T06:12:03.120000Z")

        #expect(try Run.command(Fixture.exhibit, ["case", "set-tz", "--db", db, "none"]).exitCode == 0)
        events = try Self.timeline(db)
        let unknown = try #require(events.first(where: isWhatsApp))
        #expect(unknown["utc"] is NSNull)
        #expect(unknown["basis"] as? String == "unknown")
        // A range leaves out events without an instant.
        #expect(try Self.timeline(db, ["--from", "2024-08-28", "--to", "2024-08-28"]).contains(where: isWhatsApp) == false)

        #expect(try Run.command(Fixture.exhibit, ["case", "set-tz", "--db", db, "Asia/Seoul"]).exitCode == 0)
        #expect(try Fixture.digest(db) == before)
        let audit = try Fixture.open(db).read { c in
            try String.fetchAll(c, sql: "SELECT details FROM audit_log WHERE action = 'case.set-tz' ORDER BY seq")
        }
        #expect(audit.count == 3)
        #expect(audit.first?.contains("\"previous_zone\":\"Asia/Seoul\"") == true)
        #expect(try Run.command(Fixture.exhibit, ["case", "set-tz", "--db", db, "Mars/Olympus"]).exitCode == 2)
    }

    @Test func rebuildIsIdempotent() throws {
        let dir = try TestDirectory("timeline-rebuild")
        defer { dir.remove() }
        let db = dir.path("case.sqlite")
        try FileManager.default.copyItem(atPath: Self.db(), toPath: db)
        let before = try Fixture.digest(db)
        // The builder's rows: events plus PDQ groups (`media_clusters`, one row per grouped picture).
        let count = { try Fixture.open(db).read {
            try Int.fetchOne($0, sql: "SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM media_clusters)") ?? 0
        } }
        let n = try count()
        #expect(n > 50)
        let r = try Run.command(Fixture.exhibit, ["case", "rebuild", "--db", db])
        #expect(r.stdout.contains("rebuilt timeline 1.1: \(n) events (was \(n))"), "\(r.stdout) \(r.stderr)")
        #expect(try Fixture.digest(db) == before)
        #expect(try count() == n)
        // Ingesting again (everything already complete) rebuilds too, to the same rows.
        let again = try Fixture.ingest([Corpus.url("sample-case/phone-dump.zip").path], db: db, extra: ["--assume-tz", "Asia/Seoul"])
        #expect(again.exitCode == 0)
        #expect(try Fixture.digest(db) == before)
        // The digest covers events: removing one changes it.
        let queue = try DatabaseQueue(path: db)
        try queue.write { try $0.execute(sql: "DELETE FROM events WHERE kind = 'gps.fix' AND id = (SELECT max(id) FROM events WHERE kind = 'gps.fix')") }
        #expect(try Fixture.digest(db) != before)
    }

    @Test func spreadBySHA256AcrossChats() throws {
        // --exact: this SHA-256 alone (a PDQ group, once media hashes exist, would add the
        // camera original and the WhatsApp copy; KnownMediaTimeTests covers that).
        let r = try Run.command(Fixture.exhibit, ["spread", "--db", Self.db(), Self.telegramPhoto, "--json", "--exact"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        let list = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        let s = try #require(list.first)
        #expect(s["rooms"] as? Int == 2)
        #expect(s["senders"] as? Int == 2)
        let messages = try #require(s["messages"] as? [[String: Any]])
        #expect(messages.map { "\($0["utc"] ?? "") \($0["sender"] ?? "") \($0["chat"] ?? "")" } == [
            "2024-08-28T06:12:03Z Jun-ho Minji", "2024-08-28T09:00:00Z Jun-ho Concert fans",
            "2024-08-28T23:00:00Z Soo-ah Concert fans",
        ])
        let files = try #require(s["files"] as? [[String: Any]])
        #expect(files.count == 4)
        let first = try #require(s["first"] as? [String: Any])
        #expect(first["appearance"] as? String == "message")
        #expect(first["utc"] as? String == "2024-08-28T06:12:03Z")
        // Text form, and an unknown hash.
        let text = try Run.command(Fixture.exhibit, ["spread", "--db", Self.db(), Self.telegramPhoto, "--exact"])
        #expect(text.stdout.hasPrefix("== \(Self.telegramPhoto)  2 rooms, 2 senders, 3 messages, 4 file copies"))
        #expect(try Run.command(Fixture.exhibit, ["spread", "--db", Self.db(), String(repeating: "0", count: 64)]).exitCode == 4)
        #expect(try Run.command(Fixture.exhibit, ["spread", "--db", Self.db(), "xyz"]).exitCode == 2)
    }

    @Test func pagesCoverEveryEventOnceInOrder() throws {
        let db = try Self.db()
        let all = try Self.timeline(db).map { $0["event_id"] as? Int ?? -1 }
        var paged: [Int] = []
        var after: String?
        for _ in 0..<100 {
            let r = try Run.command(Fixture.exhibit, ["timeline", "--db", db, "--format", "jsonl", "--limit", "7"]
                                    + (after.map { ["--after", $0] } ?? []))
            #expect(r.exitCode == 0)
            paged += r.stdout.split(separator: "\n").compactMap {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["event_id"] as? Int
            }
            guard let line = r.stderr.split(separator: "\n").first(where: { $0.hasPrefix("next: ") }) else { break }
            after = String(line.dropFirst(6).prefix { $0 != " " })
        }
        #expect(paged == all)
        #expect(Set(paged).count == paged.count)
        #expect(try Run.command(Fixture.exhibit, ["timeline", "--db", db, "--after", "bogus"]).exitCode == 2)
    }

    @Test func fromToParticipantChatAndKindFilters() throws {
        let db = try Self.db()
        let all = try Self.timeline(db)
        // A date-only --to includes that whole day; a date without an offset is a day of the
        // case's zone (Asia/Seoul; issue 15, item 8): the events whose local time is that day.
        let day = try Self.timeline(db, ["--from", "2024-08-29", "--to", "2024-08-29"])
        let expected = all.filter { ($0["local"] as? String)?.hasPrefix("2024-08-29") == true }
        #expect(day.map { $0["event_id"] as? Int } == expected.map { $0["event_id"] as? Int })
        #expect(!day.isEmpty)
        // With an offset: 2024-08-29T09:40+09:00 is 00:40Z, inclusive to the microsecond.
        let exact = try Self.timeline(db, ["--from", "2024-08-29T09:40:00+09:00", "--to", "2024-08-29T09:40:00+09:00"])
        #expect(exact.map { $0["utc"] as? String } == ["2024-08-29T00:40:00Z"])
        // Participant (case-insensitive substring of the sender), merged across senders in time order.
        let minji = try Self.timeline(db, ["--participant", "minji", "--kind", "message.sent"])
        #expect(!minji.isEmpty)
        #expect(minji.allSatisfy { ($0["sender"] as? String) == "Minji" })
        #expect(minji.count == all.filter { ($0["sender"] as? String) == "Minji" && ($0["kind"] as? String) == "message.sent" }.count)
        let two = try Self.timeline(db, ["--participant", "-", "--kind", "message.sent"])  // Jun-ho and Soo-ah
        #expect(Set(two.compactMap { $0["sender"] as? String }) == ["Jun-ho", "Soo-ah"])
        let times = two.compactMap { ($0["utc_us"] as? NSNumber)?.int64Value }
        #expect(times == times.sorted())
        // Chat and path filters, kind prefixes.
        #expect(try Self.timeline(db, ["--chat", "concert"]).allSatisfy { ($0["chat"] as? String) == "Concert fans" })
        let files = try Self.timeline(db, ["--kind", "file.*", "--path", "*DCIM*"])
        #expect(files.count == all.filter { ($0["kind"] as? String)?.hasPrefix("file.") == true
            && ($0["file_path"] as? String)?.contains("DCIM") == true }.count)
        #expect(try Run.command(Fixture.exhibit, ["timeline", "--db", db, "--from", "yesterday"]).exitCode == 2)
        // Display zone: the case's by default, --tz for another; a local column, UTC untouched.
        let seoul = try Run.command(Fixture.exhibit, ["timeline", "--db", db, "--kind", "photo.taken", "--limit", "1"])
        #expect(seoul.stdout.hasPrefix("2024-08-28T06:12:03.120000Z  2024-08-28 15:12:03 +09:00"))
        let london = try Run.command(Fixture.exhibit, ["timeline", "--db", db, "--tz", "Europe/London", "--kind", "photo.taken", "--limit", "1"])
        #expect(london.stdout.hasPrefix("2024-08-28T06:12:03.120000Z  2024-08-28 07:12:03 +01:00"))
    }

    /// External analyzers' named times join the timeline (`artifact.<name>`, source = their id),
    /// and the metadata analyzer's camera-vs-GPS indicator becomes a `clock.discrepancy` event.
    @Test func pluginArtifactTimesAndCameraGPSDiscrepancyJoinTheTimeline() throws {
        let dir = try TestDirectory("timeline-artifacts")
        defer { dir.remove() }
        let src = dir.path("src")
        let made = try Run.shell("""
            set -e; mkdir -p '\(src)'; cd '\(src)'; printf 'one\\ntwo\\n' > notes.txt
            cp '\(Corpus.url("metadata/jpeg/clock-skew.jpg").path)' clock-skew.jpg
            touch -d '2024-08-28 06:12:04Z' notes.txt; zip -q -X '\(dir.path("e.zip"))' notes.txt clock-skew.jpg
            """)
        try #require(made.exitCode == 0, "\(made.stderr)")
        let db = dir.path("case.sqlite")
        let r = try Fixture.ingest([dir.path("e.zip")], db: db, binary: Fixture.testbed, extra: ["--assume-tz", "Asia/Seoul"])
        try #require(r.exitCode == 0, "\(r.stderr)")
        let events = try Self.timeline(db)
        let artifact = try #require(Self.find(events, kind: "artifact.modified") { _ in true })
        #expect(artifact["source"] as? String == "testbed-lines")
        #expect(artifact["file_path"] as? String == "e.zip!/notes.txt")
        #expect(artifact["description"] as? String == "testbed.lines modified: e.zip!/notes.txt")
        let file = try #require(Self.find(events, kind: "file.modified") { ($0["file_path"] as? String) == "e.zip!/notes.txt" })
        #expect(artifact["utc"] as? String == file["utc"] as? String)
        #expect(artifact["basis"] as? String == file["basis"] as? String)

        let real = dir.path("real.sqlite")
        #expect(try Fixture.ingest([dir.path("e.zip")], db: real, extra: ["--assume-tz", "Asia/Seoul"]).exitCode == 0)
        let clock = try #require(Self.find(try Self.timeline(real), kind: "clock.discrepancy") { _ in true })
        #expect(clock["file_path"] as? String == "e.zip!/clock-skew.jpg")
        #expect(clock["source"] as? String == "metadata")
        #expect((clock["description"] as? String)?.hasPrefix("e.zip!/clock-skew.jpg: ") == true)
        let indicator = try Fixture.open(real).read { c in
            try Row.fetchOne(c, sql: "SELECT t.utc, t.basis FROM indicator_times t JOIN indicators i ON i.id = t.indicator_id WHERE t.name = 'camera'")
        }
        #expect(clock["utc"] as? String == indicator?["utc"])
        #expect(clock["basis"] as? String == indicator?["basis"])
    }
}
