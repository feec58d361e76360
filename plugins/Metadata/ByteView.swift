import Foundation
import ExhibitKit

/// Bounds-checked reads over a file's bytes. Every accessor returns `nil` instead of trapping,
/// so a parser can treat "outside the data" as an ordinary condition of hostile input.
struct ByteView {
    let bytes: [UInt8]
    var count: Int { bytes.count }

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Whether `[at, at+length)` lies inside the data (overflow-safe).
    func contains(_ at: Int, _ length: Int) -> Bool {
        guard at >= 0, length >= 0 else { return false }
        let end = at.addingReportingOverflow(length)
        return !end.overflow && end.partialValue <= bytes.count
    }

    func u8(_ at: Int) -> UInt8? { contains(at, 1) ? bytes[at] : nil }

    func u16(_ at: Int, bigEndian: Bool) -> UInt16? {
        guard contains(at, 2) else { return nil }
        let a = UInt16(bytes[at]), b = UInt16(bytes[at + 1])
        return bigEndian ? a << 8 | b : b << 8 | a
    }

    func u32(_ at: Int, bigEndian: Bool) -> UInt32? { uint(at, width: 4, bigEndian: bigEndian).map { UInt32($0) } }

    func u64(_ at: Int, bigEndian: Bool) -> UInt64? { uint(at, width: 8, bigEndian: bigEndian) }

    /// An unsigned integer of `width` (≤ 8) bytes in either byte order.
    private func uint(_ at: Int, width: Int, bigEndian: Bool) -> UInt64? {
        guard contains(at, width) else { return nil }
        var v: UInt64 = 0
        for i in 0..<width { v = v << 8 | UInt64(bytes[bigEndian ? at + i : at + width - 1 - i]) }
        return v
    }

    /// An unsigned big-endian integer of 0, 4 or 8 bytes (ISO BMFF `iloc` field sizes).
    func uintBE(_ at: Int, size: Int) -> UInt64? {
        switch size {
        case 0: return 0
        case 2: return u16(at, bigEndian: true).map(UInt64.init)
        case 4: return u32(at, bigEndian: true).map(UInt64.init)
        case 8: return u64(at, bigEndian: true)
        default: return nil
        }
    }

    func slice(_ at: Int, _ length: Int) -> ArraySlice<UInt8>? {
        contains(at, length) ? bytes[at..<at + length] : nil
    }

    /// Four bytes as a type code (`ftyp`, `©xyz`), Latin-1 so every byte maps to one character.
    func fourCC(_ at: Int) -> String? {
        guard let s = slice(at, 4) else { return nil }
        return MetadataText.latin1(s)
    }

    /// Whether the bytes at `at` equal `pattern`.
    func matches(_ at: Int, _ pattern: [UInt8]) -> Bool {
        guard let s = slice(at, pattern.count) else { return false }
        return s.elementsEqual(pattern)
    }

    /// Index of the first `byte` in `[from, to)`, or `nil`.
    func firstIndex(of byte: UInt8, from: Int, to: Int) -> Int? {
        let end = min(to, bytes.count)
        guard from >= 0, from < end else { return nil }
        return bytes[from..<end].firstIndex(of: byte)
    }
}

extension Array where Element == UInt8 {
    /// Index of the first occurrence of `needle` at or after `from`, or `nil`.
    func firstRange(of needle: [UInt8], from: Int = 0) -> Int? {
        guard !needle.isEmpty, count >= needle.count else { return nil }
        var i = Swift.max(0, from)
        let first = needle[0]
        while i <= count - needle.count {
            guard let j = self[i...(count - needle.count)].firstIndex(of: first) else { return nil }
            if self[j..<j + needle.count].elementsEqual(needle) { return j }
            i = j + 1
        }
        return nil
    }
}

/// Text decoding for metadata strings: ASCII and valid UTF-8 decode as such; anything else is
/// decoded as Latin-1 (every byte maps) and the raw bytes are kept so nothing is lost.
enum MetadataText {
    /// Returns the text, plus the raw bytes and encoding name when the text is not plain ASCII.
    static func decode<C: Collection>(_ bytes: C) -> (text: String, raw: Data?, encoding: String?) where C.Element == UInt8 {
        if bytes.allSatisfy({ $0 < 0x80 }) { return (String(decoding: bytes, as: UTF8.self), nil, nil) }
        let data = Data(bytes)
        if let s = String(validating: bytes, as: UTF8.self) { return (s, data, "utf-8") }
        return (latin1(bytes), data, "latin-1 (guessed)")
    }

    /// Latin-1: every byte is the code point of the same value (never fails).
    static func latin1<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        String(bytes.map { Character(Unicode.Scalar($0)) })
    }

    /// UTF-16 code units in the given byte order; an odd last byte is ignored, unpaired
    /// surrogates become U+FFFD.
    static func utf16<C: Collection>(_ bytes: C, bigEndian: Bool) -> [UInt16] where C.Element == UInt8 {
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        var i = bytes.startIndex
        while i != bytes.endIndex {
            let j = bytes.index(after: i)
            guard j != bytes.endIndex else { break }
            let a = UInt16(bytes[i]), b = UInt16(bytes[j])
            units.append(bigEndian ? a << 8 | b : b << 8 | a)
            i = bytes.index(after: j)
        }
        return units
    }

    /// The bytes up to the first NUL (C strings in EXIF, PNG keywords).
    static func cString<C: Collection>(_ bytes: C) -> C.SubSequence where C.Element == UInt8 {
        bytes.prefix { $0 != 0 }
    }
}
