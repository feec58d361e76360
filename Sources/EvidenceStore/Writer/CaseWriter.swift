import ExhibitKit
import Foundation
import GRDB

extension EvidenceDatabase {
    /// Creates the case row on first use and returns its id; later calls return the same id.
    ///
    /// A database holds one case: another `name` throws ``EvidenceStoreError/caseMismatch(recorded:requested:)``.
    /// An `assumedZone` different from the recorded one throws
    /// ``EvidenceStoreError/caseZoneMismatch(recorded:requested:)`` (mixing zones within a case
    /// would make times inconsistent; ``recomputeAssumedZone(_:)`` is the way to change it).
    /// `nil` keeps whatever is recorded. A missing examiner is filled in; a different one is kept
    /// as first recorded (each run's examiner belongs in the audit log).
    @discardableResult
    public func ensureCase(name: String, examiner: String?, assumedZone: String?, toolVersion: String) throws -> Int64 {
        try queue.write { db in
            if let row = try Row.fetchOne(db, sql: "SELECT * FROM cases ORDER BY id LIMIT 1") {
                let recorded = try CaseInfo(row: row)
                guard recorded.name == name else { throw EvidenceStoreError.caseMismatch(recorded: recorded.name, requested: name) }
                if let zone = assumedZone, zone != recorded.assumedZone {
                    throw EvidenceStoreError.caseZoneMismatch(recorded: recorded.assumedZone ?? "none", requested: zone)
                }
                if recorded.examiner == nil, let examiner {
                    try db.execute(sql: "UPDATE cases SET examiner = ? WHERE id = ?", arguments: [examiner, recorded.id])
                }
                return recorded.id
            }
            try db.execute(sql: """
                INSERT INTO cases (name, examiner, assumed_zone, created_utc, tool_version) VALUES (?, ?, ?, ?, ?)
                """, arguments: [name, examiner, assumedZone, StoreClock.nowText(), toolVersion])
            return db.lastInsertedRowID
        }
    }

    /// The case this database holds, or `nil` before ``ensureCase(name:examiner:assumedZone:toolVersion:)``.
    public func caseInfo() throws -> CaseInfo? {
        try queue.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM cases ORDER BY id LIMIT 1").map(CaseInfo.init(row:))
        }
    }

    /// Changes the case's assumed zone and recomputes, in one transaction, the UTC value and basis
    /// of every stored naive local time that depended on it — without re-reading evidence.
    ///
    /// Affected: `file_times` and `artifact_times` rows (and the chat times: message `sent_*`
    /// and `touched_*`, chat `exported_*`, metadata `time_*`, `indicator_times`) with a `local_wallclock` and basis
    /// `assumed-zone` or `unknown`, belonging to evidence items that have no zone of their own.
    /// The raw value, precision and the source's own note are kept; the zone-derived part of the
    /// note (zone name, DST gap/fold) is replaced. `nil` removes the zone (basis `unknown`).
    /// Returns the number of times recomputed. With `auditAction`, an audit entry (previous zone,
    /// zone, times recomputed) is appended in the same transaction: the change and its record
    /// commit together or not at all (issue 15).
    @discardableResult
    public func recomputeAssumedZone(_ zone: TimeZone?, name: String? = nil, auditAction: String? = nil) throws -> Int {
        try queue.write { db in
            // Items registered with the case's zone (ingest --assume-tz records it on each item)
            // follow the case: detach them for the recompute, then give them the new zone.
            let previous = try String.fetchOne(db, sql: "SELECT assumed_zone FROM cases ORDER BY id LIMIT 1")
            let following = try Int64.fetchAll(db, sql: "SELECT id FROM evidence WHERE assumed_zone IS ? AND assumed_zone IS NOT NULL",
                                               arguments: [previous])
            try db.execute(sql: "UPDATE evidence SET assumed_zone = NULL WHERE id IN (\(following.map(String.init).joined(separator: ",")))")
            try db.execute(sql: "UPDATE cases SET assumed_zone = ?", arguments: [name ?? zone?.identifier])
            // Only times whose zone came from the case: items with their own zone keep theirs.
            let caseZoned = "(e.assumed_zone IS NULL)"
            let filter = "t.local_wallclock IS NOT NULL AND t.basis IN ('assumed-zone', 'unknown')"
            var count = 0
            count += try recompute(db, zone: zone, select: """
                SELECT t.file_id AS owner, t.kind AS key, t.raw, t.precision, t.note, t.local_wallclock
                FROM file_times t JOIN files f ON f.id = t.file_id JOIN evidence e ON e.id = f.evidence_id
                WHERE \(filter) AND \(caseZoned)
                """, update: "UPDATE file_times SET \(Self.timeAssignments) WHERE file_id = ? AND kind = ?")
            count += try recompute(db, zone: zone, select: """
                SELECT t.artifact_id AS owner, t.name AS key, t.raw, t.precision, t.note, t.local_wallclock
                FROM artifact_times t JOIN artifacts a ON a.id = t.artifact_id
                LEFT JOIN files f ON f.id = a.file_id LEFT JOIN evidence e ON e.id = f.evidence_id
                WHERE \(filter) AND \(caseZoned)
                """, update: "UPDATE artifact_times SET \(Self.timeAssignments) WHERE artifact_id = ? AND name = ?")
            count += try recompute(db, zone: zone, select: """
                SELECT t.indicator_id AS owner, t.name AS key, t.raw, t.precision, t.note, t.local_wallclock
                FROM indicator_times t JOIN indicators i ON i.id = t.indicator_id
                JOIN files f ON f.id = i.file_id JOIN evidence e ON e.id = f.evidence_id
                WHERE \(filter) AND \(caseZoned)
                """, update: "UPDATE indicator_times SET \(Self.timeAssignments) WHERE indicator_id = ? AND name = ?")
            count += try Self.recomputeChatTimes(db, zone: zone)
            try db.execute(sql: "UPDATE evidence SET assumed_zone = ? WHERE id IN (\(following.map(String.init).joined(separator: ",")))",
                           arguments: [name ?? zone?.identifier])
            if let auditAction {
                try Self.appendAudit(db, action: auditAction, details: .object([
                    "previous_zone": previous.map(JSONValue.string) ?? .null,
                    "zone": (name ?? zone?.identifier).map(JSONValue.string) ?? .null,
                    "times_recomputed": .number(Double(count)),
                ]))
            }
            return count
        }
    }

    private static let timeAssignments =
        "utc = ?, utc_us = ?, raw = ?, basis = ?, precision = ?, note = ?, alternate_utc = ?, local_wallclock = ?"

    /// `select` names its columns `owner, key, raw, precision, note, local_wallclock`; `update`
    /// binds the eight time columns, then the owner and key.
    private func recompute(_ db: Database, zone: TimeZone?, select: String, update: String) throws -> Int {
        // Read first, then write: SQLite must not update rows a live cursor is walking.
        var pending: [(Int64, String, TimeValue)] = []
        let rows = try Row.fetchCursor(db, sql: select)
        while let row = try rows.next() {
            let owner: Int64 = try row.decode(forColumn: "owner")
            let key: String = try row.decode(forColumn: "key")
            let raw: String = try row.decode(forColumn: "raw")
            let precisionText: String? = try row.decode(forColumn: "precision")
            let note: String? = try row.decode(forColumn: "note")
            let wall: String = try row.decode(forColumn: "local_wallclock")
            // A wall clock that does not parse stays as it was: nothing better can be derived.
            guard let naive = NaiveDateTime(wallClock: wall) else { continue }
            let precision = precisionText.flatMap(TimePrecision.init(rawValue:)) ?? .second
            var value = naive.resolve(in: zone, raw: raw, precision: precision, note: Self.sourceNote(note))
            value.localWallClock = wall
            pending.append((owner, key, value))
        }
        let statement = try db.cachedStatement(sql: update)
        for (owner, key, value) in pending {
            var args = StatementArguments(TimeColumns.values(value))
            args += [owner, key]
            try statement.execute(arguments: args)
        }
        return pending.count
    }

    /// The part of a stored note that came from the source, without what
    /// ``NaiveDateTime/resolve(in:raw:precision:note:)`` appended about the zone.
    static func sourceNote(_ note: String?) -> String? {
        guard let note else { return nil }
        let zoneParts: (Substring) -> Bool = { part in
            part == "local time, no time zone declared" || part.hasPrefix("interpreted in ")
                || part == "local time does not exist (DST gap)"
                || part == "ambiguous local time (DST fold), two instants"
        }
        let kept = note.components(separatedBy: "; ").filter { !zoneParts(Substring($0)) }
        return kept.isEmpty ? nil : kept.joined(separator: "; ")
    }
}
