import ExhibitKit
import ExhibitSupport
import Foundation

/// The protocol's messages, both ways (docs/plugins.md): requests the host writes and the
/// validation that turns each reply line into a ``Finding`` — or into a failure naming what
/// was wrong. Nothing a plugin sends is trusted.
enum PluginWire {
    static func invalid(_ m: String) -> PluginFailure { PluginFailure(code: "plugin-invalid-finding", message: m) }

    /// A required text field: present and not empty.
    static func string(_ v: String?, _ field: String) throws -> String {
        guard let v, !v.isEmpty else { throw invalid("\(field) is required (non-empty string)") }
        return v
    }
    static func optInt(_ v: WireNumber?, _ field: String) throws -> Int? {
        try v.map { try $0.integer(field) }
    }
    static func location(_ v: WireLocation?, _ field: String) throws -> SourceLocation? {
        guard let v else { return nil }
        return SourceLocation(offset: try optInt(v.offset, "\(field).offset").map(Int64.init), record: v.record)
    }
    /// An optional JSON object field (`properties`, `details`, `extra`).
    static func object(_ v: WireJSON?, _ field: String) throws -> JSONValue? {
        guard let v, v.value != .null else { return nil }
        guard case .object = v.value else { throw invalid("\(field) must be an object") }
        return v.value
    }
    static func times(_ v: [String: WireTime]?, _ field: String, zone: TimeZone?) throws -> [String: TimeValue] {
        guard let v else { return [:] }
        var out: [String: TimeValue] = [:]
        for (k, t) in v {
            guard !k.isEmpty, k.count <= 64 else { throw invalid("\(field) has an empty or over-long time name") }
            out[k] = try PluginTimes.parse(t, field: "\(field).\(k)", zone: zone)
        }
        return out
    }

    /// The request for one file.
    static func request(id: Int, file: EvidenceFile, contentPath: String?, zone: TimeZone?) -> [String: Any] {
        var times: [String: Any] = [:]
        for (name, t) in [("modified", file.times.modified), ("accessed", file.times.accessed),
                          ("changed", file.times.changed), ("created", file.times.created)] {
            if let t { times[name] = PluginTimes.encode(t) }
        }
        let content: Any = contentPath.map { ["path": $0, "delivery": "copy", "size": file.size] as [String: Any] } ?? NSNull()
        return [
            "type": "analyze", "request": id,
            "file": [
                "key": file.key, "virtual_path": file.virtualPath, "name": file.name, "size": file.size, "mime": file.mime,
                "hashes": ["md5": file.hashes.md5, "sha1": file.hashes.sha1, "sha256": file.hashes.sha256],
                "times": times,
            ] as [String: Any],
            "content": content,
            "context": ["assumed_zone": zone.map { $0.identifier as Any } ?? NSNull()] as [String: Any],
        ]
    }

    /// Per-request state while decoding findings: chats seen so far, the next message sequence.
    struct ReplyState {
        var chats: Set<String> = []
        var nextSequence = 0
        let file: EvidenceFile
        let zone: TimeZone?
    }

    /// What one valid `finding` line becomes: a finding, or (kind `warning`) a warning of the file.
    enum Item {
        case finding(Finding)
        case warning(AnalysisWarning)
    }

    /// The value of a field under its name or its protocol-1 alias (docs/plugins.md, "Names"):
    /// the name is the Swift property in snake_case, the alias what protocol 1 first called it.
    /// Both present must be equal.
    static func aliased<T: Equatable>(_ value: T?, _ old: T?, _ name: String, old alias: String, _ kind: String) throws -> T? {
        if let value, let old, value != old {
            throw invalid("\(kind).\(name) and \(kind).\(alias) (its protocol-1 name) differ: send one")
        }
        return value ?? old
    }

    /// A reply line decoded with the real decoder (tests, and the probe's checks).
    static func line(_ bytes: Data) throws -> PluginReplyLine {
        try JSONDecoder().decode(PluginReplyLine.self, from: bytes)
    }

    /// `data` of kind `kind` (JSON text) through the real line decoder and validation: for tests.
    static func item(kind: String, json: String, state: inout ReplyState) throws -> Item {
        let line = try Self.line(Data(#"{"type":"finding","request":0,"kind":\#(try String(decoding: JSONEncoder().encode(kind), as: UTF8.self)),"data":\#(json)}"#.utf8))
        guard let data = line.data else { throw invalid("not a finding line") }
        return try item(data.get(), state: &state)
    }

    /// Turns one `finding` line's decoded `data` into a finding or a warning.
    static func item(_ data: WireFindingData, state: inout ReplyState) throws -> Item {
        let zone = state.zone
        switch data {
        case .warning(let d):
            return .warning(AnalysisWarning(code: try string(d.code, "warning.code"), message: try string(d.message, "warning.message"),
                                            location: try location(d.location, "warning.location")))
        case .event(let d):
            // An event is an artifact of type `event` with one named time: the timeline builder
            // turns artifact times into timeline events.
            let name = try string(d.kind, "event.kind")
            guard let time = d.time else { throw invalid("event.time must be a time object") }
            let when = try PluginTimes.parse(time, field: "event.time", zone: zone)
            var props: [String: JSONValue] = ["kind": .string(name), "description": .string(try string(d.description, "event.description"))]
            if case .object(let o)? = try object(d.properties, "event.properties") {
                for (k, v) in o where props[k] == nil { props[k] = v }
            }
            return .finding(.artifact(Artifact(type: "event", properties: .object(props), times: [name: when],
                                               location: try location(d.location, "event.location"))))
        case .artifact(let d):
            let type = try string(d.type, "artifact.type")
            return .finding(.artifact(Artifact(type: type, properties: try object(d.properties, "artifact.properties") ?? .object([:]),
                                               times: try times(d.times, "artifact.times", zone: zone),
                                               location: try location(d.location, "artifact.location"))))
        case .chat(let d):
            return .finding(try PluginChatWire.chat(d, state: &state))
        case .participant(let d):
            return .finding(try PluginChatWire.participant(d, state: &state))
        case .message(let d):
            return .finding(try PluginChatWire.message(d, state: &state))
        case .metadata(let d):
            let ns = try string(d.namespace, "metadata.namespace")
            guard let namespace = MetadataNamespace(rawValue: ns) else {
                throw invalid("metadata.namespace \"\(ns)\" is not one of \(MetadataNamespace.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return .finding(.metadata(MetadataEntry(namespace: namespace, tag: try string(d.tag, "metadata.tag"), value: d.value ?? "",
                                                    time: try d.time.map { try PluginTimes.parse($0, field: "metadata.time", zone: zone) },
                                                    location: try location(d.location, "metadata.location") ?? SourceLocation())))
        case .indicator(let d):
            let k = try string(d.kind, "indicator.kind")
            guard let ik = IndicatorKind(rawValue: k) else {
                throw invalid("indicator.kind \"\(k)\" is not one of \(IndicatorKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return .finding(.indicator(Indicator(kind: ik, summary: try string(d.summary, "indicator.summary"),
                                                 evidenceTag: try string(d.evidenceTag, "indicator.evidence_tag"),
                                                 location: try location(d.location, "indicator.location") ?? SourceLocation(),
                                                 details: d.details?.value ?? .object([:]),
                                                 times: try times(d.times, "indicator.times", zone: zone))))
        case .mediaHash(let d):
            let a = try string(d.algorithm, "media_hash.algorithm")
            guard let alg = MediaHashAlgorithm(rawValue: a) else { throw invalid("media_hash.algorithm must be pdq or pdq-frame") }
            let hash = try string(d.hash, "media_hash.hash")
            guard Hex.isHex(hash, lengths: [64], lowercaseOnly: true) else {
                throw invalid("media_hash.hash must be 64 lower-case hex digits")
            }
            guard let q = try optInt(d.quality, "media_hash.quality"), (0...100).contains(q) else {
                throw invalid("media_hash.quality must be an integer 0…100")
            }
            let frameTime = try aliased(d.frameTimeMicros, d.frameTimeUs, "frame_time_micros", old: "frame_time_us", "media_hash")
            return .finding(.mediaHash(MediaHash(algorithm: alg, hash: hash, quality: q, frameIndex: try optInt(d.frameIndex, "media_hash.frame_index"),
                                                 frameTimeMicros: try optInt(frameTime, "media_hash.frame_time_micros").map(Int64.init))))
        }
    }
}
