import Foundation
import Testing
import ExhibitKit
import ExhibitTesting
@testable import ChatExport

/// Fixtures under corpora/chat/ with a `<name>.expected.json` golden written by
/// corpora/chat/make_fixtures.py from the ground truth the fixture was rendered from.
enum ChatFixtures {
    static var root: URL { Corpus.url("chat") }

    /// Relative paths of every fixture that has a golden, sorted.
    static func all(under folder: String = "") -> [String] {
        let base = root.appendingPathComponent(folder)
        guard let e = FileManager.default.enumerator(atPath: base.path) else { return [] }
        var out: [String] = []
        while let p = e.nextObject() as? String {
            guard p.hasSuffix(".expected.json") else { continue }
            out.append((folder.isEmpty ? "" : folder + "/") + String(p.dropLast(".expected.json".count)))
        }
        return out.sorted()
    }

    static func expected(_ fixture: String) throws -> JSONValue {
        let data = try Data(contentsOf: root.appendingPathComponent(fixture + ".expected.json"))
        return try JSONDecoder().decode(JSONValue.self, from: data)
    }

    static func evidenceFile(_ fixture: String, virtualPath: String) throws -> EvidenceFile {
        let data = try Data(contentsOf: root.appendingPathComponent(fixture))
        return EvidenceFile(key: "test", virtualPath: virtualPath, size: Int64(data.count),
                            hashes: FileHashes(md5: "", sha1: "", sha256: ""), mime: "application/octet-stream",
                            content: .memory(data))
    }

    /// Runs the real analyzer on the fixture's bytes, under the golden's declared zone.
    static func run(_ fixture: String) async throws -> (found: AnalyzerOutput, expected: JSONValue) {
        let exp = try expected(fixture)
        guard case .string(let vp)? = exp["virtualPath"], case .string(let zoneID)? = exp["zone"] else {
            throw AnalyzerError(code: "bad-golden", message: fixture)
        }
        let file = try evidenceFile(fixture, virtualPath: vp)
        let context = AnalysisContext(assumedZone: TimeZone(identifier: zoneID), temporaryDirectory: FileManager.default.temporaryDirectory)
        return (try AnalyzerHarness.run(ChatExportAnalyzer(), on: file, context: context, requireAcceptance: !fixture.hasPrefix("hostile/"), twice: true), exp)
    }
}

extension JSONValue {
    subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }
    var items: [JSONValue] { if case .array(let a) = self { return a }; return [] }
}

/// The golden's view of findings: the same keys make_fixtures.py writes.
enum Projection {
    static func s(_ v: String?) -> JSONValue { v.map(JSONValue.string) ?? .null }
    static func n(_ v: Int?) -> JSONValue { v.map { .number(Double($0)) } ?? .null }
    static func n64(_ v: Int64?) -> JSONValue { v.map { .number(Double($0)) } ?? .null }

    static func chat(_ c: ChatInfo) -> JSONValue {
        .object(["chatKey": .string(c.chatKey), "platform": .string(c.platform.rawValue), "format": .string(c.format.rawValue),
                 "nativeID": s(c.nativeID), "title": s(c.title), "chatType": s(c.chatType), "left": .bool(c.left),
                 "dateOrder": s(c.dateOrder?.order.rawValue), "dateOrderProven": c.dateOrder.map { .bool($0.proven) } ?? .null,
                 "clock": s(c.clock?.rawValue), "exportingUserPlaceholder": s(c.exportingUserPlaceholder),
                 "exportedAtUTC": s(c.exportedAt?.utcString), "part": n(c.part)])
    }

    static func participant(_ p: ParticipantInfo) -> JSONValue {
        .object(["chatKey": .string(p.chatKey), "displayName": s(p.displayName), "nativeID": s(p.nativeID),
                 "isDeviceOwner": .bool(p.isDeviceOwner)])
    }

    /// `withNote`: also project the sent time's note (`sentNote`), for goldens that record it.
    static func message(_ m: MessageRecord, withNote: Bool = false) -> JSONValue {
        guard withNote, case .object(var o) = message(m) else { return message(m) }
        o["sentNote"] = s(m.sent?.note)
        return .object(o)
    }

    static func message(_ m: MessageRecord) -> JSONValue {
        .object([
            "chatKey": .string(m.chatKey), "nativeID": s(m.nativeID), "kind": .string(m.kind.rawValue),
            "sender": s(m.senderName), "senderID": s(m.senderNativeID), "owner": .bool(m.fromDeviceOwner),
            "sentUTC": s(m.sent?.utcString), "sentBasis": s(m.sent?.basis.rawValue), "sentRaw": s(m.sent?.raw),
            "touchedUTC": s(m.touched?.utcString), "text": .string(m.text), "replyTo": s(m.replyToNativeID),
            "forwardedFrom": s(m.forwardedFrom), "viaBot": s(m.viaBot), "deleted": .bool(m.deleted),
            "edited": .bool(m.editedMarker), "serviceAction": s(m.service?.action), "serviceActor": s(m.service?.actorName),
            "entities": .array(m.entities.map {
                .object(["type": .string($0.type), "text": .string($0.text), "offset": n($0.offset), "length": n($0.length), "href": s($0.href)])
            }),
            "reactions": .array(m.reactions.map { .object(["emoji": .string($0.emoji), "count": n($0.count)]) }),
            "poll": m.poll.map { p in
                .object(["question": .string(p.question), "closed": p.closed.map(JSONValue.bool) ?? .null, "totalVoters": n(p.totalVoters),
                         "answers": .array(p.answers.map { .object(["text": .string($0.text), "voters": n($0.voters), "chosen": .bool($0.chosen)]) })])
            } ?? .null,
            "attachments": .array(m.attachments.map {
                .object(["kind": .string($0.kind.rawValue), "reference": s($0.reference), "resolvedPath": s($0.resolvedPath),
                         "missingReason": s($0.missingReason), "fileName": s($0.fileName), "mimeType": s($0.mimeType),
                         "size": n64($0.size), "width": n($0.width), "height": n($0.height),
                         "duration": $0.durationSeconds.map { .number($0) } ?? .null])
            }),
        ])
    }

    /// Compares two values key by key, reporting each differing field with its path.
    static func compare(_ actual: JSONValue, _ expected: JSONValue, _ path: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        switch (actual, expected) {
        case (.object(let a), .object(let e)):
            for key in Set(a.keys).union(e.keys).sorted() {
                compare(a[key] ?? .null, e[key] ?? .null, "\(path).\(key)", sourceLocation: sourceLocation)
            }
        case (.array(let a), .array(let e)):
            #expect(a.count == e.count, "\(path): \(a.count) items, expected \(e.count)", sourceLocation: sourceLocation)
            for (i, (x, y)) in zip(a, e).enumerated() { compare(x, y, "\(path)[\(i)]", sourceLocation: sourceLocation) }
        default:
            #expect(actual == expected, "\(path): got \(actual.canonicalText), expected \(expected.canonicalText)", sourceLocation: sourceLocation)
        }
    }
}

/// Findings split by kind, in arrival order.
struct Split {
    var chats: [ChatInfo] = [], participants: [ParticipantInfo] = [], messages: [MessageRecord] = [], warnings: [AnalysisWarning] = []
    init(_ output: AnalyzerOutput) {
        warnings = output.warnings
        for f in output.findings {
            switch f {
            case .chat(let c): chats.append(c)
            case .participant(let p): participants.append(p)
            case .message(let m): messages.append(m)
            default: break  // not a chat finding
            }
        }
    }
}
