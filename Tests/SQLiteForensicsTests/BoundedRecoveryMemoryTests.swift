import ExhibitTesting
import Foundation
@testable import SQLiteForensics
import Testing

/// The carve's bookkeeping in bounded memory (docs/recovery.md, "Memory"): digest sets past their
/// bound go to sorted runs in an unlinked temp file of the private folder, and the live rows kept
/// whole share one byte budget across tables. The rows found, their order and their
/// `duplicate_of_live` flags are those of the carve that keeps everything in memory.
@Suite("SQLite recovery: digests and samples in bounded memory")
struct BoundedRecoveryMemoryTests {
    /// Distinct digests, made from integers (deterministic within the process).
    static func digests(_ range: Range<Int>) -> [RowDigest] { range.map { RowDigest([SQLValue.integer(Int64($0))]) } }

    @Test func aSpilledSetHasTheMembersOfTheSetInMemory() throws {
        let dir = try TestDirectory("digest-store"); defer { dir.remove() }
        let store = DigestStore(RecoveryMemory(temporaryDirectory: dir.url, digestsInMemory: 100))
        let inserted = Self.digests(0..<25_000)
        // Inserted twice over, interleaved with lookups (as the set of reported rows is used).
        for (i, d) in inserted.enumerated() {
            store.insert(d)
            if i % 7 == 0 { #expect(store.contains(d)) }
        }
        for d in inserted.prefix(5_000) { store.insert(d) }
        #expect(store.failure == nil)
        #expect(store.spilled >= 24_000, "\(store.spilled) digests in the temp file")
        #expect(inserted.allSatisfy(store.contains))
        #expect(!Self.digests(25_000..<35_000).contains(where: store.contains))
        // The temp file was unlinked as soon as it was open: nothing to find, nothing to leave.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).isEmpty)
    }

    @Test func withoutAFolderOrWithAnUnwritableOneEverythingStaysInMemory() throws {
        let none = DigestStore(RecoveryMemory(temporaryDirectory: nil, digestsInMemory: 10))
        let missing = DigestStore(RecoveryMemory(temporaryDirectory: URL(fileURLWithPath: "/nonexistent/exhibit-\(UUID())"), digestsInMemory: 10))
        for d in Self.digests(0..<1_000) { none.insert(d); missing.insert(d) }
        #expect(none.failure == nil && none.spilled == 0)
        #expect(missing.failure != nil && missing.spilled == 0, "a failure is recorded")
        #expect(Self.digests(0..<1_000).allSatisfy { none.contains($0) && missing.contains($0) })
    }

    /// Every generated case and the app databases with deleted rows: carved with digest sets of
    /// three digests in memory (everything else in runs, merged many times) — held, and streamed
    /// in a second pass — the rows are those of the default carve, flags and order included.
    @Test func spilledDigestsGiveTheSameRowsInTheSameOrder() throws {
        let inputs = try StreamedRecoveryTests.inputs()
        try #require(inputs.count >= 10)
        let dir = try TestDirectory("recovery-spill"); defer { dir.remove() }
        var compared = 0, duplicates = 0
        for i in inputs {
            let whole = SQLiteRecovery.recover(database: i.db, wal: i.wal, journal: i.journal)
            for hold in [Int.max, 0] {
                var rows: [RecoveredRow] = []
                let tiny = RecoveryMemory(temporaryDirectory: dir.url, digestsInMemory: 3)
                let spilled = SQLiteRecovery.recover(database: ByteSource(i.db), wal: i.wal, journal: i.journal,
                                                     holdLimit: hold, memory: tiny) { rows.append($0) }
                #expect(rows == whole.records, "\(i.name), hold \(hold): \(rows.count) rows, \(whole.records.count) expected, first difference at \(rows.indices.first { $0 >= whole.records.count || rows[$0] != whole.records[$0] } ?? rows.count)")
                #expect(spilled.problems == whole.problems && spilled.liveRowCounts == whole.liveRowCounts)
            }
            compared += whole.records.count
            duplicates += whole.records.filter(\.duplicateOfLive).count
        }
        #expect(compared >= 500 && duplicates >= 1, "\(compared) rows compared, \(duplicates) flagged as copies of live rows")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).isEmpty, "no temp file left")
    }

    /// The live rows kept whole: one budget for all tables, each table walked taking at most an
    /// equal share of what is left (what a small table leaves goes to the next ones).
    @Test func wholeLiveRowsShareOneBudgetAcrossTables() throws {
        let cases = try RecoveryCase.all()
        func walk(_ c: RecoveryCase, budget: Int) throws -> RecoveryRun {
            let src = ByteSource(c.database)
            let header = try DatabaseHeader.parse(ByteView(try #require(src.read(0, 100)))).get()
            var run = RecoveryRun(live: PageImage(file: src, header: header), wal: nil, currentFrames: [:], journal: [], problems: [],
                                  memory: RecoveryMemory(sampleBytes: budget))
            run.loadSchema()
            run.walkLive()
            return run
        }
        func bytes(_ r: RecoveryRun) -> [Int: Int] { r.liveRows.mapValues { $0.reduce(0) { $0 + RecoveryRun.sampleSize($1) } } }
        // The case with the most live tables holding rows.
        let c = try #require(try cases.max { try walk($0, budget: .max).liveRows.values.filter { !$0.isEmpty }.count
            < walk($1, budget: .max).liveRows.values.filter { !$0.isEmpty }.count })
        let all = try walk(c, budget: .max)
        let sizes = bytes(all)
        try #require(sizes.values.filter { $0 > 0 }.count >= 2, "\(c.name) has rows in two tables")
        #expect(all.liveRows.allSatisfy { $0.value.count == all.liveCounts[$0.key] }, "an ample budget keeps every row")
        let budget = sizes.values.reduce(0, +) / 2
        let half = try walk(c, budget: budget)
        let kept = bytes(half)
        #expect(kept.values.reduce(0, +) <= budget, "\(kept) within \(budget)")
        #expect(half.liveRows.contains { $0.value.count < (half.liveCounts[$0.key] ?? 0) }, "some table is cut")
        for (t, rows) in half.liveRows { #expect(Array(all.liveRows[t]?.prefix(rows.count) ?? []) == rows, "table \(t): the first rows, in order") }
        #expect(try walk(c, budget: 0).liveRows.values.allSatisfy(\.isEmpty))
    }
}
