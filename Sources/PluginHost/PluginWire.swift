import ExhibitKit
import Foundation

/// The protocol's messages, both ways (docs/plugins.md): requests the host writes and the
/// validation that turns each reply line into a ``Finding`` — or into a failure naming what
/// was wrong. Nothing a plugin sends is trusted.
enum PluginWire {
    static func invalid(_ m: String) -> PluginFailure { PluginFailure(code: "plugin-invalid-finding", message: m) }

    /// Runs `body`, a failure of a finding's content (``WireInvalid``) becoming this line's
    /// `plugin-invalid-finding` failure.
    static func failing<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let w as WireInvalid { throw invalid(w.message) }
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
    typealias ReplyState = WireReplyState

    /// What one valid `finding` line becomes: a finding, or (kind `warning`) a warning of the file.
    enum Item {
        case finding(Finding)
        case warning(AnalysisWarning)
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

    /// Turns one `finding` line's decoded `data` into a finding or a warning: a stored kind by
    /// its payload's validation (ExhibitKit), the wire-only kinds here.
    static func item(_ data: WireFindingData, state: inout ReplyState) throws -> Item {
        try failing {
            let d = data.record
            switch data.kind {
            case .warning:
                return .warning(AnalysisWarning(code: try d.requiredString("code"), message: try d.requiredString("message"),
                                                location: try d.location()))
            case .event:
                // An event is an artifact of type `event` with one named time: the timeline builder
                // turns artifact times into timeline events.
                let name = try d.requiredString("kind")
                guard let time = try d.wireTime("time") else { throw invalid("event.time must be a time object") }
                let when = try time.timeValue(field: "event.time", zone: state.zone)
                var props: [String: JSONValue] = ["kind": .string(name), "description": .string(try d.requiredString("description"))]
                if case .object(let o)? = try d.object("properties") {
                    for (k, v) in o where props[k] == nil { props[k] = v }
                }
                return .finding(.artifact(Artifact(type: "event", properties: .object(props), times: [name: when], location: try d.location())))
            case .stored(let kind):
                guard let payload = kind.wirePayload else { throw invalid("\(kind.rawValue) findings come only from built-in analyzers") }
                return .finding(try payload.finding(wire: d, state: &state))
            }
        }
    }
}
