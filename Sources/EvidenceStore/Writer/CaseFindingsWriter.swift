import ExhibitKit
import ExhibitSupport
import Foundation
import GRDB

/// What one case analyzer's rebuild stored.
public struct CaseRebuildStats: Sendable, Hashable {
    /// The analyzer's id and version.
    public var analyzerID: String, analyzerVersion: String
    /// Rows the rebuild removed (the previous output) and wrote.
    public var removed: Int, written: Int
}

extension EvidenceDatabase {
    /// Replaces everything `analyzer` stored before with what `run` emits now, in one transaction
    /// that also serves the reads: the rebuild sees one snapshot and is all-or-nothing (a crash
    /// leaves the previous output in place). Rows are written as they are emitted, so memory does
    /// not grow with the case. Records `case.analyze` in the audit log.
    @discardableResult
    public func rebuildCaseFindings(
        analyzer: AnalyzerDescriptor,
        _ run: (any CaseReader, (CaseFinding) throws -> Void) throws -> Void
    ) throws -> CaseRebuildStats {
        let stats: CaseRebuildStats = try queue.write { db in
            // A rebuild rewrites most of the table: drop its indexes and build them once, sorted,
            // at the end (same transaction, same DDL as the migration) instead of updating seven
            // B-trees per event in random order.
            let indexes = try Row.fetchAll(db, sql: """
                SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' AND sql IS NOT NULL
                ORDER BY name
                """).map { (name: $0["name"] as String, sql: $0["sql"] as String) }
            for index in indexes { try db.execute(sql: "DROP INDEX \(index.name)") }
            try db.execute(sql: "DELETE FROM events WHERE builder = ?", arguments: [analyzer.id])
            var removed = db.changesCount
            try db.execute(sql: "DELETE FROM media_clusters WHERE builder = ?", arguments: [analyzer.id])
            removed += db.changesCount
            let writer = try EventInserter(db: db, builder: analyzer)
            let cluster = try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO media_clusters (sha256, cluster, method, threshold, builder, builder_version)
                VALUES (?, ?, ?, ?, ?, ?)
                """)
            var clusters = 0
            // Event values come from typed findings (`TimeBasis`): no per-row CHECK evaluation.
            try db.withTypedValueChecks {
                try run(StoreCaseReader(db: db)) { finding in
                    switch finding {
                    case .event(let event): try writer.insert(event)
                    case .mediaCluster(let c):
                        try cluster.execute(arguments: [c.sha256, c.cluster, c.method, c.threshold, analyzer.id, analyzer.version])
                        clusters += 1
                    }
                }
            }
            for index in indexes { try db.execute(sql: index.sql) }
            let stats = CaseRebuildStats(analyzerID: analyzer.id, analyzerVersion: analyzer.version, removed: removed,
                                         written: writer.count + clusters)
            // In the rebuild's own transaction: a rebuild without its audit entry cannot exist.
            try Self.appendAudit(db, action: "case.analyze", details: .object([
                "analyzer": .string(analyzer.id), "version": .string(analyzer.version),
                "removed": .number(Double(stats.removed)), "written": .number(Double(stats.written)),
            ]))
            return stats
        }
        return stats
    }
}

/// Inserts events with one cached statement; evidence ids come from the file (one lookup per
/// file, cached for the run of consecutive events of one file).
final class EventInserter {
    let insert: Statement
    let evidenceOf: Statement
    let builder: AnalyzerDescriptor
    private(set) var count = 0
    private var lastFile: (Int64, Int64?)?
    /// The last provenance and its text: consecutive events of one export carry the same one
    /// (table + export path), and comparing two small dictionaries is cheaper than writing JSON.
    private var lastProvenance: (value: [String: JSONValue], text: String)?

    init(db: Database, builder: AnalyzerDescriptor) throws {
        self.builder = builder
        insert = try db.cachedStatement(sql: """
            INSERT INTO events (utc, utc_us, raw, basis, precision, note, kind, description, source, builder,
                builder_version, evidence_id, file_id, message_id, chat_id, sender, provenance)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        evidenceOf = try db.cachedStatement(sql: "SELECT evidence_id FROM files WHERE id = ?")
    }

    func insert(_ e: TimelineEvent) throws {
        var evidence: Int64? = nil
        if let file = e.fileID {
            if let last = lastFile, last.0 == file { evidence = last.1 } else {
                evidence = try Int64.fetchOne(evidenceOf, arguments: [file])
                lastFile = (file, evidence)
            }
        }
        let t = e.time
        // The canonical writer with U+0008/U+000C as `\u0008`/`\u000c`: this column's form since v1 (digest).
        let provenance: String
        if let last = lastProvenance, StoredJSON.identical(last.value, e.provenance) {
            provenance = last.text
        } else {
            provenance = JSONValue.object(e.provenance).canonicalJSON(escaping: .unicodeControls) ?? "null"
            lastProvenance = (e.provenance, provenance)
        }
        // Typed values bound without validation (no dynamic cast per value; one event per message).
        var v: [DatabaseValue] = []
        v.reserveCapacity(17)
        v.append(t.utcMicros.map(UTCFormat.string(micros:)).dbValue); v.append(t.utcMicros.dbValue)
        v.append(t.raw.databaseValue); v.append(t.basis.rawValue.databaseValue)
        v.append(t.precision.rawValue.databaseValue); v.append(t.note.dbValue)
        v.append(e.kind.databaseValue); v.append(e.description.databaseValue); v.append(e.source.databaseValue)
        v.append(builder.id.databaseValue); v.append(builder.version.databaseValue); v.append(evidence.dbValue)
        v.append(e.fileID.dbValue); v.append(e.messageID.dbValue); v.append(e.chatID.dbValue)
        v.append(e.sender.dbValue); v.append(provenance.databaseValue)
        try insert.execute(binding: v)
        count += 1
    }
}
