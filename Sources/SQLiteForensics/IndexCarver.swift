import Foundation

/// What the live rows of a `WITHOUT ROWID` table say about how its records look: the serial
/// type its first record field most often has, and the storage classes each field uses.
struct IndexPrior {
    /// Most common serial type of record field 0 over live rows (ties: the smaller type).
    var firstType: Int64?
    /// Per record field, the storage classes live rows use there.
    var kinds: [Set<SerialType.Kind>]
    /// Live rows seen.
    var rows: Int
}

extension TableFit {
    /// Serial types of an index-format record fit `WITHOUT ROWID` table `t`: the count, each
    /// field's column affinity (record order), and no NULL in a PRIMARY KEY field (SQLite
    /// enforces NOT NULL on the key of a `WITHOUT ROWID` table).
    static func fitsRecord(_ types: [Int64?], _ t: TableSchema) -> Bool {
        guard t.withoutRowid, types.count == t.columns.count, t.recordOrder.count == types.count else { return false }
        let keyFields = Swift.max(1, t.keyFields)
        for (i, ty) in types.enumerated() {
            guard let ty else { continue }
            if i < keyFields, ty == 0 { return false }
            if !typeFits(ty, t.columns[t.recordOrder[i]].affinity) { return false }
        }
        return true
    }
}

extension Carver {
    /// `WITHOUT ROWID` tables: the only ones an index-format cell can belong to.
    var indexTables: [Int] { indexTableIndices }

    /// Columns of the widest `WITHOUT ROWID` table.
    var widestIndexTable: Int { indexTableIndices.map { tables[$0].columns.count }.max() ?? 0 }

    /// Chooses the `WITHOUT ROWID` table for a record read in record order: the preferred one
    /// (the page's owner) if it fits, else the only one that does. On a page no live table owns,
    /// a record must also use only storage classes the table's live rows use in each field.
    func chooseIndex(_ types: [Int64], values: [SQLValue], preferred: Int?) -> Int?? {
        var fitting: [Int] = []
        var order = indexTables
        if let p = preferred, let i = order.firstIndex(of: p) { order.remove(at: i); order.insert(p, at: 0) }
        for ti in order {
            let t = tables[ti]
            guard TableFit.fitsRecord(types, t), TableFit.valuesFit(t.columnOrder(values), t) else { continue }
            if ti != preferred, let prior = indexPriors[ti], prior.rows > 0,
               zip(types, prior.kinds).contains(where: { !$1.contains(SerialType.kind($0)) }) { continue }
            fitting.append(ti)
        }
        guard let first = fitting.first else { return nil }
        if first == preferred || fitting.count == 1 { return .some(first) }
        return .some(nil)
    }

    /// An intact index leaf cell (payload length, header, body) at `at`, ending before `end`.
    func intactIndex(_ b: [UInt8], at: Int, end: Int, preferred: Int?) -> Carved? {
        let maxPayload = image.pageCount * image.header.pageSize
        guard let (pl, a) = Varint.read(b, at, limit: end), pl > 1, pl <= Int64(maxPayload) else { return nil }
        let p = Int(pl)
        let hs = at + a
        let local = localPayloadSize(p, usable: image.usable, index: true)
        // No wider than the widest WITHOUT ROWID table: garbage headers are given up early.
        guard let (hl, _) = Varint.read(b, hs, limit: end), hl >= 2, hl <= Int64(1 + 9 * widestIndexTable),
              let h = RecordHeader.read(b, hs, limit: Swift.min(end, hs + local), maxColumns: widestIndexTable), !h.serialTypes.isEmpty,
              h.headerLength + h.bodyLength == p,
              indexTables.contains(where: { TableFit.fitsRecord(h.serialTypes, tables[$0]) }) else { return nil }
        guard let (payload, ovf, pointer) = image.cellPayload(b, at: hs, length: p, local: local, end: end, forbidden: forbidden)
        else { return nil }
        let length = a + local + pointer
        guard let values = decodePayload(payload, declaredLength: p, encoding: encoding),
              !values.contains(where: Self.hasControl), !Self.zeroed(values),
              let choice = chooseIndex(h.serialTypes, values: values, preferred: preferred) else { return nil }
        let vals = choice.map { tables[$0].columnOrder(values) } ?? values
        return Carved(table: choice, rowid: nil, values: vals, offset: at, length: length, overflowPages: ovf)
    }

    /// An index cell whose first four bytes a freeblock header overwrote: its payload-length
    /// varint (`a` bytes), the header-length byte and, when `a` is 2, the first serial type (one
    /// byte). Only table `ti` (the page's owner, or each `WITHOUT ROWID` table in turn).
    /// A lost first type is the live rows' usual one, or the size the freeblock leaves over, and
    /// is kept only when the cell then ends exactly where the block, the next cell or a stale
    /// freeblock header does, and the rebuilt payload length needs exactly `a` varint bytes.
    func clobberedIndex(_ b: [UInt8], at f: Int, blockEnd: Int, end: Int, preferred: Int?, trusted: Bool) -> Carved? {
        var found: Carved?
        for ti in preferred.map({ [$0] }) ?? indexTables where tables[ti].withoutRowid {
            guard let c = clobberedIndex(b, at: f, table: ti, blockEnd: blockEnd, end: end, trusted: trusted) else { continue }
            if let first = found {
                if first.values != c.values || first.length != c.length { return nil }
                found?.table = nil
                return found
            }
            found = c
        }
        return found
    }

    func clobberedIndex(_ b: [UInt8], at f: Int, table ti: Int, blockEnd: Int, end: Int, trusted: Bool) -> Carved? {
        let t = tables[ti]
        let n = t.columns.count
        let prior = indexPriors[ti]
        for a in [2, 3, 1] {
            let lost = 3 - a    // serial-type bytes inside the overwritten four (0, 1 or 2)
            var found: [Carved] = []
            for h in hypotheses(b, at: f, lostBytes: lost, columns: n, prior: prior, blockEnd: blockEnd, end: end, trusted: trusted) {
                // At a stale header (not a real freeblock's start) the cell must fill its block exactly.
                if let c = reading(b, at: f, a: a, types: h.types, bodyStart: h.bodyStart, table: ti, blockEnd: blockEnd, end: end,
                                   exactOnly: (h.fromLeftover && lost == 2) || !trusted) { found.append(c) }
            }
            // Several readings of one cell: which is right is a guess, so none is kept.
            if found.count == 1 { return found[0] }
            if found.count > 1 { return nil }
        }
        return nil
    }

    /// Serial types for a clobbered index cell whose `lostBytes` type bytes were overwritten: the
    /// first lost type is the live rows' usual one (or, with one lost byte, the size the block
    /// leaves over, of the kind live rows use); with two lost bytes the second type is what the
    /// block leaves over, its surviving low byte (when it took two bytes) checked.
    func hypotheses(_ b: [UInt8], at f: Int, lostBytes: Int, columns n: Int, prior: IndexPrior?, blockEnd: Int, end: Int, trusted: Bool)
        -> [(types: [Int64], bodyStart: Int, fromLeftover: Bool)] {
        func readTypes(from start: Int, count: Int) -> ([Int64], Int)? {
            var out: [Int64] = [], p = start
            while out.count < count {
                guard let (ty, len) = Varint.read(b, p, limit: end), SerialType.size(ty) != nil else { return nil }
                out.append(ty); p += len
            }
            return (out, p)
        }
        func sizes(_ ts: [Int64]) -> Int { ts.compactMap(SerialType.size).reduce(0, +) }
        func typeOf(size: Int, kind: SerialType.Kind?) -> Int64? {
            switch kind {
            case .blob?: return Int64(size * 2 + 12)
            case .text?: return Int64(size * 2 + 13)
            default: return nil
            }
        }
        let firstKinds = prior?.kinds.first ?? []
        let onlyKind = { (i: Int) -> SerialType.Kind? in
            guard let k = prior?.kinds, i < k.count, k[i].count == 1 else { return nil }
            return k[i].first
        }
        var out: [(types: [Int64], bodyStart: Int, fromLeftover: Bool)] = []
        switch lostBytes {
        case 0:
            if let (ts, p) = readTypes(from: f + 4, count: n) { out.append((ts, p, false)) }
        case 1:
            guard let (known, p) = readTypes(from: f + 4, count: n - 1) else { return [] }
            if let ft = prior?.firstType, ft < 128 { out.append(([ft] + known, p, false)) }
            let left = blockEnd - p - sizes(known)
            if left >= 0, !firstKinds.isEmpty, let ty = typeOf(size: left, kind: onlyKind(0)), ty < 128,
               ty != prior?.firstType { out.append(([ty] + known, p, true)) }
        default:
            guard n >= 2, let ft = prior?.firstType, ft < 128, let kind = onlyKind(1) else { return [] }
            // The second type took two bytes, its low byte surviving at f + 4: each high byte is
            // a reading (the caller keeps only an unambiguous one that ends at a cell boundary).
            if b.count > f + 4, b[f + 4] < 128, let (rest, p) = readTypes(from: f + 5, count: n - 2) {
                for hi in Int64(1)...127 {
                    let second = hi << 7 | Int64(b[f + 4])
                    guard SerialType.kind(second) == kind, SerialType.size(second) != nil else { continue }
                    out.append(([ft, second] + rest, p, false))
                }
            }
            // Or it took one byte and no header byte survives: only at a real freeblock's start,
            // sized by the block.
            if trusted, let (rest, p) = readTypes(from: f + 4, count: n - 2) {
                let left = blockEnd - p - (SerialType.size(ft) ?? 0) - sizes(rest)
                if left >= 0, let second = typeOf(size: left, kind: kind), second < 128 { out.append(([ft, second] + rest, p, true)) }
            }
        }
        return out
    }

    /// One reading of a clobbered index cell: `types` for its header (payload-length varint of `a`
    /// bytes, one header-length byte), body from `bodyStart`. Kept only when the rebuilt payload
    /// length needs exactly `a` bytes, the values decode and fit, and the cell ends where the
    /// block, the next cell or a stale freeblock header does. With `exactOnly` (every header byte
    /// rebuilt) no intact cell may start inside it either.
    func reading(_ b: [UInt8], at f: Int, a: Int, types: [Int64], bodyStart p: Int, table ti: Int, blockEnd: Int, end: Int,
                 exactOnly: Bool) -> Carved? {
        let t = tables[ti]
        guard types.count == t.columns.count, TableFit.fitsRecord(types, t) else { return nil }
        let hs = f + a
        let headerLength = p - hs
        guard headerLength >= 1, headerLength < 128 else { return nil }
        let payloadLength = headerLength + types.compactMap(SerialType.size).reduce(0, +)
        guard Varint.length(Int64(payloadLength)) == a else { return nil }
        let local = localPayloadSize(payloadLength, usable: image.usable, index: true)
        // Cheap bounds first: most rebuilt headers describe a cell longer than the block.
        if local == payloadLength, hs + payloadLength > Swift.min(end, exactOnly ? blockEnd : end) { return nil }
        // A header rebuilt whole (or at a stale header) never sends the reading off to overflow pages.
        guard let (payload, ovf, pointer) = image.cellPayload(b, at: hs, length: payloadLength, local: local, end: end,
                                                              forbidden: forbidden, allowOverflow: !exactOnly) else { return nil }
        let onPage = a + local + pointer
        var values: [SQLValue] = []
        var q = headerLength
        for ty in types {
            let s = SerialType.size(ty) ?? 0
            if q + s > payload.count { values.append(.missing) }
            else if let v = SerialType.decode(ty, payload, q, encoding: encoding) { values.append(v) }
            else { return nil }
            q += s
        }
        guard !values.contains(where: Self.hasControl) else { return nil }
        let cellEnd = f + onPage
        guard !Self.zeroed(values) else { return nil }
        guard cellEnd == blockEnd || (!ovf.isEmpty && !exactOnly)
            || (cellEnd < blockEnd && !exactOnly && followedByIndexCell(b, at: cellEnd, end: blockEnd, preferred: ti)) else { return nil }
        if exactOnly, ((f + 4)..<Swift.min(cellEnd, end)).contains(where: { intactIndex(b, at: $0, end: end, preferred: ti) != nil }) { return nil }
        // Something read must say something: a value of four bytes or more, or a non-NULL one.
        let informative = values.contains { v in
            switch v {
            case .null, .missing: return false
            case .blob(let x): return x.count >= 4
            default: return true
            }
        }
        let ordered = t.columnOrder(values)
        guard informative, TableFit.valuesFit(ordered, t) else { return nil }
        return Carved(table: ti, rowid: nil, values: ordered, offset: f, length: onPage, overflowPages: ovf)
    }

    /// The fewest bytes a cell of `WITHOUT ROWID` table `ti` takes: payload length, header
    /// length and one byte per serial type, plus the first field's size when live rows all store
    /// it with one fixed-size type.
    func minimalIndexCell(_ ti: Int) -> Int {
        2 + tables[ti].columns.count + (indexPriors[ti]?.firstType.flatMap(SerialType.size) ?? 0)
    }

    /// Whether every value is NULL, missing, zero, or bytes that are all zero: what zeroed or
    /// never-written space reads as, never a row.
    static func zeroed(_ values: [SQLValue]) -> Bool {
        values.allSatisfy { v in
            switch v {
            case .null, .missing: return true
            case .integer(let x): return x == 0
            case .real(let d): return d == 0
            case .blob(let x): return x.allSatisfy { $0 == 0 }
            case .text(let t): return t.utf8.allSatisfy { $0 == 0 }
            }
        }
    }

    /// Whether an intact index cell starts inside the body of reading `x` (a newer cell written
    /// over the tail of an old one in the gap): then `x`'s later bytes are not its own.
    func holdsNewerCell(_ b: [UInt8], _ x: Carved, end: Int, preferred: Int?) -> Bool {
        guard x.length > 8 else { return false }
        for pos in (x.offset + 3)..<(x.offset + x.length - 3) where intactIndex(b, at: pos, end: end, preferred: preferred) != nil {
            return true
        }
        return false
    }

    /// Whether another index cell starts at `at`: the block's end, a stale freeblock header, or
    /// an intact index cell.
    func followedByIndexCell(_ b: [UInt8], at: Int, end: Int, preferred: Int) -> Bool {
        if at == end { return true }
        let v = ByteView(b)
        if let size = v.u16(at + 2), size >= 4, at + size <= end, let next = v.u16(at), next == 0 || next >= at + size { return true }
        return intactIndex(b, at: at, end: end, preferred: preferred) != nil
    }

    /// Scans `region` of an index page for cells of `WITHOUT ROWID` tables: a freeblock's start,
    /// and any stale freeblock header inside it, as clobbered cells; anywhere else intact cells.
    func scanIndex(_ b: [UInt8], region: Range<Int>, freeblock: Bool, preferred: Int?, intactOnly: Bool = false) -> [Carved] {
        guard !indexTables.isEmpty else { return [] }
        var out: [Carved] = []
        var o = region.lowerBound
        let v = ByteView(b)
        // A freeblock starts where a freed cell started; a stale freeblock header inside it is
        // where a later-merged neighbour started, so the cell before it is at least the smallest
        // cell a WITHOUT ROWID table here can have.
        var lastStart: Int?
        let minCell = (preferred.map { [$0] } ?? indexTables).map(minimalIndexCell).min() ?? 4
        if freeblock {
            lastStart = o
            if let c = clobberedIndex(b, at: o, blockEnd: region.upperBound, end: region.upperBound, preferred: preferred, trusted: true) {
                out.append(c); o += Swift.max(c.length, 4)
            } else { o += 4 }
        }
        while o + 3 < region.upperBound {
            if let c = intactIndex(b, at: o, end: region.upperBound, preferred: preferred) {
                out.append(c); lastStart = o; o += Swift.max(c.length, 1); continue
            }
            if !intactOnly, lastStart.map({ o - $0 >= minCell }) ?? true,
               let size = v.u16(o + 2), let next = v.u16(o), size >= 6, size <= image.usable,
               next == 0 || (next >= o + size && next < image.usable),
               case let blockEnd = Swift.min(o + size, region.upperBound),
               let c = clobberedIndex(b, at: o, blockEnd: blockEnd, end: region.upperBound, preferred: preferred, trusted: false) {
                out.append(c); lastStart = o; o += Swift.max(c.length, 4); continue
            }
            o += 1
        }
        return out
    }
}
