import ExhibitKit
import Foundation

/// `plugin.json` exactly as written (docs/plugins.md): decoded with `Codable`, strictly — an
/// unknown field, a wrong type or a missing required field is refused with a message naming the
/// field — then validated into a ``PluginManifest`` (ranges, id and version syntax, known kinds).
/// Field names follow the wire's one rule: the Swift property name in snake_case.
public struct PluginManifestFile: Codable, Sendable, Hashable {
    /// The protocol version the plugin speaks.
    public var `protocol`: Int
    /// The plugin's id (1–64 of `a-z 0-9 . - _`, starting with a letter).
    public var id: String
    /// The plugin's own version, a short token.
    public var version: String
    /// One line for `exhibit analyzers`.
    public var summary: String
    /// argv of the plugin process.
    public var command: [String]
    /// What the plugin is offered.
    public var accepts: Accepts
    /// Wall-clock seconds for one file (default 30).
    public var timeoutSeconds: Double?
    /// Resource limits (defaults in ``PluginManifest``).
    public var limits: Limits?
    /// Finding kinds the plugin says it sends (wire names).
    public var produces: [String]?

    /// `accepts`: MIME types and path globs (at least one of them), and whether bytes are needed.
    public struct Accepts: Codable, Sendable, Hashable {
        /// MIME types as libmagic reports them.
        public var mimeTypes: [String]?
        /// Globs over the path inside the evidence and the whole virtual path.
        public var pathGlobs: [String]?
        /// `false`: metadata only (default `true`).
        public var needsBytes: Bool?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case mimeTypes = "mime_types", pathGlobs = "path_globs", needsBytes = "needs_bytes"
        }

        /// Strict: unknown fields and wrong types are refused by name.
        public init(from decoder: Decoder) throws {
            let c = try Strict.container(decoder, CodingKeys.self, path: "accepts.")
            mimeTypes = try Strict.field(c, .mimeTypes, "accepts.mime_types", "an array of strings")
            pathGlobs = try Strict.field(c, .pathGlobs, "accepts.path_globs", "an array of strings")
            needsBytes = try Strict.field(c, .needsBytes, "accepts.needs_bytes", "true or false")
        }
    }

    /// `limits`: every field optional.
    public struct Limits: Codable, Sendable, Hashable {
        /// RLIMIT_AS in MiB, 0 = none.
        public var memoryMB: Double?
        /// RLIMIT_CPU in seconds, 0 = none.
        public var cpuSeconds: Double?
        /// Most bytes of one reply, and of any single line, in MiB.
        public var replyMB: Double?
        /// Processes at once.
        public var instances: Double?
        /// Scratch tmpfs size in MiB.
        public var scratchMB: Double?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case memoryMB = "memory_mb", cpuSeconds = "cpu_seconds", replyMB = "reply_mb", instances, scratchMB = "scratch_mb"
        }

        /// Strict: unknown fields and wrong types are refused by name.
        public init(from decoder: Decoder) throws {
            let c = try Strict.container(decoder, CodingKeys.self, path: "limits.")
            memoryMB = try Strict.field(c, .memoryMB, "limits.memory_mb", "a number")
            cpuSeconds = try Strict.field(c, .cpuSeconds, "limits.cpu_seconds", "a number")
            replyMB = try Strict.field(c, .replyMB, "limits.reply_mb", "a number")
            instances = try Strict.field(c, .instances, "limits.instances", "a number")
            scratchMB = try Strict.field(c, .scratchMB, "limits.scratch_mb", "a number")
        }
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case `protocol`, id, version, summary, command, accepts, timeoutSeconds = "timeout_seconds", limits, produces
    }

    /// Strict: unknown fields, wrong types and missing required fields are refused by name.
    public init(from decoder: Decoder) throws {
        let c = try Strict.container(decoder, CodingKeys.self, path: "")
        let proto: Int? = try Strict.field(c, .protocol, "protocol", "an integer (this host speaks \(PluginProtocol.version))")
        guard let proto else { throw Problem("\"protocol\" must be an integer (this host speaks \(PluginProtocol.version))") }
        // The version first: a later protocol may change every other field.
        guard proto == PluginProtocol.version else {
            throw Problem("protocol \(proto) is not supported: this exhibit speaks protocol \(PluginProtocol.version)")
        }
        self.protocol = proto
        func text(_ k: CodingKeys) throws -> String {
            let s: String? = try Strict.field(c, k, k.stringValue, "a non-empty string")
            guard let s, !s.isEmpty else { throw Problem("\"\(k.stringValue)\" must be a non-empty string") }
            return s
        }
        id = try text(.id)
        version = try text(.version)
        summary = try text(.summary)
        let commandProblem = "\"command\" must be a non-empty array of strings, e.g. [\"python3\", \"plugin.py\"]"
        let cmd: [String]? = try Strict.field(c, .command, "command", "a non-empty array of strings, e.g. [\"python3\", \"plugin.py\"]")
        guard let cmd, let first = cmd.first, !first.isEmpty else { throw Problem(commandProblem) }
        command = cmd
        let acc: Accepts? = try Strict.field(c, .accepts, "accepts", "an object")
        guard let acc else { throw Problem("\"accepts\" must be an object") }
        accepts = acc
        timeoutSeconds = try Strict.field(c, .timeoutSeconds, "timeout_seconds", "a number")
        limits = try Strict.field(c, .limits, "limits", "an object")
        produces = try Strict.field(c, .produces, "produces", "an array of strings")
    }

    /// A manifest problem: the message names the field.
    struct Problem: Error {
        var message: String
        init(_ m: String) { message = m }
    }

    /// Decodes the manifest's bytes; a syntax error names its line and column.
    static func decode(_ data: Data) throws -> PluginManifestFile {
        do { return try JSONDecoder().decode(PluginManifestFile.self, from: data) } catch let p as Problem { throw p } catch DecodingError.typeMismatch(_, let ctx) where ctx.codingPath.isEmpty {
            throw Problem("the manifest must be a JSON object")
        } catch {
            // Foundation's decoder names no position; its JSON reader does (for the author's sake only).
            var position = ""
            var detail = "\(error)"
            do { _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) } catch let syntax {
                position = PluginManifest.position(of: syntax, in: data)
                detail = syntax.localizedDescription
            }
            throw Problem("not valid JSON\(position): \(detail)")
        }
    }

    /// The validated manifest: ranges, id and version syntax, known finding kinds, defaults.
    func validated(directory: String, manifestSHA256: String) throws -> PluginManifest {
        guard id.count <= 64, id.first?.isLetter == true,
              id.unicodeScalars.allSatisfy({ "abcdefghijklmnopqrstuvwxyz0123456789.-_".unicodeScalars.contains($0) }) else {
            throw Problem("\"id\" must be 1–64 characters of a-z 0-9 . - _, starting with a letter (got \"\(id)\")")
        }
        guard version.count <= 64, !version.contains(where: \.isWhitespace) else { throw Problem("\"version\" must be a short token like 1.0.0") }
        let mimes = accepts.mimeTypes ?? [], globs = accepts.pathGlobs ?? []
        guard !mimes.isEmpty || !globs.isEmpty else { throw Problem("\"accepts\" needs mime_types or path_globs (or both)") }
        for k in produces ?? [] where PluginWireKind(wireName: k) == nil {
            throw Problem("\"produces\" names an unknown finding kind \"\(k)\" (known: \(PluginWireKind.names.joined(separator: ", ")))")
        }
        func number(_ v: Double?, _ name: String, default d: Double, range: ClosedRange<Double>) throws -> Double {
            guard let v else { return d }
            guard range.contains(v) else {
                throw Problem("\"\(name)\" must be a number in \(Self.format(range.lowerBound))…\(Self.format(range.upperBound))")
            }
            return v
        }
        let l = limits
        return PluginManifest(
            id: id, version: version, protocolVersion: self.protocol, summary: summary, command: command,
            accepts: Acceptance(mimeTypes: mimes, pathGlobs: globs, sniff: false, needsContent: accepts.needsBytes ?? true),
            timeoutSeconds: try number(timeoutSeconds, "timeout_seconds", default: 30, range: 0.1...86_400),
            memoryMB: Int(try number(l?.memoryMB, "limits.memory_mb", default: 2048, range: 0...1_048_576)),
            cpuSeconds: Int(try number(l?.cpuSeconds, "limits.cpu_seconds", default: 3600, range: 0...31_536_000)),
            maxReplyBytes: Int(try number(l?.replyMB, "limits.reply_mb", default: 64, range: 0.001...4096) * 1_048_576),
            instances: Int(try number(l?.instances, "limits.instances", default: 1, range: 1...64)),
            scratchMB: Int(try number(l?.scratchMB, "limits.scratch_mb", default: 512, range: 1...65_536)),
            produces: produces ?? [], directory: directory, manifestSHA256: manifestSHA256)
    }

    private static func format(_ d: Double) -> String { d == d.rounded() ? String(Int(d)) : String(d) }
}

/// Strict decoding helpers: unknown keys and wrong types become ``PluginManifestFile/Problem``s
/// naming the field (Foundation's `DecodingError`s name a coding path, not what was expected).
private enum Strict {
    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// The object's container, after refusing keys `K` does not list.
    static func container<K: CodingKey & CaseIterable>(_ decoder: Decoder, _ keys: K.Type, path: String) throws -> KeyedDecodingContainer<K> {
        let any = try decoder.container(keyedBy: AnyKey.self)
        let known = K.allCases.map(\.stringValue)
        for k in any.allKeys.map(\.stringValue).sorted() where !known.contains(k) {
            throw PluginManifestFile.Problem("unknown field \"\(path)\(k)\" (known: \(known.joined(separator: ", ")))")
        }
        return try decoder.container(keyedBy: K.self)
    }

    /// The field's value, nil when absent; present but null or of another type is refused.
    static func field<K: CodingKey, T: Decodable>(_ c: KeyedDecodingContainer<K>, _ key: K, _ name: String, _ expected: String) throws -> T? {
        guard c.contains(key) else { return nil }
        do {
            guard try !c.decodeNil(forKey: key) else { throw PluginManifestFile.Problem("\"\(name)\" must be \(expected) (got null)") }
            return try c.decode(T.self, forKey: key)
        } catch let e as DecodingError {
            _ = e
            throw PluginManifestFile.Problem("\"\(name)\" must be \(expected)")
        }
    }
}
