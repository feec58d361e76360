import ExhibitKit
import Foundation
import GRDB

/// A chat message that carried a matched file (its attachment resolved to the file, or to a
/// file with the same SHA-256).
public struct CarryingMessage: Sendable, Hashable, Codable {
    public var messageID: Int64
    public var platform: String
    public var chat: String?
    public var sender: String?
    /// `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`, or `nil` when the export's time could not be placed.
    public var sentUTC: String?
    public var sentRaw: String?
    public var exportPath: String
}

/// One row of `known_media` plus the messages that carried the file. Never the media itself.
public struct KnownMediaRow: Sendable, Hashable, Codable {
    public var fileID: Int64
    public var path: String
    public var sha256: String?
    public var mime: String?
    public var hashSet: String
    public var kind: String
    public var category: String?
    public var algorithm: String
    public var distance: Int
    public var variant: String?
    public var matchedHash: String
    public var label: String?
    public var mediaID: String?
    public var framesMatched: Int?
    public var framesKnown: Int?
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
                ORDER BY k.kind DESC, f.evidence_id, f.sort_key, k.hashset, k.algorithm, k.distance, k.entry_id
                """)
            let carriers = try db.cachedStatement(sql: """
                SELECT DISTINCT m.id, c.platform, c.title, m.sender_name, m.sent_utc, m.sent_raw, ef.path
                FROM attachments a JOIN messages m ON m.id = a.message_id JOIN chats c ON c.id = m.chat_id
                    JOIN files ef ON ef.id = m.file_id
                WHERE a.linked_file_id = ? OR (a.sha256 IS NOT NULL AND a.sha256 = ?)
                ORDER BY m.sent_utc_us, m.id
                """)
            var cache: [Int64: [CarryingMessage]] = [:]
            return try rows.map { r in
                let fileID: Int64 = r[0]
                let sha: String? = r[2]
                if cache[fileID] == nil {
                    cache[fileID] = try Row.fetchAll(carriers, arguments: [fileID, sha]).map {
                        CarryingMessage(messageID: $0[0], platform: $0[1], chat: $0[2], sender: $0[3], sentUTC: $0[4],
                                        sentRaw: $0[5], exportPath: $0[6])
                    }
                }
                return KnownMediaRow(fileID: fileID, path: r[1], sha256: sha, mime: r[3], hashSet: r[4], kind: r[5], category: r[6],
                                     algorithm: r[7], distance: r[8], variant: r[9], matchedHash: r[10], label: r[11],
                                     mediaID: r[12], framesMatched: r[13], framesKnown: r[14], messages: cache[fileID] ?? [])
            }
        }
    }

    /// Perceptual hashes stored for one file (`exhibit files`-style inspection and tests).
    public func mediaHashes(fileID: Int64) throws -> [MediaHashRow] {
        var out: [MediaHashRow] = []
        try queue.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT id, file_id, algorithm, hash, quality, frame_index FROM media_hashes WHERE file_id = ? ORDER BY frame_index, id
                """, arguments: [fileID])
            out = rows.map { MediaHashRow(id: $0[0], fileID: $0[1], algorithm: $0[2], hash: $0[3], quality: $0[4], frameIndex: $0[5], variants: [:]) }
        }
        return out
    }
}
