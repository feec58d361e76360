import ExhibitKit
import Foundation
import GRDB
import Testing
@testable import EvidenceStore

/// `ColumnPositions` (Query/): names looked up once per statement read the same values as
/// `decode(forColumn:)` on every row, whatever order the SELECT lists them in; a time read by
/// positions is the time `TimeColumns.decode` reads; a name the query lacks is an error.
@Suite("Column positions looked up once per query")
struct ColumnPositionsTests {
    static let columns: [(String, String)] = [
        ("message_id", "7"), ("chat_title", "'가족'"), ("text", "NULL"), ("deleted", "1"),
        ("sent_utc", "'2024-08-28T06:12:04Z'"), ("sent_utc_us", "1724825524000000"), ("sent_raw", "'28.08.2024 15:12:04'"),
        ("sent_basis", "'offset'"), ("sent_precision", "'second'"), ("sent_note", "NULL"),
        ("sent_alternate_utc", "'2024-08-28T07:12:04Z'"), ("sent_local_wallclock", "'2024-08-28 15:12:04'"),
    ]

    @Test func positionsReadWhatNamesRead() throws {
        let queue = try DatabaseQueue()
        for order in [Self.columns, Self.columns.reversed(), Self.columns.sorted { $0.0 < $1.0 }] {
            let sql = "SELECT " + order.map { "\($0.1) AS \($0.0)" }.joined(separator: ", ")
                + " UNION ALL SELECT " + order.map { "NULL AS \($0.0)" }.joined(separator: ", ")
            try queue.read { db in
                let statement = try db.makeStatement(sql: sql)
                let c = try ColumnPositions(statement, ["message_id", "chat_title", "text", "deleted"])
                let sent = try ColumnPositions.Time(statement, prefix: "sent_")
                let rows = try Row.fetchAll(statement)
                try #require(rows.count == 2)
                for row in rows {
                    #expect(try row.decode(Int64?.self, atIndex: c[0]) == row.decode(Int64?.self, forColumn: "message_id"))
                    #expect(try row.decode(String?.self, atIndex: c[1]) == row.decode(String?.self, forColumn: "chat_title"))
                    #expect(try row.decode(String?.self, atIndex: c[2]) == row.decode(String?.self, forColumn: "text"))
                    #expect(try row.decode(Int?.self, atIndex: c[3]) == row.decode(Int?.self, forColumn: "deleted"))
                    let byName: TimeValue? = try row.decode(String?.self, forColumn: "sent_raw") == nil
                        ? nil : try TimeColumns.decode(row, prefix: "sent_")
                    #expect(try sent.decode(row) == byName)
                }
                #expect(try sent.decode(rows[0])?.utcMicros == 1_724_825_524_000_000)
                #expect(try sent.decode(rows[0])?.alternateUTCMicros == 1_724_829_124_000_000)
                #expect(try sent.decode(rows[1]) == nil)
            }
        }
    }

    @Test func aNameTheQueryLacksIsAnError() throws {
        let queue = try DatabaseQueue()
        try queue.read { db in
            let statement = try db.makeStatement(sql: "SELECT 1 AS message_id")
            #expect(throws: DatabaseError.self) { try ColumnPositions(statement, ["message_id", "chat_title"]) }
            #expect(throws: DatabaseError.self) { try ColumnPositions.Time(statement, prefix: "sent_") }
            #expect(try ColumnPositions(statement, ["MESSAGE_ID"])[0] == 0, "case-insensitive, as GRDB's names are")
        }
    }
}
