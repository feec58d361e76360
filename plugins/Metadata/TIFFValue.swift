import Foundation
import ExhibitKit

/// TIFF field types (TIFF 6.0 + EXIF): element sizes and how `exiftool -n` prints them.
enum TIFFType: UInt16 {
    case byte = 1, ascii, short, long, rational, sbyte, undefined, sshort, slong, srational, float, double, ifd
    /// TIFF 6 Unicode/Complex are unused by cameras; BigTIFF's 64-bit types (16–18) likewise.
    var size: Int {
        switch self {
        case .byte, .ascii, .sbyte, .undefined: return 1
        case .short, .sshort: return 2
        case .long, .slong, .float, .ifd: return 4
        case .rational, .srational, .double: return 8
        }
    }
}

/// Turns a TIFF field's bytes into the text ExifTool prints with `-n`.
enum TIFFValue {
    /// Most numbers printed for one field; longer arrays are summarised as binary data.
    static let maxListed = 1024

    /// `%.10g`, the precision ExifTool rounds rationals to (`RoundFloat(n/d, 10)`).
    static func rational(_ num: Int64, _ den: Int64) -> String {
        if den == 0 { return num == 0 ? "undef" : (num < 0 ? "-inf" : "inf") }
        return number(Double(num) / Double(den), significant: 10)
    }

    /// `%.<n>g` without a trailing exponent surprise: Perl prints numbers the same way.
    static func number(_ v: Double, significant: Int) -> String {
        String(format: "%.\(significant)g", v)
    }

    /// ExifTool's text for binary data it does not print.
    static func binary(_ count: Int) -> String { "(Binary data \(count) bytes, use -b option to extract)" }

    /// The printed form of `count` values of `type` stored at `at`. Numbers are separated by spaces.
    static func format(_ view: ByteView, at: Int, type: TIFFType, count: Int, bigEndian be: Bool) -> String {
        if count > maxListed, type != .ascii, type != .undefined { return binary(count * type.size) }
        var parts: [String] = []
        parts.reserveCapacity(count)
        for i in 0..<count {
            let p = at + i * type.size
            let s: String?
            switch type {
            case .byte, .undefined: s = view.u8(p).map { String($0) }
            case .sbyte: s = view.u8(p).map { String(Int8(bitPattern: $0)) }
            case .short: s = view.u16(p, bigEndian: be).map { String($0) }
            case .sshort: s = view.u16(p, bigEndian: be).map { String(Int16(bitPattern: $0)) }
            case .long, .ifd: s = view.u32(p, bigEndian: be).map { String($0) }
            case .slong: s = view.u32(p, bigEndian: be).map { String(Int32(bitPattern: $0)) }
            case .rational:
                s = view.u32(p, bigEndian: be).flatMap { n in view.u32(p + 4, bigEndian: be).map { rational(Int64(n), Int64($0)) } }
            case .srational:
                s = view.u32(p, bigEndian: be).flatMap { n in
                    view.u32(p + 4, bigEndian: be).map { rational(Int64(Int32(bitPattern: n)), Int64(Int32(bitPattern: $0))) }
                }
            case .float: s = view.u32(p, bigEndian: be).map { number(Double(Float(bitPattern: $0)), significant: 7) }
            case .double: s = view.u64(p, bigEndian: be).map { number(Double(bitPattern: $0), significant: 15) }
            case .ascii: s = nil
            }
            guard let s else { break }
            parts.append(s)
        }
        return parts.joined(separator: " ")
    }

    /// Numeric values as doubles (for GPS coordinates and times), or `nil` when not numeric.
    static func doubles(_ view: ByteView, at: Int, type: TIFFType, count: Int, bigEndian: Bool) -> [Double]? {
        guard type != .ascii, type != .undefined, count <= 16 else { return nil }
        // Parse the printed form so the arithmetic matches ExifTool's (rounded to 10 digits first).
        let printed = format(view, at: at, type: type, count: count, bigEndian: bigEndian)
        let vals = printed.split(separator: " ").compactMap { Double($0) }
        return vals.count == count ? vals : nil
    }
}
