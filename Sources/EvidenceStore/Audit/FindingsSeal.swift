import ExhibitKit
import Foundation
import GRDB

/// The findings digest with the SHA-256 of each of its sections, as written to the audit log
/// (`findings.digest`) at the end of every command that changes findings.
public struct FindingsDigestDetail: Sendable, Equatable {
    /// What `exhibit digest` prints.
    public var digest: String
    /// Section name (`messages`, `files`, …) → SHA-256 of that section's records; sections
    /// without records are absent.
    public var sections: [String: String]

    /// Creates a detail from its parts.
    public init(digest: String, sections: [String: String]) {
        self.digest = digest; self.sections = sections
    }

    /// The sections whose records differ between `self` and `other` (present in one only, or
    /// with another hash), in digest order.
    public func differingSections(from other: FindingsDigestDetail) -> [String] {
        let names = Set(sections.keys).union(other.sections.keys)
        let order = FindingsDigest.sections.map(\.name)
        return names.filter { sections[$0] != other.sections[$0] }
            .sorted { (order.firstIndex(of: $0) ?? Int.max, $0) < (order.firstIndex(of: $1) ?? Int.max, $1) }
    }

    /// The examiner's name for the part of the findings a digest section belongs to.
    public static func part(of section: String) -> String {
        switch section {
        case "evidence": return "evidence items"
        case "files", "file_times": return "files"
        case "artifacts": return "plugin artifacts"
        case "analysis_errors": return "analysis errors"
        case "chats", "participants", "messages", "attachments", "chat_owners", "attachment_hints": return "chats/messages"
        case "metadata", "indicators": return "metadata"
        case "media_hashes": return "media hashes"
        case "hashsets", "hashset_matches": return "matches"
        case "events", "media_clusters": return "timeline"
        case "device_paths", "device_layouts": return "device paths"
        case "recovered_records": return "recovered records"
        case "zones": return "time zones"
        default: return section
        }
    }
}

/// A `findings.digest` entry read back from the audit log.
public struct RecordedFindingsDigest: Sendable, Equatable {
    /// The audit entry's sequence number.
    public var seq: Int64
    /// The entry's time (UTC text, as stored).
    public var utc: String
    /// The command it closed (`ingest`, `case.set-tz`, `case.rebuild`, `hashset.match`, …).
    public var after: String
    /// The digest and its sections as recorded.
    public var detail: FindingsDigestDetail
}

extension EvidenceDatabase {
    /// The findings digest with per-section hashes (``digest()`` is its `digest`).
    public func digestDetail() throws -> FindingsDigestDetail {
        try queue.read { db in
            let r = try FindingsDigest.computeWithSections(db)
            return FindingsDigestDetail(digest: r.digest, sections: r.sections)
        }
    }

    /// Computes the findings digest and appends it to the audit log as `findings.digest`
    /// (`after` names the command that changed the findings). Every writing command ends with
    /// this, so `exhibit verify` has something to compare the findings with. Returns the
    /// digest and the new chain head.
    @discardableResult
    public func recordFindingsDigest(after command: String) throws -> (detail: FindingsDigestDetail, head: String) {
        let detail = try digestDetail()
        let head = try appendAudit(action: Self.findingsDigestAction, details: .object([
            "after": .string(command),
            "digest": .string(detail.digest),
            "sections": .object(detail.sections.mapValues(JSONValue.string)),
        ]))
        return (detail, head)
    }

    /// The audit action of a recorded findings digest.
    public static let findingsDigestAction = "findings.digest"

    /// The last `findings.digest` entry of the audit log, or nil when none was ever recorded.
    public func lastRecordedDigest() throws -> RecordedFindingsDigest? {
        try queue.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT seq, utc, details FROM audit_log WHERE action = ? ORDER BY seq DESC LIMIT 1
                """, arguments: [Self.findingsDigestAction]) else { return nil }
            let text: String = try row.decode(forColumn: "details")
            guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                  let digest = object["digest"] as? String else { return nil }
            let sections = (object["sections"] as? [String: Any] ?? [:]).compactMapValues { $0 as? String }
            let seq: Int64 = try row.decode(forColumn: "seq")
            let utc: String? = try row.decode(forColumn: "utc")
            return RecordedFindingsDigest(seq: seq, utc: utc ?? "",
                                          after: object["after"] as? String ?? "?",
                                          detail: FindingsDigestDetail(digest: digest, sections: sections))
        }
    }

    /// Every audit entry with `action`, in chain order, as (seq, details object).
    public func auditEntries(action: String) throws -> [(seq: Int64, details: [String: Any])] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT seq, details FROM audit_log WHERE action = ? ORDER BY seq", arguments: [action])
                .map { row in
                    let text: String? = try row.decode(forColumn: "details")
                    let object = (try? JSONSerialization.jsonObject(with: Data((text ?? "").utf8))) as? [String: Any] ?? [:]
                    let seq: Int64 = try row.decode(forColumn: "seq")
                    return (seq, object)
                }
        }
    }

    /// The sequence number of the audit entry whose hash is `hash`, and the log's length; nil
    /// when no entry has that hash (the anchor check of `exhibit verify --head`).
    public func auditPosition(ofHash hash: String) throws -> (seq: Int64, entries: Int64)? {
        try queue.read { db in
            let total = try Int64.fetchOne(db, sql: "SELECT count(*) FROM audit_log") ?? 0
            guard let seq = try Int64.fetchOne(db, sql: "SELECT seq FROM audit_log WHERE hash = ?",
                                               arguments: [hash.lowercased()]) else { return nil }
            return (seq, total)
        }
    }

    /// The actions of the audit entries after `seq`, in order.
    public func auditActions(afterSeq seq: Int64) throws -> [String] {
        try queue.read { db in
            try String.fetchAll(db, sql: "SELECT action FROM audit_log WHERE seq > ? ORDER BY seq", arguments: [seq])
        }
    }
}
