import ExhibitKit
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

    /// What the plugin answered for one file.
    enum Reply {
        /// The validated findings, and — when asked for — the finding lines' `kind` and `data` as
        /// sent, for `exhibit plugin test`'s expected-output comparison.
        case findings([PluginWire.Item], raw: [[String: Any]])
        /// The plugin said it could not read the file (`end` with `error`): an error row, no restart.
        case declaredError(code: String, message: String)
    }

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
                "capabilities": ["content": ["copy"], "finding_kinds": PluginManifest.findingKinds] as [String: Any],
            ])
            let line = try process.readLine(deadline: Date().addingTimeInterval(Self.handshakeSeconds), maxLine: 1 << 20)
            guard let o = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any], o["type"] as? String == "hello" else {
                throw PluginFailure(code: "plugin-handshake-failed", message: "did not answer the handshake with a hello line (got \(Self.preview(line)))")
            }
            guard o["protocol"] as? Int == PluginProtocol.version else {
                throw PluginFailure(code: "plugin-handshake-failed", message: "answered the handshake with protocol \(o["protocol"].map { "\($0)" } ?? "none"), not \(PluginProtocol.version)")
            }
            guard o["plugin"] as? String == manifest.id, o["version"] as? String == manifest.version else {
                throw PluginFailure(code: "plugin-handshake-failed",
                                    message: "introduced itself as \(o["plugin"] ?? "?") \(o["version"] ?? "?"), but plugin.json says \(manifest.id) \(manifest.version)")
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

    /// The sandbox layers the process reported (nil until its first stderr line arrives).
    var sandboxReport: [String: String]? { process.stderrState.sandbox }

    /// A short printable preview of a bad line, for error messages.
    static func preview(_ line: [UInt8]) -> String {
        let s = String(decoding: line.prefix(60), as: UTF8.self).map { $0.isASCII && !$0.isNewline && ($0.asciiValue ?? 0) >= 32 ? $0 : "?" }
        return "\"\(String(s))\"" + (line.count > 60 ? "…" : "")
    }

    /// Sends one file and reads its whole reply. Any problem throws a ``PluginFailure``; the
    /// caller then terminates this session.
    func analyze(_ file: EvidenceFile, context: AnalysisContext, exchangeDirectory: String, keepRaw: Bool = false) throws -> Reply {
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
        var findings: [PluginWire.Item] = []
        var raw: [[String: Any]] = []
        var total = 0
        while true {
            let line: [UInt8]
            do { line = try process.readLine(deadline: deadline, maxLine: manifest.maxReplyBytes) } catch var f as PluginFailure {
                if f.code == "plugin-timeout" { f.message = "no complete reply within \(Self.seconds(manifest.timeoutSeconds)) (timeout_seconds)" }
                throw f
            }
            total += line.count + 1
            guard total <= manifest.maxReplyBytes else {
                throw PluginFailure(code: "plugin-oversized-reply", message: "reply larger than \(manifest.maxReplyBytes) bytes (limits.reply_mb)")
            }
            guard let o = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any] else {
                throw PluginFailure(code: "plugin-garbage", message: "wrote a line that is not a JSON object: \(Self.preview(line))")
            }
            guard let type = o["type"] as? String else { throw PluginFailure(code: "plugin-protocol", message: "a reply line has no \"type\"") }
            guard o["request"] as? Int == id else {
                throw PluginFailure(code: "plugin-protocol", message: "a \(type) line answers request \(o["request"].map { "\($0)" } ?? "none"), not \(id)")
            }
            switch type {
            case "finding":
                guard let kind = o["kind"] as? String else { throw PluginWire.invalid("a finding line has no \"kind\"") }
                findings.append(try PluginWire.item(kind: kind, data: o["data"], state: &state))
                if keepRaw { raw.append(["kind": kind, "data": o["data"] ?? NSNull()]) }
            case "end":
                process.killStrays()   // nothing the plugin left running outlives the request
                if let e = o["error"], !(e is NSNull) {
                    guard let eo = e as? [String: Any], let code = eo["code"] as? String, !code.isEmpty, let message = eo["message"] as? String else {
                        throw PluginFailure(code: "plugin-protocol", message: "end.error must be {\"code\": …, \"message\": …}")
                    }
                    return .declaredError(code: String(code.prefix(64)), message: String(message.prefix(2000)))
                }
                return .findings(findings, raw: raw)
            default:
                throw PluginFailure(code: "plugin-protocol", message: "unknown reply line type \"\(type)\" (finding or end expected)")
            }
        }
    }

    /// Writes `data` to a new file readable by its owner only (O_EXCL: never an existing file).
    static func writePrivate(_ path: String, _ data: Data) -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o400)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return data.withUnsafeBytes { buf in
            var off = 0
            while off < buf.count {
                guard let base = buf.baseAddress else { return false }
                let n = write(fd, base + off, buf.count - off)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                off += n
            }
            return true
        }
    }

    static func hasBytes(_ c: FileContent) -> Bool {
        if case .none = c { return false }
        return true
    }

    static func seconds(_ s: Double) -> String { s == s.rounded() ? "\(Int(s)) s" : "\(s) s" }
}
