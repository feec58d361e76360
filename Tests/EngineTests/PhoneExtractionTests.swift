import ExhibitTesting
import Foundation
import GRDB
import Testing

/// Phone extractions (issue 11): device paths recognised whatever the vendor prefix, and the
/// companion phase — a database handed to its analyzer with its `-wal` and sibling database as
/// private copies, whatever their order in the archive — proved with the test bed's SQLite probe.
@Suite("Phone extractions: device paths and databases with companions")
struct PhoneExtractionTests {
    /// Writes `root/<prefix>/…` with a WAL-mode database whose last two rows live only in its
    /// `-wal`, a sibling database, and files outside the app folder.
    static func makeTree(_ root: String) throws {
        let script = """
        import os, shutil, sqlite3, sys
        root = sys.argv[1]
        app = os.path.join(root, 'data/data/com.example.app/databases')
        for d in [app, os.path.join(root, 'system'), os.path.join(root, 'data/media/0/DCIM/Camera')]:
            os.makedirs(d, exist_ok=True)
        open(os.path.join(root, 'system/build.prop'), 'w').write('ro.product.model=Probe\\n')
        open(os.path.join(root, 'data/media/0/DCIM/Camera/note.txt'), 'w').write('camera folder note\\n')
        work = os.path.join(root, '..', 'work'); os.makedirs(work, exist_ok=True)
        db = os.path.join(work, 'probe.db')
        c = sqlite3.connect(db, isolation_level=None)
        c.execute('PRAGMA journal_mode=WAL'); c.execute('PRAGMA wal_autocheckpoint=0')
        c.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)')
        for i in range(3): c.execute('INSERT INTO t (v) VALUES (?)', ('row %d' % i,))
        c.execute('PRAGMA wal_checkpoint(TRUNCATE)')
        for i in range(3, 5): c.execute('INSERT INTO t (v) VALUES (?)', ('wal-only %d' % i,))
        shutil.copy(db, os.path.join(app, 'probe.db')); shutil.copy(db + '-wal', os.path.join(app, 'probe.db-wal'))
        c.close()
        o = sqlite3.connect(os.path.join(app, 'other.db'))
        o.execute('CREATE TABLE t (id INTEGER PRIMARY KEY)'); o.executemany('INSERT INTO t VALUES (?)', [(i,) for i in range(4)])
        o.commit(); o.close()
        for dirpath, dirs, files in os.walk(root):
            for n in dirs + files: os.utime(os.path.join(dirpath, n), (1724857923, 1724857923))
        """
        let r = try Run.command("/usr/bin/env", ["python3", "-c", script, root])
        try #require(r.exitCode == 0, "fixture: \(r.stderr)")
    }

    /// A tar of `tree` under `prefix`, listing the WAL before its database and a file outside the
    /// app folder before the entry that reveals the layout (so device paths must be completed later).
    static func makeTar(tree: String, prefix: String, out: String) throws {
        let script = """
        import os, sys, tarfile
        tree, prefix, out = sys.argv[1:4]
        names = []
        for dirpath, dirs, files in os.walk(tree):
            for n in sorted(files): names.append(os.path.relpath(os.path.join(dirpath, n), tree))
        order = sorted(names, key=lambda n: (0 if n.startswith('system') else 1 if n.endswith('-wal') else 2, n))
        with tarfile.open(out, 'w', format=tarfile.PAX_FORMAT) as t:
            for n in order: t.add(os.path.join(tree, n), arcname=prefix + n, recursive=False)
        """
        let r = try Run.command("/usr/bin/env", ["python3", "-c", script, tree, prefix, out])
        try #require(r.exitCode == 0, "tar: \(r.stderr)")
    }

    static func probe(_ db: String) throws -> [String: JSONValueLite] {
        let q = try Fixture.open(db)
        let props = try q.read { try String.fetchAll($0, sql: "SELECT properties FROM artifacts WHERE type = 'testbed.sqlite'") }
        try #require(props.count == 1, "one probe artifact, got \(props.count)")
        let obj = try JSONSerialization.jsonObject(with: Data(props[0].utf8)) as? [String: Any] ?? [:]
        return obj.mapValues { JSONValueLite($0) }
    }

    /// Any analyzer may declare companions (there is one entry point): it runs after the walk on
    /// the private copy, with the `-wal` beside it, and the file's row is committed with its finding.
    @Test func anyAnalyzerWithCompanionsRunsOnThePrivateCopy() throws {
        let dir = try TestDirectory("phone-contract")
        defer { dir.remove() }
        let folder = dir.path("evidence/contract")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data("SQLite format 3\u{0}".utf8).write(to: URL(fileURLWithPath: folder + "/probe.db"))
        try Data("wal".utf8).write(to: URL(fileURLWithPath: folder + "/probe.db-wal"))
        let db = dir.path("case.sqlite")
        let r = try Fixture.ingest([dir.path("evidence")], db: db, binary: Fixture.testbed)
        try #require(r.exitCode == 0, "\(r.stderr)")
        let q = try Fixture.open(db)
        let rows = try q.read {
            try Row.fetchAll($0, sql: """
                SELECT f.path, f.status, a.properties FROM artifacts a JOIN files f ON f.id = a.file_id
                WHERE a.analyzer_id = 'testbed-contract'
                """)
        }
        #expect(rows.map { "\($0["path"] as String) \($0["status"] as String) \($0["properties"] as String)" }
            == [#"evidence!/contract/probe.db ok {"companions":["probe.db-wal"],"private_copy":true}"#])
        let errors = try q.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM analysis_errors WHERE analyzer_id = 'testbed-contract'") }
        #expect(errors == 0)
    }

    @Test func databaseWithWALAndSiblingReadFromPrivateCopiesWhateverThePrefixOrOrder() throws {
        let dir = try TestDirectory("phone")
        defer { dir.remove() }
        let tree = dir.path("evidence/Dump")
        try Self.makeTree(tree)
        try Self.makeTar(tree: tree, prefix: "Dump/", out: dir.path("evidence/android-a.tar"))
        try Self.makeTar(tree: tree, prefix: "userdata-export/fs/", out: dir.path("evidence/android-b.tar"))
        let before = try Fixture.sha256(of: dir.path("evidence/android-a.tar"))
        let walBefore = try Fixture.sha256(of: tree + "/data/data/com.example.app/databases/probe.db-wal")

        var digests: [String] = []
        for (n, evidence) in [dir.path("evidence/android-a.tar"), dir.path("evidence/android-b.tar"), tree].enumerated() {
            let db = dir.path("case\(n).sqlite")
            let r = try Fixture.ingest([evidence], db: db, binary: Fixture.testbed)
            try #require(r.exitCode == 0, "ingest \(evidence): \(r.stderr)")
            let p = try Self.probe(db)
            #expect(p["rows"] == .number(5), "WAL-only rows are read (\(evidence))")
            #expect(p["other_rows"] == .number(4))
            #expect(p["companions"] == .array([.string("other.db"), .string("probe.db-wal")]))
            #expect(p["device_path"] == .string("/data/data/com.example.app/databases/probe.db"))
            #expect(p["wal_present"] == .bool(true))
            let q = try Fixture.open(db)
            let opened = try q.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM analysis_errors WHERE code = 'opened-evidence'") }
            #expect(opened == 0)
            let paths = try q.read { try [String: String?](uniqueKeysWithValues: Row.fetchAll($0, sql:
                "SELECT path, device_path FROM files WHERE kind = 'file'").map {
                    (String(($0[0] as String).split(separator: "/").last ?? ""), $0[1] as String?) }) }
            #expect(paths["build.prop"] == .some("/system/build.prop"), "completed after the walk")
            #expect(paths["note.txt"] == .some("/data/media/0/DCIM/Camera/note.txt"))
            #expect(paths["probe.db-wal"] == .some("/data/data/com.example.app/databases/probe.db-wal"))
            let layouts = try q.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM device_layouts WHERE platform = 'android'") }
            #expect(layouts == 1)
            let d = try Run.command(Fixture.exhibit, ["digest", "--device", "--db", db])
            try #require(d.exitCode == 0, "digest: \(d.stderr)")
            digests.append(d.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        #expect(Set(digests).count == 1, "same device digest for two prefixes and the folder: \(digests)")
        #expect(try Fixture.sha256(of: dir.path("evidence/android-a.tar")) == before, "evidence unchanged")
        #expect(try Fixture.sha256(of: tree + "/data/data/com.example.app/databases/probe.db-wal") == walBefore,
                "a WAL in folder evidence is never checkpointed")
    }
}

/// A small JSON value for comparing artifact properties in tests.
enum JSONValueLite: Equatable {
    case number(Double), string(String), bool(Bool), array([JSONValueLite]), null, other
    init(_ any: Any) {
        switch any {
        case let b as Bool where type(of: any) == type(of: true as AnyObject) || any is Bool: self = .bool(b)
        case let n as NSNumber: self = .number(n.doubleValue)
        case let s as String: self = .string(s)
        case let a as [Any]: self = .array(a.map(JSONValueLite.init))
        case is NSNull: self = .null
        default: self = .other
        }
    }
}
