import Crypto
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
        if let open = sectionSha { sectionDigests[open.name] = AuditChain.hex(open.sha.finalize()) }
        sectionSha = nil
    }

    /// The final digest and, for every section that held records, the SHA-256 of its records
    /// alone (lower-case hex). The overall digest is the same as ``finish()``'s.
    consuming func finishWithSections() -> (digest: String, sections: [String: String]) {
        closeSection()
        return (AuditChain.hex(sha.finalize()), sectionDigests)
    }

    /// The final digest as lower-case hex.
    consuming func finish() -> String {
        AuditChain.hex(sha.finalize())
    }

    /// Encodes one record's values (see the type's comment). Hand-rolled rather than with
    /// string interpolation: the digest walks every row of the case.
    static func encode(_ values: [DatabaseValue]) -> [UInt8] {
        var out: [UInt8] = []
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
        return out
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
        var records: [[UInt8]] = []
        let rows = try Row.fetchCursor(db, sql: sql)
        while let row = try rows.next() {
            let values = Array(row.databaseValues)
            let group = Array(values.prefix(groupWidth))
            if group != currentGroup {
                flush(&records)
                currentGroup = group
            }
            records.append(Self.encode(values))
        }
        flush(&records)
    }

    /// Hashes a group's records in canonical (byte) order and empties it.
    mutating func flush(_ records: inout [[UInt8]]) {
        guard !records.isEmpty else { return }
        if records.count > 1 { records.sort { $0.lexicographicallyPrecedes($1) } }
        for r in records { add(record: r) }
        records.removeAll(keepingCapacity: true)
    }
}
