import ExhibitKit
import ExhibitTesting
import Foundation
@testable import PluginHost
import Testing

/// Validation of what plugins send: time objects get the right basis whatever the machine's
/// zone (this suite runs under TZ=UTC, Asia/Seoul and America/New_York), and malformed
/// findings are refused with a message naming the field.
@Suite(.tags(.timeZone))
struct PluginWireTimeTests {
    let seoul = TimeZone(identifier: "Asia/Seoul")

    private func time(_ json: String, zone: TimeZone?) throws -> TimeValue {
        try PluginTimes.parse(json: json, field: "t", zone: zone)
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
        (#"{"unix_ms": 1, "unix_s": 1}"#, "name different instants"),
        (#"{"raw": "x"}"#, "needs one of"),
        (#"{"instant": "2024-08-28T06:12:03Z", "utc_us": 1724825523000001}"#, "name different instants"),
        (#"{"local": "2024-08-28T15:12:03", "instant": "2024-08-28T15:12:03Z"}"#, "is not t.instant"),
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

    /// The host sends file times with `utc_us`, `instant` and `local`; a plugin echoing one back
    /// gets exactly the time it was given (local wins and must agree with the instant; the
    /// instant forms must agree with each other).
    @Test func echoedFileTimesComeBackUnchanged() throws {
        let naive = try #require(NaiveDateTime(wallClock: "2024-08-29T10:00:00"))
        let cases: [(TimeValue, TimeZone?)] = [
            (naive.resolve(in: seoul, raw: "2024-08-29 10:00:00", precision: .twoSeconds), seoul),
            (TimeValue.unixSeconds(1_724_825_523), seoul),
            (TimeValue(raw: "132456789012345678", utcMicros: 1_601_203_301_234_567, basis: .utc, precision: .hundredNanoseconds,
                       note: "FILETIME"), nil),
            (naive.resolve(in: nil, raw: "2024-08-29 10:00:00", precision: .twoSeconds), nil),
        ]
        for (t, zone) in cases {
            let sent = PluginTimes.encode(t)
            let back = try PluginTimes.parse(json: String(decoding: try JSONSerialization.data(withJSONObject: sent), as: UTF8.self),
                                             field: "t", zone: zone)
            #expect(back == t, "\(sent) came back as \(back)")
        }
        // A local time with an instant it does not resolve to in the declared zone is refused;
        // without a declared zone the two cannot be checked.
        #expect(throws: PluginFailure.self) { try time(#"{"local": "2024-08-29T10:00:00", "utc_us": 1724893200000000}"#, zone: nil) }
        let agreed = try time(#"{"local": "2024-08-29T10:00:00", "utc_us": 1724893200000000, "instant": "2024-08-29T01:00:00Z"}"#, zone: seoul)
        #expect(agreed.basis == .assumedZone && agreed.utcMicros == 1_724_893_200_000_000 && agreed.localWallClock == "2024-08-29T10:00:00")
        // Agreeing instant forms: the first listed (instant) gives raw and precision.
        let both = try time(#"{"unix_ms": 1724825523120, "instant": "2024-08-28T06:12:03.120Z"}"#, zone: nil)
        #expect(both == TimeValue(raw: "2024-08-28T06:12:03.120Z", utcMicros: 1_724_825_523_120_000, basis: .utc, precision: .millisecond))
    }

    @Test func findingsAreValidatedAndOrdered() throws {
        let file = EvidenceFile(key: "e#1", virtualPath: "phone.zip!/db/sms.db", size: 1,
                                hashes: FileHashes(md5: "", sha1: "", sha256: ""), mime: "application/octet-stream", content: .none)
        var state = PluginWire.ReplyState(file: file, zone: seoul)
        func f(_ kind: String, _ json: String) throws -> Finding {
            guard case .finding(let finding) = try PluginWire.item(kind: kind, json: json, state: &state) else {
                throw PluginFailure(code: "test", message: "a warning")
            }
            return finding
        }
        #expect(throws: PluginFailure.self) { try f("message", #"{"chat_key": "c1", "text": "before its chat"}"#) }
        guard case .chat(let chat) = try f("chat", #"{"chat_key": "c1", "platform": "signal", "title": "Kim"}"#) else {
            Issue.record("not a chat"); return
        }
        #expect(chat.platform == .other && chat.format == .plugin && chat.notes == ["platform as reported by the plugin: signal"])
        guard case .message(let m) = try f("message", #"{"chat_key": "c1", "text": "hi", "attachments": [{"reference": "../media/a.jpg", "kind": "photo"}], "sent": {"unix_s": 1724825523}}"#) else {
            Issue.record("not a message"); return
        }
        #expect(m.sequence == 0 && m.attachments.first?.resolvedPath == "phone.zip!/media/a.jpg")
        #expect(throws: PluginFailure.self) { try f("message", #"{"chat_key": "c1", "sequence": -1}"#) }
        #expect(throws: PluginFailure.self) { try f("chat", #"{"chat_key": "c1"}"#) }
        #expect(throws: PluginFailure.self) { try f("artifact", #"{"type": "x", "properties": [1, 2]}"#) }
        #expect(throws: PluginFailure.self) { try f("media_hash", #"{"algorithm": "pdq", "hash": "ABC", "quality": 50}"#) }
        #expect(throws: PluginFailure.self) { try f("metadata", #"{"namespace": "sqlite", "tag": "t", "value": "v"}"#) }
        #expect(throws: PluginFailure.self) { try f("video", #"{}"#) }
        #expect(throws: PluginFailure.self) { try f("recovered_record", #"{}"#) }
        guard case .artifact(let event) = try f("event", #"{"kind": "login", "description": "App login", "time": {"instant": "2024-08-28T15:12:03+09:00"}}"#) else {
            Issue.record("an event is an artifact"); return
        }
        #expect(event.type == "event" && event.times["login"]?.basis == .offset)
        #expect(event.properties == .object(["kind": .string("login"), "description": .string("App login")]))
    }

    /// Wire names are the Swift property names in snake_case; protocol 1's first names stay
    /// accepted, and both spellings in one finding must agree.
    @Test func canonicalAndProtocolOneNamesGiveTheSameFinding() throws {
        let file = EvidenceFile(key: "e#1", virtualPath: "a.zip!/x.db", size: 1,
                                hashes: FileHashes(md5: "", sha1: "", sha256: ""), mime: "application/octet-stream", content: .none)
        func decode(_ lines: [(String, String)]) throws -> [Finding] {
            var state = PluginWire.ReplyState(file: file, zone: seoul)
            return try lines.map { kind, json in
                guard case .finding(let f) = try PluginWire.item(kind: kind, json: json, state: &state) else {
                    throw PluginFailure(code: "test", message: "a warning")
                }
                return f
            }
        }
        let canonical = try decode([
            ("chat", #"{"chat_key": "c", "platform": "sms"}"#),
            ("participant", #"{"chat_key": "c", "display_name": "Kim", "is_device_owner": true}"#),
            ("message", #"{"chat_key": "c", "sender_name": "Kim", "touched": {"unix_s": 5}, "reply_to_native_id": "7", "text": "x"}"#),
            ("media_hash", #"{"algorithm": "pdq-frame", "hash": "\#(String(repeating: "a", count: 64))", "quality": 90, "frame_index": 1, "frame_time_micros": 40000}"#),
        ])
        let old = try decode([
            ("chat", #"{"chat": "c", "platform": "sms"}"#),
            ("participant", #"{"chat": "c", "display_name": "Kim", "device_owner": true}"#),
            ("message", #"{"chat": "c", "sender": "Kim", "edited": {"unix_s": 5}, "reply_to": "7", "text": "x"}"#),
            ("media_hash", #"{"algorithm": "pdq-frame", "hash": "\#(String(repeating: "a", count: 64))", "quality": 90, "frame_index": 1, "frame_time_us": 40000}"#),
        ])
        #expect(canonical == old)
        guard case .message(let m) = canonical[2], case .participant(let p) = canonical[1], case .mediaHash(let h) = canonical[3] else {
            Issue.record("kinds"); return
        }
        #expect(m.senderName == "Kim" && m.touched?.utcMicros == 5_000_000 && m.replyToNativeID == "7" && p.isDeviceOwner)
        #expect(h.frameTimeMicros == 40_000)
        #expect(throws: PluginFailure.self) {
            try decode([("chat", #"{"chat_key": "c"}"#), ("message", #"{"chat_key": "c", "sender_name": "Kim", "sender": "Lee"}"#)])
        }
        #expect(throws: PluginFailure.self) { try decode([("chat", #"{"chat_key": "c", "chat": "d"}"#)]) }
        // The same value under both names is one value.
        #expect(try decode([("chat", #"{"chat_key": "c", "chat": "c"}"#)]).count == 1)
    }
}
