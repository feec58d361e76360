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
    /// What may stay in memory, and the private folder for the rest (DigestStore.swift).
    let memory: RecoveryMemory
    /// Per table, how many live rows it has. The rows kept whole for the wildcard comparison of
    /// partial records (within ``RecoveryMemory/sampleBytes`` across all tables, each table walked
    /// getting an equal share of what is left) are in ``liveIndex``, made when first needed.
    var liveCounts: [Int: Int] = [:]
    /// Sample bytes left, and tables left to walk (``nextSampleShare()``).
    var sampleLeft = 0
    var sampleTablesLeft = 0
    /// Digests of every live row, of every table, of each ``LiveDigest`` kind (``isLive(_:_:_:)``):
    /// in memory up to a bound, then in the private temp folder; a rowid table's are made when
    /// the carve first asks about it (LiveRowIndex.swift).
    let liveIndex: LiveRowIndex
    var liveDigests: DigestStore { liveIndex.digests }
    /// Per table, its live rows kept whole (every pending table built first: for tests).
    var liveRows: [Int: [[SQLValue]]] { liveIndex.allSamples }
    /// Per table, how many live rows hold an integer of each content size in their first column.
    var firstSizeCounts: [Int: [Int: Int]] = [:]
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
    /// copy of it is dropped (``isSubsumed(_:by:)``) without holding the rows.
    var completeTails: DigestStore
    /// Second pass: the first pass's ``completeTails``; rows are judged and handed to ``deliver`` as found.
    var subsumedBy: DigestStore?
    var deliver: ((RecoveredRow) -> Void)?
    /// Rows already reported (table, rowid, values), as digests.
    var seen: DigestStore
    var usedOverflow: Set<Int> = []
    /// Former root pages of dropped tables (from their carved or older schema rows) → table.
    var formerRoots: [Int: Int] = [:]
    var typicalFirstSize: [Int: Int] = [:]
    /// Rowid tables grouped by what decides a fit, once the priors are known (TableGroups.swift).
    var tableGroups: TableGroups?
    /// Per `WITHOUT ROWID` table, the shape of its live records (the carver's priors).
    var indexPriors: [Int: IndexPrior] = [:]
    /// Leaf pages of live `WITHOUT ROWID` tables → the key range each serves (KeyOrder.swift).
    var keyRanges: [Int: KeyRange] = [:]

    init(live: PageImage, wal: WALFile?, currentFrames: [Int: Int], journal: [JournalRecord], problems: [RecoveryProblem],
         memory: RecoveryMemory = RecoveryMemory()) {
        self.live = live; self.wal = wal; self.currentFrames = currentFrames; self.journal = journal; self.problems = problems
        self.memory = memory
        liveIndex = LiveRowIndex(memory); completeTails = DigestStore(memory); seen = DigestStore(memory)
    }

    /// Fresh sets of reported and complete rows (a carve starts with them empty; a copy of the
    /// run would otherwise share them).
    mutating func resetCarveDigests() {
        seen = DigestStore(memory); completeTails = DigestStore(memory)
    }

    /// The kinds of live-row digests (one set for all, told apart by kind and table).
    enum LiveDigest: Int {
        /// A row's values; its rowid with its values; its values after the first; a `WITHOUT
        /// ROWID` row's PRIMARY KEY fields; its PRIMARY KEY fields with its shape (serial types).
        case values = 1, rowKey, tail, key, keyShape
    }

    /// The digest ``liveDigests`` holds for digest `d` of a live row of table `t`.
    static func liveKey(_ kind: LiveDigest, _ t: Int, _ d: RowDigest) -> RowDigest {
        RowDigest(d, kind: kind.rawValue, table: t)
    }

    /// Whether table `t` has a live row of that digest. A `WITHOUT ROWID` row has no rowid: its
    /// rowid-with-values digest is its values digest.
    func isLive(_ kind: LiveDigest, _ t: Int, _ d: RowDigest) -> Bool {
        let k = kind == .rowKey && tables[t].withoutRowid ? LiveDigest.values : kind
        return liveIndex.contains(t, Self.liveKey(k, t, d))
    }

    /// The sample bytes the next table walked may keep: an equal share of what is left.
    mutating func nextSampleShare() -> Int {
        defer { sampleTablesLeft -= 1 }
        return sampleTablesLeft > 0 ? sampleLeft / sampleTablesLeft : 0
    }

    /// Estimated bytes of a live row kept whole: the array and each value (with its text or blob).
    static func sampleSize(_ values: [SQLValue]) -> Int {
        values.reduce(64) { sum, v in
            switch v {
            case .text(let s): return sum + 24 + s.utf8.count
            case .blob(let b): return sum + 24 + b.count
            default: return sum + 24
            }
        }
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
        sampleLeft = memory.sampleBytes
        sampleTablesLeft = tables.filter { $0.rootPage > 0 }.count
        for (i, t) in tables.enumerated() where t.rootPage > 0 && !t.withoutRowid {
            var sampleRows = 0, count = 0
            var sampleBytes = 0, sampling = true
            let share = nextSampleShare()
            var sizes: [Int: Int] = [:]
            // Digests and the sample's rows are made later, if the carve asks (LiveRowIndex);
            // here only how many rows the sample keeps, so the shares are those of an eager walk.
            // The first column as stored: the rowid when it is the alias (not counted), a real
            // when its affinity is REAL (``storedValues(_:_:)``).
            let countFirst = t.rowidAlias != 0 && t.columns.first?.affinity != .real
            let w = live.walkTableShapes(root: t.rootPage, claimed: &claimed, alias: t.rowidAlias) { row in
                let shape = row.values
                count += 1
                if countFirst, let v = shape.firstInteger { sizes[Carver.intSize(v), default: 0] += 1 }
                if sampling {
                    var size = shape.sampleSize
                    if row.rowid != nil, let a = shape.aliasSize { size += 24 - a }
                    if sampleBytes + size <= share { sampleRows += 1; sampleBytes += size } else { sampling = false }
                }
            }
            problems += w.problems
            for p in w.pages { owner[p] = i }
            liveIndex.postpone(i, leaves: w.leafPages, sampleRows: sampleRows)
            liveCounts[i] = count
            sampleLeft -= sampleBytes
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
        liveIndex.bind(image: live, tables: tables)
    }

    /// A live row's values as the carve compares them: the rowid in its alias column, REAL
    /// columns as reals (``readAsStored(_:_:)``).
    static func storedValues(_ row: CellRow, _ t: TableSchema) -> [SQLValue] {
        var values = row.values
        if let a = t.rowidAlias, a < values.count, let id = row.rowid { values[a] = .integer(id) }
        return readAsStored(values, t)
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

    /// A digest of `d` told apart by a kind and a table (one set holds every table's digests).
    init(_ d: RowDigest, kind: Int, table: Int) {
        var h1 = Hasher(), h2 = Hasher()
        h1.combine(0x5EED_0003); h2.combine(0x5EED_0004)
        for x in [kind, table, d.a, d.b] { h1.combine(x); h2.combine(x) }
        a = h1.finalize(); b = h2.finalize()
    }
}
