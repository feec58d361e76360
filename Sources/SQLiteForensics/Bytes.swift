import ExhibitSupport
import Foundation

/// Bounds-checked big-endian reads over a byte array, as `Int` (SQLite is big-endian throughout
/// and its offsets are compared with counts). The bounds rule is ExhibitSupport's ``ByteOrder``:
/// every read returns `nil` past the end, so a length or pointer taken from evidence can never trap.
struct ByteView {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var count: Int { bytes.count }

    func u8(_ at: Int) -> Int? { ByteOrder.read(bytes, at, width: 1, bigEndian: true).map(Int.init) }

    func u16(_ at: Int) -> Int? { ByteOrder.read(bytes, at, width: 2, bigEndian: true).map(Int.init) }

    func u32(_ at: Int) -> Int? { ByteOrder.read(bytes, at, width: 4, bigEndian: true).map(Int.init) }

    /// A slice copied out, or `nil` when it does not fit.
    func slice(_ at: Int, _ length: Int) -> [UInt8]? {
        ByteOrder.fits(count: bytes.count, at, length) ? Array(bytes[at..<(at + length)]) : nil
    }
}

/// SQLite's variable-length integer: 1–9 bytes, big-endian, high bit of the first eight bytes
/// says "more follows", the ninth byte contributes all eight bits.
enum Varint {
    /// The value and its length in bytes, reading no further than `limit` (exclusive).
    static func read(_ b: [UInt8], _ at: Int, limit: Int) -> (value: Int64, length: Int)? {
        let end = Swift.min(limit, b.count)
        guard at >= 0, at < end else { return nil }
        var v: UInt64 = 0
        var i = 0
        while i < 8 {
            guard at + i < end else { return nil }
            let byte = b[at + i]
            v = (v << 7) | UInt64(byte & 0x7F)
            if byte & 0x80 == 0 { return (Int64(bitPattern: v), i + 1) }
            i += 1
        }
        guard at + 8 < end else { return nil }
        v = (v << 8) | UInt64(b[at + 8])
        return (Int64(bitPattern: v), 9)
    }

    /// How many bytes `value` takes as a varint.
    static func length(_ value: Int64) -> Int {
        var u = UInt64(bitPattern: value)
        if u > 0x00FF_FFFF_FFFF_FFFF { return 9 }
        var n = 1
        while u > 0x7F { u >>= 7; n += 1 }
        return n
    }
}
