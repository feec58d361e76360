import ExhibitTesting
import Foundation
import GRDB
import Testing

/// Deleted short rows whose rowid takes 3 bytes (16,384 and up) and whose payload length takes
/// 1: the freeblock header covers exactly those 4 bytes, so the record's header-length byte
/// survives. The shorter splits of the 4 bytes used to be tried first and misread that byte as a
/// serial type (a 6-byte integer where a small one was); the split whose cell ends where the
/// block does is now taken first (docs/recovery.md, "Overwritten first bytes").
@Suite(.serialized)
struct RecoveryShortRowTests {
    @Test func deletedShortRowsPastRowid16383ComeBackWithTheirValues() throws {
        let dir = try TestDirectory("short-rows")
        defer { dir.remove() }
        try FileManager.default.createDirectory(atPath: dir.path("evidence"), withIntermediateDirectories: true)
        let q = try DatabaseQueue(path: dir.path("evidence/short.db"))
        let rows = 24_000
        try q.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA secure_delete = OFF; PRAGMA journal_mode = DELETE")
            try db.execute(sql: "CREATE TABLE messages (id INTEGER PRIMARY KEY, chat INTEGER, body TEXT, sent INTEGER)")
            try db.inTransaction {
                let insert = try db.makeStatement(sql: "INSERT INTO messages VALUES (?, ?, ?, ?)")
                for i in 1...rows {
                    try insert.execute(arguments: [i, i % 97, "dense message \(i) " + String(repeating: "x", count: i % 23), 1_600_000_000 + i])
                }
                return .commit
            }
            try db.execute(sql: "DELETE FROM messages WHERE id % 2 = 0")
        }
        try q.close()
        let db = dir.path("case.sqlite")
        let r = try Fixture.ingest([dir.path("evidence")], db: db)
        #expect(r.exitCode == 0, "\(r.stderr)")
        let found = try Fixture.open(db).read {
            try String.fetchAll($0, sql: "SELECT values_json FROM recovered_records WHERE duplicate_of_live = 0 ORDER BY id")
        }
        var right = Set<Int>(), wrong: [String] = []
        for json in found {
            // [rowid alias, chat, body, sent]: the row is known from `sent`.
            guard let v = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [Any], v.count == 4,
                  let sent = v[3] as? Int, case let i = sent - 1_600_000_000, i >= 1, i <= rows, i % 2 == 0,
                  v[1] as? Int == i % 97, v[2] as? String == "dense message \(i) " + String(repeating: "x", count: i % 23)
            else { wrong.append(json); continue }
            right.insert(i)
        }
        let high = right.filter { $0 >= 16_384 }.count
        print("short rows: \(right.count) of \(rows / 2) deleted rows right (\(high) with a 3-byte rowid), \(wrong.count) wrong: \(wrong.prefix(5))")
        #expect(high >= (rows - 16_384) / 2 * 95 / 100, "\(high) rows past rowid 16,383 recovered")
        #expect(right.count >= rows / 2 * 95 / 100)
        // The right-most leaf's last cells still give a few misreadings (5 in 200,000 measured).
        #expect(wrong.count * 1000 <= found.count, "wrong readings: \(wrong.prefix(10))")
    }
}
