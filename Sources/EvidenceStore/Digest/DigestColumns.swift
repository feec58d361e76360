import GRDB
internal import GRDBSQLite

/// One column of the current row of a stepped statement, as the digest encodes it, read in place:
/// text and blob bytes are SQLite's own buffer (valid until the next step), never copied into a
/// Swift `String` or `Data`.
///
/// Why: the digest walks every row of the case, and decoding each column into a
/// `DatabaseValue` (a `String` or `Data` per text or blob column) was most of its cost.
/// The value hashed is the same as the decoded one's (`DigestHasher.encode(_:)`): GRDB makes a
/// text column's `String` with `String(cString:)`, which ends at the first NUL byte and replaces
/// ill-formed UTF-8 with U+FFFD, so ``DigestCell/text(_:ascii:)`` holds the bytes up to the first
/// NUL, and a value that is not well-formed UTF-8 is repaired the same way (by that very call).
enum DigestCell {
    case null
    case int(Int64)
    case double(Double)
    case text(UnsafeRawBufferPointer, ascii: Bool)
    case blob(UnsafeRawBufferPointer)

    /// Calls `body` with column `index` of `statement`'s current row. `repair` is scratch for the
    /// rare text that needs `String(cString:)`'s repair; the cell is valid only during `body`.
    static func with<R>(_ statement: SQLiteStatement, _ index: CInt, repair: inout [UInt8],
                        _ body: (DigestCell) throws -> R) rethrows -> R {
        switch sqlite3_column_type(statement, index) {
        case SQLITE_INTEGER:
            return try body(.int(sqlite3_column_int64(statement, index)))
        case SQLITE_FLOAT:
            return try body(.double(sqlite3_column_double(statement, index)))
        case SQLITE_TEXT:
            // `sqlite3_column_text` first, then `_bytes`: the byte count of the text form.
            guard let text = sqlite3_column_text(statement, index) else { return try body(.text(UnsafeRawBufferPointer(start: nil, count: 0), ascii: true)) }
            let count = Int(sqlite3_column_bytes(statement, index))
            let bytes = UnsafeBufferPointer(start: text, count: count)
            let scan = UTF8Scan(bytes)
            if scan.wellFormed {
                return try body(.text(UnsafeRawBufferPointer(start: text, count: scan.length), ascii: scan.ascii))
            }
            // GRDB's decoding, so the repaired bytes are exactly those a decoded value hashes.
            repair.removeAll(keepingCapacity: true)
            repair.append(contentsOf: String(cString: text).utf8)
            return try repair.withUnsafeBytes { try body(.text($0, ascii: false)) }
        case SQLITE_BLOB:
            let pointer = sqlite3_column_blob(statement, index)
            let count = pointer == nil ? 0 : Int(sqlite3_column_bytes(statement, index))
            return try body(.blob(UnsafeRawBufferPointer(start: pointer, count: count)))
        default:
            return try body(.null)
        }
    }

    /// Appends the cell's encoding (`N`, `I<decimal>;`, `F<hex bits>;`, `T<len>:<UTF-8>`,
    /// `B<len>:<bytes>`), the same bytes ``DigestHasher/encode(_:into:)`` writes for its value.
    func encode(into out: inout [UInt8]) {
        switch self {
        case .null:
            out.append(UInt8(ascii: "N"))
        case .int(let i):
            out.append(UInt8(ascii: "I"))
            DigestHasher.appendDecimal(i, to: &out)
            out.append(UInt8(ascii: ";"))
        case .double(let d):
            out.append(UInt8(ascii: "F"))
            DigestHasher.appendHex(d.bitPattern, to: &out)
            out.append(UInt8(ascii: ";"))
        case .text(let bytes, _):
            out.append(UInt8(ascii: "T"))
            DigestHasher.appendDecimal(Int64(bytes.count), to: &out)
            out.append(UInt8(ascii: ":"))
            out.append(contentsOf: bytes)
        case .blob(let bytes):
            out.append(UInt8(ascii: "B"))
            DigestHasher.appendDecimal(Int64(bytes.count), to: &out)
            out.append(UInt8(ascii: ":"))
            out.append(contentsOf: bytes)
        }
    }
}

/// A group-key column kept between rows, compared with the next row's cell the way
/// `DatabaseValue`'s `==` compares them (integers and reals by value, text by Swift `String`
/// equality, i.e. canonical equivalence), so groups split exactly where they did when the digest
/// decoded every column.
struct DigestKeyCell {
    private enum Kind { case null, int, double, text, blob }
    private var kind: Kind = .null
    private var int: Int64 = 0
    private var double: Double = 0
    private var ascii = true
    private var bytes: [UInt8] = []

    /// Keeps a copy of `cell` (its bytes copied: the cell's buffer dies at the next step).
    mutating func set(_ cell: DigestCell) {
        bytes.removeAll(keepingCapacity: true)
        switch cell {
        case .null: kind = .null
        case .int(let i): kind = .int; int = i
        case .double(let d): kind = .double; double = d
        case .text(let b, let isASCII): kind = .text; ascii = isASCII; bytes.append(contentsOf: b)
        case .blob(let b): kind = .blob; bytes.append(contentsOf: b)
        }
    }

    /// Whether `cell` equals the kept value as `DatabaseValue`s would.
    func matches(_ cell: DigestCell) -> Bool {
        switch (kind, cell) {
        case (.null, .null): return true
        case (.int, .int(let i)): return int == i
        case (.double, .double(let d)): return double == d
        case (.int, .double(let d)): return Int64(exactly: d) == int
        case (.double, .int(let i)): return i == Int64(exactly: double)
        case (.blob, .blob(let b)): return bytes.elementsEqual(b)
        case (.text, .text(let b, let isASCII)):
            if bytes.elementsEqual(b) { return true }
            // Two ASCII strings are equal only byte for byte; otherwise Swift's canonical equivalence.
            if ascii && isASCII { return false }
            return String(decoding: bytes, as: UTF8.self) == String(decoding: b, as: UTF8.self)
        default: return false
        }
    }
}

/// Where a SQLite text value ends (its first NUL byte, as `String(cString:)` reads it), and whether
/// the bytes before it are well-formed UTF-8 (Unicode table 3-7) and all ASCII.
struct UTF8Scan {
    let length: Int
    let wellFormed: Bool
    let ascii: Bool

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else {
            (length, wellFormed, ascii) = (0, true, true)
            return
        }
        let n = bytes.count
        var i = 0
        var ascii = true
        // Eight ASCII, non-NUL bytes at a time.
        let raw = UnsafeRawPointer(base)
        while i + 8 <= n {
            let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let hasZero = (w &- 0x0101_0101_0101_0101) & ~w & 0x8080_8080_8080_8080
            if w & 0x8080_8080_8080_8080 != 0 || hasZero != 0 { break }
            i += 8
        }
        func cont(_ j: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool {
            j < n && base[j] >= lo && base[j] <= hi
        }
        while i < n {
            let b = base[i]
            if b == 0 { break }
            if b < 0x80 { i += 1; continue }
            ascii = false
            let ok: Bool
            let width: Int
            switch b {
            case 0xC2...0xDF: width = 2; ok = cont(i + 1)
            case 0xE0: width = 3; ok = cont(i + 1, 0xA0) && cont(i + 2)
            case 0xE1...0xEC, 0xEE...0xEF: width = 3; ok = cont(i + 1) && cont(i + 2)
            case 0xED: width = 3; ok = cont(i + 1, 0x80, 0x9F) && cont(i + 2)
            case 0xF0: width = 4; ok = cont(i + 1, 0x90) && cont(i + 2) && cont(i + 3)
            case 0xF1...0xF3: width = 4; ok = cont(i + 1) && cont(i + 2) && cont(i + 3)
            case 0xF4: width = 4; ok = cont(i + 1, 0x80, 0x8F) && cont(i + 2) && cont(i + 3)
            default: width = 1; ok = false
            }
            guard ok else {
                (length, wellFormed, self.ascii) = (i, false, false)
                return
            }
            i += width
        }
        (length, wellFormed, self.ascii) = (i, true, ascii)
    }
}
