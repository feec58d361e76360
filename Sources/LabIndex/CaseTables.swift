import EvidenceStore
import Foundation

/// A lab table and the case table its rows come from. The case's SQL is the store's
/// (EvidenceStore's ``LabExportTable``): this names the lab's columns, their PostgreSQL kinds and
/// the lab-side shaping. Rows are read in pages by the case row's own id (keyset), so memory stays
/// bounded by the page, whatever the size of the case.
struct CaseTable: Sendable {
    /// A column's PostgreSQL kind: what a SQLite value must be to be copied as is.
    enum Kind: Sendable { case int, text }
    /// The lab table.
    var name: String
    /// Columns after `case_id`, in the order the store's query returns them.
    var columns: [(name: String, kind: Kind)]
    /// The case table read.
    var source: LabExportTable
    /// A row-shaping step for tables with derived columns (PDQ); nil copies the read values.
    var shape: (@Sendable ([String?]) -> [String?]?)?

    /// SQLite tables the read needs; a case without them publishes no rows here.
    var requires: [String] { source.requires }
}

extension CaseTable {
    private static func cols(_ spec: String) -> [(name: String, kind: Kind)] {
        spec.split(separator: " ").map { part in part.hasSuffix(":i") ? (String(part.dropLast(2)), .int) : (String(part), .text) }
    }

    /// Every table a case publishes, in publish order.
    static let all: [CaseTable] = [
        CaseTable(name: "lab_evidence",
                  columns: cols("evidence_id:i label item description path kind size:i sha256 md5 sha1 format status complete:i added_utc"),
                  source: .evidence),
        CaseTable(name: "lab_files",
                  columns: cols("file_id:i evidence_id:i entry_key path name kind size:i md5 sha1 sha256 mime status device_path modified_utc modified_utc_us:i modified_basis"),
                  source: .files),
        CaseTable(name: "lab_pdq",
                  columns: cols("media_hash_id:i file_id:i algorithm hash_hex hash quality:i frame_index:i frame_time_us:i variants")
                      + (0..<16).map { ("c\($0)", Kind.int) },
                  source: .mediaHashes,
                  shape: { row in
                      // A hash that is not 64 hex digits cannot be indexed: the row is left out (counted).
                      guard let hex = row[3]?.lowercased(), let bits = PDQChunks(hex: hex) else { return nil }
                      // bit(256) as `x` + hex: PostgreSQL's bit input takes it, and parsing 65
                      // characters costs both sides less than 256 binary digits.
                      return [row[0], row[1], row[2], hex, "x" + hex, row[4], row[5], row[6], row[7]] + bits.chunks.map { String($0) }
                  }),
        CaseTable(name: "lab_chats",
                  columns: cols("chat_id:i room_id:i file_id:i platform format native_id title chat_type owner"),
                  source: .chats),
        CaseTable(name: "lab_participants",
                  columns: cols("participant_id:i chat_id:i display_name native_id is_device_owner:i"),
                  source: .participants),
        CaseTable(name: "lab_messages",
                  columns: cols("message_id:i chat_id:i file_id:i sequence:i native_id kind sender sender_native_id from_device_owner:i sent_utc sent_utc_us:i sent_raw sent_basis text deleted:i"),
                  source: .messages),
        CaseTable(name: "lab_attachments",
                  columns: cols("attachment_id:i message_id:i ordinal:i kind reference resolved_path status linked_file_id:i sha256 file_name mime_type"),
                  source: .attachments),
        CaseTable(name: "lab_known_matches",
                  columns: cols("match_id:i file_id:i hashset hashset_kind category algorithm distance:i variant matched_hash label media_id"),
                  source: .knownMatches),
    ]
}

/// A PDQ hash as the lab stores it: 256 `0`/`1` characters (PostgreSQL `bit(256)`) and sixteen
/// 16-bit chunks, chunk 0 being the first four hex digits (the in-case matcher's `PDQBits.chunk`).
public struct PDQChunks: Sendable, Hashable {
    /// The chunks, most significant first.
    public var chunks: [Int]
    /// Parses 64 hex digits; nil for anything else.
    public init?(hex: String) {
        let u = Array(hex.utf8)
        guard u.count == 64 else { return nil }
        var nibbles: [Int] = []
        nibbles.reserveCapacity(64)
        for c in u {
            switch c {
            case 48...57: nibbles.append(Int(c) - 48)
            case 97...102: nibbles.append(Int(c) - 87)
            case 65...70: nibbles.append(Int(c) - 55)
            default: return nil
            }
        }
        chunks = (0..<16).map { k in nibbles[4 * k] << 12 | nibbles[4 * k + 1] << 8 | nibbles[4 * k + 2] << 4 | nibbles[4 * k + 3] }
    }
    /// The hash as a `bit(256)` literal body.
    public var bitString: String {
        var s = ""
        s.reserveCapacity(256)
        for c in chunks { for b in stride(from: 15, through: 0, by: -1) { s.append(c >> b & 1 == 1 ? "1" : "0") } }
        return s
    }
    /// Every 16-bit value within `flips` bit flips of `v`, `v` first (the probes of one chunk).
    public static func neighbours(_ v: Int, flips: Int) -> [Int] {
        var out = [v]
        var frontier: [(Int, Int)] = [(v, -1)]
        for _ in 0..<max(0, min(flips, 16)) {
            var next: [(Int, Int)] = []
            for (x, last) in frontier {
                for b in (last + 1)..<16 {
                    let y = x ^ (1 << b)
                    out.append(y); next.append((y, b))
                }
            }
            frontier = next
        }
        return out
    }
}

/// Reads one case database for publishing through the store's ``LabExportReader`` (one
/// read snapshot; the store owns the SQL and the schema's history), mapping its typed errors to
/// the lab's.
final class CaseReader: Sendable {
    let reader: LabExportReader
    var path: String { reader.path }

    /// The case's own row (`cases`).
    struct CaseRow: Sendable {
        var name: String, examiner: String?, assumedZone: String?, createdUTC: String?, toolVersion: String?
    }

    init(path: String) throws {
        do { reader = try LabExportReader(path: path) } catch let e as EvidenceStoreError { throw LabError(e.description) }
    }

    /// The case row; a database without one cannot be published (nothing names the case).
    func caseRow() throws -> CaseRow {
        guard let r = try reader.caseHeader(), let name = r.name, !name.isEmpty else {
            throw LabError("\(path): the case database has no case name (cases table)")
        }
        return CaseRow(name: name, examiner: r.examiner, assumedZone: r.assumedZone, createdUTC: r.createdUTC, toolVersion: r.toolVersion)
    }

    /// Whether the case has every table `table` reads.
    func has(_ table: CaseTable) -> Bool { reader.has(table.source) }

    /// One page of rows after key `after`, and the last key read.
    func page(_ table: CaseTable, after: Int64, limit: Int) throws -> (rows: [[CaseValue]], last: Int64?) {
        try reader.page(table.source, after: after, limit: limit)
    }
}
