import ExhibitKit
import Foundation
import GRDB

/// A perceptual hash-set entry, as the matcher indexes it.
public struct PDQEntryRow: Sendable, Hashable {
    /// Entry row id and its set.
    public var id: Int64, hashSetID: Int64
    /// `pdq` or `pdq-frame`.
    public var algorithm: String
    /// 64 hex digits.
    public var hash: String
    /// PDQ quality, when known.
    public var quality: Int?
    /// The known video a frame belongs to.
    public var mediaID: String?
}

/// A stored perceptual hash of an evidence file.
public struct MediaHashRow: Sendable, Hashable {
    /// `media_hashes` row id and the file it belongs to.
    public var id: Int64, fileID: Int64
    /// `pdq` or `pdq-frame`.
    public var algorithm: String
    /// 64 hex digits.
    public var hash: String
    /// PDQ quality.
    public var quality: Int
    /// Video frame index, `nil` for stills.
    public var frameIndex: Int?
    /// Variant name → hash (stills only).
    public var variants: [String: String]
}

/// One perceptual match to store.
public struct PerceptualMatchInput: Sendable, Hashable {
    /// The file, the set and the matched entry.
    public var fileID: Int64, hashSetID: Int64, entryID: Int64
    /// `pdq` or `pdq-frame`.
    public var algorithm: String
    /// Hamming distance.
    public var distance: Int
    /// Dihedral variant that matched (stills).
    public var variant: String?
    /// The `media_hashes` row that matched.
    public var mediaHashID: Int64?
    /// Video: known frames found.
    public var framesMatched: Int?
    /// Video: frames of the known video.
    public var framesKnown: Int?
    /// Creates a match.
    public init(fileID: Int64, hashSetID: Int64, entryID: Int64, algorithm: String, distance: Int, variant: String?,
                mediaHashID: Int64?, framesMatched: Int? = nil, framesKnown: Int? = nil) {
        self.fileID = fileID; self.hashSetID = hashSetID; self.entryID = entryID; self.algorithm = algorithm
        self.distance = distance; self.variant = variant; self.mediaHashID = mediaHashID
        self.framesMatched = framesMatched; self.framesKnown = framesKnown
    }
}

/// Matches stored, by kind of match.
public struct MatchCounts: Sendable, Hashable, Codable {
    /// MD5/SHA-1/SHA-256 matches.
    public var exact: Int
    /// PDQ matches (stills and videos).
    public var perceptual: Int
    /// Distinct files matched.
    public var files: Int
}

extension EvidenceDatabase {
    /// Calls `body` for every `pdq`/`pdq-frame` hash-set entry, in id order (streamed: a million
    /// entries never sit in memory as rows).
    public func forEachPDQEntry(_ body: (PDQEntryRow) throws -> Void) throws {
        try queue.read { db in
            let rows = try Row.fetchCursor(db, sql: """
                SELECT id, hashset_id, algorithm, hash, quality, media_id FROM hashset_entries
                WHERE algorithm IN ('pdq', 'pdq-frame') ORDER BY id
                """)
            while let r = try rows.next() {
                try body(PDQEntryRow(id: try r.decode(forColumn: "id"), hashSetID: try r.decode(forColumn: "hashset_id"),
                                     algorithm: try r.decode(forColumn: "algorithm"), hash: try r.decode(forColumn: "hash"),
                                     quality: try r.decode(forColumn: "quality"),
                                     mediaID: try r.decode(forColumn: "media_id")))
            }
        }
    }

    /// Calls `body` for every stored perceptual hash, by file then frame.
    public func forEachMediaHash(_ body: (MediaHashRow) throws -> Void) throws {
        try queue.read { db in
            let rows = try Row.fetchCursor(db, sql: """
                SELECT id, file_id, algorithm, hash, quality, frame_index, variants FROM media_hashes ORDER BY file_id, frame_index, id
                """)
            while let r = try rows.next() {
                var variants: [String: String] = [:]
                if let text: String = try r.decode(forColumn: "variants"),
                   let obj = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String] {
                    variants = obj
                }
                try body(MediaHashRow(id: try r.decode(forColumn: "id"), fileID: try r.decode(forColumn: "file_id"),
                                      algorithm: try r.decode(forColumn: "algorithm"), hash: try r.decode(forColumn: "hash"),
                                      quality: try r.decode(forColumn: "quality"),
                                      frameIndex: try r.decode(forColumn: "frame_index"), variants: variants))
            }
        }
    }

    /// Replaces every match in one transaction: exact MD5/SHA-1/SHA-256 matches are found in SQL
    /// (file digests against the entries' index), perceptual ones are given. With `audit`, an
    /// audit entry (its `options` plus the counts) is appended in the same transaction.
    public func replaceMatches(perceptual: [PerceptualMatchInput], audit: (action: String, options: JSONValue)? = nil) throws -> MatchCounts {
        try queue.write { db in
            try db.execute(sql: "DELETE FROM hashset_matches")
            for algorithm in ["md5", "sha1", "sha256"] {
                // One row per file and set: the lowest entry id when a list repeats a digest.
                try db.execute(sql: """
                    INSERT INTO hashset_matches (file_id, hashset_id, entry_id, algorithm, distance)
                    SELECT f.id, e.hashset_id, min(e.id), '\(algorithm)', 0
                    FROM files f JOIN hashset_entries e ON e.algorithm = '\(algorithm)' AND e.hash = f.\(algorithm)
                    WHERE f.\(algorithm) IS NOT NULL
                    GROUP BY f.id, e.hashset_id
                    """)
            }
            let exact = try Int.fetchOne(db, sql: "SELECT count(*) FROM hashset_matches") ?? 0
            let insert = try db.cachedStatement(sql: """
                INSERT INTO hashset_matches (file_id, hashset_id, entry_id, algorithm, distance, variant, media_hash_id,
                    frames_matched, frames_known) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for m in perceptual {
                try insert.execute(arguments: [m.fileID, m.hashSetID, m.entryID, m.algorithm, m.distance, m.variant,
                                               m.mediaHashID, m.framesMatched, m.framesKnown])
            }
            let files = try Int.fetchOne(db, sql: "SELECT count(DISTINCT file_id) FROM hashset_matches") ?? 0
            if let audit {
                var details: [String: JSONValue] = [:]
                if case .object(let o) = audit.options { details = o }
                details["exact"] = .number(Double(exact))
                details["perceptual"] = .number(Double(perceptual.count))
                details["files"] = .number(Double(files))
                try Self.appendAudit(db, action: audit.action, details: .object(details))
            }
            return MatchCounts(exact: exact, perceptual: perceptual.count, files: files)
        }
    }
}
