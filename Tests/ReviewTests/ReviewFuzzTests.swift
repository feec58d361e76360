import ExhibitTesting
import Foundation
import Testing

/// Schemathesis (PyPI; `make pydeps` installs it) generates requests from `/openapi.json` against
/// a running `exhibit serve`: no answer may be a server error, and the case database's bytes
/// stay as they were. The seed is fixed, so a failure replays.
@Suite("ReviewFuzz", .serialized)
struct ReviewFuzzTests {
    static let schemathesis: String? = {
        let user = (try? Run.command("/usr/bin/env", ["python3", "-c", "import site; print(site.USER_BASE)"]))?.stdout
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return [user + "/bin/st", "/usr/local/bin/st", "/usr/bin/st"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    @Test func generatedRequestsNeverGetAServerErrorNorWriteTheCase() throws {
        let st = try #require(Self.schemathesis, "schemathesis is not installed: make pydeps installs it (pip install --user schemathesis)")
        let (dir, db) = try SharedCase.get()
        // The main file and the WAL's content (a missing WAL and an empty one hold the same: a
        // read-only open by a server may create the empty file).
        let state = {
            try [db, db + "-wal"].map { path -> String in
                let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
                return size > 0 ? try ReviewFixture.sha256(path) : "empty"
            }
        }
        let before = try state()
        let server = try ServeProcess(db: db, dir: dir, name: "fuzz")
        defer { server.stop() }
        let seed = 1
        // Run from the test's folder: schemathesis keeps a cache (.schemathesis/) in its working directory.
        // The export button writes a folder beside the case: tested by ReviewPortable, left out here.
        let r = try Run.shell("'\(st)' run '\(server.base)/openapi.json' --checks not_a_server_error --max-examples 25 "
                              + "--workers 1 --seed \(seed) --no-color --exclude-path /api/export/portable",
                              currentDirectory: dir.url.path)
        #expect(r.exitCode == 0, "schemathesis (seed \(seed)) found server errors:\n\(r.stdout.suffix(4000))\n\(r.stderr.suffix(1000))")
        let generated = r.stdout.components(separatedBy: "\n").first { $0.contains(" generated, ") } ?? ""
        #expect(generated.contains("passed"), "\(r.stdout.suffix(2000))")
        server.stop()
        let after = try state()
        #expect(after == before, "the case database changed under generated requests")
    }
}
