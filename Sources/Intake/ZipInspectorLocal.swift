import Foundation

/// A read cache over a ``ByteSource``: sequential header walks hit memory, not the disk, each time.
struct Cursor {
    let src: ByteSource
    let window: Int
    private var base: UInt64 = 0
    private var data: [UInt8] = []

    init(src: ByteSource, window: Int) {
        self.src = src
        self.window = window
    }

    /// Up to `count` bytes at `offset` (fewer at the end of the source, `nil` past it).
    mutating func read(_ offset: UInt64, _ count: Int) -> [UInt8]? {
        guard offset < UInt64(src.size), count >= 0 else { return nil }
        let end = offset + UInt64(count)
        if offset < base || end > base + UInt64(data.count) {
            guard offset <= UInt64(Int64.max) else { return nil }
            base = offset
            data = src.read(at: Int64(offset), count: max(window, count))
        }
        let from = Int(offset - base)
        let to = min(data.count, from + count)
        return from <= to ? Array(data[from..<to]) : nil
    }
}

extension ZipInspector {
    /// Reads each entry's local header: its name (compared with the CD's), its extra field (times),
    /// and the exact extent of header + data for the overlap check.
    static func readLocalHeaders(_ src: ByteSource, _ entries: inout [ZipEntryInfo]) {
        var cursor = Cursor(src: src, window: 64 << 10)
        for i in entries.indices {
            let off = entries[i].localHeaderOffset
            let fallbackEnd = off &+ 30 &+ UInt64(entries[i].name.count) &+ entries[i].compressedSize
            entries[i].rangeStart = off
            entries[i].rangeEnd = max(off, fallbackEnd)
            guard let fixed = cursor.read(off, 30), fixed.count == 30 else { continue }
            let h = LEBytes(bytes: fixed)
            guard h.u32(0) == sigLocal, let nameLen = h.u16(26), let extraLen = h.u16(28) else { continue }
            guard let vars = cursor.read(off + 30, Int(nameLen) + Int(extraLen)),
                  vars.count == Int(nameLen) + Int(extraLen) else { continue }
            let localName = Array(vars[0..<Int(nameLen)])
            entries[i].localName = localName
            entries[i].nameMismatch = localName != entries[i].name
            applyTimes(Array(vars[Int(nameLen)...]), to: &entries[i], central: false)
            let (end, overflow) = (off + 30 + UInt64(nameLen) + UInt64(extraLen)).addingReportingOverflow(entries[i].compressedSize)
            entries[i].rangeEnd = overflow ? UInt64.max : end
        }
    }

    /// Marks every entry whose header+data range overlaps another's: the construction of the
    /// Fifield non-recursive zip bombs (full and quoted overlap), never of an honest zip.
    ///
    /// The first entry of an overlapping run is still read (one entry's worth of expansion, under
    /// the usual budgets); every entry that starts inside it would expand the same compressed bytes
    /// again, which is the bomb, so those are marked not to be inflated. Entries sharing one local
    /// header offset are flagged only: libarchive delivers just the first of them.
    static func markOverlaps(_ entries: inout [ZipEntryInfo]) {
        let sorted = entries.indices.sorted { (entries[$0].rangeStart, $0) < (entries[$1].rangeStart, $1) }
        var maxEnd: UInt64 = 0
        var owner: Int?
        for i in sorted {
            if let o = owner, entries[i].rangeStart < maxEnd {
                entries[i].overlapping = true
                entries[o].overlapping = true
                if entries[i].localHeaderOffset != entries[o].localHeaderOffset { entries[i].startsInsideAnother = true }
            }
            if owner == nil || entries[i].rangeEnd > maxEnd {
                maxEnd = entries[i].rangeEnd
                owner = i
            }
        }
    }

    /// libarchive's seekable order: ascending local header offset; of entries sharing an offset
    /// only the first in CD order survives.
    static func libarchiveOrder(_ entries: [ZipEntryInfo]) -> [Int] {
        let sorted = entries.indices.sorted { (entries[$0].localHeaderOffset, $0) < (entries[$1].localHeaderOffset, $1) }
        var out: [Int] = []
        out.reserveCapacity(sorted.count)
        var last: UInt64?
        for i in sorted where entries[i].localHeaderOffset != last {
            out.append(i)
            last = entries[i].localHeaderOffset
        }
        return out
    }

    /// Hops from local header to local header as a streaming reader would and counts them.
    /// Returns `nil` when a hop cannot be computed (data descriptor with no CD entry to give the size).
    static func scanLocalHeaders(_ src: ByteSource, entries: [ZipEntryInfo], start: UInt64, cdStart: UInt64, cap: Int) -> Int? {
        var sizeAt: [UInt64: UInt64] = [:]
        sizeAt.reserveCapacity(entries.count)
        for e in entries where sizeAt[e.localHeaderOffset] == nil { sizeAt[e.localHeaderOffset] = e.compressedSize }
        var cursor = Cursor(src: src, window: 64 << 10)
        var pos = start
        var found = 0
        while found < cap {
            guard let fixed = cursor.read(pos, 30), fixed.count >= 4 else { return found }
            let h = LEBytes(bytes: fixed)
            guard h.u32(0) == sigLocal else {
                // Ending on the central directory (or its end record) is a complete scan.
                let sig = h.u32(0)
                return (sig == sigCentral || sig == sigEnd || sig == sigEnd64 || pos == cdStart) ? found : nil
            }
            guard let flags = h.u16(6), let csize32 = h.u32(18), let nameLen = h.u16(26), let extraLen = h.u16(28) else { return nil }
            found += 1
            let dataStart = pos + 30 + UInt64(nameLen) + UInt64(extraLen)
            var csize: UInt64
            if let known = sizeAt[pos] {
                csize = known
            } else if flags & 8 != 0 {
                return nil
            } else {
                csize = UInt64(csize32)
                if csize32 == 0xFFFF_FFFF, let extra = cursor.read(pos + 30 + UInt64(nameLen), Int(extraLen)) {
                    forEachExtra(extra) { id, d in if id == 0x0001, let v = d.u64(8) { csize = v } }
                }
            }
            let (base, overflow) = dataStart.addingReportingOverflow(csize)
            guard !overflow else { return nil }
            var next = base
            if flags & 8 != 0 {
                // Data descriptor: optional signature, CRC, then 32- or 64-bit sizes.
                next = [base + 16, base + 12, base + 24, base + 20].first { cand in
                    guard let s = cursor.read(cand, 4).map({ LEBytes(bytes: $0).u32(0) }) else { return cand == UInt64(src.size) }
                    return s == sigLocal || s == sigCentral || s == sigEnd
                } ?? base + 16
            }
            guard next > pos else { return nil }
            pos = next
        }
        return found
    }
}
