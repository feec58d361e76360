import Foundation

/// A record read from a cell in use on its page image: a table leaf's row (with its rowid), or
/// an index cell's record in record order (an index entry, a `WITHOUT ROWID` table's row).
typealias CellRow = CellRecord<[SQLValue]>

/// A cell in use with its record as a reader made it: its values (``CellRow``), or only what
/// the live walk needs of them (``RecordShape``).
struct CellRecord<Values> {
    var rowid: Int64?
    var values: Values
    var page: Int
    var offset: Int
    /// Overflow pages the payload used.
    var overflowPages: [Int]
}

/// What walking one table b-tree found.
struct TreeWalk {
    var rows: [CellRow] = []
    /// Every page of the tree: interior, leaf and overflow.
    var pages: Set<Int> = []
    var leafPages: [Int] = []
    var problems: [RecoveryProblem] = []
    /// Index b-trees: per leaf page, the key range its parent gives it (widened, see walkIndex).
    var keyRanges: [Int: KeyRange] = [:]
}

/// Decodes a payload that may be cut short (a broken overflow chain): the header must be whole
/// and agree with the declared length; values whose bytes are gone become `.missing`.
func decodePayload(_ payload: [UInt8], declaredLength: Int, encoding: Int) -> [SQLValue]? {
    guard let h = RecordHeader.read(payload, 0, limit: payload.count), h.headerLength + h.bodyLength == declaredLength else { return nil }
    var values: [SQLValue] = []
    var p = h.headerLength
    for t in h.serialTypes {
        let s = SerialType.size(t) ?? 0
        if p + s <= payload.count {
            guard let v = SerialType.decode(t, payload, p, encoding: encoding) else { return nil }
            values.append(v)
        } else { values.append(.missing) }
        p += s
    }
    return values
}

extension PageImage {
    /// The in-use cells of a page image that carry records (table leaf, index leaf or interior),
    /// payloads completed from overflow pages: the one cell reader of table and index b-trees.
    func cellRows(_ bytes: [UInt8], number: Int, page: BTreePage, problems: inout [RecoveryProblem]) -> [CellRow] {
        let encoding = header.textEncoding
        return cellRecords(bytes, number: number, page: page, problems: &problems) {
            decodePayload($0, declaredLength: $1, encoding: encoding)
        }
    }

    /// ``cellRows(_:number:page:problems:)`` with the record read by `read` (payload, declared
    /// length), which must refuse exactly the payloads ``decodePayload(_:declaredLength:encoding:)``
    /// refuses: the problems recorded are the same whatever the reader.
    func cellRecords<Values>(_ bytes: [UInt8], number: Int, page: BTreePage, problems: inout [RecoveryProblem],
                             read: ([UInt8], Int) -> Values?) -> [CellRecord<Values>] {
        var rows: [CellRecord<Values>] = []
        let maxPayload = Swift.max(file.count, pageCount * header.pageSize)
        let what = page.kind == .tableLeaf ? "" : "index "
        for ptr in page.cellPointers {
            guard let cell = Cell.parse(bytes, at: ptr, kind: page.kind, usable: usable, limit: Swift.min(usable, bytes.count), maxPayload: maxPayload) else {
                problems.append(.init(code: "sqlite-bad-cell", message: "page \(number): the \(what)cell at offset \(ptr) does not fit the page", page: number)); continue
            }
            var payload = Array(bytes[cell.payloadStart..<(cell.payloadStart + cell.localLength)])
            var ovf: [Int] = []
            if let first = cell.overflowPage {
                let chain = overflow(first: first, needed: cell.payloadLength - cell.localLength)
                payload += chain.bytes; ovf = chain.pages
                if !chain.complete {
                    problems.append(.init(code: "sqlite-overflow-chain", message: "page \(number): the overflow chain of the \(what)cell at offset \(ptr) breaks or loops; the bytes before the break are kept", page: number))
                }
            }
            guard let values = read(payload, cell.payloadLength) else {
                problems.append(.init(code: "sqlite-bad-record", message: "page \(number): the \(what)record at offset \(ptr) has an invalid header", page: number)); continue
            }
            rows.append(CellRecord(rowid: cell.rowid, values: values, page: number, offset: ptr, overflowPages: ovf))
        }
        return rows
    }

    /// Walks the table b-tree rooted at `root`, cycle-checked and bounded by the page count.
    /// With `visit`, each row is handed over as it is read and not kept in the walk's `rows`
    /// (a million-row table is never held whole).
    func walkTable(root: Int, claimed: inout Set<Int>, visit: ((CellRow) -> Void)? = nil) -> TreeWalk {
        var kept: [CellRow] = []
        let encoding = header.textEncoding
        var w = walkTree(root: root, index: false, claimed: &claimed, read: { decodePayload($0, declaredLength: $1, encoding: encoding) },
                         key: { _ in nil }) { row in if let visit { visit(row) } else { kept.append(row) } }
        w.rows = kept
        return w
    }

    /// ``walkTable(root:claimed:visit:)`` handing over each row's ``RecordShape`` instead of its
    /// values (same pages, same rows, same problems): what the live walk needs, without a
    /// `String` or an array per value. `alias` is the table's rowid alias column.
    func walkTableShapes(root: Int, claimed: inout Set<Int>, alias: Int?, visit: (CellRecord<RecordShape>) -> Void) -> TreeWalk {
        let encoding = header.textEncoding
        return walkTree(root: root, index: false, claimed: &claimed,
                        read: { RecordShape.read($0, declaredLength: $1, encoding: encoding, alias: alias) }, key: { _ in nil }, visit: visit)
    }

    /// Walks the index b-tree rooted at `root` (an index, or a `WITHOUT ROWID` table): every
    /// record, of leaf and interior cells, is handed to `visit` and not kept. Each leaf page gets
    /// the key range its parent's separators give it, widened by one sibling on each side
    /// (`TreeWalk.keyRanges`): a rebalance moves cells between neighbouring siblings only.
    func walkIndex(root: Int, claimed: inout Set<Int>, visit: (CellRow) -> Void) -> TreeWalk {
        let encoding = header.textEncoding
        return walkTree(root: root, index: true, claimed: &claimed, read: { decodePayload($0, declaredLength: $1, encoding: encoding) },
                        key: { $0 }, visit: visit)
    }

    /// The one b-tree walk: pages cycle-checked (`claimed`) and bounded by the page count, the
    /// overflow pages of every record in use too. A table tree's records are its leaf cells (an
    /// index page met in it is followed but not read); an index tree's are in every cell, and
    /// any page of another kind in it is a problem. Records, read by `read`
    /// (``cellRecords(_:number:page:problems:read:)``), go to `visit`; `key` gives an index
    /// record's values (its separators bound the children's keys).
    func walkTree<Values>(root: Int, index: Bool, claimed: inout Set<Int>, read: ([UInt8], Int) -> Values?,
                          key: (Values) -> [SQLValue]?, visit: (CellRecord<Values>) -> Void) -> TreeWalk {
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
                  !index || p.kind == .indexLeaf || p.kind == .indexInterior else {
                w.problems.append(.init(code: "sqlite-not-btree", message: index
                    ? "page \(n) is in an index b-tree but is not an index b-tree page" : "page \(n) is in a b-tree but is not a b-tree page", page: n))
                continue
            }
            w.problems += p.problems
            if p.kind == (index ? .indexLeaf : .tableLeaf) {
                w.leafPages.append(n)
                if index { w.keyRanges[n] = range }
            }
            var rows: [CellRecord<Values>] = []
            if index || p.kind == .tableLeaf {
                rows = cellRecords(bytes, number: n, page: p, problems: &w.problems, read: read)
                for r in rows { for o in r.overflowPages { claimed.insert(o); w.pages.insert(o) } }
                rows.forEach(visit)
            }
            guard p.kind == .tableInterior || p.kind == .indexInterior else { continue }
            // An index tree's separators (its interior records) bound its children's keys.
            var keyAt: [Int: [SQLValue]] = [:]
            if index { for r in rows { keyAt[r.offset] = key(r.values) } }
            let keys = p.cellPointers.map { keyAt[$0] }
            var children: [(page: Int, range: KeyRange)] = []
            for (i, ptr) in p.cellPointers.enumerated() {
                guard let c = ByteView(bytes).u32(ptr) else { continue }
                children.append((c, KeyRange(lower: i >= 2 ? keys[i - 2] : range.lower, upper: i + 1 < keys.count ? keys[i + 1] : range.upper)))
            }
            if let r = p.rightChild {
                children.append((r, KeyRange(lower: keys.count >= 2 ? keys[keys.count - 2] : range.lower, upper: range.upper)))
            }
            stack += children.reversed()
        }
        return w
    }
}
