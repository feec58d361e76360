import Foundation
@testable import SQLiteForensics
import Testing

/// Hostile and damaged databases: every problem ends as a recorded problem, never a crash, and
/// recovery of one page never stops the rest.
@Suite("SQLite recovery: bad input")
struct RecoveryBadInputTests {
    static func fixture(_ name: String) throws -> [UInt8] { try #require(RecoveryCase.bytes(name)) }

    static func codes(_ r: RecoveryReport) -> Set<String> { Set(r.problems.map(\.code)) }

    static func put16(_ b: inout [UInt8], _ at: Int, _ v: Int) { b[at] = UInt8(v >> 8 & 0xFF); b[at + 1] = UInt8(v & 0xFF) }
    static func put32(_ b: inout [UInt8], _ at: Int, _ v: Int) {
        for i in 0..<4 { b[at + i] = UInt8(v >> (24 - 8 * i) & 0xFF) }
    }

    /// Table leaf pages of a database with their parsed headers.
    static func leaves(_ db: [UInt8]) throws -> [(number: Int, page: BTreePage)] {
        let h = try DatabaseHeader.parse(ByteView(db)).get()
        let img = PageImage(file: db, header: h)
        return (1...img.pageCount).compactMap { n in
            guard let b = img.page(n), let p = BTreePage.parse(b, number: n, usable: img.usable), p.kind == .tableLeaf else { return nil }
            return (n, p)
        }
    }

    @Test func pageSizeThatIsNotAPowerOfTwo() throws {
        var db = try Self.fixture("freeblock.db")
        Self.put16(&db, 16, 1000)
        let r = SQLiteRecovery.recover(database: db)
        #expect(Self.codes(r) == ["sqlite-bad-page-size"])
        #expect(r.records.isEmpty)
        #expect(r.header == nil)
    }

    @Test func pageSizeValueOneMeans65536AndSmallestIs512() throws {
        #expect(SQLiteRecovery.recover(database: try Self.fixture("pagesize65536.db")).header?.pageSize == 65536)
        #expect(try Self.fixture("pagesize65536.db")[16...17] == [0, 1])
        #expect(SQLiteRecovery.recover(database: try Self.fixture("pagesize512.db")).header?.pageSize == 512)
    }

    @Test func notADatabaseAndTooShort() throws {
        #expect(Self.codes(SQLiteRecovery.recover(database: Array("hello".utf8))) == ["sqlite-too-short"])
        #expect(Self.codes(SQLiteRecovery.recover(database: [UInt8](repeating: 0x41, count: 4096))) == ["sqlite-bad-magic"])
    }

    @Test func freelistTrunkThatLoopsOrPointsPastTheEnd() throws {
        let good = try Self.fixture("freelist.db")
        let trunk = Int(good[32]) << 24 | Int(good[33]) << 16 | Int(good[34]) << 8 | Int(good[35])
        #expect(trunk > 0)
        var loop = good
        Self.put32(&loop, (trunk - 1) * 1024, trunk)
        let r = SQLiteRecovery.recover(database: loop)
        #expect(Self.codes(r).contains("sqlite-freelist-loop"))
        #expect(r.records.filter { $0.tableName == "dropped_tbl" }.count == 60, "the leaves before the loop are still read")
        var past = good
        Self.put32(&past, 32, 999_999)
        #expect(Self.codes(SQLiteRecovery.recover(database: past)).contains("sqlite-freelist-range"))
    }

    @Test func freeblockChainThatLoopsOrOverlaps() throws {
        let good = try Self.fixture("freeblock.db")
        let before = SQLiteRecovery.recover(database: good).records.count
        let (n, page) = try #require(try Self.leaves(good).first { $0.page.freeblocks.count >= 2 })
        let first = page.freeblocks[0].offset
        for next in [first, first + 2] {
            var bad = good
            Self.put16(&bad, (n - 1) * 4096 + first, next)
            let r = SQLiteRecovery.recover(database: bad)
            #expect(Self.codes(r).contains("sqlite-freeblock-chain"), "next \(next)")
            #expect(r.records.count >= before / 2, "other pages still recovered")
        }
    }

    @Test func cellPointerOutsideThePage() throws {
        var db = try Self.fixture("freeblock.db")
        let (n, page) = try #require(try Self.leaves(db).first { $0.number > 1 && $0.page.cellCount > 0 })
        Self.put16(&db, (n - 1) * 4096 + page.headerOffset + 8, 0xFFF0)
        let r = SQLiteRecovery.recover(database: db)
        #expect(Self.codes(r).contains("sqlite-cell-pointer"))
        #expect(!r.records.isEmpty)
    }

    @Test func recordHeaderWithHugeLengthOrInvalidSerialType() throws {
        let good = try Self.fixture("freeblock.db")
        let (n, page) = try #require(try Self.leaves(good).first { $0.number > 1 && $0.page.cellPointers.count > 2 })
        let cell = (n - 1) * 4096 + page.cellPointers[0]
        // messages rows: payload length 1 byte, rowid 1–2 bytes; find the header by the rowid's high bit.
        let header = cell + 1 + (good[cell + 1] & 0x80 != 0 ? 2 : 1)
        var huge = good
        for (i, b) in [0x8F, 0xFF, 0xFF, 0xFF, 0x7F].enumerated() { huge[header + i] = UInt8(b) }
        #expect(Self.codes(SQLiteRecovery.recover(database: huge)).contains("sqlite-bad-record"))
        var invalid = good
        invalid[header + 2] = 10
        #expect(Self.codes(SQLiteRecovery.recover(database: invalid)).contains("sqlite-bad-record"))
    }

    @Test func overflowChainThatLoops() throws {
        var db = try Self.fixture("overflow.db")
        let h = try DatabaseHeader.parse(ByteView(db)).get()
        let img = PageImage(file: db, header: h)
        var target: Int?
        // A cell whose payload needs at least two overflow pages, so the loop is followed.
        for (n, page) in try Self.leaves(db) where n > 1 {
            for ptr in page.cellPointers {
                if let b = img.page(n), let c = Cell.parse(b, at: ptr, kind: .tableLeaf, usable: img.usable, limit: img.usable, maxPayload: db.count),
                   let o = c.overflowPage, c.payloadLength - c.localLength > 2 * (img.usable - 4) { target = o; break }
            }
            if target != nil { break }
        }
        let o = try #require(target)
        Self.put32(&db, (o - 1) * 1024, o)
        let r = SQLiteRecovery.recover(database: db)
        #expect(Self.codes(r).contains("sqlite-overflow-chain"))
    }

    @Test func walFramesWithBadChecksumForeignSaltsOrAnotherPageSize() throws {
        let db = try Self.fixture("wal.db")
        let wal = try Self.fixture("wal.db-wal")
        let good = SQLiteRecovery.recover(database: db, wal: wal)
        #expect(good.problems.isEmpty)
        var flipped = wal
        flipped[32 + 24 + 100] ^= 0xFF
        let r1 = SQLiteRecovery.recover(database: db, wal: flipped)
        #expect(Self.codes(r1).contains("wal-bad-checksum"))
        #expect(r1.walFrames.first?.state == .rejected)
        var salted = wal
        let s1 = Int(wal[16]) << 24 | Int(wal[17]) << 16 | Int(wal[18]) << 8 | Int(wal[19])
        Self.put32(&salted, 32 + 8, (s1 + 5000) & 0xFFFF_FFFF)
        let r2 = SQLiteRecovery.recover(database: db, wal: salted)
        #expect(Self.codes(r2).contains("wal-foreign-salt"))
        var other = wal
        Self.put32(&other, 8, 1024)
        #expect(Self.codes(SQLiteRecovery.recover(database: db, wal: other)).contains("wal-foreign"))
        // With no frame usable, nothing of the WAL's history is claimed.
        #expect(SQLiteRecovery.recover(database: db, wal: other).records.allSatisfy { $0.source != .wal || $0.walFrame == nil })
    }

    @Test func journalOfAnotherDatabase() throws {
        let r = SQLiteRecovery.recover(database: try Self.fixture("freeblock.db"), journal: try Self.fixture("journal.db-journal"))
        #expect(Self.codes(r).contains("journal-foreign"))
        #expect(r.journalRecords == 0)
        #expect(!r.records.contains { $0.source == .journal })
    }

    @Test func truncatedAtEveryPageBoundary() throws {
        let db = try Self.fixture("freeblock.db")
        let pages = db.count / 4096
        #expect(pages >= 5)
        for k in 0...pages {
            for extra in [0, 100] where k * 4096 + extra <= db.count {
                let r = SQLiteRecovery.recover(database: Array(db.prefix(k * 4096 + extra)))
                if k == 0, extra == 0 { #expect(Self.codes(r) == ["sqlite-too-short"]) }
                if k >= 1, k < pages { #expect(Self.codes(r).contains("sqlite-truncated"), "\(k) pages + \(extra)") }
                #expect(r.records.allSatisfy { $0.page <= k }, "nothing read past the bytes")
            }
        }
    }

    @Test(arguments: ["freeblock.db", "overflow.db", "wal.db", "freelist.db", "withoutrowid.db"])
    func randomDamageNeverCrashes(_ name: String) throws {
        let good = try Self.fixture(name)
        let wal = name == "wal.db" ? RecoveryCase.bytes("wal.db-wal") : nil
        var rng = SplitMix(seed: 0x5EED_0013)
        print("randomDamageNeverCrashes \(name) seed 0x5EED0013")
        for _ in 0..<60 {
            var db = good
            var w = wal
            for _ in 0..<Int(rng.next() % 24 + 1) {
                let at = Int(rng.next() % UInt64(db.count))
                db[at] = UInt8(truncatingIfNeeded: rng.next())
                if w != nil, let count = w?.count { w?[Int(rng.next() % UInt64(count))] = UInt8(truncatingIfNeeded: rng.next()) }
            }
            let r = SQLiteRecovery.recover(database: db, wal: w)
            #expect(r.records.allSatisfy { !$0.values.isEmpty })
            #expect(SQLiteRecovery.recover(database: db, wal: w).records == r.records, "deterministic")
        }
    }
}

/// A tiny deterministic generator (same bytes every run).
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
