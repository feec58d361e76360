import ExhibitKit
import Foundation
import GRDB

/// Writes one file's ``MediaHash`` findings into `media_hashes` inside the file's commit
/// transaction. A redo of the file first drops its hashes and the matches computed from them or
/// from its digests (matching reruns at the end of every ingest and with `exhibit match`).
struct MediaRowWriter {
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
