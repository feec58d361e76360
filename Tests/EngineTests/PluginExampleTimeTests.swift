import ExhibitTesting
import Foundation
import GRDB
import Testing

/// The shipped example plugins (plugins/examples), end to end through `exhibit ingest --plugins`:
/// the Python Android SMS plugin fills the chat tables; the Swift bash-history plugin (built here
/// with plain swiftc) stores artifacts with a UTC time. Times must not depend on the machine's
/// zone (run under TZ=UTC, Asia/Seoul and America/New_York by `make test`).
@Suite(.serialized, .tags(.timeZone))
struct PluginExampleTimeTests {
    static let examples = Corpus.packageRoot().appendingPathComponent("plugins/examples").path

    @Test func androidSMSPluginPassesItsConformanceTest() throws {
        let r = try Run.command(Fixture.exhibit, ["plugin", "test", "\(Self.examples)/android-sms"])
        #expect(r.exitCode == 0, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("PASS fixture mmssms.db: 11 findings (chat 2, message 5, participant 4), as expected"))
        #expect(r.stdout.contains("PASS hostile random bytes (64 KiB): declared error not-sqlite"))
    }

    @Test func androidSMSPluginFillsTheChatTables() throws {
        let dir = try TestDirectory("plugin-sms"); defer { dir.remove() }
        let dbDir = dir.path("src/data/data/com.android.providers.telephony/databases")
        try FileManager.default.createDirectory(atPath: dbDir, withIntermediateDirectories: true)
        let made = try Run.command("/usr/bin/python3", ["\(Self.examples)/android-sms/make_fixture.py", dbDir + "/mmssms.db"])
        #expect(made.exitCode == 0, "\(made.stderr)")
        let zip = dir.path("phone.zip")
        #expect(try Run.shell("cd '\(dir.path("src"))' && zip -q -X -r '\(zip)' data").exitCode == 0)
        let db = dir.path("case.sqlite")
        // Found through $EXHIBIT_PLUGIN_PATH (a folder of plugins), which must reach the supervised worker.
        let r = try Fixture.ingest([zip], db: db, environment: ["EXHIBIT_PLUGIN_PATH": Self.examples])
        #expect(r.exitCode == 0, "\(r.stderr)")
        let q = try Fixture.open(db)
        let chats = try q.read {
            try Row.fetchAll($0, sql: "SELECT platform, format, native_id, title, analyzer_id, analyzer_version, notes FROM chats ORDER BY native_id")
        }
        #expect(chats.map { $0["title"] as String } == ["+821012345678", "+15551234567"])
        #expect(chats.allSatisfy { $0["platform"] as String == "sms" && $0["format"] as String == "plugin" && $0["analyzer_id"] as String == "android-sms" })
        #expect((chats.first?["analyzer_version"] as String?)?.hasPrefix("1.0.0+sha256.") == true)
        #expect((chats.first?["notes"] as String?)?.contains("format as reported by the plugin: android-mmssms") == true)

        let messages = try q.read {
            try Row.fetchAll($0, sql: """
                SELECT native_id, sender_name, from_device_owner, sent_utc, sent_raw, sent_basis, sent_precision, text, extra
                FROM messages ORDER BY CAST(native_id AS INTEGER)
                """)
        }
        #expect(messages.count == 5)
        let first = try #require(messages.first)
        #expect(first["sender_name"] as String == "+821012345678")
        #expect(first["from_device_owner"] as Int == 0)
        #expect(first["sent_utc"] as String == "2024-08-28T06:12:03Z")
        #expect(first["sent_raw"] as String == "1724825523000")
        #expect(first["sent_basis"] as String == "utc")
        #expect(first["sent_precision"] as String == "millisecond")
        #expect(first["text"] as String == "내일 3시에 만나요")
        #expect(first["extra"] as String == #"{"address":"+821012345678","date_sent_ms":1724825521000,"read":true,"type":"inbox"}"#)
        let reply = messages[1]
        #expect(reply["sender_name"] as String == "device owner")
        #expect(reply["from_device_owner"] as Int == 1)
        #expect(reply["sent_utc"] as String == "2024-08-28T06:13:20.123000Z")
        let owners = try q.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM participants WHERE is_device_owner = 1") }
        #expect(owners == 2)

        // Same evidence, other thread count and the plugin given with --plugins: same digest.
        let db1 = dir.path("jobs1.sqlite")
        #expect(try Fixture.ingest([zip], db: db1, extra: ["--jobs", "1", "--plugins", "\(Self.examples)/android-sms"]).exitCode == 0)
        #expect(try Fixture.digest(db1) == Fixture.digest(db))

        // Stored in the chat tables, so the chat commands and search see them like built-in findings.
        let search = try Run.command(Fixture.exhibit, ["search", "--db", db, "만나요"])
        #expect(search.exitCode == 0)
        #expect(search.stdout.contains("sms / +821012345678") && search.stdout.contains("내일 3시에 [만나요]"))
    }

    @Test func swiftBashHistoryPluginStoresTimedArtifacts() throws {
        let dir = try TestDirectory("plugin-bash"); defer { dir.remove() }
        let plugin = dir.path("bash-history")
        try FileManager.default.copyItem(atPath: "\(Self.examples)/bash-history", toPath: plugin)
        try? FileManager.default.removeItem(atPath: plugin + "/bash-history")
        let build = try Run.shell("swiftc -O main.swift -o bash-history", currentDirectory: plugin)
        #expect(build.exitCode == 0, "\(build.stderr)")
        let test = try Run.command(Fixture.exhibit, ["plugin", "test", plugin])
        #expect(test.exitCode == 0, "\(test.stdout)")
        #expect(test.stdout.contains("PASS fixture sample.bash_history: 3 findings (artifact 3), as expected"))
        let src = dir.path("src/home/kim")
        try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
        try "#1724825523\nls -la /sdcard/DCIM\nuntimed command\n#1724829000\nscp a.jpg x@203.0.113.7:/tmp/\n"
            .write(toFile: src + "/.bash_history", atomically: true, encoding: .utf8)
        let tar = dir.path("home.tar")
        #expect(try Run.shell("cd '\(dir.path("src"))' && tar -cf '\(tar)' home").exitCode == 0)
        let db = dir.path("case.sqlite")
        let r = try Fixture.ingest([tar], db: db, extra: ["--plugins", plugin])
        #expect(r.exitCode == 0, "\(r.stderr)")
        let rows = try Fixture.open(db).read {
            try Row.fetchAll($0, sql: """
                SELECT a.analyzer_id, a.properties, a.location, t.name, t.utc, t.raw, t.basis FROM artifacts a
                LEFT JOIN artifact_times t ON t.artifact_id = a.id WHERE a.type = 'shell.command' ORDER BY a.id
                """)
        }
        #expect(rows.count == 3)
        #expect(rows.allSatisfy { $0["analyzer_id"] as String == "bash-history" })
        #expect(rows[0]["properties"] as String == #"{"command":"ls -la /sdcard/DCIM","line":2,"shell":"bash"}"#)
        #expect(rows[0]["name"] as String == "executed")
        #expect(rows[0]["utc"] as String == "2024-08-28T06:12:03Z")
        #expect(rows[0]["raw"] as String == "#1724825523")
        #expect(rows[0]["basis"] as String == "utc")
        #expect(rows[1]["name"] as String? == nil, "a command without a timestamp line has no time")
        #expect(rows[2]["utc"] as String == "2024-08-28T07:10:00Z")
    }
}

/// A metadata-only plugin (`needs_bytes: false`) that reports an event with a naive local time:
/// it gets no bytes, and the host resolves the local time in the case's declared zone.
@Suite(.serialized, .tags(.timeZone))
struct PluginMetadataOnlyTimeTests {
    @Test func metadataOnlyPluginAndLocalTimes() throws {
        let dir = try TestDirectory("plugin-meta"); defer { dir.remove() }
        let plugin = dir.path("meta")
        try FileManager.default.createDirectory(atPath: plugin, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: PluginIngestTests.misbehave + "/exhibit_plugin.py", toPath: plugin + "/exhibit_plugin.py")
        try """
            {"protocol": 1, "id": "meta-only", "version": "1", "summary": "metadata only", "command": ["python3", "plugin.py"],
             "accepts": {"path_globs": ["*.log"], "needs_bytes": false}}
            """.write(toFile: plugin + "/plugin.json", atomically: true, encoding: .utf8)
        try """
            import exhibit_plugin as ex

            def analyze(req):
                yield ex.event("seen", "content given: %s" % (req.content_path is not None), ex.local("2024-08-28T15:12:03"),
                               properties={"sha256": req.hashes["sha256"], "size": req.size})

            ex.run("meta-only", "1", analyze)
            """.write(toFile: plugin + "/plugin.py", atomically: true, encoding: .utf8)
        let src = dir.path("src")
        try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
        try "boot ok\n".write(toFile: src + "/app.log", atomically: true, encoding: .utf8)
        let zip = dir.path("ev.zip")
        #expect(try Run.shell("cd '\(src)' && zip -q -X '\(zip)' app.log").exitCode == 0)
        let db = dir.path("case.sqlite")
        let r = try Fixture.ingest([zip], db: db, extra: ["--plugins", plugin, "--assume-tz", "Asia/Seoul"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        let row = try Fixture.open(db).read {
            try Row.fetchOne($0, sql: """
                SELECT a.type, a.properties, t.name, t.utc, t.raw, t.basis, t.local_wallclock FROM artifacts a
                JOIN artifact_times t ON t.artifact_id = a.id WHERE a.analyzer_id = 'meta-only'
                """)
        }
        let sha = try Fixture.sha256(of: src + "/app.log")
        #expect(row?["type"] as String? == "event")
        #expect(row?["properties"] as String? == #"{"description":"content given: False","kind":"seen","sha256":"\#(sha)","size":8}"#)
        #expect(row?["name"] as String? == "seen")
        #expect(row?["utc"] as String? == "2024-08-28T06:12:03Z")
        #expect(row?["raw"] as String? == "2024-08-28T15:12:03")
        #expect(row?["basis"] as String? == "assumed-zone")
        #expect(row?["local_wallclock"] as String? == "2024-08-28T15:12:03")
    }
}
