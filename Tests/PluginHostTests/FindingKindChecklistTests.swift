import ExhibitKit
import ExhibitTesting
import Foundation
@testable import PluginHost
import Testing

/// docs/architecture.md, "How to add a finding kind", the plugin wire's part: what the compiler
/// cannot check about a new `FindingKind`, this does (the store's part is
/// EvidenceStoreTests/StoredKindRegistryTests). Every kind has one snake_case wire name that
/// round-trips through the plugin wire's kind list; a kind plugins may send has a wire form
/// (``FindingKind/wirePayload``) whose field names follow the naming rule and whose sample
/// decodes through the real reply validation into a finding of that kind, and whose required
/// fields are required by that validation; `make plugin-helpers` has been run since the form
/// changed (docs/plugins.md's generated field lists, the shipped helper copies). A kind added
/// without one of these fails here, by name.
@Suite struct FindingKindChecklistTests {
    static func text(_ path: String) throws -> String {
        try String(contentsOf: Corpus.packageRoot().appendingPathComponent(path), encoding: .utf8)
    }

    static var pluginKinds: [FindingKind] { FindingKind.allCases.filter { !PluginWireKind.notFromPlugins.contains($0) } }

    static let file = EvidenceFile(key: "k#1", virtualPath: "a.zip!/x.db", size: 1,
                                   hashes: FileHashes(md5: "", sha1: "", sha256: ""), mime: "application/octet-stream", content: .none)

    @Test func everyKindHasOneSnakeCaseWireNameThatRoundTrips() {
        let names = FindingKind.allCases.map(\.rawValue)
        #expect(Set(names).count == names.count)
        for k in FindingKind.allCases {
            #expect(k.rawValue.allSatisfy { ("a"..."z").contains($0) || $0 == "_" }, "\(k): wire name \(k.rawValue) is not snake_case")
            let back = PluginWireKind(wireName: k.rawValue)
            #expect(back == (PluginWireKind.notFromPlugins.contains(k) ? nil : .stored(k)), "\(k.rawValue)")
            #expect(FindingKind(rawValue: k.rawValue) == k)
            if let form = k.wirePayload?.wireForm { #expect(form.name == k.rawValue, "\(k.rawValue): its wire form is named \(form.name)") }
        }
        // The handshake's list: every plugin kind, then the wire-only event and warning.
        #expect(PluginWireKind.names == Self.pluginKinds.map(\.rawValue) + ["event", "warning"])
    }

    @Test func everyFormFollowsTheNamingRule() {
        #expect(WireField.snakeCase("senderNativeID") == "sender_native_id")
        #expect(WireField.snakeCase("frameTimeMicros") == "frame_time_micros")
        #expect(WireField.snakeCase("nativeID") == "native_id")
        for (form, _) in PluginHelperText.forms {
            let names = form.fields.map(\.name) + form.fields.compactMap(\.alias)
            #expect(Set(names).count == names.count, "\(form.name): a wire name twice")
            for n in names { #expect(n.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }, "\(form.name).\(n)") }
            if let order = form.pythonParameters {
                #expect(Set(order).count == order.count && Set(order).isSubset(of: Set(names)), "\(form.name): Python parameters")
                #expect(Set(form.fields.map(\.name)).isSubset(of: Set(order)), "\(form.name): a field without a Python parameter")
            }
        }
    }

    @Test func docsAndShippedHelpersAreGeneratedFromTheForms() throws {
        let plugins = try Self.text("docs/plugins.md")
        let python = try Self.text("plugins/examples/android-sms/exhibit_plugin.py")
        let swift = try Self.text("plugins/examples/bash-history/main.swift")
        for form in PluginWireKind.forms {
            let hint = "(run make plugin-helpers)"
            #expect(plugins.contains("**`\(form.name)`** — "), "docs/plugins.md, Finding kinds: no entry for \(form.name) \(hint)")
            #expect(python.contains("def \(form.name)("), "the shipped Python helper cannot send \(form.name) \(hint)")
            #expect(swift.contains("struct \(form.mirror): Codable"), "the shipped Swift helper has no mirror of \(form.name) \(hint)")
            #expect(PluginScaffold.pythonHelper.contains(#"return ("\#(form.name)", "#), "Python helper cannot send \(form.name)")
            #expect(PluginScaffold.swiftHelper.contains(#"try c.encode("\#(form.name)", forKey: .kind)"#), "Swift mirrors cannot send \(form.name)")
        }
        #expect(plugins.contains(PluginScaffold.findingKindsDoc + "\n"), "docs/plugins.md's finding kinds are not the generated ones: run make plugin-helpers")
    }

    @Test func aSampleOfEveryPluginKindDecodesIntoThatKind() throws {
        #expect(!Self.pluginKinds.isEmpty && Self.pluginKinds.count < FindingKind.allCases.count)
        var state = PluginWire.ReplyState(file: Self.file, zone: nil)
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

    /// A field the form marks required (docs: `*`; the helpers: no default) is one the
    /// validation refuses a finding without.
    @Test func everyRequiredFieldIsRequiredByTheValidation() throws {
        for kind in PluginWireKind.all {
            let form = kind.form
            // A participant or message names the sample's chat `c`, reported before it.
            let chats: Set<String> = kind == .stored(.chat) ? [] : ["c"]
            var valid = PluginWire.ReplyState(file: Self.file, zone: nil)
            valid.chats = chats
            _ = try PluginWire.item(kind: kind.wireName, json: form.sample, state: &valid)
            for f in form.fields where f.required {
                var without = form
                without.fields.removeAll { $0.name == f.name }
                var state = PluginWire.ReplyState(file: Self.file, zone: nil)
                state.chats = chats
                #expect(throws: PluginFailure.self, "\(form.name).\(f.name) is marked required but a finding without it is accepted") {
                    try PluginWire.item(kind: kind.wireName, json: without.sample, state: &state)
                }
            }
        }
    }
}
