import ExhibitKit
import Foundation
import GRDB

/// Which messages ``EvidenceDatabase/chatMessages(_:)`` returns.
public struct MessageFilter: Sendable, Hashable {
    /// Only chats whose title contains this (NFC, case-insensitive for ASCII).
    public var chat: String?
    /// Only senders whose name contains this (NFC, case-insensitive for ASCII).
    public var sender: String?
    /// Only messages sent at or after this instant (microseconds since the epoch, UTC).
    public var fromMicros: Int64?
    /// Only messages sent before this instant.
    public var beforeMicros: Int64?
    /// Also the messages of chats that are copies of another chat row (`chats.copy_of`).
    public var includeCopies: Bool
    /// At most this many messages.
    public var limit: Int?
    /// Only recovered deleted records (`messages.recovered` = 1).
    public var recoveredOnly = false

    /// A filter; everything is optional.
    public init(chat: String? = nil, sender: String? = nil, fromMicros: Int64? = nil, beforeMicros: Int64? = nil,
                includeCopies: Bool = false, limit: Int? = nil) {
        self.chat = chat; self.sender = sender; self.fromMicros = fromMicros; self.beforeMicros = beforeMicros
        self.includeCopies = includeCopies; self.limit = limit
    }
}

/// One attachment of a message, as queries return it.
public struct AttachmentSummary: Sendable, Hashable, Codable {
    /// `photo`, `video`, `file`, …
    public var kind: String
    /// The reference as the export wrote it, or `nil`.
    public var reference: String?
    /// `resolved`, `missing`, `remote`, `pending`.
    public var status: String
    /// Why the file is missing.
    public var missingReason: String?
    /// The linked file's virtual path and SHA-256, when resolved.
    public var path: String?
    /// SHA-256 of the linked file.
    public var sha256: String?
}

/// One message of `chat_messages`, with its attachments.
public struct ChatMessageRow: Sendable, Hashable, Codable {
    /// `messages.id`.
    public var messageID: Int64
    /// `chats.id` and the room it belongs to (the first chat row of the room).
    public var chatID: Int64
    /// The room: the chat row all copies point at.
    public var roomID: Int64
    /// `telegram`, `whatsapp`, …
    public var platform: String
    /// Chat title.
    public var chat: String?
    /// Evidence label and virtual path of the export file.
    public var evidence: String
    /// Virtual path of the export file.
    public var exportPath: String
    /// Order in the export file.
    public var sequence: Int
    /// `message`, `service`, `system`, `unsupported`.
    public var kind: String
    /// Sender name; `nil` for system lines.
    public var sender: String?
    /// `YYYY-MM-DDTHH:MM:SS[.ffffff]Z` or `nil`.
    public var sentUTC: String?
    /// Basis of `sentUTC`.
    public var sentBasis: String?
    /// The time as the export wrote it.
    public var sentRaw: String?
    /// The text as exported.
    public var text: String
    /// The export shows the message as deleted.
    public var deleted: Bool
    /// For service messages: the action (`create_group`, `invite_members`, `screenshot_taken`…),
    /// who did it, and the action's fields as JSON.
    public var serviceAction: String? = nil
    public var serviceActor: String? = nil
    public var serviceDetails: String? = nil
    /// Sent by the device owner (the exporting user / the phone's account).
    public var fromDeviceOwner: Bool = false
    /// A recovered deleted record: carved from the app database's free space or history, not
    /// read from its live rows (`messages.recovered`).
    public var recovered: Bool = false
    /// The `recovered_records` row it was read from, for a recovered message.
    public var recoveredRecordID: Int64? = nil
    /// The message's attachments in order.
    public var attachments: [AttachmentSummary]
}

/// A search result: the message and a snippet with the match in `[…]`.
public struct SearchHit: Sendable, Hashable, Codable {
    /// The message hit.
    public var message: ChatMessageRow
    /// Text around the match, the match in brackets.
    public var snippet: String
    /// Where the match was: `text` (the message), `sender` (the sender's name) or `chat` (the
    /// chat's title) — a hit on a name is shown with the message, the name marked (issue 15).
    public var field: String = "text"
}

/// The result of ``EvidenceDatabase/searchChats(_:includeCopies:limit:)``.
public struct SearchResult: Sendable, Hashable, Codable {
    /// How the query was answered: `trigram` (FTS5 trigram index, 3+ characters), `bigram`
    /// (the 2-character index), `scan` (1 character, or 2 with punctuation: a scan of all text).
    public var path: String
    /// Hits in thread order (evidence, export file, sequence).
    public var hits: [SearchHit]
}

extension EvidenceDatabase {
    /// The `chat_messages` columns ``ChatMessageRow/init(row:)`` reads, selected from alias `v`.
    static let messageColumns = ChatMessageColumns.allCases.map { "v.\($0.rawValue)" }.joined(separator: ", ")

    /// Messages of `chat_messages` in thread order (evidence label, export file, sequence).
    public func chatMessages(_ filter: MessageFilter = MessageFilter()) throws -> [ChatMessageRow] {
        var clauses: [String] = []
        var args = StatementArguments()
        if !filter.includeCopies { clauses.append("c.copy_of IS NULL") }
        if let chat = filter.chat {
            clauses.append("instr(lower(c.title_nfc), lower(?)) > 0")
            args += [SearchText.nfc(chat)]
        }
        if let sender = filter.sender {
            clauses.append("instr(lower(m.sender_nfc), lower(?)) > 0")
            args += [SearchText.nfc(sender)]
        }
        if let from = filter.fromMicros { clauses.append("m.sent_utc_us >= ?"); args += [from] }
        if let before = filter.beforeMicros { clauses.append("m.sent_utc_us < ?"); args += [before] }
        if filter.recoveredOnly { clauses.append("m.recovered = 1") }
        let whereSQL = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        let limit = filter.limit.map { "LIMIT \(max(0, $0))" } ?? ""
        return try queue.read { db in
            try Self.fetchMessages(db, sql: """
                SELECT \(Self.messageColumns) FROM chat_messages v
                WHERE v.message_id IN (SELECT m.id FROM messages m JOIN chats c ON c.id = m.chat_id \(whereSQL))
                ORDER BY v.evidence, v.export_sort_key, v.sequence \(limit)
                """, arguments: args).map { $0.0 }
        }
    }

    /// Full-text search over message text, sender names and chat titles, compared in NFC and
    /// case-insensitively: substrings of 3+ characters through the trigram index, 2 word
    /// characters (사진, 영상) through the bigram index, anything shorter by a scan.
    public func searchChats(_ query: String, includeCopies: Bool = false, limit: Int = 1000) throws -> SearchResult {
        // FTS5 ends a quoted phrase at a NUL (SQLite error "unterminated string"); no stored
        // text can match one through the index anyway, so it is dropped from the query.
        let q = SearchText.nfc(query).replacingOccurrences(of: "\0", with: "")
        let path = SearchText.path(for: q)
        guard !q.isEmpty else { return SearchResult(path: "scan", hits: []) }
        let copies = includeCopies ? "" : "AND v.chat_id IN (SELECT id FROM chats WHERE copy_of IS NULL)"
        return try queue.read { db in
            let ids: String
            var args = StatementArguments()
            switch path {
            case .trigram:
                ids = "SELECT rowid FROM chat_fts WHERE chat_fts MATCH ?"
                args += [SearchText.phrase(q)]
            case .bigram:
                ids = "SELECT rowid FROM chat_bigrams WHERE chat_bigrams MATCH ?"
                args += [SearchText.phrase(q.lowercased())]
            case .scan:
                ids = """
                    SELECT message_id FROM chat_search_source
                    WHERE instr(lower(text), ?) > 0 OR instr(lower(sender), ?) > 0 OR instr(lower(chat), ?) > 0
                    """
                args += [q.lowercased(), q.lowercased(), q.lowercased()]
            }
            // The page's ids first, in thread order without sorting every hit (SearchOrder.swift).
            let page = try SearchOrder.firstHits(db, hitsSQL: ids, hitArgs: args, includeCopies: includeCopies, limit: limit)
            let rows = try Self.fetchMessages(db, sql: """
                SELECT \(Self.messageColumns), s.text AS search_text, s.sender AS search_sender, s.chat AS search_chat
                FROM chat_messages v
                JOIN chat_search_source s ON s.message_id = v.message_id
                WHERE v.message_id IN (\(page.map(String.init).joined(separator: ","))) \(copies)
                ORDER BY v.evidence, v.export_sort_key, v.sequence
                """, arguments: [], extra: ["search_text", "search_sender", "search_chat"])
            let hits = rows.map { row, extra in
                let found = Self.snippet(query: q, in: extra)
                return SearchHit(message: row, snippet: found.snippet, field: found.field)
            }
            return SearchResult(path: path.rawValue, hits: hits)
        }
    }

    /// Up to 30 characters either side of the first match (text, else sender, else chat title),
    /// and which of the three it was in.
    static func snippet(query: String, in texts: [String?]) -> (snippet: String, field: String) {
        let fields = ["text", "sender", "chat"]
        for (i, t) in texts.enumerated() {
            guard let text = t, let r = text.range(of: query, options: [.caseInsensitive]) else { continue }
            let field = i < fields.count ? fields[i] : "text"
            let start = text.index(r.lowerBound, offsetBy: -30, limitedBy: text.startIndex) ?? text.startIndex
            let end = text.index(r.upperBound, offsetBy: 30, limitedBy: text.endIndex) ?? text.endIndex
            let flat = { (s: Substring) in s.replacingOccurrences(of: "\n", with: " ") }
            return ((start > text.startIndex ? "…" : "") + flat(text[start..<r.lowerBound]) + "[" + flat(text[r])
                + "]" + flat(text[r.upperBound..<end]) + (end < text.endIndex ? "…" : ""), field)
        }
        return (String((texts.compactMap { $0 }.first ?? "").prefix(60)), "text")
    }

    /// Decodes rows of ``messageColumns`` (plus the text columns named `extra`, in that order)
    /// and loads each message's attachments.
    static func fetchMessages(_ db: Database, sql: String, arguments: StatementArguments, extra: [String] = []) throws
        -> [(ChatMessageRow, [String?])] {
        var out: [(ChatMessageRow, [String?])] = []
        let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        while let row = try rows.next() {
            out.append((try ChatMessageRow(row: row), try extra.map { try row.decode(String?.self, forColumn: $0) }))
        }
        let attach = try db.cachedStatement(sql: """
            SELECT a.kind, a.reference, a.status, a.missing_reason, f.path, a.sha256
            FROM attachments a LEFT JOIN files f ON f.id = a.linked_file_id WHERE a.message_id = ? ORDER BY a.ordinal
            """)
        let service = try db.cachedStatement(sql: """
            SELECT service_action, service_actor, service_details, from_device_owner, recovered, recovered_record_id
            FROM messages WHERE id = ?
            """)
        for i in out.indices {
            if let s = try Row.fetchOne(service, arguments: [out[i].0.messageID]) {
                out[i].0.serviceAction = try s.decode(forColumn: "service_action")
                out[i].0.serviceActor = try s.decode(forColumn: "service_actor")
                out[i].0.serviceDetails = try s.decode(forColumn: "service_details")
                out[i].0.fromDeviceOwner = try s.decode(Bool?.self, forColumn: "from_device_owner") ?? false
                out[i].0.recovered = try s.decode(Bool?.self, forColumn: "recovered") ?? false
                out[i].0.recoveredRecordID = try s.decode(forColumn: "recovered_record_id")
            }
            for a in try Row.fetchAll(attach, arguments: [out[i].0.messageID]) {
                out[i].0.attachments.append(AttachmentSummary(
                    kind: try a.decode(forColumn: "kind"), reference: try a.decode(forColumn: "reference"),
                    status: try a.decode(forColumn: "status"), missingReason: try a.decode(forColumn: "missing_reason"),
                    path: try a.decode(forColumn: "path"), sha256: try a.decode(forColumn: "sha256")))
            }
        }
        return out
    }
}
