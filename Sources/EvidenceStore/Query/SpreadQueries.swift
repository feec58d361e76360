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
    /// When the picture was taken by its camera's clock (earliest EXIF/XMP `DateTimeOriginal`
    /// of any member), with basis and the file it was read from — to hold against `first`.
    public var taken: SpreadTaken?
}

/// A camera time of a spread content.
public struct SpreadTaken: Sendable, Hashable, Codable {
    /// UTC text and microseconds, or `nil` when the basis gives no instant.
    public var utc: String?
    /// The same instant in microseconds.
    public var utcMicros: Int64?
    /// As written in the file, and how the instant was derived.
    public var raw: String
    /// `utc`, `offset`, `assumed-zone`, `unknown`.
    public var basis: String
    /// The file whose metadata holds it.
    public var path: String
}

extension EvidenceDatabase {
    /// The spread of one SHA-256 (lower or upper case), from the `media_spread` view: two index
    /// lookups (`attachments_sha256`, `files_sha256`). `nil` when the content appears nowhere.
    /// With `exact`, only that SHA-256, without its PDQ group.
    public func mediaSpread(sha256: String, exact: Bool = false) throws -> MediaSpread? {
        let sha = sha256.lowercased()
        return try queue.read { db in try Self.spread(db, sha, exact: exact) }
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

    static func spread(_ db: Database, _ sha: String, exact: Bool = false) throws -> MediaSpread? {
        var messages: [SpreadAppearance] = [], files: [SpreadAppearance] = []
        let cluster = exact ? nil
            : try String.fetchOne(db, sql: "SELECT cluster FROM media_clusters WHERE sha256 = ?", arguments: [sha])
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
                appearance: try r.decode(forColumn: "appearance"), messageID: try r.decode(forColumn: "message_id"),
                chatID: try r.decode(forColumn: "chat_id"), roomID: try r.decode(forColumn: "room_id"),
                platform: try r.decode(forColumn: "platform"), chat: try r.decode(forColumn: "chat"),
                sender: try r.decode(forColumn: "sender"), utc: try r.decode(forColumn: "utc"),
                utcMicros: try r.decode(forColumn: "utc_us"), basis: try r.decode(forColumn: "basis"),
                path: try r.decode(forColumn: "path"), exportPath: try r.decode(forColumn: "export_path"))
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
        let takenRow = try Row.fetchOne(db, sql: """
            SELECT m.time_utc, m.time_utc_us, m.time_raw, m.time_basis, f.path FROM metadata m JOIN files f ON f.id = m.file_id
            WHERE f.sha256 IN (\(marks)) AND m.tag IN ('DateTimeOriginal', 'exif:DateTimeOriginal') AND m.time_raw IS NOT NULL
            ORDER BY m.time_utc_us IS NULL, m.time_utc_us, f.path LIMIT 1
            """, arguments: StatementArguments(members))
        let taken = try takenRow.map { r in
            SpreadTaken(utc: try r.decode(forColumn: "time_utc"), utcMicros: try r.decode(forColumn: "time_utc_us"),
                        raw: try r.decode(forColumn: "time_raw"), basis: try r.decode(forColumn: "time_basis"),
                        path: try r.decode(forColumn: "path"))
        }
        return MediaSpread(sha256: sha, content: cluster ?? sha, members: members, first: first, messages: messages, files: files,
                           rooms: Set(messages.compactMap(\.roomID)).count,
                           senders: Set(messages.compactMap { $0.sender.map(SearchText.nfc) }).count, hashsets: hashsets, taken: taken)
    }
}
