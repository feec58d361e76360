import Foundation

/// The kind of a b-tree page (its first header byte).
public enum PageKind: Int, Sendable {
    case indexInterior = 2, tableInterior = 5, indexLeaf = 10, tableLeaf = 13
}

/// One b-tree page's header, cell pointers, freeblocks and unallocated gap, every offset checked
/// against the page. Built from any page image (the main file, a WAL frame, a journal record).
struct BTreePage {
    var kind: PageKind
    var headerOffset: Int
    var firstFreeblock: Int
    var cellCount: Int
    var contentStart: Int
    var rightChild: Int?
    /// Cell offsets that lie inside the page's cell content area (others are dropped with a problem).
    var cellPointers: [Int]
    /// Freeblocks (offset, size) in chain order, stopped at a loop, an overlap or a bad link.
    var freeblocks: [(offset: Int, size: Int)]
    /// The unallocated region between the cell pointer array and the cell content area.
    var gap: Range<Int>
    var problems: [RecoveryProblem]

    /// Parses page `number` from its bytes; `nil` when the first byte is not a b-tree page type.
    static func parse(_ page: [UInt8], number: Int, usable: Int) -> BTreePage? {
        let h = number == 1 ? 100 : 0
        let v = ByteView(page)
        let usable = Swift.min(usable, page.count)
        guard let t = v.u8(h), let kind = PageKind(rawValue: t) else { return nil }
        let interior = kind == .indexInterior || kind == .tableInterior
        let headerLen = interior ? 12 : 8
        guard let fb = v.u16(h + 1), let count = v.u16(h + 3), let cs = v.u16(h + 5) else { return nil }
        let contentStart = cs == 0 ? 65536 : cs
        var problems: [RecoveryProblem] = []
        let arrayStart = h + headerLen
        let arrayEnd = arrayStart + 2 * count
        var pointers: [Int] = []
        if arrayEnd > usable {
            problems.append(.init(code: "sqlite-cell-count", message: "page \(number) claims \(count) cells, more than its cell pointer array can hold", page: number))
        } else {
            for i in 0..<count {
                guard let p = v.u16(arrayStart + 2 * i) else { break }
                if p < arrayEnd || p >= usable {
                    problems.append(.init(code: "sqlite-cell-pointer", message: "page \(number) cell \(i) points to offset \(p), outside the cell content area", page: number))
                } else { pointers.append(p) }
            }
        }
        let gapStart = Swift.min(arrayEnd, usable)
        let gapEnd = Swift.max(gapStart, Swift.min(contentStart, usable))
        var freeblocks: [(Int, Int)] = []
        var next = fb
        var lastEnd = 0
        while next != 0 {
            guard next >= gapStart, next + 4 <= usable, next >= lastEnd, freeblocks.count < usable / 4,
                  let link = v.u16(next), let size = v.u16(next + 2), size >= 4, next + size <= usable else {
                problems.append(.init(code: "sqlite-freeblock-chain", message: "page \(number): the freeblock chain breaks, loops or overlaps at offset \(next); the blocks before it are kept", page: number))
                break
            }
            freeblocks.append((next, size))
            lastEnd = next + size
            next = link
        }
        return BTreePage(kind: kind, headerOffset: h, firstFreeblock: fb, cellCount: count, contentStart: contentStart,
                         rightChild: interior ? v.u32(h + 8) : nil, cellPointers: pointers, freeblocks: freeblocks,
                         gap: gapStart..<gapEnd, problems: problems)
    }
}

/// How much of a payload of `p` bytes is stored on a table b-tree leaf page (fileformat2 §1.6).
func localPayloadSize(_ p: Int, usable u: Int, index: Bool = false) -> Int {
    let x = index ? ((u - 12) * 64 / 255) - 23 : u - 35
    if p <= x { return p }
    let m = ((u - 12) * 32 / 255) - 23
    let k = m + ((p - m) % (u - 4))
    return k <= x ? k : m
}

/// A b-tree cell that carries a payload, as laid out in the bytes (fileformat2 §1.6): a table
/// leaf cell (payload length, rowid, payload), an index leaf cell (payload length, payload: an
/// index record or a `WITHOUT ROWID` table's row) or an index interior cell (a 4-byte left child
/// first). One parser for the three; table interior cells carry no payload and are not cells here.
struct Cell {
    var payloadLength: Int
    /// Table leaf cells only.
    var rowid: Int64?
    /// Offset of the payload's first byte within the page.
    var payloadStart: Int
    var localLength: Int
    /// First overflow page, when the payload spills.
    var overflowPage: Int?
    /// Bytes the cell occupies on the page.
    var cellLength: Int

    /// Parses a cell of a `kind` page at `at`, every length checked against `limit`.
    /// `maxPayload` bounds the declared payload by what the file could hold.
    static func parse(_ page: [UInt8], at: Int, kind: PageKind, usable: Int, limit: Int, maxPayload: Int) -> Cell? {
        guard kind != .tableInterior else { return nil }
        let index = kind != .tableLeaf
        let lead = kind == .indexInterior ? 4 : 0
        guard let (pl, a) = Varint.read(page, at + lead, limit: limit), pl >= (index ? 1 : 0), pl <= Int64(maxPayload) else { return nil }
        var rowid: Int64?
        var r = 0
        if !index {
            guard let (id, n) = Varint.read(page, at + lead + a, limit: limit) else { return nil }
            rowid = id; r = n
        }
        let p = Int(pl)
        let local = localPayloadSize(p, usable: usable, index: index)
        let start = at + lead + a + r
        var length = lead + a + r + local
        var overflow: Int?
        if local < p {
            guard start + local + 4 <= limit, let o = ByteView(page).u32(start + local) else { return nil }
            overflow = o; length += 4
        }
        guard start + local <= limit else { return nil }
        return Cell(payloadLength: p, rowid: rowid, payloadStart: start, localLength: local, overflowPage: overflow, cellLength: length)
    }
}
