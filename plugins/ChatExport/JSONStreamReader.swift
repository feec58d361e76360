import Foundation
import ExhibitKit
#if canImport(Glibc)
import Glibc
#endif

/// A small JSON value for one record (one message), keeping numbers as their text and object
/// keys in file order, so nothing is rounded or reordered before it becomes a finding.
indirect enum JValue: Equatable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JValue])
    case object([(String, JValue)])

    static func == (a: JValue, b: JValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.number(x), .number(y)), let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)): return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    subscript(key: String) -> JValue? {
        if case .object(let pairs) = self { return pairs.first { $0.0 == key }?.1 }
        return nil
    }
    var string: String? { if case .string(let s) = self { return s }; return nil }
    /// A string, or a number's text (ids are numbers in some exports, strings in others).
    var text: String? {
        switch self { case .string(let s): return s; case .number(let n): return n; default: return nil }
    }
    var int: Int? {
        switch self {
        case .number(let n): return Int(n) ?? Double(n).flatMap { $0.isFinite && abs($0) < 9e15 ? Int($0) : nil }
        case .string(let s): return Int(s)
        default: return nil
        }
    }
    var int64: Int64? { int.map(Int64.init) }
    var double: Double? {
        switch self { case .number(let n): return Double(n); case .string(let s): return Double(s); default: return nil }
    }
    var bool: Bool? { if case .bool(let b) = self { return b }; return nil }
    var array: [JValue]? { if case .array(let a) = self { return a }; return nil }
    var isNull: Bool { if case .null = self { return true }; return false }

    /// The value as ExhibitKit's canonical ``JSONValue`` (numbers become doubles there).
    var jsonValue: JSONValue {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .number(let n): return Double(n).map { .number($0) } ?? .string(n)
        case .string(let s): return .string(s)
        case .array(let a): return .array(a.map(\.jsonValue))
        case .object(let o): return .object(Dictionary(o.map { ($0.0, $0.1.jsonValue) }, uniquingKeysWith: { a, _ in a }))
        }
    }
}

/// Why a JSON stream stopped.
enum JSONStreamError: Error {
    /// The bytes ended inside a value.
    case truncated(offset: Int64)
    /// A byte that cannot start or continue a value.
    case unexpected(byte: UInt8, offset: Int64)
    /// Nesting deeper than the reader allows.
    case tooDeep(offset: Int64)
    /// The underlying read failed.
    case io(String)

    var offset: Int64? {
        switch self {
        case .truncated(let o), .unexpected(_, let o), .tooDeep(let o): return o
        case .io: return nil
        }
    }
}

/// Pulls bytes from an evidence file in bounded chunks (memory slices or `read(2)` on the spooled
/// file). Owns the file descriptor it opens.
final class PullSource {
    private let data: Data?
    private var dataPos: Int
    private let fd: Int32

    init(file: EvidenceFile) throws {
        switch file.content {
        case .memory(let d): data = d; dataPos = d.startIndex; fd = -1
        case .temporaryFile(let url):
            data = nil; dataPos = 0
            fd = open(url.path, O_RDONLY)
            guard fd >= 0 else { throw EvidenceFileError.io(path: file.virtualPath, message: "cannot open spooled content") }
        case .none: throw EvidenceFileError.noContent(path: file.virtualPath)
        }
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Reads up to `into.count` bytes; 0 means the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if let data {
            let n = min(buffer.count, data.endIndex - dataPos)
            guard n > 0, let base = buffer.baseAddress else { return 0 }
            data.copyBytes(to: base.assumingMemoryBound(to: UInt8.self), from: dataPos..<(dataPos + n))
            dataPos += n
            return n
        }
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno != EINTR { throw JSONStreamError.io("read failed (errno \(errno))") }
        }
    }
}

/// A pull-style streaming JSON reader: walk containers key by key and element by element, and
/// materialise only the values you ask for. Memory: one chunk plus the value being read.
///
/// Lenient where Telegram Desktop is wrong: `\xNN` escapes (invalid JSON that tdesktop writes for
/// control characters) are read as U+00NN and counted in ``escapeRepairs``, instead of failing.
final class JSONStreamReader {
    private let source: PullSource
    private var buf: [UInt8]
    private var pos = 0
    private var end = 0
    private var base: Int64 = 0
    private var eof = false
    private var scratch: [UInt8] = []

    /// Nesting allowed inside one materialised value.
    var maxDepth = 64
    /// Longest string kept; the rest of a longer one is skipped and counted.
    var maxStringBytes = 64 << 20
    private(set) var escapeRepairs = 0
    private(set) var truncatedStrings = 0

    init(source: PullSource, chunkSize: Int = 1 << 20) {
        self.source = source
        buf = [UInt8](repeating: 0, count: chunkSize)
    }

    /// Byte offset of the next unread byte.
    var offset: Int64 { base + Int64(pos) }

    @inline(__always)
    private func fill() throws -> Bool {
        if pos < end { return true }
        if eof { return false }
        base += Int64(end)
        pos = 0
        end = try buf.withUnsafeMutableBytes { try source.read(into: $0) }
        if end == 0 { eof = true; return false }
        return true
    }

    @inline(__always)
    private func peekRaw() throws -> UInt8? { try fill() ? buf[pos] : nil }

    /// Skips whitespace (and a UTF-8 BOM) and returns the next byte without consuming it.
    func peek() throws -> UInt8? {
        while let b = try peekRaw() {
            if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { pos += 1; continue }
            if b == 0xEF, offset == 0 { pos += 1; _ = try fill(); if pos < end, buf[pos] == 0xBB { pos += 1 }; _ = try fill(); if pos < end, buf[pos] == 0xBF { pos += 1 }; continue }
            return b
        }
        return nil
    }

    private func next() throws -> UInt8 {
        guard let b = try peekRaw() else { throw JSONStreamError.truncated(offset: offset) }
        pos += 1
        return b
    }

    func expect(_ b: UInt8) throws {
        guard let c = try peek() else { throw JSONStreamError.truncated(offset: offset) }
        guard c == b else { throw JSONStreamError.unexpected(byte: c, offset: offset) }
        pos += 1
    }

    // MARK: walking containers

    /// Consumes `{`. Follow with ``nextKey(first:)`` until it returns nil.
    func beginObject() throws { try expect(0x7B) }

    /// The next key of the current object (consuming `,` and `:`), or nil at `}`.
    func nextKey(first: inout Bool) throws -> String? {
        guard let b = try peek() else { throw JSONStreamError.truncated(offset: offset) }
        if b == 0x7D { pos += 1; return nil }
        if !first {
            guard b == 0x2C else { throw JSONStreamError.unexpected(byte: b, offset: offset) }
            pos += 1
        }
        first = false
        let key = try readString()
        try expect(0x3A)
        return key
    }

    func beginArray() throws { try expect(0x5B) }

    /// Whether another element follows in the current array (consuming `,`), false at `]`.
    func nextElement(first: inout Bool) throws -> Bool {
        guard let b = try peek() else { throw JSONStreamError.truncated(offset: offset) }
        if b == 0x5D { pos += 1; return false }
        if !first {
            guard b == 0x2C else { throw JSONStreamError.unexpected(byte: b, offset: offset) }
            pos += 1
        }
        first = false
        return true
    }

    // MARK: values

    func readValue(depth: Int = 0) throws -> JValue {
        guard let b = try peek() else { throw JSONStreamError.truncated(offset: offset) }
        switch b {
        case 0x22: return .string(try readString())
        case 0x7B:
            guard depth < maxDepth else { throw JSONStreamError.tooDeep(offset: offset) }
            pos += 1
            var pairs: [(String, JValue)] = []
            var first = true
            while let key = try nextKey(first: &first) { pairs.append((key, try readValue(depth: depth + 1))) }
            return .object(pairs)
        case 0x5B:
            guard depth < maxDepth else { throw JSONStreamError.tooDeep(offset: offset) }
            pos += 1
            var items: [JValue] = []
            var first = true
            while try nextElement(first: &first) { items.append(try readValue(depth: depth + 1)) }
            return .array(items)
        case 0x74: try literal("true"); return .bool(true)
        case 0x66: try literal("false"); return .bool(false)
        case 0x6E: try literal("null"); return .null
        case 0x2D, 0x30...0x39: return .number(try readNumber())
        default: throw JSONStreamError.unexpected(byte: b, offset: offset)
        }
    }

    /// Skips one value of any size without building it (iteratively: depth costs no stack).
    func skipValue(maxNesting: Int = 100_000) throws {
        guard let b = try peek() else { throw JSONStreamError.truncated(offset: offset) }
        if b != 0x7B && b != 0x5B { _ = try readValue(); return }
        var depth = 0
        repeat {
            let c = try next()
            switch c {
            case 0x7B, 0x5B:
                depth += 1
                if depth > maxNesting { throw JSONStreamError.tooDeep(offset: offset) }
            case 0x7D, 0x5D: depth -= 1
            case 0x22: pos -= 1; try skipString()
            default: break
            }
        } while depth > 0
    }

    private func literal(_ word: StaticString) throws {
        let bytes = UnsafeRawBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        for expected in bytes {
            let b = try next()
            guard b == expected else { throw JSONStreamError.unexpected(byte: b, offset: offset - 1) }
        }
    }

    private func readNumber() throws -> String {
        scratch.removeAll(keepingCapacity: true)
        while let b = try peekRaw(), (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x2B || b == 0x2E || b == 0x65 || b == 0x45 {
            scratch.append(b); pos += 1
            if scratch.count > 512 { throw JSONStreamError.unexpected(byte: b, offset: offset) }
        }
        return String(decoding: scratch, as: UTF8.self)
    }

    private func skipString() throws {
        _ = try readString(keep: false)
    }

    /// Reads a string value, decoding escapes (and repairing tdesktop's `\xNN`).
    func readString(keep: Bool = true) throws -> String {
        try expect(0x22)
        scratch.removeAll(keepingCapacity: true)
        var dropped = false
        while true {
            guard try fill() else { throw JSONStreamError.truncated(offset: offset) }
            // Fast path: copy a run of plain bytes.
            var k = pos
            while k < end, buf[k] != 0x22, buf[k] != 0x5C { k += 1 }
            if k > pos {
                if keep {
                    let room = maxStringBytes - scratch.count
                    if k - pos <= room { scratch.append(contentsOf: buf[pos..<k]) } else {
                        if room > 0 { scratch.append(contentsOf: buf[pos..<(pos + room)]) }
                        dropped = true
                    }
                }
                pos = k
            }
            guard k < end else { continue }
            let b = buf[pos]
            pos += 1
            if b == 0x22 { break }
            let e = try next()
            switch e {
            case 0x22, 0x5C, 0x2F: scratch.append(e)
            case 0x62: scratch.append(0x08)
            case 0x66: scratch.append(0x0C)
            case 0x6E: scratch.append(0x0A)
            case 0x72: scratch.append(0x0D)
            case 0x74: scratch.append(0x09)
            case 0x75:
                var u = try hex(4)
                if u >= 0xD800 && u < 0xDC00 {
                    // A surrogate pair: the low half must follow as \uDC00–\uDFFF.
                    if try peekRaw() == 0x5C {
                        pos += 1
                        if try next() == 0x75 {
                            let low = try hex(4)
                            if low >= 0xDC00 && low < 0xE000 { u = 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00) } else { u = 0xFFFD }
                        } else { u = 0xFFFD }
                    } else { u = 0xFFFD }
                } else if u >= 0xDC00 && u < 0xE000 { u = 0xFFFD }
                appendScalar(u)
            case 0x78:  // \xNN: tdesktop's invalid escape for control characters.
                escapeRepairs += 1
                appendScalar(try hex(2))
            default:
                // Unknown escape: keep the character, as lenient readers do.
                scratch.append(e)
            }
        }
        if dropped { truncatedStrings += 1 }
        return keep ? String(decoding: scratch, as: UTF8.self) : ""
    }

    private func hex(_ count: Int) throws -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<count {
            let b = try next()
            let d: UInt32
            switch b {
            case 0x30...0x39: d = UInt32(b - 0x30)
            case 0x41...0x46: d = UInt32(b - 0x41 + 10)
            case 0x61...0x66: d = UInt32(b - 0x61 + 10)
            default: throw JSONStreamError.unexpected(byte: b, offset: offset - 1)
            }
            v = v << 4 | d
        }
        return v
    }

    private func appendScalar(_ u: UInt32) {
        let scalar = Unicode.Scalar(u) ?? "\u{FFFD}"
        var tmp = [UInt8]()
        UTF8.encode(scalar) { tmp.append($0) }
        scratch.append(contentsOf: tmp)
    }
}
