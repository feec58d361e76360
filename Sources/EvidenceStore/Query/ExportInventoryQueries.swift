import ExhibitKit
import Foundation
import GRDB

/// One inventory entry as the file-inventory exports (bodyfile, DFXML, CASE) write it: the
/// `files` row, its evidence label and its four archive times pivoted into columns.
public struct InventoryRow: Sendable, Hashable {
    /// `files.id` (bodyfile inode, DFXML id).
    public var id: Int64
    /// Virtual path, entry kind (`file`, `directory`, `symlink`…), permission bits, size.
    public var path: String?, kind: String?, mode: Int64?, size: Int64?
    /// Digests of the bytes read.
    public var md5: String?, sha1: String?, sha256: String?
    /// Link target, read status, libmagic MIME, the entry's own name.
    public var linkTarget: String?, status: String?, mime: String?, name: String?
    /// Evidence label, the entry's position key and its container's key (`nil` at the top).
    public var evidenceLabel: String?, entryKey: String?, parentKey: String?
    /// The archive times in µs since the epoch (UTC), `nil` when unknown.
    public var accessedMicros: Int64?, modifiedMicros: Int64?, changedMicros: Int64?, createdMicros: Int64?
    /// `files.evidence_id`.
    public var evidenceID: Int64
    /// Why the status is not `ok`, as recorded.
    public var message: String?

    /// Reads a row of ``CaseOutputReader/inventorySQL(_:)`` by column name.
    init(_ r: Row) throws {
        id = try r.decode(forColumn: "id")
        path = try r.decode(forColumn: "path")
        kind = try r.decode(forColumn: "kind")
        mode = try r.decode(forColumn: "mode")
        size = try r.decode(forColumn: "size")
        md5 = try r.decode(forColumn: "md5")
        sha1 = try r.decode(forColumn: "sha1")
        sha256 = try r.decode(forColumn: "sha256")
        linkTarget = try r.decode(forColumn: "link_target")
        status = try r.decode(forColumn: "status")
        mime = try r.decode(forColumn: "mime")
        name = try r.decode(forColumn: "name")
        evidenceLabel = try r.decode(forColumn: "evidence_label")
        entryKey = try r.decode(forColumn: "entry_key")
        parentKey = try r.decode(forColumn: "parent_key")
        accessedMicros = try r.decode(forColumn: "accessed_us")
        modifiedMicros = try r.decode(forColumn: "modified_us")
        changedMicros = try r.decode(forColumn: "changed_us")
        createdMicros = try r.decode(forColumn: "created_us")
        evidenceID = try r.decode(forColumn: "evidence_id")
        message = try r.decode(forColumn: "message")
    }
}

/// One archive time of a file (`file_times`).
public struct FileTimeRow: Sendable, Hashable {
    /// `accessed`, `modified`, `changed` or `created`.
    public var kind: String?
    /// The instant (µs, UTC) when known, the raw value, its basis, precision and note.
    public var utcMicros: Int64?, raw: String?, basis: String?, precision: String?, note: String?
}

extension CaseOutputReader {
    /// The file inventory with the archive times pivoted into columns, in canonical order
    /// (evidence label, then position). With a bounded `window`, only files with at least one
    /// archive time inside it; with `runID`, only the files that run committed.
    public func inventory(window: InstantWindow, runID: Int64? = nil) throws -> QueryCursor<InventoryRow> {
        let (sql, args) = Self.inventorySQL(window)
        if let runID {
            return QueryCursor(try Row.fetchCursor(db, sql: "SELECT i.* FROM (\(sql)) i JOIN files f ON f.id = i.id WHERE f.run_id = ?",
                                                   arguments: args + [runID]), InventoryRow.init)
        }
        return QueryCursor(try Row.fetchCursor(db, sql: sql, arguments: args), InventoryRow.init)
    }

    /// The archive times of one file, ordered by kind.
    public func fileTimes(fileID: Int64) throws -> [FileTimeRow] {
        let statement = try db.cachedStatement(sql: "SELECT kind, utc_us, raw, basis, precision, note FROM file_times WHERE file_id = ? ORDER BY kind")
        return try Row.fetchAll(statement, arguments: [fileID]).map {
            FileTimeRow(kind: try $0.decode(forColumn: "kind"), utcMicros: try $0.decode(forColumn: "utc_us"),
                        raw: try $0.decode(forColumn: "raw"), basis: try $0.decode(forColumn: "basis"),
                        precision: try $0.decode(forColumn: "precision"), note: try $0.decode(forColumn: "note"))
        }
    }

    static func inventorySQL(_ window: InstantWindow) -> (String, StatementArguments) {
        let (win, args) = window.sql("t2.utc_us")
        let having = window.isBounded
            ? "WHERE EXISTS (SELECT 1 FROM file_times t2 WHERE t2.file_id = f.id AND \(win))" : ""
        let sql = """
            SELECT f.id, f.path, f.kind, f.mode, f.size, f.md5, f.sha1, f.sha256, f.link_target, f.status, f.mime, f.name,
                   e.label AS evidence_label, f.entry_key, f.parent_key,
                   (SELECT utc_us FROM file_times WHERE file_id = f.id AND kind = 'accessed') AS accessed_us,
                   (SELECT utc_us FROM file_times WHERE file_id = f.id AND kind = 'modified') AS modified_us,
                   (SELECT utc_us FROM file_times WHERE file_id = f.id AND kind = 'changed') AS changed_us,
                   (SELECT utc_us FROM file_times WHERE file_id = f.id AND kind = 'created') AS created_us,
                   f.evidence_id, f.message
            FROM files f JOIN evidence e ON e.id = f.evidence_id
            \(having)
            ORDER BY e.label, f.sort_key
            """
        return (sql, args)
    }
}
