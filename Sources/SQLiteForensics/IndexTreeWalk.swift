import Foundation

extension PageImage {
    /// Walks the index b-tree rooted at `root` (an index, or a `WITHOUT ROWID` table), cycle-
    /// checked and bounded by the page count; every record (leaf and interior cells) is handed
    /// to `visit` and not kept. Overflow pages of its cells are in use too. Each leaf page gets
    /// the key range its parent's separators give it, widened by one sibling on each side
    /// (`TreeWalk.keyRanges`): a rebalance moves cells between neighbouring siblings only.
    func walkIndex(root: Int, claimed: inout Set<Int>, visit: (CellRow) -> Void) -> TreeWalk {
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
            let rows = cellRows(bytes, number: n, page: p, problems: &w.problems)
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
