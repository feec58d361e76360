import ExhibitKit
import Foundation
import GRDB

/// A half-open window of instants, `[fromMicros, beforeMicros)` in µs since the epoch (UTC);
/// either end may be open. What it selects is per query (events, messages, files with a time in
/// the window): docs/exports.md.
public struct InstantWindow: Sendable, Hashable {
    /// First instant kept, or `nil` for no lower bound.
    public var fromMicros: Int64?
    /// First instant no longer kept, or `nil` for no upper bound.
    public var beforeMicros: Int64?

    /// A window; both ends open by default.
    public init(fromMicros: Int64? = nil, beforeMicros: Int64? = nil) {
        self.fromMicros = fromMicros; self.beforeMicros = beforeMicros
    }

    /// Whether either end is set.
    public var isBounded: Bool { fromMicros != nil || beforeMicros != nil }

    /// SQL clause and arguments restricting the integer column `column` to the window (`1` when
    /// unbounded).
    func sql(_ column: String) -> (sql: String, args: StatementArguments) {
        var parts: [String] = []
        var args = StatementArguments()
        if let f = fromMicros { parts.append("\(column) >= ?"); args += [f] }
        if let b = beforeMicros { parts.append("\(column) < ?"); args += [b] }
        return (parts.isEmpty ? "1" : parts.joined(separator: " AND "), args)
    }
}

/// A forward-only cursor of typed rows over one query of a ``CaseOutputReader``: one SQLite
/// statement stepped row by row, so memory stays flat however many rows there are. Valid only
/// inside the ``EvidenceDatabase/readCase(_:)`` call that made it.
public final class QueryCursor<Element> {
    private let rows: RowCursor
    private let decode: (Row) throws -> Element

    init(_ rows: RowCursor, _ decode: @escaping (Row) throws -> Element) {
        self.rows = rows; self.decode = decode
    }

    /// The next row, or `nil` after the last.
    public func next() throws -> Element? {
        guard let row = try rows.next() else { return nil }
        return try decode(row)
    }
}

/// The store's named queries for the case outputs (`exhibit export`, `exhibit report`), all run
/// inside one read transaction so a document is written from one snapshot of the case. Made
/// only by ``EvidenceDatabase/readCase(_:)``; must not be kept beyond its closure. Each query
/// returns typed rows; the SQL stays in the store (docs/architecture.md, "import rules").
public struct CaseOutputReader {
    let db: Database

    /// Whether the database has a table or view of that name (features that landed later, or
    /// issue 5's hash-set tables, may be absent).
    public func hasRelation(_ name: String) throws -> Bool { try EvidenceDatabase.relationExists(db, name) }

    /// The case row: name, examiner, declared zone, creation, version (the first case row).
    public func caseHeader() throws -> CaseHeaderRow? {
        try Row.fetchOne(db, sql: "SELECT name, examiner, assumed_zone, created_utc, tool_version FROM cases ORDER BY id LIMIT 1")
            .map { CaseHeaderRow(name: try $0.decode(forColumn: "name"), examiner: try $0.decode(forColumn: "examiner"),
                                 assumedZone: try $0.decode(forColumn: "assumed_zone"),
                                 createdUTC: try $0.decode(forColumn: "created_utc"),
                                 toolVersion: try $0.decode(forColumn: "tool_version")) }
    }

    /// Every evidence item, ordered by label.
    public func evidenceItems() throws -> [EvidenceItemRow] {
        try Row.fetchAll(db, sql: """
            SELECT id, label, item, kind, path, size, md5, sha1, sha256, hash_kind, expected_sha256, expected_match, status, complete,
                   seized_by, seized_at_utc, seized_at_basis, description, format, entry_count
            FROM evidence ORDER BY label
            """).map { e in
            EvidenceItemRow(id: try e.decode(forColumn: "id"), label: try e.decode(forColumn: "label"),
                            item: try e.decode(forColumn: "item"), kind: try e.decode(forColumn: "kind"),
                            path: try e.decode(forColumn: "path"), size: try e.decode(forColumn: "size"),
                            md5: try e.decode(forColumn: "md5"), sha1: try e.decode(forColumn: "sha1"),
                            sha256: try e.decode(forColumn: "sha256"), hashKind: try e.decode(forColumn: "hash_kind"),
                            expectedSHA256: try e.decode(forColumn: "expected_sha256"),
                            expectedMatch: try e.decode(forColumn: "expected_match"),
                            status: try e.decode(forColumn: "status"), complete: try e.decode(forColumn: "complete"),
                            seizedBy: try e.decode(forColumn: "seized_by"),
                            seizedAtUTC: try e.decode(forColumn: "seized_at_utc"),
                            seizedAtBasis: try e.decode(forColumn: "seized_at_basis"),
                            description: try e.decode(forColumn: "description"), format: try e.decode(forColumn: "format"),
                            entryCount: try e.decode(forColumn: "entry_count"))
        }
    }

    /// Every ingest run in order, with the examiner its `ingest.start` audit entry names.
    public func ingestRuns() throws -> [IngestRunRow] {
        try Row.fetchAll(db, sql: """
            SELECT r.id, r.started_utc, r.finished_utc, r.tool_version, r.status, r.files_committed, r.chain_head, r.signature,
                   (SELECT json_extract(a.details, '$.examiner') FROM audit_log a
                    WHERE a.action = 'ingest.start' AND json_extract(a.details, '$.run') = r.id) AS examiner
            FROM ingest_runs r ORDER BY r.id
            """).map { r in
            IngestRunRow(id: try r.decode(forColumn: "id"), startedUTC: try r.decode(forColumn: "started_utc"),
                         finishedUTC: try r.decode(forColumn: "finished_utc"), toolVersion: try r.decode(forColumn: "tool_version"),
                         status: try r.decode(forColumn: "status"), filesCommitted: try r.decode(forColumn: "files_committed"),
                         chainHead: try r.decode(forColumn: "chain_head"), signature: try r.decode(forColumn: "signature"),
                         examiner: try r.decode(forColumn: "examiner"))
        }
    }
}

extension EvidenceDatabase {
    /// Runs `body` with the case-output queries inside one read transaction: the exports and the
    /// report read a single consistent snapshot through it. Cursors it hands out end with it.
    public func readCase<T>(_ body: (CaseOutputReader) throws -> T) throws -> T {
        try queue.read { db in try body(CaseOutputReader(db: db)) }
    }

    /// Whether the database has a table or view of that name (features that landed later, or
    /// issue 5's hash-set tables, may be absent).
    public func hasRelation(_ name: String) throws -> Bool {
        try queue.read { db in try Self.relationExists(db, name) }
    }

    /// ``hasRelation(_:)`` inside a read that is already open.
    static func relationExists(_ db: Database, _ name: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT count(*) > 0 FROM sqlite_master WHERE name = ? AND type IN ('table','view')",
                          arguments: [name]) ?? false
    }
}

/// The case row as the outputs print it.
public struct CaseHeaderRow: Sendable, Hashable {
    /// `cases.name`, `examiner`, `assumed_zone`, `created_utc`, `tool_version`.
    public var name: String?, examiner: String?, assumedZone: String?, createdUTC: String?, toolVersion: String?
}

/// One `evidence` row with everything the outputs print of it.
public struct EvidenceItemRow: Sendable, Hashable {
    /// `evidence.id`.
    public var id: Int64
    /// Label, exhibit number (`--item`), kind (`file`, `directory`), path at ingest.
    public var label: String?, item: String?, kind: String?, path: String?
    /// Size in bytes.
    public var size: Int64?
    /// Digests and what they were computed over (`hash_kind`).
    public var md5: String?, sha1: String?, sha256: String?, hashKind: String?
    /// The seizure form's SHA-256 and whether it matched (1/0, `nil` when none was given).
    public var expectedSHA256: String?, expectedMatch: Int64?
    /// Read status and whether the item was read to the end (1/0).
    public var status: String?, complete: Int64?
    /// Custody details as recorded.
    public var seizedBy: String?, seizedAtUTC: String?, seizedAtBasis: String?, description: String?
    /// Container format and entry count.
    public var format: String?, entryCount: Int64?
}

/// One `ingest_runs` row plus the examiner of its `ingest.start` entry.
public struct IngestRunRow: Sendable, Hashable {
    /// `ingest_runs.id`.
    public var id: Int64
    /// Start and end (UTC text), version and status.
    public var startedUTC: String?, finishedUTC: String?, toolVersion: String?, status: String?
    /// Files committed, the audit chain head at its end and its signature (if signed).
    public var filesCommitted: Int64?, chainHead: String?, signature: String?
    /// The examiner the audit log records for the run.
    public var examiner: String?
}
