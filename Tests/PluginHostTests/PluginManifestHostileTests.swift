import Engine
import ExhibitTesting
import Foundation
import Testing

/// `plugin.json` as an attacker (or an accident) might leave it: huge, endless, not a file at
/// all, empty, or with values of the wrong type. Each is refused quickly with a message naming
/// the problem; none may hang discovery or read more than the 1 MiB limit.
struct PluginManifestHostileTests {
    private let valid = #"{"protocol": 1, "id": "p", "version": "1", "summary": "s", "command": ["python3", "p.py"], "accepts": {"path_globs": ["*"]}}"#

    private func refused(_ dir: String, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let started = Date()
        do {
            _ = try PluginManifest.load(directory: dir)
            Issue.record("\(dir) must be refused", sourceLocation: sourceLocation)
        } catch let e as PluginError {
            #expect(e.description.contains(expected), "\(e)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("\(dir): not a PluginError: \(error)", sourceLocation: sourceLocation)
        }
        #expect(Date().timeIntervalSince(started) < 5, "\(dir) took too long", sourceLocation: sourceLocation)
    }

    private func plugin(_ name: String, in dir: TestDirectory, manifest: String?) throws -> String {
        let p = dir.path(name)
        try FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
        if let manifest { try manifest.write(toFile: p + "/plugin.json", atomically: true, encoding: .utf8) }
        return p
    }

    @Test func hugeEndlessAndSpecialManifestsAreRefused() throws {
        let dir = try TestDirectory("plugin-manifest-hostile"); defer { dir.remove() }
        // Valid JSON, but 2 MiB of it.
        let huge = try plugin("huge", in: dir, manifest: "{" + String(repeating: " ", count: 2 << 20) + valid.dropFirst())
        refused(huge, "larger than 1 MiB")
        // Endless bytes: a link to /dev/zero must not be read until memory runs out.
        let zero = try plugin("zero", in: dir, manifest: nil)
        try FileManager.default.createSymbolicLink(atPath: zero + "/plugin.json", withDestinationPath: "/dev/zero")
        refused(zero, "not a regular file")
        // A FIFO nobody writes: opening or reading it must not block.
        let fifo = try plugin("fifo", in: dir, manifest: nil)
        #expect(mkfifo(fifo + "/plugin.json", 0o600) == 0)
        refused(fifo, "not a regular file")
        refused(try plugin("empty", in: dir, manifest: ""), "not valid JSON")
        refused(try plugin("array", in: dir, manifest: "[1, 2]"), "must be a JSON object")
        refused(try plugin("missing", in: dir, manifest: nil), "no plugin.json here")
    }

    @Test func wrongTypesAreRefused() throws {
        let dir = try TestDirectory("plugin-manifest-types"); defer { dir.remove() }
        let cases: [(String, String)] = [
            (#""command": "python3 p.py""#, "\"command\" must be"),
            (#""command": [1, 2]"#, "\"command\" must be"),
            (#""protocol": "1""#, "\"protocol\" must be an integer"),
            (#""protocol": true"#, "\"protocol\" must be an integer"),
            (#""accepts": {"mime_types": "text/plain"}"#, "\"mime_types\" must be an array"),
            (#""limits": [1]"#, "\"limits\" must be an object"),
            (#""limits": {"instances": 1000000000}"#, "\"instances\" must be a number in"),
            (#""limits": {"reply_mb": -1}"#, "\"reply_mb\" must be a number in"),
            (#""version": "1 2""#, "\"version\" must be a short token"),
            (#""id": "\#(String(repeating: "a", count: 65))""#, "\"id\" must be 1–64"),
        ]
        for (i, (field, expected)) in cases.enumerated() {
            // The valid manifest with this one field replaced.
            var object = try #require(try JSONSerialization.jsonObject(with: Data(valid.utf8)) as? [String: Any])
            let override = try #require(try JSONSerialization.jsonObject(with: Data("{\(field)}".utf8)) as? [String: Any])
            object.merge(override) { _, new in new }
            let text = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
            refused(try plugin("t\(i)", in: dir, manifest: text), expected)
        }
    }

    /// A relative program path with `..` is resolved like any other: the manifest is not the
    /// boundary (the plugin runs its own code anyway); the sandbox confines whatever runs.
    @Test func commandPathIsResolvedAgainstThePluginDirectoryAndHashedAsRead() throws {
        let dir = try TestDirectory("plugin-manifest-command"); defer { dir.remove() }
        let text = valid.replacingOccurrences(of: #"["python3", "p.py"]"#, with: #"["../bin/run", "--x"]"#)
        let p = try plugin("cmd", in: dir, manifest: text)
        let m = try PluginManifest.load(directory: p)
        #expect(m.resolvedCommand == [m.directory + "/../bin/run", "--x"])
        #expect(m.manifestSHA256 == (try Fixture.sha256(of: p + "/plugin.json")))
    }
}
