import Crypto
import ExhibitKit
import ExhibitSupport
import Foundation
import GRDB

/// The audit log's hash chain, independent of any database (so a verifier can be rebuilt from
/// docs/schema.md alone).
///
/// Each row's `hash` is the lower-case hex SHA-256 of the UTF-8 bytes of
/// `prev_hash + "\n" + seq + "\n" + utc + "\n" + action + "\n" + details`, where `seq` is
/// decimal and `details` is the stored canonical JSON text. The first row's `prev_hash` is
/// ``genesis`` (64 zeros).
public enum AuditChain {
    /// `prev_hash` of the first row.
    public static let genesis = String(repeating: "0", count: 64)

    /// The hash of one audit row.
    public static func hash(prevHash: String, seq: Int64, utc: String, action: String, details: String) -> String {
        let text = [prevHash, String(seq), utc, action, details].joined(separator: "\n")
        return Hex.encode(SHA256.hash(data: Data(text.utf8)))
    }
}

extension EvidenceDatabase {
    /// Appends one entry to the append-only, hash-chained audit log and returns the new head
    /// hash. `details` is stored as canonical JSON (sorted keys) so the hash is reproducible.
    @discardableResult
    public func appendAudit(action: String, details: JSONValue) throws -> String {
        try queue.write { db in try Self.appendAudit(db, action: action, details: details) }
    }

    /// Appends one audit entry inside the caller's transaction, so a command's data change and
    /// its audit record commit together or not at all (issue 15).
    @discardableResult
    static func appendAudit(_ db: Database, action: String, details: JSONValue) throws -> String {
        let last = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        let seq: Int64 = try (last?.decode(Int64.self, forColumn: "seq")).map { $0 + 1 } ?? 1
        let prev: String = try last?.decode(String.self, forColumn: "hash") ?? AuditChain.genesis
        let utc = StoreClock.nowText()
        let text = details.canonicalText
        let hash = AuditChain.hash(prevHash: prev, seq: seq, utc: utc, action: action, details: text)
        try db.execute(sql: """
            INSERT INTO audit_log (seq, utc, action, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)
            """, arguments: [seq, utc, action, text, prev, hash])
        return hash
    }

    /// The hash of the last audit row (``AuditChain/genesis`` when the log is empty).
    public func auditHead() throws -> String {
        try queue.read { db in
            try String.fetchOne(db, sql: "SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1") ?? AuditChain.genesis
        }
    }

    /// Re-checks the whole chain: every row's hash against its content, every link against the
    /// previous row, sequence numbers without gaps from 1, and that every chain head an ingest
    /// run recorded is still in the log (a cut tail leaves a valid but shorter chain). Reports
    /// the first problem found.
    public func verifyAuditChain() throws -> AuditChainReport {
        try queue.read { db in
            var prev = AuditChain.genesis
            var expectedSeq: Int64 = 1
            var count = 0
            var hashes = Set<String>()
            let rows = try Row.fetchCursor(db, sql: "SELECT seq, utc, action, details, prev_hash, hash FROM audit_log ORDER BY seq")
            func fail(_ seq: Int64, _ problem: AuditChainReport.Problem, _ message: String) -> AuditChainReport {
                AuditChainReport(ok: false, entries: count, head: prev, firstBadSeq: seq, problem: problem, message: message)
            }
            while let row = try rows.next() {
                let seq: Int64 = try row.decode(forColumn: "seq")
                let utc: String? = try row.decode(forColumn: "utc")
                let action: String? = try row.decode(forColumn: "action")
                let details: String? = try row.decode(forColumn: "details")
                let prevHash: String? = try row.decode(forColumn: "prev_hash")
                let hash: String? = try row.decode(forColumn: "hash")
                if seq != expectedSeq {
                    return fail(expectedSeq, .gap, "audit_log: entry \(expectedSeq) is missing (next entry is \(seq))")
                }
                if prevHash != prev {
                    return fail(seq, .brokenLink, "audit_log: entry \(seq) does not link to entry \(seq - 1)")
                }
                let computed = AuditChain.hash(prevHash: prev, seq: seq, utc: utc ?? "", action: action ?? "",
                                               details: details ?? "")
                if hash != computed {
                    return fail(seq, .hashMismatch, "audit_log: entry \(seq) was altered (its hash does not match its content)")
                }
                prev = computed
                hashes.insert(computed)
                expectedSeq += 1
                count += 1
            }
            let runs = try Row.fetchAll(db, sql: "SELECT id, chain_head FROM ingest_runs WHERE chain_head IS NOT NULL ORDER BY id")
            for run in runs {
                let head: String = try run.decode(forColumn: "chain_head")
                if head != AuditChain.genesis && !hashes.contains(head) {
                    let id: Int64 = try run.decode(forColumn: "id")
                    return fail(expectedSeq, .missingRunHead,
                                "audit_log: ingest run \(id) ended at chain head \(head), which is no longer in the log")
                }
            }
            return AuditChainReport(ok: true, entries: count, head: prev, firstBadSeq: nil, problem: nil,
                                    message: "audit_log: \(count) entries, chain intact, head \(prev)")
        }
    }
}
