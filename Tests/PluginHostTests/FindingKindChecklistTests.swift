import ExhibitKit
import ExhibitTesting
import Foundation
@testable import PluginHost
import Testing

/// docs/architecture.md, "How to add a finding kind", the plugin wire's part: what the compiler
/// cannot check about a new `FindingKind`, this does (the store's part is
/// EvidenceStoreTests/StoredKindRegistryTests). Every kind has one snake_case wire name that
/// round-trips through the plugin wire's kind list; the kinds a plugin may send are documented
/// in docs/plugins.md, "Finding kinds"; both helpers (Swift mirrors, Python) can send each; and
/// each kind's declared sample (``FindingKind/pluginSample``) decodes through the real reply
/// validation into a finding of that kind. A kind added without one of these fails here, by name.
@Suite struct FindingKindChecklistTests {
    static func doc(_ name: String) throws -> String {
        try String(contentsOf: Corpus.packageRoot().appendingPathComponent("docs/\(name)"), encoding: .utf8)
    }

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

    @Test func everyPluginKindIsDocumented() throws {
        let plugins = try Self.doc("plugins.md")
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
        #expect(!Self.pluginKinds.isEmpty && Self.pluginKinds.count < FindingKind.allCases.count)
        let file = EvidenceFile(key: "k#1", virtualPath: "a.zip!/x.db", size: 1,
                                hashes: FileHashes(md5: "", sha1: "", sha256: ""), mime: "application/octet-stream", content: .none)
        var state = PluginWire.ReplyState(file: file, zone: nil)
        for k in Self.pluginKinds {
            let json = try #require(k.pluginSample)
            let item = try PluginWire.item(kind: k.rawValue, json: json, state: &state)
            guard case .finding(let f) = item else { Issue.record("\(k.rawValue) decoded as a warning"); continue }
            #expect(f.kind == k, "\(k.rawValue) decoded as \(f.kind.rawValue)")
        }
        for k in PluginWireKind.notFromPlugins {
            #expect(throws: PluginFailure.self) { try PluginWire.item(kind: k.rawValue, json: "{}", state: &state) }
        }
    }
}
