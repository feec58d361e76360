import ExhibitKit
import Foundation
import GRDB

/// One appearance of a media content: a message that carried it, or a file copy.
public struct SpreadAppearance: Sendable, Hashable, Codable {
    /// `message` or `file`.
    public var appearance: String
    /// The message (`messages.id`).
    public var messageID: Int64?
    /// `chats.id`.
    public var chatID: Int64?
    /// The room (`coalesce(chats.copy_of, chats.id)`): two exports of one chat are one room.
    public var roomID: Int64?
    /// `telegram`, `whatsapp`, …
    public var platform: String?
    /// Chat title.
    public var chat: String?
    /// Sender as the source names them.
    public var sender: String?
    /// Sent time (messages) or modification time (files), UTC text, its microseconds and basis.
    public var utc: String?
    /// The same instant in microseconds.
    public var utcMicros: Int64?
    /// `utc`, `offset`, `assumed-zone` or `unknown`.
    public var basis: String?
    /// The file (attachment resolved, or the copy itself).
    public var path: String?
    /// The chat export the message came from.
    public var exportPath: String?
}

/// The spread of one media content (a SHA-256): where it first appeared, every message that
/// carried it, every file copy, and how many rooms and senders it reached.
public struct MediaSpread: Sendable, Hashable, Codable {
    /// The SHA-256 asked for (or the smallest of the group).
    public var sha256: String
    /// The content's group: its PDQ cluster key (`pdq:<sha256>`) or the SHA-256 itself.
    public var content: String
    /// Every SHA-256 of the group (one unless re-encoded copies were grouped by PDQ).
    public var members: [String]
    /// The earliest appearance with an instant (messages and files alike), or `nil`.
    public var first: SpreadAppearance?
    /// Every message that carried the content, earliest first.
    public var messages: [SpreadAppearance]
    /// Every file copy, earliest first.
    public var files: [SpreadAppearance]
    /// Distinct rooms (two exports of one chat are one room).
    public var rooms: Int
    /// Distinct senders (NFC).
    public var senders: Int
    /// Hash sets that matched it (`known_media`), when hash sets are present.
    public var hashsets: [String]
}

extension EvidenceDatabase {
    /// The spread of one SHA-256 (lower or upper case), from the `media_spread` view: two index
    /// lookups (`attachments_sha256`, `files_sha256`). `nil` when the content appears nowhere.
    public func mediaSpread(sha256: String) throws -> MediaSpread? {
        let sha = sha256.lowercased()
        return try queue.read { db in try Self.spread(db, sha) }
    }

    /// The spread of every content a hash set matched (`--known`), most rooms first. Empty when
    /// no hash set was imported or the database predates hash sets.
    public func knownMediaSpread() throws -> [MediaSpread] {
        try queue.read { db in
            guard try StoreCaseReader.hasTables(db, ["hashset_matches"]) else { return [] }
            let shas = try String.fetchAll(db, sql: """
                SELECT DISTINCT f.sha256 FROM hashset_matches hm JOIN files f ON f.id = hm.file_id
                JOIN hashsets hs ON hs.id = hm.hashset_id
                WHERE f.sha256 IS NOT NULL AND hs.kind = 'known-bad' ORDER BY f.sha256
                """)
            return try Self.distinctContents(db, shas).sorted { ($0.rooms, $1.content) > ($1.rooms, $0.content) }
        }
    }

    /// Contents carried by at least one message, with their spread, most rooms first.
    public func sharedMediaSpread(limit: Int = 100) throws -> [MediaSpread] {
        try queue.read { db in
            let shas = try String.fetchAll(db, sql: """
                SELECT a.sha256 FROM attachments a JOIN messages m ON m.id = a.message_id JOIN chats c ON c.id = m.chat_id
                WHERE a.sha256 IS NOT NULL GROUP BY a.sha256
                ORDER BY count(DISTINCT coalesce(c.copy_of, c.id)) DESC, count(*) DESC, a.sha256 LIMIT ?
                """, arguments: [limit])
            return try Self.distinctContents(db, shas)
        }
    }

    /// One spread per content group, in the order of `shas`' first member.
    static func distinctContents(_ db: Database, _ shas: [String]) throws -> [MediaSpread] {
        var seen = Set<String>()
        var out: [MediaSpread] = []
        for sha in shas {
            guard let s = try spread(db, sha), seen.insert(s.content).inserted else { continue }
            out.append(s)
        }
        return out
    }

    /// Whether hash-set tables exist (migration v4-media).
    public func hasHashSets() throws -> Bool {
        try queue.read { db in try StoreCaseReader.hasTables(db, ["hashset_matches", "hashsets"]) }
    }

    static func spread(_ db: Database, _ sha: String) throws -> MediaSpread? {
        var messages: [SpreadAppearance] = [], files: [SpreadAppearance] = []
        let cluster = try String.fetchOne(db, sql: "SELECT cluster FROM media_clusters WHERE sha256 = ?", arguments: [sha])
        var members = [sha]
        if let cluster {
            members = try String.fetchAll(db, sql: "SELECT sha256 FROM media_clusters WHERE cluster = ? ORDER BY sha256",
                                          arguments: [cluster])
        }
        let marks = members.map { _ in "?" }.joined(separator: ", ")
        let rows = try Row.fetchCursor(db, sql: """
            SELECT appearance, message_id, chat_id, room_id, platform, chat, sender, utc, utc_us, basis, path, export_path
            FROM media_spread WHERE sha256 IN (\(marks)) ORDER BY utc_us IS NULL, utc_us, appearance, path, message_id
            """, arguments: StatementArguments(members))
        while let r = try rows.next() {
            let a = SpreadAppearance(
                appearance: try r.decode(atIndex: 0), messageID: try r.decode(atIndex: 1), chatID: try r.decode(atIndex: 2),
                roomID: try r.decode(atIndex: 3), platform: try r.decode(atIndex: 4), chat: try r.decode(atIndex: 5),
                sender: try r.decode(atIndex: 6), utc: try r.decode(atIndex: 7), utcMicros: try r.decode(atIndex: 8),
                basis: try r.decode(atIndex: 9), path: try r.decode(atIndex: 10), exportPath: try r.decode(atIndex: 11))
            if a.appearance == "message" { messages.append(a) } else { files.append(a) }
        }
        guard !messages.isEmpty || !files.isEmpty else { return nil }
        let first = (messages + files).filter { $0.utcMicros != nil }
            .min { ($0.utcMicros ?? 0, $0.appearance, $0.path ?? "") < ($1.utcMicros ?? 0, $1.appearance, $1.path ?? "") }
        var hashsets: [String] = []
        if try StoreCaseReader.hasTables(db, ["hashset_matches", "hashsets"]) {
            hashsets = try String.fetchAll(db, sql: """
                SELECT DISTINCT hs.name FROM hashset_matches hm JOIN hashsets hs ON hs.id = hm.hashset_id
                JOIN files f ON f.id = hm.file_id WHERE f.sha256 IN (\(marks)) AND hs.kind = 'known-bad' ORDER BY hs.name
                """, arguments: StatementArguments(members))
        }
        return MediaSpread(sha256: sha, content: cluster ?? sha, members: members, first: first, messages: messages, files: files,
                           rooms: Set(messages.compactMap(\.roomID)).count,
                           senders: Set(messages.compactMap { $0.sender.map(SearchText.nfc) }).count, hashsets: hashsets)
    }
}
