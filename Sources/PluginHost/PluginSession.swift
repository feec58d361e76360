import ExhibitKit
import ExhibitSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One started, handshaken plugin process and the request/reply exchange over it.
final class PluginSession: @unchecked Sendable {
    // Safe: used by one caller at a time (PluginPool).
    let manifest: PluginManifest
    let process: PluginProcess
    private var nextRequest = 1
    private var exchangeReady = false

    /// Seconds a plugin has to start and answer the handshake.
    static let handshakeSeconds: Double = 15

    /// How a reply ended (its findings and warnings went to the callbacks as they arrived).
    enum Outcome: Equatable {
        /// A plain `end`. `invalidLines`: the reply's finding lines that failed validation, as
        /// recorded warnings (`reply line N: …`); the valid lines around them were kept.
        case completed(invalidLines: [String])
        /// The plugin said it could not read the file (`end` with `error`): an error row, no restart.
        case declaredError(code: String, message: String)
    }

    /// The code of the warning recorded for each reply line that fails validation.
    static let invalidLineCode = "plugin-invalid-finding"

    /// Starts the plugin and performs the handshake. `exchangeDirectory` (created here, 0700) is
    /// where the copies of the bytes will be: the sandbox lets the plugin read it, and nothing else
    /// of the host's temporary folder.
    init(manifest: PluginManifest, launch: PluginLaunch, exchangeDirectory: String) throws {
        self.manifest = manifest
        try? FileManager.default.createDirectory(atPath: exchangeDirectory, withIntermediateDirectories: true,
                                                 attributes: [.posixPermissions: 0o700])
        process = try PluginProcess(manifest: manifest, launch: launch, exchangeDirectory: exchangeDirectory)
        do {
            try process.send([
                "type": "hello", "protocol": PluginProtocol.version, "host": "exhibit", "host_version": ExhibitVersion.current,
                "plugin_id": manifest.id,
                "capabilities": ["content": ["copy"], "finding_kinds": PluginWireKind.names] as [String: Any],
            ])
            let line = try process.readLine(deadline: Date().addingTimeInterval(Self.handshakeSeconds), maxLine: 1 << 20)
            guard let hello = try? JSONDecoder().decode(Hello.self, from: Data(line)), hello.type == "hello" else {
                throw PluginFailure(code: "plugin-handshake-failed", message: "did not answer the handshake with a hello line (got \(Self.preview(line)))")
            }
            guard hello.protocol == PluginProtocol.version else {
                throw PluginFailure(code: "plugin-handshake-failed", message: "answered the handshake with protocol \(hello.protocol.map(String.init) ?? "none"), not \(PluginProtocol.version)")
            }
            guard hello.plugin == manifest.id, hello.version == manifest.version else {
                throw PluginFailure(code: "plugin-handshake-failed",
                                    message: "introduced itself as \(hello.plugin ?? "?") \(hello.version ?? "?"), but plugin.json says \(manifest.id) \(manifest.version)")
            }
        } catch var f as PluginFailure {
            process.terminate()
            if f.code == "plugin-timeout" { f = PluginFailure(code: "plugin-handshake-failed", message: "no handshake within \(Int(Self.handshakeSeconds)) s") }
            if f.code == "plugin-crashed" {
                f = PluginFailure(code: "plugin-start-failed",
                                  message: "\(f.message.replacingOccurrences(of: " before finishing its reply", with: "")) before the handshake (check \"command\" in plugin.json and the plugin's stderr)")
            }
            throw f
        }
    }

    /// The plugin's `hello` line; each field is read leniently so a wrong one is named, not a decoding error.
    private struct Hello: Decodable {
        var type: String?, `protocol`: Int?, plugin: String?, version: String?
        enum CodingKeys: String, CodingKey { case type, `protocol`, plugin, version }
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            type = try? c.decodeIfPresent(String.self, forKey: .type)
            `protocol` = try? c.decodeIfPresent(Int.self, forKey: .protocol)
            plugin = try? c.decodeIfPresent(String.self, forKey: .plugin)
            version = try? c.decodeIfPresent(String.self, forKey: .version)
        }
    }

    /// The sandbox layers the process reported (nil until its first stderr line arrives).
    var sandboxReport: [String: String]? { process.stderrState.sandbox }

    /// A short printable preview of a bad line, for error messages.
    static func preview(_ line: [UInt8]) -> String {
        let s = String(decoding: line.prefix(60), as: UTF8.self).map { $0.isASCII && !$0.isNewline && ($0.asciiValue ?? 0) >= 32 ? $0 : "?" }
        return "\"\(String(s))\"" + (line.count > 60 ? "…" : "")
    }

    /// Sends one file and reads its reply line by line. Each valid finding is handed to `emit` as
    /// its line arrives — the session holds one line at a time, never the reply — and each warning
    /// (the plugin's own, and one per finding line that fails validation, naming the line) to
    /// `warn`; `rawLine` (for `exhibit plugin test`'s expected output) gets each valid finding
    /// line's `kind` and `data` as sent. A protocol failure (garbage, wrong request, crash,
    /// timeout, an oversized line or reply) throws a ``PluginFailure``: the caller then
    /// terminates this session; what was emitted before stays emitted (validated lines of this
    /// request), nothing after is read. An error thrown by `emit` is rethrown as is (the session
    /// is then mid-reply and must be terminated too).
    func analyze(_ file: EvidenceFile, context: AnalysisContext, exchangeDirectory: String,
                 emit: (Finding) throws -> Void, warn: (AnalysisWarning) -> Void,
                 rawLine: (([String: Any]) -> Void)? = nil) throws -> Outcome {
        let id = nextRequest
        nextRequest += 1
        var contentPath: String?
        defer { if let contentPath { unlink(contentPath) } }
        if manifest.accepts.needsContent, Self.hasBytes(file.content) {
            // A private copy in the exchange folder, which the sandbox leaves read-only to the
            // plugin (Landlock). A sealed memfd would avoid the copy, but a Landlock-confined
            // process may not open another process's /proc/PID/fd (ptrace scope), and passing
            // descriptors over a socket would burden every plugin language: docs/plugins.md.
            if !exchangeReady {
                try? FileManager.default.createDirectory(atPath: exchangeDirectory, withIntermediateDirectories: true,
                                                         attributes: [.posixPermissions: 0o700])
                exchangeReady = true
            }
            let p = exchangeDirectory + "/\(id)-\(file.hashes.sha256.prefix(16))"
            switch file.content {
            case .memory(let data):
                // Plain open/write/close: FileManager's atomic create costs milliseconds per file.
                guard Self.writePrivate(p, data) else {
                    throw PluginFailure(code: "plugin-host-error", message: "cannot write the private copy \(p): \(String(cString: strerror(errno)))")
                }
            case .temporaryFile(let url):
                do { try FileManager.default.copyItem(atPath: url.path, toPath: p) } catch {
                    throw PluginFailure(code: "plugin-host-error", message: "cannot make the private copy \(p): \(error)")
                }
                chmod(p, 0o400)
            case .none:
                break
            }
            contentPath = p
        }
        try process.send(PluginWire.request(id: id, file: file, contentPath: contentPath, zone: context.assumedZone))
        let deadline = Date().addingTimeInterval(manifest.timeoutSeconds)
        var state = PluginWire.ReplyState(file: file, zone: context.assumedZone)
        var invalidLines: [String] = []
        var total = 0
        var lineNumber = 0
        while true {
            let line: [UInt8]
            do { line = try process.readLine(deadline: deadline, maxLine: manifest.maxReplyBytes) } catch var f as PluginFailure {
                if f.code == "plugin-timeout" { f.message = "no complete reply within \(Self.seconds(manifest.timeoutSeconds)) (timeout_seconds)" }
                throw f
            }
            lineNumber += 1
            // The reply's total stays bounded (limits.reply_mb) even though nothing of it is kept
            // here: whoever receives the findings may hold them until the file commits.
            total += line.count + 1
            guard total <= manifest.maxReplyBytes else {
                throw PluginFailure(code: "plugin-oversized-reply", message: "reply larger than \(manifest.maxReplyBytes) bytes (limits.reply_mb)")
            }
            let reply: PluginReplyLine
            do { reply = try JSONDecoder().decode(PluginReplyLine.self, from: Data(line)) } catch let g as WireGarbage {
                throw PluginFailure(code: "plugin-garbage", message: "wrote a line with \(g.message): \(Self.preview(line))")
            } catch {
                throw PluginFailure(code: "plugin-garbage", message: "wrote a line that is not a JSON object: \(Self.preview(line))")
            }
            guard let type = reply.type else { throw PluginFailure(code: "plugin-protocol", message: "a reply line has no \"type\"") }
            guard reply.request == id else {
                throw PluginFailure(code: "plugin-protocol", message: "a \(type) line answers request \(reply.request.map(String.init) ?? "none"), not \(id)")
            }
            switch type {
            case "finding":
                // A well-formed line whose finding fails validation costs that line only: the
                // conversation is still in step, so the rest of the reply is kept (the built-in
                // rule: what was read, plus a warning).
                let item: PluginWire.Item
                do {
                    guard let data = reply.data else { throw PluginWire.invalid("a finding line has no \"kind\"") }
                    item = try PluginWire.item(data.get(), state: &state)
                    if let rawLine, let o = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any] {
                        rawLine(["kind": reply.kind ?? "", "data": o["data"] ?? NSNull()])
                    }
                } catch let f as PluginFailure where f.code == Self.invalidLineCode {
                    let message = "reply line \(lineNumber): \(f.message)"
                    invalidLines.append(message)
                    warn(AnalysisWarning(code: Self.invalidLineCode, message: String(message.prefix(2000))))
                    continue
                }
                switch item {
                case .finding(let f): try emit(f)
                case .warning(let w): warn(w)
                }
            case "end":
                process.killStrays()   // nothing the plugin left running outlives the request
                if let e = try reply.endError.get() {
                    guard let code = e.code, !code.isEmpty, let message = e.message else {
                        throw PluginFailure(code: "plugin-protocol", message: "end.error must be {\"code\": …, \"message\": …}")
                    }
                    return .declaredError(code: String(code.prefix(64)), message: String(message.prefix(2000)))
                }
                return .completed(invalidLines: invalidLines)
            default:
                throw PluginFailure(code: "plugin-protocol", message: "unknown reply line type \"\(type)\" (finding or end expected)")
            }
        }
    }

    /// One file's whole reply, collected in memory: for the conformance tester, the probe and
    /// tests (ingest hands findings on per line instead).
    struct Collected {
        var outcome: Outcome
        var findings: [Finding] = []
        var warnings: [AnalysisWarning] = []
        /// Each valid finding line's `kind` and `data` as sent.
        var raw: [[String: Any]] = []
    }

    /// ``analyze(_:context:exchangeDirectory:emit:warn:rawLine:)``, collecting the reply.
    func analyzeCollecting(_ file: EvidenceFile, context: AnalysisContext, exchangeDirectory: String) throws -> Collected {
        var findings: [Finding] = [], warnings: [AnalysisWarning] = [], raw: [[String: Any]] = []
        let outcome = try analyze(file, context: context, exchangeDirectory: exchangeDirectory, emit: { findings.append($0) },
                                  warn: { warnings.append($0) }, rawLine: { raw.append($0) })
        return Collected(outcome: outcome, findings: findings, warnings: warnings, raw: raw)
    }

    /// Writes `data` to a new file readable by its owner only (O_EXCL: never an existing file).
    static func writePrivate(_ path: String, _ data: Data) -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o400)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return FileDescriptorIO.writeAll(fd, data)
    }

    static func hasBytes(_ c: FileContent) -> Bool {
        if case .none = c { return false }
        return true
    }

    static func seconds(_ s: Double) -> String { s == s.rounded() ? "\(Int(s)) s" : "\(s) s" }
}
