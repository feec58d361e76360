// bash-history — an Exhibit analyzer plugin (protocol 1) in Swift: one file, Foundation only.
// Build: swiftc -O main.swift -o bash-history        Test: exhibit plugin test .
//
// Bash writes `#<seconds since the epoch>` before each command when HISTTIMEFORMAT is set; those
// seconds are UTC. Every command becomes a `shell.command` artifact with its line number and, when
// a timestamp precedes it, the named time `executed` (basis utc). Commands without a timestamp
// are kept without a time. The protocol part at the end is the one `exhibit plugin new` writes.
import Foundation

let pluginID = "bash-history"
let version = "1.0.0"

func analyze(_ request: AnalyzeRequest, emit: (Finding) -> Void) throws {
    guard let path = request.content?.path, let data = FileManager.default.contents(atPath: path) else {
        throw PluginFailure(code: "unreadable", message: "no readable bytes")
    }
    // Work on bytes (a history can be huge or binary garbage); decode one line at a time, keeping
    // invalid UTF-8 visible as U+FFFD. Lines over 64 KiB are cut (and the cut is recorded). Each
    // command is sent as it is read.
    let bytes = [UInt8](data)
    var pending: (seconds: Int64, raw: String)?
    var lineNumber = 0
    var commands = 0
    var start = 0
    while start <= bytes.count {
        let end = bytes[start...].firstIndex(of: 10) ?? bytes.count
        defer { start = end + 1 }
        lineNumber += 1
        let raw = bytes[start..<min(end, start + 65_536)]
        let line = String(decoding: raw, as: UTF8.self)
        if line.hasPrefix("#"), let secs = Int64(line.dropFirst()), secs >= 0, secs < 32_503_680_000 {
            pending = (secs, line)
            continue
        }
        guard raw.contains(where: { $0 != 32 && $0 != 9 && $0 != 13 && $0 != 0 }) else { pending = nil; continue }
        var properties: [String: JSONValue] = ["command": .string(line), "shell": "bash", "line": .int(Int64(lineNumber))]
        if end - start > 65_536 { properties["truncated_from_bytes"] = .int(Int64(end - start)) }
        var artifact = Artifact(type: "shell.command", properties: properties,
                                location: Location(offset: Int64(start), record: "line \(lineNumber)"))
        if let p = pending {
            artifact.times = ["executed": WireTime(unixS: p.seconds, raw: p.raw, precision: "second")]
        }
        pending = nil
        commands += 1
        emit(.artifact(artifact))
    }
    if commands == 0 && !data.isEmpty {
        emit(.warning(Warning(code: "no-commands", message: "no command lines found")))
    }
}

exhibitPluginMain(pluginID: pluginID, version: version, analyze: analyze)


// MARK: - Exhibit plugin protocol 1 (written by `exhibit plugin new`; keep it as it is)
// Codable mirrors of the host's types: wire names are the host's Swift property names in
// snake_case (Exhibit's docs/plugins.md, "Names"). Call exhibitPluginMain at the top of the file.

/// A JSON value: artifact properties, message extra, indicator details.
enum JSONValue: Codable, Equatable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    case null, bool(Bool), int(Int64), double(Double), string(String), array([JSONValue]), object([String: JSONValue])
    init(stringLiteral v: String) { self = .string(v) }
    init(integerLiteral v: Int) { self = .int(Int64(v)) }
    init(floatLiteral v: Double) { self = .double(v) }
    init(booleanLiteral v: Bool) { self = .bool(v) }
    init(arrayLiteral v: JSONValue...) { self = .array(v) }
    init(dictionaryLiteral v: (String, JSONValue)...) { self = .object(Dictionary(v, uniquingKeysWith: { $1 })) }
    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null } else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int64.self) { self = .int(i) } else if let d = try? c.decode(Double.self) { self = .double(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) } else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }
    func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }
}

/// A time as the protocol carries it: set one form (instant, unixS/Ms/Us, local), or send back a
/// file time the host gave (it carries utcUs, instant and local, which agree).
struct WireTime: Codable, Equatable {
    var instant: String? = nil, unixS: Int64? = nil, unixMs: Int64? = nil, unixUs: Int64? = nil, utcUs: Int64? = nil
    var local: String? = nil, raw: String? = nil, precision: String? = nil, note: String? = nil, basis: String? = nil
    enum CodingKeys: String, CodingKey {
        case instant, unixS = "unix_s", unixMs = "unix_ms", unixUs = "unix_us", utcUs = "utc_us", local, raw, precision, note, basis
    }
}

/// Where in the file: a byte offset and/or a record (`line 3`, `sms._id 42`).
struct Location: Codable, Equatable {
    var offset: Int64? = nil, record: String? = nil
}

// Generated from the host's wire forms (`make plugin-helpers`).
/// `artifact`: anything without a dedicated table. Stored in `artifacts` (+ `artifact_times`); its named times
/// join the timeline.
struct Artifact: Codable, Equatable {
    var type: String, properties: [String: JSONValue] = [:], times: [String: WireTime]? = nil, location: Location? = nil
}

/// `chat`: a chat. Stored in `chats`, like the built-in chat analyzers' chats.
struct Chat: Codable, Equatable {
    var chatKey: String, platform: String? = nil, title: String? = nil, nativeID: String? = nil, chatType: String? = nil
    var format: String? = nil, notes: [String]? = nil, exportedAt: WireTime? = nil, location: Location? = nil
    enum CodingKeys: String, CodingKey {
        case chatKey = "chat_key", platform, title, nativeID = "native_id", chatType = "chat_type", format, notes
        case exportedAt = "exported_at", location
    }
}

/// `participant`: a participant of a chat reported before it. Stored in `participants`.
struct Participant: Codable, Equatable {
    var chatKey: String, displayName: String? = nil, nativeID: String? = nil, isDeviceOwner: Bool? = nil
    enum CodingKeys: String, CodingKey {
        case chatKey = "chat_key", displayName = "display_name", nativeID = "native_id"
        case isDeviceOwner = "is_device_owner"
    }
}

/// `message`: a message of a chat reported before it. Stored in `messages` (+ `attachments`, full-text search).
struct Message: Codable, Equatable {
    var chatKey: String, text: String? = nil, senderName: String? = nil, senderNativeID: String? = nil
    var fromDeviceOwner: Bool? = nil, sent: WireTime? = nil, touched: WireTime? = nil, nativeID: String? = nil
    var kind: String? = nil, replyToNativeID: String? = nil, forwardedFrom: String? = nil, deleted: Bool? = nil
    var sequence: Int? = nil, attachments: [Attachment]? = nil, extra: [String: JSONValue]? = nil
    var location: Location? = nil
    enum CodingKeys: String, CodingKey {
        case chatKey = "chat_key", text, senderName = "sender_name", senderNativeID = "sender_native_id"
        case fromDeviceOwner = "from_device_owner", sent, touched, nativeID = "native_id", kind
        case replyToNativeID = "reply_to_native_id", forwardedFrom = "forwarded_from", deleted, sequence, attachments
        case extra, location
    }
}

/// One item of a message's `attachments`: `reference` relative to the analysed file's folder (linked to that
/// file's row) or a URL.
struct Attachment: Codable, Equatable {
    var reference: String? = nil, kind: String? = nil, fileName: String? = nil, mimeType: String? = nil
    var size: Int64? = nil, width: Int? = nil, height: Int? = nil, missingReason: String? = nil
    enum CodingKeys: String, CodingKey {
        case reference, kind, fileName = "file_name", mimeType = "mime_type", size, width, height
        case missingReason = "missing_reason"
    }
}

/// `metadata`: one metadata value. Stored in `metadata`.
struct Metadata: Codable, Equatable {
    var namespace: String, tag: String, value: String? = nil, time: WireTime? = nil, location: Location? = nil
}

/// `indicator`: a derived signal. Stored in `indicators`.
struct Indicator: Codable, Equatable {
    var kind: String, summary: String, evidenceTag: String, details: [String: JSONValue]? = nil
    var times: [String: WireTime]? = nil, location: Location? = nil
    enum CodingKeys: String, CodingKey {
        case kind, summary, evidenceTag = "evidence_tag", details, times, location
    }
}

/// `media_hash`: a perceptual hash. Stored in `media_hashes`.
struct MediaHash: Codable, Equatable {
    var algorithm: String, hash: String, quality: Int, frameIndex: Int? = nil, frameTimeMicros: Int64? = nil
    enum CodingKeys: String, CodingKey {
        case algorithm, hash, quality, frameIndex = "frame_index", frameTimeMicros = "frame_time_micros"
    }
}

/// `event`: something that happened at a time. Stored as an artifact of type `event` with properties `kind`,
/// `description` (+ your `properties`) and one named time called after `kind`.
struct Event: Codable, Equatable {
    var kind: String, description: String, time: WireTime, properties: [String: JSONValue]? = nil
    var location: Location? = nil
}

/// `warning`: a problem with the file that did not stop you. Stored in `analysis_errors` with status `warning`.
struct Warning: Codable, Equatable {
    var code: String, message: String, location: Location? = nil
}

/// One reply line's finding: its `kind` and `data`.
enum Finding: Equatable {
    case artifact(Artifact)
    case chat(Chat)
    case participant(Participant)
    case message(Message)
    case metadata(Metadata)
    case indicator(Indicator)
    case mediaHash(MediaHash)
    case event(Event)
    case warning(Warning)
}

/// One file to analyse (unknown fields are ignored, as the protocol asks).
struct AnalyzeRequest: Decodable {
    struct File: Decodable {
        var key: String, virtualPath: String, name: String, size: Int64, mime: String
        var hashes: [String: String], times: [String: WireTime]?
        enum CodingKeys: String, CodingKey { case key, virtualPath = "virtual_path", name, size, mime, hashes, times }
    }
    struct Content: Decodable { var path: String, delivery: String?, size: Int64? }
    struct Context: Decodable {
        var assumedZone: String?
        enum CodingKeys: String, CodingKey { case assumedZone = "assumed_zone" }
    }
    var request: Int, file: File, content: Content?, context: Context?
}

/// Throw to say the file cannot be read at all: one error row, no findings for the file.
struct PluginFailure: Error { var code: String, message: String }

/// Speaks the protocol on stdin/stdout until the host says shutdown or closes stdin: the
/// handshake, then one request at a time. `analyze` hands each finding to `emit` as it goes (each
/// is written at once: the host stores it as its line arrives). stdout is the protocol channel
/// only; print diagnostics to stderr.
func exhibitPluginMain(pluginID: String, version: String,
                       analyze: (AnalyzeRequest, (Finding) -> Void) throws -> Void) -> Never {
    struct Envelope: Decodable { var type: String, request: Int?, `protocol`: Int? }
    struct Hello: Encodable { var type = "hello", `protocol` = 1, plugin: String, version: String }
    struct ErrorBody: Encodable { var code: String, message: String }
    struct End: Encodable { var type = "end", request: Int, error: ErrorBody? = nil }
    struct Line: Encodable {
        var request: Int, finding: Finding
        enum CodingKeys: String, CodingKey { case type, request, kind, data }
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode("finding", forKey: .type)
            try c.encode(request, forKey: .request)
            switch finding {
            case .artifact(let d): try c.encode("artifact", forKey: .kind); try c.encode(d, forKey: .data)
            case .chat(let d): try c.encode("chat", forKey: .kind); try c.encode(d, forKey: .data)
            case .participant(let d): try c.encode("participant", forKey: .kind); try c.encode(d, forKey: .data)
            case .message(let d): try c.encode("message", forKey: .kind); try c.encode(d, forKey: .data)
            case .metadata(let d): try c.encode("metadata", forKey: .kind); try c.encode(d, forKey: .data)
            case .indicator(let d): try c.encode("indicator", forKey: .kind); try c.encode(d, forKey: .data)
            case .mediaHash(let d): try c.encode("media_hash", forKey: .kind); try c.encode(d, forKey: .data)
            case .event(let d): try c.encode("event", forKey: .kind); try c.encode(d, forKey: .data)
            case .warning(let d): try c.encode("warning", forKey: .kind); try c.encode(d, forKey: .data)
            }
        }
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    func send<T: Encodable>(_ value: T) {
        guard var data = try? encoder.encode(value) else {
            FileHandle.standardError.write(Data("\(pluginID): cannot encode a reply line\n".utf8))
            return
        }
        data.append(10)
        FileHandle.standardOutput.write(data)
    }
    let decoder = JSONDecoder()
    guard let first = readLine(), let hello = try? decoder.decode(Envelope.self, from: Data(first.utf8)),
          hello.type == "hello", hello.protocol == 1 else {
        FileHandle.standardError.write(Data("\(pluginID): unexpected handshake\n".utf8))
        exit(2)
    }
    send(Hello(plugin: pluginID, version: version))
    while let line = readLine() {
        guard let envelope = try? decoder.decode(Envelope.self, from: Data(line.utf8)) else { continue }
        if envelope.type == "shutdown" { break }
        guard envelope.type == "analyze", let id = envelope.request else { continue }
        do {
            let request = try decoder.decode(AnalyzeRequest.self, from: Data(line.utf8))
            try analyze(request) { send(Line(request: id, finding: $0)) }
            send(End(request: id))
        } catch let e as PluginFailure {
            send(End(request: id, error: ErrorBody(code: e.code, message: e.message)))
        } catch {
            send(End(request: id, error: ErrorBody(code: "plugin-exception", message: "\(error)")))
        }
    }
    exit(0)
}
