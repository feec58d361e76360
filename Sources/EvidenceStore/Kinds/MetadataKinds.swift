import ExhibitKit
import Foundation
import GRDB

/// Metadata findings: ``MetadataEntry`` → `metadata`, ``Indicator`` → `indicators` +
/// `indicator_times` (migrations `v3-metadata`, `v8-metadata-names`).
enum MetadataKinds: StoredKind {
    static let kinds: [FindingKind] = [.metadata, .indicator]
    static let tables = ["metadata", "indicators", "indicator_times"]
    static let migrations: [KindMigration] = []
    static let digestSections = [FindingsDigest.metadata, FindingsDigest.indicators]
    static func writer(_ db: Database) throws -> any KindWriter { try MetadataRowWriter(db) }
}

/// Writes one file's metadata findings inside the file's commit transaction.
struct MetadataRowWriter: KindWriter {
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

    func write(_ produced: ProducedFinding, fileID: Int64) throws -> KindProblem? {
        switch produced.finding {
        case .metadata(let entry):
            try write(entry, fileID: fileID, analyzerID: produced.analyzerID, analyzerVersion: produced.analyzerVersion)
        case .indicator(let indicator):
            try write(indicator, fileID: fileID, analyzerID: produced.analyzerID, analyzerVersion: produced.analyzerVersion)
        default:
            break
        }
        return nil
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

/// The metadata sections of ``FindingsDigest`` (migration `v3-metadata`). Rows are identified by
/// the file (evidence label + entry key) and their own values — namespace, tag, location,
/// value… — never by row ids; within a file the hasher puts records in canonical order. Empty
/// tables add nothing: digests of databases without metadata are unchanged by this migration.
extension FindingsDigest {
    static let metadata = DigestSection.grouped("metadata", sql: """
        SELECT e.label, f.entry_key, m.namespace, m.tag, m.location, m.value, m.raw_bytes, m.encoding,
            m.time_utc, m.time_utc_us, m.time_raw, m.time_basis, m.time_precision, m.time_note,
            m.time_alternate_utc, m.time_local_wallclock, m.analyzer_id, m.analyzer_version
        FROM metadata m JOIN files f ON f.id = m.file_id JOIN evidence e ON e.id = f.evidence_id
        ORDER BY e.label, f.sort_key
        """)

    /// Indicators with their named times (see ``DigestSection/withTimes(_:ownColumns:sql:)``).
    static let indicators = DigestSection.withTimes("indicators", ownColumns: 7, sql: """
        SELECT e.label, f.entry_key, i.id, i.kind, i.evidence_tag, i.location, i.summary, i.details,
            i.analyzer_id, i.analyzer_version,
            t.name, t.utc, t.utc_us, t.raw, t.basis, t.precision, t.note, t.alternate_utc, t.local_wallclock
        FROM indicators i JOIN files f ON f.id = i.file_id JOIN evidence e ON e.id = f.evidence_id
            LEFT JOIN indicator_times t ON t.indicator_id = i.id
        ORDER BY e.label, f.sort_key, i.id, t.name
        """)
}
