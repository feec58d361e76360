import ExhibitKit
import Foundation
import GRDB

extension EvidenceDatabase {
    /// The chat times that rest on the case zone: `(table, column prefix)` — message sent and
    /// touched times, chat export times — and metadata times (`metadata.time_*`), which share the
    /// prefixed-column layout.
    private static let chatTimeColumns = [("messages", "sent"), ("messages", "touched"), ("chats", "exported"),
                                          ("metadata", "time")]

    /// Recomputes, inside ``recomputeAssumedZone(_:)``'s transaction, every chat time whose UTC
    /// value came from the case zone (a `local_wallclock`, basis `assumed-zone` or `unknown`, in
    /// an evidence item without its own zone). Returns how many were recomputed.
    static func recomputeChatTimes(_ db: Database, zone: TimeZone?) throws -> Int {
        var count = 0
        for (table, p) in chatTimeColumns {
            var pending: [(Int64, TimeValue)] = []
            let rows = try Row.fetchCursor(db, sql: """
                SELECT t.id, t.\(p)_raw AS raw, t.\(p)_precision AS precision, t.\(p)_note AS note,
                    t.\(p)_local_wallclock AS local_wallclock
                FROM \(table) t JOIN files f ON f.id = t.file_id JOIN evidence e ON e.id = f.evidence_id
                WHERE t.\(p)_local_wallclock IS NOT NULL AND t.\(p)_basis IN ('assumed-zone', 'unknown')
                    AND e.assumed_zone IS NULL
                """)
            while let row = try rows.next() {
                let wall: String = try row.decode(forColumn: "local_wallclock")
                // A wall clock that does not parse stays as it was: nothing better can be derived.
                guard let naive = NaiveDateTime(wallClock: wall) else { continue }
                let precision = (try row.decode(String?.self, forColumn: "precision")).flatMap(TimePrecision.init(rawValue:)) ?? .second
                var value = naive.resolve(in: zone, raw: try row.decode(String?.self, forColumn: "raw") ?? "",
                                          precision: precision, note: sourceNote(try row.decode(forColumn: "note")))
                value.localWallClock = wall
                pending.append((try row.decode(forColumn: "id"), value))
            }
            let assignments = ["utc", "utc_us", "raw", "basis", "precision", "note", "alternate_utc", "local_wallclock"]
                .map { "\(p)_\($0) = ?" }.joined(separator: ", ")
            let update = try db.cachedStatement(sql: "UPDATE \(table) SET \(assignments) WHERE id = ?")
            for (id, value) in pending {
                var args = StatementArguments(TimeColumns.values(value))
                args += [id]
                try update.execute(arguments: args)
            }
            count += pending.count
        }
        return count
    }
}
