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
        // One byte per serial type at least, so the header's length bounds the count: reserved
        // up to 64 (no regrowth for usual rows; a carve trying garbage headers allocates little).
        types.reserveCapacity(Swift.min(headerLength - hlLen, 64))
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

/// What the live walk needs of a record (``RecoveryRun/walkLive()``), read without making a
/// `String` or an array per value: how many values, the first one when it is an integer, and
/// the estimated bytes of the row kept whole (``RecoveryRun/sampleSize(_:)``). Refuses exactly
/// the payloads ``decodePayload(_:declaredLength:encoding:)`` refuses (a bad header, text that is
/// not valid in the database's encoding), so the walk records the same problems either way.
struct RecordShape: Equatable {
    var count: Int
    /// The first value, when its bytes are there and it is an integer.
    var firstInteger: Int64?
    /// ``RecoveryRun/sampleSize(_:)`` of the values as read.
    var sampleSize: Int
    /// What the rowid alias column adds to ``sampleSize``, when the record has that column (the
    /// live walk puts the rowid there, an integer: 24 bytes).
    var aliasSize: Int?

    static func read(_ payload: [UInt8], declaredLength: Int, encoding: Int, alias: Int?) -> RecordShape? {
        // UTF-16 text: its UTF-8 size is only known by decoding it; the plain decoder decides.
        if encoding == 2 || encoding == 3 {
            return decodePayload(payload, declaredLength: declaredLength, encoding: encoding).map { RecordShape(values: $0, alias: alias) }
        }
        guard let h = RecordHeader.read(payload, 0, limit: payload.count), h.headerLength + h.bodyLength == declaredLength else { return nil }
        var shape = RecordShape(count: h.serialTypes.count, firstInteger: nil, sampleSize: 64, aliasSize: nil)
        var p = h.headerLength
        for (i, t) in h.serialTypes.enumerated() {
            let s = SerialType.size(t) ?? 0
            var size = 24
            if p + s <= payload.count {
                if t >= 12 {
                    if t % 2 == 1, !Self.isValidUTF8(payload, p..<(p + s)) { return nil }
                    size += s
                } else if i == 0, case .integer(let v)? = SerialType.decode(t, payload, p, encoding: encoding) {
                    shape.firstInteger = v
                }
            }
            shape.sampleSize += size
            if i == alias { shape.aliasSize = size }
            p += s
        }
        return shape
    }

    /// The shape of decoded values (UTF-16 databases).
    init(values: [SQLValue], alias: Int?) {
        count = values.count
        if case .integer(let v)? = values.first { firstInteger = v }
        sampleSize = RecoveryRun.sampleSize(values)
        if let alias, alias < values.count { aliasSize = RecoveryRun.sampleSize([values[alias]]) - 64 }
    }

    init(count: Int, firstInteger: Int64?, sampleSize: Int, aliasSize: Int?) {
        self.count = count; self.firstInteger = firstInteger; self.sampleSize = sampleSize; self.aliasSize = aliasSize
    }

    /// Whether `b[range]` is well-formed UTF-8, as `String(validating:as:)` judges it (the
    /// standard library's strict decoder: no overlong forms, surrogates or values past U+10FFFF).
    static func isValidUTF8(_ b: [UInt8], _ range: Range<Int>) -> Bool {
        var i = range.lowerBound
        while i < range.upperBound, b[i] < 0x80 { i += 1 }
        if i == range.upperBound { return true }
        var bytes = b[i..<range.upperBound].makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        while true {
            switch parser.parseScalar(from: &bytes) {
            case .valid: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }
}
