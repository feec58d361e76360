import ExhibitKit
import Foundation
import GRDB

/// What a tag, note or reveal is about: a message, a file, a timeline event or a picture group.
public enum ReviewTargetKind: String, Sendable, Codable, CaseIterable {
    case message, file, event, group
}

/// One tag a reviewer set.
public struct ReviewTag: Sendable, Hashable, Codable {
    /// What it is about.
    public var target: ReviewTargetKind
    /// Row id (message, file, event) or picture-group key (`pdq:…` or a SHA-256).
    public var targetID: String
    /// `relevant`, `known-bad`, `privileged`, `cat-0` … `cat-5`, or a custom word.
    public var tag: String
    /// Who set it.
    public var reviewer: String
    /// When (UTC text).
    public var utc: String
}

/// One note a reviewer wrote (the latest text per target and reviewer).
public struct ReviewNote: Sendable, Hashable, Codable {
    /// What it is about.
    public var target: ReviewTargetKind
    /// Row id or picture-group key.
    public var targetID: String
    /// The note.
    public var text: String
    /// Who wrote it.
    public var reviewer: String
    /// When (UTC text).
    public var utc: String
}

/// One entry of the hash-chained review log.
public struct ReviewLogEntry: Sendable, Hashable, Codable {
    /// 1, 2, 3, … without gaps.
    public var seq: Int64
    /// When (UTC text).
    public var utc: String
    /// Who.
    public var reviewer: String
    /// `tag.add`, `tag.remove`, `note.set`, `media.reveal`, `review.open`, `export.portable`.
    public var action: String
    /// Canonical JSON of what was done.
    public var details: String
    /// Hash of the previous entry (``AuditChain/genesis`` first).
    public var prevHash: String
    /// ``AuditChain/hash(prevHash:seq:utc:action:details:)`` over this entry, `details` carrying the reviewer.
    public var hash: String
}

/// Errors of the review database.
public enum ReviewDatabaseError: Error, Sendable, CustomStringConvertible {
    /// A tag or reviewer name that is empty, too long or holds control characters.
    case invalidText(field: String)
    /// The file is a SQLite database of something else (the case itself, say).
    case notReviewDatabase(path: String)

    /// One sentence.
    public var description: String {
        switch self {
        case .invalidText(let field): return "\(field): 1 to 200 characters, no control characters"
        case .notReviewDatabase(let path): return "\(path) is not an Exhibit review database"
        }
    }
}

/// The reviewer's work product, kept beside the case in its own SQLite file (`case.review.sqlite`)
/// so the case database is never written: tags, notes and a hash-chained review log (the same
/// chain rule as the case's `audit_log`, see ``AuditChain``). Every change and its log entry
/// commit in one transaction.
public final class ReviewDatabase: Sendable {
    /// `PRAGMA application_id` of review databases ("EXHR").
    public static let applicationID: Int32 = 0x4558_4852
    /// The file.
    public let path: String
    private let queue: DatabaseQueue

    /// The sidecar path for a case database: `case.sqlite` → `case.review.sqlite`.
    public static func sidecarPath(forCase casePath: String) -> String {
        let url = URL(fileURLWithPath: casePath)
        let base = url.pathExtension.isEmpty ? url.lastPathComponent : url.deletingPathExtension().lastPathComponent
        return url.deletingLastPathComponent().appendingPathComponent(base + ".review.sqlite").path
    }

    /// Opens or creates the review database at `path`; refuses any other SQLite file.
    public init(path: String) throws {
        self.path = path
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.label = "ReviewDatabase"
        queue = try DatabaseQueue(path: path, configuration: config)
        var migrator = DatabaseMigrator()
        migrator.registerMigration("r1-review") { db in
            try db.execute(sql: """
                PRAGMA application_id = \(Self.applicationID);
                CREATE TABLE tags (target TEXT NOT NULL, target_id TEXT NOT NULL, tag TEXT NOT NULL,
                    reviewer TEXT NOT NULL, utc TEXT NOT NULL, PRIMARY KEY (target, target_id, tag));
                CREATE TABLE notes (target TEXT NOT NULL, target_id TEXT NOT NULL, reviewer TEXT NOT NULL,
                    text TEXT NOT NULL, utc TEXT NOT NULL, PRIMARY KEY (target, target_id, reviewer));
                CREATE TABLE review_log (seq INTEGER PRIMARY KEY, utc TEXT NOT NULL, reviewer TEXT NOT NULL,
                    action TEXT NOT NULL, details TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
                """)
        }
        let (appID, tables) = try queue.read { db in
            (try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0,
             try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'") ?? 0)
        }
        guard appID == Self.applicationID || (appID == 0 && tables == 0) else {
            throw ReviewDatabaseError.notReviewDatabase(path: path)
        }
        try migrator.migrate(queue)
    }

    /// Adds (`on`) or removes a tag; logs the change. Setting a tag that is already set (or
    /// removing one that is not) changes nothing and logs nothing.
    public func setTag(_ tag: String, on: Bool, target: ReviewTargetKind, id: String, reviewer: String) throws {
        let tag = try Self.clean(tag, "tag"), reviewer = try Self.clean(reviewer, "reviewer"), id = try Self.clean(id, "id")
        try queue.write { db in
            let exists = try Bool.fetchOne(db, sql: "SELECT 1 FROM tags WHERE target = ? AND target_id = ? AND tag = ?",
                                           arguments: [target.rawValue, id, tag]) ?? false
            guard exists != on else { return }
            let utc = StoreClock.nowText()
            if on {
                try db.execute(sql: "INSERT INTO tags (target, target_id, tag, reviewer, utc) VALUES (?, ?, ?, ?, ?)",
                               arguments: [target.rawValue, id, tag, reviewer, utc])
            } else {
                try db.execute(sql: "DELETE FROM tags WHERE target = ? AND target_id = ? AND tag = ?",
                               arguments: [target.rawValue, id, tag])
            }
            try Self.append(db, reviewer: reviewer, action: on ? "tag.add" : "tag.remove",
                            details: ["target": .string(target.rawValue), "id": .string(id), "tag": .string(tag)], utc: utc)
        }
    }

    /// The Project VIC style categories a medium can carry, as tags `cat-0` … `cat-5`.
    public static let categories = 0...5

    /// Sets a medium's CAT category (`nil` clears it): at most one `cat-N` tag per target. In
    /// one transaction, any other `cat-` tag is removed and the new one added, each change
    /// logged as `tag.remove` / `tag.add` like any tag; setting the current one changes nothing.
    public func setCategory(_ category: Int?, target: ReviewTargetKind, id: String, reviewer: String) throws {
        if let category, !Self.categories.contains(category) { throw ReviewDatabaseError.invalidText(field: "category") }
        let reviewer = try Self.clean(reviewer, "reviewer"), id = try Self.clean(id, "id")
        let wanted = category.map { "cat-\($0)" }
        try queue.write { db in
            let utc = StoreClock.nowText()
            let current = try String.fetchAll(db, sql: "SELECT tag FROM tags WHERE target = ? AND target_id = ? AND tag GLOB 'cat-[0-9]*' ORDER BY tag",
                                              arguments: [target.rawValue, id])
            for tag in current where tag != wanted {
                try db.execute(sql: "DELETE FROM tags WHERE target = ? AND target_id = ? AND tag = ?", arguments: [target.rawValue, id, tag])
                try Self.append(db, reviewer: reviewer, action: "tag.remove",
                                details: ["target": .string(target.rawValue), "id": .string(id), "tag": .string(tag)], utc: utc)
            }
            if let wanted, !current.contains(wanted) {
                try db.execute(sql: "INSERT INTO tags (target, target_id, tag, reviewer, utc) VALUES (?, ?, ?, ?, ?)",
                               arguments: [target.rawValue, id, wanted, reviewer, utc])
                try Self.append(db, reviewer: reviewer, action: "tag.add",
                                details: ["target": .string(target.rawValue), "id": .string(id), "tag": .string(wanted)], utc: utc)
            }
        }
    }

    /// Sets this reviewer's note on a target (an empty text removes it); logs the text.
    public func setNote(_ text: String, target: ReviewTargetKind, id: String, reviewer: String) throws {
        let reviewer = try Self.clean(reviewer, "reviewer"), id = try Self.clean(id, "id")
        guard text.utf8.count <= 64 << 10 else { throw ReviewDatabaseError.invalidText(field: "note") }
        try queue.write { db in
            let utc = StoreClock.nowText()
            if text.isEmpty {
                try db.execute(sql: "DELETE FROM notes WHERE target = ? AND target_id = ? AND reviewer = ?",
                               arguments: [target.rawValue, id, reviewer])
            } else {
                try db.execute(sql: "INSERT OR REPLACE INTO notes (target, target_id, reviewer, text, utc) VALUES (?, ?, ?, ?, ?)",
                               arguments: [target.rawValue, id, reviewer, text, utc])
            }
            try Self.append(db, reviewer: reviewer, action: "note.set",
                            details: ["target": .string(target.rawValue), "id": .string(id), "text": .string(text)], utc: utc)
        }
    }

    /// Records one reviewer action without changing tags or notes (a blurred picture revealed,
    /// the application opened).
    public func record(action: String, reviewer: String, details: [String: JSONValue]) throws {
        let reviewer = try Self.clean(reviewer, "reviewer"), action = try Self.clean(action, "action")
        try queue.write { db in try Self.append(db, reviewer: reviewer, action: action, details: details, utc: StoreClock.nowText()) }
    }

    /// Tags, optionally of one target kind and id, in (target, id, tag) order.
    public func tags(target: ReviewTargetKind? = nil, id: String? = nil) throws -> [ReviewTag] {
        try queue.read { db in
            try Row.fetchAll(db, sql: """
                SELECT target, target_id, tag, reviewer, utc FROM tags
                WHERE (?1 IS NULL OR target = ?1) AND (?2 IS NULL OR target_id = ?2) ORDER BY target, target_id, tag
                """, arguments: [target?.rawValue, id]).compactMap { r in
                guard let kind = ReviewTargetKind(rawValue: try r.decode(String.self, forColumn: "target")) else { return nil }
                return ReviewTag(target: kind, targetID: try r.decode(forColumn: "target_id"), tag: try r.decode(forColumn: "tag"),
                                 reviewer: try r.decode(forColumn: "reviewer"), utc: try r.decode(forColumn: "utc"))
            }
        }
    }

    /// Notes, optionally of one target, in (target, id, reviewer) order.
    public func notes(target: ReviewTargetKind? = nil, id: String? = nil) throws -> [ReviewNote] {
        try queue.read { db in
            try Row.fetchAll(db, sql: """
                SELECT target, target_id, reviewer, text, utc FROM notes
                WHERE (?1 IS NULL OR target = ?1) AND (?2 IS NULL OR target_id = ?2) ORDER BY target, target_id, reviewer
                """, arguments: [target?.rawValue, id]).compactMap { r in
                guard let kind = ReviewTargetKind(rawValue: try r.decode(String.self, forColumn: "target")) else { return nil }
                return ReviewNote(target: kind, targetID: try r.decode(forColumn: "target_id"), text: try r.decode(forColumn: "text"),
                                  reviewer: try r.decode(forColumn: "reviewer"), utc: try r.decode(forColumn: "utc"))
            }
        }
    }

    /// Log entries after `afterSeq`, oldest first, at most `limit`.
    public func log(afterSeq: Int64 = 0, limit: Int = 200) throws -> [ReviewLogEntry] {
        try queue.read { db in
            try Row.fetchAll(db, sql: """
                SELECT seq, utc, reviewer, action, details, prev_hash, hash FROM review_log WHERE seq > ? ORDER BY seq LIMIT ?
                """, arguments: [afterSeq, max(1, limit)]).map { r in
                ReviewLogEntry(seq: try r.decode(forColumn: "seq"), utc: try r.decode(forColumn: "utc"), reviewer: try r.decode(forColumn: "reviewer"),
                               action: try r.decode(forColumn: "action"), details: try r.decode(forColumn: "details"),
                               prevHash: try r.decode(forColumn: "prev_hash"), hash: try r.decode(forColumn: "hash"))
            }
        }
    }

    /// Re-checks every entry's hash and link, and that its reviewer column names the reviewer
    /// inside the hashed details: `nil` when the chain holds, else the first bad `seq`.
    public func verifyLog() throws -> Int64? {
        var prev = AuditChain.genesis, expected: Int64 = 1, after: Int64 = 0
        while true {
            let page = try log(afterSeq: after, limit: 1000)
            if page.isEmpty { return nil }
            for e in page {
                let hash = AuditChain.hash(prevHash: e.prevHash, seq: e.seq, utc: e.utc, action: e.action, details: e.details)
                // The reviewer column is a copy of the hashed details' reviewer: it must agree.
                let named = (try? JSONSerialization.jsonObject(with: Data(e.details.utf8)) as? [String: Any])?["reviewer"] as? String
                if e.seq != expected || e.prevHash != prev || hash != e.hash || named != e.reviewer { return e.seq }
                prev = e.hash; expected += 1; after = e.seq
            }
        }
    }

    /// Appends one chained entry; the reviewer is part of the hashed details.
    private static func append(_ db: Database, reviewer: String, action: String, details: [String: JSONValue], utc: String) throws {
        var details = details
        details["reviewer"] = .string(reviewer)
        let last = try Row.fetchOne(db, sql: "SELECT seq, hash FROM review_log ORDER BY seq DESC LIMIT 1")
        let seq: Int64 = try (last?.decode(Int64.self, forColumn: "seq")).map { $0 + 1 } ?? 1
        let prev: String = try last?.decode(String.self, forColumn: "hash") ?? AuditChain.genesis
        let text = JSONValue.object(details).canonicalText
        let hash = AuditChain.hash(prevHash: prev, seq: seq, utc: utc, action: action, details: text)
        try db.execute(sql: """
            INSERT INTO review_log (seq, utc, reviewer, action, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [seq, utc, reviewer, action, text, prev, hash])
    }

    /// Trims and checks a short name (tag, reviewer, id, action).
    static func clean(_ text: String, _ field: String) throws -> String {
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !t.isEmpty, t.count <= 200, !t.unicodeScalars.contains(where: { $0.properties.generalCategory == .control
                || $0.properties.generalCategory == .format }) else {
            throw ReviewDatabaseError.invalidText(field: field)
        }
        return t
    }
}
