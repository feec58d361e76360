import ExhibitKit
import Foundation

// The reply side of the wire as Codable types: each reply line is decoded with `JSONDecoder` into
// these, then validated into ExhibitKit's findings (`PluginWire.item`). Field names are the Swift
// helper's mirrors (the host's Swift property names in snake_case, docs/plugins.md "Names") plus
// the protocol-1 names still accepted beside them. The mirrors themselves cannot be reused as they
// are: they type what a plugin *should* send (`chatKey: String`, `quality: Int`), while the host
// must read whatever arrives and say which field is wrong, accept the protocol-1 aliases, and keep
// a number's text for `raw`. So every field is optional here and the rules are checked when the
// values are turned into findings, with messages naming the field.

/// A line that is not JSON the host can read — a number no `Double` holds (`1e999`): the
/// conversation is out of step, as for any other unparseable line (`plugin-garbage`).
struct PluginWireGarbage: Error {
    var message: String
}

/// A JSON number as sent: an integer, or a number with a fraction or exponent.
enum WireNumber: Decodable, Equatable, Sendable {
    case integer(Int64)
    case fraction(Double)

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let i = try? c.decode(Int64.self) {
            self = .integer(i)
            return
        }
        do {
            self = .fraction(try c.decode(Double.self))
        } catch DecodingError.dataCorrupted {
            throw PluginWireGarbage(message: "a number that no 64-bit float holds")
        }
    }

    var double: Double {
        switch self {
        case .integer(let i): return Double(i)
        case .fraction(let d): return d
        }
    }

    /// The number as text (the `raw` of a time given as a number).
    var text: String {
        switch self {
        case .integer(let i): return String(i)
        case .fraction(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : "\(d)"
        }
    }

    /// The value as an integer: integral and below 9e15 in magnitude (a SQLite integer that a
    /// JSON reader elsewhere still reads exactly).
    func integer(_ field: String) throws -> Int {
        let d = double
        guard d.rounded() == d, abs(d) < 9e15 else { throw PluginWire.invalid("\(field) must be an integer") }
        if case .integer(let i) = self { return Int(i) }
        return Int(d)
    }
}

/// Any JSON value (artifact properties, message extra, indicator details), read into
/// ExhibitKit's `JSONValue`, at most ``maxDepth`` levels below the reply line.
struct WireJSON: Decodable, Equatable, Sendable {
    var value: JSONValue
    static let maxDepth = 66

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: Decoder) throws {
        guard decoder.codingPath.count <= Self.maxDepth else {
            throw PluginWire.invalid("\(PluginWire.fieldPath(decoder.codingPath)) is nested too deeply")
        }
        if var a = try? decoder.unkeyedContainer() {
            var out: [JSONValue] = []
            while !a.isAtEnd { out.append(try a.decode(WireJSON.self).value) }
            value = .array(out)
        } else if let o = try? decoder.container(keyedBy: AnyKey.self) {
            var out: [String: JSONValue] = [:]
            for k in o.allKeys { out[k.stringValue] = try o.decode(WireJSON.self, forKey: k).value }
            value = .object(out)
        } else {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() {
                value = .null
            } else if let b = try? c.decode(Bool.self) {
                value = .bool(b)
            } else if let s = try? c.decode(String.self) {
                value = .string(s)
            } else {
                value = .number(try c.decode(WireNumber.self).double)
            }
        }
    }
}

/// A time object (docs/plugins.md, "Time values"; read by ``PluginTimes``).
struct WireTime: Decodable, Equatable, Sendable {
    var instant: String?, unixS: WireNumber?, unixMs: WireNumber?, unixUs: WireNumber?, utcUs: WireNumber?
    var local: String?, raw: String?, precision: String?, note: String?, basis: String?
    enum CodingKeys: String, CodingKey {
        case instant, unixS = "unix_s", unixMs = "unix_ms", unixUs = "unix_us", utcUs = "utc_us", local, raw, precision, note, basis
    }
}

/// `location`: a byte offset and/or a record.
struct WireLocation: Decodable, Equatable, Sendable {
    var offset: WireNumber?, record: String?
}

struct WireWarning: Decodable, Sendable {
    var code: String?, message: String?, location: WireLocation?
}

struct WireArtifact: Decodable, Sendable {
    var type: String?, properties: WireJSON?, times: [String: WireTime]?, location: WireLocation?
}

struct WireEvent: Decodable, Sendable {
    var kind: String?, description: String?, time: WireTime?, properties: WireJSON?, location: WireLocation?
}

/// `chat`; `chat` is the protocol-1 name of `chat_key`.
struct WireChat: Decodable, Sendable {
    var chatKey: String?, chat: String?, platform: String?, title: String?, nativeID: String?, chatType: String?
    var format: String?, notes: [String]?, exportedAt: WireTime?, location: WireLocation?
    enum CodingKeys: String, CodingKey {
        case chatKey = "chat_key", chat, platform, title, nativeID = "native_id", chatType = "chat_type", format, notes
        case exportedAt = "exported_at", location
    }
}

/// `participant`; protocol-1 names `chat`, `device_owner`.
struct WireParticipant: Decodable, Sendable {
    var chatKey: String?, chat: String?, displayName: String?, nativeID: String?, isDeviceOwner: Bool?, deviceOwner: Bool?
    enum CodingKeys: String, CodingKey {
        case chatKey = "chat_key", chat, displayName = "display_name", nativeID = "native_id", isDeviceOwner = "is_device_owner"
        case deviceOwner = "device_owner"
    }
}

struct WireAttachment: Decodable, Sendable {
    var reference: String?, kind: String?, fileName: String?, mimeType: String?
    var size: WireNumber?, width: WireNumber?, height: WireNumber?, missingReason: String?
    enum CodingKeys: String, CodingKey {
        case reference, kind, fileName = "file_name", mimeType = "mime_type", size, width, height, missingReason = "missing_reason"
    }
}

/// `message`; protocol-1 names `chat`, `sender`, `edited`, `reply_to`.
struct WireMessage: Decodable, Sendable {
    var chatKey: String?, chat: String?, text: String?, senderName: String?, sender: String?, senderNativeID: String?
    var fromDeviceOwner: Bool?, sent: WireTime?, touched: WireTime?, edited: WireTime?, nativeID: String?
    var kind: String?, replyToNativeID: String?, replyTo: String?, forwardedFrom: String?, deleted: Bool?
    var sequence: WireNumber?, attachments: [WireAttachment]?, extra: WireJSON?, location: WireLocation?
    enum CodingKeys: String, CodingKey {
        case chatKey = "chat_key", chat, text, senderName = "sender_name", sender, senderNativeID = "sender_native_id"
        case fromDeviceOwner = "from_device_owner", sent, touched, edited, nativeID = "native_id", kind
        case replyToNativeID = "reply_to_native_id", replyTo = "reply_to", forwardedFrom = "forwarded_from", deleted, sequence
        case attachments, extra, location
    }
}

struct WireMetadata: Decodable, Sendable {
    var namespace: String?, tag: String?, value: String?, time: WireTime?, location: WireLocation?
}

struct WireIndicator: Decodable, Sendable {
    var kind: String?, summary: String?, evidenceTag: String?, details: WireJSON?, times: [String: WireTime]?, location: WireLocation?
    enum CodingKeys: String, CodingKey { case kind, summary, evidenceTag = "evidence_tag", details, times, location }
}

/// `media_hash`; protocol-1 name `frame_time_us`.
struct WireMediaHash: Decodable, Sendable {
    var algorithm: String?, hash: String?, quality: WireNumber?, frameIndex: WireNumber?, frameTimeMicros: WireNumber?
    var frameTimeUs: WireNumber?
    enum CodingKeys: String, CodingKey {
        case algorithm, hash, quality, frameIndex = "frame_index", frameTimeMicros = "frame_time_micros", frameTimeUs = "frame_time_us"
    }
}

/// One `finding` line's `data`, decoded by its `kind`.
enum WireFindingData: Sendable {
    case warning(WireWarning), event(WireEvent), artifact(WireArtifact), chat(WireChat), participant(WireParticipant)
    case message(WireMessage), metadata(WireMetadata), indicator(WireIndicator), mediaHash(WireMediaHash)

    /// Decodes `data` as the kind named `kind`; an unknown kind, or one plugins may not send, is
    /// an invalid line.
    init(kind: String, from decoder: Decoder) throws {
        guard let wireKind = PluginWireKind(wireName: kind) else {
            throw PluginWire.invalid("unknown finding kind \"\(kind)\" (known: \(PluginWireKind.names.joined(separator: ", ")))")
        }
        switch wireKind {
        case .warning: self = .warning(try WireWarning(from: decoder))
        case .event: self = .event(try WireEvent(from: decoder))
        case .stored(let k):
            switch k {
            case .artifact: self = .artifact(try WireArtifact(from: decoder))
            case .chat: self = .chat(try WireChat(from: decoder))
            case .participant: self = .participant(try WireParticipant(from: decoder))
            case .message: self = .message(try WireMessage(from: decoder))
            case .metadata: self = .metadata(try WireMetadata(from: decoder))
            case .indicator: self = .indicator(try WireIndicator(from: decoder))
            case .mediaHash: self = .mediaHash(try WireMediaHash(from: decoder))
            case .recoveredRecord: throw PluginWire.invalid("recovered_record findings come only from built-in analyzers")
            }
        }
    }
}

/// One reply line (plugin → host): `finding` lines carry `kind` and `data`, the `end` line an
/// optional `error`. A line that is not a JSON object fails to decode (`plugin-garbage`); what is
/// wrong inside a finding's `data` is kept as that line's failure, so the rest of the reply goes on.
struct PluginReplyLine: Decodable {
    var type: String?
    var request: Int?
    var kind: String?
    /// The `data` of a `finding` line with a `kind`: decoded, or why it is invalid.
    var data: Result<WireFindingData, PluginFailure>?
    /// The `error` of an `end` line (nil: none), or why it is malformed.
    var endError: Result<EndError?, PluginFailure> = .success(nil)

    struct EndError: Decodable, Equatable {
        var code: String?, message: String?
    }

    enum CodingKeys: String, CodingKey { case type, request, kind, data, error }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try? c.decodeIfPresent(String.self, forKey: .type)
        request = try? c.decodeIfPresent(Int.self, forKey: .request)
        kind = try? c.decodeIfPresent(String.self, forKey: .kind)
        switch type {
        case "finding":
            guard let kind else { data = .failure(PluginWire.invalid("a finding line has no \"kind\"")); return }
            do {
                data = .success(try WireFindingData(kind: kind, from: c.superDecoder(forKey: .data)))
            } catch let f as PluginFailure {
                data = .failure(f)
            } catch let e as DecodingError {
                data = .failure(PluginWire.invalid(PluginWire.describe(e, kind: kind)))
            }
        case "end":
            do { endError = .success(try c.decodeIfPresent(EndError.self, forKey: .error)) } catch {
                endError = .failure(PluginFailure(code: "plugin-protocol", message: "end.error must be {\"code\": …, \"message\": …}"))
            }
        default:
            break
        }
    }
}

extension PluginWire {
    /// A coding path as the field names of docs/plugins.md (`message.attachments[0].kind`),
    /// without the line's own `data` key.
    static func fieldPath(_ path: [any CodingKey], kind: String? = nil) -> String {
        var keys = path
        if keys.first?.stringValue == "data" { keys.removeFirst() }
        var out = kind ?? ""
        for k in keys {
            if let i = k.intValue { out += "[\(i)]" } else { out += (out.isEmpty ? "" : ".") + k.stringValue }
        }
        return out
    }

    /// A decoding error as a sentence naming the field.
    static func describe(_ error: DecodingError, kind: String) -> String {
        func what(_ type: Any.Type) -> String {
            let t = String(describing: type)
            if t.hasPrefix("Dictionary") { return "an object" }
            if t.hasPrefix("Array") { return "an array" }
            if t == "Bool" { return "true or false" }
            if t == "String" { return "a string" }
            return "a number"
        }
        switch error {
        case .typeMismatch(let type, let ctx), .valueNotFound(let type, let ctx):
            if fieldPath(ctx.codingPath).isEmpty { return "finding \"\(kind)\": \"data\" must be an object" }
            return "\(fieldPath(ctx.codingPath, kind: kind)) must be \(what(type))"
        case .keyNotFound(let key, let ctx):
            return "\(fieldPath(ctx.codingPath + [key], kind: kind)) is required"
        case .dataCorrupted(let ctx):
            return "\(fieldPath(ctx.codingPath, kind: kind)) is not valid: \(ctx.debugDescription)"
        @unknown default:
            return "\(kind): \(error)"
        }
    }
}
