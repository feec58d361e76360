import ExhibitKit
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An external plugin wrapped as an ordinary ``Analyzer``: dispatch, provenance and storage are
/// the same as for built-ins. Its descriptor's id is the plugin id and its version
/// `VERSION+sha256.MANIFEST-HASH`, recorded on every row it produces.
///
/// Processes are started lazily and reused across files (up to `limits.instances` at once).
/// Any failure on a file — crash, hang, garbage, an invalid finding, an oversized reply — throws
/// one ``AnalyzerError`` (one `analysis_errors` row for that file), kills that process, and the
/// next file gets a fresh one. After `maxConsecutiveFailures` failures in a row the plugin is
/// disabled for the rest of the run; each file it would have seen gets a `plugin-disabled` row.
public final class PluginAnalyzer: Analyzer, @unchecked Sendable {
    // Safe: mutable state (idle sessions, counters) is only touched under `lock`.
    /// The validated manifest this analyzer runs.
    public let manifest: PluginManifest
    let launch: PluginLaunch
    let maxConsecutiveFailures: Int
    /// Id, provenance version (`VERSION+sha256.HASH`) and acceptance, as dispatch sees them.
    public let descriptor: AnalyzerDescriptor
    private let exchangeDirectory: String
    private let lock = NSCondition()
    private var idle: [PluginSession] = []
    private var running = 0
    private var consecutiveFailures = 0
    private var disabled = false
    private var announcedSandbox = false

    /// - Parameters:
    ///   - jobs: files the dispatcher analyses at once (sizes the supervisor's safety timeout,
    ///     which must never fire before this host's own per-file timeout).
    public init(manifest: PluginManifest, launch: PluginLaunch, maxConsecutiveFailures: Int = 5, jobs: Int = 1) {
        self.manifest = manifest; self.launch = launch; self.maxConsecutiveFailures = max(1, maxConsecutiveFailures)
        let perFile = manifest.timeoutSeconds + PluginSession.handshakeSeconds + 5
        let queued = Double(max(1, jobs) / manifest.instances + 1)
        descriptor = manifest.descriptor(supervisorTimeout: perFile * queued + 30)
        exchangeDirectory = launch.scratchRoot + "/exhibit-exchange-\(manifest.id)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        // A plugin that dies while the host writes to it must not kill the host with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        Self.sweepStale(root: launch.scratchRoot, log: launch.log)
    }

    /// Removes exchange and scratch folders (`exhibit-exchange-ID-PID-…`, `exhibit-plugin-ID-PID-…`)
    /// whose process no longer runs: a killed ingest leaves private copies of evidence bytes
    /// there. Says so in the run log. Folders of running processes are left alone.
    static func sweepStale(root: String, log: (String) -> Void) {
        let fm = FileManager.default
        for name in ((try? fm.contentsOfDirectory(atPath: root)) ?? []).sorted()
        where name.hasPrefix("exhibit-exchange-") || name.hasPrefix("exhibit-plugin-") {
            let parts = name.split(separator: "-")
            guard parts.count >= 5, let pid = pid_t(parts[parts.count - 2]), pid > 0 else { continue }
            if kill(pid, 0) == 0 || errno == EPERM { continue }
            let path = root + "/" + name
            var st = stat()
            guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR, st.st_uid == geteuid() else { continue }
            let kind = name.hasPrefix("exhibit-exchange-") ? "exchange folder (private copies of evidence bytes)" : "scratch folder"
            if (try? fm.removeItem(atPath: path)) != nil {
                log("exhibit: removed the stale plugin \(kind) \(path), left by an interrupted run (process \(pid) no longer runs)")
            }
        }
    }

    deinit { shutdown() }

    /// Stops every idle process and removes the exchange folder. Called at the end of the run.
    public func shutdown() {
        lock.lock()
        let sessions = idle
        idle.removeAll()
        lock.unlock()
        for s in sessions { s.process.shutdown() }
        try? FileManager.default.removeItem(atPath: exchangeDirectory)
    }

    /// Sends the file to a plugin process and hands its validated findings and warnings to the
    /// sink; any failure throws one ``AnalyzerError`` (see the type's comment). Blocks its analysis
    /// thread while waiting for a free process.
    public func analyze(_ file: EvidenceFile, context: AnalysisContext, into sink: any FindingSink) throws {
        for item in try analyzeSync(file, context: context) {
            switch item {
            case .finding(let f): sink.emit(f)
            case .warning(let w): sink.warn(w)
            }
        }
    }

    private func checkout() throws -> PluginSession? {
        lock.lock()
        defer { lock.unlock() }
        while idle.isEmpty && running >= manifest.instances && !disabled { lock.wait() }
        if disabled { throw disabledError() }
        running += 1
        return idle.popLast()
    }

    private func checkin(_ session: PluginSession?, failed: Bool) -> Bool {
        lock.lock()
        defer { lock.broadcast(); lock.unlock() }
        running -= 1
        if let session { idle.append(session) }
        guard failed else { consecutiveFailures = 0; return false }
        consecutiveFailures += 1
        if consecutiveFailures >= maxConsecutiveFailures && !disabled {
            disabled = true
            return true
        }
        return false
    }

    private func disabledError() -> AnalyzerError {
        AnalyzerError(code: "plugin-disabled",
                      message: "plugin \(manifest.id) \(manifest.version) was disabled for this run after \(maxConsecutiveFailures) consecutive failures; file not analysed by it")
    }

    func analyzeSync(_ file: EvidenceFile, context: AnalysisContext) throws -> [PluginWire.Item] {
        var session = try checkout()
        do {
            if session == nil { session = try PluginSession(manifest: manifest, launch: launch, exchangeDirectory: exchangeDirectory) }
            guard let s = session else { throw PluginFailure(code: "plugin-start-failed", message: "no session") }
            let reply = try s.analyze(file, context: context, exchangeDirectory: exchangeDirectory)
            announceSandbox(s)
            _ = checkin(s, failed: false)
            switch reply {
            case .findings(let f, _): return f
            case .declaredError(let code, let message):
                throw AnalyzerError(code: code, message: "plugin \(manifest.id): \(message)")
            }
        } catch let f as PluginFailure {
            if let s = session { announceSandbox(s); s.process.terminate() }
            let nowDisabled = checkin(nil, failed: true)
            var message = "plugin \(manifest.id) \(manifest.version) \(f.message) on \(file.virtualPath); the plugin was stopped and is restarted for the next file"
            if nowDisabled {
                message += ". It failed on \(maxConsecutiveFailures) files in a row and is DISABLED for the rest of this run"
                launch.log("exhibit: plugin \(manifest.id) failed on \(maxConsecutiveFailures) files in a row (last: \(f.code) on \(file.virtualPath)); disabled for the rest of this run. Test it with 'exhibit plugin test \(manifest.directory)'.")
            }
            throw AnalyzerError(code: f.code, message: message)
        }
    }

    /// Tells the run log once which sandbox layers the plugin actually runs under.
    private func announceSandbox(_ s: PluginSession) {
        lock.lock()
        let first = !announcedSandbox
        announcedSandbox = true
        lock.unlock()
        guard first, let r = s.sandboxReport else { return }
        let text = r.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
        launch.log("exhibit: plugin \(manifest.id) sandbox — \(text)")
    }
}
