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
    ///
    /// With `deferHashIndexes` (the default) the `files` hash indexes are dropped until
    /// ``finishRun(id:status:filesCommitted:chainHead:signature:publicKey:)`` or
    /// ``restoreIndexes()`` rebuilds them: bulk commits are then several times faster (see
    /// `DeferredIndexes`). Pass `false` when adding a few files to a very large case.
    public func beginRun(toolVersion: String, commandLine: [String], options: JSONValue, jobs: Int,
                         deferHashIndexes: Bool = true) throws -> Int64 {
        try queue.write { db in
            try db.execute(sql: "UPDATE ingest_runs SET status = 'interrupted' WHERE status = 'running'")
            if deferHashIndexes { try DeferredIndexes.drop(db) }
            try SearchIndexTuning.apply(db)
            try db.execute(sql: """
                INSERT INTO ingest_runs (started_utc, tool_version, command_line, options, jobs, status)
                VALUES (?, ?, ?, ?, ?, 'running')
                """, arguments: [StoreClock.nowText(), toolVersion,
                                 JSONValue.array(CommandLineRedaction.redact(commandLine).map(JSONValue.string)).canonicalText,
                                 options.canonicalText, jobs])
            return db.lastInsertedRowID
        }
    }

    /// Marks every run still `running` as `interrupted`: called when the examiner stops an
    /// ingest (Ctrl-C) after its worker is gone. Returns the runs marked.
    @discardableResult
    public func markRunsInterrupted() throws -> Int {
        try queue.write { db in
            try db.execute(sql: "UPDATE ingest_runs SET status = 'interrupted' WHERE status = 'running'")
            return db.changesCount
        }
    }

    /// Ends a run: its final status (`completed`, `interrupted`, `failed`), the files it
    /// committed, and the audit chain head printed to the examiner, with its optional signature.
    /// Rebuilds any index deferred by ``beginRun(toolVersion:commandLine:options:jobs:deferHashIndexes:)``.
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
            try DeferredIndexes.restore(db)
        }
    }

    /// Rebuilds the indexes an interrupted run left dropped (idempotent; a no-op when all are
    /// present). Called by ``openExisting(path:readOnly:)`` for writable opens.
    public func restoreIndexes() throws {
        try queue.write { db in
            if try !DeferredIndexes.missing(db).isEmpty { try DeferredIndexes.restore(db) }
        }
    }

    /// Names of indexes currently dropped for bulk loading (empty at rest).
    public func deferredIndexesMissing() throws -> [String] {
        try queue.read { try DeferredIndexes.missing($0) }
    }
}
