import ExhibitKit
import Foundation

/// Recovery over an evidence file as analyzers see it: the database's bytes with the `-wal` and
/// `-journal` the engine handed over as companions, and the ExhibitKit finding for each row.
/// Shared by the `sqlite-recovery` analyzer and the app analyzers that turn recovered rows of
/// their message tables into messages, so both read the same bytes the same way and find the
/// same rows at the same places (the store links them by place).
public enum EvidenceRecovery {
    /// Databases (and companions) larger than this are not read: recovery holds them in memory.
    public static let readLimit = 2 << 30

    /// Recovers rows from `file` and its `{name}-wal` / `{name}-journal` companions. Never
    /// throws: an unreadable database gives no report and a `sqlite-unreadable` warning; an
    /// unreadable companion a warning, and recovery goes on without it.
    ///
    /// Call it before SQLite opens the same copy: opening replays a hot journal into the file
    /// and closing checkpoints the WAL, which would change the bytes read here.
    public static func recover(_ file: EvidenceFile) -> (report: RecoveryReport?, warnings: [AnalysisWarning]) {
        var warnings: [AnalysisWarning] = []
        let db: [UInt8]
        do { db = [UInt8](try file.readAll(limit: readLimit)) } catch {
            return (nil, [AnalysisWarning(code: "sqlite-unreadable", message: "the database could not be read for recovery: \(error)")])
        }
        func companion(_ suffix: String) -> [UInt8]? {
            guard let c = file.companion(named: file.name + suffix) else { return nil }
            guard c.size <= Int64(readLimit), let d = FileManager.default.contents(atPath: c.url.path) else {
                warnings.append(AnalysisWarning(code: "sqlite-companion-unreadable",
                                                message: "\(c.name) could not be read; recovery went on without it"))
                return nil
            }
            return [UInt8](d)
        }
        let wal = companion("-wal"), journal = companion("-journal")
        return (SQLiteRecovery.recover(database: db, wal: wal, journal: journal), warnings)
    }
}

extension RecoveredRow {
    /// The ExhibitKit finding for this row (`recovered_records`).
    public var finding: RecoveredRecord {
        RecoveredRecord(tableName: tableName, source: RecoveredRecordSource(rawValue: source.rawValue) ?? .unallocated,
                        page: page, cellOffset: cellOffset, walFrame: walFrame, rowid: rowid,
                        values: values.map(\.recoveredValue), duplicateOfLive: duplicateOfLive)
    }
}

extension SQLValue {
    /// The value as stored in `recovered_records.values_json`.
    public var recoveredValue: RecoveredValue {
        switch self {
        case .null: return .null
        case .integer(let i): return .integer(i)
        case .real(let d): return .real(d)
        case .text(let s): return .text(s)
        case .blob(let b): return .blobHex(b.map { String(format: "%02x", $0) }.joined())
        case .missing: return .missing
        }
    }
}
