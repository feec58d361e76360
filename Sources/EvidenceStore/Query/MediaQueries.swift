import ExhibitKit
import Foundation
import GRDB

/// A chat message that carried a matched file (its attachment resolved to the file, or to a
/// file with the same SHA-256).
public struct CarryingMessage: Sendable, Hashable, Codable {
    /// `messages.id`.
    public var messageID: Int64
    /// `telegram`, `whatsapp`, `kakaotalk`, …
    public var platform: String
    /// Chat title.
    public var chat: String?
    /// Sender as the export names them.
    public var sender: String?
    /// `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`, or `nil` when the export's time could not be placed.
    public var sentUTC: String?
    /// The time as the export wrote it.
    public var sentRaw: String?
    /// The export file holding the message.
    public var exportPath: String
    /// How `sentUTC` was derived: `utc`, `offset`, `assumed-zone`, `unknown`.
    public var sentBasis: String?
}

/// One row of `known_media` plus the messages that carried the file. Never the media itself.
public struct KnownMediaRow: Sendable, Hashable, Codable {
    /// The matched file (`files.id`).
    public var fileID: Int64
    /// Virtual path of the file.
    public var path: String
    /// Its SHA-256.
    public var sha256: String?
    /// Its MIME type (libmagic).
    public var mime: String?
    /// Name of the hash set.
    public var hashSet: String
    /// `known-bad` or `known-good`.
    public var kind: String
    /// The entry's category.
    public var category: String?
    /// `md5`, `sha1`, `sha256`, `pdq`, `pdq-frame`.
    public var algorithm: String
    /// Hamming distance (0 for exact digests).
    public var distance: Int
    /// Rotation/flip that matched (stills).
    public var variant: String?
    /// The entry's digest.
    public var matchedHash: String
    /// The entry's label.
    public var label: String?
    /// The entry's media id.
    public var mediaID: String?
    /// Video: known frames found.
    public var framesMatched: Int?
    /// Video: frames of the known video.
    public var framesKnown: Int?
    /// Chat messages whose attachment is this file (or one with the same SHA-256).
    public var messages: [CarryingMessage]
}

extension EvidenceDatabase {
    /// Every match, known-bad first then by path; `includeKnownGood` adds known-good (NSRL) ones.
    public func knownMedia(includeKnownGood: Bool) throws -> [KnownMediaRow] {
        try queue.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT k.file_id, k.path, k.sha256, f.mime, k.hashset, k.kind, k.category, k.algorithm, k.distance, k.variant,
                       k.matched_hash, k.label, k.media_id, k.frames_matched, k.frames_known
                FROM known_media k JOIN files f ON f.id = k.file_id
                \(includeKnownGood ? "" : "WHERE k.kind = 'known-bad'")
                ORDER BY k.kind = 'known-bad' DESC, f.evidence_id, f.sort_key, k.hashset, k.algorithm, k.distance, k.entry_id
                """)
            let carriers = try db.cachedStatement(sql: """
                SELECT DISTINCT m.id AS message_id, c.platform, c.title,
                    coalesce(m.sender_name, CASE WHEN m.from_device_owner = 1 THEN '(device owner)' END) AS sender, m.sent_utc,
                    m.sent_raw, ef.path AS export_path, m.sent_basis
                FROM attachments a JOIN messages m ON m.id = a.message_id JOIN chats c ON c.id = m.chat_id
                    JOIN files ef ON ef.id = m.file_id
                WHERE a.linked_file_id = ? OR (a.sha256 IS NOT NULL AND a.sha256 = ?)
                ORDER BY m.sent_utc_us, m.id
                """)
            var cache: [Int64: [CarryingMessage]] = [:]
            return try rows.map { r in
                let fileID: Int64 = try r.decode(forColumn: "file_id")
                let sha: String? = try r.decode(forColumn: "sha256")
                if cache[fileID] == nil {
                    cache[fileID] = try Row.fetchAll(carriers, arguments: [fileID, sha]).map {
                        CarryingMessage(messageID: try $0.decode(forColumn: "message_id"), platform: try $0.decode(forColumn: "platform"),
                                        chat: try $0.decode(forColumn: "title"), sender: try $0.decode(forColumn: "sender"),
                                        sentUTC: try $0.decode(forColumn: "sent_utc"), sentRaw: try $0.decode(forColumn: "sent_raw"),
                                        exportPath: try $0.decode(forColumn: "export_path"),
                                        sentBasis: try $0.decode(forColumn: "sent_basis"))
                    }
                }
                return KnownMediaRow(fileID: fileID, path: try r.decode(forColumn: "path"), sha256: sha,
                                     mime: try r.decode(forColumn: "mime"), hashSet: try r.decode(forColumn: "hashset"),
                                     kind: try r.decode(forColumn: "kind"), category: try r.decode(forColumn: "category"),
                                     algorithm: try r.decode(forColumn: "algorithm"), distance: try r.decode(forColumn: "distance"),
                                     variant: try r.decode(forColumn: "variant"), matchedHash: try r.decode(forColumn: "matched_hash"),
                                     label: try r.decode(forColumn: "label"), mediaID: try r.decode(forColumn: "media_id"),
                                     framesMatched: try r.decode(forColumn: "frames_matched"),
                                     framesKnown: try r.decode(forColumn: "frames_known"), messages: cache[fileID] ?? [])
            }
        }
    }
}
