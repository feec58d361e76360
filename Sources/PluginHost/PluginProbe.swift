import ExhibitKit
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs the built-in hostile probe plugin (``PluginProbeScript``) in the real sandbox on this
/// machine and judges each probe: `contained` or `ESCAPED`. Host-side checks back the probe's own
/// words: the victim process still runs and is not stopped, the host Unix socket received
/// nothing, the daemon is gone once the plugin ended, the evidence file's mode is unchanged.
public enum PluginProbe {
    /// One probe's outcome.
    public struct Result: Sendable, Equatable {
        /// Probe name (`mknod-block-device`, `tiocsti`, …).
        public var name: String
        /// What the plugin saw (`EPERM`, `ok …`).
        public var observed: String
        /// Whether the sandbox held.
        public var contained: Bool
    }

    /// The outcome: per-probe results, the sandbox report, or why the probes could not run.
    public struct Outcome: Sendable {
        /// Each probe, in a fixed order.
        public var results: [Result] = []
        /// The layers the guard reported.
        public var sandbox: [String: String] = [:]
        /// Set when the probe set could not run (no python3, the sandbox failed to start).
        public var skipped: String?
        /// Printable lines for `exhibit plugin test`.
        public var lines: [String] {
            if let skipped { return ["sandbox probes: skipped (\(skipped))"] }
            let escaped = results.filter { !$0.contained }.count
            return results.map { "SANDBOX \($0.contained ? "contained" : "ESCAPED  ") \($0.name): \($0.observed)" }
                + ["sandbox probes: \(results.count - escaped) of \(results.count) contained" + (escaped > 0 ? ", \(escaped) ESCAPED" : "")]
        }
    }

    /// Runs the probes under `launch` (scratch root, executable). Needs python3 on PATH.
    public static func run(launch: PluginLaunch) -> Outcome {
        var outcome = Outcome()
        guard PluginSandbox.resolve("python3", in: "/") != nil else { outcome.skipped = "python3 not on PATH"; return outcome }
        guard let temp = try? PluginTemporaryFolder(root: launch.scratchRoot) else { outcome.skipped = "no temporary folder"; return outcome }
        defer { temp.remove() }
        let dir = temp.url.path + "/probe", marker = "exhibit-probe-daemon-\(UInt64.random(in: 1...UInt64.max))"
        let evidence = temp.url.path + "/evidence.bin", secret = temp.url.path + "/secret.txt", sock = temp.url.path + "/host.sock"
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try PluginProbeScript.source.write(toFile: dir + "/probe.py", atomically: true, encoding: .utf8)
            try #"{"protocol": 1, "id": "exhibit-sandbox-probe", "version": "1", "summary": "sandbox probes", "command": ["python3", "probe.py"], "accepts": {"mime_types": ["*/*"]}, "timeout_seconds": 120, "limits": {"memory_mb": 0, "scratch_mb": 16}}"#
                .write(toFile: dir + "/plugin.json", atomically: true, encoding: .utf8)
            try Data("evidence".utf8).write(to: URL(fileURLWithPath: evidence))
            try Data("host secret".utf8).write(to: URL(fileURLWithPath: secret))
            chmod(evidence, 0o644); chmod(secret, 0o600)
        } catch { outcome.skipped = "cannot write the probe: \(error)"; return outcome }
        let listener = listen(at: sock)
        defer { if listener >= 0 { close(listener) } }
        let victim = Process()
        victim.executableURL = URL(fileURLWithPath: "/bin/sleep")
        victim.arguments = ["120"]
        guard (try? victim.run()) != nil else { outcome.skipped = "cannot start a victim process"; return outcome }
        defer { kill(victim.processIdentifier, SIGKILL); victim.waitUntilExit() }
        let pid = victim.processIdentifier
        let targets: [String: Any] = ["victim": Int(pid), "socket": sock, "secret": secret, "evidence": evidence, "marker": marker]
        guard let manifest = try? PluginManifest.load(directory: dir),
              let body = try? JSONSerialization.data(withJSONObject: targets, options: [.sortedKeys]) else {
            outcome.skipped = "cannot prepare the probe"; return outcome
        }
        let probeLaunch = PluginLaunch(executable: launch.executable, protect: [evidence], scratchRoot: temp.url.path, log: { _ in })
        var props: [String: Any] = [:]
        do {
            let session = try PluginSession(manifest: manifest, launch: probeLaunch, exchangeDirectory: temp.url.path + "/exchange")
            let file = EvidenceFile(key: "probe#1", virtualPath: "probe!/targets.json", size: Int64(body.count),
                                    hashes: FileHashes(md5: "", sha1: "", sha256: String(repeating: "0", count: 64)),
                                    mime: "application/json", content: .memory(body))
            var raw: [[String: Any]] = []
            let reply = try session.analyze(file, context: AnalysisContext(assumedZone: nil, temporaryDirectory: URL(fileURLWithPath: temp.url.path)),
                                            exchangeDirectory: temp.url.path + "/exchange", emit: { _ in }, warn: { _ in },
                                            rawLine: { raw.append($0) })
            outcome.sandbox = session.sandboxReport ?? [:]
            if case .completed = reply, let data = raw.first?["data"] as? [String: Any],
               let p = data["properties"] as? [String: Any] { props = p }
            session.process.shutdown()
        } catch let f as PluginFailure {
            outcome.skipped = "the probe plugin failed: \(f.code): \(f.message)"; return outcome
        } catch { outcome.skipped = "\(error)"; return outcome }
        outcome.results = judge(props, victim: pid, listener: listener, marker: marker, evidence: evidence)
        return outcome
    }

    /// Each probe's verdict, with the host-side checks.
    static func judge(_ props: [String: Any], victim: pid_t, listener: Int32, marker: String, evidence: String) -> [Result] {
        var out: [Result] = []
        for key in props.keys.sorted() where key != "pid" {
            let seen = "\(props[key] ?? "")"
            let ok = seen.hasPrefix("ok")
            var contained = !ok
            switch key {
            case "scratch-mount-flags": contained = ["nosuid", "nodev", "noexec"].allSatisfy(seen.contains)
            case "capabilities":
                contained = ["CapAmb", "CapBnd", "CapEff", "CapPrm"].allSatisfy { seen.contains("\($0)=0000000000000000") }
                    && seen.contains("NoNewPrivs=1")
            case "signal-parent": contained = !ok || seen == "ok ppid 1"   // PID 1 of its namespace ignores it
            case "threads": contained = ok && (Int(seen.dropFirst(3)) ?? 2000) < 2000
            case "fill-scratch": contained = ["ENOSPC", "EFBIG", "EDQUOT"].contains { seen.contains($0) }
            case "signal-host-process":
                contained = !ok && processState(victim).map { $0 != "T" && $0 != "t" } == true
            case "unix-socket": contained = !ok && !socketReceived(listener)
            case "daemon": contained = seen == "ok running" && !processWithMarker(marker)   // it ran, and died with the plugin
            case "chmod-evidence":
                var st = stat()
                contained = !ok && stat(evidence, &st) == 0 && st.st_mode & 0o7777 == 0o644
            default: break
            }
            out.append(Result(name: key, observed: seen, contained: contained))
        }
        return out
    }

    /// A listening Unix socket at `path` (non-blocking), or -1.
    static func listen(at path: String) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return -1 }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8.prefix(107))
        withUnsafeMutableBytes(of: &addr.sun_path) { buf in for (i, b) in bytes.enumerated() { buf[i] = b } }
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0 }
        }
        guard ok, Glibc.listen(fd, 4) == 0 else { close(fd); return -1 }
        return fd
    }

    /// Whether anything connected to the listener.
    static func socketReceived(_ fd: Int32) -> Bool {
        guard fd >= 0 else { return false }
        let c = accept(fd, nil, nil)
        if c >= 0 { close(c); return true }
        return false
    }

    /// The state letter of a process (`S`, `T` stopped, …), nil when it is gone.
    static func processState(_ pid: pid_t) -> String? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let rest = stat.split(separator: ")").last else { return nil }
        return rest.split(separator: " ").first.map(String.init)
    }

    /// Whether any process's command line contains `marker` (the daemon probe's survivor), waiting briefly.
    static func processWithMarker(_ marker: String) -> Bool {
        for _ in 0..<25 {
            let found = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).contains { name in
                guard Int(name) != nil, let cmd = FileManager.default.contents(atPath: "/proc/\(name)/cmdline") else { return false }
                return String(decoding: cmd, as: UTF8.self).contains(marker)
            }
            if !found { return false }
            usleep(40_000)
        }
        return true
    }
}
