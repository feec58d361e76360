import ExhibitKit
import ExhibitTesting
import Foundation
@testable import SQLiteForensics
import Testing

/// Rows handed over as they are found (SQLiteRecovery.recover(…, holdLimit:, each:)): past the
/// hold limit the carve keeps digests and runs again, and the rows, their order and every other
/// part of the report are those of the in-memory report.
@Suite("SQLite recovery: rows streamed in bounded memory")
struct StreamedRecoveryTests {
    /// Every generated case, and the app databases with deleted rows (with their -wal).
    static func inputs() throws -> [(name: String, db: [UInt8], wal: [UInt8]?, journal: [UInt8]?)] {
        var out = try RecoveryCase.all().map { ($0.name, $0.database, $0.wal, $0.journal) }
        let phone = Corpus.url("phone")
        let apps = ["whatsapp/deleted/secure-off/msgstore.db", "whatsapp/deleted/media-deleted/msgstore.db",
                    "whatsapp/deleted/legacy-secure-off/msgstore.db", "whatsapp/deleted/hostile/msgstore.db",
                    "telegram/deleted/cache4.db", "kakaotalk/deleted/KakaoTalk.db",
                    "whatsapp-ios/deleted/secure-off/ChatStorage.sqlite"]
        for a in apps {
            let url = phone.appendingPathComponent(a)
            let db = try #require(FileManager.default.contents(atPath: url.path), "\(a) is missing")
            let wal = FileManager.default.contents(atPath: url.path + "-wal")
            out.append((a, [UInt8](db), wal.map { [UInt8]($0) }, nil))
        }
        return out
    }

    @Test func aSecondPassHandsOverTheSameRowsInTheSameOrder() throws {
        let inputs = try Self.inputs()
        try #require(inputs.count >= 10)
        var streamedSome = 0
        for i in inputs {
            let whole = SQLiteRecovery.recover(database: i.db, wal: i.wal, journal: i.journal)
            // 0: nothing may be held, every row goes out in the second pass; 2 KiB: some cases fit.
            for limit in [0, 2048] {
                var rows: [RecoveredRow] = []
                let streamed = SQLiteRecovery.recover(database: ByteSource(i.db), wal: i.wal, journal: i.journal,
                                                      holdLimit: limit) { rows.append($0) }
                let same = rows == whole.records
                #expect(same, "\(i.name), hold limit \(limit): \(rows.count) rows streamed, \(whole.records.count) held, first difference at \(rows.indices.first { $0 >= whole.records.count || rows[$0] != whole.records[$0] } ?? rows.count)")
                #expect(streamed.records.isEmpty)
                #expect(streamed.tables == whole.tables && streamed.droppedTables == whole.droppedTables)
                #expect(streamed.liveRowCounts == whole.liveRowCounts && streamed.journalRecords == whole.journalRecords)
                #expect(streamed.problems == whole.problems, "\(i.name): problems are not repeated by the second pass")
            }
            if !whole.records.isEmpty { streamedSome += 1 }
        }
        #expect(streamedSome >= 8, "the inputs have rows to stream")
    }
}
