@testable import Engine
import ExhibitKit
import ExhibitTesting
import Foundation
import Testing

/// Validation of what plugins send: time objects get the right basis whatever the machine's
/// zone (this suite runs under TZ=UTC, Asia/Seoul and America/New_York), and malformed
/// findings are refused with a message naming the field.
@Suite(.tags(.timeZone))
struct PluginWireTimeTests {
    let seoul = TimeZone(identifier: "Asia/Seoul")

    private func time(_ json: String, zone: TimeZone?) throws -> TimeValue {
        try PluginTimes.parse(try JSONSerialization.jsonObject(with: Data(json.utf8)), field: "t", zone: zone)
    }

    @Test func timeFormsCarryTheirBasis() throws {
        let ms = try time(#"{"unix_ms": 1724825523120}"#, zone: nil)
        #expect(ms == TimeValue(raw: "1724825523120", utcMicros: 1_724_825_523_120_000, basis: .utc, precision: .millisecond))
        let z = try time(#"{"instant": "2024-08-28T06:12:03Z", "raw": "28/08/2024 06:12:03 UTC"}"#, zone: seoul)
        #expect(z.basis == .utc && z.utcMicros == 1_724_825_523_000_000 && z.raw == "28/08/2024 06:12:03 UTC")
        let off = try time(#"{"instant": "2024-08-28T15:12:03+09:00"}"#, zone: nil)
        #expect(off.basis == .offset && off.utcMicros == 1_724_825_523_000_000)
        let local = try time(#"{"local": "2024-08-28T15:12:03", "note": "app shows phone time"}"#, zone: seoul)
        #expect(local.basis == .assumedZone && local.utcMicros == 1_724_825_523_000_000)
        #expect(local.localWallClock == "2024-08-28T15:12:03" && local.note == "app shows phone time")
        let noZone = try time(#"{"local": "2024-08-28T15:12:03"}"#, zone: nil)
        #expect(noZone.basis == .unknown && noZone.utcMicros == nil)
        let s = try time(#"{"unix_s": 1724825523, "precision": "minute"}"#, zone: nil)
        #expect(s.precision == .minute && s.utcMicros == 1_724_825_523_000_000)
    }

    @Test(arguments: [
        (#"{"instant": "2024-08-28T15:12:03"}"#, "with Z or an offset"),
        (#"{"unix_ms": 1, "unix_s": 1}"#, "exactly one of"),
        (#"{"unix_ms": "1724825523000"}"#, "must be a number"),
        (#"{"unix_s": true}"#, "must be a number"),
        (#"{"local": "28.08.2024 15:12"}"#, "YYYY-MM-DDTHH:MM:SS"),
        (#"{"unix_s": 1, "precision": "hour"}"#, "precision \"hour\""),
        (#"{"unix_s": 1e300}"#, "out of range"),
    ])
    func badTimesAreRefused(json: String, expected: String) throws {
        do {
            _ = try time(json, zone: seoul)
            Issue.record("accepted \(json)")
        } catch let f as PluginFailure {
            #expect(f.code == "plugin-invalid-finding")
            #expect(f.message.contains(expected), "\(f.message)")
        }
    }

    @Test func findingsAreValidatedAndOrdered() throws {
        let file = EvidenceFile(key: "e#1", virtualPath: "phone.zip!/db/sms.db", size: 1,
                                hashes: FileHashes(md5: "", sha1: "", sha256: ""), mime: "application/octet-stream", content: .none)
        var state = PluginWire.ReplyState(file: file, zone: seoul)
        func f(_ kind: String, _ json: String) throws -> Finding {
            try PluginWire.finding(kind: kind, data: try JSONSerialization.jsonObject(with: Data(json.utf8)), state: &state)
        }
        #expect(throws: PluginFailure.self) { try f("message", #"{"chat": "c1", "text": "before its chat"}"#) }
        guard case .chat(let chat) = try f("chat", #"{"chat": "c1", "platform": "signal", "title": "Kim"}"#) else {
            Issue.record("not a chat"); return
        }
        #expect(chat.platform == .other && chat.format == .plugin && chat.notes == ["platform as reported by the plugin: signal"])
        guard case .message(let m) = try f("message", #"{"chat": "c1", "text": "hi", "attachments": [{"reference": "../media/a.jpg", "kind": "photo"}], "sent": {"unix_s": 1724825523}}"#) else {
            Issue.record("not a message"); return
        }
        #expect(m.sequence == 0 && m.attachments.first?.resolvedPath == "phone.zip!/media/a.jpg")
        #expect(throws: PluginFailure.self) { try f("message", #"{"chat": "c1", "sequence": -1}"#) }
        #expect(throws: PluginFailure.self) { try f("chat", #"{"chat": "c1"}"#) }
        #expect(throws: PluginFailure.self) { try f("artifact", #"{"type": "x", "properties": [1, 2]}"#) }
        #expect(throws: PluginFailure.self) { try f("media_hash", #"{"algorithm": "pdq", "hash": "ABC", "quality": 50}"#) }
        #expect(throws: PluginFailure.self) { try f("metadata", #"{"namespace": "sqlite", "tag": "t", "value": "v"}"#) }
        #expect(throws: PluginFailure.self) { try f("video", #"{}"#) }
        guard case .artifact(let event) = try f("event", #"{"kind": "login", "description": "App login", "time": {"instant": "2024-08-28T15:12:03+09:00"}}"#) else {
            Issue.record("an event is an artifact"); return
        }
        #expect(event.type == "event" && event.times["login"]?.basis == .offset)
        #expect(event.properties == .object(["kind": .string("login"), "description": .string("App login")]))
    }
}
