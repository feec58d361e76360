import ExhibitKit
import Foundation
import GRDB
import SQLiteForensics

/// Side tables of a recovered message (media, quote, revocation… rows keyed by the message's id),
/// as far as the data survives (docs/recovery.md, "Side tables of recovered messages"):
///
/// - **recovered side rows** of the same database, whose key column (the message id) survived —
///   the side row was deleted with the message and carved from the same bytes;
/// - **live side rows**, only when the message table is `AUTOINCREMENT`: SQLite then never gives
///   a deleted row's id to another row, so a live side row naming that id was written for the
///   recovered message (an orphan its app did not delete). Without `AUTOINCREMENT` an id can be
///   reused and a live side row proves nothing about the recovered bytes: none is joined.
///
/// A recovered message whose own id was lost (a freeblock header overwrote it) joins nothing.
public struct RecoveredSideRows: Sendable {
    /// Per side table (lower-cased name), the SQL that stands in for it in the recovered query:
    /// at most the live rows of one message id (an indexed lookup) and one recovered side row,
    /// so each execution reads a handful of rows whatever the tables' sizes.
    public let sources: [String: String]
    private let tables: [(width: Int, byKey: [Int64: [DatabaseValue]])]

    /// Side sources for `tables` (in this order in the SQL) of `db`, keyed by `keyColumn` (the
    /// message id): the live rows when `liveJoins`, and the recovered rows of `recovered` whose
    /// key survived and whose column count matches the live table's. A table the database lacks,
    /// or without `keyColumn`, is left out (the query does not join it either, so the
    /// placeholders stay in step).
    public init(db: AppDatabase, tables names: [String], keyColumn: String, recovered: [String: RecoveredTable], liveJoins: Bool) {
        var sources: [String: String] = [:]
        var tables: [(width: Int, byKey: [Int64: [DatabaseValue]])] = []
        for name in names {
            guard let cols = db.columns(of: name), cols.contains(keyColumn) else { continue }
            var byKey: [Int64: [DatabaseValue]] = [:]
            if let rt = recovered[name] ?? recovered[name.lowercased()], rt.columns.count == cols.count,
               let k = rt.columns.firstIndex(where: { $0.lowercased() == keyColumn.lowercased() }) {
                for r in rt.rows where k < r.values.count {
                    // The first recovered row of an id is kept (recovery's order: current pages first).
                    if case .integer(let id) = r.values[k], byKey[id] == nil { byKey[id] = rt.columnValues(r) }
                }
            }
            let marks = "(" + Array(repeating: "?", count: cols.count).joined(separator: ", ") + ")"
            sources[name.lowercased()] = "(SELECT * FROM \(name) WHERE \(liveJoins ? "" : "0 AND ")\(keyColumn) = ?"
                + " UNION ALL SELECT * FROM (VALUES \(marks)) WHERE ?)"
            tables.append((cols.count, byKey))
        }
        self.sources = sources
        self.tables = tables
    }

    /// The source standing in for side table `name`, or `name` itself.
    public func source(_ name: String) -> String { sources[name.lowercased()] ?? name }

    /// Values for the placeholders of ``sources`` for the recovered message whose id is `key`
    /// (`nil` when its id was lost: nothing joins).
    public func arguments(key: Int64?) -> [DatabaseValue] {
        var out: [DatabaseValue] = []
        for t in tables {
            out.append(key.map { $0.databaseValue } ?? .null)
            if let key, let row = t.byKey[key] {
                out += row; out.append(1.databaseValue)
            } else {
                out += Array(repeating: DatabaseValue.null, count: t.width); out.append(0.databaseValue)
            }
        }
        return out
    }

    /// Whether `table`'s `CREATE TABLE` declares `AUTOINCREMENT` (its rowids are never reused).
    public static func isAutoincrement(_ db: AppDatabase, table: String) -> Bool {
        let sql = try? db.read { try String.fetchOne($0, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND lower(name) = lower(?)", arguments: [table]) }
        return (sql ?? nil)?.uppercased().contains("AUTOINCREMENT") ?? false
    }
}
