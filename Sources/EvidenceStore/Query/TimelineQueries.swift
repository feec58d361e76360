import ExhibitKit
import Foundation
import GRDB

/// Where a timeline page starts: after the event with this (instant, id), or — once timed
/// events are exhausted — after this id among events without an instant. Printed as
/// `t<utc_us>.<id>` / `n<id>` so a user can pass it back (`--after`).
public enum TimelineCursor: Sendable, Hashable, CustomStringConvertible {
    case timed(utcMicros: Int64, id: Int64)
    case untimed(id: Int64)

    /// Parses the printed form.
    public init?(_ text: String) {
        if text.hasPrefix("n"), let id = Int64(text.dropFirst()) { self = .untimed(id: id); return }
        guard text.hasPrefix("t") else { return nil }
        let parts = text.dropFirst().split(separator: ".", maxSplits: 1)
        guard parts.count == 2, let us = Int64(parts[0]), let id = Int64(parts[1]) else { return nil }
        self = .timed(utcMicros: us, id: id)
    }

    /// The printed form (`t<utc_us>.<id>` or `n<id>`).
    public var description: String {
        switch self {
        case .timed(let us, let id): return "t\(us).\(id)"
        case .untimed(let id): return "n\(id)"
        }
    }
}

/// Which events ``EvidenceDatabase/timelinePage(_:)`` returns. Times are half-open:
/// `fromMicros <= utc_us < beforeMicros`; a range excludes events without an instant.
public struct TimelineFilter: Sendable, Hashable {
    /// Only events at or after this instant (µs since the epoch, UTC).
    public var fromMicros: Int64?
    /// Only events before this instant.
    public var beforeMicros: Int64?
    /// Event kinds (`message.sent`); a trailing `*` matches a prefix (`file.*`).
    public var kinds: [String]
    /// Only events whose sender/actor contains this (NFC, case-insensitive).
    public var participant: String?
    /// Only events of chats whose title contains this (NFC, case-insensitive).
    public var chat: String?
    /// Only events whose file path matches this glob (SQLite GLOB: `*`, `?`, `[…]`).
    public var pathGlob: String?
    /// Only events whose description contains this (case-insensitive substring, a scan in time
    /// order that stops once the page is full).
    public var text: String?
    /// Page size.
    public var limit: Int
    /// Continue after this cursor.
    public var after: TimelineCursor?

    /// A filter; everything optional, 100 events per page.
    public init(fromMicros: Int64? = nil, beforeMicros: Int64? = nil, kinds: [String] = [], participant: String? = nil,
                chat: String? = nil, pathGlob: String? = nil, limit: Int = 100, after: TimelineCursor? = nil) {
        self.fromMicros = fromMicros; self.beforeMicros = beforeMicros; self.kinds = kinds; self.participant = participant
        self.chat = chat; self.pathGlob = pathGlob; self.limit = limit; self.after = after
    }

    /// The same filter with a description text condition (`exhibit serve`'s timeline search).
    public func containing(_ text: String?) -> TimelineFilter {
        var copy = self
        copy.text = text.flatMap { $0.isEmpty ? nil : $0 }
        return copy
    }
}

/// One row of the `timeline` view.
public struct TimelineRow: Sendable, Hashable, Codable {
    /// `events.id`.
    public var eventID: Int64
    /// UTC text, or `nil` without an instant.
    public var utc: String?
    /// The same instant in microseconds.
    public var utcMicros: Int64?
    /// The time exactly as the source wrote it.
    public var raw: String
    /// `utc`, `offset`, `assumed-zone` or `unknown`.
    public var basis: String
    /// Precision of the source's time.
    public var precision: String
    /// The source's note on the time.
    public var note: String?
    /// Event kind (docs/timeline.md).
    public var kind: String
    /// One line for a person.
    public var description: String
    /// Id of the analyzer whose finding carries the time.
    public var source: String
    /// Virtual path of the file the event is about.
    public var filePath: String?
    /// The message (`messages.id`).
    public var messageID: Int64?
    /// Chat title.
    public var chat: String?
    /// Sender as the source names them.
    public var sender: String?
    /// SHA-256 of the content.
    public var sha256: String?
    /// Evidence label.
    public var evidence: String?
    /// The cursor that continues after this row.
    public var cursor: TimelineCursor {
        utcMicros.map { .timed(utcMicros: $0, id: eventID) } ?? .untimed(id: eventID)
    }
}

/// A page of the timeline and the cursor of the next page (`nil` at the end).
public struct TimelinePage: Sendable, Hashable {
    /// The page's rows.
    public var rows: [TimelineRow]
    /// Cursor of the next page, `nil` at the end.
    public var next: TimelineCursor?
}

extension EvidenceDatabase {
    /// One page of the timeline in (instant, id) order, events without an instant last.
    ///
    /// Keyset paging: a page costs the same at event 10 and at event 10,000,000. A participant
    /// filter is resolved to the exact sender values first (a skip scan of `events_sender`, one
    /// seek per distinct sender), then each sender's events are read in index order and merged.
    public func timelinePage(_ filter: TimelineFilter) throws -> TimelinePage {
        let limit = max(1, filter.limit)
        return try queue.read { db in
            var senders: [String?] = [nil]
            if let p = filter.participant {
                senders = try Self.matchingSenders(db, SearchText.nfc(p).lowercased()).map { $0 }
                if senders.isEmpty { return TimelinePage(rows: [], next: nil) }
            }
            var chatIDs: [Int64]? = nil
            if let chat = filter.chat {
                chatIDs = try Int64.fetchAll(db, sql: "SELECT id FROM chats WHERE instr(lower(title_nfc), lower(?)) > 0",
                                             arguments: [SearchText.nfc(chat)])
                if chatIDs?.isEmpty == true { return TimelinePage(rows: [], next: nil) }
            }
            var rows: [TimelineRow] = []
            let ranged = filter.fromMicros != nil || filter.beforeMicros != nil
            var after = filter.after
            if case .untimed = after {} else {
                rows = try Self.phase(db, timed: true, filter: filter, after: after, senders: senders, chatIDs: chatIDs, limit: limit)
                after = nil
            }
            if rows.count < limit && !ranged {
                rows += try Self.phase(db, timed: false, filter: filter, after: after, senders: senders, chatIDs: chatIDs,
                                       limit: limit - rows.count)
            }
            let more = rows.count == limit ? rows.last?.cursor : nil
            return TimelinePage(rows: rows, next: more)
        }
    }

    /// Distinct sender values containing `needle`, found by hopping through the sender index
    /// (one seek per distinct sender, all inside SQLite), compared in NFC in Swift.
    static func matchingSenders(_ db: Database, _ needle: String) throws -> [String] {
        let names = try String.fetchAll(db, sql: """
            WITH RECURSIVE s(name) AS (
                SELECT (SELECT min(sender) FROM events WHERE sender IS NOT NULL)
                UNION ALL
                SELECT (SELECT min(sender) FROM events WHERE sender > s.name) FROM s WHERE s.name IS NOT NULL)
            SELECT name FROM s WHERE name IS NOT NULL
            """)
        return names.filter { SearchText.nfc($0).lowercased().contains(needle) }
    }

    private static let rowColumns = """
        ev.id AS event_id, ev.utc, ev.utc_us, ev.raw, ev.basis, ev.precision, ev.note, ev.kind, ev.description, ev.source,
        f.path AS file_path, ev.message_id, c.title AS chat_title, ev.sender, f.sha256, e.label AS evidence_label
        """

    /// One slice of a filtered page: a sender, or a chat, read in its own index order.
    private enum Partition { case all, sender(String), chat(Int64) }

    /// Timed (`utc_us` set) or untimed events after the cursor. A participant or chat filter is
    /// split into one query per sender (or chat), each walking `events_sender` (or
    /// `events_chat`) in time order with its own LIMIT; the slices are merged. One big `IN`
    /// list would make SQLite collect and sort every matching event of the range first.
    private static func phase(_ db: Database, timed: Bool, filter: TimelineFilter, after: TimelineCursor?,
                              senders: [String?], chatIDs: [Int64]?, limit: Int) throws -> [TimelineRow] {
        var partitions: [Partition] = senders.map { $0.map(Partition.sender) ?? .all }
        var chatIDs = chatIDs
        if case .all = partitions.first, let ids = chatIDs, ids.count <= 500 {
            partitions = ids.map(Partition.chat)
            chatIDs = nil
        }
        var merged: [TimelineRow] = []
        for partition in partitions {
            var clauses: [String] = []
            var args = StatementArguments()
            if timed {
                clauses.append("ev.utc_us IS NOT NULL")
                if let from = filter.fromMicros { clauses.append("ev.utc_us >= ?"); args += [from] }
                if let before = filter.beforeMicros { clauses.append("ev.utc_us < ?"); args += [before] }
                if case .timed(let us, let id)? = after { clauses.append("(ev.utc_us, ev.id) > (?, ?)"); args += [us, id] }
            } else {
                clauses.append("ev.utc_us IS NULL")
                if case .untimed(let id)? = after { clauses.append("ev.id > ?"); args += [id] }
            }
            switch partition {
            case .all: break
            case .sender(let sender): clauses.append("ev.sender = ?"); args += [sender]
            case .chat(let id): clauses.append("ev.chat_id = ?"); args += [id]
            }
            if !filter.kinds.isEmpty {
                let parts = filter.kinds.map { $0.hasSuffix("*") ? "ev.kind GLOB ?" : "ev.kind = ?" }
                clauses.append("(" + parts.joined(separator: " OR ") + ")")
                for k in filter.kinds { args += [k] }
            }
            if let ids = chatIDs { clauses.append("ev.chat_id IN (\(ids.map(String.init).joined(separator: ",")))") }
            if let glob = filter.pathGlob { clauses.append("f.path GLOB ?"); args += [glob] }
            if let text = filter.text { clauses.append("instr(lower(ev.description), lower(?)) > 0"); args += [SearchText.nfc(text)] }
            args += [limit]
            let order = timed ? "ev.utc_us, ev.id" : "ev.id"
            let rows = try Row.fetchCursor(db, sql: """
                SELECT \(rowColumns) FROM events ev LEFT JOIN files f ON f.id = ev.file_id
                    LEFT JOIN chats c ON c.id = ev.chat_id LEFT JOIN evidence e ON e.id = ev.evidence_id
                WHERE \(clauses.joined(separator: " AND ")) ORDER BY \(order) LIMIT ?
                """, arguments: args)
            while let r = try rows.next() {
                merged.append(TimelineRow(
                    eventID: try r.decode(forColumn: "event_id"), utc: try r.decode(forColumn: "utc"),
                    utcMicros: try r.decode(forColumn: "utc_us"), raw: try r.decode(forColumn: "raw"),
                    basis: try r.decode(forColumn: "basis"), precision: try r.decode(forColumn: "precision"),
                    note: try r.decode(forColumn: "note"), kind: try r.decode(forColumn: "kind"),
                    description: try r.decode(forColumn: "description"), source: try r.decode(forColumn: "source"),
                    filePath: try r.decode(forColumn: "file_path"), messageID: try r.decode(forColumn: "message_id"),
                    chat: try r.decode(forColumn: "chat_title"), sender: try r.decode(forColumn: "sender"),
                    sha256: try r.decode(forColumn: "sha256"), evidence: try r.decode(forColumn: "evidence_label")))
            }
        }
        guard partitions.count > 1 else { return merged }
        merged.sort { ($0.utcMicros ?? 0, $0.eventID) < ($1.utcMicros ?? 0, $1.eventID) }
        return Array(merged.prefix(limit))
    }
}
