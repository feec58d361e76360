import EvidenceStore
import Foundation
import Intake
#if canImport(Glibc)
import Glibc
#endif

/// Process-wide set-up every Exhibit process does before touching evidence.
public enum ProcessSetup {
    /// `TZ=UTC` (libarchive converts DOS times with the process zone: the machine's zone must
    /// never leak into findings) and a UTF-8 locale (libarchive's charset conversions).
    public static func prepare() {
        IntakeWalker.prepareProcess()
        // Before any SQLite connection opens (the store's process-wide SQLite settings).
        EvidenceDatabase.prepareProcess()
    }
}

/// A private scratch folder (0700) for one run: spooled entries and analyzer scratch files live
/// here and nowhere else. Removed when the run ends; folders left by killed runs (their pid no
/// longer alive) are removed at the next start.
final class PrivateTemporaryDirectory: @unchecked Sendable {
    // Safe: immutable after init.
    let url: URL
    private static let prefix = "exhibit-run-"

    init(root: String) throws {
        Self.sweepStale(root: root)
        var template = Array("\(root)/\(Self.prefix)\(getpid())-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buf -> Bool in
            guard let base = buf.baseAddress else { return false }
            return mkdtemp(base) != nil
        }
        guard made else { throw IngestError("cannot create a private temp directory under \(root): \(String(cString: strerror(errno))); set --temp-dir or TMPDIR") }
        let path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        chmod(path, 0o700)
        url = URL(fileURLWithPath: path, isDirectory: true)
    }

    func remove() { try? FileManager.default.removeItem(at: url) }

    /// Removes `exhibit-run-<pid>-*` folders whose process is gone.
    private static func sweepStale(root: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: root) else { return }
        for name in names where name.hasPrefix(prefix) {
            let rest = name.dropFirst(prefix.count)
            guard let pidText = rest.split(separator: "-").first, let pid = pid_t(pidText), pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { try? FileManager.default.removeItem(atPath: "\(root)/\(name)") }
        }
    }
}

/// An exclusive advisory lock on the case database, so two ingests never write one case at
/// once (SQLite would serialise them, but their work would interleave). `flock` does not modify
/// the file.
final class DatabaseLock: @unchecked Sendable {
    // Safe: the descriptor is only closed in deinit.
    private let fd: Int32

    init(path: String, waitMessage: () -> Void) throws {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw IngestError("cannot open database \(path): \(String(cString: strerror(errno)))") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            waitMessage()
            while flock(fd, LOCK_EX) != 0 && errno == EINTR {}
        }
    }

    deinit { close(fd) }
}

/// In a worker: exit at once if the supervisor dies (an outside kill of `exhibit ingest` must not
/// leave an orphan writing the case).
public enum ParentWatch {
    /// Starts a background check of the parent pid; call once in a worker.
    public static func start() {
        let parent = getppid()
        let t = Thread {
            while true {
                if getppid() != parent { _exit(137) }
                usleep(200_000)
            }
        }
        t.stackSize = 64 << 10
        t.start()
    }
}

/// The case database's writer lock for a writing command outside Engine (`exhibit hashset
/// import`), so it never interleaves with an ingest, `match` or `case set-tz`. Held until
/// released or deinitialised; don't call an Engine writer (which takes the lock itself) while
/// holding it: `flock` on a second descriptor would wait for this one.
public final class CaseWriteLock: Sendable {
    private let lock: DatabaseLock

    /// Waits for the lock (with a message on stderr when another writer holds it).
    public init(databasePath: String) throws {
        lock = try DatabaseLock(path: databasePath) {
            FileHandle.standardError.write(Data("exhibit: another exhibit process is writing \(databasePath); waiting for it to finish\n".utf8))
        }
    }
}
