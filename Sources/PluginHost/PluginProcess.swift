internal import CSandbox
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Why talking to a plugin process failed. Each becomes one `analysis_errors` row for the file
/// and a restart of the plugin.
struct PluginFailure: Error, Sendable {
    /// `plugin-crashed`, `plugin-timeout`, `plugin-garbage`, `plugin-invalid-finding`,
    /// `plugin-oversized-reply`, `plugin-protocol`, `plugin-start-failed`.
    var code: String
    var message: String
}

/// How the host starts plugin processes: through `exhibit plugin exec` (the sandbox), with the
/// run's evidence paths protected.
public struct PluginLaunch: Sendable {
    /// The exhibit executable that applies the sandbox and execs the plugin.
    public var executable: String
    /// Paths the plugin must never write (the evidence items), made read-only in its mount namespace.
    public var protect: [String]
    /// Parent folder for the plugin's private scratch folders.
    public var scratchRoot: String
    /// Where the plugin's stderr goes (the run log): one call per line.
    public var log: @Sendable (String) -> Void

    /// How to start plugins; `log` receives the plugins' stderr lines and the host's notices.
    public init(executable: String, protect: [String], scratchRoot: String,
                log: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }) {
        self.executable = executable; self.protect = protect; self.scratchRoot = scratchRoot; self.log = log
    }
}

/// One running plugin process: stdin/stdout pipes for the JSON-lines protocol, stderr forwarded
/// to the run log by a reader thread. Not thread-safe: one request at a time (the pool hands a
/// process to one caller at once).
final class PluginProcess: @unchecked Sendable {
    // Safe: used by one caller at a time (PluginPool); the stderr thread only touches `stderrState`.
    let pid: pid_t
    private let stdinFD: Int32
    private let stdoutFD: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    private var scanned = 0
    private var chunk = [UInt8](repeating: 0, count: 65_536)
    private var reaped = false
    private var status: Int32 = 0
    let scratch: String
    let stderrState = StderrState()

    /// Sandbox report and recent stderr, shared with the stderr thread.
    final class StderrState: @unchecked Sendable {
        // Safe: every access under `lock`.
        private let lock = NSLock()
        private var _sandbox: [String: String]?
        func set(_ s: [String: String]) { lock.lock(); _sandbox = s; lock.unlock() }
        var sandbox: [String: String]? { lock.lock(); defer { lock.unlock() }; return _sandbox }
    }

    /// Starts the plugin under the sandbox; it may read `exchangeDirectory` (the copies of the bytes).
    init(manifest: PluginManifest, launch: PluginLaunch, exchangeDirectory: String) throws {
        // A private scratch folder (TMPDIR/HOME, the only place it may write).
        var template = Array("\(launch.scratchRoot)/exhibit-plugin-\(manifest.id)-\(getpid())-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { $0.baseAddress.map { mkdtemp($0) != nil } ?? false }
        guard made else { throw PluginFailure(code: "plugin-start-failed", message: "cannot create a scratch folder under \(launch.scratchRoot): \(String(cString: strerror(errno)))") }
        scratch = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        chmod(scratch, 0o700)

        var args = [launch.executable, "plugin", "exec", "--scratch", scratch, "--dir", manifest.directory,
                    "--memory-mb", String(manifest.memoryMB), "--cpu-seconds", String(manifest.cpuSeconds),
                    "--scratch-mb", String(manifest.scratchMB), "--read", exchangeDirectory]
        for p in launch.protect { args += ["--protect", p] }
        args += ["--"] + manifest.resolvedCommand

        var inPipe: [Int32] = [0, 0], outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0]
        // Out of descriptors: nothing of this attempt may be left behind (pipes, the scratch folder).
        let scratchPath = scratch
        func pipeFailure(closing fds: [Int32]) -> PluginFailure {
            let failure = Self.startFailure("pipe")
            for fd in fds { close(fd) }
            try? FileManager.default.removeItem(atPath: scratchPath)
            return failure
        }
        guard exhibit_pipe_cloexec(&inPipe) == 0 else { throw pipeFailure(closing: []) }
        guard exhibit_pipe_cloexec(&outPipe) == 0 else { throw pipeFailure(closing: inPipe) }
        guard exhibit_pipe_cloexec(&errPipe) == 0 else { throw pipeFailure(closing: inPipe + outPipe) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // dup2 onto 0/1/2 clears close-on-exec on the copies; the originals close at exec.
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        // Own session (POSIX_SPAWN_SETSID, 0x80 in glibc): no controlling terminal, so nothing the
        // plugin does can reach the examiner's terminal; also its own process group, so a timeout
        // kills the trampoline and the guard (and with the guard the plugin's whole PID namespace).
        posix_spawnattr_setflags(&attr, Int16(0x80 | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        var all = sigset_t(); sigfillset(&all); posix_spawnattr_setsigdefault(&attr, &all)
        var none = sigset_t(); sigemptyset(&none); posix_spawnattr_setsigmask(&attr, &none)
        var cArgs: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) } }
        var env = ProcessInfo.processInfo.environment
        env["SWIFT_BACKTRACE"] = "enable=no"
        var cEnv: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in cEnv { free(p) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, launch.executable, &actions, &attr, &cArgs, &cEnv)
        close(inPipe[0]); close(outPipe[1]); close(errPipe[1])
        guard rc == 0 else {
            close(inPipe[1]); close(outPipe[0]); close(errPipe[0])
            try? FileManager.default.removeItem(atPath: scratch)
            throw PluginFailure(code: "plugin-start-failed", message: "cannot start \(launch.executable): \(String(cString: strerror(rc)))")
        }
        pid = child; stdinFD = inPipe[1]; stdoutFD = outPipe[0]
        let errFD = errPipe[0], state = stderrState, log = launch.log, id = manifest.id
        let t = Thread { Self.forwardStderr(fd: errFD, pluginID: id, state: state, log: log) }
        t.stackSize = 256 << 10
        t.start()
    }

    private static func startFailure(_ what: String) -> PluginFailure {
        PluginFailure(code: "plugin-start-failed", message: "\(what): \(String(cString: strerror(errno)))")
    }

    /// Forwards stderr lines to the run log (capped, control characters made visible). Only the
    /// very first line may be the sandbox report (the guard writes it before the plugin starts):
    /// a later `exhibit-sandbox:` line is the plugin's and is forwarded as its text.
    private static func forwardStderr(fd: Int32, pluginID: String, state: StderrState, log: @Sendable (String) -> Void) {
        var buf = [UInt8](), chunk = [UInt8](repeating: 0, count: 16_384)
        var forwarded = 0, first = true
        func line(_ bytes: ArraySlice<UInt8>) {
            let text = String(decoding: bytes.prefix(4096), as: UTF8.self)
            defer { first = false }
            if first, text.hasPrefix("exhibit-sandbox: "),
               let obj = try? JSONSerialization.jsonObject(with: Data(text.dropFirst(17).utf8)) as? [String: String] {
                state.set(obj); return
            }
            forwarded += 1
            if forwarded <= 1000 { log("plugin \(pluginID): \(escapeForTerminal(text))") }
            else if forwarded == 1001 { log("plugin \(pluginID): (further stderr lines not shown)") }
        }
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            buf.append(contentsOf: chunk[0..<n])
            // The consumed lines are dropped once per chunk: a flood of short lines costs no quadratic copying.
            var from = 0
            while let nl = buf[from...].firstIndex(of: 10) { line(buf[from..<nl]); from = nl + 1 }
            buf.removeSubrange(..<from)
            if buf.count > 65_536 { line(buf[...]); buf.removeAll() }
        }
        if !buf.isEmpty { line(buf[...]) }
        close(fd)
    }

    /// `text` with every control character (ESC, CSI, OSC, BEL, CR, backspace, C1 controls, bidi
    /// overrides) shown as `\u{…}`: a plugin's log can neither move the cursor nor rewrite or hide
    /// what Exhibit prints. Tabs stay.
    static func escapeForTerminal(_ text: String) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for u in text.unicodeScalars {
            let v = u.value
            let control = (v < 0x20 && v != 9) || (0x7F...0x9F).contains(v) || (0x200E...0x200F).contains(v)
                || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
            if control { out += "\\u{" + String(v, radix: 16) + "}" } else { out.unicodeScalars.append(u) }
        }
        return out
    }

    /// Writes one line (a JSON object plus newline).
    func send(_ object: [String: Any]) throws {
        guard var data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            throw PluginFailure(code: "plugin-protocol", message: "the host could not encode a request")
        }
        data.append(10)
        try data.withUnsafeBytes { buf in
            var off = 0
            while off < buf.count {
                guard let base = buf.baseAddress else { return }
                let n = write(stdinFD, base + off, buf.count - off)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { throw crashFailure("stopped reading its input") }
                off += n
            }
        }
    }

    /// Reads the next line before `deadline`; lines longer than `maxLine` are a failure.
    func readLine(deadline: Date, maxLine: Int) throws -> [UInt8] {
        while true {
            // Lines are cut from `buffer` at `start`; the consumed prefix is dropped only when it
            // is large, so a reply of many short lines costs no quadratic copying. Bytes already
            // searched (before `scanned`) are not searched again, so a long line arriving in many
            // chunks costs linear time too.
            if let nl = buffer[max(start, scanned)...].firstIndex(of: 10) {
                let line = Array(buffer[start..<nl])
                start = nl + 1
                scanned = start
                if start == buffer.count { buffer.removeAll(keepingCapacity: true); start = 0; scanned = 0 }
                return line
            }
            scanned = buffer.count
            if start > 0 && start >= buffer.count / 2 { buffer.removeSubrange(..<start); scanned -= start; start = 0 }
            if buffer.count - start > maxLine {
                throw PluginFailure(code: "plugin-oversized-reply", message: "sent a line longer than \(maxLine) bytes")
            }
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { throw PluginFailure(code: "plugin-timeout", message: "") }
            var pfd = pollfd(fd: stdoutFD, events: Int16(POLLIN), revents: 0)
            let rc = poll(&pfd, 1, Int32(min(remaining * 1000 + 1, 60_000)))
            if rc < 0 && errno == EINTR { continue }
            if rc == 0 { continue }
            let n = chunk.withUnsafeMutableBytes { read(stdoutFD, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { throw crashFailure("closed its output") }
            buffer.append(contentsOf: chunk[0..<n])
        }
    }

    /// A failure naming how the process ended (signal, exit code), after giving it a moment to exit.
    private func crashFailure(_ what: String) -> PluginFailure {
        for _ in 0..<50 {
            if reapNoHang() { break }
            usleep(10_000)
        }
        guard reaped else { return PluginFailure(code: "plugin-protocol", message: "\(what) while still running") }
        let sig = status & 0x7f
        if sig != 0 { return PluginFailure(code: "plugin-crashed", message: "crashed with signal \(sig) (\(ProcessSignal.name(sig)))") }
        return PluginFailure(code: "plugin-crashed", message: "exited with status \((status >> 8) & 0xff) before finishing its reply")
    }

    private func reapNoHang() -> Bool {
        if reaped { return true }
        var s: Int32 = 0
        let r = waitpid(pid, &s, WNOHANG)
        if r == pid { status = s; reaped = true }
        return reaped
    }

    /// Host pids of the guard (the trampoline's child) and of the plugin (the guard's child whose
    /// pid in its own namespace is 2); found at the first request's end.
    private var guardPID: pid_t = 0
    private var pluginPID: pid_t = 0

    /// The end of a request: every process that left the plugin's own tree — a daemon (`setsid`
    /// and a double fork), reparented to the guard, PID 1 of the plugin's namespace — is killed
    /// now, not when the plugin ends. Processes the plugin still parents stay (its own helpers).
    /// Returns how many were killed.
    @discardableResult
    func killStrays() -> Int {
        if guardPID == 0 {
            guard let g = Self.children(of: pid).first else { return 0 }
            guardPID = g
            pluginPID = Self.children(of: g).first { Self.innerPID(of: $0) == 2 } ?? 0
            // No PID namespace: daemons are reparented elsewhere; nothing to sweep here.
            if pluginPID == 0 { guardPID = -1 }
        }
        guard guardPID > 0 else { return 0 }
        var killed = 0
        for c in Self.children(of: guardPID) where c != pluginPID {
            kill(c, SIGKILL)
            killed += 1
        }
        return killed
    }

    /// Host pids of `parent`'s children (`/proc/PID/task/PID/children`), empty when unknown.
    static func children(of parent: pid_t) -> [pid_t] {
        guard parent > 0 else { return [] }
        return readProc("/proc/\(parent)/task/\(parent)/children").split(separator: " ").compactMap { pid_t($0) }
    }

    /// The pid a host process has in its innermost PID namespace (last `NSpid` field), or nil.
    static func innerPID(of pid: pid_t) -> pid_t? {
        guard let line = readProc("/proc/\(pid)/status").split(separator: "\n").first(where: { $0.hasPrefix("NSpid:") }) else { return nil }
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        return fields.count > 2 ? fields.last.flatMap { pid_t($0) } : nil
    }

    /// A small /proc file's text (they report size 0: read until EOF, at most 64 KiB).
    static func readProc(_ path: String) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        var out = [UInt8](), buf = [UInt8](repeating: 0, count: 4096)
        while out.count < 65_536 {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            out += buf[0..<n]
        }
        return String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Kills the process group and reaps it; removes the scratch folder.
    func terminate() {
        if !reaped { kill(-pid, SIGKILL); kill(pid, SIGKILL) }
        close(stdinFD)
        if !reaped {
            var s: Int32 = 0
            while waitpid(pid, &s, 0) < 0 && errno == EINTR {}
            reaped = true
        }
        close(stdoutFD)
        try? FileManager.default.removeItem(atPath: scratch)
    }

    /// Asks the plugin to stop (closes its input), waits briefly, then kills it.
    func shutdown() {
        try? send(["type": "shutdown"])
        close(stdinFD)
        for _ in 0..<100 where !reapNoHang() { usleep(10_000) }
        if !reaped { kill(-pid, SIGKILL); kill(pid, SIGKILL); var s: Int32 = 0; while waitpid(pid, &s, 0) < 0 && errno == EINTR {}; reaped = true }
        close(stdoutFD)
        try? FileManager.default.removeItem(atPath: scratch)
    }
}
