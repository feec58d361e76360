import ExhibitKit
import Foundation
import GRDB

/// One row of `recovered_records` with the database file it came from.
public struct RecoveredRecordRow: Sendable, Hashable, Codable {
    /// `recovered_records.id`.
    public var id: Int64
    /// Evidence label of the database file.
    public var evidenceLabel: String
    /// Entry key of the database file within its evidence item.
    public var entryKey: String
    /// Virtual path of the database file.
    public var path: String
    /// The table it most likely belongs to, or `nil`.
    public var tableName: String?
    /// `freeblock`, `unallocated`, `freelist`, `wal`, `journal`.
    public var source: String
    /// Page number of the page image it was read from.
    public var page: Int64
    /// Byte offset of the cell within that page.
    public var cellOffset: Int64
    /// WAL frame number, for rows read from a frame.
    public var walFrame: Int64?
    /// The rowid, when its bytes survived.
    public var rowid: Int64?
    /// The JSON array of values as stored.
    public var valuesJSON: String
    /// Equal to a live row of the same table.
    public var duplicateOfLive: Bool
    /// Analyzer id and version (provenance).
    public var analyzerID: String
    /// The analyzer's version.
    public var analyzerVersion: String
    /// The message an app analyzer made of this row (`messages.recovered_record_id`), if any.
    public var messageID: Int64? = nil
}

/// Filters for ``EvidenceDatabase/recoveredRecords(_:)``.
public struct RecoveredRecordFilter: Sendable {
    /// Only files whose virtual path matches this SQLite GLOB (or equals it).
    public var pathGlob: String?
    /// Only rows of this table.
    public var table: String?
    /// Include rows equal to live rows (`duplicate_of_live = 1`).
    public var includeDuplicates: Bool
    public init(pathGlob: String? = nil, table: String? = nil, includeDuplicates: Bool = true) {
        self.pathGlob = pathGlob; self.table = table; self.includeDuplicates = includeDuplicates
    }
}

extension EvidenceDatabase {
    /// Recovered rows in canonical order: evidence label, file, page, cell offset, WAL frame.
    public func recoveredRecords(_ filter: RecoveredRecordFilter = RecoveredRecordFilter()) throws -> [RecoveredRecordRow] {
        var sql = """
            SELECT r.id, e.label, f.entry_key, f.path, r.table_name, r.source, r.page, r.cell_offset, r.wal_frame, r.rowid,
                r.values_json, r.duplicate_of_live, r.analyzer_id, r.analyzer_version,
                (SELECT min(m.id) FROM messages m WHERE m.recovered_record_id = r.id)
            FROM recovered_records r JOIN files f ON f.id = r.file_id JOIN evidence e ON e.id = f.evidence_id
            WHERE 1
            """
        var args: [(any DatabaseValueConvertible)?] = []
        if let g = filter.pathGlob { sql += " AND (f.path GLOB ? OR f.path = ?)"; args += [g, g] }
        if let t = filter.table { sql += " AND r.table_name = ?"; args.append(t) }
        if !filter.includeDuplicates { sql += " AND r.duplicate_of_live = 0" }
        sql += " ORDER BY e.label, f.sort_key, r.page, r.cell_offset, r.wal_frame, r.id"
        return try queue.read { db in
            try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map { row in
                RecoveredRecordRow(
                    id: row[0], evidenceLabel: row[1], entryKey: row[2], path: row[3], tableName: row[4], source: row[5],
                    page: row[6], cellOffset: row[7], walFrame: row[8], rowid: row[9], valuesJSON: row[10],
                    duplicateOfLive: (row[11] as Int64) != 0, analyzerID: row[12], analyzerVersion: row[13], messageID: row[14])
            }
        }
    }
}
