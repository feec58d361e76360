import ArgumentParser
import EvidenceStore
import ExhibitKit
import Foundation

struct RecoveredCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recovered",
        abstract: "List rows recovered from SQLite databases (deleted records, WAL history, journals).",
        discussion: """
        Each row shows its id (#ID, as `exhibit messages` names it in "[recovered deleted record
        #ID]"), its provenance: the database file, the page and cell offset, the WAL frame, whether
        it equals a live row (dup), and the message an app analyzer made of it. See docs/recovery.md.

        Examples:
          exhibit recovered --db case.sqlite
          exhibit recovered --db case.sqlite --file '*msgstore.db' --table messages
          exhibit recovered --db case.sqlite --json

        Exit codes: 0 listed (possibly nothing); 1 the database cannot be read.
        """)

    @OptionGroup var database: DatabaseOption
    @Option(help: "Only the database file with this virtual path (SQLite GLOB: * ? [..]).") var file: String?
    @Option(help: "Only rows recovered for this table.") var table: String?
    @Flag(help: "Leave out rows equal to a live row (duplicate_of_live = 1).") var noDuplicates = false
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let rows: [RecoveredRecordRow]
        do {
            let db = try EvidenceDatabase.openExisting(path: database.db, readOnly: true)
            rows = try db.recoveredRecords(RecoveredRecordFilter(pathGlob: file, table: table, includeDuplicates: !noDuplicates))
        } catch {
            fail("\(database.db): \(error)", code: 1)
        }
        if json { try printJSON(rows.map(RecoveredJSON.init)); return }
        var lastPath: String?
        for r in rows {
            if r.path != lastPath { print(TerminalText.safe("== \(TerminalText.field(r.path))")); lastPath = r.path }
            let frame = r.walFrame.map { " frame \($0)" } ?? ""
            let rowid = r.rowid.map { "rowid \($0)" } ?? "rowid ?"
            let dup = r.duplicateOfLive ? " [dup of live]" : ""
            // The id is what `exhibit messages` names in its "[recovered deleted record #ID]" mark.
            let message = r.messageID.map { " [message #\($0)]" } ?? ""
            print(TerminalText.safe("#\(r.id) \(r.source) p\(r.page)+\(r.cellOffset)\(frame)  \(TerminalText.field(r.tableName) ?? "(no table)")  \(rowid)\(dup)\(message)  \(TerminalText.field(r.valuesJSON))"))
        }
        if rows.isEmpty { FileHandle.standardError.write(Data("no recovered records match\n".utf8)) }
    }
}

/// The `--json` form of one recovered row (values as the JSON array stored).
struct RecoveredJSON: Encodable {
    var evidence, entry_key, path, source, analyzer_id, analyzer_version: String
    var table_name: String?
    var page, cell_offset: Int64
    var wal_frame, rowid: Int64?
    var values: JSONValue
    var duplicate_of_live: Bool
    /// `recovered_records.id` (named by `exhibit messages`' recovered mark), and the message made of it.
    var id: Int64
    var message_id: Int64?

    init(_ r: RecoveredRecordRow) {
        evidence = r.evidenceLabel; entry_key = r.entryKey; path = r.path; source = r.source
        analyzer_id = r.analyzerID; analyzer_version = r.analyzerVersion; table_name = r.tableName
        page = r.page; cell_offset = r.cellOffset; wal_frame = r.walFrame; rowid = r.rowid
        values = (try? JSONDecoder().decode(JSONValue.self, from: Data(r.valuesJSON.utf8))) ?? .string(r.valuesJSON)
        duplicate_of_live = r.duplicateOfLive
        id = r.id; message_id = r.messageID
    }
}
