import Foundation
import SQLiteForensics
import Testing

/// Recovery over the generated cases of corpora/recovery/, compared with their answer keys.
@Suite("SQLite recovery: generated cases against answer keys")
struct RecoveryFixtureTests {
    /// Recall floor per case (rows recovered in full / rows whose bytes still exist), as measured
    /// (docs/BENCHMARKS.md); precision must be exact on every case.
    static let recallFloor: [String: Double] = [
        "freeblock": 0.98, "freelist": 0.97, "journal": 1.0, "overflow": 0.75, "pagesize512": 0.95,
        "pagesize65536": 1.0, "wal": 1.0, "walgen": 1.0, "secure": 0, "withoutrowid": 0.78,
    ]
    /// Phantoms allowed per case: none (the key-range and smallest-cell checks removed the two
    /// misaligned WITHOUT ROWID readings this budget once allowed).
    static let phantomBudget: [String: Int] = [:]

    @Test func everyCaseHasAKey() throws {
        let cases = try RecoveryCase.all()
        #expect(!cases.isEmpty)
        #expect(Set(cases.map(\.name)) == Set(Self.recallFloor.keys))
    }

    @Test(arguments: ["freeblock", "freelist", "journal", "overflow", "pagesize512", "pagesize65536", "wal", "walgen", "secure", "withoutrowid"])
    func precisionIsExactAndRecallMeetsItsFloor(_ name: String) throws {
        let c = try RecoveryCase.load(name)
        #expect(!c.deleted.isEmpty)
        let report = c.recover()
        let claimed = report.records.filter { !$0.duplicateOfLive }
        let phantoms = claimed.filter { r in !c.deleted.contains { RecoveryCase.match(r, $0) != nil } }
        #expect(phantoms.count <= Self.phantomBudget[name] ?? 0, "\(name): phantoms \(phantoms)")
        let recoverable = c.deleted.filter(\.recoverable)
        let found = recoverable.filter { t in claimed.contains { RecoveryCase.match($0, t) == "full" } }
        if c.expectNone {
            #expect(claimed.isEmpty, "\(name): secure_delete=ON must report nothing")
            #expect(report.records.isEmpty)
        } else {
            let recall = Double(found.count) / Double(max(1, recoverable.count))
            #expect(recall >= Self.recallFloor[name] ?? 1, "\(name): recall \(found.count)/\(recoverable.count)")
        }
        #expect(report.problems.isEmpty, "\(name): \(report.problems)")
    }

    @Test func aDeletedMessageComesBackWithItsProvenance() throws {
        let report = try RecoveryCase.load("freeblock").recover()
        let row = try #require(report.records.first { $0.tableName == "messages" && $0.values.contains(.text("m-message 3 about item 111 xxx")) })
        #expect(row.values.dropFirst() == [.text("dave"), .text("m-message 3 about item 111 xxx"), .integer(1_700_000_183),
                                           .real(1.0), .blob([3, 21, 0xAB])])
        #expect(row.values.first == .integer(3) || row.values.first == .missing, "the rowid alias: the rowid, or lost")
        #expect(row.source == .freeblock || row.source == .unallocated)
        #expect(row.walFrame == nil)
        #expect(!row.duplicateOfLive)
        #expect(report.tables.map(\.name) == ["messages", "contacts"])
        #expect(report.liveRowCounts["contacts"] == 53)
    }

    @Test func walHistoryRowsCarryTheirFrame() throws {
        let report = try RecoveryCase.load("wal").recover()
        #expect(!report.walFrames.isEmpty)
        #expect(report.walFrames.allSatisfy { $0.state == .committed })
        let changed = try #require(report.records.first { $0.rowid == 10 && !$0.duplicateOfLive })
        #expect(changed.values[1] == .text("alice"))
        #expect(changed.values[0] == .integer(10))
        // Rows still live in the current state are never claimed as recovered; stale copies of
        // them (in the split root's free space) are flagged.
        #expect(Set(report.records.filter { !$0.duplicateOfLive }.compactMap(\.rowid)) == [4, 9, 10, 33, 34, 35, 60, 80, 100])
        #expect(report.records.contains { $0.source == .wal })
    }

    @Test func earlierCheckpointGenerationsAreRecognised() throws {
        let report = try RecoveryCase.load("walgen").recover()
        #expect(report.walFrames.map(\.state) == [.committed] + Array(repeating: .earlierGeneration, count: 5))
        #expect(report.walFrames.first?.salt1 == (report.walFrames.last?.salt1 ?? 0) &+ 1)
        #expect(report.problems.isEmpty)
    }

    @Test func journalRowsComeOnlyFromTheJournal() throws {
        let c = try RecoveryCase.load("journal")
        let report = c.recover()
        #expect(report.journalRecords > 0)
        #expect(!report.records.isEmpty)
        #expect(report.records.allSatisfy { $0.source == .journal && $0.tableName == "contacts" })
        let without = SQLiteRecovery.recover(database: c.database)
        #expect(without.records.isEmpty, "secure_delete zeroed the rows in the database itself")
    }

    @Test func droppedTableRowsComeFromTheFreelistWithTheirOldSchema() throws {
        let report = try RecoveryCase.load("freelist").recover()
        #expect(report.droppedTables == ["dropped_tbl"])
        let dropped = report.records.filter { $0.tableName == "dropped_tbl" }
        #expect(dropped.count == 60)
        let first = try #require(dropped.first { $0.rowid == 1 })
        #expect(first.values == [.text("dropped-key-1"), .integer(3)])
        #expect(first.source == .freelist)
    }

    @Test func sameInputSameOutput() throws {
        let c = try RecoveryCase.load("freeblock")
        #expect(c.recover().records == c.recover().records)
    }
}
