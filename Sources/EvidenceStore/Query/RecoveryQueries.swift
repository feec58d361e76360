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
            SELECT r.id, e.label, f.entry_key, f.path, r.table_name, r.source, r.page, r.cell_offset, r.wal_frame,
                r.rowid AS record_rowid, r.values_json, r.duplicate_of_live, r.analyzer_id, r.analyzer_version,
                (SELECT min(m.id) FROM messages m WHERE m.recovered_record_id = r.id) AS message_id
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
                    id: try row.decode(forColumn: "id"), evidenceLabel: try row.decode(forColumn: "label"),
                    entryKey: try row.decode(forColumn: "entry_key"), path: try row.decode(forColumn: "path"),
                    tableName: try row.decode(forColumn: "table_name"), source: try row.decode(forColumn: "source"),
                    page: try row.decode(forColumn: "page"), cellOffset: try row.decode(forColumn: "cell_offset"),
                    walFrame: try row.decode(forColumn: "wal_frame"), rowid: try row.decode(forColumn: "record_rowid"),
                    valuesJSON: try row.decode(forColumn: "values_json"),
                    duplicateOfLive: try row.decode(Int64.self, forColumn: "duplicate_of_live") != 0,
                    analyzerID: try row.decode(forColumn: "analyzer_id"), analyzerVersion: try row.decode(forColumn: "analyzer_version"),
                    messageID: try row.decode(forColumn: "message_id"))
            }
        }
    }
}
