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
        if let name = pendingSection {
            let bytes = Array(name.utf8)
            sha.update(data: Array("S\(bytes.count):".utf8) + bytes)
            pendingSection = nil
            closeSection()
            sectionSha = (name, SHA256())
        }
        sha.update(data: record)
        sectionSha?.sha.update(data: record)
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
                out += Array("F\(String(d.bitPattern, radix: 16));".utf8)
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
        var magnitude = value.magnitude
        var digits: [UInt8] = []
        repeat {
            digits.append(UInt8(48 + magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        out.append(contentsOf: digits.reversed())
    }

    /// Hashes rows of `sql` that come ordered by their first `groupWidth` columns (a file key).
    /// Within one group the order of rows is not canonical (it depends on insertion order), so
    /// each group's records are sorted by their encoded bytes before hashing. `record` maps a
    /// row to the values to hash (default: every column).
    mutating func addGroupedRows(_ db: Database, sql: String, groupWidth: Int) throws {
        var currentGroup: [DatabaseValue]? = nil
        var records: [RowHash] = []
        // Reused per row: the digest walks every row of the case.
        var values: [DatabaseValue] = []
        var encoded: [UInt8] = []
        let rows = try Row.fetchCursor(db, sql: sql)
        while let row = try rows.next() {
            values.removeAll(keepingCapacity: true)
            // By index: `row.databaseValues` walks (name, value) pairs and makes each column's
            // name String, which was most of the digest's cost on a million-message case.
            for i in 0..<row.count { values.append(try row.decode(DatabaseValue.self, atIndex: i)) }
            let width = min(groupWidth, values.count)
            if currentGroup.map({ $0.count != width || !$0.elementsEqual(values[..<width]) }) ?? true {
                flush(&records)
                currentGroup = Array(values[..<width])
            }
            Self.encode(values, into: &encoded)
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
        for r in records { add(record: r.record) }
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
        var out: [UInt8] = [UInt8(ascii: "H")]
        out.reserveCapacity(33)
        for w in [w0, w1, w2, w3] { for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: w >> UInt64(shift))) } }
        return out
    }
}
