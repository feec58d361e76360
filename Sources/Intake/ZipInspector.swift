import ExhibitKit
import ExhibitSupport
import Foundation

/// Zip is little-endian throughout: ExhibitSupport's bounds-checked ``ByteView`` read in that
/// order; every read past the end yields `nil`.
typealias LEBytes = ByteView

extension ByteView {
    init(bytes: [UInt8]) { self.init(bytes) }
    func u16(_ at: Int) -> UInt16? { u16(at, bigEndian: false) }
    func u32(_ at: Int) -> UInt32? { u32(at, bigEndian: false) }
    func u64(_ at: Int) -> UInt64? { u64(at, bigEndian: false) }
}

/// Reads a zip's own structure — end of central directory (and zip64), central-directory entries,
/// local headers — from seekable bytes, independently of libarchive.
///
/// Hostile-safe by construction: every read is bounds-checked, every loop is capped by the entry
/// budget and must move forward, and a broken structure just means "no extra information".
enum ZipInspector {
    static let sigLocal: UInt32 = 0x0403_4b50
    static let sigCentral: UInt32 = 0x0201_4b50
    static let sigEnd: UInt32 = 0x0605_4b50
    static let sigEnd64: UInt32 = 0x0606_4b50
    static let sigLocator64: UInt32 = 0x0706_4b50

    static func inspect(_ src: ByteSource, maxEntries: Int) -> ZipStructure? {
        guard let end = findEnd(src) else { return nil }
        var entries: [ZipEntryInfo] = []
        let cdStart = end.cdOffset + end.correction
        var cursor = Cursor(src: src, window: 1 << 20)
        var pos = cdStart
        while entries.count <= maxEntries, pos < UInt64(src.size) {
            guard let fixed = cursor.read(pos, 46), LEBytes(bytes: fixed).u32(0) == sigCentral else { break }
            let h = LEBytes(bytes: fixed)
            guard let nameLen = h.u16(28), let extraLen = h.u16(30), let commentLen = h.u16(32) else { break }
            guard let vars = cursor.read(pos + 46, Int(nameLen) + Int(extraLen)), vars.count == Int(nameLen) + Int(extraLen) else { break }
            let name = Array(vars[0..<Int(nameLen)])
            let extra = Array(vars[Int(nameLen)...])
            var e = ZipEntryInfo(
                cdIndex: entries.count, name: name, localName: nil, flags: h.u16(8) ?? 0, method: h.u16(10) ?? 0,
                dosTime: h.u16(12) ?? 0, dosDate: h.u16(14) ?? 0,
                compressedSize: UInt64(h.u32(20) ?? 0), uncompressedSize: UInt64(h.u32(24) ?? 0),
                localHeaderOffset: UInt64(h.u32(42) ?? 0), rangeStart: 0, rangeEnd: 0)
            applyZip64(extra, to: &e)
            e.localHeaderOffset &+= end.correction
            applyTimes(extra, to: &e, central: true)
            entries.append(e)
            pos += 46 + UInt64(nameLen) + UInt64(extraLen) + UInt64(commentLen)
        }
        readLocalHeaders(src, &entries)
        markOverlaps(&entries)
        let found = scanLocalHeaders(src, entries: entries, start: entries.map(\.localHeaderOffset).min() ?? end.correction,
                                     cdStart: cdStart, cap: maxEntries + entries.count + 16)
        return ZipStructure(eocdCount: end.count, entries: entries, order: libarchiveOrder(entries), localHeadersFound: found)
    }

    // MARK: end of central directory

    struct End {
        var count: UInt64
        var cdOffset: UInt64
        var correction: UInt64
    }

    static func findEnd(_ src: ByteSource) -> End? {
        guard src.size >= 22 else { return nil }
        let tailLen = Int(min(src.size, 22 + 65_535))
        let tailStart = src.size - Int64(tailLen)
        let tail = LEBytes(bytes: src.read(at: tailStart, count: tailLen))
        var i = tail.bytes.count - 22
        while i >= 0 {
            if tail.u32(i) == sigEnd { break }
            i -= 1
        }
        guard i >= 0, var count = tail.u16(i + 10).map(UInt64.init), var cdSize = tail.u32(i + 12).map(UInt64.init),
              var cdOffset = tail.u32(i + 16).map(UInt64.init) else { return nil }
        var recordPos = UInt64(tailStart) + UInt64(i)
        // zip64: the locator sits just before the classic record and points at the zip64 record,
        // which then ends the central directory (Info-ZIP writes one even when no field overflows).
        if recordPos >= 20 {
            let loc = LEBytes(bytes: src.read(at: Int64(recordPos - 20), count: 20))
            if loc.u32(0) == sigLocator64, let off64 = loc.u64(8), off64 < UInt64(src.size) {
                let rec = LEBytes(bytes: src.read(at: Int64(off64), count: 56))
                if rec.u32(0) == sigEnd64, let c = rec.u64(32), let s = rec.u64(40), let o = rec.u64(48) {
                    count = c
                    cdSize = s
                    cdOffset = o
                    recordPos = off64
                }
            }
        }
        // Data prepended to the zip (self-extractors) shifts every recorded offset: libarchive corrects the same way.
        let (sum, overflow) = cdOffset.addingReportingOverflow(cdSize)
        let correction = !overflow && recordPos > sum ? recordPos - sum : 0
        return End(count: count, cdOffset: cdOffset, correction: correction)
    }

    // MARK: extra fields

    static func forEachExtra(_ extra: [UInt8], _ body: (UInt16, LEBytes) -> Void) {
        let b = LEBytes(bytes: extra)
        var i = 0
        while let id = b.u16(i), let len = b.u16(i + 2) {
            guard let data = b.slice(i + 4, Int(len)) else { return }
            body(id, LEBytes(bytes: Array(data)))
            i += 4 + Int(len)
        }
    }

    static func applyZip64(_ extra: [UInt8], to e: inout ZipEntryInfo) {
        forEachExtra(extra) { id, d in
            guard id == 0x0001 else { return }
            var at = 0
            if e.uncompressedSize == 0xFFFF_FFFF, let v = d.u64(at) { e.uncompressedSize = v; at += 8 }
            if e.compressedSize == 0xFFFF_FFFF, let v = d.u64(at) { e.compressedSize = v; at += 8 }
            if e.localHeaderOffset == 0xFFFF_FFFF, let v = d.u64(at) { e.localHeaderOffset = v }
        }
    }

    /// UTC times from 0x5455 (extended timestamp), 0x000a (NTFS), 0x5855 (Info-ZIP Unix) and
    /// 0x000d (PKWARE Unix). A local-header 0x5455 is the most complete, so it wins over the CD's.
    static func applyTimes(_ extra: [UInt8], to e: inout ZipEntryInfo, central: Bool) {
        var ut: (m: TimeValue?, a: TimeValue?, c: TimeValue?)?
        var ntfs: (m: TimeValue?, a: TimeValue?, c: TimeValue?)?
        var unix: (m: TimeValue?, a: TimeValue?)?
        forEachExtra(extra) { id, d in
            switch id {
            case 0x5455:
                guard let flagByte = d.bytes.first else { return }
                var at = 1
                var r: (m: TimeValue?, a: TimeValue?, c: TimeValue?) = (nil, nil, nil)
                func next() -> TimeValue? {
                    guard let v = d.u32(at) else { return nil }
                    at += 4
                    return .unixSeconds(Int64(Int32(bitPattern: v)), note: "zip extended timestamp (0x5455)")
                }
                if flagByte & 1 != 0 { r.m = next() }
                if flagByte & 2 != 0 { r.a = next() }
                if flagByte & 4 != 0 { r.c = next() }
                ut = r
            case 0x000a:
                var at = 4
                while let tag = d.u16(at), let size = d.u16(at + 2) {
                    if tag == 1, size >= 24, let m = d.u64(at + 4), let a = d.u64(at + 12), let c = d.u64(at + 20) {
                        ntfs = (filetime(m), filetime(a), filetime(c))
                    }
                    at += 4 + Int(size)
                }
            case 0x5855, 0x000d:
                if let a = d.u32(0), let m = d.u32(4) {
                    let note = id == 0x5855 ? "zip Info-ZIP Unix field (0x5855)" : "zip PKWARE Unix field (0x000d)"
                    unix = (.unixSeconds(Int64(Int32(bitPattern: m)), note: note), .unixSeconds(Int64(Int32(bitPattern: a)), note: note))
                }
            default: break
            }
        }
        let preferLocal = !central
        if let ut {
            if e.utcModified == nil || preferLocal, let m = ut.m { e.utcModified = m }
            if e.utcAccessed == nil || preferLocal, let a = ut.a { e.utcAccessed = a }
            if e.utcCreated == nil || preferLocal, let c = ut.c { e.utcCreated = c }
        }
        if let ntfs {
            if e.utcModified == nil { e.utcModified = ntfs.m }
            if e.utcAccessed == nil { e.utcAccessed = ntfs.a }
            if e.utcCreated == nil { e.utcCreated = ntfs.c }
        }
        if let unix {
            if e.utcModified == nil { e.utcModified = unix.m }
            if e.utcAccessed == nil { e.utcAccessed = unix.a }
        }
    }

    /// Windows FILETIME (100 ns since 1601) as a UTC time value; `nil` for zero (unset).
    static func filetime(_ ft: UInt64) -> TimeValue? {
        guard ft != 0 else { return nil }
        let epochDelta: Int64 = 116_444_736_000_000_000
        let v = Int64(bitPattern: ft) &- epochDelta
        var secs = v / 10_000_000
        var rem = v % 10_000_000
        if rem < 0 { rem += 10_000_000; secs -= 1 }
        return .unixSeconds(secs, nanoseconds: rem * 100, raw: String(ft), precision: .hundredNanoseconds,
                            note: "zip NTFS timestamp (0x000a)")
    }
}
