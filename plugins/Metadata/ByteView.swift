import ExhibitKit
import ExhibitSupport
import Foundation

/// Bounds-checked reads over a file's bytes: ExhibitSupport's ``ByteView`` (every accessor
/// returns `nil` instead of trapping), plus the box and tag helpers only metadata parsers need.
typealias ByteView = ExhibitSupport.ByteView

extension ByteView {
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

    /// Four bytes as a type code (`ftyp`, `©xyz`), Latin-1 so every byte maps to one character.
    func fourCC(_ at: Int) -> String? {
        guard let s = slice(at, 4) else { return nil }
        return MetadataText.latin1(s)
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
