import ExhibitTesting
import Foundation
import GRDB
import Testing

/// Helpers of the integrity tests (issue 15): a small case from the sample phone dump, copies
/// of it, and tampering the way someone with `sqlite3` would (triggers dropped first).
enum Integrity {
    /// Copies the sample phone dump into `dir` (so it can be moved) and ingests it.
    static func sampleCase(_ dir: TestDirectory, extra: [String] = []) throws -> (db: String, evidence: String) {
        let zip = dir.path("phone-dump.zip")
        if !FileManager.default.fileExists(atPath: zip) {
            try FileManager.default.copyItem(atPath: Corpus.url("sample-case/phone-dump.zip").path, toPath: zip)
        }
        let db = dir.path("case.sqlite")
        let r = try Fixture.ingest([zip], db: db, extra: ["--assume-tz", "Asia/Seoul", "--item", "ITEM-1"] + extra)
        #expect(r.exitCode == 0, "\(r.stderr)")
        return (db, zip)
    }

    /// A consistent copy of a case database (WAL included).
    static func copy(_ db: String, to path: String) throws -> String {
        try? FileManager.default.removeItem(atPath: path)
        let source = try DatabaseQueue(path: db)
        let target = try DatabaseQueue(path: path)
        try source.backup(to: target)
        return path
    }

    /// Runs `sql` on the database as a tamperer with the `sqlite3` shell would: foreign keys
    /// off (the shell's default), every trigger dropped first.
    static func tamper(_ db: String, _ sql: String) throws {
        let q = try DatabaseQueue(path: db)
        try q.writeWithoutTransaction { try $0.execute(sql: "PRAGMA foreign_keys = OFF") }
        try q.write { db in
            for t in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger'") {
                try db.execute(sql: "DROP TRIGGER \"\(t)\"")
            }
            try db.execute(sql: sql)
        }
    }

    /// `exhibit verify --db DB …`.
    static func verify(_ db: String, _ extra: [String] = []) throws -> CommandResult {
        try Run.command(Fixture.exhibit, ["verify", "--db", db] + extra)
    }

    /// The last audit entry's hash.
    static func head(_ db: String) throws -> String {
        try Fixture.open(db).read { try String.fetchOne($0, sql: "SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1") } ?? ""
    }

    /// The `findings.digest` entries: (after, digest), in order.
    static func recordedDigests(_ db: String) throws -> [[String]] {
        try Fixture.open(db).read {
            try Row.fetchAll($0, sql: """
                SELECT json_extract(details, '$.after') AS after, json_extract(details, '$.digest') AS digest
                FROM audit_log WHERE action = 'findings.digest' ORDER BY seq
                """).map { [$0["after"] ?? "", $0["digest"] ?? ""] }
        }
    }

    /// The value after `label: ` on a line of `output`.
    static func printed(_ label: String, in output: String) -> String? {
        output.split(separator: "\n").first { $0.hasPrefix(label + ": ") }.map { String($0.dropFirst(label.count + 2)) }
    }
}
