import Foundation
import PostgresNIO

/// A message found by `exhibit lab search`.
public struct LabMessageHit: Sendable, Codable, Equatable {
    /// Case name.
    public var caseName: String
    /// The case database to open.
    public var database: String
    /// `messages.id` in that database.
    public var messageID: Int
    /// Chat title.
    public var chat: String?
    /// `telegram`, `whatsapp`, …
    public var platform: String?
    /// The room in the case (`coalesce(copy_of, id)`).
    public var roomID: Int?
    /// Sender as exported.
    public var sender: String?
    /// Sent time, UTC text; nil when unknown.
    public var utc: String?
    /// Basis of that time.
    public var basis: String?
    /// The text (NFC).
    public var text: String

    /// Memberwise.
    public init(caseName: String, database: String, messageID: Int, chat: String?, platform: String?, roomID: Int?, sender: String?,
                utc: String?, basis: String?, text: String) {
        self.caseName = caseName; self.database = database; self.messageID = messageID; self.chat = chat; self.platform = platform
        self.roomID = roomID; self.sender = sender; self.utc = utc; self.basis = basis; self.text = text
    }
}

/// A known-bad picture (one hash-set entry) and every file it matched, lab-wide.
public struct LabKnownPicture: Sendable, Codable, Equatable {
    /// Hash-set name.
    public var hashset: String
    /// The entry's digest (SHA-256, MD5, PDQ …).
    public var matchedHash: String
    /// The entry's label.
    public var label: String?
    /// The entry's category.
    public var category: String?
    /// Cases it was found in.
    public var cases: Int
    /// Every matching file, by case then file row.
    public var hits: [LabKnownHit]
}

/// One file that matched a known-bad entry.
public struct LabKnownHit: Sendable, Codable, Equatable {
    /// Case name.
    public var caseName: String
    /// The case database to open.
    public var database: String
    /// `files.id` in that database.
    public var fileID: Int
    /// `hashset_matches.id` in that database.
    public var matchID: Int
    /// Virtual path.
    public var path: String?
    /// Device path, when known.
    public var devicePath: String?
    /// SHA-256 of the file.
    public var sha256: String?
    /// How it matched (`sha256`, `pdq`, `pdq-frame` …).
    public var algorithm: String?
    /// Hamming distance (0 for exact digests).
    public var distance: Int?
    /// For PDQ: how the file relates to the known image (`identity`, `rot90`…).
    public var variant: String?
}

extension LabIndex {
    /// Messages whose text contains `text` (case-insensitive, NFC), across every case: earliest
    /// first, at most `limit`. A trigram index answers it (Korean included).
    public func search(_ text: String, limit: Int = 100) async throws -> [LabMessageHit] {
        try await requireSchema()
        let needle = text.precomposedStringWithCanonicalMapping
        guard !needle.isEmpty else { throw LabError("give a text to search for") }
        var pattern = "%"
        for ch in needle.unicodeScalars {
            if ch == "%" || ch == "_" || ch == "\\" { pattern += "\\" }
            pattern.unicodeScalars.append(ch == "\u{0}" ? "\u{2400}" : ch)
        }
        pattern += "%"
        let rows = try await connection.query("""
            SELECT c.name, c.db_path, m.message_id, ch.title, ch.platform, ch.room_id, m.sender, m.sent_utc, m.sent_basis, m.text
            FROM lab_messages m JOIN lab_cases c ON c.case_id = m.case_id
            LEFT JOIN lab_chats ch ON ch.case_id = m.case_id AND ch.chat_id = m.chat_id
            WHERE m.text ILIKE \(pattern)
            ORDER BY m.sent_utc_us NULLS LAST, c.name, m.message_id
            LIMIT \(max(1, limit))
            """, logger: logger)
        var out: [LabMessageHit] = []
        for try await r in rows.decode((String, String, Int, String?, String?, Int?, String?, String?, String?, String).self) {
            out.append(LabMessageHit(caseName: r.0, database: r.1, messageID: r.2, chat: r.3, platform: r.4, roomID: r.5,
                                     sender: r.6, utc: r.7, basis: r.8, text: r.9))
        }
        return out
    }

    /// Every published case: its name and the case database it was published from, by name.
    public func publishedCases() async throws -> [(name: String, database: String)] {
        try await requireSchema()
        var out: [(String, String)] = []
        for try await r in try await connection.query("SELECT name, db_path FROM lab_cases ORDER BY name", logger: logger).decode((String, String).self) {
            out.append(r)
        }
        return out
    }

    /// Known-bad matches of every case, grouped by the known picture (hash set and entry digest).
    public func known() async throws -> [LabKnownPicture] {
        try await requireSchema()
        let rows = try await connection.query("""
            SELECT k.hashset, k.matched_hash, k.label, k.category, c.name, c.db_path, k.file_id, k.match_id,
                   f.path, f.device_path, f.sha256, k.algorithm, k.distance, k.variant
            FROM lab_known_matches k JOIN lab_cases c ON c.case_id = k.case_id
            LEFT JOIN lab_files f ON f.case_id = k.case_id AND f.file_id = k.file_id
            WHERE k.hashset_kind = 'known-bad' AND k.matched_hash IS NOT NULL AND k.hashset IS NOT NULL
            ORDER BY k.hashset, k.matched_hash, c.name, k.file_id, k.match_id
            """, logger: logger)
        var out: [LabKnownPicture] = []
        for try await r in rows.decode((String, String, String?, String?, String, String, Int, Int, String?, String?, String?, String?, Int?, String?).self) {
            let hit = LabKnownHit(caseName: r.4, database: r.5, fileID: r.6, matchID: r.7, path: r.8, devicePath: r.9,
                                  sha256: r.10, algorithm: r.11, distance: r.12, variant: r.13)
            if let last = out.indices.last, out[last].hashset == r.0, out[last].matchedHash == r.1 {
                out[last].hits.append(hit)
            } else {
                out.append(LabKnownPicture(hashset: r.0, matchedHash: r.1, label: r.2, category: r.3, cases: 0, hits: [hit]))
            }
        }
        for i in out.indices { out[i].cases = Set(out[i].hits.map(\.caseName)).count }
        return out
    }
}
