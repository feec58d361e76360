import ExhibitKit
import Foundation
import GRDB
import Testing
@testable import EvidenceStore

/// `recovered_records` (v7-recovery): what the store writes for a ``RecoveredRecord``, how a redo
/// replaces it, the query, and its digest section.
@Suite struct RecoveryStoreTests {
    static func outcome(_ records: [RecoveredRecord], evidence: Int64, key: String = "3") -> FileOutcome {
        FileOutcome(evidenceID: evidence, record: StoreInputs.record(key, path: "data/msgstore.db", mime: "application/vnd.sqlite3"),
                    findings: records.map { ProducedFinding(analyzerID: "sqlite-recovery", analyzerVersion: "0.1.0", finding: .recoveredRecord($0)) })
    }

    static let deleted = RecoveredRecord(
        tableName: "messages", source: .freeblock, page: 4, cellOffset: 3021, walFrame: nil, rowid: 9_007_199_254_740_993,
        values: [.integer(9_007_199_254_740_993), .text("hi \"there\""), .real(2.5), .null, .blobHex("00ab"), .missing],
        duplicateOfLive: false)
    static let fromWAL = RecoveredRecord(tableName: nil, source: .wal, page: 2, cellOffset: 100, walFrame: 7, rowid: nil,
                                         values: [.text("x")], duplicateOfLive: true)

    @Test func storesEveryColumnAsDocumented() throws {
        let dir = try TempDir()
        let (db, ev) = try StoreInputs.database(in: dir)
        try db.commit([Self.outcome([Self.deleted, Self.fromWAL], evidence: ev)])
        let rows = try db.queue.read { c in
            try Row.fetchAll(c, sql: """
                SELECT table_name, source, page, cell_offset, wal_frame, rowid, values_json, duplicate_of_live, analyzer_id, analyzer_version
                FROM recovered_records ORDER BY id
                """)
        }
        #expect(rows.count == 2)
        #expect(rows[0] == ["table_name": "messages", "source": "freeblock", "page": 4, "cell_offset": 3021, "wal_frame": nil,
                            "rowid": 9_007_199_254_740_993,
                            "values_json": #"[9007199254740993,"hi \"there\"",2.5,null,{"hex":"00ab"},{"missing":true}]"#,
                            "duplicate_of_live": 0, "analyzer_id": "sqlite-recovery", "analyzer_version": "0.1.0"])
        #expect(rows[1]["wal_frame"] == 7)
        #expect(rows[1]["duplicate_of_live"] == 1)
        let listed = try db.recoveredRecords(RecoveredRecordFilter(pathGlob: "*msgstore.db", table: "messages"))
        #expect(listed.map(\.page) == [4])
        #expect(listed.first?.path == "seized.zip!/data/msgstore.db")
        #expect(try db.recoveredRecords(RecoveredRecordFilter(includeDuplicates: false)).count == 1)
    }

    @Test func aRedoReplacesTheRows() throws {
        let dir = try TempDir()
        let (db, ev) = try StoreInputs.database(in: dir)
        try db.commit([Self.outcome([Self.deleted, Self.fromWAL], evidence: ev)])
        try db.commit([Self.outcome([Self.fromWAL], evidence: ev)])
        #expect(try db.recoveredRecords().map(\.source) == ["wal"])
    }

    @Test func digestCoversRecoveredRowsWhateverTheOrder() throws {
        let dir = try TempDir()
        let (a, ea) = try StoreInputs.database(in: dir, name: "a.sqlite")
        let (b, eb) = try StoreInputs.database(in: dir, name: "b.sqlite")
        let before = try a.digest()
        try a.commit([Self.outcome([Self.deleted, Self.fromWAL], evidence: ea)])
        try b.commit([Self.outcome([Self.fromWAL, Self.deleted], evidence: eb)])
        #expect(try a.digest() == b.digest())
        #expect(try a.digest() != before)
    }
}
