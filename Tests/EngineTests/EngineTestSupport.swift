import ExhibitTesting
import Foundation
import GRDB
import Testing

/// Builds small evidence with real tools and runs the real binaries.
enum Fixture {
    static let exhibit = CLIFixture.exhibit
    static let testbed = CLIFixture.testbed

    /// A zip with text, binary and a nested tar.gz, made by Info-ZIP `zip` and GNU tar.
    /// Returns the zip path and the reference contents (inner path → SHA-256) from a real
    /// extraction with `unzip` and `tar`.
    static func sampleZip(in dir: TestDirectory, name: String = "seized.zip", files: Int = 12) throws -> String {
        let src = dir.path("src-\(name)")
        var script = "set -e; mkdir -p '\(src)/docs' '\(src)/inner'; cd '\(src)';"
        for i in 0..<files { script += "printf 'line %d\\nsecond line of file %d\\n' \(i) \(i) > docs/note\(i).txt;" }
        script += "head -c 70000 /dev/urandom > blob.bin; printf 'hello inner\\n' > inner/a.txt;"
        script += "touch -d '2024-08-28 15:12:04' docs/note0.txt docs/note1.txt;"
        script += "tar -czf nested.tar.gz inner; rm -r inner;"
        script += "zip -q -r '\(dir.path(name))' docs blob.bin nested.tar.gz; zip -q -X '\(dir.path(name))' -j docs/note1.txt"
        let r = try Run.shell(script)
        #expect(r.exitCode == 0, "fixture build failed: \(r.stderr)")
        return dir.path(name)
    }

    static func sha256(of path: String) throws -> String {
        let r = try Run.shell("sha256sum '\(path)' | cut -d' ' -f1")
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `exhibit ingest … --json` with common flags.
    @discardableResult
    static func ingest(_ evidence: [String], db: String, binary: String = exhibit, extra: [String] = [],
                       environment: [String: String] = [:]) throws -> CommandResult {
        try CLIFixture.ingest(evidence, db: db, binary: binary, extra: extra, environment: environment)
    }

    static func digest(_ db: String) throws -> String { try CLIFixture.digest(db) }

    static func open(_ db: String) throws -> DatabaseQueue {
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(10)
        return try DatabaseQueue(path: db, configuration: config)
    }
}
