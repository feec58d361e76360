import ExhibitKit
import Foundation
import GRDB

/// Writes one file's ``RecoveredRecord`` findings into `recovered_records` inside the file's
/// commit transaction. A redo of the file first drops the rows an earlier commit stored.
struct RecoveryRowWriter {
    private let insert: Statement
    private let delete: Statement

    init(_ db: Database) throws {
        insert = try db.cachedStatement(sql: """
            INSERT INTO recovered_records (file_id, analyzer_id, analyzer_version, table_name, source, page, cell_offset,
                wal_frame, rowid, values_json, duplicate_of_live) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        delete = try db.cachedStatement(sql: "DELETE FROM recovered_records WHERE file_id = ?")
    }

    /// Removes what an earlier commit of `fileID` stored.
    func deleteFile(_ fileID: Int64) throws { try delete.execute(arguments: [fileID]) }

    /// Stores one recovered row.
    func write(_ r: RecoveredRecord, fileID: Int64, analyzerID: String, analyzerVersion: String) throws {
        try insert.execute(arguments: [fileID, analyzerID, analyzerVersion, r.tableName, r.source.rawValue, r.page, r.cellOffset,
                                       r.walFrame, r.rowid, r.valuesJSON, r.duplicateOfLive ? 1 : 0])
    }
}
