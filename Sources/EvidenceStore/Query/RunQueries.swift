import ExhibitKit
import GRDB

/// One `ingest_runs` row, for verification and reports.
public struct RunRow: Sendable, Hashable {
    public var id: Int64
    public var startedUTC: String
    public var finishedUTC: String?
    public var toolVersion: String
    public var status: String
    public var filesCommitted: Int?
    public var chainHead: String?
    public var signature: String?
    public var publicKey: String?
}

extension EvidenceDatabase {
    /// Every ingest run, oldest first.
    public func runs() throws -> [RunRow] {
        try queue.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, started_utc, finished_utc, tool_version, status, files_committed, chain_head, signature, public_key
                FROM ingest_runs ORDER BY id
                """).map { r in
                RunRow(id: r["id"], startedUTC: r["started_utc"], finishedUTC: r["finished_utc"], toolVersion: r["tool_version"],
                       status: r["status"], filesCommitted: r["files_committed"], chainHead: r["chain_head"],
                       signature: r["signature"], publicKey: r["public_key"])
            }
        }
    }
}
