import ExhibitTesting
import Foundation
import GRDB
import LabIndex
import Testing

/// Two small cases made once per test process by the real `exhibit` binary from committed
/// corpora, both with the demo known-bad lists imported before ingest:
/// - `LAB-A`: the PC export of corpora/sample-case (a Telegram Desktop chat whose photo is the
///   concert picture as Telegram re-encoded it, plus a copy in Downloads);
/// - `LAB-B`: the Android full-file-system extraction of corpora/phone/android (the camera
///   original, the WhatsApp and the Telegram copies, sent in three apps).
enum LabFixture {
    static let exhibit = Corpus.executable("exhibit")
    /// Paths of the two case databases (built on first use).
    static let cases: Result<(a: String, b: String, dir: String), any Error> = Result { try build() }

    /// The folder of the two case databases, private to this test process.
    static var casesDirectory: String {
        FileManager.default.temporaryDirectory.appendingPathComponent("exhibit-lab-cases-\(getpid())").path
    }

    static func build() throws -> (a: String, b: String, dir: String) {
        let dir = casesDirectory
        try? FileManager.default.removeItem(atPath: dir)
        // Built once per test process and shared by the suites: removed when the process exits.
        atexit { try? FileManager.default.removeItem(atPath: LabFixture.casesDirectory) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let a = dir + "/lab-a.sqlite", b = dir + "/lab-b.sqlite"
        for (db, name, evidence) in [(a, "LAB-A", "sample-case/pc-export.tar.gz"), (b, "LAB-B", "phone/android/android-ffs.tar")] {
            for (set, algorithm, file) in [("demo-known-pdq", "pdq", "pdq.txt"), ("demo-known-sha256", "sha256", "sha256.txt")] {
                let r = try Run.command(exhibit, ["hashset", "import", "--db", db, "--name", set, "--kind", "known-bad",
                                                  "--algorithm", algorithm, Corpus.url("sample-case/known-bad/\(file)").path])
                guard r.exitCode == 0 else { throw ClusterError("hashset import: \(r.stderr)") }
            }
            let r = try Run.command(exhibit, ["ingest", Corpus.url(evidence).path, "--db", db, "--case", name, "--examiner", "Lab Tester",
                                              "--assume-tz", "Asia/Seoul", "--json"])
            guard r.exitCode == 0 else { throw ClusterError("ingest \(evidence): \(r.stderr)") }
        }
        return (a, b, dir)
    }

    /// SHA-256 of a file inside a case, by the end of its virtual path.
    static func sha256(in db: String, pathSuffix: String) throws -> String {
        let q = try open(db)
        return try #require(try q.read { try String.fetchOne($0, sql: "SELECT sha256 FROM files WHERE path LIKE ? ORDER BY id LIMIT 1", arguments: ["%" + pathSuffix]) })
    }

    static func open(_ db: String) throws -> DatabaseQueue {
        var config = Configuration()
        config.readonly = true
        return try DatabaseQueue(path: db, configuration: config)
    }

    /// Starts a cluster, runs `lab init`, runs `body`, stops the cluster. Tests are async and
    /// never block on the lab (a blocked cooperative thread could starve the driver's tasks).
    static func withLab<T: Sendable>(_ body: (PostgresCluster, LabURL) async throws -> T) async throws -> T {
        let cluster = try PostgresCluster()
        defer { cluster.stop() }
        let url = try LabURL(parsing: cluster.url)
        try await session(url) { try await $0.migrate() }
        return try await body(cluster, url)
    }

    /// Connects, runs `body`, closes.
    static func session<T: Sendable>(_ url: LabURL, _ body: (LabIndex) async throws -> T) async throws -> T {
        let lab = try await LabIndex.connect(url)
        do {
            let r = try await body(lab)
            await lab.close()
            return r
        } catch {
            await lab.close()
            throw error
        }
    }
}
