import ExhibitKit
import Foundation
import GRDB

/// ``Artifact`` findings → `artifacts` + `artifact_times` (migration `v1-foundation`).
enum ArtifactKind: StoredKind {
    static let kinds: [FindingKind] = [.artifact]
    static let tables = ["artifacts", "artifact_times"]
    static let migrations: [KindMigration] = []
    static let digestSections = [FindingsDigest.artifacts]
    static func writer(_ db: Database) throws -> any KindWriter { try ArtifactRowWriter(db) }
}

/// Writes artifacts and their named times.
struct ArtifactRowWriter: KindWriter {
    private let db: Database
    private let insertArtifact: Statement
    private let insertArtifactTime: Statement
    private let deleteArtifacts: Statement

    init(_ db: Database) throws {
        self.db = db
        insertArtifact = try db.cachedStatement(sql: """
            INSERT INTO artifacts (file_id, analyzer_id, analyzer_version, type, properties, location) VALUES (?, ?, ?, ?, ?, ?)
            """)
        insertArtifactTime = try db.cachedStatement(sql: """
            INSERT INTO artifact_times (artifact_id, name, \(TimeColumns.names)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        deleteArtifacts = try db.cachedStatement(sql: "DELETE FROM artifacts WHERE file_id = ?")
    }

    /// `artifact_times` rows go with their artifact (`ON DELETE CASCADE`).
    func deleteFile(_ fileID: Int64) throws {
        try deleteArtifacts.execute(arguments: [fileID])
    }

    func write(_ produced: ProducedFinding, fileID: Int64) throws -> KindProblem? {
        guard case .artifact(let a) = produced.finding else { return nil }
        try insertArtifact.execute(arguments: [
            fileID, produced.analyzerID, produced.analyzerVersion, a.type, a.properties.canonicalText,
            FileRowWriter.locationText(a.location),
        ])
        let artifactID = db.lastInsertedRowID
        for (name, time) in a.times.sorted(by: { $0.key < $1.key }) {
            try insertArtifactTime.execute(arguments: StatementArguments([artifactID, name] + TimeColumns.values(time)))
        }
        return nil
    }
}

extension FindingsDigest {
    /// Artifacts with their named times (see ``DigestSection/withTimes(_:ownColumns:sql:)``).
    static let artifacts = DigestSection.withTimes("artifacts", ownColumns: 5, sql: """
        SELECT e.label, f.entry_key, a.id, a.analyzer_id, a.analyzer_version, a.type, a.properties, a.location,
            t.name, t.utc, t.utc_us, t.raw, t.basis, t.precision, t.note, t.alternate_utc, t.local_wallclock
        FROM artifacts a LEFT JOIN files f ON f.id = a.file_id LEFT JOIN evidence e ON e.id = f.evidence_id
            LEFT JOIN artifact_times t ON t.artifact_id = a.id
        ORDER BY e.label, f.sort_key, a.id, t.name
        """)
}
