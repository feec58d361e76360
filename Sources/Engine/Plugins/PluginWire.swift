import ExhibitKit
import Foundation

/// The protocol's messages, both ways (docs/plugins.md): requests the host writes and the
/// validation that turns each reply line into a ``Finding`` — or into a failure naming what
/// was wrong. Nothing a plugin sends is trusted.
enum PluginWire {
    /// Whether a JSONSerialization value is a JSON boolean (on Linux, numbers 0 and 1 also cast to Bool).
    static func isBool(_ v: Any?) -> Bool {
        guard let v else { return false }
        return type(of: v) == Bool.self || String(describing: type(of: v)).contains("Boolean")
    }

    static func invalid(_ m: String) -> PluginFailure { PluginFailure(code: "plugin-invalid-finding", message: m) }

    static func optString(_ v: Any?, _ field: String) throws -> String? {
        guard let v, !(v is NSNull) else { return nil }
        guard let s = v as? String else { throw invalid("\(field) must be a string") }
        return s
    }
    static func string(_ v: Any?, _ field: String) throws -> String {
        guard let s = try optString(v, field), !s.isEmpty else { throw invalid("\(field) is required (non-empty string)") }
        return s
    }
    static func optInt(_ v: Any?, _ field: String) throws -> Int? {
        guard let v, !(v is NSNull) else { return nil }
        guard let n = v as? NSNumber, !isBool(v), n.doubleValue.rounded() == n.doubleValue, abs(n.doubleValue) < 9e15 else {
            throw invalid("\(field) must be an integer")
        }
        return n.intValue
    }
    static func bool(_ v: Any?, _ field: String) throws -> Bool {
        guard let v, !(v is NSNull) else { return false }
        guard isBool(v), let b = v as? Bool else { throw invalid("\(field) must be true or false") }
        return b
    }
    static func json(_ v: Any?, _ field: String, depth: Int = 0) throws -> JSONValue {
        guard depth < 64 else { throw invalid("\(field) is nested too deeply") }
        switch v {
        case nil, is NSNull: return .null
        case let b as Bool where isBool(v): return .bool(b)
        case let n as NSNumber:
            guard n.doubleValue.isFinite else { throw invalid("\(field) holds a non-finite number") }
            return .number(n.doubleValue)
        case let s as String: return .string(s)
        case let a as [Any]: return .array(try a.map { try json($0, field, depth: depth + 1) })
        case let o as [String: Any]: return .object(try o.mapValues { try json($0, field, depth: depth + 1) })
        default: throw invalid("\(field) is not JSON")
        }
    }
    static func location(_ v: Any?, _ field: String) throws -> SourceLocation? {
        guard let v, !(v is NSNull) else { return nil }
        guard let o = v as? [String: Any] else { throw invalid("\(field) must be an object {offset, record}") }
        return SourceLocation(offset: try optInt(o["offset"], "\(field).offset").map(Int64.init),
                              record: try optString(o["record"], "\(field).record"))
    }
    static func times(_ v: Any?, _ field: String, zone: TimeZone?) throws -> [String: TimeValue] {
        guard let v, !(v is NSNull) else { return [:] }
        guard let o = v as? [String: Any] else { throw invalid("\(field) must be an object of named times") }
        var out: [String: TimeValue] = [:]
        for (k, t) in o {
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

    /// One decoded `finding` line: a finding, or a warning (which the analyzer contract hands to
    /// the sink's `warn`, not as a finding).
    enum Item {
        case finding(Finding)
        case warning(AnalysisWarning)
    }

    /// Turns one `finding` line's `kind` + `data` into a finding or a warning.
    static func item(kind: String, data: Any?, state: inout ReplyState) throws -> Item {
        guard kind == "warning" else { return .finding(try finding(kind: kind, data: data, state: &state)) }
        guard let d = data as? [String: Any] else { throw invalid("finding \"\(kind)\": \"data\" must be an object") }
        return .warning(AnalysisWarning(code: try string(d["code"], "warning.code"), message: try string(d["message"], "warning.message"),
                                        location: try location(d["location"], "warning.location")))
    }

    /// Turns one `finding` line's `kind` + `data` into a Finding.
    static func finding(kind: String, data: Any?, state: inout ReplyState) throws -> Finding {
        guard let d = data as? [String: Any] else { throw invalid("finding \"\(kind)\": \"data\" must be an object") }
        let zone = state.zone
        switch kind {
        case "artifact":
            let type = try string(d["type"], "artifact.type")
            let props = try json(d["properties"] ?? [String: Any](), "artifact.properties")
            guard case .object = props else { throw invalid("artifact.properties must be an object") }
            return .artifact(Artifact(type: type, properties: props, times: try times(d["times"], "artifact.times", zone: zone),
                                      location: try location(d["location"], "artifact.location")))
        case "event":
            // An event is an artifact of type `event` with one named time: the timeline builder
            // turns artifact times into timeline events.
            let name = try string(d["kind"], "event.kind")
            let when = try PluginTimes.parse(d["time"], field: "event.time", zone: zone)
            var props: [String: JSONValue] = ["kind": .string(name), "description": .string(try string(d["description"], "event.description"))]
            if let extra = d["properties"] {
                guard case .object(let o) = try json(extra, "event.properties") else { throw invalid("event.properties must be an object") }
                for (k, v) in o where props[k] == nil { props[k] = v }
            }
            return .artifact(Artifact(type: "event", properties: .object(props), times: [name: when],
                                      location: try location(d["location"], "event.location")))
        case "chat", "participant", "message":
            return try PluginChatWire.finding(kind: kind, d, state: &state)
        case "metadata":
            let ns = try string(d["namespace"], "metadata.namespace")
            guard let namespace = MetadataNamespace(rawValue: ns) else {
                throw invalid("metadata.namespace \"\(ns)\" is not one of \(MetadataNamespace.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return .metadata(MetadataEntry(namespace: namespace, tag: try string(d["tag"], "metadata.tag"),
                                           value: try optString(d["value"], "metadata.value") ?? "",
                                           time: try d["time"].map { try PluginTimes.parse($0, field: "metadata.time", zone: zone) },
                                           location: try location(d["location"], "metadata.location") ?? SourceLocation()))
        case "indicator":
            let k = try string(d["kind"], "indicator.kind")
            guard let ik = IndicatorKind(rawValue: k) else {
                throw invalid("indicator.kind \"\(k)\" is not one of \(IndicatorKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return .indicator(Indicator(kind: ik, summary: try string(d["summary"], "indicator.summary"),
                                        evidenceTag: try string(d["evidence_tag"], "indicator.evidence_tag"),
                                        location: try location(d["location"], "indicator.location") ?? SourceLocation(),
                                        details: try json(d["details"] ?? [String: Any](), "indicator.details"),
                                        times: try times(d["times"], "indicator.times", zone: zone)))
        case "media_hash":
            let a = try string(d["algorithm"], "media_hash.algorithm")
            guard let alg = MediaHashAlgorithm(rawValue: a) else { throw invalid("media_hash.algorithm must be pdq or pdq-frame") }
            let hash = try string(d["hash"], "media_hash.hash")
            guard hash.count == 64, hash.allSatisfy({ "0123456789abcdef".contains($0) }) else {
                throw invalid("media_hash.hash must be 64 lower-case hex digits")
            }
            guard let q = try optInt(d["quality"], "media_hash.quality"), (0...100).contains(q) else {
                throw invalid("media_hash.quality must be an integer 0…100")
            }
            return .mediaHash(MediaHash(algorithm: alg, hash: hash, quality: q, frameIndex: try optInt(d["frame_index"], "media_hash.frame_index"),
                                        frameTimeMicros: try optInt(d["frame_time_us"], "media_hash.frame_time_us").map(Int64.init)))
        default:
            throw invalid("unknown finding kind \"\(kind)\" (known: \(PluginManifest.findingKinds.joined(separator: ", ")))")
        }
    }
}
