import ExhibitTesting
import Foundation
@testable import SQLiteForensics
import Testing

/// The live rows' digests and samples are made lazily, table by table, when the carve first asks
/// (LiveRowIndex.swift, docs/recovery.md "Cost"): the same digests and samples an eager walk
/// makes, and none at all for a database with nothing to carve.
@Suite("SQLite recovery: live-row digests made when the carve asks")
struct LiveRowIndexTests {
    /// The run after the live walk, as ``SQLiteRecovery`` makes it (no WAL or journal: the cases'
    /// main files).
    static func walked(_ c: RecoveryCase) throws -> RecoveryRun {
        let src = ByteSource(c.database)
        let header = try DatabaseHeader.parse(ByteView(try #require(src.read(0, 100)))).get()
        var run = RecoveryRun(live: PageImage(file: src, header: header), wal: nil, currentFrames: [:], journal: [], problems: [])
        run.loadSchema()
        run.walkLive()
        run.learnFirstColumnSizes()
        return run
    }

    /// Every live row of every rowid table, read the eager way (one walk visiting each row, the
    /// schema's pages claimed first): what the index must hold once built.
    static func eagerRows(_ run: RecoveryRun) -> [Int: [(rowid: Int64?, values: [SQLValue])]] {
        var claimed: Set<Int> = []
        _ = run.live.walkTable(root: 1, claimed: &claimed)
        var out: [Int: [(rowid: Int64?, values: [SQLValue])]] = [:]
        for (i, t) in run.tables.enumerated() where t.rootPage > 0 && !t.withoutRowid {
            var rows: [(rowid: Int64?, values: [SQLValue])] = []
            _ = run.live.walkTable(root: t.rootPage, claimed: &claimed) { rows.append(($0.rowid, RecoveryRun.storedValues($0, t))) }
            out[i] = rows
        }
        return out
    }

    @Test func theLazyIndexHoldsWhatAnEagerWalkMakes() throws {
        let cases = try RecoveryCase.all()
        try #require(!cases.isEmpty)
        var rowsChecked = 0
        for c in cases {
            let run = try Self.walked(c)
            let eager = Self.eagerRows(run)
            let samples = run.liveRows  // builds every pending table
            for (t, rows) in eager {
                #expect(run.liveCounts[t] == rows.count, "\(c.name) table \(t): \(run.liveCounts[t] ?? -1) counted, \(rows.count) walked")
                for r in rows {
                    #expect(run.isLive(.values, t, RowDigest(r.values)))
                    #expect(run.isLive(.rowKey, t, RowDigest(r.values, rowid: r.rowid)))
                    #expect(run.isLive(.tail, t, RowDigest(r.values.dropFirst())))
                }
                let sample = samples[t] ?? []
                #expect(sample.count <= rows.count)
                #expect(sample == rows.prefix(sample.count).map(\.values), "\(c.name) table \(t): the sample is the first rows, in order")
                rowsChecked += rows.count
            }
            // A row that is not live is not found: the digests are of these rows, not of anything.
            if let (t, rows) = eager.first(where: { !$0.value.isEmpty }), let first = rows.first {
                #expect(!run.isLive(.values, t, RowDigest(first.values + [.text("not a live row")])))
            }
        }
        #expect(rowsChecked >= 500, "\(rowsChecked) live rows checked")
    }

    @Test func aDatabaseWithNothingToCarveIsNeverDigested() throws {
        // `secure`: deleted with secure_delete on, so its free space holds zeros only.
        let c = try RecoveryCase.load("secure")
        var run = try Self.walked(c)
        try #require(run.liveCounts.values.reduce(0, +) > 0, "the case has live rows")
        run.carveCurrent()
        run.carveVersions()
        #expect(run.records.isEmpty)
        #expect(run.liveIndex.built.isEmpty, "tables digested: \(run.liveIndex.built)")
    }

    @Test func onlyTheTablesTheCarveAsksAboutAreDigested() throws {
        var sawPartial = false
        for c in try RecoveryCase.all() where !c.expectNone {
            var run = try Self.walked(c)
            run.carveCurrent()
            run.carveVersions()
            run.flagDuplicates()
            let live = Set(run.tables.indices.filter { run.tables[$0].rootPage > 0 && !run.tables[$0].withoutRowid && (run.liveCounts[$0] ?? 0) > 0 })
            let asked = Set(run.records.compactMap { r in r.tableName.flatMap { n in run.tables.firstIndex { $0.name == n } } })
            let built = Set(run.liveIndex.built)
            #expect(built.isSubset(of: live.union(asked)), "\(c.name): built \(built)")
            #expect(asked.intersection(live).isSubset(of: built), "\(c.name): every live table a row was judged against is built")
            if built.count < live.count { sawPartial = true }
        }
        #expect(sawPartial, "some case digests fewer tables than it has")
    }
}
