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
        let statement = try db.makeStatement(sql: sql)
        let sqlite = statement.sqliteStatement
        let count = statement.columnCount
        let width = min(groupWidth, count)
        // The first row's key columns of the current group, and the candidate row's.
        var group = [DigestKeyCell](repeating: DigestKeyCell(), count: width)
        var candidate = group
        var haveGroup = false
        var records: [RowHash] = []
        // Reused per row.
        var encoded: [UInt8] = []
        var repair: [UInt8] = []
        let rows = try Row.fetchCursor(statement)
        while try rows.next() != nil {
            encoded.removeAll(keepingCapacity: true)
            encoded.append(UInt8(ascii: "R"))
            Self.appendDecimal(Int64(count), to: &encoded)
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
                flush(&records)
                swap(&group, &candidate)
                haveGroup = true
            }
            records.append(RowHash(encoded))
        }
        flush(&records)
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
