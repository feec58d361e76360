import ExhibitKit
import ExhibitSupport
import Foundation
import GRDB
internal import GRDBSQLite

/// An app's SQLite database from the evidence, opened from the engine's **private copy** — never
/// the evidence itself — together with the copies of its `-wal` and `-journal` that lie beside
/// it, so rows that exist only in the WAL are read.
///
/// The copy is opened read-write (SQLite must be free to replay a WAL or roll back a hot journal
/// *in the copy*, which is what the app would see on its next start) but every statement runs
/// under `PRAGMA query_only`, `trusted_schema` is off (no functions from a suspect's schema), and
/// a progress handler stops any statement that produces no row for ``timeLimit`` seconds: a
/// hostile database cannot stall the ingest, and a large one is never cut short for its size.
public final class AppDatabase: @unchecked Sendable {
    // Safe: `queue` serialises all access; the other fields are immutable.
    public let queue: DatabaseQueue
    /// What was found beside the database and how SQLite saw it.
    public let facts: DatabaseFacts
    /// The file as handed to the analyzer (virtual and device paths for provenance).
    public let file: EvidenceFile
    private let deadline: DeadlineBox

    /// Opens `file`'s private copy. In-memory content (tests, small files) is first written to a
    /// private file under `temporaryDirectory`. Throws ``AnalyzerError`` (`empty-database`,
    /// `not-a-database` naming what the bytes look like, `database-unreadable`) when SQLite
    /// cannot read it at all.
    public static func open(_ file: EvidenceFile, temporaryDirectory: URL, timeLimit: TimeInterval = 120) throws -> AppDatabase {
        let url: URL
        switch file.content {
        case .temporaryFile(let u): url = u
        case .memory(let data):
            let dir = temporaryDirectory.appendingPathComponent("appdb-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            url = dir.appendingPathComponent(file.name.isEmpty ? "database" : file.name)
            guard FileManager.default.createFile(atPath: url.path, contents: data, attributes: [.posixPermissions: 0o600]) else {
                throw AnalyzerError(code: "database-unreadable", message: "\(file.virtualPath): cannot make a private copy")
            }
        case .none:
            throw AnalyzerError(code: "database-unreadable", message: "\(file.virtualPath): no readable content")
        }
        let head = Self.head(url)
        if head.isEmpty {
            throw AnalyzerError(code: "empty-database", message: "\(file.virtualPath): zero bytes — nothing to read")
        }
        guard head.starts(with: Array("SQLite format 3\u{0}".utf8)) else {
            throw AnalyzerError(code: "not-a-database", message: "\(file.virtualPath): not an SQLite database (\(Self.describe(head)))")
        }
        let box = DeadlineBox(seconds: timeLimit)
        var config = Configuration()
        config.label = "evidence-copy"
        config.foreignKeysEnabled = false
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA trusted_schema = OFF")
            try db.execute(sql: "PRAGMA cell_size_check = ON")
            try db.execute(sql: "PRAGMA query_only = ON")
            box.install(on: db.sqliteConnection)
        }
        let queue: DatabaseQueue
        do { queue = try DatabaseQueue(path: url.path, configuration: config) } catch {
            throw AnalyzerError(code: "database-unreadable", message: "\(file.virtualPath): SQLite cannot open it: \(error)")
        }
        let facts: DatabaseFacts
        do { facts = try DatabaseFacts.read(queue: queue, file: file, header: head) } catch {
            throw AnalyzerError(code: "database-unreadable",
                                message: "\(file.virtualPath): SQLite cannot read its schema (encrypted, or not a database): \(error)")
        }
        return AppDatabase(queue: queue, facts: facts, file: file, deadline: box)
    }

    private init(queue: DatabaseQueue, facts: DatabaseFacts, file: EvidenceFile, deadline: DeadlineBox) {
        self.queue = queue; self.facts = facts; self.file = file; self.deadline = deadline
    }

    /// Runs `body` with the database (reads only). Errors thrown by SQLite mid-way (a corrupt
    /// page, the time limit) propagate: analyzers turn them into warnings and keep what they read.
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        try queue.inDatabase { db in try body(db) }
    }

    /// Lower-cased column names of `table`, or `nil` when the table does not exist.
    public func columns(of table: String) -> Set<String>? {
        facts.tables[table.lowercased()]
    }

    /// Whether every named table exists.
    public func has(_ tables: String...) -> Bool { tables.allSatisfy { facts.tables[$0.lowercased()] != nil } }

    /// The artifact every app analyzer reports once per database: which companions were present
    /// and used, page size and count, `user_version`, the tables seen (docs/analyzers.md).
    public func artifact(app: String) -> Artifact {
        Artifact(type: "sqlite.database", properties: facts.json(app: app),
                 location: SourceLocation(record: "database header"))
    }

    private static func head(_ url: URL) -> [UInt8] {
        guard let h = try? FileHandle(forReadingFrom: url) else { return [] }
        defer { try? h.close() }
        return Array((try? h.read(upToCount: 100)) ?? Data())
    }

    private static func describe(_ head: [UInt8]) -> String {
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return "it is a zip archive" }
        if head.count >= 16, Set(head.prefix(16)).count > 12 { return "the header looks random: encrypted (SQLCipher?) or another format" }
        return "first bytes " + Hex.encode(head.prefix(8))
    }
}

/// Stops a query that makes no progress for ``seconds``: SQLite's progress handler interrupts a
/// statement when neither a result row nor a new statement has come from this connection for that
/// long. Progress, not total time, is what is bounded: a million-message database read while the
/// case database stores each message (slow on a loaded machine) is never cut short, while a
/// hostile database that makes one step run for minutes is.
final class DeadlineBox: @unchecked Sendable {
    // Safe: `end` is only touched from the connection's own thread (SQLite callbacks and the
    // statements GRDB runs on it, serialised by the queue).
    let seconds: TimeInterval
    var end: Date
    init(seconds: TimeInterval) { self.seconds = seconds; end = Date().addingTimeInterval(seconds) }

    /// Progress seen: a row produced or a statement started.
    func touch() { end = Date().addingTimeInterval(seconds) }

    func install(on connection: OpaquePointer?) {
        touch()
        let context = Unmanaged.passUnretained(self).toOpaque()
        sqlite3_progress_handler(connection, 100_000, { ctx in
            guard let ctx else { return 0 }
            let box = Unmanaged<DeadlineBox>.fromOpaque(ctx).takeUnretainedValue()
            return Date() > box.end ? 1 : 0
        }, context)
        sqlite3_trace_v2(connection, UInt32(SQLITE_TRACE_ROW | SQLITE_TRACE_STMT), { _, ctx, _, _ in
            guard let ctx else { return 0 }
            Unmanaged<DeadlineBox>.fromOpaque(ctx).takeUnretainedValue().touch()
            return 0
        }, context)
    }
}
