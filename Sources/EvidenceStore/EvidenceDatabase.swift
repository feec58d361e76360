import ExhibitKit
import Foundation
import GRDB

/// One case database: a SQLite file in WAL mode with one writer connection.
///
/// All writes go through this object's single serial connection, so callers on many threads are
/// serialised here; analyzers never write. Commits are durable when they return
/// (`synchronous=FULL`): a file the store acknowledged survives kill -9 and power loss, and a
/// second process that opens the file afterwards resumes from what was committed.
public final class EvidenceDatabase: Sendable {
    /// `PRAGMA application_id` of every Exhibit case database ("EXHB").
    public static let applicationID: Int32 = 0x4558_4842

    /// The file this object opened.
    public let path: String
    /// Whether the connection was opened read-only (query commands).
    public let isReadOnly: Bool
    /// The one serial connection. Internal so the module's extensions share it.
    let queue: DatabaseQueue

    /// Identifiers of every migration this build knows, in order (`v1-foundation`, …).
    public static var migrationIdentifiers: [String] { StoreMigrations.identifiers }

    /// The schema version this build writes: the number of known migrations.
    public static var schemaVersion: Int { StoreMigrations.identifiers.count }

    /// Creates the case database at `path`, or opens an existing one and applies any migrations
    /// it lacks. Refuses a file that exists but is not an Exhibit case database.
    public init(path: String) throws {
        try Self.checkHeader(path: path, mustExist: false)
        try Self.refuseForeign(path: path)
        self.path = path
        self.isReadOnly = false
        self.queue = try Self.openQueue(path: path, readOnly: false)
        try Self.checkIdentity(queue, path: path, allowEmpty: true)
        try StoreMigrations.migrator.migrate(queue)
    }

    private init(path: String, readOnly: Bool, queue: DatabaseQueue) {
        self.path = path
        self.isReadOnly = readOnly
        self.queue = queue
    }

    /// Opens an existing case database, for query commands (`readOnly: true`) or to continue
    /// working on it. Fails with ``EvidenceStoreError`` when the file is missing or is not an
    /// Exhibit database; a read-only open also fails when the schema needs an upgrade. A
    /// writable open also rebuilds indexes an interrupted ingest left dropped.
    public static func openExisting(path: String, readOnly: Bool) throws -> EvidenceDatabase {
        try checkHeader(path: path, mustExist: true)
        try refuseForeign(path: path)
        func opened(immutable: Bool) throws -> DatabaseQueue {
            let queue = try openQueue(path: path, readOnly: readOnly || immutable, immutable: immutable)
            try checkIdentity(queue, path: path, allowEmpty: false)
            return queue
        }
        let queue: DatabaseQueue
        do {
            queue = try opened(immutable: false)
        } catch let error as DatabaseError where readOnly && error.resultCode == .SQLITE_CANTOPEN && onReadOnlyFileSystem(path) {
            // A WAL database on a read-only mount: SQLite cannot create the -shm file beside it.
            // Nobody can change the file there, so it is opened immutable (no locks, no -shm) —
            // unless a write-ahead log holds commits the main file lacks, which immutable would ignore.
            var wal = stat()
            if stat(path + "-wal", &wal) == 0, wal.st_size > 0 {
                throw EvidenceStoreError.unmergedLogOnReadOnlyFileSystem(path: path)
            }
            queue = try opened(immutable: true)
        }
        if readOnly {
            let applied = try queue.read { try StoreMigrations.migrator.appliedIdentifiers($0) }
            let missing = StoreMigrations.identifiers.filter { !applied.contains($0) }
            if !missing.isEmpty { throw EvidenceStoreError.needsUpgrade(path: path, missingMigrations: missing) }
        } else {
            try StoreMigrations.migrator.migrate(queue)
        }
        let db = EvidenceDatabase(path: path, readOnly: readOnly, queue: queue)
        // A run killed mid-ingest leaves its bulk-load indexes dropped; put them back for queries.
        if !readOnly { try db.restoreIndexes() }
        return db
    }

    /// Migrations recorded in this file, in the order they were applied.
    public func appliedMigrations() throws -> [String] {
        try queue.read { try StoreMigrations.migrator.appliedMigrations($0) }
    }

    /// `PRAGMA integrity_check` lines (`["ok"]` for a sound file).
    public func integrityCheck() throws -> [String] {
        try queue.read { try String.fetchAll($0, sql: "PRAGMA integrity_check") }
    }

    // MARK: - Opening

    /// Looks at an existing file through an immutable read-only open (no lock, no `-wal`/`-shm`
    /// created, nothing written) and refuses another application's SQLite file before any open
    /// that could change it — a writable one would switch it to WAL (issue 19).
    private static func refuseForeign(path: String) throws {
        var st = stat()
        guard stat(path, &st) == 0, st.st_size > 0 else { return }
        do {
            let probe = try openQueue(path: path, readOnly: true, immutable: true)
            defer { try? probe.close() }
            // Empty is allowed here: our own case may have all its commits still in the -wal,
            // which an immutable open does not read; the real open checks again.
            try checkIdentity(probe, path: path, allowEmpty: true)
        } catch let error as DatabaseError {
            // The main file alone may be mid-checkpoint after a kill: the real open (which
            // replays the log) decides, with the same identity check.
            _ = error
        }
    }

    /// Whether `path` lies on a file system mounted read-only.
    static func onReadOnlyFileSystem(_ path: String) -> Bool {
        var fs = statvfs()
        return statvfs(path, &fs) == 0 && fs.f_flag & 1 != 0   // ST_RDONLY
    }

    /// `immutable` opens `file:PATH?immutable=1` (read-only): SQLite takes no locks and creates
    /// nothing beside the file, so a file that may not be ours is looked at without being touched.
    private static func openQueue(path: String, readOnly: Bool, immutable: Bool = false) throws -> DatabaseQueue {
        prepareProcess()
        var config = Configuration()
        config.readonly = readOnly
        config.foreignKeysEnabled = true
        config.label = "EvidenceStore"
        // Another process (a query command, the next run) may hold the file briefly.
        config.busyMode = .timeout(30)
        config.prepareDatabase { db in
            db.add(function: EntryKeyOrder.sqlFunction)
            // 64 MiB of page cache (default 2 MiB): the hash indexes take random inserts, and
            // keeping their pages in memory avoids re-reading them for every batch.
            try db.execute(sql: "PRAGMA cache_size = -65536")
            guard !db.configuration.readonly else { return }
            // Set by hand rather than with `journalMode = .wal`, which would lower `synchronous`
            // to NORMAL: a commit that acknowledges files as done must reach the disk.
            let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
            guard mode?.lowercased() == "wal" else {
                throw DatabaseError(message: "could not switch \(db.description) to WAL (got \(mode ?? "nil"))")
            }
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        var target = path
        if immutable {
            config.readonly = true
            // URI filenames are enabled in Debian's SQLite (SQLITE_USE_URI); '?', '#' and '%' in
            // the path are escaped so they stay part of it.
            var allowed = CharacterSet.urlPathAllowed
            allowed.remove(charactersIn: "?#%")
            let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
            target = "file:" + (absolute.addingPercentEncoding(withAllowedCharacters: allowed) ?? absolute) + "?immutable=1"
        }
        do {
            return try DatabaseQueue(path: target, configuration: config)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw EvidenceStoreError.notExhibitDatabase(path: path, reason: "not a SQLite file")
        }
    }

    /// Looks at the file's first bytes before SQLite touches it, so a wrong `--db` path (an
    /// evidence file!) is refused without being opened for writing.
    private static func checkHeader(path: String, mustExist: Bool) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            if mustExist || FileManager.default.fileExists(atPath: path) {
                throw FileManager.default.fileExists(atPath: path)
                    ? EvidenceStoreError.notExhibitDatabase(path: path, reason: "cannot be read")
                    : EvidenceStoreError.notFound(path: path)
            }
            return
        }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 16)) ?? Data()
        if head.isEmpty && !mustExist { return }
        guard head == Data("SQLite format 3\0".utf8) else {
            throw EvidenceStoreError.notExhibitDatabase(path: path, reason: "not a SQLite file")
        }
    }

    /// Refuses SQLite files made by something else, and files from a newer Exhibit.
    private static func checkIdentity(_ queue: DatabaseQueue, path: String, allowEmpty: Bool) throws {
        let (appID, tableCount, applied): (Int32, Int, Set<String>) = try queue.read { db in
            let appID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
            // GRDB creates `grdb_migrations` in its own transaction before the first migration
            // (which sets application_id): a run killed between the two leaves only that empty
            // table, which is still our fresh database, not another application's.
            var tables = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'") ?? 0
            if appID == 0, tables == 1, try db.tableExists("grdb_migrations"),
               try Int.fetchOne(db, sql: "SELECT count(*) FROM grdb_migrations") == 0 { tables = 0 }
            let applied = appID == applicationID ? try StoreMigrations.migrator.appliedIdentifiers(db) : []
            return (appID, tables, applied)
        }
        if appID == 0 && tableCount == 0 {
            if allowEmpty { return }
            throw EvidenceStoreError.notExhibitDatabase(path: path, reason: "empty database")
        }
        guard appID == applicationID else {
            throw EvidenceStoreError.notExhibitDatabase(
                path: path, reason: appID == 0 ? "SQLite database of another application" : "application_id \(appID)")
        }
        let unknown = applied.subtracting(StoreMigrations.identifiers).sorted()
        if !unknown.isEmpty { throw EvidenceStoreError.newerSchema(path: path, unknownMigrations: unknown) }
    }
}
