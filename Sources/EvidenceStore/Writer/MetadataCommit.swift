import ExhibitKit
import Foundation
import GRDB

/// Writes one file's metadata findings (``MetadataEntry`` → `metadata`, ``Indicator`` →
/// `indicators` + `indicator_times`) inside the file's commit transaction.
struct MetadataRowWriter {
    private let db: Database
    private let insertEntry: Statement
    private let insertIndicator: Statement
    private let insertIndicatorTime: Statement
    private let deleteEntries: Statement
    private let deleteIndicators: Statement

    init(_ db: Database) throws {
        self.db = db
        let timeNames = TimeColumns.names(prefix: "time_")
        let columns = ["file_id", "analyzer_id", "analyzer_version", "namespace", "tag", "value", "raw_bytes",
                       "encoding", "location"] + timeNames
        insertEntry = try db.cachedStatement(sql: """
            INSERT INTO metadata (\(columns.joined(separator: ", "))) \
            VALUES (\(Array(repeating: "?", count: columns.count).joined(separator: ", ")))
            """)
        insertIndicator = try db.cachedStatement(sql: """
            INSERT INTO indicators (file_id, analyzer_id, analyzer_version, kind, summary, evidence_tag, location, details)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        insertIndicatorTime = try db.cachedStatement(sql: """
            INSERT INTO indicator_times (indicator_id, name, \(TimeColumns.names)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        deleteEntries = try db.cachedStatement(sql: "DELETE FROM metadata WHERE file_id = ?")
        deleteIndicators = try db.cachedStatement(sql: "DELETE FROM indicators WHERE file_id = ?")
    }

    /// Removes what an earlier commit of `fileID` stored (a redo replaces a file's rows);
    /// `indicator_times` rows go with their indicator (`ON DELETE CASCADE`).
    func deleteFile(_ fileID: Int64) throws {
        try deleteEntries.execute(arguments: [fileID])
        try deleteIndicators.execute(arguments: [fileID])
    }

    /// Stores one metadata value.
    func write(_ e: MetadataEntry, fileID: Int64, analyzerID: String, analyzerVersion: String) throws {
        // The cap is the analyzer's contract; the store enforces it too, so one hostile value
        // cannot bloat the database.
        let raw = e.rawBytes.map { $0.count > MetadataEntry.rawByteLimit ? $0.prefix(MetadataEntry.rawByteLimit) : $0 }
        let times: [(any DatabaseValueConvertible)?] = TimeColumns.values(e.time)
        let values: [(any DatabaseValueConvertible)?] = [
            fileID, analyzerID, analyzerVersion, e.namespace.rawValue, e.tag, e.value, raw, e.encoding,
            FileRowWriter.locationText(e.location),
        ] + times
        try insertEntry.execute(arguments: StatementArguments(values))
    }

    /// Stores one indicator and its named times.
    func write(_ i: Indicator, fileID: Int64, analyzerID: String, analyzerVersion: String) throws {
        try insertIndicator.execute(arguments: [
            fileID, analyzerID, analyzerVersion, i.kind.rawValue, i.summary, i.evidenceTag,
            FileRowWriter.locationText(i.location), i.details.canonicalText,
        ])
        let id = db.lastInsertedRowID
        for (name, time) in i.times.sorted(by: { $0.key < $1.key }) {
            try insertIndicatorTime.execute(arguments: StatementArguments([id, name] + TimeColumns.values(time)))
        }
    }
}
