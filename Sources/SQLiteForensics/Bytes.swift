import Foundation

/// Bounds-checked big-endian reads over a byte array. Every read returns `nil` past the end, so
/// a length or pointer taken from evidence can never trap.
struct ByteView {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var count: Int { bytes.count }

    func u8(_ at: Int) -> Int? {
        guard at >= 0, at < bytes.count else { return nil }
        return Int(bytes[at])
    }

    func u16(_ at: Int) -> Int? {
        guard at >= 0, at + 2 <= bytes.count else { return nil }
        return Int(bytes[at]) << 8 | Int(bytes[at + 1])
    }

    func u32(_ at: Int) -> Int? {
        guard at >= 0, at + 4 <= bytes.count else { return nil }
        return Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
    }

    /// A slice copied out, or `nil` when it does not fit.
    func slice(_ at: Int, _ length: Int) -> [UInt8]? {
        guard at >= 0, length >= 0, at <= bytes.count, length <= bytes.count - at else { return nil }
        return Array(bytes[at..<(at + length)])
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
