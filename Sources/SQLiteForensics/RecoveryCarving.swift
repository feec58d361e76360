import Foundation

extension RecoveryRun {
    /// The carver over all known tables; overflow chains may not run through live pages.
    var carver: Carver {
        Carver(image: live, tables: tables, forbidden: claimed, typicalFirstSize: typicalFirstSize, indexPriors: indexPriors,
               indexTableIndices: tables.indices.filter { tables[$0].withoutRowid }, groups: tableGroups)
    }

    /// Per table, the most common content size of its first column over live rows holding an
    /// integer there (ties: the smaller size).
    mutating func learnFirstColumnSizes() {
        for (t, counts) in firstSizeCounts {
            if let best = counts.max(by: { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }) { typicalFirstSize[t] = best.key }
        }
        tableGroups = TableGroups(tables: tables, typicalFirstSize: typicalFirstSize)
    }

    /// Takes a carved row unless the same row (table, rowid, values) was already reported: held
    /// (first pass, within ``holdLimit``) or handed to ``deliver`` (second pass, ``subsumedBy`` known).
    mutating func emit(_ c: Carved, source: RecoverySource, page: Int, frame: Int?) {
        var c = c
        if let t = c.table { c.values = Self.readAsStored(c.values, tables[t]) }
        let name = c.table.map { tables[$0].name }
        // A 128-bit digest, not the row's text: a million recovered rows cost 16 MB here, not their size again.
        let key = RowDigest([name.map(SQLValue.text) ?? .null, c.rowid.map(SQLValue.integer) ?? .null] + c.values)
        guard !seen.contains(key) else { return }
        seen.insert(key)
        usedOverflow.formUnion(c.overflowPages)
        var row = RecoveredRow(tableName: name, source: source, page: page, cellOffset: c.offset, walFrame: frame,
                               rowid: c.rowid, values: c.values, duplicateOfLive: false)
        if let complete = subsumedBy {
            // Second pass: every complete row of the database is known (as digests), so each row is
            // judged and handed over as it is found.
            guard !Self.isSubsumed(row, by: complete) else { return }
            row.duplicateOfLive = isDuplicateOfLive(row)
            deliver?(row)
            return
        }
        if !row.values.contains(.missing) { completeTails.insert(Self.tailDigest(row)) }
        guard !overflowed else { return }
        heldBytes += Self.estimatedSize(row)
        if heldBytes > holdLimit {
            // Too many to hold: keep digests only; a second pass hands the rows over (SQLiteRecovery).
            overflowed = true
            records = []
        } else {
            records.append(row)
        }
    }

    /// Bytes a held row takes, roughly: the struct, its values array and their text or blob bytes.
    static func estimatedSize(_ r: RecoveredRow) -> Int {
        r.values.reduce(112 + 32) { sum, v in
            switch v {
            case .text(let s): return sum + 24 + s.utf8.count
            case .blob(let b): return sum + 24 + b.count
            default: return sum + 24
            }
        }
    }

    /// Carves the freeblocks and the gap of a table leaf page image.
    mutating func carveFreeSpace(_ b: [UInt8], page n: Int, bp: BTreePage, preferred: Int?,
                                 fbSource: RecoverySource, gapSource: RecoverySource, frame: Int?) {
        let c = carver
        for fb in bp.freeblocks {
            for x in c.scan(b, region: fb.offset..<(fb.offset + fb.size), freeblock: true, preferred: preferred) {
                emit(ambiguousWithFormerOwner(x, page: n), source: fbSource, page: n, frame: frame)
            }
        }
        for x in c.scan(b, region: bp.gap, freeblock: false, preferred: preferred) {
            emit(ambiguousWithFormerOwner(x, page: n), source: gapSource, page: n, frame: frame)
        }
    }

    /// A page that was a dropped table's root and now serves another table holds leftovers of
    /// either: when the dropped table fits the row as well, the row keeps no table.
    func ambiguousWithFormerOwner(_ x: Carved, page n: Int) -> Carved {
        guard let former = formerRoots[n], let t = x.table, t != former else { return x }
        let types = x.values.map(Self.typeOf)
        guard types.count == tables[former].columns.count,
              zip(types, tables[former].columns).allSatisfy({ TableFit.typeFits($0, $1.affinity) }) else { return x }
        var y = x
        y.table = nil
        return y
    }

    /// The current state's pages: free space of live leaves, freelist pages, orphan leaves.
    mutating func carveCurrent() {
        let ptrmap = live.pointerMapPages
        let trunks = Set(freelistTrunks)
        guard live.pageCount >= 1 else { return }
        for n in 1...live.pageCount where !ptrmap.contains(n) {
            guard let b = live.page(n) else { continue }
            let frame = live.overlay[n] != nil ? currentFrames[n] : nil
            let inWal = frame != nil
            if trunks.contains(n) {
                let count = Swift.min(ByteView(b).u32(4) ?? 0, live.usable / 4 - 2)
                for x in carver.scan(b, region: (8 + 4 * count)..<live.usable, freeblock: false, preferred: formerRoots[n]) {
                    emit(x, source: inWal ? .wal : .freelist, page: n, frame: frame)
                }
                continue
            }
            guard let bp = BTreePage.parse(b, number: n, usable: live.usable) else { continue }
            // A root that split became an interior page: its old leaf cells stay in its free space.
            // Only its gap, only whole cells: its freeblocks held interior cells, not records.
            if bp.kind == .tableInterior, claimed.contains(n) {
                for x in carver.scan(b, region: bp.gap, freeblock: false, preferred: owner[n], intactOnly: true) {
                    emit(x, source: inWal ? .wal : .unallocated, page: n, frame: frame)
                }
                continue
            }
            if bp.kind == .indexLeaf || bp.kind == .indexInterior, n != 1 {
                carveCurrentIndexPage(b, page: n, bp: bp, frame: frame)
                continue
            }
            guard bp.kind == .tableLeaf, n != 1 else { continue }
            if claimed.contains(n) {
                carveFreeSpace(b, page: n, bp: bp, preferred: owner[n], fbSource: inWal ? .wal : .freeblock,
                               gapSource: inWal ? .wal : .unallocated, frame: frame)
            } else if !usedOverflow.contains(n) {
                let source: RecoverySource = inWal ? .wal : (freelistLeaves.contains(n) ? .freelist : .unallocated)
                carveWholeLeaf(b, page: n, bp: bp, source: source, frame: frame)
            }
        }
    }

    /// A leaf page in no live b-tree (freed, or a dropped table's): its cells, then its free space.
    mutating func carveWholeLeaf(_ b: [UInt8], page n: Int, bp: BTreePage, source: RecoverySource, frame: Int?) {
        var scratch: [RecoveryProblem] = []
        let rows = live.cellRows(b, number: n, page: bp, problems: &scratch)
        let preferred = formerRoots[n]
        for r in rows { emitRow(r, source: source, frame: frame, preferred: preferred, skipLive: false) }
        carveFreeSpace(b, page: n, bp: bp, preferred: preferred, fbSource: source, gapSource: source, frame: frame)
    }

    /// A cell in use on a page image that is not current: reported unless it is still live.
    mutating func emitRow(_ r: CellRow, source: RecoverySource, frame: Int?, preferred: Int?, skipLive: Bool) {
        let types = r.values.map(Self.typeOf)
        // A cell in use on an older version of a live table's page is that table's row whatever its
        // types (they are SQLite's own record, not a carving), when the column count agrees.
        var choice: Int?? = carver.choose(types, values: r.values, preferred: preferred)
        if choice == nil, let p = preferred, tables[p].columns.count == r.values.count { choice = .some(p) }
        var values = r.values
        if choice == nil {
            // No table fits: keep the row as found (a dropped table without a recoverable schema),
            // only when it has some non-NULL value.
            guard values.contains(where: { $0 != .null && $0 != .missing }) else { return }
            choice = .some(nil)
        }
        if let t = choice ?? nil, let a = tables[t].rowidAlias, a < values.count, let id = r.rowid { values[a] = .integer(id) }
        if skipLive, let t = choice ?? nil, isLive(.rowKey, t, RowDigest(values, rowid: r.rowid)) { return }
        emit(Carved(table: choice ?? nil, rowid: r.rowid, values: values, offset: r.offset, length: 0, overflowPages: r.overflowPages),
             source: source, page: r.page, frame: frame)
    }

    /// Values as SQLite returns them: a REAL column's integral value is stored as an integer
    /// on disk and read back as a real.
    static func readAsStored(_ values: [SQLValue], _ t: TableSchema) -> [SQLValue] {
        var v = values
        for i in v.indices where i < t.columns.count && t.columns[i].affinity == .real {
            if case .integer(let x) = v[i] { v[i] = .real(Double(x)) }
        }
        return v
    }

    /// A serial type standing for a decoded value (for fitting rows read from in-use cells).
    static func typeOf(_ v: SQLValue) -> Int64 {
        switch v {
        case .null, .missing: return 0
        case .integer: return 6
        case .real: return 7
        case .text: return 13
        case .blob: return 12
        }
    }

    /// Older page versions: main-file pages the WAL supersedes, other WAL frames, journal records.
    mutating func carveVersions() {
        var versions: [(bytes: [UInt8], page: Int, source: RecoverySource, frame: Int?)] = []
        let file = PageImage(file: live.file, header: live.header)
        for n in live.overlay.keys.sorted() { if let p = file.page(n) { versions.append((p, n, .wal, nil)) } }
        if let wal {
            for f in wal.frames where f.state != .rejected && currentFrames[f.pageNumber] != f.number {
                versions.append((wal.pageData(f), f.pageNumber, .wal, f.number))
            }
        }
        for r in journal { versions.append((r.data, r.pageNumber, .journal, nil)) }
        for v in versions where v.page != 1 {
            guard let bp = BTreePage.parse(v.bytes, number: v.page, usable: live.usable) else { continue }
            if bp.kind == .indexLeaf {
                carveIndexVersion(v.bytes, page: v.page, bp: bp, source: v.source, frame: v.frame)
                continue
            }
            guard bp.kind == .tableLeaf else { continue }
            var scratch: [RecoveryProblem] = []
            let pref = owner[v.page]
            for r in live.cellRows(v.bytes, number: v.page, page: bp, problems: &scratch) {
                emitRow(r, source: v.source, frame: v.frame, preferred: pref, skipLive: true)
            }
            carveFreeSpace(v.bytes, page: v.page, bp: bp, preferred: pref, fbSource: v.source, gapSource: v.source, frame: v.frame)
        }
    }

    /// The digest a complete row leaves for ``isSubsumed(_:by:)``: its table and every value after the first.
    static func tailDigest(_ r: RecoveredRow) -> RowDigest {
        RowDigest([SQLValue.text("\(r.tableName ?? "")|\(r.values.dropFirst())")])
    }

    /// A record whose first value is missing (a clobbered cell) when a complete record of the same
    /// table with the same other values was found too (an older page version kept the cell
    /// whole): the same row, reported once, with its rowid.
    static func isSubsumed(_ r: RecoveredRow, by complete: DigestStore) -> Bool {
        r.values.first == .missing && !r.values.dropFirst().contains(.missing) && complete.contains(tailDigest(r))
    }

    /// Drops the held records ``isSubsumed(_:by:)`` says were found whole elsewhere.
    mutating func dropSubsumed() {
        let complete = completeTails
        records.removeAll { Self.isSubsumed($0, by: complete) }
    }

    /// Marks held records equal to a live row of the same table.
    mutating func flagDuplicates() {
        for i in records.indices { records[i].duplicateOfLive = isDuplicateOfLive(records[i]) }
    }

    /// Whether `r` equals a live row of the same table (missing values compare as wildcards). A
    /// record missing only its first value (the usual clobbered cell) is looked up by the rest;
    /// other partial records are compared with the live rows kept whole (``liveRows``).
    func isDuplicateOfLive(_ r: RecoveredRow) -> Bool {
        guard let name = r.tableName, let t = tables.firstIndex(where: { $0.name == name }) else { return false }
        let vals = r.values
        if !vals.contains(.missing) {
            return isLive(.values, t, RowDigest(vals))
        } else if vals.first == .missing, !vals.dropFirst().contains(.missing) {
            return isLive(.tail, t, RowDigest(vals.dropFirst()))
        } else {
            return liveIndex.sample(t).contains { row in
                row.count == vals.count && zip(row, vals).allSatisfy { $1 == .missing || $0.same($1) }
            }
        }
    }
}
