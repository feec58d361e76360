import Foundation

/// Recovery in `WITHOUT ROWID` tables: their rows live in index b-trees (cells without a rowid,
/// records in PRIMARY KEY order), so their live rows, free space, freed pages and older page
/// versions are read with the index cell formats (docs/recovery.md).
extension RecoveryRun {
    /// Walks live `WITHOUT ROWID` table `i`: rows (in column order) for the duplicate checks,
    /// page owners, and the priors the carver uses for a lost first serial type.
    mutating func walkWithoutRowid(_ i: Int) {
        let t = tables[i]
        var sample: [[SQLValue]] = [], count = 0
        var sampleBytes = 0, sampling = true
        let share = nextSampleShare()
        let digests = liveDigests
        var firstTypes: [Int64: Int] = [:]
        var kinds = Array(repeating: Set<SerialType.Kind>(), count: t.columns.count)
        let w = live.walkIndex(root: t.rootPage, claimed: &claimed) { row in
            guard row.values.count == t.columns.count else { return }
            let values = Self.readAsStored(t.columnOrder(row.values), t)
            count += 1
            digests.insert(Self.liveKey(.values, i, RowDigest(values)))
            digests.insert(Self.liveKey(.tail, i, RowDigest(values.dropFirst())))
            let key = RowDigest(row.values.prefix(Swift.max(1, t.keyFields)))
            digests.insert(Self.liveKey(.key, i, key))
            digests.insert(Self.liveKey(.keyShape, i, Self.keyShape(key, Self.shape(row.values))))
            for (f, v) in row.values.enumerated() {
                let ty = Self.serialType(v)
                kinds[f].insert(SerialType.kind(ty))
                if f == 0 { firstTypes[ty, default: 0] += 1 }
            }
            if sampling {
                let size = Self.sampleSize(values)
                if sampleBytes + size <= share { sample.append(values); sampleBytes += size } else { sampling = false }
            }
        }
        problems += w.problems
        for p in w.pages { owner[p] = i }
        // Key order is checked only where it is plain memcmp/numeric order over UTF-8 text.
        if KeyOrder.plainOrder(t), live.header.textEncoding == 1 { keyRanges.merge(w.keyRanges) { a, _ in a } }
        liveIndex.setSample(i, sample); liveCounts[i] = count
        sampleLeft -= sampleBytes
        // Only a first field every live row stores with the same serial type (a fixed-size key)
        // is a prior for a lost one: a variable length would be a guess.
        let first = firstTypes.count == 1 ? firstTypes.keys.first : nil
        indexPriors[i] = IndexPrior(firstType: first, kinds: kinds, rows: count)
    }

    /// The serial type a decoded value was stored with (text and blob by their byte length in
    /// UTF-8; integers by their size).
    static func serialType(_ v: SQLValue) -> Int64 {
        switch v {
        case .null, .missing: return 0
        case .integer(let x): return x == 0 ? 8 : x == 1 ? 9 : [1: 1, 2: 2, 3: 3, 4: 4, 6: 5, 8: 6][Carver.intSize(x)] ?? 6
        case .real: return 7
        case .text(let s): return Int64(s.utf8.count * 2 + 13)
        case .blob(let b): return Int64(b.count * 2 + 12)
        }
    }

    /// Whether `n` is a page of a live `WITHOUT ROWID` table (its owner is one).
    func withoutRowidOwner(_ n: Int) -> Int? {
        guard let o = owner[n], tables[o].withoutRowid else { return nil }
        return o
    }

    /// Carves the freeblocks and the gap of an index leaf page image for `WITHOUT ROWID` rows.
    /// With `current` (the page as it is now, in a live tree), a row of the page's owner must
    /// have a key inside the range the page serves (``outOfRange(_:page:)``).
    mutating func carveIndexFreeSpace(_ b: [UInt8], page n: Int, bp: BTreePage, preferred: Int?,
                                      fbSource: RecoverySource, gapSource: RecoverySource, frame: Int?, current: Bool = false) {
        let c = carver
        for fb in bp.freeblocks {
            for x in c.scanIndex(b, region: fb.offset..<(fb.offset + fb.size), freeblock: true, preferred: preferred)
            where !(current && outOfRange(x, page: n)) {
                emit(x, source: fbSource, page: n, frame: frame)
            }
        }
        let bounds = Set(bp.cellPointers + bp.freeblocks.map(\.offset) + [bp.contentStart])
        for x in c.scanIndex(b, region: bp.gap, freeblock: false, preferred: preferred)
        where !cutShort(b, x, bounds: bounds) && !c.holdsNewerCell(b, x, end: bp.gap.upperBound, preferred: preferred) && !damagedLiveCopy(x)
            && !(current && outOfRange(x, page: n)) {
            emit(x, source: gapSource, page: n, frame: frame)
        }
    }

    /// Whether a reading on live leaf page `n` has a PRIMARY KEY outside the range the page's
    /// parent gives it (widened by a sibling each side): a cell freed on this page was on it, so
    /// its key sorted there; a key far outside is a misaligned reading of other bytes.
    func outOfRange(_ x: Carved, page n: Int) -> Bool {
        guard let o = x.table, let range = keyRanges[n], owner[n] == o else { return false }
        let t = tables[o]
        let record = t.recordOrder.map { $0 < x.values.count ? x.values[$0] : .missing }
        return !KeyOrder.within(record, range, fields: Swift.max(1, t.keyFields))
    }

    /// A gap reading whose PRIMARY KEY is live, whose record has the live row's shape (the same
    /// serial types, so the same sizes) but whose values differ: a copy left by a split or a move
    /// whose bytes later writes cut into. A reading of another shape under a live key is an older
    /// version of a changed row (a split root keeps the pre-split cells in its gap) and is kept.
    func damagedLiveCopy(_ x: Carved) -> Bool {
        guard let o = x.table, tables[o].withoutRowid else { return false }
        let t = tables[o]
        let record = t.recordOrder.map { $0 < x.values.count ? x.values[$0] : .missing }
        let key = RowDigest(record.prefix(Swift.max(1, t.keyFields)))
        guard isLive(.key, o, key), !isLive(.values, o, RowDigest(Self.readAsStored(x.values, t))) else { return false }
        // Missing values (a broken overflow chain) leave the shape unknown: treated as a copy.
        guard !record.contains(.missing) else { return true }
        return isLive(.keyShape, o, Self.keyShape(key, Self.shape(record)))
    }

    /// A digest of a PRIMARY KEY's digest with a record shape: the live row of that key has that shape.
    static func keyShape(_ key: RowDigest, _ shape: RowDigest) -> RowDigest {
        RowDigest([key.a, key.b, shape.a, shape.b].map { SQLValue.integer(Int64($0)) })
    }

    /// A digest of a record's serial types (its shape: storage classes and sizes).
    static func shape(_ record: [SQLValue]) -> RowDigest {
        RowDigest(record.map { SQLValue.integer(serialType($0)) })
    }

    /// Whether a reading in the gap holds, after its first bytes, a freeblock header whose block
    /// ends exactly at a cell, a freeblock or the content start of the page: a later write cut
    /// into the old cell there, and what follows the header is not its bytes.
    func cutShort(_ b: [UInt8], _ x: Carved, bounds: Set<Int>) -> Bool {
        let v = ByteView(b)
        guard x.length > 8 else { return false }
        for pos in (x.offset + 4)..<(x.offset + x.length - 3) {
            guard let next = v.u16(pos), let size = v.u16(pos + 2), size >= 4, next == 0 || next > pos else { continue }
            if bounds.contains(pos + size) { return true }
        }
        return false
    }

    /// A record in use on an index page image that is not current (an older version, a freed
    /// page): reported when it fits a `WITHOUT ROWID` table and (with `skipLive`) is not live.
    mutating func emitIndexRow(_ r: CellRow, source: RecoverySource, frame: Int?, preferred: Int?, skipLive: Bool) {
        let types = r.values.map(Self.serialType)
        guard let choice = carver.chooseIndex(types, values: r.values, preferred: preferred) else { return }
        let values = choice.map { tables[$0].columnOrder(r.values) } ?? r.values
        if skipLive, let t = choice, isLive(.values, t, RowDigest(Self.readAsStored(values, tables[t]))) { return }
        emit(Carved(table: choice, rowid: nil, values: values, offset: r.offset, length: 0, overflowPages: r.overflowPages),
             source: source, page: r.page, frame: frame)
    }

    /// An index page of the current state: a live `WITHOUT ROWID` table's leaf (its free space),
    /// its interior pages (whole cells in the gap), or an index leaf in no live b-tree (freed, or
    /// a dropped table's: its cells, then its free space). Pages of ordinary indexes are skipped.
    mutating func carveCurrentIndexPage(_ b: [UInt8], page n: Int, bp: BTreePage, frame: Int?) {
        let inWal = frame != nil
        if claimed.contains(n) {
            guard let o = withoutRowidOwner(n) else { return }
            if bp.kind == .indexLeaf {
                carveIndexFreeSpace(b, page: n, bp: bp, preferred: o, fbSource: inWal ? .wal : .freeblock,
                                    gapSource: inWal ? .wal : .unallocated, frame: frame, current: true)
            } else {
                // A root that split keeps copies of the rows it moved to its children here, later
                // writes cutting into them: a row whose key is live is such a copy (equal or damaged).
                let c = carver
                for x in c.scanIndex(b, region: bp.gap, freeblock: false, preferred: o, intactOnly: true)
                where !damagedLiveCopy(x) && !c.holdsNewerCell(b, x, end: bp.gap.upperBound, preferred: o) {
                    emit(x, source: inWal ? .wal : .unallocated, page: n, frame: frame)
                }
            }
            return
        }
        guard bp.kind == .indexLeaf, !usedOverflow.contains(n) else { return }
        let source: RecoverySource = inWal ? .wal : (freelistLeaves.contains(n) ? .freelist : .unallocated)
        var scratch: [RecoveryProblem] = []
        for r in live.cellRows(b, number: n, page: bp, problems: &scratch) {
            emitIndexRow(r, source: source, frame: frame, preferred: nil, skipLive: false)
        }
        carveIndexFreeSpace(b, page: n, bp: bp, preferred: nil, fbSource: source, gapSource: source, frame: frame)
    }

    /// An older version of an index leaf page (WAL frame, superseded main-file page, journal
    /// pre-image): its rows no longer live, then its free space. Only pages a `WITHOUT ROWID`
    /// table owns now, or owned by no live b-tree.
    mutating func carveIndexVersion(_ bytes: [UInt8], page: Int, bp: BTreePage, source: RecoverySource, frame: Int?) {
        guard bp.kind == .indexLeaf, !indexTablesEmpty else { return }
        let pref = withoutRowidOwner(page)
        // A page in use by something else now (an ordinary index, a rowid table) is skipped.
        if pref == nil, claimed.contains(page) { return }
        var scratch: [RecoveryProblem] = []
        for r in live.cellRows(bytes, number: page, page: bp, problems: &scratch) {
            emitIndexRow(r, source: source, frame: frame, preferred: pref, skipLive: true)
        }
        carveIndexFreeSpace(bytes, page: page, bp: bp, preferred: pref, fbSource: source, gapSource: source, frame: frame)
    }

    var indexTablesEmpty: Bool { !tables.contains { $0.withoutRowid } }
}
