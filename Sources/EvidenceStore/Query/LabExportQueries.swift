import Foundation
import GRDB

/// A value of a case table as the lab export reads it: SQLite's storage classes, unconverted
/// (the lab decides what a column must be). Text the store keeps with an embedded NUL arrives
/// whole as `.text`.
public enum CaseValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case bytes([UInt8])
}

/// The case tables the lab index publishes (`exhibit lab publish`, docs/lab.md), each read in
/// keyset pages of its rows by its first column, the row's own id. The columns each returns, in
/// order, are listed with it; the lab names and types them.
public enum LabExportTable: String, Sendable, CaseIterable {
    /// `evidence`: id, label, item, description, path, kind, size, sha256, md5, sha1, format,
    /// status, complete, added_utc.
    case evidence
    /// `files` with its `modified` time: id, evidence_id, entry_key, path, name, kind, size, md5,
    /// sha1, sha256, mime, status, device_path (NULL before it existed), utc, utc_us, basis.
    case files
    /// `media_hashes`: id, file_id, algorithm, hash, quality, frame_index, frame_time_us, variants.
    case mediaHashes
    /// `chats`: id, room id (`coalesce(copy_of, id)`), file_id, platform, format, native_id,
    /// title, chat_type, owner (NULL before it existed).
    case chats
    /// `participants`: id, chat_id, display_name, native_id, is_device_owner.
    case participants
    /// `messages`: id, chat_id, file_id, sequence, native_id, kind, sender_name,
    /// sender_native_id, from_device_owner, sent_utc, sent_utc_us, sent_raw, sent_basis, text
    /// (normalised when there is one; whole even with a NUL), deleted.
    case messages
    /// `attachments`: id, message_id, ordinal, kind, reference, resolved_path, status,
    /// linked_file_id, sha256, file_name, mime_type.
    case attachments
    /// Hash-set matches with their set and entry: id, file_id, set name, set kind, category,
    /// algorithm, distance, variant, matched hash, label, media_id.
    case knownMatches

    /// The case tables it reads: a case without one of them has no rows here.
    public var requires: [String] {
        switch self {
        case .evidence: return ["evidence"]
        case .files: return ["files", "file_times"]
        case .mediaHashes: return ["media_hashes"]
        case .chats: return ["chats"]
        case .participants: return ["participants"]
        case .messages: return ["messages"]
        case .attachments: return ["attachments"]
        case .knownMatches: return ["hashset_matches", "hashsets", "hashset_entries"]
        }
    }

    /// The select; `{optional:table.column}` is a column older case databases lack (read as
    /// NULL there). Text that may hold a NUL is selected as a blob (reading it as text would
    /// stop at the NUL) and decoded again (``textAsBytes``).
    fileprivate var select: String {
        switch self {
        case .evidence:
            return "SELECT id, label, item, description, path, kind, size, sha256, md5, sha1, format, status, complete, added_utc FROM evidence"
        case .files:
            return """
                SELECT f.id, f.evidence_id, f.entry_key, f.path, f.name, f.kind, f.size, f.md5, f.sha1, f.sha256, f.mime, f.status,
                       {optional:files.device_path}, t.utc, t.utc_us, t.basis
                FROM files f LEFT JOIN file_times t ON t.file_id = f.id AND t.kind = 'modified'
                """
        case .mediaHashes:
            return "SELECT id, file_id, algorithm, hash, quality, frame_index, frame_time_us, variants FROM media_hashes"
        case .chats:
            return "SELECT id, coalesce(copy_of, id), file_id, platform, format, native_id, title, chat_type, {optional:chats.owner} FROM chats"
        case .participants:
            return "SELECT id, chat_id, display_name, native_id, is_device_owner FROM participants"
        case .messages:
            return """
                SELECT id, chat_id, file_id, sequence, native_id, kind, sender_name, sender_native_id, from_device_owner,
                       sent_utc, sent_utc_us, sent_raw, sent_basis, CAST(coalesce(text_nfc, text) AS BLOB), deleted FROM messages
                """
        case .attachments:
            return "SELECT id, message_id, ordinal, kind, reference, resolved_path, status, linked_file_id, sha256, file_name, mime_type FROM attachments"
        case .knownMatches:
            return """
                SELECT m.id, m.file_id, h.name, h.kind, e.category, m.algorithm, m.distance, m.variant, e.hash, e.label, e.media_id
                FROM hashset_matches m JOIN hashsets h ON h.id = m.hashset_id JOIN hashset_entries e ON e.id = m.entry_id
                """
        }
    }

    /// The key expression pages are ordered and continued by.
    fileprivate var key: String {
        switch self {
        case .files: return "f.id"
        case .knownMatches: return "m.id"
        default: return "id"
        }
    }

    /// Columns selected as a blob that are text (``select``).
    fileprivate var textAsBytes: Set<Int> { self == .messages ? [13] : [] }
}

/// Reads one case database for the lab index: read-only, from one snapshot (GRDB's
/// `DatabaseSnapshot` over a WAL database), so the published rows are one consistent state even
/// while an ingest is writing the case. A database not in WAL mode (a copy made without its
/// journal settings) is read page by page without a snapshot; nothing writes it then. Older
/// case databases are read as they are (no upgrade): a table they lack has no rows, a column
/// they lack reads as NULL.
public final class LabExportReader: Sendable {
    /// The case database.
    public let path: String
    private let reader: any DatabaseReader
    private let tables: Set<String>
    private let selects: [LabExportTable: String]

    /// Opens `path`; throws ``EvidenceStoreError/notFound(path:)`` or
    /// ``EvidenceStoreError/notExhibitDatabase(path:reason:)``.
    public init(path: String) throws {
        self.path = path
        guard FileManager.default.fileExists(atPath: path) else { throw EvidenceStoreError.notFound(path: path) }
        var config = Configuration()
        config.readonly = true
        let queue: DatabaseQueue
        do { queue = try DatabaseQueue(path: path, configuration: config) } catch {
            throw EvidenceStoreError.notExhibitDatabase(path: path, reason: "cannot open as SQLite: \(error)")
        }
        let (appID, mode): (Int32, String) = (try? queue.read {
            (try Int32.fetchOne($0, sql: "PRAGMA application_id") ?? 0, try String.fetchOne($0, sql: "PRAGMA journal_mode") ?? "")
        }) ?? (0, "")
        guard appID == EvidenceDatabase.applicationID else {
            throw EvidenceStoreError.notExhibitDatabase(path: path, reason: "application_id \(appID)")
        }
        if mode.lowercased() == "wal", let snapshot = try? DatabasePool(path: path, configuration: config).makeSnapshot() {
            reader = snapshot
        } else {
            reader = queue
        }
        var columns: [String: Set<String>] = [:]
        tables = try reader.read { db in
            var tables: Set<String> = []
            for t in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')") {
                tables.insert(t)
                columns[t] = Set(try Row.fetchAll(db, sql: "PRAGMA table_info(\(t.quotedDatabaseIdentifier))").compactMap { $0["name"] as String? })
            }
            return tables
        }
        var selects: [LabExportTable: String] = [:]
        for t in LabExportTable.allCases {
            var sql = t.select
            while let r = sql.range(of: "{optional:") {
                guard let end = sql[r.upperBound...].firstIndex(of: "}") else { break }
                let ref = String(sql[r.upperBound..<end]).split(separator: ".").map(String.init)
                let present = ref.count == 2 && columns[ref[0]]?.contains(ref[1]) == true
                let alias = ref.count == 2 && t == .files ? "f.\(ref[1])" : ref.last ?? ""
                sql.replaceSubrange(r.lowerBound...end, with: present ? alias : "NULL")
            }
            selects[t] = sql
        }
        self.selects = selects
    }

    /// The case row (`cases`, the first); nil when the database has none.
    public func caseHeader() throws -> CaseHeaderRow? {
        guard tables.contains("cases") else { return nil }
        return try reader.read { try CaseOutputReader(db: $0).caseHeader() }
    }

    /// Whether the case has every table `table` reads.
    public func has(_ table: LabExportTable) -> Bool { table.requires.allSatisfy(tables.contains) }

    /// Up to `limit` rows of `table` whose id is greater than `after`, by id, and the last id read
    /// (nil when there are no more rows).
    public func page(_ table: LabExportTable, after: Int64, limit: Int) throws -> (rows: [[CaseValue]], last: Int64?) {
        let sql = "\(selects[table] ?? table.select) WHERE \(table.key) > ? ORDER BY \(table.key) LIMIT ?"
        let textAsBytes = table.textAsBytes
        let rows = try reader.read { db in
            try Row.fetchAll(db, sql: sql, arguments: [after, limit]).map { r in
                (0..<r.count).map { Self.value(r[$0], asText: textAsBytes.contains($0)) }
            }
        }
        return (rows, Self.lastKey(rows))
    }
}

/// One hash set of a case database (`hashsets`), as the lab imports it.
public struct CaseHashSetRow: Sendable, Hashable {
    /// `hashsets.id`, the importer's detected format, the list's SHA-256.
    public var id: Int64, format: String, sourceSHA256: String
    /// Entries imported and lines rejected.
    public var entryCount: Int, rejectedCount: Int
}

extension LabExportReader {
    /// The hash set named `name`; nil when the case has none by that name (or no hash sets).
    public func hashSet(named name: String) throws -> CaseHashSetRow? {
        guard tables.contains("hashsets") else { return nil }
        return try reader.read { db in
            guard let r = try Row.fetchOne(db, sql: "SELECT id, format, source_sha256, entry_count, rejected_count FROM hashsets WHERE name = ?",
                                           arguments: [name]),
                  let id = r["id"] as Int64?, let format = r["format"] as String?, let sha = r["source_sha256"] as String?,
                  let entries = r["entry_count"] as Int?, let rejected = r["rejected_count"] as Int? else { return nil }
            return CaseHashSetRow(id: id, format: format, sourceSHA256: sha, entryCount: entries, rejectedCount: rejected)
        }
    }

    /// Every hash set's name and source SHA-256; empty when the case has none.
    public func hashSetSources() throws -> [String: String] {
        guard tables.contains("hashsets") else { return [:] }
        var out: [String: String] = [:]
        for r in try reader.read({ try Row.fetchAll($0, sql: "SELECT name, source_sha256 FROM hashsets") }) {
            if let n = r["name"] as String?, let s = r["source_sha256"] as String? { out[n] = s }
        }
        return out
    }

    /// Up to `limit` entries of hash set `setID` with an id greater than `after`, by id: id,
    /// algorithm, hash, quality, category, label, media_id, frame_index, frame_time_us.
    public func hashSetEntries(setID: Int64, after: Int64, limit: Int) throws -> (rows: [[CaseValue]], last: Int64?) {
        let rows = try reader.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, algorithm, hash, quality, category, label, media_id, frame_index, frame_time_us FROM hashset_entries
                WHERE hashset_id = ? AND id > ? ORDER BY id LIMIT ?
                """, arguments: [setID, after, limit]).map { r in (0..<r.count).map { Self.value(r[$0], asText: false) } }
        }
        return (rows, Self.lastKey(rows))
    }

    /// A SQLite value as a ``CaseValue``; a blob that is text (`asText`) decoded as UTF-8.
    static func value(_ v: DatabaseValue, asText: Bool) -> CaseValue {
        switch v.storage {
        case .null: return .null
        case .int64(let v): return .integer(v)
        case .double(let v): return .real(v)
        case .string(let v): return .text(v)
        case .blob(let b): return asText ? .text(String(decoding: b, as: UTF8.self)) : .bytes([UInt8](b))
        }
    }

    /// The id (first column) of a page's last row.
    static func lastKey(_ rows: [[CaseValue]]) -> Int64? {
        if case .integer(let v)? = rows.last?.first { return v }
        return nil
    }
}
