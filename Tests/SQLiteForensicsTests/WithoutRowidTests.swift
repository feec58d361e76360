import Foundation
import SQLiteForensics
import Testing

/// Deleted rows of WITHOUT ROWID tables (index b-trees: no rowid, key fields first in the record)
/// from the generated `withoutrowid` case (corpora/recovery/make_recovery.py).
@Suite("SQLite recovery: WITHOUT ROWID tables")
struct WithoutRowidTests {
    /// The generator's kv row `i`: a 20-byte big-endian key and its value.
    static func kv(_ i: Int) -> [SQLValue] {
        func be(_ v: Int, _ n: Int) -> [UInt8] { (0..<n).reversed().map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
        let key = be(i, 8) + be(i * 7919 % 65536, 4) + be(1_700_000_000 + i, 4) + be(i, 4)
        let value = [0] + Array("kv-value \(i) ".utf8) + (0..<20).map { UInt8(i % 7 + $0) } + Array(repeating: UInt8(ascii: "v"), count: i * 13 % 360)
        return [.blob(key), .blob(value)]
    }

    @Test func aDeletedRowComesBackInColumnOrderWithoutARowid() throws {
        let report = try RecoveryCase.load("withoutrowid").recover()
        let settings = report.records(table: "settings").filter { !$0.duplicateOfLive }
        #expect(!settings.isEmpty)
        // Declared (value, updated, name) with PRIMARY KEY (name): stored name first, reported in column order.
        let row = try #require(settings.first { $0.values.last == .text("setting.name.3") })
        #expect(row.values == [.text("setting value 3 sss"), .integer(1_690_000_003), .text("setting.name.3")])
        #expect(row.rowid == nil)
        #expect(row.source == .unallocated)
        #expect(row.walFrame == nil)
    }

    @Test func aFreedCellWithItsHeaderOverwrittenIsRebuiltFromTheFixedKeySize() throws {
        let report = try RecoveryCase.load("withoutrowid").recover()
        let kv = report.records(table: "kv").filter { !$0.duplicateOfLive }
        #expect(!kv.isEmpty)
        // Row 16: its payload length, header length and key type lie under a freeblock header.
        let row = try #require(kv.first { $0.values == Self.kv(16) })
        #expect(row.source == .freeblock)
        #expect(row.rowid == nil)
    }

    @Test func recordOrderPutsTheKeyFirst() throws {
        let report = try RecoveryCase.load("withoutrowid").recover()
        let t = try #require(report.tables.first { $0.name == "settings" })
        #expect(t.withoutRowid)
        #expect(t.recordOrder == [2, 0, 1])
        #expect(t.keyFields == 1)
        #expect(report.liveRowCounts["settings"] == 120 - 12)
    }

    /// The old versions of the two changed settings rows survive whole in the gap of the table's
    /// split root (an interior page now): their key is live but their record has another shape
    /// (a shorter value), so they are older versions, not damaged copies of the live rows.
    @Test func anOlderVersionInTheSplitRootsGapIsKeptThoughItsKeyIsLive() throws {
        let report = try RecoveryCase.load("withoutrowid").recover()
        let settings = report.records(table: "settings").filter { !$0.duplicateOfLive }
        for (i, value) in [(5, "setting value 5 sssss"), (60, "setting value 60 ")] {
            let row = try #require(settings.first { $0.values == [.text(value), .integer(1_690_000_000 + Int64(i)), .text("setting.name.\(i)")] })
            #expect(row.source == .unallocated)
            #expect(row.rowid == nil)
        }
    }

    /// Precision: every kv record not flagged as a live copy is a deleted generator row, whole —
    /// no misaligned reading (a key outside its leaf page's range, or a stale freeblock header
    /// closer to its block's start than the smallest kv cell).
    @Test func everyRecoveredKvRowIsADeletedRow() throws {
        let report = try RecoveryCase.load("withoutrowid").recover()
        let kv = report.records(table: "kv").filter { !$0.duplicateOfLive }
        try #require(!kv.isEmpty)
        let deleted = Set((1...300).filter { $0 % 7 == 2 || $0 % 13 == 0 || (200..<240).contains($0) }.map(Self.kv))
        for r in kv { #expect(deleted.contains(r.values), "not a deleted kv row: page \(r.page) offset \(r.cellOffset)") }
    }
}
