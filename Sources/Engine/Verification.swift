import EvidenceStore
import ExhibitKit
import ExhibitSupport
import Foundation
import Intake

/// What `exhibit verify` checks and against what (issue 15).
public struct VerifyOptions: Sendable {
    /// Check only what the database holds (chain, findings, recorded hashes): no evidence is read.
    public var findingsOnly = false
    /// A folder holding relocated evidence items, found there by their file or folder name.
    public var evidenceDirectory: String?
    /// Relocated evidence by label or item number (`--evidence ITEM=PATH`).
    public var evidencePaths: [String: String] = [:]
    /// The audit chain head the examiner wrote down (printed at the end of every command): it
    /// must be the chain's last entry.
    public var anchorHead: String?
    /// Ed25519 public keys (hex) the chain-head signatures must verify with. Keys stored in the
    /// case are never trusted: whoever can rewrite the log can store their own.
    public var publicKeys: [String] = []
    /// Parent of the private scratch folder used for re-reading directories.
    public var temporaryRoot: String = TemporaryDirectory.defaultRoot

    /// Options with the defaults: re-hash every item at its recorded path, no anchor, no key.
    public init() {}
}

/// `exhibit verify`: every fact is checked against the hash-chained audit log — the chain itself
/// (and its head against an outside anchor, signatures against outside keys), the findings
/// against the last recorded findings digest, the evidence rows against the `evidence.hashed`
/// records, and the evidence itself re-hashed against those records.
public enum CaseVerifier {
    /// The result: one line per check and a verdict per kind of check.
    public struct Report: Sendable {
        /// One line per check: `ok   …`, `FAIL …` or `note …`.
        public var lines: [String] = []
        /// Every evidence item re-hashes (or its recorded hash matches the chain).
        public var evidenceOK = true
        /// The chain holds, leads to the anchor, and signatures verify with the given keys.
        public var chainOK = true
        /// The findings equal the last digest recorded in the chain.
        public var findingsOK = true
        /// Why the case is incomplete (an interrupted ingest or command), or nil.
        public var incomplete: String?
        /// Whether everything verified.
        public var ok: Bool { evidenceOK && chainOK && findingsOK && incomplete == nil }

        /// The exit code of `exhibit verify`: 5 chain, 3 evidence, 6 findings, 7 incomplete, 0 ok —
        /// the first that applies (a rewritten log undermines everything else; an edited
        /// evidence row also changes the findings, and is named as evidence).
        public var exitCode: Int32 {
            if !chainOK { return 5 }
            if !evidenceOK { return 3 }
            if !findingsOK { return 6 }
            if incomplete != nil { return 7 }
            return 0
        }

        /// One sentence for the end of the output.
        public var verdict: String {
            switch exitCode {
            case 5: return "verification FAILED: the audit chain, its head or a signature does not hold"
            case 6: return "verification FAILED: the findings are not those recorded in the audit log"
            case 3: return "verification FAILED: evidence missing or changed"
            case 7: return "incomplete: \(CaseVerifier.withAdvice(incomplete ?? ""))"
            default: return "verified"
            }
        }
    }

    /// Verifies the case at `databasePath` with default options (re-hash at recorded paths).
    public static func verify(databasePath: String, temporaryRoot: String) throws -> Report {
        var options = VerifyOptions()
        options.temporaryRoot = temporaryRoot
        return try verify(databasePath: databasePath, options: options)
    }

    /// Runs every check; throws only when the database cannot be read.
    public static func verify(databasePath: String, options: VerifyOptions) throws -> Report {
        ProcessSetup.prepare()
        let db = try EvidenceDatabase.openExisting(path: databasePath, readOnly: true)
        var report = Report()
        try checkChain(db, options: options, into: &report)
        report.incomplete = try incompleteReason(db)
        try checkFindings(db, into: &report)
        try EvidenceCheck.run(db, options: options, into: &report)
        return report
    }

    /// The chain, the examiner's anchor and the signatures.
    static func checkChain(_ db: EvidenceDatabase, options: VerifyOptions, into report: inout Report) throws {
        let chain = try db.verifyAuditChain()
        if chain.ok {
            report.lines.append("ok   audit chain: \(chain.entries) entries, head \(chain.head)")
        } else {
            report.chainOK = false
            report.lines.append("FAIL audit chain: \(chain.message)")
        }
        if let anchor = options.anchorHead?.lowercased() {
            if let at = try db.auditPosition(ofHash: anchor) {
                if at.seq == at.entries {
                    report.lines.append("ok   chain head is the recorded head \(anchor) (entry \(at.seq) of \(at.entries))")
                } else {
                    // Someone ran commands after the head was written down: the findings may have
                    // been edited and sealed again by a later command. Fail, and say what ran.
                    let later = try db.auditActions(afterSeq: at.seq)
                    report.chainOK = false
                    report.lines.append("FAIL audit chain: the recorded head \(anchor) is entry \(at.seq) of \(at.entries); "
                                        + "\(later.count) entries were appended after it (\(later.joined(separator: ", "))) — "
                                        + "if those commands were yours, give the head the last of them printed")
                }
            } else {
                report.chainOK = false
                report.lines.append("FAIL audit chain: the recorded head \(anchor) is not in the log — entries were cut off or rewritten")
            }
        } else {
            report.lines.append("note chain head not compared with an outside record: give --head HEX (printed at the end of every command)")
        }
        let signed = try db.runs().filter { $0.signature != nil }
        if options.publicKeys.isEmpty {
            for run in signed {
                report.lines.append("note run \(run.id) is signed; not checked without --public-key (a key stored in the case proves nothing)")
            }
            return
        }
        var anyVerified = false
        for run in signed {
            guard let sig = run.signature, let head = run.chainHead else { continue }
            if let key = options.publicKeys.first(where: { ChainSigner.verify(head: head, signatureHex: sig, publicKeyHex: $0) }) {
                anyVerified = true
                report.lines.append("ok   run \(run.id) signature over chain head \(head) verifies with public key \(key)")
            } else {
                report.chainOK = false
                report.lines.append("FAIL run \(run.id): its signature over chain head \(head) does not verify with the given public key(s)")
            }
        }
        if !anyVerified && report.chainOK {
            report.chainOK = false
            report.lines.append("FAIL no run carries a signature that verifies with the given public key(s)")
        }
    }

    /// The reason an incomplete case gives, with what to do: re-run the same command — except for
    /// an item refused unread, whose reason already says what it needs.
    public static func withAdvice(_ reason: String) -> String {
        reason.contains(refusedMark) ? reason : "\(reason) — re-run the same command to finish"
    }
    /// Marks the reason of an item refused unread (``withAdvice(_:)``, the report banner).
    public static let refusedMark = " was refused, not read "

    /// Why the case at `databasePath` is not finished (see below), or nil: the report prints it
    /// as a banner on every page.
    public static func incompleteness(databasePath: String) throws -> String? {
        try incompleteReason(try EvidenceDatabase.openExisting(path: databasePath, readOnly: true))
    }

    /// Why the case is not finished: the last ingest run did not complete, an item was not
    /// completely ingested, or the audit log has entries after the last findings digest (a
    /// command stopped before recording its digest). Nil when nothing is pending.
    static func incompleteReason(_ db: EvidenceDatabase) throws -> String? {
        if let run = try db.runs().last, run.status == "running" || run.status == "interrupted" {
            return "ingest was interrupted (run \(run.id) is \(run.status))"
        }
        if let item = try db.evidenceList().first(where: { !$0.complete }) {
            // An item refused unread (a wrong backup password) was not interrupted: say why, and
            // that the same command would be refused again.
            let refusals = try db.auditEntries(action: "evidence.rejected").filter { $0.details["label"] as? String == item.label }
            if let last = refusals.last, let reason = last.details["reason"] as? String,
               try db.auditEntries(action: "evidence.hashed").last(where: { $0.details["label"] as? String == item.label }).map({ $0.seq < last.seq }) ?? true {
                return "evidence \(item.label)\(refusedMark)(\(reason)): ingest it again with what it needs (the right --password-file / --password)"
            }
            return "ingest was interrupted (evidence \(item.label) was not completely ingested)"
        }
        if let last = try db.lastRecordedDigest() {
            let pending = try db.auditActions(afterSeq: last.seq).filter { $0 != "ingest.finish" }
            if let first = pending.first { return "a command stopped before it finished (audit entry '\(first)' has no findings digest after it)" }
        }
        return nil
    }

    /// The findings against the last digest the chain recorded, naming the parts that differ.
    static func checkFindings(_ db: EvidenceDatabase, into report: inout Report) throws {
        let now = try db.digestDetail()
        guard let recorded = try db.lastRecordedDigest() else {
            if report.incomplete == nil {
                report.findingsOK = false
                report.lines.append("FAIL findings: no findings digest is recorded in the audit log, so the findings cannot be checked "
                                    + "(a case made before Exhibit recorded them gets one from 'exhibit case rebuild', which the log then shows)")
            }
            return
        }
        if now == recorded.detail || now.digest == recorded.detail.digest {
            report.lines.append("ok   findings digest \(now.digest) (recorded at audit entry \(recorded.seq), after \(recorded.after), \(recorded.utc))")
            return
        }
        let differing = now.differingSections(from: recorded.detail)
        let parts = differing.map { "\(FindingsDigestDetail.part(of: $0)) (\($0))" }.joined(separator: ", ")
        if let why = report.incomplete {
            report.lines.append("note findings differ from the digest recorded at audit entry \(recorded.seq) in \(parts): expected, \(why)")
        } else {
            report.findingsOK = false
            report.lines.append("FAIL findings: now \(now.digest), recorded \(recorded.detail.digest) at audit entry \(recorded.seq) (after \(recorded.after)); changed: \(parts)")
        }
    }
}
