import Foundation

/// Problems with the case database itself (not with one evidence file, which become recorded
/// statuses). Each message names the file and, where there is one, the remedy.
public enum EvidenceStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `openExisting` was given a path with no file.
    case notFound(path: String)
    /// The file is not SQLite, or SQLite but not made by Exhibit.
    case notExhibitDatabase(path: String, reason: String)
    /// The database has migrations this build does not know: it was written by a newer Exhibit.
    case newerSchema(path: String, unknownMigrations: [String])
    /// A case database on a read-only file system with a write-ahead log holding commits the main
    /// file lacks: reading it there would show an older state of the case.
    case unmergedLogOnReadOnlyFileSystem(path: String)
    /// A read-only open found an older schema; it must be upgraded by a writable open first.
    case needsUpgrade(path: String, missingMigrations: [String])
    /// `ensureCase` was asked for another case than the one this file holds.
    case caseMismatch(recorded: String, requested: String)
    /// `ensureCase` was given another assumed zone than the case records.
    case caseZoneMismatch(recorded: String, requested: String)
    /// An evidence label was registered again with different content hashes.
    case evidenceHashChanged(label: String, recordedSHA256: String, nowSHA256: String)
    /// No evidence row with this id.
    case unknownEvidence(id: Int64)
    /// No ingest run with this id.
    case unknownRun(id: Int64)
    /// An entry key that is not positions joined by `/` (`3/17`).
    case invalidEntryKey(String)
    /// A value outside a closed vocabulary (a status, a time kind).
    case invalidValue(field: String, value: String)

    /// A sentence naming the file and the remedy.
    public var description: String {
        switch self {
        case .notFound(let p):
            return "\(p): no such case database; run `exhibit ingest --db \(p) …` to create one"
        case .notExhibitDatabase(let p, let r):
            return "\(p): not an Exhibit case database (\(r)); check the --db path"
        case .unmergedLogOnReadOnlyFileSystem(let p):
            return "\(p): on a read-only file system with an unmerged write-ahead log (\(p)-wal); copy the database and "
                + "its -wal and -shm files to a writable folder, or mount it read-write"
        case .newerSchema(let p, let m):
            return "\(p): written by a newer Exhibit (unknown migrations: \(m.joined(separator: ", "))); use that version"
        case .needsUpgrade(let p, let m):
            return "\(p): schema is older than this Exhibit (missing: \(m.joined(separator: ", "))); "
                + "open it once for writing (e.g. `exhibit ingest`) to upgrade it"
        case .caseMismatch(let r, let q):
            return "this database holds case \"\(r)\", not \"\(q)\"; use another --db file or the recorded case name"
        case .caseZoneMismatch(let r, let q):
            return "the case's assumed zone is \(r), not \(q); change it with `exhibit case set-tz` (recomputes times) "
                + "or pass the recorded zone"
        case .evidenceHashChanged(let l, let r, let n):
            return "evidence \(l): SHA-256 is now \(n) but was recorded as \(r); the evidence changed since it was "
                + "added — do not resume over it, add it as a new item"
        case .unknownEvidence(let id):
            return "no evidence item with id \(id) in this case database"
        case .unknownRun(let id):
            return "no ingest run with id \(id) in this case database"
        case .invalidEntryKey(let k):
            return "invalid entry key \"\(k)\": expected 0-based positions joined by '/' (e.g. 3/17)"
        case .invalidValue(let f, let v):
            return "invalid \(f) \"\(v)\""
        }
    }
}
