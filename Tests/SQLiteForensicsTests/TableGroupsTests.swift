import ExhibitTesting
import Foundation
@testable import SQLiteForensics
import Testing

/// A carved cell matched once per group of tables of one shape (TableGroups.swift) gets the
/// answer matching it table by table gives: same table (or none), same values, same places.
@Suite("SQLite recovery: tables grouped by shape")
struct TableGroupsTests {
    /// What a carving says, for comparing two carvers' outputs.
    static func describe(_ rows: [Carved]) -> [String] {
        rows.map { "\($0.table.map(String.init) ?? "-")|\($0.rowid.map(String.init) ?? "-")|\($0.values)|\($0.offset)|\($0.length)|\($0.overflowPages)" }
    }

    @Test func groupedMatchingAnswersLikeTableByTable() throws {
        var pagesCompared = 0, found = 0, ambiguous = 0
        for i in try StreamedRecoveryTests.inputs() {
            let src = ByteSource(i.db)
            let header = try DatabaseHeader.parse(ByteView(try #require(src.read(0, 100)))).get()
            var run = RecoveryRun(live: PageImage(file: src, header: header), wal: nil, currentFrames: [:], journal: [], problems: [])
            run.loadSchema()
            run.walkLive()
            run.learnFirstColumnSizes()
            // Every table twice more under other names: cells fit several tables, as in a
            // database of many tables of one shape.
            var tables = run.tables
            for copy in 1...2 { tables += run.tables.map { var t = $0; t.name += "_copy\(copy)"; return t } }
            for set in [run.tables, tables] {
                let plain = Carver(image: run.live, tables: set, forbidden: run.claimed, typicalFirstSize: run.typicalFirstSize)
                var grouped = plain
                grouped.groups = TableGroups(tables: set, typicalFirstSize: run.typicalFirstSize)
                for n in 2...Swift.max(2, run.live.pageCount) {
                    guard let b = run.live.page(n), let bp = BTreePage.parse(b, number: n, usable: run.live.usable),
                          bp.kind == .tableLeaf else { continue }
                    pagesCompared += 1
                    for preferred in [nil, run.owner[n]] {
                        var regions = bp.freeblocks.map { ($0.offset..<($0.offset + $0.size), true) } + [(bp.gap, false)]
                        // The whole content area too: intact cells, stale headers, every offset.
                        regions.append((bp.contentStart..<Swift.min(run.live.usable, b.count), false))
                        for (region, fb) in regions where !region.isEmpty {
                            let a = Self.describe(plain.scan(b, region: region, freeblock: fb, preferred: preferred))
                            let g = Self.describe(grouped.scan(b, region: region, freeblock: fb, preferred: preferred))
                            #expect(a == g, "\(i.name) page \(n) region \(region) preferred \(preferred.map(String.init) ?? "none")")
                            found += a.count
                            ambiguous += a.filter { $0.hasPrefix("-|") }.count
                        }
                    }
                }
            }
        }
        #expect(pagesCompared >= 50 && found >= 500 && ambiguous >= 50, "\(pagesCompared) pages, \(found) readings, \(ambiguous) without a table")
    }
}
