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
        if let v = filter.status { add("f.status = ?", v.rawValue) }
        if let v = filter.kind { add("f.kind = ?", v.rawValue) }
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
            SELECT f.*, \(TimeColumns.selected(from: "t", as: "time_")), t.kind AS time_kind
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
            for row in try Row.fetchAll(db, sql: "SELECT status, count(*) AS n FROM files GROUP BY status") {
                result[try row.decode(forColumn: FileColumns.status)] = try row.decode(forColumn: "n")
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
            for row in try Row.fetchAll(db, sql: "SELECT status, count(*) AS n FROM analysis_errors GROUP BY status") {
                result[try row.decode(forColumn: ErrorColumns.status)] = try row.decode(forColumn: "n")
            }
            return result
        }
    }

    /// Turns file rows joined with their times (one row per time, or one with NULL times;
    /// the time columns named `time_…`) into one ``FileRow`` per file.
    static func foldFileRows(_ cursor: RowCursor) throws -> [FileRow] {
        var result: [FileRow] = []
        while let row = try cursor.next() {
            let id: Int64 = try row.decode(forColumn: FileColumns.id)
            if result.last?.id != id { result.append(try FileRow(row: row)) }
            if let kindText: String = try row.decode(forColumn: "time_kind"), let kind = FileTimeKind(rawValue: kindText) {
                kind.set(try TimeColumns.decode(row, prefix: "time_"), in: &result[result.count - 1].record.times)
            }
        }
        return result
    }
}

extension EvidenceDatabase {
    /// Every regular file whose bytes were read (it has hashes), in canonical order, keyed
    /// `<label>#<entry key>` like ``EvidenceFile/key``.
    public func files() throws -> [CaseFileSummary] {
        try listFiles(FileFilter(kind: .file)).compactMap { row in
            guard row.hashes != nil else { return nil }
            return CaseFileSummary(key: "\(row.evidenceLabel)#\(row.key.text)", virtualPath: row.virtualPath, size: row.size,
                                   sha256: row.hashes?.sha256, mime: row.mime, status: row.status, times: row.times)
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
