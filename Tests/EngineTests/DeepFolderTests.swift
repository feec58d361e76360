import ExhibitTesting
import Foundation
import GRDB
import Testing

/// Folders as evidence made by a suspect (issue 19, item 7): a tree deeper than the descriptor
/// limit, a tree deep enough to overflow a recursive walker's stack, and a folder the examiner's
/// user cannot read. Every entry that could not be examined is a row with its reason, and the
/// evidence item's status says so — never a silent `ok`.
@Suite(.serialized)
struct DeepFolderTests {
    /// A chain of `depth` folders named `d` with `leaf.txt` at the bottom, made without ever
    /// passing a path longer than one name (deeper than PATH_MAX).
    private func chain(_ root: String, depth: Int) throws {
        let r = try Run.command("/usr/bin/env", ["python3", "-c", """
            import os, sys
            os.makedirs(sys.argv[1], exist_ok=True)
            os.chdir(sys.argv[1])
            for _ in range(int(sys.argv[2])):
                os.mkdir("d")
                os.chdir("d")
            open("leaf.txt", "w").write("bottom\\n")
            """, root, String(depth)])
        try #require(r.exitCode == 0, "\(r.stderr)")
    }

    /// Removes a chain made by ``chain(_:depth:)`` bottom-up by relative steps (linear time; `rm -rf`
    /// takes quadratic time at this depth and FileManager's removal recurses), then the rest.
    private func removeDeep(_ dir: TestDirectory) {
        _ = try? Run.command("/usr/bin/env", ["python3", "-c", """
            import os, sys
            for top in os.listdir(sys.argv[1]):
                path = os.path.join(sys.argv[1], top)
                if not os.path.isdir(path) or os.path.islink(path):
                    continue
                os.chdir(path)
                depth = 0
                while os.path.isdir("d") and not os.path.islink("d"):
                    os.chdir("d")
                    depth += 1
                for name in os.listdir("."):
                    if not os.path.isdir(name):
                        os.unlink(name)
                for _ in range(depth):
                    os.chdir("..")
                    os.rmdir("d")
            """, dir.url.path])
        _ = try? Run.command("/bin/rm", ["-rf", dir.url.path])
    }

    @Test func aTreeDeeperThanTheDescriptorLimitIsWalkedCompletely() throws {
        let dir = try TestDirectory("deep-fd"); defer { removeDeep(dir) }
        let root = dir.path("deep")
        try chain(root, depth: 3000)
        let db = dir.path("case.sqlite")
        // The common default soft limit, and lower: a walker holding one descriptor per level stops early.
        let r = try Run.shell("ulimit -n 256 && '\(Fixture.exhibit)' ingest '\(root)' --db '\(db)' --case T --examiner T --json")
        #expect(r.exitCode == 0, "\(r.stderr)")
        let q = try Fixture.open(db)
        let count = try q.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM files") }
        #expect(count == 3001, "3000 folders and the leaf file")
        let leaf = try q.read { try Row.fetchOne($0, sql: "SELECT status, sha256, length(path) AS len FROM files WHERE kind = 'file'") }
        #expect(leaf?["status"] as String? == "ok")
        #expect(leaf?["len"] as Int? == "deep!/".count + 3000 * 2 + "leaf.txt".count)
        let item = try q.read { try Row.fetchOne($0, sql: "SELECT status, entry_count FROM evidence") }
        #expect(item?["status"] as String? == "ok")
        #expect(item?["entry_count"] as Int? == 3001)
    }

    @Test func aTreeTooDeepToRecurseEndsWithARowSayingWhereItStopped() throws {
        let dir = try TestDirectory("deep-stack"); defer { removeDeep(dir) }
        let root = dir.path("deeper")
        try chain(root, depth: 30_000)
        let db = dir.path("case.sqlite")
        let r = try Fixture.ingest([root], db: db)
        #expect(r.exitCode == 0, "no crash outside any analyzer: \(r.stderr.suffix(2000))")
        let q = try Fixture.open(db)
        let limited = try q.read {
            try Row.fetchAll($0, sql: "SELECT status, message, length(path) AS len FROM files WHERE status != 'ok'")
        }
        try #require(limited.count == 1, "\(limited.count) rows not ok")
        #expect(limited.first?["status"] as String? == "limit-exceeded")
        #expect(limited.first?["message"] as String? == "deeper than 4096 folder levels or 32768 bytes of path; its entries were not examined")
        let count = try q.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM files") }
        #expect(count == 4096, "every folder down to the limit is a row")
        let item = try q.read { try Row.fetchOne($0, sql: "SELECT status, message FROM evidence") }
        #expect(item?["status"] as String? == "limit-exceeded", "the item says not everything was examined: \(String(describing: item))")
    }

    @Test(.enabled(if: geteuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"),
                   "needs root to run the ingest as nobody (setpriv)"))
    func anUnreadableFolderIsARowNotASilentGap() throws {
        let dir = try TestDirectory("unreadable"); defer { _ = try? Run.command("/bin/chmod", ["-R", "u+rwx", dir.url.path]); removeDeep(dir) }
        let root = dir.path("ev")
        for (path, text) in [("ev/open/a.txt", "a\n"), ("ev/locked/secret.txt", "s\n"), ("ev/z.txt", "z\n")] {
            try FileManager.default.createDirectory(atPath: dir.path((path as NSString).deletingLastPathComponent), withIntermediateDirectories: true)
            try text.write(toFile: dir.path(path), atomically: true, encoding: .utf8)
        }
        #expect(try Run.shell("chmod -R a+rwX '\(dir.url.path)' && chmod 000 '\(root)/locked'").exitCode == 0)
        let db = dir.path("case.sqlite")
        let r = try Run.command("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", Fixture.exhibit, "ingest", root,
                                                     "--db", db, "--case", "T", "--examiner", "T", "--json"],
                                environment: ["HOME": dir.url.path, "TMPDIR": dir.url.path])
        #expect(r.exitCode == 0, "\(r.stderr)")
        let q = try Fixture.open(db)
        let rows = try q.read { try Row.fetchAll($0, sql: "SELECT path, status, message FROM files ORDER BY path") }
        #expect(rows.map { "\($0["path"] as String) \($0["status"] as String)" } == [
            "ev!/locked unsupported", "ev!/open ok", "ev!/open/a.txt ok", "ev!/z.txt ok",
        ])
        #expect(rows.first?["message"] as String? == "cannot open the folder: Permission denied; its entries were not examined")
        let item = try q.read { try String.fetchOne($0, sql: "SELECT status FROM evidence") }
        #expect(item == "unsupported", "the item is not ok when a folder could not be read")
    }

    @Test(.enabled(if: geteuid() == 0 && FileManager.default.fileExists(atPath: "/sys/kernel/mm/transparent_hugepage/enabled"),
                   "needs root to bind-mount a pseudo-file whose size differs from its content"))
    func aFileWhoseSizeChangesWhileReadIsFlagged() throws {
        let dir = try TestDirectory("size-change"); defer { dir.remove() }
        let root = dir.path("ev")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        for n in ["grew", "shrank"] { try Data().write(to: URL(fileURLWithPath: root + "/" + n)) }
        // /proc/version lists 0 bytes and reads more (grew); a sysfs file lists 4096 and reads fewer (shrank).
        let mounted = try Run.shell("mount --bind /proc/version '\(root)/grew' && mount --bind /sys/kernel/mm/transparent_hugepage/enabled '\(root)/shrank'")
        defer { _ = try? Run.shell("umount '\(root)/grew'; umount '\(root)/shrank'") }
        try #require(mounted.exitCode == 0, "this machine cannot bind-mount here: \(mounted.stderr)")
        let db = dir.path("case.sqlite")
        let r = try Fixture.ingest([root], db: db)
        #expect(r.exitCode == 0, "\(r.stderr)")
        let rows = try Fixture.open(db).read {
            try Row.fetchAll($0, sql: "SELECT path, status, flags, message, size FROM files ORDER BY path")
        }
        #expect(rows.map { "\($0["path"] as String) \($0["status"] as String)" } == ["ev!/grew ok", "ev!/shrank truncated"])
        #expect(rows.allSatisfy { ($0["flags"] as String?)?.contains("size-mismatch") == true }, "\(rows)")
        let shrank = try #require(rows.last)
        #expect((shrank["message"] as String?)?.hasPrefix("the file shrank while it was read: 4096 bytes when listed, ") == true)
        #expect(try Fixture.open(db).read { try String.fetchOne($0, sql: "SELECT status FROM evidence") } == "truncated")
    }

    @Test func aFIFOOrALinkToADeviceAsEvidenceIsRefusedAtOnce() throws {
        let dir = try TestDirectory("special-evidence"); defer { dir.remove() }
        let fifo = dir.path("ev.fifo"), zero = dir.path("ev.img")
        #expect(mkfifo(fifo, 0o600) == 0)
        try FileManager.default.createSymbolicLink(atPath: zero, withDestinationPath: "/dev/zero")
        for ev in [fifo, zero] {
            let db = dir.path("case-\((ev as NSString).lastPathComponent).sqlite")
            // `timeout` only as a guard for the test: before the fix both hung for ever.
            let r = try Run.shell("timeout 60 '\(Fixture.exhibit)' ingest '\(ev)' --db '\(db)' --case T --examiner T")
            #expect(r.exitCode != 124 && r.exitCode != 0, "\(ev): exit \(r.exitCode)")
            #expect(r.stderr.contains("not a regular file or folder (a FIFO, device or socket); refused"), "\(r.stderr)")
        }
    }

    @Test func aCaseDatabaseInsideTheEvidenceFolderIsRefused() throws {
        let dir = try TestDirectory("db-inside"); defer { dir.remove() }
        let ev = dir.path("ev")
        try FileManager.default.createDirectory(atPath: ev + "/sub", withIntermediateDirectories: true)
        try "a\n".write(toFile: ev + "/a.txt", atomically: true, encoding: .utf8)
        for db in [ev + "/case.sqlite", ev + "/sub/../sub/case.sqlite"] {
            let r = try Fixture.ingest([ev], db: db)
            #expect(r.exitCode == 2, "\(r.stderr)")
            #expect(r.stderr.contains("is inside the evidence folder \(ev): it would be ingested as evidence and change it. Put the case database outside the evidence."), "\(r.stderr)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: ev).sorted() == ["a.txt", "sub"], "nothing was created in the evidence")
        let outside = try Fixture.ingest([ev], db: dir.path("case.sqlite"))
        #expect(outside.exitCode == 0, "\(outside.stderr)")
    }
}
