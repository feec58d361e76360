import AppDatabaseKit
import ExhibitKit
import GRDB
import SQLiteForensics

extension CurrentSchemaReader {
    /// Reports the recovered rows of `message` (carved by ``RecoveredTable/carve(_:tables:temporaryDirectory:)``) as
    /// messages marked recovered, after the live ones. Each row runs through the live query
    /// (``messageQuery(columns:from:sideTables:)``, the row standing in for the table) and the
    /// live mapping, so a recovered message reads exactly as a live one would. Not reported: a
    /// row equal to a message already reported (``MessageIdentity`` in `seen`: a live message or
    /// an earlier recovered copy), and a row with neither a key id nor any text (too little
    /// survived to call it a message; it stays in `recovered_records`).
    /// Returns how many were reported and how many were left out as copies or too damaged.
    ///
    /// Side tables (media, quote, revocation, edit, forward, system, location rows) are joined as
    /// far as the data survives (``RecoveredSideRows``): recovered side rows whose
    /// `message_row_id` survived, and live side rows only because `message._id` is AUTOINCREMENT
    /// (never reused). A recovered row whose `_id` was lost joins none.
    func readRecovered(_ table: RecoveredTable, sideRows: [String: RecoveredTable] = [:],
                       seen: inout Set<MessageIdentity>) -> (reported: Int, copies: Int, damaged: Int) {
        var counts = (reported: 0, copies: 0, damaged: 0)
        let columns = Set(table.columns.map { $0.lowercased() })
        let sides = RecoveredSideRows(db: db, tables: Self.sideTables, keyColumn: "message_row_id", recovered: sideRows,
                                      liveJoins: RecoveredSideRows.isAutoincrement(db, table: "message"))
        let sql = "WITH \(table.cte(named: "m")) " + messageQuery(columns: columns, from: "m", sideTables: true, sides: sides)
        do {
            try db.read { database in
                let statement = try database.makeStatement(sql: sql)
                for r in table.rows {
                    guard let row = try Row.fetchOne(statement, arguments: table.arguments(r, appending: sides.arguments(key: r.rowid))) else { continue }
                    var noKeys: Set<String>? = nil
                    guard var msg = message(row, keys: &noKeys) else { continue }
                    guard !RecoveredTable.tooDamaged(msg) else { counts.damaged += 1; continue }
                    guard seen.insert(MessageIdentity(msg)).inserted else { counts.copies += 1; continue }
                    table.mark(&msg, from: r, label: "recovered message")
                    session.message(msg)
                    counts.reported += 1
                }
            }
        } catch {
            session.problems.add("recovered-read-interrupted",
                                 "reading recovered message rows stopped: \(error); messages reported before are kept",
                                 at: "recovered message")
        }
        return counts
    }

    /// The side tables keyed by `message_row_id`, in the order ``messageQuery(columns:from:sideTables:sides:)`` joins them.
    static let sideTables = ["message_media", "message_quoted", "message_revoked", "message_edit_info",
                             "message_forwarded", "message_system", "message_location"]
}
