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
    public var fromMicros: Int64?
    public var beforeMicros: Int64?
    /// Event kinds (`message.sent`); a trailing `*` matches a prefix (`file.*`).
    public var kinds: [String]
    /// Only events whose sender/actor contains this (NFC, case-insensitive).
    public var participant: String?
    /// Only events of chats whose title contains this (NFC, case-insensitive).
    public var chat: String?
    /// Only events whose file path matches this glob (SQLite GLOB: `*`, `?`, `[…]`).
    public var pathGlob: String?
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
}

/// One row of the `timeline` view.
public struct TimelineRow: Sendable, Hashable, Codable {
    public var eventID: Int64
    public var utc: String?
    public var utcMicros: Int64?
    public var raw: String
    public var basis: String
    public var precision: String
    public var note: String?
    public var kind: String
    public var description: String
    public var source: String
    public var filePath: String?
    public var messageID: Int64?
    public var chat: String?
    public var sender: String?
    public var sha256: String?
    public var evidence: String?
    /// The cursor that continues after this row.
    public var cursor: TimelineCursor {
        utcMicros.map { .timed(utcMicros: $0, id: eventID) } ?? .untimed(id: eventID)
    }
}

/// A page of the timeline and the cursor of the next page (`nil` at the end).
public struct TimelinePage: Sendable, Hashable {
    public var rows: [TimelineRow]
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

    /// Distinct sender values containing `needle`, found by hopping through the sender index.
    static func matchingSenders(_ db: Database, _ needle: String) throws -> [String] {
        let next = try db.cachedStatement(sql: "SELECT sender FROM events WHERE sender > ? ORDER BY sender LIMIT 1")
        var out: [String] = []
        var last = ""
        if let first = try String.fetchOne(db, sql: "SELECT sender FROM events WHERE sender IS NOT NULL ORDER BY sender LIMIT 1") {
            last = first
            if SearchText.nfc(first).lowercased().contains(needle) { out.append(first) }
            while let s = try String.fetchOne(next, arguments: [last]) {
                if SearchText.nfc(s).lowercased().contains(needle) { out.append(s) }
                last = s
            }
        }
        return out
    }

    private static let rowColumns = """
        ev.id, ev.utc, ev.utc_us, ev.raw, ev.basis, ev.precision, ev.note, ev.kind, ev.description, ev.source,
        f.path, ev.message_id, c.title, ev.sender, f.sha256, e.label
        """

    /// Timed (`utc_us` set) or untimed events after the cursor, one query per sender, merged.
    private static func phase(_ db: Database, timed: Bool, filter: TimelineFilter, after: TimelineCursor?,
                              senders: [String?], chatIDs: [Int64]?, limit: Int) throws -> [TimelineRow] {
        var merged: [TimelineRow] = []
        for sender in senders {
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
            if let sender { clauses.append("ev.sender = ?"); args += [sender] }
            if !filter.kinds.isEmpty {
                let parts = filter.kinds.map { $0.hasSuffix("*") ? "ev.kind GLOB ?" : "ev.kind = ?" }
                clauses.append("(" + parts.joined(separator: " OR ") + ")")
                for k in filter.kinds { args += [k] }
            }
            if let ids = chatIDs { clauses.append("ev.chat_id IN (\(ids.map(String.init).joined(separator: ",")))") }
            if let glob = filter.pathGlob { clauses.append("f.path GLOB ?"); args += [glob] }
            args += [limit]
            let order = timed ? "ev.utc_us, ev.id" : "ev.id"
            let rows = try Row.fetchCursor(db, sql: """
                SELECT \(rowColumns) FROM events ev LEFT JOIN files f ON f.id = ev.file_id
                    LEFT JOIN chats c ON c.id = ev.chat_id LEFT JOIN evidence e ON e.id = ev.evidence_id
                WHERE \(clauses.joined(separator: " AND ")) ORDER BY \(order) LIMIT ?
                """, arguments: args)
            while let r = try rows.next() {
                merged.append(TimelineRow(
                    eventID: try r.decode(atIndex: 0), utc: try r.decode(atIndex: 1), utcMicros: try r.decode(atIndex: 2),
                    raw: try r.decode(atIndex: 3), basis: try r.decode(atIndex: 4), precision: try r.decode(atIndex: 5),
                    note: try r.decode(atIndex: 6), kind: try r.decode(atIndex: 7), description: try r.decode(atIndex: 8),
                    source: try r.decode(atIndex: 9), filePath: try r.decode(atIndex: 10), messageID: try r.decode(atIndex: 11),
                    chat: try r.decode(atIndex: 12), sender: try r.decode(atIndex: 13), sha256: try r.decode(atIndex: 14),
                    evidence: try r.decode(atIndex: 15)))
            }
        }
        guard senders.count > 1 else { return merged }
        merged.sort { ($0.utcMicros ?? 0, $0.eventID) < ($1.utcMicros ?? 0, $1.eventID) }
        return Array(merged.prefix(limit))
    }

    /// Events per kind, for summaries (`exhibit timeline --counts`, reports).
    public func eventCounts() throws -> [String: Int] {
        try queue.read { db in
            var out: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT kind, count(*) FROM events GROUP BY kind") {
                out[try row.decode(atIndex: 0)] = try row.decode(atIndex: 1)
            }
            return out
        }
    }
}
