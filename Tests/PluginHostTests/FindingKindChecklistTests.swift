import ExhibitKit
import ExhibitTesting
import Foundation
@testable import PluginHost
import Testing

/// docs/architecture.md, "How to add a finding kind": what the compiler cannot check about a new
/// `FindingKind`, this does. Every kind has one snake_case wire name that round-trips through
/// the plugin wire's kind list; every kind is documented (its table in docs/schema.md; the kinds
/// a plugin may send in docs/plugins.md, "Finding kinds"); both helpers (Swift mirrors, Python)
/// can send each plugin kind; and a sample of each decodes through the real reply validation
/// into a finding of that kind. A kind added without one of these fails here, by name.
@Suite struct FindingKindChecklistTests {
    static func doc(_ name: String) throws -> String {
        try String(contentsOf: Corpus.packageRoot().appendingPathComponent("docs/\(name)"), encoding: .utf8)
    }

    /// The table each kind is stored in (docs/schema.md's heading for it).
    static let tables: [FindingKind: String] = [
        .artifact: "artifacts", .chat: "chats", .participant: "participants", .message: "messages", .metadata: "metadata",
        .indicator: "indicators", .mediaHash: "media_hashes", .recoveredRecord: "recovered_records",
    ]

    /// One valid `data` of each kind a plugin may send, in ``FindingKind`` order (a chat before
    /// its participant and message).
    static let samples: [FindingKind: String] = [
        .artifact: #"{"type": "t.x", "properties": {"n": 1}}"#,
        .chat: #"{"chat_key": "c", "platform": "sms"}"#,
        .participant: #"{"chat_key": "c", "display_name": "Kim"}"#,
        .message: #"{"chat_key": "c", "text": "hi", "sent": {"unix_s": 1724825523}}"#,
        .metadata: #"{"namespace": "exif", "tag": "Model", "value": "X"}"#,
        .indicator: #"{"kind": "generator-software", "summary": "s", "evidence_tag": "Software"}"#,
        .mediaHash: #"{"algorithm": "pdq", "hash": "\#(String(repeating: "0f", count: 32))", "quality": 90}"#,
    ]

    static var pluginKinds: [FindingKind] { FindingKind.allCases.filter { !PluginWireKind.notFromPlugins.contains($0) } }

    @Test func everyKindHasOneSnakeCaseWireNameThatRoundTrips() {
        let names = FindingKind.allCases.map(\.rawValue)
        #expect(Set(names).count == names.count)
        for k in FindingKind.allCases {
            #expect(k.rawValue.allSatisfy { ("a"..."z").contains($0) || $0 == "_" }, "\(k): wire name \(k.rawValue) is not snake_case")
            let back = PluginWireKind(wireName: k.rawValue)
            #expect(back == (PluginWireKind.notFromPlugins.contains(k) ? nil : .stored(k)), "\(k.rawValue)")
            #expect(FindingKind(rawValue: k.rawValue) == k)
        }
        // The handshake's list: every plugin kind, then the wire-only event and warning.
        #expect(PluginWireKind.names == Self.pluginKinds.map(\.rawValue) + ["event", "warning"])
    }

    @Test func everyKindIsDocumented() throws {
        let schema = try Self.doc("schema.md"), plugins = try Self.doc("plugins.md")
        #expect(Set(Self.tables.keys) == Set(FindingKind.allCases), "docs/architecture.md checklist: add the new kind's table here")
        for k in FindingKind.allCases {
            let table = try #require(Self.tables[k])
            #expect(schema.contains("### `\(table)`"), "docs/schema.md has no section for \(k.rawValue)'s table \(table)")
        }
        let kinds = try #require(plugins.range(of: "### Finding kinds")).upperBound
        let section = String(plugins[kinds...]).components(separatedBy: "\n### ").first ?? ""
        for name in PluginWireKind.names {
            #expect(section.contains("**`\(name)`**"), "docs/plugins.md, Finding kinds: no entry for \(name)")
        }
    }

    @Test func bothHelpersCanSendEveryPluginKind() {
        for name in PluginWireKind.names {
            #expect(PluginScaffold.swiftHelper.contains(#"try c.encode("\#(name)", forKey: .kind)"#), "Swift mirrors cannot send \(name)")
            #expect(PluginScaffold.pythonHelper.contains(#"return ("\#(name)", "#), "Python helper cannot send \(name)")
        }
    }

    @Test func aSampleOfEveryPluginKindDecodesIntoThatKind() throws {
        #expect(Set(Self.samples.keys) == Set(Self.pluginKinds), "docs/architecture.md checklist: add a sample of the new kind here")
        let file = EvidenceFile(key: "k#1", virtualPath: "a.zip!/x.db", size: 1,
                                hashes: FileHashes(md5: "", sha1: "", sha256: ""), mime: "application/octet-stream", content: .none)
        var state = PluginWire.ReplyState(file: file, zone: nil)
        for k in Self.pluginKinds {
            let json = try #require(Self.samples[k])
            let item = try PluginWire.item(kind: k.rawValue, json: json, state: &state)
            guard case .finding(let f) = item else { Issue.record("\(k.rawValue) decoded as a warning"); continue }
            #expect(f.kind == k, "\(k.rawValue) decoded as \(f.kind.rawValue)")
        }
        for k in PluginWireKind.notFromPlugins {
            #expect(throws: PluginFailure.self) { try PluginWire.item(kind: k.rawValue, json: "{}", state: &state) }
        }
    }
}
