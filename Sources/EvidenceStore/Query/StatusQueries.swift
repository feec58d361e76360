import ExhibitKit
import GRDB

extension EvidenceDatabase {
    /// How many direct entries (depth 0) of an evidence item have each status other than `ok` and
    /// `link`, over every committed row — those of earlier, interrupted runs included — so an
    /// item's status can be the worst of its direct entries after a resume too (docs/intake.md).
    public func directEntryProblems(evidenceID: Int64) throws -> [EntryStatus: Int] {
        try queue.read { db in
            var out: [EntryStatus: Int] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT status, count(*) AS n FROM files WHERE evidence_id = ? AND depth = 0 AND status NOT IN (?, ?)
                GROUP BY status
                """, arguments: [evidenceID, EntryStatus.ok.rawValue, EntryStatus.link.rawValue]) {
                let text: String = try row.decode(forColumn: FileColumns.status)
                if let status = EntryStatus(rawValue: text) { out[status] = try row.decode(forColumn: "n") }
            }
            return out
        }
    }
}
