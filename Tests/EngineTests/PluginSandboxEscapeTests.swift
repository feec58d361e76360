import ExhibitKit
import ExhibitTesting
import Foundation
import GRDB
@testable import PluginHost
import Testing

/// The sandbox against hostile plugins made here (issue 19): a Python probe plugin that tries
/// every escape (device nodes, terminal injection, metadata writes, signals to host processes,
/// host sockets, daemons, SysV IPC, host name, clock, io_uring, rlimits, reads of host secrets,
/// filling scratch), a C plugin built with `cc`, and a plugin that forges Exhibit's sandbox line
/// and prints terminal escapes. The namespace layers need root; without it those tests are skipped.
@Suite(.serialized)
struct PluginSandboxEscapeTests {
    static let isRoot = geteuid() == 0

    /// Exactly what each probe must see on a root lab machine with Landlock ABI ≥ 6 (Linux ≥ 6.12).
    static let expected: [String: String] = [
        "mknod-block-device": "EPERM", "mknod-fifo": "EPERM", "scratch-mount-flags": "ok nosuid,nodev,noexec",
        "tiocsti": "EPERM", "open-dev-tty": "EACCES",
        "chmod-setuid": "EPERM", "chown": "EPERM", "utime": "EPERM", "setxattr": "EPERM", "setuid-root": "EPERM",
        "chmod-evidence": "EPERM", "write-evidence": "EROFS",
        "capabilities": "ok CapAmb=0000000000000000 CapBnd=0000000000000000 CapEff=0000000000000000 CapPrm=0000000000000000 NoNewPrivs=1 Seccomp=2",
        "signal-host-process": "ESRCH", "signal-parent": "ok ppid 1", "signal-all": "ESRCH",
        "unix-socket": "EPERM", "abstract-unix-socket": "EPERM", "network": "ENETUNREACH",
        "shmget": "EPERM", "sethostname": "EPERM", "clock-adjtime": "EPERM", "daemon": "ok running",
        "io-uring-setup": "EPERM", "raise-rlimit": "EPERM", "raise-rlimit-prlimit": "EPERM", "unshare-user": "EPERM",
        "mount": "EPERM", "ptrace-parent": "EPERM",
        "read-etc-shadow": "EACCES", "read-host-file": "EACCES", "read-host-environ": "ENOENT",
        "fill-scratch": "ok ENOSPC after 16 MiB",
    ]

    @Test(.enabled(if: isRoot, "the PID, mount, IPC and UTS namespaces need root (CAP_SYS_ADMIN) on this machine"))
    func hostileProbesAreAllContained() throws {
        let dir = try TestDirectory("sandbox-probes"); defer { dir.remove() }
        let launch = PluginLaunch(executable: Fixture.exhibit, protect: [], scratchRoot: dir.url.path, log: { _ in })
        let outcome = PluginProbe.run(launch: launch)
        #expect(outcome.skipped == nil, "\(outcome.skipped ?? "")")
        try #require(!outcome.results.isEmpty)
        let seen = Dictionary(uniqueKeysWithValues: outcome.results.map { ($0.name, $0.observed) })
        for (name, want) in Self.expected.sorted(by: { $0.key < $1.key }) {
            #expect(seen[name] == want, "\(name): \(seen[name] ?? "not run")")
        }
        let threads = seen["threads"].flatMap { Int($0.dropFirst(3)) } ?? 9999
        if outcome.sandbox["processes"]?.hasPrefix("at most") == true {
            #expect(threads < 512, "the PID namespace's pid_max caps tasks: \(threads) threads started")
        } else {
            // Kernels before 6.14 have one pid_max for the machine: the task cap is reported absent.
            #expect(outcome.sandbox["processes"] == "no task cap (this kernel's pid_max is not per namespace)")
        }
        let escaped = outcome.results.filter { !$0.contained }
        #expect(escaped.isEmpty, "\(escaped)")
        // Every layer is reported as active.
        for key in ["pid", "ipc", "uts", "network", "mounts", "scratch", "landlock", "seccomp", "capabilities", "terminal"] {
            let text = outcome.sandbox[key] ?? "missing"
            #expect(!text.contains("not isolated") && !text.hasPrefix("failed") && !text.contains("unavailable"), "\(key): \(text)")
        }
        #expect(outcome.sandbox["seccomp"]?.hasPrefix("allow list") == true)
        #expect(outcome.sandbox["scratch"]?.contains("nodev,nosuid,noexec") == true)
    }

    /// A C plugin (built here with cc) that makes a block device, types into the terminal, sets
    /// the setuid bit on a host file and stops its parent, then reports the errno of each.
    static let cPlugin = #"""
        #include <errno.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <signal.h>
        #include <sys/ioctl.h>
        #include <sys/stat.h>
        #include <sys/sysmacros.h>
        #include <unistd.h>
        static int e(int r) { return r == 0 ? 0 : errno; }
        int main(int argc, char **argv) {
            char line[65536], path[4096];
            if (!fgets(line, sizeof line, stdin)) return 1;
            printf("{\"type\":\"hello\",\"protocol\":1,\"plugin\":\"c-hostile\",\"version\":\"1\"}\n"); fflush(stdout);
            while (fgets(line, sizeof line, stdin) && strstr(line, "\"analyze\"")) {
                char *r = strstr(line, "\"request\":"); int id = r ? atoi(r + 10) : 0;
                snprintf(path, sizeof path, "%s/loop0", getenv("TMPDIR"));
                int mk = e(mknod(path, S_IFBLK | 0600, makedev(7, 0)));
                char c = 'x';
                int sti = e(ioctl(0, TIOCSTI, &c));
                int ch = e(chmod(argv[0], 06777));
                int stop = e(kill(getppid(), SIGSTOP));
                printf("{\"type\":\"finding\",\"request\":%d,\"kind\":\"artifact\",\"data\":{\"type\":\"c.hostile\",\"properties\":"
                       "{\"mknod\":%d,\"tiocsti\":%d,\"chmod\":%d,\"stop-parent\":%d,\"ppid\":%d}}}\n", id, mk, sti, ch, stop, (int)getppid());
                printf("{\"type\":\"end\",\"request\":%d}\n", id); fflush(stdout);
            }
            return 0;
        }
        """#

    @Test(.enabled(if: isRoot, "the PID and mount namespaces need root (CAP_SYS_ADMIN) on this machine"))
    func cPluginCannotMakeDevicesTypeIntoTerminalsOrChangeHostFiles() throws {
        let dir = try TestDirectory("sandbox-c"); defer { dir.remove() }
        let pluginDir = dir.path("c-hostile")
        try FileManager.default.createDirectory(atPath: pluginDir, withIntermediateDirectories: true)
        try Self.cPlugin.write(toFile: pluginDir + "/main.c", atomically: true, encoding: .utf8)
        signal(SIGPIPE, SIG_IGN)   // as PluginAnalyzer does: a dead plugin must not kill the host
        let cc = try Run.shell("cc -O -o '\(pluginDir)/c-hostile' '\(pluginDir)/main.c' 2>&1")
        try #require(cc.exitCode == 0, "cc failed: \(cc.stdout)")
        try #"{"protocol": 1, "id": "c-hostile", "version": "1", "summary": "hostile C", "command": ["./c-hostile"], "accepts": {"mime_types": ["*/*"]}}"#
            .write(toFile: pluginDir + "/plugin.json", atomically: true, encoding: .utf8)
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: pluginDir + "/c-hostile")[.posixPermissions] as? Int)
        let manifest = try PluginManifest.load(directory: pluginDir)
        let launch = PluginLaunch(executable: Fixture.exhibit, protect: [], scratchRoot: dir.url.path, log: { _ in })
        let session = try PluginSession(manifest: manifest, launch: launch, exchangeDirectory: dir.path("exchange"))
        let data = Data("x".utf8)
        let file = EvidenceFile(key: "c#1", virtualPath: "ev!/x", size: 1, hashes: FileHashes(md5: "", sha1: "", sha256: String(repeating: "1", count: 64)),
                                mime: "text/plain", content: .memory(data))
        let reply = try session.analyzeCollecting(file, context: AnalysisContext(assumedZone: nil, temporaryDirectory: dir.url),
                                                  exchangeDirectory: dir.path("exchange"))
        // The plugin still answers a second request: stopping its parent (the guard) did nothing.
        let again = try session.analyzeCollecting(file, context: AnalysisContext(assumedZone: nil, temporaryDirectory: dir.url),
                                                  exchangeDirectory: dir.path("exchange"))
        session.process.shutdown()
        guard case .completed = reply.outcome, case .completed = again.outcome else { Issue.record("no findings: \(reply.outcome)"); return }
        let props = try #require((reply.raw.first?["data"] as? [String: Any])?["properties"] as? [String: Int])
        #expect(props == ["mknod": Int(EPERM), "tiocsti": Int(EPERM), "chmod": Int(EPERM), "stop-parent": 0, "ppid": 1])
        let after = try FileManager.default.attributesOfItem(atPath: pluginDir + "/c-hostile")[.posixPermissions] as? Int
        #expect(after == mode, "the plugin's own file keeps its mode")
    }

    @Test func pluginStderrIsEscapedAndCannotForgeTheSandboxReport() throws {
        let dir = try TestDirectory("sandbox-stderr"); defer { dir.remove() }
        let pluginDir = dir.path("forger")
        try FileManager.default.createDirectory(atPath: pluginDir, withIntermediateDirectories: true)
        try #"""
            import sys
            sys.stdin.readline()
            sys.stderr.write('exhibit-sandbox: {"seccomp":"forged","landlock":"forged"}\n')
            sys.stderr.write("\x1b]0;owned\x07\x1b[2J\x1b[1A\rerased\x9b31m \u202eexe.pdf\n")
            sys.stderr.flush()
            sys.stdout.write('{"type":"hello","protocol":1,"plugin":"forger","version":"1"}\n')
            sys.stdout.flush()
            sys.stdin.readline()
            """#.write(toFile: pluginDir + "/plugin.py", atomically: true, encoding: .utf8)
        try #"{"protocol": 1, "id": "forger", "version": "1", "summary": "forger", "command": ["python3", "plugin.py"], "accepts": {"mime_types": ["*/*"]}}"#
            .write(toFile: pluginDir + "/plugin.json", atomically: true, encoding: .utf8)
        let lines = LockedLines()
        let launch = PluginLaunch(executable: Fixture.exhibit, protect: [], scratchRoot: dir.url.path, log: { lines.append($0) })
        let session = try PluginSession(manifest: try PluginManifest.load(directory: pluginDir), launch: launch,
                                        exchangeDirectory: dir.path("exchange"))
        session.process.shutdown()
        for _ in 0..<100 where lines.all.count < 2 { usleep(20_000) }
        let report = try #require(session.sandboxReport)
        #expect(!report.values.contains("forged"), "the sandbox report is the guard's: \(report)")
        #expect(lines.all.contains(#"plugin forger: exhibit-sandbox: {"seccomp":"forged","landlock":"forged"}"#), "\(lines.all)")
        #expect(lines.all.contains(#"plugin forger: \u{1b}]0;owned\u{7}\u{1b}[2J\u{1b}[1A\u{d}erased\u{9b}31m \u{202e}exe.pdf"#), "\(lines.all)")
        let raw = lines.all.joined().unicodeScalars.filter { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0.value == 0x202E }
        #expect(raw.isEmpty, "control characters reached the log: \(raw.map(\.value))")
    }

    @Test(.enabled(if: isRoot, "the PID namespace needs root (or unprivileged user namespaces) on this machine"))
    func aPluginThatStopsAndKillsItsHostCannotReachIt() throws {
        let dir = try TestDirectory("sandbox-killer"); defer { dir.remove() }
        let pluginDir = dir.path("killer")
        try FileManager.default.createDirectory(atPath: pluginDir, withIntermediateDirectories: true)
        // Stops, then kills, every process whose command line names this test's case database
        // (the ingest supervisor and worker) — all it can see of them.
        try #"""
            import json, os, signal, sys
            sys.stdin.readline()
            print(json.dumps({"type": "hello", "protocol": 1, "plugin": "killer", "version": "1"}), flush=True)
            target = os.environ["EXHIBIT_TEST_DB"].encode()
            for line in sys.stdin:
                req = json.loads(line)
                if req["type"] != "analyze":
                    break
                hit = []
                for p in os.listdir("/proc"):
                    if not p.isdigit() or int(p) == os.getpid():
                        continue
                    try:
                        if target in open("/proc/%s/cmdline" % p, "rb").read():
                            os.kill(int(p), signal.SIGSTOP)
                            os.kill(int(p), signal.SIGKILL)
                            hit.append(int(p))
                    except OSError:
                        pass
                finding = {"type": "finding", "request": req["request"], "kind": "artifact",
                           "data": {"type": "test.killer", "properties": {"hit": hit}}}
                print(json.dumps(finding), flush=True)
                print(json.dumps({"type": "end", "request": req["request"]}), flush=True)
            """#.write(toFile: pluginDir + "/plugin.py", atomically: true, encoding: .utf8)
        try #"{"protocol": 1, "id": "killer", "version": "1", "summary": "killer", "command": ["python3", "plugin.py"], "accepts": {"mime_types": ["text/plain"]}}"#
            .write(toFile: pluginDir + "/plugin.json", atomically: true, encoding: .utf8)
        let ev = dir.path("ev")
        try FileManager.default.createDirectory(atPath: ev, withIntermediateDirectories: true)
        for n in ["a", "b"] { try "\(n)\n".write(toFile: "\(ev)/\(n).txt", atomically: true, encoding: .utf8) }
        let db = dir.path("case.sqlite")
        let r = try Fixture.ingest([ev], db: db, extra: ["--plugins", pluginDir], environment: ["EXHIBIT_TEST_DB": db])
        #expect(r.exitCode == 0, "the ingest completes: \(r.stderr)")
        let hits = try Fixture.open(db).read {
            try String.fetchAll($0, sql: "SELECT properties FROM artifacts WHERE analyzer_id = 'killer' ORDER BY file_id")
        }
        // All it finds is its own guard (PID 1 of its namespace, whose command line names the
        // protected paths), which ignores both signals; the host's processes do not exist for it.
        #expect(hits == [#"{"hit":[1]}"#, #"{"hit":[1]}"#], "the host's processes are not visible to the plugin")
    }

    @Test(.enabled(if: isRoot, "the PID namespace needs root (or unprivileged user namespaces) on this machine"))
    func aDaemonDoesNotOutliveTheRequestThatStartedIt() throws {
        let dir = try TestDirectory("sandbox-daemon"); defer { dir.remove() }
        let pluginDir = dir.path("daemon")
        try FileManager.default.createDirectory(atPath: pluginDir, withIntermediateDirectories: true)
        let marker = "exhibit-test-daemon-\(UInt64.random(in: 1...UInt64.max))"
        // Each request: how many daemons with the marker it still sees, then a new one
        // (setsid + double fork), plus a helper child it keeps as its own.
        try #"""
            import json, os, subprocess, sys, time
            MARK = open("marker.txt").read().strip()   # not in any command line but the daemons'
            helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)", "helper"])
            def seen():
                n = 0
                for p in os.listdir("/proc"):
                    try:
                        if p.isdigit() and MARK.encode() in open("/proc/%s/cmdline" % p, "rb").read():
                            n += 1
                    except OSError:
                        pass
                return n
            sys.stdin.readline()
            print(json.dumps({"type": "hello", "protocol": 1, "plugin": "daemon", "version": "1"}), flush=True)
            for line in sys.stdin:
                req = json.loads(line)
                if req["type"] != "analyze":
                    break
                before = seen()
                pid = os.fork()
                if pid == 0:
                    os.setsid()
                    if os.fork() == 0:
                        os.execvp(sys.executable, [sys.executable, "-c", "import time; time.sleep(300)", MARK])
                    os._exit(0)
                os.waitpid(pid, 0)
                for _ in range(500):   # until the daemon runs (at most 5 s)
                    if seen() > before:
                        break
                    time.sleep(0.01)
                props = {"before": before, "helper": helper.poll() is None}
                print(json.dumps({"type": "finding", "request": req["request"], "kind": "artifact",
                                  "data": {"type": "test.daemon", "properties": props}}), flush=True)
                print(json.dumps({"type": "end", "request": req["request"]}), flush=True)
            """#.write(toFile: pluginDir + "/plugin.py", atomically: true, encoding: .utf8)
        try #"{"protocol": 1, "id": "daemon", "version": "1", "summary": "daemon", "command": ["python3", "plugin.py"], "accepts": {"mime_types": ["*/*"]}}"#
            .write(toFile: pluginDir + "/plugin.json", atomically: true, encoding: .utf8)
        try marker.write(toFile: pluginDir + "/marker.txt", atomically: true, encoding: .utf8)
        let launch = PluginLaunch(executable: Fixture.exhibit, protect: [], scratchRoot: dir.url.path, log: { _ in })
        let session = try PluginSession(manifest: try PluginManifest.load(directory: pluginDir), launch: launch,
                                        exchangeDirectory: dir.path("exchange"))
        defer { session.process.terminate() }
        var replies: [[String: Any]] = []
        for i in 0..<3 {
            let file = EvidenceFile(key: "d#\(i)", virtualPath: "ev!/\(i)", size: 1,
                                    hashes: FileHashes(md5: "", sha1: "", sha256: String(format: "%064x", i)), mime: "text/plain",
                                    content: .memory(Data("x".utf8)))
            let reply = try session.analyzeCollecting(file, context: AnalysisContext(assumedZone: nil, temporaryDirectory: dir.url),
                                                      exchangeDirectory: dir.path("exchange"))
            guard case .completed = reply.outcome, let p = (reply.raw.first?["data"] as? [String: Any])?["properties"] as? [String: Any] else {
                Issue.record("no finding: \(reply.outcome)"); return
            }
            replies.append(p)
            // The plugin's daemon of this request was killed when its `end` arrived (the guard reaps it).
            #expect(!PluginProbe.processWithMarker(marker), "request \(i): the daemon outlived its request")
        }
        // Each request saw none of the earlier daemons; the helper the plugin parents still ran.
        #expect(replies.map { $0["before"] as? Int } == [0, 0, 0], "\(replies)")
        #expect(replies.map { $0["helper"] as? Bool } == [true, true, true])
    }

    @Test(.enabled(if: isRoot && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")
                   && FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"),
                   "needs root to run as nobody (setpriv) and a system python3 nobody can run"))
    func asNobodyEveryLayerHoldsThroughAUserNamespace() throws {
        let dir = try TestDirectory("sandbox-nobody"); defer { dir.remove() }
        let plugin = dir.path("android-sms")
        try FileManager.default.copyItem(atPath: Corpus.packageRoot().appendingPathComponent("plugins/examples/android-sms").path, toPath: plugin)
        #expect(try Run.shell("chmod -R a+rwX '\(dir.url.path)'").exitCode == 0)
        let r = try Run.command("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/env", "-i",
                                                     "PATH=/usr/bin:/bin", "HOME=\(dir.url.path)", "TMPDIR=\(dir.url.path)",
                                                     Fixture.exhibit, "plugin", "test", plugin])
        if r.stdout.contains("no user namespace") {
            // The kernel forbids unprivileged user namespaces here: the namespace layers are then absent (docs/plugins.md).
            withKnownIssue("unprivileged user namespaces are disabled on this machine") { Issue.record(Comment(rawValue: r.stdout)) }
            return
        }
        #expect(r.exitCode == 0, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("user: own user namespace (not root: needed for the namespaces below; uid 65534 maps to itself)"), "\(r.stdout)")
        #expect(r.stdout.contains("sandbox probes: 34 of 34 contained"), "\(r.stdout)")
    }

    @Test func staleExchangeAndScratchFoldersAreSweptOnStart() throws {
        let dir = try TestDirectory("sandbox-sweep"); defer { dir.remove() }
        let gone = try Run.command("/bin/sh", ["-c", "echo $$"])   // a process that has ended
        let dead = try #require(Int32(gone.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        let stale = dir.path("exhibit-exchange-android-sms-\(dead)-12345"), scratch = dir.path("exhibit-plugin-android-sms-\(dead)-Ab12Cd")
        let live = dir.path("exhibit-exchange-android-sms-\(getpid())-999"), other = dir.path("exhibit-run-\(dead)-x")
        for d in [stale, scratch, live, other] { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) }
        try Data("evidence bytes".utf8).write(to: URL(fileURLWithPath: stale + "/1-abcdef"))
        let lines = LockedLines()
        PluginAnalyzer.sweepStale(root: dir.url.path, log: { lines.append($0) })
        let staleLeft = FileManager.default.fileExists(atPath: stale), scratchLeft = FileManager.default.fileExists(atPath: scratch)
        #expect(!staleLeft && !scratchLeft)
        #expect(FileManager.default.fileExists(atPath: live), "a running process's folder stays")
        #expect(FileManager.default.fileExists(atPath: other), "other folders are not the sweep's")
        #expect(lines.all == [
            "exhibit: removed the stale plugin exchange folder (private copies of evidence bytes) \(stale), left by an interrupted run (process \(dead) no longer runs)",
            "exhibit: removed the stale plugin scratch folder \(scratch), left by an interrupted run (process \(dead) no longer runs)",
        ])
    }
}

/// Log lines collected from the stderr thread.
final class LockedLines: @unchecked Sendable {
    // Safe: every access under `lock`.
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ s: String) { lock.lock(); lines.append(s); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
}
