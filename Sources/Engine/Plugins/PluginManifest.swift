import ExhibitKit
import Foundation
import Intake
#if canImport(Glibc)
import Glibc
#endif

/// The plugin protocol version this host speaks (docs/plugins.md). A plugin declares the version
/// it was written for in `plugin.json`; the host refuses versions it does not know.
public enum PluginProtocol {
    /// The one protocol version defined so far.
    public static let version = 1
    /// The manifest file every plugin directory holds.
    public static let manifestName = "plugin.json"
}

/// A problem with a plugin as a whole (its manifest, its executable), not with one file.
public struct PluginError: Error, Sendable, CustomStringConvertible {
    /// The plugin directory or manifest the problem is in.
    public var path: String
    /// What is wrong and, where possible, how to fix it.
    public var message: String
    /// A problem with the plugin at `path`.
    public init(path: String, _ message: String) { self.path = path; self.message = message }
    /// `path: message`.
    public var description: String { "\(path): \(message)" }
}

/// `plugin.json`, validated: what a plugin is, how to start it and what it accepts.
public struct PluginManifest: Sendable, Hashable {
    /// Stable id, lower-case letters, digits, `.`, `-`, `_` (recorded on every finding).
    public var id: String
    /// The plugin's own version (the handshake must repeat it).
    public var version: String
    /// The protocol version the plugin speaks (``PluginProtocol/version``).
    public var protocolVersion: Int
    /// One line for `exhibit analyzers`.
    public var summary: String
    /// argv: the first element is resolved against the plugin directory when it contains a `/`,
    /// else searched in `PATH`. The plugin runs with the plugin directory as working directory.
    public var command: [String]
    /// MIME types and path globs it is offered, and whether it gets the bytes.
    public var accepts: Acceptance
    /// Wall-clock seconds one file may take, reply included.
    public var timeoutSeconds: Double
    /// Address-space limit (RLIMIT_AS) in MiB, 0 = none.
    public var memoryMB: Int
    /// CPU-time limit (RLIMIT_CPU) in seconds for the whole process, 0 = none.
    public var cpuSeconds: Int
    /// Most bytes one reply (all lines for one file) may take.
    public var maxReplyBytes: Int
    /// Processes the host may run at once for this plugin (files analysed in parallel).
    public var instances: Int
    /// Size cap of the plugin's scratch tmpfs, MiB.
    public var scratchMB: Int = 512
    /// Finding kinds it says it produces (documentation; every kind is accepted).
    public var produces: [String]
    /// The plugin directory (absolute).
    public var directory: String
    /// SHA-256 of the manifest file's bytes: with id and version, the plugin's provenance.
    public var manifestSHA256: String

    /// Finding kinds a plugin may send.
    public static let findingKinds = ["chat", "participant", "message", "metadata", "media_hash", "indicator", "event",
                                      "warning", "artifact"]

    /// The version recorded on every row the plugin produces: `VERSION+sha256.MANIFEST-HASH`.
    public var provenanceVersion: String { "\(version)+sha256.\(manifestSHA256)" }

    /// The descriptor under which the plugin joins dispatch like a built-in analyzer.
    public func descriptor(supervisorTimeout: Double) -> AnalyzerDescriptor {
        AnalyzerDescriptor(id: id, version: provenanceVersion, summary: summary, accepts: accepts,
                           produces: produces.compactMap(FindingKind.init(rawValue:)),
                           timeoutSeconds: supervisorTimeout)
    }

    /// ` at line 3, column 16` for a JSON parse error, from the byte offset Foundation names
    /// ("… around character 30."), so the plugin's author can find the mistake; empty when the
    /// error names no offset.
    static func position(of error: Error, in data: Data) -> String {
        let text = ((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String) ?? "\(error)"
        guard let r = text.range(of: "character "),
              let offset = Int(text[r.upperBound...].prefix { $0.isNumber }), offset >= 0, offset <= data.count else { return "" }
        let before = data.prefix(offset)
        let line = before.reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
        let lineStart = before.lastIndex(of: 0x0A).map { $0 + 1 } ?? data.startIndex
        // Columns count characters, not bytes (a Korean summary before the mistake).
        let column = String(decoding: data[lineStart..<(data.startIndex + offset)], as: UTF8.self).count + 1
        return " at line \(line), column \(column)"
    }

    /// Reads and validates `DIR/plugin.json`.
    public static func load(directory: String) throws -> PluginManifest {
        let dir = URL(fileURLWithPath: directory).standardizedFileURL.path
        let path = dir + "/" + PluginProtocol.manifestName
        let data = try readBounded(path)
        let json: Any
        do { json = try JSONSerialization.jsonObject(with: data) } catch {
            throw PluginError(path: path, "not valid JSON\(Self.position(of: error, in: data)): \(error.localizedDescription)")
        }
        guard let o = json as? [String: Any] else { throw PluginError(path: path, "the manifest must be a JSON object") }
        func fail(_ m: String) -> PluginError { PluginError(path: path, m) }
        func string(_ k: String) throws -> String {
            guard let s = o[k] as? String, !s.isEmpty else { throw fail("\"\(k)\" must be a non-empty string") }
            return s
        }
        func number(_ k: String, in obj: [String: Any], default d: Double, range: ClosedRange<Double>) throws -> Double {
            guard let v = obj[k] else { return d }
            guard let n = v as? NSNumber, !PluginWire.isBool(v), range.contains(n.doubleValue) else {
                throw fail("\"\(k)\" must be a number in \(range.lowerBound)…\(range.upperBound)")
            }
            return n.doubleValue
        }
        func strings(_ k: String, in obj: [String: Any]) throws -> [String] {
            guard let v = obj[k] else { return [] }
            guard let a = v as? [String] else { throw fail("\"\(k)\" must be an array of strings") }
            return a
        }
        guard !PluginWire.isBool(o["protocol"]), let proto = o["protocol"] as? Int else { throw fail("\"protocol\" must be an integer (this host speaks \(PluginProtocol.version))") }
        guard proto == PluginProtocol.version else {
            throw fail("protocol \(proto) is not supported: this exhibit speaks protocol \(PluginProtocol.version)")
        }
        let id = try string("id")
        guard id.count <= 64, id.first?.isLetter == true,
              id.unicodeScalars.allSatisfy({ "abcdefghijklmnopqrstuvwxyz0123456789.-_".unicodeScalars.contains($0) }) else {
            throw fail("\"id\" must be 1–64 characters of a-z 0-9 . - _, starting with a letter (got \"\(id)\")")
        }
        let version = try string("version")
        guard version.count <= 64, !version.contains(where: \.isWhitespace) else { throw fail("\"version\" must be a short token like 1.0.0") }
        let summary = try string("summary")
        guard let command = o["command"] as? [String], let exe = command.first, !exe.isEmpty else {
            throw fail("\"command\" must be a non-empty array of strings, e.g. [\"python3\", \"plugin.py\"]")
        }
        guard let acc = o["accepts"] as? [String: Any] else { throw fail("\"accepts\" must be an object") }
        let mimes = try strings("mime_types", in: acc), globs = try strings("path_globs", in: acc)
        guard !mimes.isEmpty || !globs.isEmpty else { throw fail("\"accepts\" needs mime_types or path_globs (or both)") }
        if let nb = acc["needs_bytes"], !PluginWire.isBool(nb) { throw fail("\"accepts.needs_bytes\" must be true or false") }
        let needsBytes = acc["needs_bytes"] as? Bool ?? true
        let limits = o["limits"] as? [String: Any] ?? [:]
        if o["limits"] != nil, o["limits"] as? [String: Any] == nil { throw fail("\"limits\" must be an object") }
        let produces = try strings("produces", in: o)
        for k in produces where !findingKinds.contains(k) {
            throw fail("\"produces\" names an unknown finding kind \"\(k)\" (known: \(findingKinds.joined(separator: ", ")))")
        }
        // The hash of the very bytes parsed (reading the file again could see another version).
        var hasher = MultiHasher()
        data.withUnsafeBytes { hasher.update($0) }
        let hash = hasher.finalize().sha256
        return PluginManifest(
            id: id, version: version, protocolVersion: proto, summary: summary, command: command,
            accepts: Acceptance(mimeTypes: mimes, pathGlobs: globs, sniff: false, needsContent: needsBytes),
            timeoutSeconds: try number("timeout_seconds", in: o, default: 30, range: 0.1...86_400),
            memoryMB: Int(try number("memory_mb", in: limits, default: 2048, range: 0...1_048_576)),
            cpuSeconds: Int(try number("cpu_seconds", in: limits, default: 3600, range: 0...31_536_000)),
            maxReplyBytes: Int(try number("reply_mb", in: limits, default: 64, range: 0.001...4096) * 1_048_576),
            instances: Int(try number("instances", in: limits, default: 1, range: 1...64)),
            scratchMB: Int(try number("scratch_mb", in: limits, default: 512, range: 1...65_536)),
            produces: produces, directory: dir, manifestSHA256: hash)
    }

    /// The manifest's bytes, at most 1 MiB. Only a regular file is read (opened non-blocking, so
    /// a FIFO cannot hang discovery) and never more than the limit (a link to /dev/zero or a huge
    /// file costs no memory).
    private static func readBounded(_ path: String) throws -> Data {
        let limit = 1 << 20
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw PluginError(path: path, "no \(PluginProtocol.manifestName) here (a plugin is a directory holding one)") }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { throw PluginError(path: path, "the manifest is not a regular file") }
        let tooLarge = PluginError(path: path, "manifest larger than 1 MiB")
        guard st.st_size <= limit else { throw tooLarge }
        // nil at end of file: an empty manifest (reported as invalid JSON by the caller).
        let data: Data
        do { data = try handle.read(upToCount: limit + 1) ?? Data() } catch {
            throw PluginError(path: path, "cannot read the manifest: \(error.localizedDescription)")
        }
        guard data.count <= limit else { throw tooLarge }
        return data
    }

    /// What the audit log records about the plugin at the start of a run: enough to find the
    /// exact code that produced a row (directory, command, manifest hash).
    public var auditRecord: JSONValue {
        .object(["id": .string(id), "version": .string(version), "manifest_sha256": .string(manifestSHA256),
                 "directory": .string(directory), "command": .array(command.map(JSONValue.string)),
                 "protocol": .number(Double(protocolVersion))])
    }

    /// The argv to exec, with a relative program path resolved against the plugin directory.
    public var resolvedCommand: [String] {
        var c = command
        if let first = c.first, first.contains("/"), !first.hasPrefix("/") { c[0] = directory + "/" + first }
        return c
    }
}
