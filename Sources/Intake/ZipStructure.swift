import ExhibitKit
import Foundation

/// What our own zip inspector learned about one central-directory entry.
struct ZipEntryInfo {
    var cdIndex: Int
    var name: [UInt8]
    var localName: [UInt8]?
    var flags: UInt16
    var method: UInt16
    var dosTime: UInt16
    var dosDate: UInt16
    var compressedSize: UInt64
    var uncompressedSize: UInt64
    var localHeaderOffset: UInt64
    /// Data range `[start, end)` including the local header, for overlap detection.
    var rangeStart: UInt64
    var rangeEnd: UInt64
    var utcModified: TimeValue?
    var utcAccessed: TimeValue?
    var utcCreated: TimeValue?
    var nameMismatch = false
    /// Its header+data range overlaps another entry's (flag `overlapping-entry`).
    var overlapping = false
    /// It starts inside the range of an entry at a lower offset: reading it would expand bytes that
    /// entry already covers. Such entries are not inflated (status `limit-exceeded`).
    var startsInsideAnother = false

    /// `ZipCrypto`, `AES`, `strong encryption`, or `nil` when the entry is not encrypted.
    var encryption: String? {
        guard flags & 1 != 0 else { return nil }
        if method == 99 { return "AES" }
        if flags & 0x40 != 0 { return "strong encryption" }
        return "ZipCrypto"
    }
}

/// The structure of one zip as our inspector sees it.
struct ZipStructure {
    /// Entry count the end-of-central-directory record claims.
    var eocdCount: UInt64
    /// Central-directory entries in directory order.
    var entries: [ZipEntryInfo]
    /// Indices into ``entries`` in the order libarchive's seekable reader lists them: by local
    /// header offset, a later entry with an offset already taken being dropped (its red-black tree
    /// refuses duplicate keys).
    var order: [Int]
    /// Local headers found by hopping from one to the next; `nil` when the hop could not finish.
    var localHeadersFound: Int?

    var countMismatch: Bool {
        if eocdCount != UInt64(entries.count) { return true }
        if let found = localHeadersFound, found != entries.count { return true }
        return false
    }

    var nameMismatch: Bool { entries.contains { $0.nameMismatch } }
    var hasOverlap: Bool { entries.contains { $0.overlapping } }
}

/// Pairs libarchive's headers with inspector entries: by libarchive's order, confirmed by name,
/// falling back to a name lookup, then to order alone.
struct ZipMatcher {
    let structure: ZipStructure
    private var next = 0
    private var used = Set<Int>()
    private var byName: [[UInt8]: [Int]] = [:]

    init(structure: ZipStructure) {
        self.structure = structure
        for (i, e) in structure.entries.enumerated() {
            byName[e.name, default: []].append(i)
            if let l = e.localName, l != e.name { byName[l, default: []].append(i) }
        }
    }

    mutating func match(rawName: [UInt8]) -> ZipEntryInfo? {
        defer { next += 1 }
        if next < structure.order.count {
            let cand = structure.order[next]
            let e = structure.entries[cand]
            if !used.contains(cand), e.name == rawName || e.localName == rawName {
                used.insert(cand)
                return e
            }
        }
        if let hit = byName[rawName]?.first(where: { !used.contains($0) }) {
            used.insert(hit)
            return structure.entries[hit]
        }
        if next < structure.order.count, !used.contains(structure.order[next]) {
            used.insert(structure.order[next])
            return structure.entries[structure.order[next]]
        }
        return nil
    }
}
