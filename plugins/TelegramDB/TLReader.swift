import ExhibitSupport
import Foundation

/// Why a TL walk stopped. The walk never guesses past such a point: what was read before it is
/// kept, what follows is not read.
enum TLFailure: Error, Hashable {
    /// The blob ended before a field the constructor's field list requires.
    case truncated(field: String)
    /// A constructor id the walker has no field list for, where `field` expected one.
    case unknownConstructor(UInt32, field: String)
    /// A string or vector declares more than the blob holds.
    case lengthPastEnd(field: String)
    /// Objects nested deeper than ``TLReader/maxDepth``.
    case tooDeep(field: String)
    /// A field this version does not walk (its layout is known to vary or is not needed).
    case notDecoded(field: String)

    /// A stable short code for aggregated warnings.
    var code: String {
        switch self {
        case .truncated: return "truncated"
        case .unknownConstructor: return "unknown-constructor"
        case .lengthPastEnd: return "length-past-end"
        case .tooDeep: return "too-deep"
        case .notDecoded: return "not-decoded"
        }
    }

    /// One line for the examiner.
    var text: String {
        switch self {
        case .truncated(let f): return "blob ends inside \(f)"
        case .unknownConstructor(let c, let f): return "unknown constructor \(TLReader.hex(c)) for \(f)"
        case .lengthPastEnd(let f): return "\(f) declares more bytes than the blob holds"
        case .tooDeep(let f): return "\(f) nested too deep"
        case .notDecoded(let f): return "\(f) is not decoded by this version"
        }
    }
}

/// Reads TL primitives (little-endian int32/int64/double, strings, vectors) from one blob, never
/// past its end: every length and vector count is checked against the bytes that remain, so a
/// hostile count costs nothing.
struct TLReader {
    /// The TL vector constructor (`vector#1cb5c415`).
    static let vector: UInt32 = 0x1CB5_C415
    /// Deepest object nesting the walkers accept (the known schema needs fewer than 8).
    static let maxDepth = 16

    let bytes: [UInt8]
    private(set) var pos: Int
    /// Current object nesting, raised by ``nested(_:_:)``.
    private(set) var depth = 0

    init(_ bytes: [UInt8], at pos: Int = 0) { self.bytes = bytes; self.pos = pos }

    var remaining: Int { bytes.count - pos }
    var atEnd: Bool { pos >= bytes.count }

    /// `0x` and eight lower-case hex digits (the form constructor ids are written in).
    static func hex(_ c: UInt32) -> String { Hex.prefixed(UInt64(c), width: 8) }

    mutating func u32(_ field: String) throws(TLFailure) -> UInt32 {
        guard remaining >= 4 else { throw .truncated(field: field) }
        let v = UInt32(bytes[pos]) | UInt32(bytes[pos + 1]) << 8 | UInt32(bytes[pos + 2]) << 16 | UInt32(bytes[pos + 3]) << 24
        pos += 4
        return v
    }

    mutating func i32(_ field: String) throws(TLFailure) -> Int32 { Int32(bitPattern: try u32(field)) }

    mutating func i64(_ field: String) throws(TLFailure) -> Int64 {
        let lo = UInt64(try u32(field)), hi = UInt64(try u32(field))
        return Int64(bitPattern: lo | hi << 32)
    }

    mutating func f64(_ field: String) throws(TLFailure) -> Double {
        let lo = UInt64(try u32(field)), hi = UInt64(try u32(field))
        return Double(bitPattern: lo | hi << 32)
    }

    mutating func skip(_ n: Int, _ field: String) throws(TLFailure) {
        guard n >= 0, remaining >= n else { throw .truncated(field: field) }
        pos += n
    }

    /// TL `bytes`: one length byte (< 254) or 0xFE plus a 3-byte length, the bytes, padding to 4.
    mutating func bytesField(_ field: String) throws(TLFailure) -> ArraySlice<UInt8> {
        guard remaining >= 1 else { throw .truncated(field: field) }
        var n = Int(bytes[pos]), head = 1
        if n == 254 {
            guard remaining >= 4 else { throw .truncated(field: field) }
            n = Int(bytes[pos + 1]) | Int(bytes[pos + 2]) << 8 | Int(bytes[pos + 3]) << 16
            head = 4
        } else if n == 255 {
            throw .lengthPastEnd(field: field)
        }
        let total = (head + n + 3) & ~3
        guard total <= remaining else { throw .lengthPastEnd(field: field) }
        let slice = bytes[(pos + head)..<(pos + head + n)]
        pos += total
        return slice
    }

    /// TL `string`: UTF-8 bytes. Invalid sequences are shown as U+FFFD (``lossy`` says so).
    mutating func string(_ field: String) throws(TLFailure) -> String {
        let raw = try bytesField(field)
        return Self.decode(raw).text
    }

    /// Decodes UTF-8, reporting whether any byte had to be replaced.
    static func decode(_ raw: ArraySlice<UInt8>) -> (text: String, lossy: Bool) {
        if let s = String(validating: raw, as: UTF8.self) { return (s, false) }
        return (String(decoding: raw, as: UTF8.self), true)
    }

    /// A vector header: the constructor and a count, bounded by the bytes left (`minElement` bytes
    /// per element at least), so a declared count of two billion fails at once.
    mutating func vectorCount(_ field: String, minElement: Int = 4) throws(TLFailure) -> Int {
        let c = try u32(field)
        guard c == Self.vector else { throw .unknownConstructor(c, field: field) }
        let n = Int(try i32(field))
        guard n >= 0, n <= remaining / max(minElement, 1) else { throw .lengthPastEnd(field: field) }
        return n
    }

    /// Runs `body` one nesting level deeper; refuses past ``maxDepth``.
    mutating func nested<T>(_ field: String, _ body: (inout TLReader) throws(TLFailure) -> T) throws(TLFailure) -> T {
        guard depth < Self.maxDepth else { throw .tooDeep(field: field) }
        depth += 1
        defer { depth -= 1 }
        return try body(&self)
    }

    /// Reads a vector whose elements `element` reads.
    mutating func vector<T>(_ field: String, minElement: Int = 4,
                            _ element: (inout TLReader) throws(TLFailure) -> T) throws(TLFailure) -> [T] {
        let n = try vectorCount(field, minElement: minElement)
        var out: [T] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try nested(field) { r throws(TLFailure) in try element(&r) }) }
        return out
    }
}

/// A TL `Peer`: whom a message is from or in. Layer ≤ 132 wrote 32-bit ids under other constructors.
enum TLPeer: Hashable {
    case user(Int64), chat(Int64), channel(Int64)

    static func read(_ r: inout TLReader, _ field: String) throws(TLFailure) -> TLPeer {
        let c = try r.u32(field)
        switch c {
        case 0x5951_1722: return .user(try r.i64(field))
        case 0x36C6_019A: return .chat(try r.i64(field))
        case 0xA2A5_371E: return .channel(try r.i64(field))
        case 0x9DB1_BC6D: return .user(Int64(try r.i32(field)))
        case 0xBAD0_E5BB: return .chat(Int64(try r.i32(field)))
        case 0xBDDD_E532: return .channel(Int64(try r.i32(field)))
        default: throw .unknownConstructor(c, field: field)
        }
    }

    /// The bare id, as Telegram Desktop exports write chat ids.
    var id: Int64 {
        switch self { case .user(let i), .chat(let i), .channel(let i): return i }
    }

    /// The id as Telegram Desktop writes `from_id` (`user123`, `chat123`, `channel123`).
    var exportID: String {
        switch self {
        case .user(let i): return "user\(i)"
        case .chat(let i): return "chat\(i)"
        case .channel(let i): return "channel\(i)"
        }
    }
}
