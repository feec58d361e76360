import ExhibitKit
import Foundation
import GRDB

/// ``RecoveredRecord`` findings → `recovered_records` (migration `v7-recovery`).
enum RecoveredRecordKind: StoredKind {
    static let kinds: [FindingKind] = [.recoveredRecord]
    static let tables = ["recovered_records"]
    static let migrations: [KindMigration] = []
    static let digestSections = [FindingsDigest.recoveredRecords]
    static func writer(_ db: Database) throws -> any KindWriter { try RecoveryRowWriter(db) }
}

/// Writes one file's ``RecoveredRecord`` findings into `recovered_records` inside the file's
/// commit transaction, and links the file's recovered messages to them. A redo of the file
/// first drops the rows an earlier commit stored.
struct RecoveryRowWriter: KindWriter {
    private let db: Database
    private let insert: Statement
    private let delete: Statement
    private let find: Statement
    private let setLink: Statement

    init(_ db: Database) throws {
        self.db = db
        insert = try db.cachedStatement(sql: """
            INSERT INTO recovered_records (file_id, analyzer_id, analyzer_version, table_name, source, page, cell_offset,
                wal_frame, rowid, values_json, duplicate_of_live) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        delete = try db.cachedStatement(sql: "DELETE FROM recovered_records WHERE file_id = ?")
        find = try db.cachedStatement(sql: """
            SELECT id FROM recovered_records
            WHERE file_id = ? AND source = ? AND page = ? AND cell_offset = ? AND wal_frame IS ? ORDER BY id LIMIT 1
            """)
        setLink = try db.cachedStatement(sql: "UPDATE messages SET recovered_record_id = ? WHERE id = ?")
    }

    /// Removes what an earlier commit of `fileID` stored.
    func deleteFile(_ fileID: Int64) throws { try delete.execute(arguments: [fileID]) }

    func write(_ produced: ProducedFinding, fileID: Int64) throws -> KindProblem? {
        guard case .recoveredRecord(let r) = produced.finding else { return nil }
        try write(r, fileID: fileID, analyzerID: produced.analyzerID, analyzerVersion: produced.analyzerVersion)
        return nil
    }

    /// Stores one recovered row; returns its id.
    @discardableResult
    func write(_ r: RecoveredRecord, fileID: Int64, analyzerID: String, analyzerVersion: String) throws -> Int64 {
        try insert.execute(arguments: [fileID, analyzerID, analyzerVersion, r.tableName, r.source.rawValue, r.page, r.cellOffset,
                                       r.walFrame, r.rowid, r.valuesJSON, r.duplicateOfLive ? 1 : 0])
        return db.lastInsertedRowID
    }

    /// Links each recovered message of the file to the `recovered_records` row of the same file
    /// found at the same place (source, page, cell offset, WAL frame) — whichever analyzer
    /// stored it, so one recovered row is stored once. When none did (the recovery analyzer was
    /// not selected, or did not reach the row), the message's own row is stored under the app
    /// analyzer's id, so every recovered message names its record. Runs once all of the file's
    /// findings are written, in the same transaction.
    func link(_ pending: [PendingRecoveredMessage], fileID: Int64) throws {
        for p in pending {
            let r = p.record
            let id = try Int64.fetchOne(find, arguments: [fileID, r.source.rawValue, r.page, r.cellOffset, r.walFrame])
                ?? write(r, fileID: fileID, analyzerID: p.analyzerID, analyzerVersion: p.analyzerVersion)
            try setLink.execute(arguments: [id, p.messageID])
        }
    }
}

/// A recovered message written to `messages`, waiting for its `recovered_records` link.
struct PendingRecoveredMessage {
    let messageID: Int64
    let record: RecoveredRecord
    let analyzerID: String
    let analyzerVersion: String
}

/// The `recovered_records` section of ``FindingsDigest`` (migration `v7-recovery`): rows keyed by
/// evidence label, entry key, page, cell offset and WAL frame — never by row ids. An empty table
/// adds nothing, so digests of cases without SQLite databases are unchanged.
extension FindingsDigest {
    static let recoveredRecords = DigestSection.grouped("recovered_records", sql: """
        SELECT e.label, f.entry_key, r.page, r.cell_offset, r.wal_frame, r.source, r.table_name, r.rowid, r.values_json,
            r.duplicate_of_live, r.analyzer_id, r.analyzer_version
        FROM recovered_records r JOIN files f ON f.id = r.file_id JOIN evidence e ON e.id = f.evidence_id
        ORDER BY e.label, f.sort_key
        """)
}
