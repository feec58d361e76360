import Foundation

/// A database as a set of page images: the main file's pages, optionally overlaid with newer
/// page versions (WAL frames). Reads never go past the bytes that exist.
struct PageImage {
    /// The main file's bytes (in memory or read page by page from the private copy).
    let file: ByteSource
    let header: DatabaseHeader
    /// Page versions that replace the file's own (page number → bytes of one page).
    var overlay: [Int: [UInt8]] = [:]
    /// Highest page number: the real file's whole pages, raised by the overlay's pages.
    var pageCount: Int

    init(file: ByteSource, header: DatabaseHeader) {
        self.file = file; self.header = header
        pageCount = file.count / header.pageSize
    }

    /// A page image over bytes in memory.
    init(file: [UInt8], header: DatabaseHeader) {
        self.init(file: ByteSource(file), header: header)
    }

    /// Bytes of page `n` (1-based), or `nil` when it does not exist.
    func page(_ n: Int) -> [UInt8]? {
        if let o = overlay[n] { return o }
        guard n >= 1, n <= file.count / header.pageSize else { return nil }
        return file.read((n - 1) * header.pageSize, header.pageSize)
    }

    var usable: Int { header.usableSize }

    /// Pointer-map page numbers (auto-vacuum databases): page 2, then every usable/5 + 1 pages.
    var pointerMapPages: Set<Int> {
        guard header.hasPointerMap, pageCount >= 2 else { return [] }
        var s: Set<Int> = []
        var p = 2
        let stride = usable / 5 + 1
        while p <= pageCount { s.insert(p); p += stride }
        return s
    }

    /// The payload of a cell carved at `start` on a page's `bytes`: its `local` bytes on the page
    /// and, when the payload is `length` > `local`, the overflow chain whose first page number
    /// follows them. Nil when the cell would run past `end`, or needs an overflow page and
    /// `allowOverflow` is false (a rebuilt header must not send the reading off the page).
    /// `pointerBytes` is 4 when the cell holds an overflow pointer. Shared by every carver.
    func cellPayload(_ bytes: [UInt8], at start: Int, length: Int, local: Int, end: Int, forbidden: Set<Int>,
                     allowOverflow: Bool = true) -> (payload: [UInt8], overflowPages: [Int], pointerBytes: Int)? {
        guard local < length else {
            guard start + length <= end else { return nil }
            return (Array(bytes[start..<(start + length)]), [], 0)
        }
        guard allowOverflow, start + local + 4 <= end, let first = ByteView(bytes).u32(start + local) else { return nil }
        let chain = overflow(first: first, needed: length - local, forbidden: forbidden)
        return (Array(bytes[start..<(start + local)]) + chain.bytes, chain.pages, 4)
    }

    /// Follows an overflow chain from `first` for `needed` bytes. Stops at a loop, a page past
    /// the end, or a page in `forbidden` (in use elsewhere): then `complete` is false.
    func overflow(first: Int, needed: Int, forbidden: Set<Int> = []) -> (bytes: [UInt8], pages: [Int], complete: Bool) {
        var out: [UInt8] = []
        var pages: [Int] = []
        var seen: Set<Int> = []
        var next = first
        while out.count < needed {
            guard next >= 1, next <= pageCount, !seen.contains(next), !forbidden.contains(next), let p = page(next) else {
                return (out, pages, false)
            }
            seen.insert(next); pages.append(next)
            let take = Swift.min(usable - 4, needed - out.count)
            out.append(contentsOf: p[4..<(4 + take)])
            next = ByteView(p).u32(0) ?? 0
        }
        return (out, pages, true)
    }

    /// The freelist: trunk and leaf pages, the chain cycle-checked and bounded by the file.
    func freelist() -> (trunks: [Int], leaves: [Int], problems: [RecoveryProblem]) {
        var trunks: [Int] = [], leaves: [Int] = []
        var problems: [RecoveryProblem] = []
        var seen: Set<Int> = []
        var next = header.firstFreelistTrunk
        while next != 0 {
            guard next >= 1, next <= pageCount else {
                problems.append(.init(code: "sqlite-freelist-range", message: "a freelist trunk pointer names page \(next), past the end of the database (\(pageCount) pages)", page: next)); break
            }
            guard !seen.contains(next), let p = page(next) else {
                problems.append(.init(code: "sqlite-freelist-loop", message: "the freelist trunk chain returns to page \(next); the pages before it are kept", page: next)); break
            }
            seen.insert(next); trunks.append(next)
            let v = ByteView(p)
            let count = v.u32(4) ?? 0
            let maxLeaves = usable / 4 - 2
            if count > maxLeaves {
                problems.append(.init(code: "sqlite-freelist-count", message: "freelist trunk page \(next) claims \(count) leaves, more than a page holds (\(maxLeaves))", page: next))
            }
            for i in 0..<Swift.min(count, maxLeaves) {
                guard let leaf = v.u32(8 + 4 * i) else { break }
                if leaf >= 1, leaf <= pageCount, !seen.contains(leaf) {
                    seen.insert(leaf); leaves.append(leaf)
                } else {
                    problems.append(.init(code: "sqlite-freelist-leaf", message: "freelist trunk page \(next) names leaf page \(leaf), which is past the end or listed twice", page: next))
                }
            }
            next = v.u32(0) ?? 0
        }
        return (trunks, leaves, problems)
    }
}
