import ExhibitKit
import Foundation
import GRDB
import SQLiteForensics

/// Deleted rows of one table of an app's database, carved from the evidence bytes (and its
/// `-wal`/`-journal`) before SQLite opened the copy, ready to be read through the analyzer's own
/// live query: ``cte(named:)`` stands in for the table, so a recovered row goes through exactly
/// the field mapping a live row goes through (docs/recovery.md, "Recovered messages").
///
/// Structural problems of the carving are not repeated here: the `sqlite-recovery` analyzer
/// reads the same bytes and reports them on the same file.
public struct RecoveredTable: Sendable {
    /// The table's name as the schema writes it.
    public let name: String
    /// Its columns in declaration order, as the recovered values are ordered.
    public let columns: [String]
    /// Rows fitted to the table that are not copies of a live row (`duplicate_of_live` = 0), in
    /// recovery's deterministic order (main file pages, then WAL frames, then journal).
    public let rows: [RecoveredRow]

    /// Carves `file` (with the companions the engine handed over) and keeps the rows of each
    /// table in `tables` (compared case-insensitively) that has any. Call it before
    /// ``AppDatabase/open(_:temporaryDirectory:timeLimit:)`` on the same file: opening replays a
    /// hot journal into the copy and closing checkpoints its WAL. `temporaryDirectory` (the
    /// analyzer's private scratch folder) takes the carve's digests past their memory bound.
    public static func carve(_ file: EvidenceFile, tables: [String], temporaryDirectory: URL? = nil) -> [String: RecoveredTable] {
        // Only rows of the wanted tables are kept as they are handed over (memory: those rows, not
        // the database's); the carve itself is kept for the sqlite-recovery analyzer, which runs
        // next on the same file, when it is small enough (EvidenceRecovery.shareLimit): one carve.
        let wanted = Set(tables.map { $0.lowercased() })
        var byTable: [String: [RecoveredRow]] = [:]
        let carved = EvidenceRecovery.recover(file, sharing: .offer, temporaryDirectory: temporaryDirectory) { row in
            guard let name = row.tableName, !row.duplicateOfLive, wanted.contains(name.lowercased()) else { return }
            byTable[name, default: []].append(row)
        }
        guard let report = carved.result.report else { return [:] }
        var out: [String: RecoveredTable] = [:]
        for wanted in tables {
            guard let schema = report.tables.first(where: { $0.name.lowercased() == wanted.lowercased() }) else { continue }
            guard let rows = byTable[schema.name], !rows.isEmpty else { continue }
            out[wanted] = RecoveredTable(name: schema.name, columns: schema.columns.map(\.name), rows: rows)
        }
        return out
    }

    /// `alias(rowid, "c1", "c2", …) AS (VALUES (?, ?, …))`: one recovered row as a table the live
    /// query can select from under `alias` (put it in a `WITH` clause, bind ``arguments(_:)``).
    /// `rowid` is the recovered rowid unless the table has its own column of that name.
    public func cte(named alias: String) -> String {
        let names = (hasRowidColumn ? [] : ["rowid"]) + columns.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        let marks = Array(repeating: "?", count: names.count).joined(separator: ", ")
        return "\(alias)(\(names.joined(separator: ", "))) AS (VALUES (\(marks)))"
    }

    /// The values of `row` for ``cte(named:)``: the rowid, then each column (a value that could
    /// not be recovered, or a column the row lacks, is NULL), then `more` (placeholders later in
    /// the statement).
    public func arguments(_ row: RecoveredRow, appending more: [DatabaseValue] = []) -> StatementArguments {
        let values: [DatabaseValue] = (hasRowidColumn ? [] : [row.rowid.map { $0.databaseValue } ?? .null]) + columnValues(row)
        return StatementArguments(values + more)
    }

    /// The values of `row` in column order (a value that could not be recovered, or a column the
    /// row lacks, is NULL), without the leading rowid of ``arguments(_:appending:)``.
    public func columnValues(_ row: RecoveredRow) -> [DatabaseValue] {
        columns.indices.map { i in i < row.values.count ? Self.databaseValue(row.values[i]) : .null }
    }

    /// Names of the columns whose values could not be recovered (overwritten bytes).
    public func missingColumns(_ row: RecoveredRow) -> [String] {
        columns.indices.compactMap { i in i < row.values.count && row.values[i] == .missing ? columns[i] : nil }
    }

    /// The values of `column` (case-insensitive) over all rows, text as is and integers in
    /// decimal: the native ids of the recovered messages, so a reader remembers only the live
    /// messages a recovered row may copy.
    public func ids(ofColumn column: String) -> Set<String> {
        guard let i = columns.firstIndex(where: { $0.lowercased() == column.lowercased() }) else { return [] }
        var out: Set<String> = []
        for r in rows where i < r.values.count {
            switch r.values[i] {
            case .text(let s): out.insert(s)
            case .integer(let v): out.insert(String(v))
            default: break
            }
        }
        return out
    }

    /// Whether too little of a recovered row survived to call it a message: neither a native id
    /// nor any text (an empty id counts as none). Such a row stays in `recovered_records` only.
    public static func tooDamaged(_ message: MessageRecord) -> Bool {
        (message.nativeID ?? "").isEmpty && message.text.isEmpty
    }

    /// Marks `message`, read from `row` through the live mapping, as a recovered deleted record:
    /// carries the row (``MessageRecord/recovered``), says where its bytes were in `location`
    /// (`<label> rowid 14 (freeblock, page 5, cell offset 3012[, WAL frame 9])`, `rowid unknown`
    /// when a freeblock header overwrote it) and lists columns whose bytes were lost in
    /// `extra.missing_columns`.
    public func mark(_ message: inout MessageRecord, from row: RecoveredRow, label: String) {
        message.recovered = row.finding
        var place = "\(label) rowid \(row.rowid.map(String.init) ?? "unknown") (\(row.source.rawValue), page \(row.page), cell offset \(row.cellOffset)"
        if let f = row.walFrame { place += ", WAL frame \(f)" }
        message.location = SourceLocation(record: place + ")")
        let missing = missingColumns(row)
        if !missing.isEmpty {
            var extra: [String: JSONValue] = [:]
            if case .object(let o)? = message.extra { extra = o }
            extra["missing_columns"] = .array(missing.map(JSONValue.string))
            message.extra = .object(extra)
        }
    }

    private var hasRowidColumn: Bool { columns.contains { $0.lowercased() == "rowid" } }

    private static func databaseValue(_ v: SQLiteForensics.SQLValue) -> DatabaseValue {
        switch v {
        case .null, .missing: return .null
        case .integer(let i): return i.databaseValue
        case .real(let d): return d.databaseValue
        case .text(let s): return s.databaseValue
        case .blob(let b): return Data(b).databaseValue
        }
    }
}

/// What makes two message findings the same message for "is this recovered row a copy of one
/// already reported": chat, native id, side, kind, text, sent time as found, and the deleted
/// mark. A recovered row of a live message's id that differs in any of them (the text before an
/// edit, the original of a message later revoked) is a different version, and is reported.
public struct MessageIdentity: Hashable, Sendable {
    let chatKey: String
    let nativeID: String?
    let fromMe: Bool
    let kind: MessageKind
    let text: String
    let sent: String?
    let deleted: Bool

    /// The identity of `m`.
    public init(_ m: MessageRecord) {
        chatKey = m.chatKey; nativeID = m.nativeID; fromMe = m.fromDeviceOwner; kind = m.kind
        text = m.text; sent = m.sent?.raw; deleted = m.deleted
    }
}
