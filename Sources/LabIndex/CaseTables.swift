import Foundation
import GRDB

/// A lab table and how its rows are read from a case database. The first column is the case
/// row's own id: rows are read in pages by that id (keyset), so memory stays bounded by the page,
/// whatever the size of the case.
struct CaseTable: Sendable {
    /// A column's PostgreSQL kind: what a SQLite value must be to be copied as is.
    /// `utf8`: text selected as a blob (`CAST(… AS BLOB)`) and decoded here, because reading it
    /// as text stops at an embedded NUL, which evidence text can hold.
    enum Kind: Sendable { case int, text, utf8 }
    /// The lab table.
    var name: String
    /// Columns after `case_id`, in the order the select returns them.
    var columns: [(name: String, kind: Kind)]
    /// SQLite tables the select needs; a case without them publishes no rows here.
    var requires: [String]
    /// The select; `{key}` is the first column's expression, `{optional:table.column}` a column
    /// that older case databases lack (read as NULL there).
    var select: String
    /// The key expression (`f.id`).
    var key: String
    /// A row-shaping step for tables with derived columns (PDQ); nil copies the select's values.
    var shape: (@Sendable ([String?]) -> [String?]?)?
}

extension CaseTable {
    private static func cols(_ spec: String) -> [(name: String, kind: Kind)] {
        spec.split(separator: " ").map { part in
            part.hasSuffix(":i") ? (String(part.dropLast(2)), .int) : part.hasSuffix(":u") ? (String(part.dropLast(2)), .utf8) : (String(part), .text)
        }
    }

    /// Every table a case publishes, in publish order.
    static let all: [CaseTable] = [
        CaseTable(name: "lab_evidence",
                  columns: cols("evidence_id:i label item description path kind size:i sha256 md5 sha1 format status complete:i added_utc"),
                  requires: ["evidence"],
                  select: "SELECT id, label, item, description, path, kind, size, sha256, md5, sha1, format, status, complete, added_utc FROM evidence",
                  key: "id"),
        CaseTable(name: "lab_files",
                  columns: cols("file_id:i evidence_id:i entry_key path name kind size:i md5 sha1 sha256 mime status device_path modified_utc modified_utc_us:i modified_basis"),
                  requires: ["files", "file_times"],
                  select: """
                    SELECT f.id, f.evidence_id, f.entry_key, f.path, f.name, f.kind, f.size, f.md5, f.sha1, f.sha256, f.mime, f.status,
                           {optional:f.device_path}, t.utc, t.utc_us, t.basis
                    FROM files f LEFT JOIN file_times t ON t.file_id = f.id AND t.kind = 'modified'
                    """,
                  key: "f.id"),
        CaseTable(name: "lab_pdq",
                  columns: cols("media_hash_id:i file_id:i algorithm hash_hex hash quality:i frame_index:i frame_time_us:i variants")
                      + (0..<16).map { ("c\($0)", Kind.int) },
                  requires: ["media_hashes"],
                  select: "SELECT id, file_id, algorithm, hash, quality, frame_index, frame_time_us, variants FROM media_hashes",
                  key: "id",
                  shape: { row in
                      // A hash that is not 64 hex digits cannot be indexed: the row is left out (counted).
                      guard let hex = row[3]?.lowercased(), let bits = PDQChunks(hex: hex) else { return nil }
                      // bit(256) as `x` + hex: PostgreSQL's bit input takes it, and parsing 65
                      // characters costs both sides less than 256 binary digits.
                      return [row[0], row[1], row[2], hex, "x" + hex, row[4], row[5], row[6], row[7]] + bits.chunks.map { String($0) }
                  }),
        CaseTable(name: "lab_chats",
                  columns: cols("chat_id:i room_id:i file_id:i platform format native_id title chat_type owner"),
                  requires: ["chats"],
                  select: "SELECT id, coalesce(copy_of, id), file_id, platform, format, native_id, title, chat_type, {optional:chats.owner} FROM chats",
                  key: "id"),
        CaseTable(name: "lab_participants",
                  columns: cols("participant_id:i chat_id:i display_name native_id is_device_owner:i"),
                  requires: ["participants"],
                  select: "SELECT id, chat_id, display_name, native_id, is_device_owner FROM participants",
                  key: "id"),
        CaseTable(name: "lab_messages",
                  columns: cols("message_id:i chat_id:i file_id:i sequence:i native_id kind sender sender_native_id from_device_owner:i sent_utc sent_utc_us:i sent_raw sent_basis text:u deleted:i"),
                  requires: ["messages"],
                  select: """
                    SELECT id, chat_id, file_id, sequence, native_id, kind, sender_name, sender_native_id, from_device_owner,
                           sent_utc, sent_utc_us, sent_raw, sent_basis, CAST(coalesce(text_nfc, text) AS BLOB), deleted FROM messages
                    """,
                  key: "id"),
        CaseTable(name: "lab_attachments",
                  columns: cols("attachment_id:i message_id:i ordinal:i kind reference resolved_path status linked_file_id:i sha256 file_name mime_type"),
                  requires: ["attachments"],
                  select: "SELECT id, message_id, ordinal, kind, reference, resolved_path, status, linked_file_id, sha256, file_name, mime_type FROM attachments",
                  key: "id"),
        CaseTable(name: "lab_known_matches",
                  columns: cols("match_id:i file_id:i hashset hashset_kind category algorithm distance:i variant matched_hash label media_id"),
                  requires: ["hashset_matches", "hashsets", "hashset_entries"],
                  select: """
                    SELECT m.id, m.file_id, h.name, h.kind, e.category, m.algorithm, m.distance, m.variant, e.hash, e.label, e.media_id
                    FROM hashset_matches m JOIN hashsets h ON h.id = m.hashset_id JOIN hashset_entries e ON e.id = m.entry_id
                    """,
                  key: "m.id"),
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

/// Reads one case database for publishing: read-only, from one snapshot (GRDB's
/// `DatabaseSnapshot` over a WAL database), so that the published rows are one consistent state
/// even while an ingest is writing the case. A database not in WAL mode (a copy made without its
/// journal settings) is read page by page without a snapshot; nothing writes it then.
final class CaseReader: Sendable {
    let reader: any DatabaseReader
    let path: String
    private let tables: Set<String>
    private let columns: [String: Set<String>]

    /// The case's own row (`cases`).
    struct CaseRow: Sendable {
        var name: String, examiner: String?, assumedZone: String?, createdUTC: String?, toolVersion: String?
    }

    init(path: String) throws {
        self.path = path
        guard FileManager.default.fileExists(atPath: path) else { throw LabError("\(path): no such case database") }
        var config = Configuration()
        config.readonly = true
        let queue: DatabaseQueue
        do { queue = try DatabaseQueue(path: path, configuration: config) } catch {
            throw LabError("\(path): cannot open as SQLite: \(error)")
        }
        let (appID, mode): (Int32, String) = (try? queue.read {
            (try Int32.fetchOne($0, sql: "PRAGMA application_id") ?? 0, try String.fetchOne($0, sql: "PRAGMA journal_mode") ?? "")
        }) ?? (0, "")
        guard appID == 0x4558_4842 else { throw LabError("\(path): not an Exhibit case database (application_id \(appID))") }
        if mode.lowercased() == "wal", let snapshot = try? DatabasePool(path: path, configuration: config).makeSnapshot() {
            reader = snapshot
        } else {
            reader = queue
        }
        (tables, columns) = try reader.read { db in
            var tables: Set<String> = []
            var columns: [String: Set<String>] = [:]
            for t in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')") {
                tables.insert(t)
                columns[t] = Set(try Row.fetchAll(db, sql: "PRAGMA table_info(\(t.quotedDatabaseIdentifier))").compactMap { $0["name"] as String? })
            }
            return (tables, columns)
        }
    }

    /// The case row; a database without one cannot be published (nothing names the case).
    func caseRow() throws -> CaseRow {
        guard tables.contains("cases"),
              let r = try reader.read({ try Row.fetchOne($0, sql: "SELECT name, examiner, assumed_zone, created_utc, tool_version FROM cases ORDER BY id LIMIT 1") }),
              let name = r[0] as String?, !name.isEmpty else {
            throw LabError("\(path): the case database has no case name (cases table)")
        }
        return CaseRow(name: name, examiner: r[1], assumedZone: r[2], createdUTC: r[3], toolVersion: r[4])
    }

    /// Whether the case has every table `table` reads.
    func has(_ table: CaseTable) -> Bool { table.requires.allSatisfy(tables.contains) }

    /// The select with optional columns resolved against this database's schema.
    func resolvedSelect(_ table: CaseTable) -> String {
        var sql = table.select
        while let r = sql.range(of: "{optional:") {
            guard let end = sql[r.upperBound...].firstIndex(of: "}") else { break }
            let ref = String(sql[r.upperBound..<end])
            let parts = ref.split(separator: ".").map(String.init)
            let column = parts.last ?? ref
            let owner = parts.count == 2 ? (["f": "files"][parts[0]] ?? parts[0]) : ""
            let present = columns[owner]?.contains(column) ?? false
            sql.replaceSubrange(r.lowerBound...end, with: present ? ref : "NULL")
        }
        return sql
    }

    /// One page of rows after key `after`, and the last key read.
    func page(_ table: CaseTable, sql: String, after: Int64, limit: Int) throws -> (rows: [[DatabaseValue]], last: Int64?) {
        let paged = "\(sql) WHERE \(table.key) > ? ORDER BY \(table.key) LIMIT ?"
        let rows = try reader.read { try Row.fetchAll($0, sql: paged, arguments: [after, limit]) }
        let values = rows.map { r in (0..<r.count).map { r[$0] as DatabaseValue } }
        let last = values.last.flatMap { Int64.fromDatabaseValue($0[0]) }
        return (values, last)
    }
}
