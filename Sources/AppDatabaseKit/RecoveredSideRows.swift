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
    /// Per side table (lower-cased name), the SQL that stands in for it in the recovered query.
    public let sources: [String: String]
    /// Values for the `?` placeholders of ``sources``, in the order they appear in the SQL
    /// (tables in ``sources(order:)`` order).
    public let arguments: [DatabaseValue]

    /// Side sources for `tables` (in this order in the SQL) of `db`: the live table when
    /// `liveJoins`, plus the recovered rows of `recovered` whose column count matches the live
    /// table's. A table the database lacks, or without `keyColumn`, is left out (the query does
    /// not join it either, so the placeholders stay in step).
    public init(db: AppDatabase, tables: [String], keyColumn: String, recovered: [String: RecoveredTable], liveJoins: Bool) {
        var sources: [String: String] = [:]
        var args: [DatabaseValue] = []
        for name in tables {
            guard let cols = db.columns(of: name), cols.contains(keyColumn) else { continue }
            var sql = "SELECT * FROM \(name)" + (liveJoins ? "" : " WHERE 0")
            if let rt = recovered[name] ?? recovered[name.lowercased()], rt.columns.count == cols.count {
                let marks = "(" + Array(repeating: "?", count: rt.columns.count).joined(separator: ", ") + ")"
                for r in rt.rows {
                    sql += " UNION ALL SELECT * FROM (VALUES \(marks))"
                    args += rt.columnValues(r)
                }
            }
            sources[name.lowercased()] = "(\(sql))"
        }
        self.sources = sources
        self.arguments = args
    }

    /// The source standing in for side table `name`, or `name` itself.
    public func source(_ name: String) -> String { sources[name.lowercased()] ?? name }

    /// Whether `table`'s `CREATE TABLE` declares `AUTOINCREMENT` (its rowids are never reused).
    public static func isAutoincrement(_ db: AppDatabase, table: String) -> Bool {
        let sql = try? db.read { try String.fetchOne($0, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND lower(name) = lower(?)", arguments: [table]) }
        return (sql ?? nil)?.uppercased().contains("AUTOINCREMENT") ?? false
    }
}
