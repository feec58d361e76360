import AppDatabaseKit
import ExhibitKit
import GRDB
import SQLiteForensics

extension IOSReader {
    /// Reports the recovered rows of `ZWAMESSAGE` (carved by ``RecoveredTable/carve(_:tables:temporaryDirectory:)``)
    /// as messages marked recovered, after the live ones: each row runs through the live query
    /// (the row standing in for the table, its live media item in a Core Data store) and the
    /// live mapping. Not reported: a
    /// row equal to a message already reported (``MessageIdentity`` in `seen`), and a row with
    /// neither a stanza id nor any text. Returns how many were reported, left out as copies, and
    /// left out as too damaged.
    func readRecovered(_ table: RecoveredTable, seen: inout Set<MessageIdentity>) -> (reported: Int, copies: Int, damaged: Int) {
        var counts = (reported: 0, copies: 0, damaged: 0)
        let columns = Set(table.columns.map { $0.lowercased() })
        // The media item a recovered row names (its ZMEDIAITEM, a column that survives when the
        // row's own Z_PK was overwritten) is joined from the live ZWAMEDIAITEM: Core Data gives
        // out Z_PK values from Z_PRIMARYKEY's Z_MAX counter, which only grows, so that item was
        // made for this message. Without Z_PRIMARYKEY (not a Core Data store) none is joined.
        // Deleted media item rows themselves are not joined (their Z_PK, the rowid, is usually
        // lost with the freeblock header).
        let sql = "WITH \(table.cte(named: "m")) " + messageQuery(columns: columns, from: "m", mediaItems: db.columns(of: "Z_PRIMARYKEY") != nil)
        do {
            try db.read { database in
                let statement = try database.makeStatement(sql: sql)
                for r in table.rows {
                    guard let row = try Row.fetchOne(statement, arguments: table.arguments(r)) else { continue }
                    var msg = message(row)
                    guard !RecoveredTable.tooDamaged(msg) else { counts.damaged += 1; continue }
                    guard seen.insert(MessageIdentity(msg)).inserted else { counts.copies += 1; continue }
                    table.mark(&msg, from: r, label: "recovered ZWAMESSAGE")
                    session.message(msg)
                    counts.reported += 1
                }
            }
        } catch {
            session.problems.add("recovered-read-interrupted",
                                 "reading recovered ZWAMESSAGE rows stopped: \(error); messages reported before are kept",
                                 at: "recovered ZWAMESSAGE")
        }
        return counts
    }
}
