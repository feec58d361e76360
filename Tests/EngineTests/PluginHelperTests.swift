import ExhibitTesting
import Foundation
import GRDB
import Testing

/// Issue 15, item 19: the Python helper's parameters do what their names say
/// (`read_bytes(limit=N)` reads N bytes), its builders cover every protocol field (edited,
/// reply_to, forwarded_from, exported_at, attachments, indicators, media hashes), a plugin's own
/// platform name is shown instead of `other`, and a broken plugin.json is named by line and column.
@Suite(.serialized)
struct PluginHelperTests {
    static let helper = Corpus.packageRoot().appendingPathComponent("plugins/examples/android-sms/exhibit_plugin.py").path

    @Test func readBytesReadsTheFirstBytesAndReadAllRefusesPastTheLimit() throws {
        let dir = try TestDirectory("plugin-helper-read"); defer { dir.remove() }
        try Data(repeating: 0x41, count: 5000).write(to: URL(fileURLWithPath: dir.path("big.bin")))
        let script = """
            import sys; sys.path.insert(0, '\(URL(fileURLWithPath: Self.helper).deletingLastPathComponent().path)')
            import exhibit_plugin as ex
            req = ex.Request({"request": 1, "file": {"key": "k", "virtual_path": "v", "name": "big.bin", "size": 5000,
                              "mime": "application/octet-stream", "hashes": {}}, "content": {"path": '\(dir.path("big.bin"))'}})
            print(len(req.read_bytes(limit=16)), len(req.read_bytes(limit=10**9)), len(req.read_bytes()))
            try:
                req.read_bytes(max_size=100)
                print("no error")
            except ex.PluginError as e:
                print(e.code)
            """
        try script.write(toFile: dir.path("t.py"), atomically: true, encoding: .utf8)
        let r = try Run.command("/usr/bin/python3", [dir.path("t.py")])
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(r.stdout == "16 5000 5000\ntoo-large\n", "\(r.stdout)")
    }

    @Test func everyProtocolFieldThroughTheHelperReachesTheCase() throws {
        let dir = try TestDirectory("plugin-helper-fields"); defer { dir.remove() }
        let plugin = dir.path("signal")
        try FileManager.default.createDirectory(atPath: plugin, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.helper, toPath: plugin + "/exhibit_plugin.py")
        try """
            {"protocol": 1, "id": "signal-test", "version": "1", "summary": "every helper field",
             "command": ["python3", "plugin.py"], "accepts": {"path_globs": ["*.signal"]}}
            """.write(toFile: plugin + "/plugin.json", atomically: true, encoding: .utf8)
        try """
            import exhibit_plugin as ex

            def analyze(req):
                head = req.read_bytes(limit=6)
                yield ex.chat("c", "signal", title="Study group", native_id="g1", exported_at=ex.instant("2024-08-30T12:00:00Z"))
                yield ex.message("c", text="first", sender="Minji", native_id="m1", sent=ex.unix_s(1724825523))
                yield ex.message("c", text=head.decode(), sender="Jun-ho", native_id="m2", sent=ex.unix_s(1724825583),
                                 edited=ex.unix_s(1724825600), reply_to="m1", forwarded_from="Soo-ah",
                                 attachments=[ex.attachment("photo.jpg", kind="photo", file_name="photo.jpg", width=4, height=3)])
                yield ex.indicator("generator-software", "made by a generator", "Software", details={"name": "x"},
                                   times={"created": ex.instant("2024-08-28T06:00:00Z")})
                yield ex.media_hash("0" * 64, 80)

            ex.run("signal-test", "1", analyze)
            """.write(toFile: plugin + "/plugin.py", atomically: true, encoding: .utf8)
        let src = dir.path("src")
        try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
        try "hello world, more bytes\n".write(toFile: src + "/chat.signal", atomically: true, encoding: .utf8)
        try Data(repeating: 7, count: 10).write(to: URL(fileURLWithPath: src + "/photo.jpg"))
        let zip = dir.path("ev.zip")
        #expect(try Run.shell("cd '\(src)' && zip -q -X '\(zip)' chat.signal photo.jpg").exitCode == 0)
        let db = dir.path("case.sqlite")
        let r = try Fixture.ingest([zip], db: db, extra: ["--plugins", plugin])
        try #require(r.exitCode == 0, "\(r.stderr)")
        let q = try Fixture.open(db)
        let chat = try #require(try q.read { try Row.fetchOne($0, sql: "SELECT platform, title, exported_utc FROM chats") })
        #expect(chat["platform"] as String? == "signal", "the plugin's platform name, not other")
        #expect(chat["exported_utc"] as String? == "2024-08-30T12:00:00Z")
        let m = try #require(try q.read { try Row.fetchOne($0, sql: """
            SELECT text, touched_utc, reply_to_native_id, forwarded_from FROM messages WHERE native_id = 'm2'
            """) })
        #expect(m["text"] as String? == "hello ", "read_bytes(limit=6) gave the first 6 bytes")
        #expect(m["touched_utc"] as String? == "2024-08-28T06:13:20Z")
        #expect(m["reply_to_native_id"] as String? == "m1")
        #expect(m["forwarded_from"] as String? == "Soo-ah")
        let attachment = try q.read { try Row.fetchOne($0, sql: "SELECT kind, status, width, height FROM attachments") }
        #expect(attachment?["kind"] as String? == "photo" && attachment?["status"] as String? == "resolved")
        #expect(try q.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM indicators WHERE analyzer_id = 'signal-test'") } == 1)
        #expect(try q.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM media_hashes WHERE analyzer_id = 'signal-test'") } == 1)
        let thread = try Run.command(Fixture.exhibit, ["messages", "--db", db])
        #expect(thread.stdout.contains("== signal: Study group"), "\(thread.stdout)")
        let summary = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let platforms = ((summary?["overview"] as? [String: Any])?["platforms"] as? [[String: Any]] ?? []).compactMap { $0["platform"] as? String }
        #expect(platforms == ["signal"], "\(r.stdout)")
    }

    @Test func aBrokenManifestIsNamedByLineAndColumn() throws {
        let dir = try TestDirectory("plugin-helper-manifest"); defer { dir.remove() }
        let plugin = dir.path("broken")
        try FileManager.default.createDirectory(atPath: plugin, withIntermediateDirectories: true)
        try "{\n  \"protocol\": 1,\n  \"id\": \"x\",,\n}\n".write(toFile: plugin + "/plugin.json", atomically: true, encoding: .utf8)
        let r = try Run.command(Fixture.exhibit, ["plugin", "test", plugin])
        #expect(r.exitCode != 0)
        #expect((r.stdout + r.stderr).contains("not valid JSON at line 3, column 13"), "\(r.stdout) \(r.stderr)")
    }
}
