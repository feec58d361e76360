import ExhibitKit
import Foundation
import GRDB

extension EvidenceDatabase {
    /// Files matching `filter`, in canonical order (evidence label, then entry key compared
    /// numerically), each with its times.
    public func listFiles(_ filter: FileFilter = FileFilter()) throws -> [FileRow] {
        var clauses: [String] = []
        var args = StatementArguments()
        func add(_ clause: String, _ value: (any DatabaseValueConvertible)?) {
            clauses.append(clause)
            args += [value]
        }
        if let v = filter.evidenceLabel { add("e.label = ?", v) }
        if let v = filter.status { add("f.status = ?", v) }
        if let v = filter.kind { add("f.kind = ?", v) }
        // substr rather than LIKE: LIKE treats `_` and `%` in MIME types as wildcards.
        if let v = filter.mimePrefix {
            clauses.append("substr(f.mime, 1, length(?)) = ?")
            args += [v, v]
        }
        if let v = filter.pathGlob { add("f.path GLOB ?", v) }
        if let v = filter.sha256 { add("f.sha256 = ?", v.lowercased()) }
        if let v = filter.md5 { add("f.md5 = ?", v.lowercased()) }
        if let v = filter.sha1 { add("f.sha1 = ?", v.lowercased()) }
        if let v = filter.devicePathGlob { add("f.device_path GLOB ?", v) }
        let whereSQL = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        var page = ""
        if filter.limit != nil || filter.offset != nil {
            page = "LIMIT ? OFFSET ?"
            args += [filter.limit ?? -1, filter.offset ?? 0]
        }
        let sql = """
            SELECT \(Self.fileRowColumns),
                t.utc, t.utc_us, t.raw, t.basis, t.precision, t.note, t.alternate_utc, t.local_wallclock, t.kind
            FROM (SELECT f.*, e.label AS evidence_label FROM files f JOIN evidence e ON e.id = f.evidence_id
                  \(whereSQL) ORDER BY e.label, f.sort_key \(page)) f
            LEFT JOIN file_times t ON t.file_id = f.id
            ORDER BY f.evidence_label, f.sort_key, t.kind
            """
        return try queue.read { db in try Self.foldFileRows(Row.fetchCursor(db, sql: sql, arguments: args)) }
    }

    /// Number of files per status (`ok`, `encrypted`, …).
    public func statusCounts() throws -> [String: Int] {
        try queue.read { db in
            var result: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, count(*) FROM files GROUP BY status") {
                let status: String = try row.decode(atIndex: 0)
                result[status] = try row.decode(atIndex: 1)
            }
            return result
        }
    }

    /// Number of analysis failures: `analysis_errors` rows with status `error`, `crashed` or
    /// `timeout` (warnings are findings, not failures; see ``errorCounts()``).
    public func errorCount() throws -> Int {
        try queue.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM analysis_errors WHERE status != 'warning'") ?? 0
        }
    }

    /// Number of `analysis_errors` rows per status, warnings included.
    public func errorCounts() throws -> [String: Int] {
        try queue.read { db in
            var result: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, count(*) FROM analysis_errors GROUP BY status") {
                let status: String = try row.decode(atIndex: 0)
                result[status] = try row.decode(atIndex: 1)
            }
            return result
        }
    }

    static let fileRowColumns = """
        f.id, f.evidence_id, f.evidence_label, f.entry_key, f.parent_key, f.depth, f.path, f.name, f.raw_name, \
        f.name_encoding, f.kind, f.mode, f.link_target, f.size, f.declared_size, f.md5, f.sha1, f.sha256, f.mime, \
        f.status, f.message, f.flags, f.is_container, f.container_format, f.container_flags, f.expanded_bytes, f.run_id, \
        f.device_path, f.owner
        """
    static let fileRowColumnCount = 29

    /// Turns file rows joined with their times (one row per time, or one with NULL times) into
    /// one ``FileRow`` per file.
    static func foldFileRows(_ cursor: RowCursor) throws -> [FileRow] {
        var result: [FileRow] = []
        while let row = try cursor.next() {
            let id: Int64 = try row.decode(atIndex: 0)
            if result.last?.id != id { result.append(try fileRow(row)) }
            let timeStart = fileRowColumnCount
            if let kindText: String = try row.decode(atIndex: timeStart + 8), let kind = FileTimeKind(rawValue: kindText) {
                kind.set(try TimeColumns.decode(row, from: timeStart), in: &result[result.count - 1].times)
            }
        }
        return result
    }

    private static func fileRow(_ r: Row) throws -> FileRow {
        let md5: String? = try r.decode(atIndex: 15), sha1: String? = try r.decode(atIndex: 16)
        let sha256: String? = try r.decode(atIndex: 17)
        let hashes = md5.flatMap { m in sha1.flatMap { s1 in sha256.map { FileHashes(md5: m, sha1: s1, sha256: $0) } } }
        let rawName: Data? = try r.decode(atIndex: 8)
        let mode: Int64? = try r.decode(atIndex: 11)
        let flags: String? = try r.decode(atIndex: 21)
        let containerFlags: String? = try r.decode(atIndex: 24)
        let isContainer: Int? = try r.decode(atIndex: 22)
        func split(_ s: String?) -> [String] { (s ?? "").split(separator: ",").map(String.init) }
        return FileRow(
            id: try r.decode(atIndex: 0), evidenceID: try r.decode(atIndex: 1), evidenceLabel: try r.decode(atIndex: 2),
            entryKey: try r.decode(atIndex: 3), parentKey: try r.decode(atIndex: 4), depth: try r.decode(atIndex: 5),
            path: try r.decode(atIndex: 6), name: try r.decode(atIndex: 7), rawName: rawName.map { Array($0) } ?? [],
            nameEncoding: try r.decode(atIndex: 9), kind: try r.decode(atIndex: 10),
            mode: mode.flatMap { UInt32(exactly: $0) }, linkTarget: try r.decode(atIndex: 12),
            size: try r.decode(atIndex: 13), declaredSize: try r.decode(atIndex: 14), hashes: hashes,
            mime: try r.decode(atIndex: 18), status: try r.decode(atIndex: 19), message: try r.decode(atIndex: 20),
            flags: split(flags), isContainer: (isContainer ?? 0) != 0, containerFormat: try r.decode(atIndex: 23),
            containerFlags: split(containerFlags), expandedBytes: try r.decode(atIndex: 25),
            times: EntryTimes(), runID: try r.decode(atIndex: 26), devicePath: try r.decode(atIndex: 27),
            owner: try r.decode(atIndex: 28))
    }
}

extension EvidenceDatabase {
    /// Every regular file whose bytes were read (it has hashes), in canonical order, keyed
    /// `<label>#<entry key>` like ``EvidenceFile/key``.
    public func files() throws -> [CaseFileSummary] {
        try listFiles(FileFilter(kind: EntryKind.file.rawValue)).compactMap { row in
            guard row.hashes != nil else { return nil }
            return CaseFileSummary(key: "\(row.evidenceLabel)#\(row.entryKey)", virtualPath: row.path, size: row.size,
                                   sha256: row.hashes?.sha256, mime: row.mime,
                                   status: EntryStatus(rawValue: row.status) ?? .corrupt, times: row.times)
        }
    }

    /// Distinct SHA-256 values of files that start with `prefix` (lower-case hex), at most `limit`.
    public func sha256s(withPrefix prefix: String, limit: Int) throws -> [String] {
        try queue.read { db in
            try String.fetchAll(db, sql: """
                SELECT DISTINCT sha256 FROM files WHERE sha256 >= ? AND sha256 < ? ORDER BY sha256 LIMIT ?
                """, arguments: [prefix, prefix + "g", limit])
        }
    }
}
