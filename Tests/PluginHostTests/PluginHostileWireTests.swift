import ExhibitKit
import ExhibitTesting
import Foundation
@testable import PluginHost
import Testing

/// The host's JSON-lines reader and reply validation against a plugin that sends hostile bytes:
/// a line that never ends, an endless flood of lines, invalid UTF-8, NUL bytes, deeply nested
/// JSON, numbers and times out of range, valid and invalid lines mixed. Each must end as one
/// failure with a precise code, or a completed reply keeping the valid lines with one warning per
/// invalid line — never a host crash, a hang, unbounded memory — and killing the plugin after
/// each must leave no descriptor, process or scratch folder behind. The plugin is real Python,
/// run through the real sandbox trampoline (`exhibit plugin exec`).
@Suite(.serialized)
struct PluginHostileWireTests {
    /// A raw protocol speaker (no helper module): the first line of the file picks what it writes.
    static let plugin = #"""
        import json, sys

        def out(b):
            sys.stdout.buffer.write(b)
            sys.stdout.buffer.flush()

        sys.stdin.readline()
        out(b'{"type":"hello","protocol":1,"plugin":"hostile","version":"1"}\n')
        for line in sys.stdin:
            req = json.loads(line)
            if req["type"] != "analyze":
                break
            rid = req["request"]
            mode = open(req["content"]["path"], "rb").read().split(b"\n")[0].decode()

            def artifact(data):
                return b'{"type":"finding","request":%d,"kind":"artifact","data":%s}\n' % (rid, data)

            if mode == "NONEWLINE":
                while True:
                    out(b"x" * 65536)
            elif mode == "FLOOD":
                while True:
                    out(artifact(b'{"type":"t"}') * 1000)
            elif mode == "BADUTF8":
                out(artifact(b'{"type":"\xff\xfe"}'))
            elif mode == "RAWNUL":
                out(artifact(b'{"type":"a\x00b"}'))
            elif mode == "DEEP":
                out(artifact(b'{"type":"t","properties":{"a":' + b"[" * 200000 + b"]" * 200000 + b"}}"))
            elif mode == "NEST100":
                out(artifact(b'{"type":"t","properties":{"a":' + b"[" * 100 + b"]" * 100 + b"}}"))
            elif mode == "NEST50":
                out(artifact(b'{"type":"t","properties":{"a":' + b"[" * 50 + b"]" * 50 + b"}}"))
            elif mode == "BIGNUM":
                out(artifact(b'{"type":"t","properties":{"n":1e999}}'))
            elif mode == "BIGOFFSET":
                out(artifact(b'{"type":"t","location":{"offset":99999999999999999999}}'))
            elif mode == "UNIXBIG":
                out(artifact(b'{"type":"t","times":{"x":{"unix_us":9.3e18}}}'))
            elif mode == "INSTANTBIG":
                out(artifact(b'{"type":"t","times":{"x":{"instant":"99999-01-01T00:00:00Z"}}}'))
            elif mode == "LOCALBIG":
                out(artifact(b'{"type":"t","times":{"x":{"local":"999999999999-01-01T00:00:00"}}}'))
            elif mode == "FRACBIG":
                out(artifact(b'{"type":"t","times":{"x":{"instant":"2024-01-01T00:00:00.99999999999999999999999Z"}}}'))
            elif mode == "MIXED":
                # Valid, invalid, valid, a plugin warning, invalid again, valid: the valid lines are
                # kept in order, each invalid line is one warning naming its line.
                out(artifact(b'{"type":"first"}'))
                out(b'{"type":"finding","request":%d,"kind":"message","data":{"chat_key":"never-reported"}}\n' % rid)
                out(artifact(b'{"type":"second","times":{"echo":{"raw":"r","basis":"utc","precision":"second","utc_us":1000000,"instant":"1970-01-01T00:00:01Z"}}}'))
                out(b'{"type":"finding","request":%d,"kind":"warning","data":{"code":"own","message":"the plugin\'s own warning"}}\n' % rid)
                out(b'{"type":"finding","request":%d,"kind":"video","data":{}}\n' % rid)
                out(artifact(b'{"type":"third","times":{"modified":%s,"created":%s}}'
                             % (json.dumps(req["file"]["times"]["modified"]).encode(), json.dumps(req["file"]["times"]["created"]).encode())))
            out(b'{"type":"end","request":%d}\n' % rid)
        """#

    /// What each input does: a failure code (the whole reply fails: the conversation is out of
    /// step), or nil for a reply that completes — with this many invalid lines recorded as
    /// warnings (a well-formed line whose finding fails validation costs that line only).
    static let cases: [(mode: String, code: String?, invalid: Int)] = [
        ("NONEWLINE", "plugin-oversized-reply", 0),
        ("FLOOD", "plugin-oversized-reply", 0),
        ("BADUTF8", "plugin-garbage", 0),
        ("RAWNUL", "plugin-garbage", 0),
        ("DEEP", "plugin-garbage", 0),
        ("NEST100", nil, 1),
        ("NEST50", nil, 0),
        ("BIGNUM", "plugin-garbage", 0),
        ("BIGOFFSET", nil, 1),
        ("UNIXBIG", nil, 1),
        ("INSTANTBIG", nil, 1),
        ("LOCALBIG", nil, 1),
        ("FRACBIG", nil, 0),
        ("MIXED", nil, 2),
    ]

    static let seoul = TimeZone(identifier: "Asia/Seoul")

    /// Pids whose parent is `parent`.
    private func children(of parent: pid_t) -> [pid_t] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { name in
            guard let pid = pid_t(name), let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
                  let rest = stat.split(separator: ")").last else { return nil }
            let fields = rest.split(separator: " ")
            return fields.count > 2 && pid_t(fields[1]) == parent ? pid : nil
        }
    }

    /// The pipes (`pipe:[inode]`) among the given descriptors of a process.
    private func pipes(of pid: String, fds: [String]? = nil) -> Set<String> {
        let names = fds ?? ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? [])
        return Set(names.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\($0)") }
            .filter { $0.hasPrefix("pipe:") })
    }

    /// Running (not zombie) and not yet reaped.
    private func alive(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        return !(stat.split(separator: ")").last?.trimmingCharacters(in: .whitespaces).hasPrefix("Z") ?? true)
    }

    @Test func hostileRepliesEndAsOneFailureAndLeaveNothingBehind() throws {
        let dir = try TestDirectory("plugin-hostile"); defer { dir.remove() }
        let pluginDir = dir.path("hostile"), scratch = dir.path("scratch")
        for d in [pluginDir, scratch] { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) }
        try Self.plugin.write(toFile: pluginDir + "/plugin.py", atomically: true, encoding: .utf8)
        try """
            {"protocol": 1, "id": "hostile", "version": "1", "summary": "hostile wire", "command": ["python3", "plugin.py"],
             "accepts": {"mime_types": ["text/plain"]}, "timeout_seconds": 20, "limits": {"reply_mb": 1}}
            """.write(toFile: pluginDir + "/plugin.json", atomically: true, encoding: .utf8)
        let manifest = try PluginManifest.load(directory: pluginDir)
        let launch = PluginLaunch(executable: PluginFixture.exhibit, protect: [], scratchRoot: scratch, log: { _ in })
        let exchange = scratch + "/exchange"
        // Exactly what this test started (other suites run processes at the same time): the
        // sandbox trampolines, the plugins under them, and the three protocol pipes of each,
        // identified by inode from the plugin's side.
        var trampolines: [pid_t] = [], plugins: [pid_t] = [], ourPipes: Set<String> = []

        for (i, c) in Self.cases.enumerated() {
            let data = Data((c.mode + "\n").utf8)
            // File times as an archive gives them: a DOS time read in the declared zone, and a UTC one.
            let times = EntryTimes(modified: NaiveDateTime(year: 2024, month: 8, day: 29, hour: 10).resolve(in: Self.seoul, raw: "2024-08-29 10:00:00", precision: .twoSeconds),
                                   created: .unixSeconds(1_724_825_523, nanoseconds: 120_000_000))
            let file = EvidenceFile(key: "h#\(i)", virtualPath: "ev.zip!/\(c.mode).txt", size: Int64(data.count),
                                    hashes: FileHashes(md5: "", sha1: "", sha256: String(format: "%064x", i)), mime: "text/plain",
                                    times: times, content: .memory(data))
            let session = try PluginSession(manifest: manifest, launch: launch, exchangeDirectory: exchange)
            // trampoline → guard (PID 1 of the plugin's namespace) → plugin.
            let plugin = children(of: session.process.pid).flatMap(children(of:))
            let stdio = plugin.map { pipes(of: String($0), fds: ["0", "1", "2"]) }.reduce(into: Set<String>()) { $0.formUnion($1) }
            #expect(plugin.count == 1 && stdio.count == 3, "\(c.mode): plugin \(plugin), pipes \(stdio)")
            trampolines.append(session.process.pid); plugins += plugin; ourPipes.formUnion(stdio)
            let started = Date()
            var findings: [Finding] = [], warnings: [AnalysisWarning] = []
            do {
                let outcome = try session.analyze(file, context: AnalysisContext(assumedZone: Self.seoul, temporaryDirectory: dir.url),
                                                  exchangeDirectory: exchange, emit: { findings.append($0) }, warn: { warnings.append($0) })
                session.process.shutdown()
                #expect(c.code == nil, "\(c.mode) was accepted: \(outcome)")
                guard case .completed(let invalid) = outcome else { Issue.record("\(c.mode): \(outcome)"); continue }
                #expect(invalid.count == c.invalid, "\(c.mode): \(invalid)")
                #expect(warnings.filter { $0.code == PluginSession.invalidLineCode }.count == c.invalid)
                if c.mode == "MIXED" {
                    let types = findings.compactMap { f -> String? in if case .artifact(let a) = f { return a.type }; return nil }
                    #expect(types == ["first", "second", "third"])
                    #expect(warnings.map(\.code) == ["plugin-invalid-finding", "own", "plugin-invalid-finding"])
                    #expect(warnings[0].message == "reply line 2: message names chat \"never-reported\", which no chat finding before it in this reply reported")
                    #expect(warnings[2].message.hasPrefix("reply line 5: unknown finding kind \"video\""), "\(warnings[2].message)")
                    // A file time echoed back (utc_us and instant together) is the time it was.
                    if case .artifact(let second) = findings[1] {
                        #expect(second.times["echo"] == TimeValue(raw: "r", utcMicros: 1_000_000, basis: .utc, precision: .second))
                    }
                    // The file's own times, sent back by the plugin exactly as the host sent them.
                    if case .artifact(let third) = findings[2] {
                        #expect(third.times == ["modified": try #require(times.modified), "created": try #require(times.created)], "\(third.times)")
                    }
                }
            } catch let f as PluginFailure {
                session.process.terminate()
                #expect(f.code == c.code, "\(c.mode): \(f.code): \(f.message)")
            }
            #expect(Date().timeIntervalSince(started) < 15, "\(c.mode) took until the timeout")
        }

        // The stderr reader threads close their pipe ends when the killed processes' pipes hit EOF.
        var open = pipes(of: "self").intersection(ourPipes)
        for _ in 0..<100 where !open.isEmpty { usleep(20_000); open = pipes(of: "self").intersection(ourPipes) }
        #expect(open.isEmpty, "protocol pipes still open in the host: \(open)")
        #expect(trampolines.allSatisfy { !FileManager.default.fileExists(atPath: "/proc/\($0)") }, "a trampoline was not reaped")
        var running = plugins.filter(alive)
        for _ in 0..<100 where !running.isEmpty { usleep(20_000); running = plugins.filter(alive) }
        #expect(running.isEmpty, "plugin processes left running: \(running)")
        let scratchLeft = try FileManager.default.contentsOfDirectory(atPath: scratch).filter { $0 != "exchange" }
        #expect(scratchLeft.isEmpty, "scratch folders left: \(scratchLeft)")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: exchange)) ?? []).isEmpty, "content copies left")
    }
}
