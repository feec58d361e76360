import Engine
import ExhibitTesting
import Foundation
import GRDB
import Testing

/// External plugins end to end through the real binary: the scaffold passes `plugin test`
/// unedited and its findings land with provenance; a plugin that crashes, hangs, prints garbage,
/// sends invalid or oversized replies or tries to write the evidence costs exactly one error row
/// per file and nothing else; repeated failures disable it.
@Suite(.serialized)
struct PluginIngestTests {
    static let misbehave = Corpus.url("plugins/misbehave").path

    private func zip(_ files: [String: String], in dir: TestDirectory, name: String = "ev.zip") throws -> String {
        let src = dir.path("src-\(name)")
        try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
        for (n, text) in files { try text.write(toFile: "\(src)/\(n)", atomically: true, encoding: .utf8) }
        let zip = dir.path(name)
        #expect(try Run.shell("cd '\(src)' && zip -q -X '\(zip)' *").exitCode == 0)
        return zip
    }

    @Test func scaffoldPassesItsTestAndIngestsWithProvenance() throws {
        let dir = try TestDirectory("plugin-scaffold"); defer { dir.remove() }
        let plugin = dir.path("smsdb")
        let made = try Run.command(Fixture.exhibit, ["plugin", "new", "smsdb", "--lang", "python", "--dir", plugin])
        #expect(made.exitCode == 0, "\(made.stderr)")
        let test = try Run.command(Fixture.exhibit, ["plugin", "test", plugin])
        #expect(test.exitCode == 0, "\(test.stdout)\n\(test.stderr)")
        #expect(test.stdout.contains("PASS fixture sample.txt: 1 findings (artifact 1)"))
        #expect(test.stdout.contains("PASS hostile random bytes (64 KiB): 2 findings (artifact 1, warning 1)"))
        #expect(test.stdout.contains("PASSED: 6 checks"))
        #expect(test.stdout.contains("PASS fixture sample.txt: 1 findings (artifact 1), as expected"))

        // A changed parser no longer matches the fixture's expected reply, until it is accepted.
        let code = try String(contentsOfFile: plugin + "/plugin.py", encoding: .utf8)
        try code.replacingOccurrences(of: #"data.count(b"\n")"#, with: #"data.count(b"\n") + 1"#)
            .write(toFile: plugin + "/plugin.py", atomically: true, encoding: .utf8)
        let changed = try Run.command(Fixture.exhibit, ["plugin", "test", plugin])
        #expect(changed.exitCode == 1)
        #expect(changed.stdout.contains(#"FAIL fixture sample.txt: reply differs from sample.txt.expected.json at line 10: expected "lines" : 3 — got "lines" : 4"#),
                "\(changed.stdout)")
        #expect(try Run.command(Fixture.exhibit, ["plugin", "test", plugin, "--update-expected"]).exitCode == 0)
        #expect(try Run.command(Fixture.exhibit, ["plugin", "test", plugin]).exitCode == 0)
        try code.write(toFile: plugin + "/plugin.py", atomically: true, encoding: .utf8)
        #expect(try Run.command(Fixture.exhibit, ["plugin", "test", plugin, "--update-expected"]).exitCode == 0)

        let ev = try zip(["a.txt": "one\ntwo\n", "b.txt": "three\n"], in: dir)
        let db = dir.path("case.sqlite")
        let r = try Fixture.ingest([ev], db: db, extra: ["--plugins", plugin])
        #expect(r.exitCode == 0, "\(r.stderr)")
        let manifestHash = try Fixture.sha256(of: plugin + "/plugin.json")
        let rows = try Fixture.open(db).read {
            try Row.fetchAll($0, sql: """
                SELECT f.path, a.analyzer_id, a.analyzer_version, a.type, a.properties FROM artifacts a
                JOIN files f ON f.id = a.file_id ORDER BY f.path
                """)
        }
        #expect(rows.map { $0["path"] as String } == ["ev.zip!/a.txt", "ev.zip!/b.txt"])
        for row in rows {
            #expect(row["analyzer_id"] as String == "smsdb")
            #expect(row["analyzer_version"] as String == "0.1.0+sha256.\(manifestHash)")
            #expect(row["type"] as String == "smsdb.text-stats")
        }
        #expect(rows.first?["properties"] as String? == #"{"bytes":8,"first_line":"one","lines":2}"#)
        let audit = try Fixture.open(db).read { try String.fetchOne($0, sql: "SELECT details FROM audit_log WHERE action = 'ingest.start'") }
        #expect(audit?.contains("smsdb 0.1.0+sha256.\(manifestHash)") == true, "the audit log names the plugin with its manifest hash")
        #expect(audit?.contains("\"manifest_sha256\":\"\(manifestHash)\"") == true, "\(audit ?? "")")
        #expect(audit?.contains("\"command\":[\"python3\",\"plugin.py\"]") == true)

        let list = try Run.command(Fixture.exhibit, ["analyzers", "--plugins", plugin, "--json"])
        #expect(list.exitCode == 0)
        #expect(list.stdout.contains("\"kind\" : \"plugin\""))
    }

    @Test func misbehaviourCostsOneErrorRowPerFileAndNothingElse() throws {
        let dir = try TestDirectory("plugin-isolation"); defer { dir.remove() }
        let files = ["good1.txt": "fine\n", "segv.txt": "SEGV\n", "good2.txt": "also fine\nreally\n", "hang.txt": "HANG\n",
                     "garbage.txt": "GARBAGE\n", "write.txt": "WRITE-EVIDENCE\n", "invalid.txt": "INVALID\n",
                     "huge.txt": "HUGE\n", "exit.txt": "EXIT\n", "good3.txt": "last\n", "network.txt": "NETWORK\n",
                     "remount.txt": "REMOUNT\n"]
        let ev = try zip(files, in: dir)
        let before = try Fixture.sha256(of: ev)
        let plain = dir.path("plain.sqlite"), withPlugin = dir.path("plugin.sqlite")
        #expect(try Fixture.ingest([ev], db: plain).exitCode == 0)
        let r = try Fixture.ingest([ev], db: withPlugin, extra: ["--plugins", Self.misbehave, "--plugin-failures", "100"],
                                   environment: ["EXHIBIT_TEST_EVIDENCE": ev])
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(try Fixture.sha256(of: ev) == before, "the evidence must be unchanged")
        #expect(r.stderr.contains("plugin test-misbehave: Traceback"), "the plugin's stderr is copied into the run log")
        #expect(r.stderr.contains("exhibit: plugin test-misbehave sandbox — "), "the run log says which sandbox layers were enforced")

        let q = try Fixture.open(withPlugin)
        let errors = try q.read {
            try Row.fetchAll($0, sql: "SELECT path, status, code, message FROM analysis_errors WHERE analyzer_id = 'test-misbehave' ORDER BY path")
        }
        // An invalid finding line costs that line: a warning naming it, the valid lines kept.
        let statuses = Dictionary(uniqueKeysWithValues: errors.map { (($0["path"] as String), $0["status"] as String) })
        #expect(statuses.filter { $0.value != "error" } == ["ev.zip!/invalid.txt": "warning"], "\(statuses)")
        let codes = Dictionary(uniqueKeysWithValues: errors.map { (($0["path"] as String).replacingOccurrences(of: "ev.zip!/", with: ""), $0["code"] as String) })
        #expect(codes == ["segv.txt": "plugin-crashed", "hang.txt": "plugin-timeout", "garbage.txt": "plugin-garbage",
                          "write.txt": "plugin-exception", "invalid.txt": "plugin-invalid-finding",
                          "huge.txt": "plugin-oversized-reply", "exit.txt": "plugin-crashed",
                          "network.txt": "plugin-exception", "remount.txt": "plugin-exception"], "one row per bad file: \(errors)")
        let messages = Dictionary(uniqueKeysWithValues: errors.map { (($0["path"] as String), $0["message"] as String) })
        #expect(messages["ev.zip!/segv.txt"]?.contains("signal 11 (SIGSEGV)") == true)
        #expect(messages["ev.zip!/segv.txt"]?.contains("test-misbehave") == true)
        #expect(messages["ev.zip!/write.txt"].map { $0.contains("Read-only file system") || $0.contains("Permission denied") } == true,
                "\(messages["ev.zip!/write.txt"] ?? "")")
        // No network (an empty network namespace: not even loopback is up), no remounting the evidence.
        #expect(messages["ev.zip!/network.txt"]?.contains("Network is unreachable") == true, "\(messages["ev.zip!/network.txt"] ?? "")")
        #expect(messages["ev.zip!/remount.txt"]?.contains("Operation not permitted") == true, "\(messages["ev.zip!/remount.txt"] ?? "")")
        #expect(messages["ev.zip!/invalid.txt"] == "reply line 2: message names chat \"never-reported\", which no chat finding before it in this reply reported")
        // Good files after each failure were analysed by a restarted plugin; of a failed file, what
        // it sent before failing is kept (EXIT: one artifact, then exit 3), as for any analyzer that throws.
        let types = try q.read {
            try Row.fetchAll($0, sql: """
                SELECT f.path, a.type FROM artifacts a JOIN files f ON f.id = a.file_id WHERE a.analyzer_id = 'test-misbehave' ORDER BY f.path, a.type
                """).map { "\($0["path"] as String) \($0["type"] as String)" }
        }
        #expect(types == ["ev.zip!/exit.txt test.partial", "ev.zip!/good1.txt test.lines", "ev.zip!/good2.txt test.lines",
                          "ev.zip!/good3.txt test.lines", "ev.zip!/invalid.txt test.after-invalid", "ev.zip!/invalid.txt test.before-invalid"])

        // Everything else is exactly what an ingest without the plugin gives: same digest once
        // the plugin's own rows are set aside.
        let stripped = dir.path("stripped.sqlite")
        try FileManager.default.copyItem(atPath: withPlugin, toPath: stripped)
        if FileManager.default.fileExists(atPath: withPlugin + "-wal") {
            try FileManager.default.copyItem(atPath: withPlugin + "-wal", toPath: stripped + "-wal")
        }
        try DatabaseQueue(path: stripped).write { db in
            try db.execute(sql: "DELETE FROM artifacts WHERE analyzer_id = 'test-misbehave'")
            try db.execute(sql: "DELETE FROM analysis_errors WHERE analyzer_id = 'test-misbehave'")
        }
        #expect(try Fixture.digest(stripped) == Fixture.digest(plain))
    }

    @Test func consecutiveFailuresDisableThePluginForTheRun() throws {
        let dir = try TestDirectory("plugin-disable"); defer { dir.remove() }
        let ev = try zip(["a.txt": "SEGV\n", "b.txt": "SEGV\n", "c.txt": "SEGV\n", "d.txt": "SEGV\n"], in: dir)
        let db = dir.path("case.sqlite")
        let r = try Fixture.ingest([ev], db: db, extra: ["--plugins", Self.misbehave, "--plugin-failures", "2", "--jobs", "1"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(r.stderr.contains("plugin test-misbehave failed on 2 files in a row"))
        #expect(r.stderr.contains("disabled for the rest of this run"))
        let codes = try Fixture.open(db).read {
            try String.fetchAll($0, sql: "SELECT code FROM analysis_errors WHERE analyzer_id = 'test-misbehave' ORDER BY path")
        }
        #expect(codes.sorted() == ["plugin-crashed", "plugin-crashed", "plugin-disabled", "plugin-disabled"])
        let disabling = try Fixture.open(db).read {
            try Int.fetchOne($0, sql: "SELECT count(*) FROM analysis_errors WHERE analyzer_id = 'test-misbehave' AND message GLOB '*DISABLED*'")
        }
        #expect(disabling == 1, "the failure that disables the plugin says so in its row")
    }

    @Test func pluginTestFailsOnMisbehaviour() throws {
        let dir = try TestDirectory("plugin-test-fail"); defer { dir.remove() }
        let fixtures = dir.path("fixtures")
        try FileManager.default.createDirectory(atPath: fixtures, withIntermediateDirectories: true)
        try "fine\n".write(toFile: fixtures + "/ok.txt", atomically: true, encoding: .utf8)
        try "GARBAGE\n".write(toFile: fixtures + "/zz-garbage.txt", atomically: true, encoding: .utf8)
        let r = try Run.command(Fixture.exhibit, ["plugin", "test", Self.misbehave, "--fixtures", fixtures])
        #expect(r.exitCode == 1)
        #expect(r.stdout.contains("PASS fixture ok.txt: 1 findings (artifact 1)"))
        #expect(r.stdout.contains("FAIL fixture zz-garbage.txt: plugin-garbage"))
        #expect(r.stdout.contains("FAILED: 1 of"))
    }
}

/// A plugin never outlives the ingest that started it, even when the ingest is killed with
/// SIGKILL while the plugin hangs (the plugin runs in its own process group, so the examiner's
/// kill of `exhibit` does not reach it directly: the sandbox trampoline guards it).
@Suite(.serialized)
struct PluginLifetimeTests {
    /// Pids of processes whose working directory is `dir` (the plugin runs in its own directory).
    private func processes(in dir: String) -> [pid_t] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { name in
            guard let pid = pid_t(name),
                  let cwd = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(name)/cwd") else { return nil }
            return cwd == dir ? pid : nil
        }
    }

    @Test func killingTheIngestKillsAHungPlugin() throws {
        let dir = try TestDirectory("plugin-lifetime"); defer { dir.remove() }
        let plugin = dir.path("hang-plugin")
        try FileManager.default.copyItem(atPath: PluginIngestTests.misbehave, toPath: plugin)
        // A long timeout: the plugin must still be hanging when the ingest is killed.
        let manifest = try String(contentsOfFile: plugin + "/plugin.json", encoding: .utf8)
            .replacingOccurrences(of: "\"timeout_seconds\": 2", with: "\"timeout_seconds\": 600")
        try manifest.write(toFile: plugin + "/plugin.json", atomically: true, encoding: .utf8)
        let src = dir.path("src")
        try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
        try "HANG\n".write(toFile: src + "/hang.txt", atomically: true, encoding: .utf8)
        #expect(try Run.shell("cd '\(src)' && zip -q -X '\(dir.path("ev.zip"))' hang.txt").exitCode == 0)
        let ingest = try ProcessGroup(Fixture.exhibit, ["ingest", dir.path("ev.zip"), "--db", dir.path("case.sqlite"),
                                                        "--plugins", plugin, "--json"])
        var running: [pid_t] = []
        for _ in 0..<300 where running.isEmpty {
            usleep(50_000)
            running = processes(in: plugin)
        }
        #expect(!running.isEmpty, "the plugin never started")
        ingest.killGroup()
        var left = running
        for _ in 0..<100 where !left.isEmpty {
            usleep(50_000)
            left = left.filter { kill($0, 0) == 0 && !isZombie($0) }
        }
        #expect(left.isEmpty, "plugin processes \(left) outlived the killed ingest")
    }

    private func isZombie(_ pid: pid_t) -> Bool {
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        return stat.split(separator: ")").last?.trimmingCharacters(in: .whitespaces).hasPrefix("Z") ?? true
    }
}
