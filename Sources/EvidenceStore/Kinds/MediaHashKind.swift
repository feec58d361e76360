import ExhibitKit
import Foundation
import GRDB

/// ``MediaHash`` findings → `media_hashes` (migration `v4-media`).
enum MediaHashKind: StoredKind {
    static let kinds: [FindingKind] = [.mediaHash]
    static let tables = ["media_hashes"]
    static let migrations: [KindMigration] = []
    static let digestSections = [FindingsDigest.mediaHashes]
    static func writer(_ db: Database) throws -> any KindWriter { try MediaRowWriter(db) }
}

/// Writes one file's ``MediaHash`` findings into `media_hashes` inside the file's commit
/// transaction. A redo of the file first drops its hashes and the matches computed from them or
/// from its digests (matching reruns at the end of every ingest and with `exhibit match`).
struct MediaRowWriter: KindWriter {
    private let insertHash: Statement
    private let deleteHashes: Statement
    private let deleteMatches: Statement

    init(_ db: Database) throws {
        insertHash = try db.cachedStatement(sql: """
            INSERT INTO media_hashes (file_id, analyzer_id, analyzer_version, algorithm, hash, quality, frame_index,
                frame_time_us, variants) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        deleteHashes = try db.cachedStatement(sql: "DELETE FROM media_hashes WHERE file_id = ?")
        deleteMatches = try db.cachedStatement(sql: "DELETE FROM hashset_matches WHERE file_id = ?")
    }

    /// Removes what an earlier commit of `fileID` stored.
    func deleteFile(_ fileID: Int64) throws {
        try deleteMatches.execute(arguments: [fileID])
        try deleteHashes.execute(arguments: [fileID])
    }

    func write(_ produced: ProducedFinding, fileID: Int64) throws -> KindProblem? {
        guard case .mediaHash(let hash) = produced.finding,
              let problem = try write(hash, fileID: fileID, analyzerID: produced.analyzerID, analyzerVersion: produced.analyzerVersion)
        else { return nil }
        return KindProblem(code: "bad-media-hash", message: problem)
    }

    /// Stores one hash; a malformed one (not 64 hex digits) is refused as the analyzer's error.
    func write(_ h: MediaHash, fileID: Int64, analyzerID: String, analyzerVersion: String) throws -> String? {
        let hash = h.hash.lowercased()
        guard Self.isHex64(hash) else { return "media hash is not 64 hex digits: \(h.hash.prefix(80))" }
        var variants: String? = nil
        if !h.variants.isEmpty {
            let valid = h.variants.filter { Self.isHex64($0.value.lowercased()) }
            variants = JSONValue.object(valid.mapValues { .string($0.lowercased()) }).canonicalText
        }
        try insertHash.execute(arguments: [fileID, analyzerID, analyzerVersion, h.algorithm.rawValue, hash,
                                           max(0, min(100, h.quality)), h.frameIndex, h.frameTimeMicros, variants])
        return nil
    }

    static func isHex64(_ s: String) -> Bool {
        s.utf8.count == 64 && s.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }
}

extension FindingsDigest {
    static let mediaHashes = DigestSection.grouped("media_hashes", sql: """
        SELECT e.label, f.entry_key, h.algorithm, h.frame_index, h.frame_time_us, h.hash, h.quality, h.variants,
            h.analyzer_id, h.analyzer_version
        FROM media_hashes h JOIN files f ON f.id = h.file_id JOIN evidence e ON e.id = f.evidence_id
        ORDER BY e.label, f.sort_key
        """)
}
