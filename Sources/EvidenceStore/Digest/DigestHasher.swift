import Crypto
import ExhibitSupport
import Foundation
import GRDB

/// Feeds records into one SHA-256 with an unambiguous encoding, so that no two different
/// sequences of records can produce the same byte stream.
///
/// Encoding (documented in docs/schema.md): a section header `S<len>:<name>` is written before
/// the section's first record (an empty section contributes nothing, so adding a table to a
/// later build leaves the digest of a database without such findings unchanged). A record is
/// `R<count>:` followed by its values: `N` (NULL), `I<decimal>;` (integer), `F<hex bits>;`
/// (real), `T<byte length>:<UTF-8>` (text), `B<byte length>:<bytes>` (blob).
struct DigestHasher {
    private var sha = SHA256()
    private var pendingSection: String?
    /// The SHA-256 of the records of the section being written (no header), so `exhibit verify`
    /// can name which part of the findings changed; see ``finishWithSections()``.
    private var sectionSha: (name: String, sha: SHA256)?
    private var sectionDigests: [String: String] = [:]

    /// Starts a section; its header is written only if a record follows.
    mutating func beginSection(_ name: String) {
        pendingSection = name
    }

    /// Adds one already-encoded record to the current section.
    mutating func add(record: [UInt8]) {
        record.withUnsafeBytes { add(record: $0) }
    }

    /// ``add(record:)`` from bytes the caller owns.
    mutating func add(record: UnsafeRawBufferPointer) {
        if let name = pendingSection {
            let bytes = Array(name.utf8)
            sha.update(data: Array("S\(bytes.count):".utf8) + bytes)
            pendingSection = nil
            closeSection()
            sectionSha = (name, SHA256())
        }
        sha.update(bufferPointer: record)
        sectionSha?.sha.update(bufferPointer: record)
    }

    private mutating func closeSection() {
        if let open = sectionSha { sectionDigests[open.name] = Hex.encode(open.sha.finalize()) }
        sectionSha = nil
    }

    /// The final digest and, for every section that held records, the SHA-256 of its records
    /// alone (lower-case hex). The overall digest is the same as ``finish()``'s.
    consuming func finishWithSections() -> (digest: String, sections: [String: String]) {
        closeSection()
        return (Hex.encode(sha.finalize()), sectionDigests)
    }

    /// The final digest as lower-case hex.
    consuming func finish() -> String {
        Hex.encode(sha.finalize())
    }

    /// Encodes one record's values (see the type's comment). Hand-rolled rather than with
    /// string interpolation: the digest walks every row of the case.
    static func encode(_ values: [DatabaseValue]) -> [UInt8] {
        var out: [UInt8] = []
        encode(values, into: &out)
        return out
    }

    /// ``encode(_:)`` into a buffer the caller reuses (emptied first).
    static func encode(_ values: [DatabaseValue], into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        out.reserveCapacity(64 * values.count)
        out.append(UInt8(ascii: "R"))
        appendDecimal(Int64(values.count), to: &out)
        out.append(UInt8(ascii: ":"))
        for value in values {
            switch value.storage {
            case .null:
                out.append(UInt8(ascii: "N"))
            case .int64(let i):
                out.append(UInt8(ascii: "I"))
                appendDecimal(i, to: &out)
                out.append(UInt8(ascii: ";"))
            case .double(let d):
                out.append(UInt8(ascii: "F"))
                appendHex(d.bitPattern, to: &out)
                out.append(UInt8(ascii: ";"))
            case .string(let s):
                out.append(UInt8(ascii: "T"))
                appendDecimal(Int64(s.utf8.count), to: &out)
                out.append(UInt8(ascii: ":"))
                out.append(contentsOf: s.utf8)
            case .blob(let data):
                out.append(UInt8(ascii: "B"))
                appendDecimal(Int64(data.count), to: &out)
                out.append(UInt8(ascii: ":"))
                out.append(contentsOf: data)
            }
        }
    }

    /// Appends the decimal digits of `value` (with `-` when negative).
    static func appendDecimal(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        let magnitude = value.magnitude
        var divisor: UInt64 = 1
        while divisor <= magnitude / 10 { divisor *= 10 }
        var rest = magnitude
        repeat {
            out.append(UInt8(48 + rest / divisor))
            rest %= divisor
            divisor /= 10
        } while divisor > 0
    }

    /// Appends `value` in lower-case hexadecimal without leading zeros (`String(value, radix: 16)`).
    static func appendHex(_ value: UInt64, to out: inout [UInt8]) {
        var shift = 60
        while shift > 0 && (value >> UInt64(shift)) & 0xF == 0 { shift -= 4 }
        while shift >= 0 {
            let digit = UInt8((value >> UInt64(shift)) & 0xF)
            out.append(digit < 10 ? 48 + digit : 87 + digit)
            shift -= 4
        }
    }

    /// Hashes rows of `sql` that come ordered by their first `groupWidth` columns (a file key).
    /// Within one group the order of rows is not canonical (it depends on insertion order), so
    /// each group's records are sorted by their encoded bytes before hashing. Every column is
    /// hashed, read in place from SQLite's row buffer (``DigestCell``): the digest walks every row
    /// of the case, and a `String`/`Data` per column was most of its cost.
    mutating func addGroupedRows(_ db: Database, sql: String, groupWidth: Int) throws {
        var rows = GroupedRows(groupWidth: groupWidth)
        try rows.consume(db.makeStatement(sql: sql), into: &self)
        rows.finish(into: &self)
    }

    /// ``addGroupedRows(_:sql:groupWidth:)`` for a table read one file at a time: `filesSQL`
    /// returns the ids of the files that hold rows, in the canonical order of the group key
    /// (`ORDER BY e.label, f.sort_key`), and `sql` returns one file's rows (its one argument is
    /// the file id) with the same columns, in the order the one-statement form would have given
    /// within that file. The records hashed are the same; what changes is that SQLite sorts the
    /// short list of file ids instead of every row with every column (which spilled to its temp
    /// files: 9 % of a phone-database ingest's CPU), and reads each file's rows through an index.
    /// Rows without a file (their key is NULL, which sorts first) come from `unfiledSQL`.
    mutating func addGroupedRows(_ db: Database, unfiledSQL: String?, filesSQL: String, sql: String,
                                 groupWidth: Int) throws {
        var rows = GroupedRows(groupWidth: groupWidth)
        if let unfiledSQL { try rows.consume(db.makeStatement(sql: unfiledSQL), into: &self) }
        let files = try Int64.fetchAll(db, sql: filesSQL)
        if !files.isEmpty {
            let statement = try db.makeStatement(sql: sql)
            for file in files { try rows.consume(statement, arguments: [file], into: &self) }
        }
        rows.finish(into: &self)
    }

    /// Hashes a group's records in canonical order and empties it: each record stands in the
    /// digest as `H` and its own SHA-256, the group's in byte order of those hashes. Holding 32
    /// bytes per row rather than the row keeps memory flat for a million-message database.
    mutating func flush(_ records: inout [RowHash]) {
        guard !records.isEmpty else { return }
        if records.count > 1 { records.sort() }
        for r in records { r.withRecord { add(record: $0) } }
        records.removeAll(keepingCapacity: true)
    }
}

/// One encoded record's SHA-256, ordered by its bytes (four big-endian words).
struct RowHash: Comparable {
    let w0, w1, w2, w3: UInt64

    init(_ encoded: [UInt8]) {
        var w: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        SHA256.hash(data: encoded).withUnsafeBytes { d in
            func word(_ i: Int) -> UInt64 {
                var x: UInt64 = 0
                for j in i * 8..<i * 8 + 8 { x = x << 8 | UInt64(d[j]) }
                return x
            }
            w = (word(0), word(1), word(2), word(3))
        }
        (w0, w1, w2, w3) = w
    }

    static func < (a: RowHash, b: RowHash) -> Bool { (a.w0, a.w1, a.w2, a.w3) < (b.w0, b.w1, b.w2, b.w3) }

    /// `H` and the 32 hash bytes.
    var record: [UInt8] {
        withRecord { Array($0) }
    }

    /// Calls `body` with ``record``'s 33 bytes, without an array.
    func withRecord<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        // Five words: `H` in the first word's last byte, then the hash's four words big-endian.
        var words: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, w0.bigEndian, w1.bigEndian, w2.bigEndian, w3.bigEndian)
        return try withUnsafeMutableBytes(of: &words) { raw in
            raw[7] = UInt8(ascii: "H")
            return try body(UnsafeRawBufferPointer(rebasing: raw[7..<40]))
        }
    }
}

/// The state of one grouped scan (``DigestHasher/addGroupedRows(_:sql:groupWidth:)``): the
/// current group's key, its records' hashes, and buffers reused per row. A scan may be fed by
/// several statements in turn (one per file); groups continue across them.
private struct GroupedRows {
    let groupWidth: Int
    /// The first row's key columns of the current group, and the candidate row's.
    private var group: [DigestKeyCell] = []
    private var candidate: [DigestKeyCell] = []
    private var haveGroup = false
    private var records: [RowHash] = []
    private var encoded: [UInt8] = []
    private var repair: [UInt8] = []

    init(groupWidth: Int) { self.groupWidth = groupWidth }

    /// Encodes and hashes every row `statement` returns with `arguments`.
    mutating func consume(_ statement: Statement, arguments: StatementArguments? = nil,
                          into hasher: inout DigestHasher) throws {
        let sqlite = statement.sqliteStatement
        let count = statement.columnCount
        let width = min(groupWidth, count)
        if group.count != width {
            group = [DigestKeyCell](repeating: DigestKeyCell(), count: width)
            candidate = group
        }
        let rows = try Row.fetchCursor(statement, arguments: arguments)
        while try rows.next() != nil {
            encoded.removeAll(keepingCapacity: true)
            encoded.append(UInt8(ascii: "R"))
            DigestHasher.appendDecimal(Int64(count), to: &encoded)
            encoded.append(UInt8(ascii: ":"))
            var sameGroup = haveGroup
            for i in 0..<count {
                DigestCell.with(sqlite, CInt(i), repair: &repair) { cell in
                    cell.encode(into: &encoded)
                    if i < width {
                        if sameGroup && !group[i].matches(cell) { sameGroup = false }
                        candidate[i].set(cell)
                    }
                }
            }
            if !sameGroup {
                hasher.flush(&records)
                swap(&group, &candidate)
                haveGroup = true
            }
            records.append(RowHash(encoded))
        }
    }

    /// Hashes the last group.
    mutating func finish(into hasher: inout DigestHasher) {
        hasher.flush(&records)
    }
}
