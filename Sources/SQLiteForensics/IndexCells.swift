import Foundation

/// An index b-tree cell as laid out in the bytes (fileformat2 §1.6): on an interior page a 4-byte
/// left child first, then the payload length varint, the payload (no rowid: an index record, or
/// a `WITHOUT ROWID` table's row) and an overflow page when it spills.
struct IndexCell {
    var payloadLength: Int
    var payloadStart: Int
    var localLength: Int
    var overflowPage: Int?
    var cellLength: Int

    /// Parses a cell at `at`, every length checked against `limit`; `maxPayload` bounds the
    /// declared payload by what the file could hold.
    static func parse(_ page: [UInt8], at: Int, interior: Bool, usable: Int, limit: Int, maxPayload: Int) -> IndexCell? {
        let lead = interior ? 4 : 0
        guard let (pl, a) = Varint.read(page, at + lead, limit: limit), pl >= 1, pl <= Int64(maxPayload) else { return nil }
        let p = Int(pl)
        let local = localPayloadSize(p, usable: usable, index: true)
        let start = at + lead + a
        var length = lead + a + local
        var overflow: Int?
        if local < p {
            guard start + local + 4 <= limit, let o = ByteView(page).u32(start + local) else { return nil }
            overflow = o; length += 4
        }
        guard start + local <= limit else { return nil }
        return IndexCell(payloadLength: p, payloadStart: start, localLength: local, overflowPage: overflow, cellLength: length)
    }
}

/// A record read from an index b-tree cell in use on its page image: values in record order.
struct IndexRow {
    var values: [SQLValue]
    var page: Int
    var offset: Int
    var overflowPages: [Int]
}

extension PageImage {
    /// The in-use cells of an index page image (leaf or interior: both hold records), payloads
    /// completed from overflow pages.
    func indexRows(_ bytes: [UInt8], number: Int, page: BTreePage, problems: inout [RecoveryProblem]) -> [IndexRow] {
        var rows: [IndexRow] = []
        let maxPayload = Swift.max(file.count, pageCount * header.pageSize)
        let interior = page.kind == .indexInterior
        for ptr in page.cellPointers {
            guard let cell = IndexCell.parse(bytes, at: ptr, interior: interior, usable: usable,
                                             limit: Swift.min(usable, bytes.count), maxPayload: maxPayload) else {
                problems.append(.init(code: "sqlite-bad-cell", message: "page \(number): the index cell at offset \(ptr) does not fit the page", page: number)); continue
            }
            var payload = Array(bytes[cell.payloadStart..<(cell.payloadStart + cell.localLength)])
            var ovf: [Int] = []
            if let first = cell.overflowPage {
                let chain = overflow(first: first, needed: cell.payloadLength - cell.localLength)
                payload += chain.bytes; ovf = chain.pages
                if !chain.complete {
                    problems.append(.init(code: "sqlite-overflow-chain", message: "page \(number): the overflow chain of the index cell at offset \(ptr) breaks or loops; the bytes before the break are kept", page: number))
                }
            }
            guard let values = decodePayload(payload, declaredLength: cell.payloadLength, encoding: header.textEncoding) else {
                problems.append(.init(code: "sqlite-bad-record", message: "page \(number): the index record at offset \(ptr) has an invalid header", page: number)); continue
            }
            rows.append(IndexRow(values: values, page: number, offset: ptr, overflowPages: ovf))
        }
        return rows
    }

    /// Walks the index b-tree rooted at `root` (an index, or a `WITHOUT ROWID` table), cycle-
    /// checked and bounded by the page count; every record (leaf and interior cells) is handed
    /// to `visit` and not kept. Overflow pages of its cells are in use too. Each leaf page gets
    /// the key range its parent's separators give it, widened by one sibling on each side
    /// (`TreeWalk.keyRanges`): a rebalance moves cells between neighbouring siblings only.
    func walkIndex(root: Int, claimed: inout Set<Int>, visit: (IndexRow) -> Void) -> TreeWalk {
        var w = TreeWalk()
        var stack: [(page: Int, range: KeyRange)] = [(root, KeyRange())]
        while let (n, range) = stack.popLast() {
            guard n >= 1, n <= pageCount else {
                w.problems.append(.init(code: "sqlite-child-range", message: "a b-tree pointer names page \(n), past the end of the database", page: n)); continue
            }
            guard !claimed.contains(n) else {
                w.problems.append(.init(code: "sqlite-btree-loop", message: "page \(n) is reached twice in the b-trees; it is read once", page: n)); continue
            }
            claimed.insert(n); w.pages.insert(n)
            guard let bytes = page(n), let p = BTreePage.parse(bytes, number: n, usable: usable),
                  p.kind == .indexLeaf || p.kind == .indexInterior else {
                w.problems.append(.init(code: "sqlite-not-btree", message: "page \(n) is in an index b-tree but is not an index b-tree page", page: n)); continue
            }
            w.problems += p.problems
            if p.kind == .indexLeaf { w.leafPages.append(n); w.keyRanges[n] = range }
            let rows = indexRows(bytes, number: n, page: p, problems: &w.problems)
            for r in rows {
                for o in r.overflowPages { claimed.insert(o); w.pages.insert(o) }
                visit(r)
            }
            if p.kind == .indexInterior {
                var keyAt: [Int: [SQLValue]] = [:]
                for r in rows { keyAt[r.offset] = r.values }
                var children: [(page: Int, range: KeyRange)] = []
                let keys = p.cellPointers.map { keyAt[$0] }
                func key(_ i: Int, else outer: [SQLValue]?) -> [SQLValue]? { i < 0 || i >= keys.count ? outer : keys[i] }
                for (i, ptr) in p.cellPointers.enumerated() {
                    guard let c = ByteView(bytes).u32(ptr) else { continue }
                    children.append((c, KeyRange(lower: i >= 2 ? keys[i - 2] : range.lower, upper: key(i + 1, else: range.upper))))
                }
                if let r = p.rightChild {
                    children.append((r, KeyRange(lower: keys.count >= 2 ? keys[keys.count - 2] : range.lower, upper: range.upper)))
                }
                stack += children.reversed()
            }
        }
        return w
    }
}
