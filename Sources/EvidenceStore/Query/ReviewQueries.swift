import ExhibitKit
import Foundation
import GRDB

/// One chat room in the review application's chat list.
public struct ChatListRow: Sendable, Hashable, Codable {
    /// `chats.id`.
    public var chatID: Int64
    /// `telegram`, `whatsapp`, `kakaotalk`, …
    public var platform: String
    /// Title as the export names it.
    public var title: String?
    /// `personal_chat`, `private_group`, … as the source says.
    public var chatType: String?
    /// Evidence label of the export.
    public var evidence: String
    /// The export file's virtual path.
    public var exportPath: String
    /// Messages in the chat (this export only).
    public var messages: Int
    /// Earliest and latest sent instants (UTC µs), when any message has one.
    public var firstMicros: Int64?
    /// Latest sent instant (UTC µs).
    public var lastMicros: Int64?
    /// Other exports of the same room (`chats.copy_of` pointing here).
    public var copies: Int
}

/// One message in a thread view: the message row plus the marks a reviewer reads in the app.
public struct ThreadMessage: Sendable, Hashable, Codable {
    /// The message as `exhibit messages` shows it, attachments included.
    public var message: ChatMessageRow
    /// The message's id in the app (`messages.native_id`).
    public var nativeID: String?
    /// The native id of the message it replies to.
    public var replyToNativeID: String?
    /// Who the message was forwarded from.
    public var forwardedFrom: String?
    /// Whether the app marked the message as edited.
    public var edited: Bool
    /// The source's note on the sent time.
    public var sentNote: String?
    /// UTC microseconds of the sent time.
    public var sentMicros: Int64?

    /// A thread message; everything beyond the message row is optional.
    public init(message: ChatMessageRow, nativeID: String? = nil, replyToNativeID: String? = nil, forwardedFrom: String? = nil,
                edited: Bool = false, sentNote: String? = nil, sentMicros: Int64? = nil) {
        self.message = message; self.nativeID = nativeID; self.replyToNativeID = replyToNativeID
        self.forwardedFrom = forwardedFrom; self.edited = edited; self.sentNote = sentNote; self.sentMicros = sentMicros
    }
}

/// Counts the review overview shows.
public struct CaseCounts: Sendable, Hashable, Codable {
    /// Inventory rows.
    public var files: Int
    /// Chat exports (copies of a room included).
    public var chats: Int
    /// Messages.
    public var messages: Int
    /// Timeline events.
    public var events: Int
    /// `analysis_errors` rows by status (`warning`, `error`, …).
    public var problems: [String: Int]
    /// Files by status (`ok`, `encrypted`, …).
    public var fileStatus: [String: Int]
}

extension EvidenceDatabase {
    /// Row counts for the overview: each a `count(*)` over one table.
    public func caseCounts() throws -> CaseCounts {
        let status = try statusCounts(), problems = try errorCounts()
        return try queue.read { db in
            func count(_ table: String) throws -> Int {
                try db.tableExists(table) ? Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0 : 0
            }
            return CaseCounts(files: try count("files"), chats: try count("chats"), messages: try count("messages"),
                              events: try count("events"), problems: problems, fileStatus: status)
        }
    }

    /// A cheap text that changes whenever findings change: the audit log's head and the largest
    /// row id of files, messages and events (each one index seek). Caches of counts key on it.
    public func changeMark() throws -> String {
        let head = try auditHead()
        return try queue.read { db in
            var parts = [head]
            for table in ["files", "messages", "events"] where try db.tableExists(table) {
                parts.append(String(try Int64.fetchOne(db, sql: "SELECT max(id) FROM \(table)") ?? 0))
            }
            return parts.joined(separator: "/")
        }
    }

    /// One page of chat rooms, original exports only (a second export of one room is counted in
    /// `copies`), ordered by platform, title and id. The page's ids are chosen first, so the
    /// per-chat counts run for the rows shown only, not for every chat before sorting.
    public func chatList(limit: Int, offset: Int) throws -> [ChatListRow] {
        try queue.read { db in
            let rows = try Row.fetchCursor(db, sql: """
                SELECT c.id, c.platform, c.title, c.chat_type, e.label, f.path,
                    (SELECT count(*) FROM messages m WHERE m.chat_id = c.id) AS messages,
                    (SELECT min(sent_utc_us) FROM messages m WHERE m.chat_id = c.id) AS first_us,
                    (SELECT max(sent_utc_us) FROM messages m WHERE m.chat_id = c.id) AS last_us,
                    (SELECT count(*) FROM chats k WHERE k.copy_of = c.id) AS copies
                FROM (SELECT id FROM chats WHERE copy_of IS NULL ORDER BY platform, title_nfc, id LIMIT ? OFFSET ?) page
                JOIN chats c ON c.id = page.id JOIN files f ON f.id = c.file_id JOIN evidence e ON e.id = f.evidence_id
                ORDER BY c.platform, c.title_nfc, c.id
                """, arguments: [max(0, limit), max(0, offset)])
            var out: [ChatListRow] = []
            while let r = try rows.next() {
                out.append(ChatListRow(
                    chatID: try r.decode(forColumn: "id"), platform: try r.decode(forColumn: "platform"),
                    title: try r.decode(forColumn: "title"), chatType: try r.decode(forColumn: "chat_type"),
                    evidence: try r.decode(forColumn: "label"), exportPath: try r.decode(forColumn: "path"),
                    messages: try r.decode(forColumn: "messages"), firstMicros: try r.decode(forColumn: "first_us"),
                    lastMicros: try r.decode(forColumn: "last_us"), copies: try r.decode(forColumn: "copies")))
            }
            return out
        }
    }

    /// Messages of one chat after `afterSequence`, in the export's order (keyset over
    /// `messages_chat`): a page costs the same at the start and the end of a long thread.
    public func threadPage(chatID: Int64, afterSequence: Int?, limit: Int) throws -> [ThreadMessage] {
        try queue.read { db in
            let ids = try Int64.fetchAll(db, sql: """
                SELECT id FROM messages WHERE chat_id = ? AND sequence > ? ORDER BY sequence LIMIT ?
                """, arguments: [chatID, afterSequence ?? Int.min, max(1, limit)])
            guard !ids.isEmpty else { return [] }
            let rows = try Self.fetchMessages(db, sql: """
                SELECT \(Self.messageColumns) FROM chat_messages v
                WHERE v.message_id IN (\(ids.map(String.init).joined(separator: ","))) ORDER BY v.sequence
                """, arguments: [])
            let extra = try db.cachedStatement(sql: """
                SELECT native_id, reply_to_native_id, forwarded_from, edited_marker, sent_note, sent_utc_us
                FROM messages WHERE id = ?
                """)
            return try rows.map { row, _ in
                let x = try Row.fetchOne(extra, arguments: [row.messageID])
                return ThreadMessage(
                    message: row, nativeID: try x?.decode(forColumn: "native_id"),
                    replyToNativeID: try x?.decode(forColumn: "reply_to_native_id"),
                    forwardedFrom: try x?.decode(forColumn: "forwarded_from"),
                    edited: (try x?.decode(Int?.self, forColumn: "edited_marker") ?? 0) != 0,
                    sentNote: try x?.decode(forColumn: "sent_note"), sentMicros: try x?.decode(forColumn: "sent_utc_us"))
            }
        }
    }

    /// The messages a thread view opens around one message: its chat and sequence.
    public func messagePosition(messageID: Int64) throws -> (chatID: Int64, sequence: Int)? {
        try queue.read { db in
            guard let r = try Row.fetchOne(db, sql: "SELECT chat_id, sequence FROM messages WHERE id = ?", arguments: [messageID])
            else { return nil }
            return (try r.decode(forColumn: "chat_id"), try r.decode(forColumn: "sequence"))
        }
    }

    /// Whether the timeline holds the event `id`.
    public func eventExists(id: Int64) throws -> Bool {
        try queue.read { db in
            try db.tableExists("events") && (try Bool.fetchOne(db, sql: "SELECT 1 FROM events WHERE id = ?", arguments: [id]) ?? false)
        }
    }

    /// Distinct event kinds with their counts (the timeline's kind filter), by kind.
    public func eventKinds() throws -> [String: Int] {
        try queue.read { db in
            guard try db.tableExists("events") else { return [:] }
            var out: [String: Int] = [:]
            for r in try Row.fetchAll(db, sql: "SELECT kind, count(*) AS events FROM events GROUP BY kind") {
                out[try r.decode(forColumn: "kind")] = try r.decode(forColumn: "events")
            }
            return out
        }
    }

    /// Whether `fileID` names an inventory row, and its SHA-256 and MIME type.
    public func fileIdentity(fileID: Int64) throws -> (sha256: String?, mime: String?, path: String)? {
        try queue.read { db in
            guard let r = try Row.fetchOne(db, sql: "SELECT sha256, mime, path FROM files WHERE id = ?", arguments: [fileID])
            else { return nil }
            return (try r.decode(forColumn: "sha256"), try r.decode(forColumn: "mime"), try r.decode(forColumn: "path"))
        }
    }

    /// For each SHA-256, the inventory row that holds it (the smallest id) and its MIME type: one
    /// query for a whole thread page's attachments.
    public func filesBySHA256(_ shas: [String]) throws -> [String: (id: Int64, mime: String?)] {
        let unique = Array(Set(shas.map { $0.lowercased() })).sorted()
        guard !unique.isEmpty else { return [:] }
        return try queue.read { db in
            var out: [String: (id: Int64, mime: String?)] = [:]
            for chunk in stride(from: 0, to: unique.count, by: 500) {
                let part = Array(unique[chunk..<min(chunk + 500, unique.count)])
                let rows = try Row.fetchAll(db, sql: """
                    SELECT sha256, min(id) AS id, mime FROM files WHERE sha256 IN (\(part.map { _ in "?" }.joined(separator: ","))) AND kind = 'file'
                    GROUP BY sha256
                    """, arguments: StatementArguments(part))
                for r in rows { out[try r.decode(forColumn: "sha256")] = (try r.decode(forColumn: "id"), try r.decode(forColumn: "mime")) }
            }
            return out
        }
    }

    /// SHA-256 values (lower case) that matched a known-bad hash set, directly or through their
    /// PDQ group, so the review application never shows them without a confirmation.
    public func knownBadSHA256s() throws -> Set<String> {
        Set(try knownMediaSpread().flatMap { $0.members + [$0.sha256] })
    }

}
