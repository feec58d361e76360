import ExhibitTesting
import Foundation
import PluginHost
import Testing

/// Plugin discovery (--plugins, $EXHIBIT_PLUGIN_PATH, the per-user folder), manifest validation,
/// and the Swift scaffold.
struct PluginDiscoveryTests {
    private func plugin(_ id: String, in parent: String, manifest: String? = nil) throws -> String {
        let dir = parent + "/" + id
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let text = manifest ?? """
            {"protocol": 1, "id": "\(id)", "version": "2.0", "summary": "s", "command": ["python3", "p.py"],
             "accepts": {"path_globs": ["*.x"]}}
            """
        try text.write(toFile: dir + "/plugin.json", atomically: true, encoding: .utf8)
        return dir
    }

    @Test func searchOrderShadowingAndUserDirectory() throws {
        let dir = try TestDirectory("plugin-discovery"); defer { dir.remove() }
        let explicit = try plugin("alpha", in: dir.path("explicit"))
        _ = try plugin("alpha", in: dir.path("envpath"))          // shadowed by --plugins
        _ = try plugin("beta", in: dir.path("envpath"))
        _ = try plugin("gamma", in: dir.path("xdg/exhibit/plugins"))
        _ = try plugin("metadata", in: dir.path("xdg/exhibit/plugins"))   // a built-in id: refused
        _ = try plugin("broken", in: dir.path("xdg/exhibit/plugins"), manifest: "{\"protocol\": 1}")
        let env = ["EXHIBIT_PLUGIN_PATH": dir.path("envpath") + ":" + dir.path("missing"), "XDG_DATA_HOME": dir.path("xdg"), "HOME": "/nonexistent"]
        let found = try PluginDiscovery.discover(explicit: [explicit], reserved: ["metadata", "chat-export"], environment: env)
        #expect(found.manifests.map(\.id) == ["alpha", "beta", "gamma"])
        #expect(found.manifests.first?.directory == URL(fileURLWithPath: explicit).standardizedFileURL.path)
        #expect(found.manifests.first?.provenanceVersion.hasPrefix("2.0+sha256.") == true)
        #expect(found.problems.count == 3, "\(found.problems)")
        #expect(found.problems.contains { $0.contains("\"id\" must be a non-empty string") })
        #expect(PluginDiscovery.userDirectory(environment: ["HOME": "/home/kim"]) == "/home/kim/.local/share/exhibit/plugins")

        // An explicit directory must exist and hold a valid plugin: errors name the file and the fix.
        #expect(throws: PluginError.self) { try PluginDiscovery.discover(explicit: [dir.path("nope")], reserved: [], environment: [:]) }
        let bad = try plugin("bad", in: dir.path("bad"), manifest: #"{"protocol": 2, "id": "bad"}"#)
        do {
            _ = try PluginDiscovery.discover(explicit: [bad], reserved: [], environment: [:])
            Issue.record("protocol 2 must be refused")
        } catch let e as PluginError {
            #expect(e.description.contains("protocol 2 is not supported"))
        }
    }

    @Test func manifestValidation() throws {
        let dir = try TestDirectory("plugin-manifest"); defer { dir.remove() }
        let cases: [(String, String)] = [
            (#"{"protocol": 1, "id": "Bad Id", "version": "1", "summary": "s", "command": ["x"], "accepts": {"path_globs": ["*"]}}"#, "\"id\" must be"),
            (#"{"protocol": 1, "id": "a", "version": "1", "summary": "s", "command": [], "accepts": {"path_globs": ["*"]}}"#, "\"command\" must be"),
            (#"{"protocol": 1, "id": "a", "version": "1", "summary": "s", "command": ["x"], "accepts": {}}"#, "needs mime_types or path_globs"),
            (#"{"protocol": 1, "id": "a", "version": "1", "summary": "s", "command": ["x"], "accepts": {"path_globs": ["*"], "needs_bytes": 1}}"#, "needs_bytes"),
            (#"{"protocol": 1, "id": "a", "version": "1", "summary": "s", "command": ["x"], "accepts": {"path_globs": ["*"]}, "timeout_seconds": true}"#, "timeout_seconds"),
            (#"{"protocol": 1, "id": "a", "version": "1", "summary": "s", "command": ["x"], "accepts": {"path_globs": ["*"]}, "produces": ["video"]}"#, "unknown finding kind"),
            ("not json", "not valid JSON"),
        ]
        for (i, (text, expected)) in cases.enumerated() {
            let p = try plugin("p\(i)", in: dir.url.path, manifest: text)
            do {
                _ = try PluginManifest.load(directory: p)
                Issue.record("case \(i) must be refused")
            } catch let e as PluginError {
                #expect(e.description.contains(expected), "case \(i): \(e)")
            }
        }
    }

    @Test func swiftScaffoldBuildsWithSwiftcAndPassesItsTest() throws {
        let dir = try TestDirectory("plugin-swift-scaffold"); defer { dir.remove() }
        let target = dir.path("notes")
        let made = try Run.command(PluginFixture.exhibit, ["plugin", "new", "notes", "--lang", "swift", "--dir", target])
        #expect(made.exitCode == 0, "\(made.stderr)")
        #expect(made.stdout.contains("built with: swiftc -O main.swift -o notes"))
        let test = try Run.command(PluginFixture.exhibit, ["plugin", "test", target])
        #expect(test.exitCode == 0, "\(test.stdout)\n\(test.stderr)")
        #expect(test.stdout.contains("PASSED: 6 checks"))
        // Refuses to overwrite.
        let again = try Run.command(PluginFixture.exhibit, ["plugin", "new", "notes", "--lang", "swift", "--dir", target])
        #expect(again.exitCode != 0)
        #expect(again.stderr.contains("exists and is not empty"))
    }
}
