import Foundation

/// The state of one recovery: the current page image, versions, schema, live rows and results.
struct RecoveryRun {
    var live: PageImage
    var wal: WALFile?
    /// Page → frame number of its current (last committed) version.
    var currentFrames: [Int: Int]
    var journal: [JournalRecord]
    var problems: [RecoveryProblem]

    var tables: [TableSchema] = []
    var droppedTables: [String] = []
    /// Pages of live b-trees (and their overflow pages).
    var claimed: Set<Int> = []
    /// Page → table index owning it.
    var owner: [Int: Int] = [:]
    /// Per table: the first ``liveSample`` live rows (for the wildcard comparison of partial
    /// records), how many rows it has, and digests of every row — its values, its rowid with its
    /// values, and its values after the first — so memory grows by 48 bytes a row, not by the
    /// rows' contents.
    var liveRows: [Int: [CellRow]] = [:]
    var liveCounts: [Int: Int] = [:]
    var liveSets: [Int: Set<RowDigest>] = [:]
    var liveRowKeys: [Int: Set<RowDigest>] = [:]
    var liveTails: [Int: Set<RowDigest>] = [:]
    /// Per table, how many live rows hold an integer of each content size in their first column.
    var firstSizeCounts: [Int: [Int: Int]] = [:]
    /// Live rows kept whole per table.
    static let liveSample = 100_000
    var freelistTrunks: [Int] = []
    var freelistLeaves: Set<Int> = []
    /// Rows found, held while they fit in ``holdLimit`` bytes (first pass).
    var records: [RecoveredRow] = []
    /// Estimated bytes of ``records``, and the most held before the rows go out in a second pass.
    var heldBytes = 0
    var holdLimit = Int.max
    /// The rows found did not fit in ``holdLimit``: ``records`` was dropped, a second pass hands them over.
    var overflowed = false
    /// Digests of every complete row found (its table and values after the first), so a clobbered
    /// copy of it is dropped (``isSubsumed(_:by:)``) without holding the rows: 16 bytes a row.
    var completeTails: Set<RowDigest> = []
    /// Second pass: the first pass's ``completeTails``; rows are judged and handed to ``deliver`` as found.
    var subsumedBy: Set<RowDigest>?
    var deliver: ((RecoveredRow) -> Void)?
    /// Rows already reported (table, rowid, values), as digests.
    var seen: Set<RowDigest> = []
    var usedOverflow: Set<Int> = []
    /// Former root pages of dropped tables (from their carved or older schema rows) → table.
    var formerRoots: [Int: Int] = [:]
    var typicalFirstSize: [Int: Int] = [:]
    /// Per `WITHOUT ROWID` table, the shape of its live records (the carver's priors).
    var indexPriors: [Int: IndexPrior] = [:]
    /// Per `WITHOUT ROWID` table, digests of its live rows' PRIMARY KEY fields.
    var liveKeys: [Int: Set<RowDigest>] = [:]
    /// Per `WITHOUT ROWID` table, the shape (serial types) of the live row of each PRIMARY KEY.
    var liveKeyShapes: [Int: [RowDigest: RowDigest]] = [:]
    /// Leaf pages of live `WITHOUT ROWID` tables → the key range each serves (KeyOrder.swift).
    var keyRanges: [Int: KeyRange] = [:]

    init(live: PageImage, wal: WALFile?, currentFrames: [Int: Int], journal: [JournalRecord], problems: [RecoveryProblem]) {
        self.live = live; self.wal = wal; self.currentFrames = currentFrames; self.journal = journal; self.problems = problems
    }

    /// Page-1 images other than the current one: older schema versions.
    var olderPageOnes: [[UInt8]] {
        var out: [[UInt8]] = []
        if live.overlay[1] != nil, let p = PageImage(file: live.file, header: live.header).page(1) { out.append(p) }
        if let wal { for f in wal.frames where f.pageNumber == 1 && f.state != .rejected && currentFrames[1] != f.number { out.append(wal.pageData(f)) } }
        for r in journal where r.pageNumber == 1 { out.append(r.data) }
        return out
    }

    /// The live schema, then tables only older page-1 versions or carved schema rows declare.
    mutating func loadSchema() {
        let s = live.schema(problems: &problems)
        tables = s.tables
        var extra: [[SQLValue]] = []
        for p in olderPageOnes {
            var img = live
            img.overlay[1] = p
            var scratch: [RecoveryProblem] = []
            // Only page 1 itself: deeper schema pages of an older version are not kept apart.
            if let bp = BTreePage.parse(p, number: 1, usable: live.usable), bp.kind == .tableLeaf {
                extra += img.cellRows(p, number: 1, page: bp, problems: &scratch).map(\.values)
            }
            extra += carveMaster(p)
        }
        if let p = live.page(1) { extra += carveMaster(p) }
        let known = Set(tables.map(\.name))
        for t in PageImage.tables(from: extra) where !known.contains(t.name) && !droppedTables.contains(t.name) {
            var t = t
            if t.rootPage > 0 { formerRoots[t.rootPage] = tables.count }
            t.rootPage = 0
            tables.append(t); droppedTables.append(t.name)
        }
    }

    /// `sqlite_master` rows carved from a page-1 image's free space.
    func carveMaster(_ p: [UInt8]) -> [[SQLValue]] {
        guard let bp = BTreePage.parse(p, number: 1, usable: live.usable), bp.kind == .tableLeaf else { return [] }
        let c = Carver(image: live, tables: [SQLiteRecovery.masterTable], forbidden: [])
        var out: [[SQLValue]] = []
        for fb in bp.freeblocks { out += c.scan(p, region: fb.offset..<(fb.offset + fb.size), freeblock: true, preferred: 0).map(\.values) }
        out += c.scan(p, region: bp.gap, freeblock: false, preferred: 0).map(\.values)
        return out.filter { !$0.contains(.missing) }
    }

    /// A journal is this database's when its copy of page 1 is an earlier state of it: a change
    /// counter a little behind the file's (every write transaction bumps it and journals page 1
    /// first) and a schema sharing a table with a known one. Otherwise it is not used.
    mutating func checkJournalBelongs() {
        guard !journal.isEmpty else { return }
        guard let p1 = journal.first(where: { $0.pageNumber == 1 })?.data else {
            problems.append(.init(code: "journal-no-page-one", message: "the -journal holds no copy of page 1, so it cannot be tied to this database; it is not used"))
            journal = []
            return
        }
        var foreign = true
        if p1.count >= 100, Array(p1[0..<16]) == DatabaseHeader.magic, let theirs = try? DatabaseHeader.parse(ByteView(p1)).get() {
            let behind = live.header.changeCounter &- theirs.changeCounter
            var img = live
            img.overlay[1] = p1
            var claimed: Set<Int> = []
            let rows = img.walkTable(root: 1, claimed: &claimed).rows.map(\.values)
            let theirTables = Set(PageImage.tables(from: rows).map { $0.name + "\u{0}" + $0.sql })
            let ours = Set(tables.map { $0.name + "\u{0}" + $0.sql })
            let schemaAgrees = theirTables.isEmpty ? ours.isEmpty || rows.isEmpty : !theirTables.isDisjoint(with: ours)
            foreign = !(behind >= 1 && behind <= 64 && theirs.pageSize == live.header.pageSize && schemaAgrees)
        }
        if foreign {
            problems.append(.init(code: "journal-foreign", message: "the -journal's copy of page 1 is not an earlier state of this database (change counter or schema differ); the journal is not used"))
            journal = []
        }
    }

    /// Walks every live b-tree: rows per table, page owners, pages in use.
    mutating func walkLive() {
        claimed = []
        // The schema's own pages are in use; its rows were read by loadSchema.
        _ = live.walkTable(root: 1, claimed: &claimed)
        let masterRows = rowsOfMaster()
        for (i, t) in tables.enumerated() where t.rootPage > 0 && !t.withoutRowid {
            var sample: [CellRow] = [], count = 0
            var sets = Set<RowDigest>(), keys = Set<RowDigest>(), tails = Set<RowDigest>()
            var sizes: [Int: Int] = [:]
            let w = live.walkTable(root: t.rootPage, claimed: &claimed) { row in
                var r = row
                if let a = t.rowidAlias, a < r.values.count, let id = r.rowid { r.values[a] = .integer(id) }
                r.values = Self.readAsStored(r.values, t)
                count += 1
                sets.insert(RowDigest(r.values))
                keys.insert(RowDigest(r.values, rowid: r.rowid))
                tails.insert(RowDigest(r.values.dropFirst()))
                if case .integer(let v)? = r.values.first, t.rowidAlias != 0 { sizes[Carver.intSize(v), default: 0] += 1 }
                if sample.count < Self.liveSample { sample.append(r) }
            }
            problems += w.problems
            for p in w.pages { owner[p] = i }
            liveRows[i] = sample; liveCounts[i] = count
            liveSets[i] = sets; liveRowKeys[i] = keys; liveTails[i] = tails
            firstSizeCounts[i] = sizes
        }
        for (i, t) in tables.enumerated() where t.rootPage > 0 && t.withoutRowid { walkWithoutRowid(i) }
        // Indexes: their pages (and overflow pages) are in use; their records are not carved.
        for root in masterRows where !claimed.contains(root) {
            problems += live.walkIndex(root: root, claimed: &claimed) { _ in }.problems
        }
        let fl = live.freelist()
        problems += fl.problems
        freelistTrunks = fl.trunks
        freelistLeaves = Set(fl.leaves)
    }

    /// Root pages of indexes and WITHOUT ROWID tables: their pages are in use, not free.
    func rowsOfMaster() -> [Int] {
        var claimedNone: Set<Int> = []
        let rows = live.walkTable(root: 1, claimed: &claimedNone).rows.map(\.values)
        let roots = PageImage.indexRoots(from: rows)
        return roots
    }
}

/// A 128-bit digest of a row's values (two independently seeded hashes): set membership over
/// millions of live rows without keeping their contents. A false "equal to a live row" needs a
/// 128-bit collision.
struct RowDigest: Hashable {
    let a: Int, b: Int

    init<C: Collection>(_ values: C, rowid: Int64? = nil) where C.Element == SQLValue {
        var h1 = Hasher(), h2 = Hasher()
        h1.combine(0x5EED_0001); h2.combine(0x5EED_0002)
        if let rowid { h1.combine(rowid); h2.combine(rowid) }
        h1.combine(values.count); h2.combine(values.count)
        for v in values { h1.combine(v); h2.combine(v) }
        a = h1.finalize(); b = h2.finalize()
    }
}
