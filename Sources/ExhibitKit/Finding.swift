import Foundation

/// Where inside a file a finding came from, so a court can trace every row back to bytes.
public struct SourceLocation: Sendable, Hashable, Codable {
    /// Byte offset in the file, where it applies.
    public var offset: Int64?
    /// A row, line or record identifier inside the file (`line 42`, `message 1187`).
    public var record: String?
    public init(offset: Int64? = nil, record: String? = nil) {
        self.offset = offset; self.record = record
    }

    /// The one stored form of a location (docs/schema.md): canonical JSON
    /// `{"offset":N,"record":"…"}` with the members that are present, or nil when neither is.
    /// Built by hand so 64-bit offsets stay exact (JSONValue numbers are doubles). Every writer of
    /// a `location` column uses this, so a warning's location reads the same whichever path stored it.
    public var storedText: String? {
        guard offset != nil || record != nil else { return nil }
        var parts: [String] = []
        if let offset { parts.append("\"offset\":\(offset)") }
        if let record { parts.append("\"record\":" + JSONValue.string(record).canonicalText) }
        return "{" + parts.joined(separator: ",") + "}"
    }
}

/// A problem with one file that did not stop its analysis: the analyzer read what it could and
/// says what it could not. Stored in `analysis_errors` with status `warning`.
public struct AnalysisWarning: Sendable, Hashable, Codable {
    /// A short stable code (`truncated-json`, `not-an-export`), for counting and filtering.
    public var code: String
    /// A sentence for the examiner: what was wrong and what was kept.
    public var message: String
    public var location: SourceLocation?
    public init(code: String, message: String, location: SourceLocation? = nil) {
        self.code = code; self.message = message; self.location = location
    }
}

/// A generic finding with a type name and properties, for analyzers (chiefly external plugins)
/// whose results have no dedicated table. Stored in `artifacts`.
public struct Artifact: Sendable, Hashable, Codable {
    /// A dotted type name chosen by the analyzer (`bank.transfer`, `sms.thread`).
    public var type: String
    public var properties: JSONValue
    /// Named times on the artifact (`created`, `sent`); they join the timeline.
    public var times: [String: TimeValue]
    public var location: SourceLocation?
    public init(type: String, properties: JSONValue, times: [String: TimeValue] = [:], location: SourceLocation? = nil) {
        self.type = type; self.properties = properties; self.times = times; self.location = location
    }
}

/// Everything an analyzer can report. A closed set: the store knows how to persist each case.
/// Warnings are not findings: they go through ``FindingSink/warn(_:)``.
/// Adding a kind: docs/architecture.md, "How to add a finding kind".
public enum Finding: Sendable, Hashable {
    case artifact(Artifact)
    /// A chat found in a chat export (see ChatFindings.swift for the linking rules).
    case chat(ChatInfo)
    /// A participant of a chat reported earlier in the same file.
    case participant(ParticipantInfo)
    /// A message, service event or system line of a chat reported earlier in the same file.
    case message(MessageRecord)
    /// One metadata value (EXIF, GPS, XMP, QuickTime, document properties); see MetadataFindings.swift.
    case metadata(MetadataEntry)
    /// A derived signal (AI generation, camera clock discrepancy) with the evidence for it.
    case indicator(Indicator)
    /// A perceptual hash of an image or a video frame; see MediaHashFindings.swift.
    case mediaHash(MediaHash)
    /// A deleted or superseded row recovered from a SQLite database; see RecoveryFindings.swift.
    case recoveredRecord(RecoveredRecord)
}

/// The kinds of ``Finding``, by the one name each has everywhere outside Swift: the plugin wire,
/// `exhibit analyzers`, docs (snake_case of the case name). The single list of kind names.
public enum FindingKind: String, Sendable, Hashable, Codable, CaseIterable {
    case artifact
    case chat
    case participant
    case message
    case metadata
    case indicator
    case mediaHash = "media_hash"
    case recoveredRecord = "recovered_record"
}

extension Finding {
    /// This finding's kind.
    public var kind: FindingKind {
        switch self {
        case .artifact: .artifact
        case .chat: .chat
        case .participant: .participant
        case .message: .message
        case .metadata: .metadata
        case .indicator: .indicator
        case .mediaHash: .mediaHash
        case .recoveredRecord: .recoveredRecord
        }
    }
}

extension FindingKind {
    /// The payload type a plugin may send for this kind (its wire form and validation), or nil
    /// when only built-in analyzers produce it: the plugin host refuses such a kind and leaves it
    /// out of the handshake. docs/architecture.md, "How to add a finding kind".
    public var wirePayload: (any WireSendable.Type)? {
        switch self {
        case .artifact: Artifact.self
        case .chat: ChatInfo.self
        case .participant: ParticipantInfo.self
        case .message: MessageRecord.self
        case .metadata: MetadataEntry.self
        case .indicator: Indicator.self
        case .mediaHash: MediaHash.self
        case .recoveredRecord: nil
        }
    }

    /// One valid `data` of this kind on the plugin wire (the examples of its form's fields), or
    /// nil when plugins may not send it. A test decodes each through the real reply validation
    /// into a finding of this kind, in this order (a chat before its participant and message).
    public var pluginSample: String? { wirePayload?.wireForm.sample }
}

extension Artifact: WireSendable {
    public static let wireForm = WireForm(
        "artifact", mirror: "Artifact",
        summary: "anything without a dedicated table. Stored in `artifacts` (+ `artifact_times`); its named times join the timeline.",
        fields: [
            WireField("type", .string, required: true, example: #""t.x""#, "a dotted name of your choice (`bank.transfer`)"),
            WireField("properties", .object, example: #"{"n": 1}"#, helper: HelperParameter(pythonValue: "$ or {}", swiftDefault: "[:]"),
                      "any JSON members"),
            WireField("times", .times, "named time values"),
            WireField("location", .location),
        ])

    public static func finding(wire d: WireRecord, state: inout WireReplyState) throws -> Finding {
        .artifact(Artifact(type: try d.requiredString("type"), properties: try d.object("properties") ?? .object([:]),
                           times: try d.times("times", zone: state.zone), location: try d.location()))
    }
}

/// A JSON value with a canonical encoding (sorted keys), so digests over findings are stable.
public enum JSONValue: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let n): try c.encode(n)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    /// Compact JSON with keys sorted; identical values give identical text. The form is
    /// ``canonicalJSON`` (ExhibitSupport's `CanonicalJSON`); a value holding a non-finite number
    /// is `null` as a whole, as `JSONEncoder` made it when these columns were first written.
    public var canonicalText: String { canonicalJSON ?? "null" }
}
