import ExhibitKit
import ExhibitTesting
import Foundation
import PluginHost
import Testing

/// `plugin.json` as an attacker (or an accident) might leave it: huge, endless, not a file at
/// all, empty, or with values of the wrong type. Each is refused quickly with a message naming
/// the problem; none may hang discovery or read more than the 1 MiB limit.
struct PluginManifestHostileTests {
    private let valid = #"{"protocol": 1, "id": "p", "version": "1", "summary": "s", "command": ["python3", "p.py"], "accepts": {"path_globs": ["*"]}}"#

    private func refused(_ dir: String, _ expected: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
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
            (#""accepts": {"mime_types": "text/plain"}"#, "\"accepts.mime_types\" must be an array of strings"),
            (#""accepts": [1]"#, "\"accepts\" must be an object"),
            (#""limits": [1]"#, "\"limits\" must be an object"),
            (#""limits": {"instances": 1000000000}"#, "\"limits.instances\" must be a number in 1…64"),
            (#""limits": {"reply_mb": -1}"#, "\"limits.reply_mb\" must be a number in 0.001…4096"),
            (#""limits": {"memory_mb": "2048"}"#, "\"limits.memory_mb\" must be a number"),
            (#""version": "1 2""#, "\"version\" must be a short token"),
            (#""id": "\#(String(repeating: "a", count: 65))""#, "\"id\" must be 1–64"),
            (#""summary": null"#, "\"summary\" must be a non-empty string (got null)"),
            (#""summary": """#, "\"summary\" must be a non-empty string"),
            // Strict: a misspelt field is a mistake to point at, not something to ignore.
            (#""timeout": 5"#, "unknown field \"timeout\""),
            (#""accepts": {"path_globs": ["*"], "needs_content": false}"#, "unknown field \"accepts.needs_content\""),
            (#""limits": {"memory": 1}"#, "unknown field \"limits.memory\""),
            (#""produces": ["artifact", 1]"#, "\"produces\" must be an array of strings"),
            (#""produces": ["recovered_record"]"#, "unknown finding kind \"recovered_record\""),
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

    /// The strict decoder still accepts what it should: every field, defaults, old kinds; and the
    /// validated descriptor names stored finding kinds (`event` is an artifact, `warning` none).
    @Test func aFullManifestDecodesIntoItsDescriptor() throws {
        let dir = try TestDirectory("plugin-manifest-full"); defer { dir.remove() }
        let text = #"""
            {"protocol": 1, "id": "full.plugin_1", "version": "2.0-beta", "summary": "전체", "command": ["./run"],
             "accepts": {"mime_types": ["image/*"], "path_globs": ["*.db"], "needs_bytes": false}, "timeout_seconds": 0.5,
             "limits": {"memory_mb": 0, "cpu_seconds": 10, "reply_mb": 0.5, "instances": 3, "scratch_mb": 16},
             "produces": ["event", "warning", "media_hash", "artifact", "chat"]}
            """#
        let m = try PluginManifest.load(directory: try plugin("full", in: dir, manifest: text))
        #expect(m.id == "full.plugin_1" && m.version == "2.0-beta" && m.protocolVersion == 1 && m.summary == "전체")
        #expect(m.accepts == Acceptance(mimeTypes: ["image/*"], pathGlobs: ["*.db"], sniff: false, needsContent: false))
        #expect(m.timeoutSeconds == 0.5 && m.memoryMB == 0 && m.cpuSeconds == 10 && m.maxReplyBytes == 524_288)
        #expect(m.instances == 3 && m.scratchMB == 16)
        let d = m.descriptor(supervisorTimeout: 99)
        #expect(d.id == "full.plugin_1" && d.version == "2.0-beta+sha256.\(m.manifestSHA256)" && d.timeoutSeconds == 99)
        #expect(d.produces == [.artifact, .mediaHash, .chat])
        let defaults = try PluginManifest.load(directory: try plugin("defaults", in: dir, manifest: valid))
        #expect(defaults.timeoutSeconds == 30 && defaults.memoryMB == 2048 && defaults.cpuSeconds == 3600)
        #expect(defaults.maxReplyBytes == 64 << 20 && defaults.instances == 1 && defaults.scratchMB == 512 && defaults.accepts.needsContent)
    }

    /// A relative program path with `..` is resolved like any other: the manifest is not the
    /// boundary (the plugin runs its own code anyway); the sandbox confines whatever runs.
    @Test func commandPathIsResolvedAgainstThePluginDirectoryAndHashedAsRead() throws {
        let dir = try TestDirectory("plugin-manifest-command"); defer { dir.remove() }
        let text = valid.replacingOccurrences(of: #"["python3", "p.py"]"#, with: #"["../bin/run", "--x"]"#)
        let p = try plugin("cmd", in: dir, manifest: text)
        let m = try PluginManifest.load(directory: p)
        #expect(m.resolvedCommand == [m.directory + "/../bin/run", "--x"])
        #expect(m.manifestSHA256 == (try PluginFixture.sha256(of: p + "/plugin.json")))
    }
}
