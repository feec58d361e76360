import Foundation

/// A cell carved out of free space: values in table column order when a table was chosen.
struct Carved {
    var table: Int?
    var rowid: Int64?
    var values: [SQLValue]
    var offset: Int
    var length: Int
    var overflowPages: [Int]
}

/// Decides whether serial types and values fit a table, by column count and type affinity.
/// SQLite stores a value by the column's affinity, so some storage classes never occur in some
/// columns (an integer in a TEXT column is stored as text): these rules are exact, not guesses.
enum TableFit {
    /// Whether text looks like a number SQLite would have converted under numeric affinity.
    static func looksNumeric(_ s: String) -> Bool {
        let t = s.trimmingCharacters(in: .whitespaces)
        guard !t.isEmpty else { return false }
        return Int64(t) != nil || (Double(t) != nil && t.allSatisfy { "0123456789+-.eE".contains($0) })
    }

    static func typeFits(_ t: Int64, _ a: Affinity) -> Bool {
        switch SerialType.kind(t) {
        case .null: return true
        // Legal anywhere, but in carving a blob outside a BLOB column is far more often a
        // misaligned reading than a real value: precision first.
        case .blob: return a == .blob
        case .integer: return a != .text
        case .real: return a != .text
        case .text: return true
        }
    }

    static func valueFits(_ v: SQLValue, _ a: Affinity) -> Bool {
        switch v {
        // A NUL inside text is what zeroed (secure_delete) or half-overwritten bytes look like.
        case .text(let s): return !s.unicodeScalars.contains("\u{0}") && (a == .text || a == .blob || !looksNumeric(s))
        case .real(let d): return !(a == .integer || a == .numeric) || d != d.rounded() || abs(d) >= 9.2e18
        default: return true
        }
    }

    /// Serial types fit table `t` (count, affinity, rowid alias stored as NULL).
    static func fits(_ types: [Int64], _ t: TableSchema) -> Bool {
        guard types.count == t.columns.count, !t.withoutRowid else { return false }
        for (i, ty) in types.enumerated() {
            if i == t.rowidAlias { if ty != 0 { return false }; continue }
            if !typeFits(ty, t.columns[i].affinity) { return false }
        }
        return true
    }

    /// Values fit too, and say something: not every value NULL.
    static func valuesFit(_ vals: [SQLValue], _ t: TableSchema) -> Bool {
        // sqlite_sequence is SQLite's own (name, seq): always a table name and an integer, though
        // its columns are declared without types (so any value would fit by affinity).
        if t.name.lowercased() == "sqlite_sequence" {
            guard vals.count == 2 else { return false }
            if case .text = vals[0] {} else if vals[0] != .missing { return false }
            if case .integer = vals[1] {} else if vals[1] != .missing { return false }
        }
        var informative = false
        for (i, v) in vals.enumerated() where i < t.columns.count {
            if !valueFits(v, t.columns[i].affinity) { return false }
            if i != t.rowidAlias, v != .null, v != .missing { informative = true }
        }
        return informative
    }
}

/// Carves table leaf cells out of free regions of one page image.
struct Carver {
    let image: PageImage
    let tables: [TableSchema]
    /// Pages an overflow chain of a carved cell may not run through (live b-tree pages).
    let forbidden: Set<Int>
    /// Per table, the content size its live rows most often give their first column (when it
    /// holds integers): the prior for a clobbered cell whose first serial type is lost.
    var typicalFirstSize: [Int: Int] = [:]
    /// Per `WITHOUT ROWID` table, what its live records look like (IndexCarver.swift).
    var indexPriors: [Int: IndexPrior] = [:]
    /// Indices of the `WITHOUT ROWID` tables in `tables` (computed once per carver).
    var indexTableIndices: [Int] = []
    /// The rowid tables grouped by what decides a fit (TableGroups.swift): one fit per group.
    var groups: TableGroups?

    var encoding: Int { image.header.textEncoding }

    /// Tables to try, the page's owner first.
    func order(preferred: Int?) -> [Int] {
        var o = Array(tables.indices)
        if let p = preferred, let i = o.firstIndex(of: p) { o.remove(at: i); o.insert(p, at: 0) }
        return o
    }

    /// Chooses the table for serial types: the preferred one if it fits, else the only one that does.
    func choose(_ types: [Int64], values: [SQLValue], preferred: Int?) -> Int?? {
        if let groups { return chooseGrouped(types, values: values, preferred: preferred, groups: groups) }
        let fitting = order(preferred: preferred).filter { TableFit.fits(types, tables[$0]) && TableFit.valuesFit(values, tables[$0]) }
        guard let first = fitting.first else { return nil }
        if first == preferred || fitting.count == 1 { return .some(first) }
        return .some(nil)
    }

    /// An intact cell (length, rowid, header, body) starting at `at`, ending before `end`.
    func intact(_ b: [UInt8], at: Int, end: Int, preferred: Int?) -> Carved? {
        let maxPayload = image.pageCount * image.header.pageSize
        guard let (pl, a) = Varint.read(b, at, limit: end), pl > 1, pl <= Int64(maxPayload),
              let (rowid, r) = Varint.read(b, at + a, limit: end), rowid >= 1 else { return nil }
        let p = Int(pl)
        let hs = at + a + r
        let local = localPayloadSize(p, usable: image.usable)
        guard let h = RecordHeader.read(b, hs, limit: Swift.min(end, hs + local)), h.serialTypes.count <= 2000,
              h.headerLength + h.bodyLength == p, !h.serialTypes.isEmpty else { return nil }
        guard groups.map({ anyTableFits(h.serialTypes, groups: $0) }) ?? tables.contains(where: { TableFit.fits(h.serialTypes, $0) })
        else { return nil }
        guard let (payload, ovf, pointer) = image.cellPayload(b, at: hs, length: p, local: local, end: end, forbidden: forbidden)
        else { return nil }
        let length = a + r + local + pointer
        guard let values = decodePayload(payload, declaredLength: p, encoding: encoding),
              let choice = choose(h.serialTypes, values: values, preferred: preferred) else { return nil }
        var vals = values
        if let t = choice, let alias = tables[t].rowidAlias, alias < vals.count { vals[alias] = .integer(rowid) }
        return Carved(table: choice, rowid: rowid, values: vals, offset: at, length: length, overflowPages: ovf)
    }

    /// A cell whose first four bytes a freeblock header overwrote (payload length, rowid and the
    /// record header's first bytes lost). `blockEnd` is where the freeblock says it ends.
    func clobbered(_ b: [UInt8], at f: Int, blockEnd: Int, end: Int, preferred: Int?) -> Carved? {
        // A clobbered cell on a page of a live table is read only as that table's: with its
        // first bytes gone, fitting some other table is too easy to be evidence. Elsewhere, when
        // several tables fit, the row is kept without a table.
        if preferred == nil, let groups { return clobberedGrouped(b, at: f, blockEnd: blockEnd, end: end, groups: groups) }
        var found: Carved?
        for ti in preferred.map({ [$0] }) ?? Array(tables.indices) {
            guard let c = clobbered(b, at: f, table: ti, blockEnd: blockEnd, end: end) else { continue }
            if let settled = Self.settle(&found, with: c) { return settled }
        }
        return found
    }

    /// Adds one table's reading of a clobbered cell to the first reading found. Returns the
    /// answer once it is settled — a second reading that agrees gives the row without a table, one
    /// that disagrees gives none (`.some(nil)`) — and `nil` while only one reading is known.
    static func settle(_ found: inout Carved?, with c: Carved) -> Carved?? {
        guard let first = found else {
            found = c
            return nil
        }
        if first.values != c.values || first.length != c.length { return .some(nil) }
        found?.table = nil
        return .some(found)
    }

    /// The readings of a clobbered cell as table `ti`'s.
    func clobbered(_ b: [UInt8], at f: Int, table ti: Int, blockEnd: Int, end: Int) -> Carved? {
        // a = bytes of the payload-length and rowid varints; the header-length byte sits at f + a.
        // A reading whose cell ends where the block, a stale freeblock header or an intact cell
        // does is taken first: with a 3-byte rowid and a 1-byte payload length (a = 4) the
        // header-length byte survives, and the shorter splits misread it as a serial type.
        var firstReading: Carved?
        for a in [3, 2, 4, 5] {
            guard let c = clobbered(b, at: f, a: a, table: ti, blockEnd: blockEnd, end: end, lostSize: nil) else { continue }
            if f + c.length == blockEnd || followedByCell(b, at: f + c.length, end: blockEnd, preferred: ti) { return c }
            if firstReading == nil { firstReading = c }
        }
        if let firstReading { return firstReading }
        // A lost first type in a freeblock merged with its neighbour: the block's size says
        // nothing about this cell, so try the sizes an integer can have, and keep one only
        // when the next cell (or a stale freeblock header) starts right where it ends.
        let aff = tables[ti].columns.first?.affinity
        if tables[ti].rowidAlias != 0, aff == .integer || aff == .numeric || aff == .real {
            var readings: [Carved] = []
            for size in [1, 2, 3, 4, 6] {
                guard let c = clobbered(b, at: f, a: 2, table: ti, blockEnd: blockEnd, end: end, lostSize: size) else { continue }
                if followedByCell(b, at: f + c.length, end: blockEnd, preferred: ti) { return c }
                readings.append(c)
            }
            // What follows may have been overwritten since: then only the size the table's live
            // rows use for that column is accepted, when its reading is valid.
            if let typical = typicalFirstSize[ti], let c = readings.first(where: { reading in
                guard let first = reading.values.first, case .integer(let v) = first else { return false }
                return Self.intSize(v) == typical
            }), c.values.contains(where: { if case .text(let t) = $0 { return t.count >= 2 } else { return false } }) { return c }
        }
        return nil
    }

    /// One reading of a clobbered cell: table `ti`, header starting at `f + a`.
    func clobbered(_ b: [UInt8], at f: Int, a: Int, table ti: Int, blockEnd: Int, end: Int, lostSize: Int?) -> Carved? {
        let t = tables[ti]
        guard !t.withoutRowid else { return nil }
        let n = t.columns.count
        let hs = f + a
        var types: [Int64?] = []
        var p: Int
        if a >= 4 {
            guard let h = RecordHeader.read(b, hs, limit: end), h.serialTypes.count == n else { return nil }
            types = h.serialTypes; p = hs + h.headerLength
        } else {
            let lost = 3 - a   // serial-type bytes inside the overwritten four
            types = Array(repeating: nil, count: lost)
            p = f + 4
            while types.count < n {
                guard let (ty, len) = Varint.read(b, p, limit: end), SerialType.size(ty) != nil else { return nil }
                types.append(ty); p += len
            }
            if lost == 1, t.rowidAlias == 0 { types[0] = 0 }
        }
        for (i, ty) in types.enumerated() {
            guard let ty else { continue }
            if i == t.rowidAlias ? ty != 0 : !TableFit.typeFits(ty, t.columns[i].affinity) { return nil }
        }
        let headerLength = p - hs
        var sizes: [Int] = types.map { $0.flatMap(SerialType.size) ?? 0 }
        let knownSize = sizes.reduce(0, +)
        let lostOne = types.contains { $0 == nil }
        if lostOne {
            // Only the first type can be lost; its size is what the freeblock leaves over.
            let rest = lostSize ?? (blockEnd - p - knownSize)
            guard rest >= 0 else { return nil }
            sizes[0] = rest
        }
        let payloadLength = headerLength + sizes.reduce(0, +)
        let local = localPayloadSize(payloadLength, usable: image.usable)
        guard let (payload, ovf, pointer) = image.cellPayload(b, at: hs, length: payloadLength, local: local, end: end,
                                                              forbidden: forbidden, allowOverflow: !lostOne) else { return nil }
        let onPage = a + local + pointer
        var values: [SQLValue] = []
        var q = headerLength
        for (i, ty) in types.enumerated() {
            let s = sizes[i]
            if q + s > payload.count { values.append(.missing) }
            else if let ty {
                guard let v = SerialType.decode(ty, payload, q, encoding: encoding) else { return nil }
                values.append(v)
            } else {
                // A lost type whose bytes do not read as the column's kind means a wrong alignment.
                let lv = lostValue(payload, q, size: s, affinity: t.columns[i].affinity)
                if lv == .missing, t.columns[i].affinity == .text || t.columns[i].affinity == .integer { return nil }
                values.append(lv)
            }
            q += s
        }
        guard TableFit.valuesFit(values, t), !values.contains(where: Self.hasControl) else { return nil }
        // The reconstructed value alone never makes a record: something read with its own serial
        // type must be informative too (zeroed space reads as NULLs).
        let readInformative = zip(types, values).enumerated().contains { i, tv in
            guard tv.0 != nil, i != t.rowidAlias else { return false }
            switch tv.1 {
            case .null, .missing: return false
            case .blob(let x): return x.count >= 4
            default: return true
            }
        }
        guard readInformative else { return nil }
        // Without an exact fit to the freeblock a lost first type is a guess: refuse it.
        if lostOne, t.rowidAlias != 0, lostSize == nil, f + onPage != blockEnd { return nil }
        if let alias = t.rowidAlias, alias < values.count { values[alias] = .missing }
        return Carved(table: ti, rowid: nil, values: values, offset: f, length: onPage, overflowPages: ovf)
    }

    /// The content size SQLite gives an integer (serial types 1–6).
    static func intSize(_ v: Int64) -> Int {
        for (n, limit) in [(1, Int64(127)), (2, 32767), (3, 8_388_607), (4, 2_147_483_647), (6, 140_737_488_355_327)] where v >= -limit - 1 && v <= limit { return n }
        return 8
    }

    /// Whether another cell starts at `at`: a stale freeblock header inside the block, an intact
    /// cell, or the block's end. A stale header's block may run past `end` (into what later
    /// writes took since: a page emptied and refilled keeps its old blocks in the gap), not past
    /// the page's usable size.
    func followedByCell(_ b: [UInt8], at: Int, end: Int, preferred: Int) -> Bool {
        if at == end { return true }
        let v = ByteView(b)
        if at + 4 <= end, let size = v.u16(at + 2), size >= 6, at + size <= image.usable, let next = v.u16(at),
           next == 0 || next >= at + size { return true }
        return intact(b, at: at, end: end, preferred: preferred) != nil
    }

    /// Text with C0 control characters other than tab, newline and carriage return: what a
    /// misaligned reading of binary bytes looks like.
    static func hasControl(_ v: SQLValue) -> Bool {
        guard case .text(let s) = v else { return false }
        return s.unicodeScalars.contains { $0.value < 32 && $0 != "\t" && $0 != "\n" && $0 != "\r" }
    }

    /// A value whose serial type was overwritten, decoded only when its size and the column's
    /// affinity leave one reading; otherwise `.missing`.
    func lostValue(_ b: [UInt8], _ at: Int, size: Int, affinity: Affinity) -> SQLValue {
        guard size > 0 else { return .missing }
        switch affinity {
        case .integer where [1, 2, 3, 4, 6].contains(size):
            let t: Int64 = size == 6 ? 5 : Int64(size)
            return SerialType.decode(t, b, at, encoding: encoding) ?? .missing
        case .text:
            guard let v = SerialType.decode(Int64(size * 2 + 13), b, at, encoding: encoding), case .text(let s) = v,
                  !s.unicodeScalars.contains(where: { $0.value < 9 }) else { return .missing }
            return v
        default:
            return .missing
        }
    }

    /// Scans `region` of page bytes `b` for cells. A freeblock's start, and any place whose first
    /// four bytes read as a stale freeblock header (an earlier freed neighbour merged into this
    /// block), are tried as clobbered cells, ending where that header's size says.
    func scan(_ b: [UInt8], region: Range<Int>, freeblock: Bool, preferred: Int?, intactOnly: Bool = false) -> [Carved] {
        var out: [Carved] = []
        var o = region.lowerBound
        let v = ByteView(b)
        // A freeblock's first four bytes are its own header: never read them as an intact cell.
        if freeblock {
            if let c = clobbered(b, at: o, blockEnd: region.upperBound, end: region.upperBound, preferred: preferred) {
                out.append(c); o += Swift.max(c.length, 4)
            } else { o += 4 }
        }
        while o + 3 < region.upperBound {
            if let c = intact(b, at: o, end: region.upperBound, preferred: preferred) {
                out.append(c); o += Swift.max(c.length, 1); continue
            }
            // A stale header's block may since have been cut short by a new cell: its end is
            // bounded by the region's.
            if !intactOnly, let size = v.u16(o + 2), let next = v.u16(o), size >= 6, size <= image.usable,
               next == 0 || (next >= o + size && next < image.usable),
               case let blockEnd = Swift.min(o + size, region.upperBound),
               let c = clobbered(b, at: o, blockEnd: blockEnd, end: region.upperBound, preferred: preferred),
               c.length == size || !c.overflowPages.isEmpty
                || (c.length < size && followedByCell(b, at: o + c.length, end: blockEnd, preferred: c.table ?? 0)) {
                out.append(c); o += Swift.max(c.length, 4); continue
            }
            o += 1
        }
        return out
    }
}
