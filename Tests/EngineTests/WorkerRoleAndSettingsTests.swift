import Engine
import ExhibitKit
import Foundation
import Testing

/// What the CLI no longer knows: which built-in a setting configures, which options are the
/// supervisor's, and how a worker takes over its channel.
@Suite("WorkerRoleAndSettings")
struct WorkerRoleAndSettingsTests {
    @Test func examinerArgumentsDropWorkerOptionsInBothSpellings() {
        let typed = ["ingest", "x.zip", "--db", "c.sqlite", "--worker-channel", "3", "--worker-page", "4", "--isolate", "1|3/17|metadata",
                     "--isolate=2|4|chat-export", "--jobs", "2"]
        #expect(WorkerRole.examinerArguments(typed) == ["ingest", "x.zip", "--db", "c.sqlite", "--jobs", "2"])
    }

    @Test func adoptingAChannelRefusesAFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("not-a-pipe-\(UUID().uuidString)").path
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0o600)
        try #require(fd >= 0)
        defer { close(fd); unlink(path) }
        #expect(throws: IngestError.self) { try WorkerRole.adoptChannel(fd) }
        do { try WorkerRole.adoptChannel(fd) } catch let e as IngestError {
            #expect(e.exitCode == 2 && e.message == "--worker-channel \(fd) is not a pipe (it is for the supervisor's own use)")
        } catch { Issue.record("unexpected \(error)") }
    }

    /// A changed video rate replaces only the built-in media hasher, in place; its version says so.
    @Test func settingsConfigureTheBuiltinMediaHasherOnly() {
        let builtin = AnalyzerCatalog.builtin
        #expect(builtin.configured(BuiltinSettings()).descriptors.map(\.version) == builtin.descriptors.map(\.version))
        let changed = builtin.configured(BuiltinSettings(videoFramesPerSecond: 2))
        #expect(changed.descriptors.map(\.id) == builtin.descriptors.map(\.id))
        let versions = Dictionary(uniqueKeysWithValues: zip(changed.descriptors.map(\.id), changed.descriptors.map(\.version)))
        #expect(versions["media-hash"] == "0.2.0+fps=2.0")
        for d in builtin.descriptors where d.id != "media-hash" { #expect(versions[d.id] == d.version, "\(d.id)") }
    }
}
