/// Hexadecimal text of bytes, and the one test of "is this hex": ASCII digits and `a`–`f`/`A`–`F`
/// only. `Character.isHexDigit` is not used anywhere because it also accepts the full-width digits
/// U+FF10–U+FF19 and U+FF21–U+FF26, which no digest, key or identifier ever contains.
public enum Hex {
    @usableFromInline static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Lower-case hex of `bytes`, two digits per byte (`[0x0a, 0xff]` → `"0aff"`). Inlinable so
    /// it is specialized for the caller's type: unspecialized, each digest byte went through the
    /// sequence's witnesses (and dynamic casts) — ~2.6 % of a 200,000-entry ingest, three
    /// digests per entry.
    @inlinable public static func encode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `value` as `0x` and exactly `width` lower-case digits (the high digits of a wider value are
    /// dropped): `hex(0x1cb5c415, width: 8)` → `"0x1cb5c415"`.
    public static func prefixed(_ value: UInt64, width: Int) -> String {
        var out: [UInt8] = [0x30, 0x78]
        for shift in stride(from: (width - 1) * 4, through: 0, by: -4) where shift < 64 {
            out.append(digits[Int((value >> UInt64(shift)) & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether `byte` is an ASCII hex digit (`0-9`, `a-f`, `A-F`).
    @inlinable public static func isDigit(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x66)
    }

    /// Whether `text` is non-empty ASCII hex, of one of `lengths` (in digits) when given;
    /// `lowercaseOnly` refuses `A`–`F` (wire formats that promise lower case).
    public static func isHex<S: StringProtocol>(_ text: S, lengths: Set<Int>? = nil, lowercaseOnly: Bool = false) -> Bool {
        let u = text.utf8
        guard !u.isEmpty, lengths.map({ $0.contains(u.count) }) ?? true else { return false }
        return u.allSatisfy { isDigit($0) && (!lowercaseOnly || $0 < 0x41 || $0 > 0x46) }
    }

    /// The bytes of an even-length ASCII hex text (either case), or `nil`.
    public static func decode<S: StringProtocol>(_ text: S) -> [UInt8]? {
        let u = Array(text.utf8)
        guard u.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(u.count / 2)
        var i = 0
        while i < u.count {
            guard let hi = value(u[i]), let lo = value(u[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    private static func value(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b - 0x30
        case 0x61...0x66: return b - 0x61 + 10
        case 0x41...0x46: return b - 0x41 + 10
        default: return nil
        }
    }
}
