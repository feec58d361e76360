import ExhibitKit
import Foundation
import GRDB

extension EvidenceDatabase {
    /// The closed vocabulary of `ingest_runs.status`.
    static let runStatuses: Set<String> = ["running", "completed", "interrupted", "failed"]

    /// Starts an ingest run (status `running`) and returns its id.
    ///
    /// There is one writer per case database, so any run still marked `running` belongs to a
    /// process that died (kill -9, power loss): it is marked `interrupted` here.
    public func beginRun(toolVersion: String, commandLine: [String], options: JSONValue, jobs: Int) throws -> Int64 {
        try queue.write { db in
            try db.execute(sql: "UPDATE ingest_runs SET status = 'interrupted' WHERE status = 'running'")
            try db.execute(sql: """
                INSERT INTO ingest_runs (started_utc, tool_version, command_line, options, jobs, status)
                VALUES (?, ?, ?, ?, ?, 'running')
                """, arguments: [StoreClock.nowText(), toolVersion,
                                 JSONValue.array(commandLine.map(JSONValue.string)).canonicalText,
                                 options.canonicalText, jobs])
            return db.lastInsertedRowID
        }
    }

    /// Ends a run: its final status (`completed`, `interrupted`, `failed`), the files it
    /// committed, and the audit chain head printed to the examiner, with its optional signature.
    public func finishRun(id: Int64, status: String, filesCommitted: Int, chainHead: String, signature: String?,
                          publicKey: String?) throws {
        guard Self.runStatuses.contains(status), status != "running" else {
            throw EvidenceStoreError.invalidValue(field: "run status", value: status)
        }
        try queue.write { db in
            try db.execute(sql: """
                UPDATE ingest_runs SET finished_utc = ?, status = ?, files_committed = ?, chain_head = ?,
                    signature = ?, public_key = ?
                WHERE id = ?
                """, arguments: [StoreClock.nowText(), status, filesCommitted, chainHead, signature, publicKey, id])
            guard db.changesCount == 1 else { throw EvidenceStoreError.unknownRun(id: id) }
        }
    }
}
