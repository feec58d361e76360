import Foundation
@testable import SQLiteForensics
import Testing

/// Damaged index b-tree pages of WITHOUT ROWID tables: each problem is recorded, reading goes on.
@Suite("SQLite recovery: bad input in WITHOUT ROWID tables")
struct WithoutRowidBadInputTests {
    static func db() throws -> [UInt8] { try #require(RecoveryCase.bytes("withoutrowid.db")) }

    /// Index pages of the database with their parsed headers.
    static func indexPages(_ db: [UInt8]) throws -> [(number: Int, page: BTreePage)] {
        let h = try DatabaseHeader.parse(ByteView(db)).get()
        let img = PageImage(file: db, header: h)
        return (1...img.pageCount).compactMap { n in
            guard let b = img.page(n), let p = BTreePage.parse(b, number: n, usable: img.usable),
                  p.kind == .indexLeaf || p.kind == .indexInterior else { return nil }
            return (n, p)
        }
    }

    @Test func anInteriorPageThatPointsAtItselfIsReadOnce() throws {
        var db = try Self.db()
        let interior = try #require(try Self.indexPages(db).first { $0.page.kind == .indexInterior })
        let start = (interior.number - 1) * 4096 + interior.page.headerOffset
        RecoveryBadInputTests.put32(&db, start + 8, interior.number)   // right-most child = itself
        let r = SQLiteRecovery.recover(database: db)
        #expect(Set(r.problems.map(\.code)).contains("sqlite-btree-loop"))
        #expect(!r.records.isEmpty, "the other pages are still searched")
    }

    @Test func cellPointersAndLengthsOutsideThePage() throws {
        var db = try Self.db()
        let leaf = try #require(try Self.indexPages(db).first { $0.page.kind == .indexLeaf && $0.page.cellCount > 2 })
        let base = (leaf.number - 1) * 4096
        RecoveryBadInputTests.put16(&db, base + 8, 4095)                 // first cell pointer at the page's last byte
        let second = leaf.page.cellPointers[1]
        db[base + second] = 0xFF; db[base + second + 1] = 0xFF; db[base + second + 2] = 0x7F   // payload length ~2 MB
        let r = SQLiteRecovery.recover(database: db)
        let codes = Set(r.problems.map(\.code))
        #expect(codes.contains("sqlite-bad-cell") || codes.contains("sqlite-cell-pointer"))
        #expect(r.liveRowCounts["kv"].map { $0 > 0 } == true)
    }

    @Test func truncatedAtEveryPageBoundary() throws {
        let db = try Self.db()
        let pages = db.count / 4096
        #expect(pages >= 5)
        for k in 1...pages {
            let r = SQLiteRecovery.recover(database: Array(db.prefix(k * 4096)))
            if k < pages { #expect(Set(r.problems.map(\.code)).contains("sqlite-truncated"), "\(k) pages") }
            #expect(r.records.allSatisfy { $0.page <= k }, "nothing read past the bytes")
        }
    }
}
