import Foundation

/// One value of a record as read from the bytes.
public enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
    /// Could not be recovered (overwritten bytes, a broken overflow chain).
    case missing

    /// Whether two values are the same stored value (reals compared bit for bit, so NaN equals itself).
    func same(_ other: SQLValue) -> Bool {
        switch (self, other) {
        case (.real(let a), .real(let b)): return a.bitPattern == b.bitPattern
        default: return self == other
        }
    }
}

/// A record's serial type (fileformat2 §2.1): how a value is stored and how many bytes it takes.
enum SerialType {
    /// Content size of serial type `t`, or `nil` for the reserved types 10 and 11 and negatives.
    static func size(_ t: Int64) -> Int? {
        switch t {
        case 0, 8, 9: return 0
        case 1: return 1
        case 2: return 2
        case 3: return 3
        case 4: return 4
        case 5: return 6
        case 6, 7: return 8
        case 10, 11: return nil
        default:
            guard t >= 12, t <= Int64(Int32.max) else { return nil }
            return Int((t - 12) / 2)
        }
    }

    /// The storage class of a serial type.
    enum Kind { case null, integer, real, text, blob }

    static func kind(_ t: Int64) -> Kind {
        switch t {
        case 0: return .null
        case 1...6, 8, 9: return .integer
        case 7: return .real
        default: return t % 2 == 0 ? .blob : .text
        }
    }

    /// Decodes the content of serial type `t` at `at` (the caller checked the length fits).
    static func decode(_ t: Int64, _ b: [UInt8], _ at: Int, encoding: Int) -> SQLValue? {
        guard let n = size(t), at >= 0, at + n <= b.count else { return nil }
        switch t {
        case 0: return .null
        case 8: return .integer(0)
        case 9: return .integer(1)
        case 1...6:
            var v: Int64 = Int64(Int8(bitPattern: b[at]))
            for i in 1..<n { v = (v << 8) | Int64(b[at + i]) }
            return .integer(v)
        case 7:
            var u: UInt64 = 0
            for i in 0..<8 { u = (u << 8) | UInt64(b[at + i]) }
            return .real(Double(bitPattern: u))
        default:
            let slice = Array(b[at..<(at + n)])
            if t % 2 == 0 { return .blob(slice) }
            return decodeText(slice, encoding: encoding).map(SQLValue.text)
        }
    }

    /// Text in the database encoding; `nil` when the bytes are not valid text in it.
    static func decodeText(_ bytes: [UInt8], encoding: Int) -> String? {
        switch encoding {
        case 2: return bytes.count % 2 == 0 ? String(bytes: bytes, encoding: .utf16LittleEndian) : nil
        case 3: return bytes.count % 2 == 0 ? String(bytes: bytes, encoding: .utf16BigEndian) : nil
        default: return String(validating: bytes, as: UTF8.self)
        }
    }
}

/// A record's header: its serial types and where the body starts.
struct RecordHeader {
    var serialTypes: [Int64]
    var headerLength: Int
    /// Sum of content sizes.
    var bodyLength: Int

    /// Reads a record header at `at` within `b[..<limit]`; at most `maxColumns` types (bounded
    /// by the bytes, never by the declared header length alone).
    static func read(_ b: [UInt8], _ at: Int, limit: Int, maxColumns: Int = 2000) -> RecordHeader? {
        guard let (hl, hlLen) = Varint.read(b, at, limit: limit), hl >= Int64(hlLen), hl <= 65536 else { return nil }
        let headerLength = Int(hl)
        let end = at + headerLength
        guard end <= Swift.min(limit, b.count) else { return nil }
        var types: [Int64] = []
        var p = at + hlLen
        var body = 0
        while p < end {
            guard types.count < maxColumns, let (t, len) = Varint.read(b, p, limit: end), let s = SerialType.size(t) else { return nil }
            types.append(t); body += s; p += len
        }
        guard p == end else { return nil }
        return RecordHeader(serialTypes: types, headerLength: headerLength, bodyLength: body)
    }
}

/// Decodes a whole record from `payload`; `nil` when the header and body do not agree with it.
func decodeRecord(_ payload: [UInt8], encoding: Int, exact: Bool = true) -> [SQLValue]? {
    guard let h = RecordHeader.read(payload, 0, limit: payload.count) else { return nil }
    let total = h.headerLength + h.bodyLength
    guard exact ? total == payload.count : total <= payload.count else { return nil }
    var values: [SQLValue] = []
    values.reserveCapacity(h.serialTypes.count)
    var p = h.headerLength
    for t in h.serialTypes {
        guard let v = SerialType.decode(t, payload, p, encoding: encoding), let s = SerialType.size(t) else { return nil }
        values.append(v); p += s
    }
    return values
}
